"""300 small files to a Nextcloud: `davdesk put` (bulk upload) against a bare PUT loop.

Both contenders are whole processes, timed from start to exit, process start,
discovery and sign-in included, with an app password, into a fresh folder:

  davdesk put     python -m app put DIR URL: OPTIONS and capabilities, then the
                  files in POST remote.php/dav/bulk batches (dav.bulkupload 1.0)
  davdesk, PUT    the same against a server without dav.bulkupload: one PUT a file
  bare PUT loop   a Python process with httpx: MKCOL, then one PUT per file on
                  4 threads, nothing else

and a first upload sync of the same files into an empty folder that exists:

  davdesk sync    python -m app sync --direction up DIR URL (fresh state)
  nextcloudcmd    Debian's nextcloud-desktop-cmd (the Nextcloud client's sync engine,
                  which uses bulk upload too), --path FOLDER (fresh journal)

The fake Nextcloud (tests/servers/nextcloud) runs in a process of its own. A
real Nextcloud spends tens of milliseconds of PHP on every request before it
looks at it; ``request_cost`` models that as a sleep per request (as
``password_cost`` models a password check), so the figures are shown at 0 and
at ``REQUEST_COST``. The goals: davdesk put at most 0.5x the bare loop; davdesk sync at most 0.8x
nextcloudcmd (skipped where nextcloudcmd is not installed).

    python -m tests.bench.bench_bulk [files [repeats]]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):
    sys.path.insert(0, str(REPO))

from tests.bench.common import as_installed, child_env, run_process  # noqa: E402

FILES = 300
FILE_SIZE = 4096
REPEATS = 3
REQUEST_COST = 0.025  # seconds of PHP bootstrap per request on a small real server
TIMEOUT = 300.0
TARGET = 0.5
SYNC_TARGET = 0.8
NEXTCLOUDCMD = shutil.which("nextcloudcmd")

SERVER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.servers.nextcloud import NextcloudServer
from tests.servers.nextcloud import app as app_module

cost = float(sys.argv[3])
if cost:
    dispatch = app_module.NextcloudApp.dispatch
    def slow(self, request):
        time.sleep(cost)
        return dispatch(self, request)
    app_module.NextcloudApp.dispatch = slow
server = NextcloudServer(Path(sys.argv[2]), bulk_upload=sys.argv[4] == "bulk").start()
print(json.dumps({"origin": server.origin, "files_root": str(server.files_root),
                  "login": server.login_name, "user_id": server.user_id,
                  "app": server.issue_app_password("bench", login_name=server.login_name)}),
      flush=True)
sys.stdin.read()
server.stop()
"""

