"""`davdesk sync --watch` as a user runs it: a process that keeps a pair in step until SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.sync.background.status import read_status
from app.sync.pairfiles import PairFiles
from tests.sync.background.conftest import wait_for

REPO = Path(__file__).resolve().parents[2]


class Watching:
    """A `davdesk sync --watch` subprocess with its output collected in files."""

    def __init__(self, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.out_path, self.err_path = folder / "out.txt", folder / "err.txt"
        self.out, self.err = open(self.out_path, "w"), open(self.err_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", *args],
            cwd=REPO,
            env=env,
            stdout=self.out,
            stderr=self.err,
        )

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out_path.read_text().splitlines() if line]

    def stderr(self) -> str:
        return self.err_path.read_text()

    def terminate(self) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        elapsed = time.monotonic() - started
        self.out.close()
        self.err.close()
        return code, elapsed


@pytest.fixture
def env(dav_server, tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "DAVDESK_PASSWORD": dav_server.password,
        "DAVDESK_CONFIG_HOME": str(tmp_path / "home"),
    }


def test_watch_syncs_each_change_and_stops_on_sigterm(dav_server, local, env, tmp_path):
    (local / "before.txt").write_text("before")
    watching = Watching(
        [
            "sync",
            "--watch",
            "--json",
            "--interval",
            "0.5",
            "--user",
            dav_server.user,
            str(local),
            dav_server.url,
            "--direction",
            "both",
        ],
        env,
        tmp_path,
    )
    try:
        wait_for(lambda: (dav_server.root / "before.txt").exists(), what="the first run")
        (local / "after.txt").write_text("after")
        dav_server.make_file("from-server.txt", b"server")
        wait_for(
            lambda: (
                (dav_server.root / "after.txt").exists() and (local / "from-server.txt").exists()
            ),
            what="both changes",
        )
        wait_for(lambda: len(watching.lines()) >= 3, what="three lines")
    finally:
        code, elapsed = watching.terminate()
    assert code == 0, watching.stderr()
    assert elapsed < 15
    lines = watching.lines()
    assert {(line["op"], line["path"].rsplit("/", 1)[-1]) for line in lines} == {
        ("put", "before.txt"),
        ("put", "after.txt"),
        ("get", "from-server.txt"),
    }
    assert all(line["ok"] for line in lines)


def test_sigterm_mid_upload_then_a_restart_loses_and_duplicates_nothing(
    dav_server, local, env, tmp_path
):
    big = local / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024))
    args = [
        "sync",
        "--watch",
        "--json",
        "--limit-rate",
        "300K",
        "--interval",
        "0.5",
        "--user",
        dav_server.user,
        str(local),
        dav_server.url,
        "--direction",
        "both",
    ]
    status = PairFiles.of(tmp_path / "home" / "data", local, dav_server.url).status
    first = Watching(args, env, tmp_path)
    try:
        wait_for(
            lambda: read_status(status, "x").state.value == "syncing", what="the upload to start"
        )
        time.sleep(1.0)  # let some of the body go out: the signal lands mid-upload
    finally:
        code, elapsed = first.terminate()
    assert code == 0, first.stderr()
    assert elapsed < 15
    on_server = dav_server.root / "big.bin"
    assert not on_server.exists() or on_server.read_bytes() == big.read_bytes(), (
        "a partial file was left on the server"
    )
    (tmp_path / "second").mkdir()
    second = Watching(args, env, tmp_path / "second")
    try:
        wait_for(
            lambda: on_server.exists() and on_server.stat().st_size == big.stat().st_size,
            timeout=60,
            what="the upload to finish after the restart",
        )
        wait_for(lambda: read_status(status, "x").state.value == "idle", what="idle")
    finally:
        code, _ = second.terminate()
    assert code == 0, second.stderr()
    assert on_server.read_bytes() == big.read_bytes()
    assert sorted(p.name for p in dav_server.root.iterdir() if p.name != ".DAV") == ["big.bin"]
    assert sorted(p.name for p in local.iterdir()) == ["big.bin"]


def test_two_processes_never_sync_the_same_pair(dav_server, local, env, tmp_path):
    args = [
        "sync",
        "--watch",
        "--interval",
        "0.5",
        "--user",
        dav_server.user,
        str(local),
        dav_server.url,
        "--direction",
        "both",
    ]
    status = PairFiles.of(tmp_path / "home" / "data", local, dav_server.url).status
    first = Watching(args, env, tmp_path)
    (tmp_path / "second").mkdir()
    try:
        wait_for(lambda: read_status(status, "x").state.value == "idle", what="the first")
        second = Watching(args, env, tmp_path / "second")
        try:
            wait_for(
                lambda: "synced by process" in second.stderr(),
                what="the second to say who holds the pair",
            )
            one_off = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "app",
                    "sync",
                    "--user",
                    dav_server.user,
                    str(local),
                    dav_server.url,
                    "--direction",
                    "both",
                ],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert one_off.returncode == 2 and "being synced by process" in one_off.stderr
        finally:
            code, _ = second.terminate()
        assert code == 0
    finally:
        first.terminate()


def test_saved_pairs_are_watched_and_listed_from_another_process(dav_server, local, env, tmp_path):
    (local / "saved.txt").write_text("saved pair")
    other = tmp_path / "other"
    other.mkdir()
    dav_server.make_dir("elsewhere")
    davdesk = [sys.executable, "-m", "app"]

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*davdesk, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )

    dav_server.make_dir("docs")
    assert (
        cli(
            "pair",
            "add",
            "--user",
            dav_server.user,
            str(local),
            dav_server.url_for("docs/"),
            "--direction",
            "up",
            "--name",
            "Docs",
        ).returncode
        == 0
    )
    assert (
        cli(
            "pair",
            "add",
            "--user",
            dav_server.user,
            str(other),
            dav_server.url_for("elsewhere/"),
            "--direction",
            "both",
            "--name",
            "Other",
        ).returncode
        == 0
    )
    assert cli("pair", "pause", "Other").returncode == 0
    watching = Watching(["sync", "--watch", "--interval", "0.5"], env, tmp_path)
    try:
        wait_for(lambda: (dav_server.root / "docs" / "saved.txt").exists(), what="the pair")

        def listed() -> dict[str, dict]:
            out = cli("pair", "list", "--json").stdout
            return {row["name"]: row for row in map(json.loads, out.splitlines())}

        wait_for(lambda: listed()["Docs"]["state"] == "idle", what="Docs idle in pair list")
        rows = listed()
        assert rows["Docs"]["last_result"] == "1 uploaded" and rows["Docs"]["last_sync"]
        assert rows["Docs"]["url"].startswith(f"http://{dav_server.user}@")
        assert (rows["Other"]["state"], rows["Other"]["paused"]) == ("paused", True)
        removed = cli("pair", "remove", "Docs")
        assert removed.returncode == 2 and "being synced by process" in removed.stderr
    finally:
        code, _ = watching.terminate()
    assert code == 0, watching.stderr()
    assert "watching Docs;" in watching.stderr()
    rows = {
        row["name"]: row
        for row in map(json.loads, cli("pair", "list", "--json").stdout.splitlines())
    }
    assert rows["Docs"]["status"] == "not running"
    assert cli("pair", "remove", "Docs").returncode == 0
    assert (local / "saved.txt").exists() and (dav_server.root / "docs" / "saved.txt").exists()


def test_a_refused_file_is_printed_once_with_its_reason(dav_server, local, env, tmp_path):
    bad = "bad\x07name.txt"
    (local / bad).write_text("bad")
    (local / "fine.txt").write_text("fine")
    status = PairFiles.of(tmp_path / "home" / "data", local, dav_server.url).status
    watching = Watching(
        [
            "sync",
            "--watch",
            "--interval",
            "0.3",
            "--user",
            dav_server.user,
            str(local),
            dav_server.url,
            "--direction",
            "both",
        ],
        env,
        tmp_path,
    )
    try:
        wait_for(lambda: read_status(status, "x").refused != (), what="the refusal")
        updated = read_status(status, "x").last_sync or 0.0
        # Looks every 0.3 s: wait for some to pass, each meeting the same refusal.
        wait_for(lambda: (read_status(status, "x").last_sync or 0.0) > updated + 2, what="looks")
    finally:
        code, _ = watching.terminate()
    assert code == 0, watching.stderr()
    out = watching.out_path.read_text()
    why = "not uploaded: the name 'bad\\x07name.txt' contains a control character"
    refused = [line for line in out.splitlines() if "Refused" in line]
    assert len(refused) == 1, out
    assert refused[0].startswith("FAILED    Upload /"), out
    # The name escaped as ls -b writes it (the reason's words quote it as Python does).
    assert refused[0].endswith("/bad\\aname.txt: Refused (refused) – " + why), out
    err = watching.stderr()
    assert err.count("not synced: bad") == 1, err
    assert (dav_server.root / "fine.txt").read_text() == "fine"
