"""`davdesk sync` against the real servers: each direction, conflicts, deletes, reruns.

What is asserted is what a user checks: the files on both sides afterwards
(the server's disk behind the fixture) and the Outcome of every file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from app.__main__ import main
from app.config.paths import AppPaths
from app.dav import DavClient, Outcome
from app.dav.paths import url_path
from app.jobs.model import JobEnded, TaskResult
from app.jobs.runner import JobOptions, JobRunner
from app.sync import Direction, StateDB, SyncPlan, state_file
from app.sync.ignore import IgnoreRules
from app.sync.job import SyncRecorder, build_job
from app.sync.planner import plan_pair

#: Names that URLs and servers get wrong: spaces, escapes, a fragment, query and parameter
#: marks (wsgidav cuts a MOVE's Destination at ";" and "?"), Unicode.
ODD = [
    "a b.txt",
    "50% off.txt",
    "#1 & co+;.txt",
    "why? ask;me.txt",
    unicodedata.normalize("NFC", "naïve ü.txt"),
]


class Run(tuple):
    """(exit status, the run's Outcomes, stderr), and .plan: the planned actions printed first.

    A dry run's Outcomes are its plan.
    """

    plan: list[dict]


def split_plan(lines: list[dict]) -> tuple[list[dict], list[dict]]:
    """The planned actions (the dry run's shape) and, after them, the run's Outcomes."""
    count = next((n for n, o in enumerate(lines) if o["source"] != "dry-run"), len(lines))
    plan, outcomes = lines[:count], lines[count:]
    assert all(o["reason"].startswith("would ") and o["ok"] for o in plan), plan
    assert not any(o["source"] == "dry-run" for o in outcomes), "plan lines after the run's"
    return plan, outcomes


@pytest.fixture
def sync(dav_server, local, tmp_path, monkeypatch, capsys):
    """Run `davdesk --json sync LOCAL URL --direction D`; returns a Run."""
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "config-home"))

    def run(direction: str, *extra: str) -> Run:
        code = main(
            [
                "sync",
                "--user",
                dav_server.user,
                "--json",
                str(local),
                dav_server.url,
                "--direction",
                direction,
                *extra,
            ]
        )
        out, err = capsys.readouterr()
        lines = [json.loads(line) for line in out.splitlines()]
        refused = [o for o in lines if o["reason"] in ("refused", "kept", "held back")]
        plan, outcomes = split_plan([o for o in lines if o not in refused])
        result = Run((code, refused + (plan if "--dry-run" in extra else outcomes), err))
        result.plan = plan
        return result

    return run


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below root, by relative path.

    Apache's own .DAV folders (its dead-property store) are not part of the share. Tests
    wait on it while a sync works on root: a file or folder it listed and then found gone
    means the tree changed under the walk, which starts again (a wait's condition is then
    read on a whole tree, never failed by a file deleted between listing and reading).
    """
    while True:
        try:
            return _walk(root)
        except FileNotFoundError:
            if not root.exists():
                raise


def _walk(root: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for path in root.rglob("*"):
        if ".DAV" in path.relative_to(root).parts:
            continue
        rel = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
        found[rel] = None if path.is_dir() else path.read_bytes()
    return found


def write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def plan_of(
    client: DavClient,
    local: Path,
    server,
    state: StateDB,
    direction: Direction = Direction.BOTH,
    rules: IgnoreRules | None = None,
) -> SyncPlan:
    return plan_pair(client, local, url_path(server.url), direction, state, rules or IgnoreRules())


def _recorded(record: Callable[[TaskResult], None], failed: list[Outcome], event: object) -> None:
    if isinstance(event, TaskResult):
        record(event)
        failed.extend(o for o in event.outcomes if not o.ok)


def run_plan(client: DavClient, state: StateDB, plan: SyncPlan) -> list[Outcome]:
    """Run a plan as `davdesk sync` does (its job, then the one that finishes its conflicts),
    recording into state; returns the Outcomes that failed."""
    failed: list[Outcome] = []
    recorder = SyncRecorder(state, build_job(plan))
    while recorder is not None:
        recorder.begin()
        on_event = partial(_recorded, recorder.record, failed)
        JobRunner(client, recorder.sync_job.job, on_event, JobOptions(workers=2)).run()
        recorder = recorder.follow_up()
    return failed


def ops(outcomes: list[dict]) -> list[tuple[str, bool]]:
    return sorted((o["op"], o["ok"]) for o in outcomes)


def transfers(outcomes: list[dict]) -> list[dict]:
    return [o for o in outcomes if o["op"] in ("put", "get")]


def test_up_mirrors_the_tree_then_a_rerun_transfers_nothing(sync, dav_server, local):
    for name in ODD:
        write(local, f"sub dir/{name}", name.encode() * 3)
    write(local, "top.bin", os.urandom(5000))
    (local / "empty folder").mkdir()
    code, outcomes, _ = sync("up")
    assert code == 0, outcomes
    assert all(o["ok"] for o in outcomes)
    assert tree(dav_server.root) == tree(local)
    assert len(transfers(outcomes)) == len(ODD) + 1
    code, again, _ = sync("up")
    assert code == 0 and again == []


def test_down_mirrors_the_tree(sync, dav_server, local):
    for name in ODD:
        dav_server.make_file(f"deep/er/{name}", name.encode())
    dav_server.make_dir("empty on server")
    code, outcomes, _ = sync("down")
    assert code == 0 and all(o["ok"] for o in outcomes), outcomes
    assert tree(local) == tree(dav_server.root)
    assert sync("down")[1] == []


def test_both_ways_carries_each_sides_new_files(sync, dav_server, local):
    write(local, "mine.txt", b"local")
    dav_server.make_file("theirs.txt", b"remote")
    code, outcomes, _ = sync("both")
    assert code == 0
    assert ops(outcomes) == [("get", True), ("put", True)]
    assert tree(local) == tree(dav_server.root) == {"mine.txt": b"local", "theirs.txt": b"remote"}
    assert sync("both")[1] == []


def conflict_copies(files: dict[str, bytes | None], name: str) -> list[str]:
    stem, _, ext = name.rpartition(".")
    return [
        rel for rel in files if rel.startswith(f"{stem} (conflict ") and rel.endswith(f").{ext}")
    ]


@pytest.mark.parametrize("direction", ["both", "up"])
def test_an_edit_on_both_sides_keeps_both(sync, dav_server, local, direction):
    names = ["report.txt", *ODD]
    for name in names:
        write(local, f"sub/{name}", b"v1")
    assert sync("both")[0] == 0
    for name in names:
        write(local, f"sub/{name}", b"local edit of " + name.encode())
        dav_server.make_file(f"sub/{name}", b"server edit, longer, of " + name.encode())
    code, outcomes, _ = sync(direction)
    assert code == 0, outcomes
    files = tree(local)
    for name in names:
        [beside] = conflict_copies(files, f"sub/{name}")
        assert files[f"sub/{name}"] == b"local edit of " + name.encode()
        assert files[beside] == b"server edit, longer, of " + name.encode()
    assert len(files) == 1 + 2 * len(names)
    assert tree(dav_server.root) == files
    assert sync(direction)[1] == []


def test_a_conflict_on_a_file_someone_has_locked_overwrites_nothing(sync, dav_server, local):
    """The server's version is locked by someone else: it is saved beside the local one on
    both sides, but the local version may not replace it. Unlocked, the next run finishes."""
    write(local, "locked.txt", b"v1")
    assert sync("both")[0] == 0
    write(local, "locked.txt", b"local edit")
    dav_server.make_file("locked.txt", b"server edit, longer")
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as other:
        path = url_path(dav_server.url) + "locked.txt"
        token = other.lock(path)
        code, outcomes, _ = sync("both")
        assert code == 1
        [failed] = [o for o in outcomes if not o["ok"]]
        assert failed["op"] == "put" and failed["path"] == path and failed["status"] == 423
        assert tree(local)["locked.txt"] == b"local edit"
        assert tree(dav_server.root)["locked.txt"] == b"server edit, longer"
        [beside] = conflict_copies(tree(local), "locked.txt")
        assert tree(local)[beside] == tree(dav_server.root)[beside] == b"server edit, longer"
        other.unlock(path, token.token)
    code, outcomes, _ = sync("both")
    assert code == 0 and ops(outcomes) == [("put", True)]
    assert (
        tree(local)
        == tree(dav_server.root)
        == {"locked.txt": b"local edit", beside: b"server edit, longer"}
    )


def test_a_conflict_whose_first_step_fails_overwrites_nothing(dav_server, local, tmp_path):
    """The server's version cannot be saved beside the local one (a file took the conflict
    copy's name after the preview): then nothing else of that conflict happens."""
    write(local, "report.txt", b"v1")
    with (
        DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client,
        StateDB(tmp_path / "state.sqlite") as state,
    ):
        assert run_plan(client, state, plan_of(client, local, dav_server, state)) == []
        write(local, "report.txt", b"local edit")
        dav_server.make_file("report.txt", b"server edit, longer")
        plan = plan_of(client, local, dav_server, state)
        [item] = plan.items
        write(local, item.conflict_rel, b"appeared after the preview")
        failed = run_plan(client, state, plan)
    assert [(o.op, o.path) for o in failed] == [("get", url_path(dav_server.url) + "report.txt")]
    assert tree(local) == {
        "report.txt": b"local edit",
        item.conflict_rel: b"appeared after the preview",
    }
    assert tree(dav_server.root) == {"report.txt": b"server edit, longer"}


def test_one_way_down_conflict_keeps_the_local_edit(sync, dav_server, local):
    dav_server.make_file("notes.txt", b"v1")
    assert sync("down")[0] == 0
    write(local, "notes.txt", b"mine")
    dav_server.make_file("notes.txt", b"theirs, longer")
    assert sync("down")[0] == 0
    files = tree(local)
    [beside] = [name for name in files if name != "notes.txt"]
    assert files == {"notes.txt": b"mine", beside: b"theirs, longer"}
    assert tree(dav_server.root) == {"notes.txt": b"theirs, longer"}
    assert sync("down")[1] == []  # no second conflict copy of the same server version


def test_a_delete_propagates_each_way(sync, dav_server, local):
    write(local, "gone here.txt", b"1")
    write(local, "folder/gone there.txt", b"2")
    write(local, "stays.txt", b"3")
    write(local, "old dir/inner/x.txt", b"4")
    for name in ODD:
        write(local, f"gone here {name}", b"5")
        write(local, f"there {name}/{name}", b"6")
        write(local, f"here {name}/{name}", b"7")
    assert sync("both")[0] == 0
    (local / "gone here.txt").unlink()
    shutil.rmtree(local / "old dir")
    shutil.rmtree(dav_server.root / "folder")
    for name in ODD:
        (local / f"gone here {name}").unlink()
        shutil.rmtree(dav_server.root / f"there {name}")
        shutil.rmtree(local / f"here {name}")
    code, outcomes, _ = sync("both")
    assert code == 0, outcomes
    assert ops(outcomes) == (
        [("delete", True)] * (4 + 3 * len(ODD)) + [("delete-local", True)] * (2 + 2 * len(ODD))
    )
    assert tree(local) == tree(dav_server.root) == {"stays.txt": b"3"}
    assert sync("both")[1] == []


def test_a_server_delete_does_not_take_a_local_edit(sync, dav_server, local):
    write(local, "draft.txt", b"v1")
    assert sync("both")[0] == 0
    (dav_server.root / "draft.txt").unlink()
    write(local, "draft.txt", b"v2, edited after the last sync")
    code, outcomes, _ = sync("both")
    assert code == 0 and ops(outcomes) == [("put", True)]
    assert tree(dav_server.root) == {"draft.txt": b"v2, edited after the last sync"}


def test_a_local_delete_does_not_take_a_server_edit(sync, dav_server, local):
    write(local, "shared.txt", b"v1")
    assert sync("both")[0] == 0
    (local / "shared.txt").unlink()
    dav_server.make_file("shared.txt", b"v2 from a colleague")
    code, outcomes, _ = sync("both")
    assert code == 0 and ops(outcomes) == [("get", True)]
    assert tree(local) == {"shared.txt": b"v2 from a colleague"}


def test_never_synced_files_on_both_sides_are_kept_both(sync, dav_server, local):
    write(local, "same.txt", b"one")
    dav_server.make_file("same.txt", b"two!")
    assert sync("both")[0] == 0
    assert len(tree(local)) == 2 and tree(local) == tree(dav_server.root)


def test_look_alikes_without_a_record_are_compared_byte_for_byte(sync, dav_server, local):
    """Same size and second on both sides: equal files are recorded without a transfer,
    different ones are a conflict, never taken as in sync."""
    for name, remote_data in (("equal.txt", b"same bytes"), ("differ.txt", b"other byte")):
        write(local, name, b"same bytes")
        dav_server.make_file(name, remote_data)
        for path in (local / name, dav_server.root / name):
            os.utime(path, (1_700_000_000, 1_700_000_000))
    code, outcomes, _ = sync("both")
    assert code == 0, outcomes
    assert [o["path"].rpartition("/")[2] for o in outcomes if o["op"] == "get"] == ["differ.txt"]
    [copy] = [
        o["path"].rpartition("/")[2]
        for o in outcomes
        if o["op"] == "put" and o["path"].rpartition("/")[2] != "differ.txt"
    ]
    assert copy.startswith("differ (conflict ")
    assert tree(local) == tree(dav_server.root) and len(tree(local)) == 3
    assert tree(local)["equal.txt"] == b"same bytes" and tree(local)["differ.txt"] == b"same bytes"
    assert sync("both")[1] == []


def test_ignored_and_refused_names_are_left_alone(sync, dav_server, local):
    write(local, ".DS_Store", b"x")
    write(local, "doc.docx.part", b"x")
    write(local, "~$doc.docx", b"x")
    write(local, "build/out.o", b"x")
    write(local, "bad\x01name.txt", b"x")
    write(local, "kept.txt", b"x")
    code, outcomes, _ = sync("up", "--ignore", "build/")
    assert code == 1  # the refused name is a failure to report
    [refused] = [o for o in outcomes if not o["ok"]]
    assert refused["reason"] == "refused" and "control character" in refused["note"]
    assert tree(dav_server.root) == {"kept.txt": b"x"}


def test_dry_run_changes_nothing(sync, dav_server, local):
    write(local, "new.txt", b"x")
    code, outcomes, _ = sync("up", "--dry-run")
    assert code == 0 and [o["reason"] for o in outcomes] == ["would upload"]
    assert outcomes[0]["source"] == "dry-run" and outcomes[0]["note"] == "new"
    assert tree(dav_server.root) == {}


def test_an_interrupted_run_finishes_without_redoing_or_conflicts(
    sync, dav_server, local, tmp_path
):
    for n in range(60):
        write(local, f"f{n:02} {ODD[n % len(ODD)]}", f"file {n}".encode() * 50)
    data = AppPaths.under(tmp_path / "config-home").data
    with (
        DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client,
        StateDB(state_file(data, local, dav_server.url)) as state,
    ):
        plan = plan_pair(
            client, local, url_path(dav_server.url), Direction.BOTH, state, IgnoreRules()
        )
        sync_job = build_job(plan)
        recorder = SyncRecorder(state, sync_job)
        finished: list[TaskResult] = []

        def on_event(event: object) -> None:
            if isinstance(event, TaskResult):
                recorder.record(event)
                finished.append(event)
                if len(finished) == 20:
                    runner.cancel()

        runner = JobRunner(client, sync_job.job, on_event, JobOptions(workers=2))
        ended = runner.run()
    dav_server.wait_until_served()  # the server may still be writing a cut-off upload
    assert isinstance(ended, JobEnded) and ended.state == "cancelled"
    done = {r.task.remote for r in finished if r.ok}
    assert 20 <= len(done) < 60
    code, outcomes, _ = sync("both")
    assert code == 0, outcomes
    assert len(outcomes) == 60 - len(done) and all(o["op"] == "put" for o in outcomes)
    assert not {o["path"] for o in outcomes} & done
    assert tree(dav_server.root) == tree(local)
    assert sync("both")[1] == []


def test_two_thousand_files_then_nothing_to_transfer(sync, dav_server, local):
    for n in range(2000):
        write(local, f"d{n % 20:02}/file {n:04}.txt", str(n).encode())
    code, outcomes, _ = sync("both", "--workers", "8")
    assert code == 0 and len(transfers(outcomes)) == 2000
    code, again, _ = sync("both", "--workers", "8")
    assert code == 0 and again == []
    assert len([rel for rel, data in tree(dav_server.root).items() if data is not None]) == 2000


def test_a_killed_sync_run_again_finishes_without_conflicts(sync, dav_server, local, tmp_path):
    """The process is killed mid-transfer (no chance to clean up or record); the rerun only
    sends what is missing or half-sent, and the server ends up equal to the folder."""
    for n in range(40):
        write(local, f"big {n:02} {ODD[n % len(ODD)]}", os.urandom(40_000 + n))
    env = {
        **os.environ,
        "DAVDESK_PASSWORD": dav_server.password,
        "DAVDESK_CONFIG_HOME": str(tmp_path / "config-home"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "sync",
            "--json",
            "--user",
            dav_server.user,
            str(local),
            dav_server.url,
            "--direction",
            "both",
            "--workers",
            "2",
            "--limit-rate",
            "400K",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None
    with process.stdout:
        plan = [json.loads(process.stdout.readline()) for _ in range(40)]
        first = [json.loads(process.stdout.readline()) for _ in range(10)]
        process.kill()
        process.wait(timeout=30)
    dav_server.wait_until_served()  # the server may still be writing what it was sent
    assert split_plan(plan + first) == (plan, first)
    assert all(o["ok"] and o["op"] == "put" for o in first)
    data = AppPaths.under(tmp_path / "config-home").data
    with StateDB(state_file(data, local, dav_server.url)) as state:
        records, pending = state.load(), state.load_pending()
    root = url_path(dav_server.url)
    printed = {unicodedata.normalize("NFC", o["path"][len(root) :]) for o in first}
    assert printed <= set(records)  # what it printed as done, it had recorded first
    assert not printed & set(pending)
    assert set(records) | set(pending) == {
        unicodedata.normalize("NFC", p.name) for p in local.iterdir()
    }
    code, outcomes, _ = sync("both")
    assert code == 0, outcomes
    assert all(o["op"] == "put" for o in outcomes) and len(outcomes) <= 30
    assert not {o["path"] for o in outcomes} & {o["path"] for o in first}
    assert tree(dav_server.root) == tree(local)
    assert sync("both")[1] == []


def test_bad_input_is_a_clear_usage_error(dav_server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "config-home"))
    base = ["sync", "--user", dav_server.user]
    assert main([*base, str(tmp_path / "nowhere"), dav_server.url, "--direction", "up"]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main([*base, str(tmp_path), dav_server.url_for("missing/"), "--direction", "up"]) == 2
    assert "no such folder on the server" in capsys.readouterr().err
    assert not list((tmp_path / "config-home").rglob("*.sqlite"))  # no state database made


def test_a_damaged_state_database_is_one_line_not_a_traceback(sync, dav_server, local, tmp_path):
    write(local, "a.txt", b"x")
    path = state_file(AppPaths.under(tmp_path / "config-home").data, local, dav_server.url)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    code, outcomes, err = sync("up")
    assert code == 2 and outcomes == [] and err.startswith("davdesk: sync: ")
    assert "not a database" in err and tree(dav_server.root) == {}