BARE = r"""
import sys, threading
from pathlib import Path
import httpx
origin, login, password, local, folder, user_id = sys.argv[1:7]
base = f"{origin}/remote.php/dav/files/{user_id}/{folder}/"
files = sorted(Path(local).iterdir())
with httpx.Client(auth=(login, password), limits=httpx.Limits(max_connections=4)) as http:
    http.request("MKCOL", base).raise_for_status()
    pending = iter(files)
    take = threading.Lock()
    def work():
        while True:
            with take:
                path = next(pending, None)
            if path is None:
                return
            http.put(base + path.name, content=path.read_bytes()).raise_for_status()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""


class _Server:
    def __init__(self, data: Path, cost: float, bulk: bool) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER,
                str(REPO),
                str(data),
                str(cost),
                "bulk" if bulk else "put",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.process.stdout is not None
        self.info = json.loads(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _check(files_root: Path, folder: str, local: Path) -> None:
    stored = files_root / folder
    names = sorted(p.name for p in local.iterdir())
    if sorted(p.name for p in stored.iterdir()) != names:
        raise AssertionError(f"{folder}: the server holds other files than were sent")
    for name in names[:: max(1, len(names) // 10)]:
        if (stored / name).read_bytes() != (local / name).read_bytes():
            raise AssertionError(f"{folder}/{name}: other bytes than were sent")


def run(
    files: int = FILES,
    repeats: int = REPEATS,
    costs: tuple[float, ...] = (0.0, REQUEST_COST),
    verbose: bool = True,
) -> dict[str, Any]:
    results: dict[str, Any] = {"files": files, "repeats": repeats}
    with tempfile.TemporaryDirectory(prefix="davdesk-bench-bulk-") as scratch:
        root = Path(scratch)
        source = root / "source"
        source.mkdir()
        for i in range(files):
            (source / f"file {i:04d}.txt").write_bytes(os.urandom(FILE_SIZE))
        env = as_installed(child_env(), root / "bytecode")
        for cost in costs:
            figures = _run_at(root, source, env, cost, repeats)
            results[f"cost_{cost}"] = figures
            if verbose:
                _print(files, cost, figures)
    return results


def _run_at(
    root: Path, source: Path, env: dict[str, str], cost: float, repeats: int
) -> dict[str, float]:
    times: dict[str, list[float]] = {
        "davdesk": [],
        "davdesk_put": [],
        "bare": [],
        "davdesk_sync": [],
        "nextcloudcmd": [],
    }
    servers = {
        True: _Server(root / f"nc-bulk-{cost}", cost, bulk=True),
        False: _Server(root / f"nc-put-{cost}", cost, bulk=False),
    }
    try:
        for n in range(repeats + 1):  # the first round is a warm-up, also of the bytecode cache
            for key, bulk in (
                ("davdesk", True),
                ("davdesk_put", False),
                ("bare", True),
                ("davdesk_sync", True),
                ("nextcloudcmd", True),
            ):
                if key == "nextcloudcmd" and NEXTCLOUDCMD is None:
                    continue
                info = servers[bulk].info
                folder = f"{key}-{n}"
                local = root / folder
                shutil.copytree(source, local)
                url = f"{info['origin']}/remote.php/dav/files/{info['user_id']}/"
                if key in ("davdesk_sync", "nextcloudcmd"):
                    _mkcol(info, folder)
                if key == "bare":
                    argv = [
                        sys.executable,
                        "-c",
                        BARE,
                        info["origin"],
                        info["login"],
                        info["app"],
                        str(local),
                        folder,
                        info["user_id"],
                    ]
                elif key == "davdesk_sync":
                    argv = [
                        sys.executable,
                        "-m",
                        "app",
                        "sync",
                        "--json",
                        "--direction",
                        "up",
                        "--user",
                        info["login"],
                        str(local),
                        url + folder + "/",
                    ]
                elif key == "nextcloudcmd":
                    argv = [
                        NEXTCLOUDCMD,
                        "--non-interactive",
                        "--silent",
                        "-u",
                        info["login"],
                        "-p",
                        info["app"],
                        "--path",
                        "/" + folder,
                        str(local),
                        info["origin"],
                    ]
                else:
                    argv = [
                        sys.executable,
                        "-m",
                        "app",
                        "put",
                        "--json",
                        "--user",
                        info["login"],
                        str(local),
                        url,
                    ]
                elapsed, _ = run_process(argv, {**env, "DAVDESK_PASSWORD": info["app"]}, TIMEOUT)
                _check(Path(info["files_root"]), folder, source)
                shutil.rmtree(local)
                if n:
                    times[key].append(elapsed)
    finally:
        for server in servers.values():
            server.close()
    figures = {key: statistics.median(values) for key, values in times.items() if values}
    figures["ratio"] = statistics.median(
        d / b for d, b in zip(times["davdesk"], times["bare"], strict=True)
    )
    figures["ratio_put"] = statistics.median(
        d / b for d, b in zip(times["davdesk_put"], times["bare"], strict=True)
    )
    if times["nextcloudcmd"]:
        figures["ratio_sync"] = statistics.median(
            d / b for d, b in zip(times["davdesk_sync"], times["nextcloudcmd"], strict=True)
        )
    return figures


def _mkcol(info: dict[str, str], folder: str) -> None:
    """The sync target, made before the clock starts: both sync into an existing folder."""
    import httpx

    url = f"{info['origin']}/remote.php/dav/files/{info['user_id']}/{folder}/"
    with httpx.Client(auth=(info["login"], info["app"]), trust_env=False) as http:
        http.request("MKCOL", url).raise_for_status()


def _print(files: int, cost: float, f: dict[str, float]) -> None:
    verdict = "PASS" if f["ratio"] <= TARGET else "MISS"
    print(
        f"bulk upload benchmark: {files} x {FILE_SIZE // 1024} KiB to the fake Nextcloud, "
        f"{cost * 1000:.0f} ms per request on the server, whole processes (medians)"
    )
    print(f"  {'davdesk put (bulk upload)':<36} {f['davdesk']:>7.2f}s")
    print(f"  {'davdesk put (server without bulk)':<36} {f['davdesk_put']:>7.2f}s")
    print(f"  {'bare httpx PUT loop, 4 threads':<36} {f['bare']:>7.2f}s")
    print(f"  {'davdesk (bulk) / bare':<36} {f['ratio']:>7.2f}x   target <= {TARGET}x: {verdict}")
    print(f"  {'davdesk (PUT) / bare':<36} {f['ratio_put']:>7.2f}x")
    print(f"  {'davdesk sync --direction up':<36} {f['davdesk_sync']:>7.2f}s")
    if "ratio_sync" in f:
        verdict = "PASS" if f["ratio_sync"] <= SYNC_TARGET else "MISS"
        print(f"  {'nextcloudcmd':<36} {f['nextcloudcmd']:>7.2f}s")
        print(
            f"  {'davdesk sync / nextcloudcmd':<36} {f['ratio_sync']:>7.2f}x   target <= "
            f"{SYNC_TARGET}x: {verdict}"
        )
    else:
        print("  nextcloudcmd: not installed (Debian: nextcloud-desktop-cmd), no sync ratio")


if __name__ == "__main__":
    run(*(int(a) for a in sys.argv[1:3]))
