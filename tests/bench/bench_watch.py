"""What a watched pair costs when nothing happens, and how soon a change crosses over.

A 10,000-file pair (100 folders, 100 bytes a file) between a local folder and
a folder on the fake Nextcloud (tests/servers/nextcloud: folder ETags that
change with anything below them, as Nextcloud's do), kept in step by
`davdesk sync --watch` as a user starts it: a separate process, default
settings (30 s poll, 2 s debounce) unless said otherwise. The first sync
uploads everything (untimed). Then, measured from outside the process:

  idle      60 s with nothing changing: the process's CPU time over the wall time
            (goal < 1 % of one core), requests per minute to the server (goal <= 2),
            RSS at the end (goal < 150 MB)
  up        a file saved locally -> its bytes on the server (goal < 5 s)
  down      a file changed on the server by another client -> its bytes locally
            (goal <= the poll interval + 5 s)
  change    one edited file in the 10,000: the process's CPU time for it, beyond
            the idle rate (goal < 0.3 s), and the requests it made (a look at that
            file's folder, not a rescan of 100 folders)

The server runs in this process, so its CPU is not counted as Davdesk's.

    python -m tests.bench.bench_watch [files [idle_seconds]]
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script: make `tests` and `app` importable
    sys.path.insert(0, str(REPO))

from tests.bench.common import as_installed, child_env  # noqa: E402
from tests.servers.nextcloud import NextcloudServer  # noqa: E402

FILES = 10_000
FOLDERS = 100
IDLE_SECONDS = 60.0
INTERVAL = 30.0
SAMPLES = 3
CPU_GOAL, REQUESTS_GOAL, RSS_GOAL = 1.0, 2.0, 150.0
UP_GOAL, DOWN_SLACK, CHANGE_GOAL = 5.0, 5.0, 0.3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _holds(path: Path, body: bytes) -> Callable[[], bool]:
    """Whether path exists with exactly body in it, asked each time it is called."""
    return lambda: path.exists() and path.read_bytes() == body


def _wait(condition, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - start


def _write_tree(local: Path, files: int) -> None:
    per_folder = max(1, files // FOLDERS)
    for n in range(files):
        folder = local / f"folder {n // per_folder:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"file {n:05d}.txt").write_bytes(f"{n:05d}".encode() * 20)


def run(files: int = FILES, idle_seconds: float = IDLE_SECONDS) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="davdesk-bench-watch-"))
    server = NextcloudServer(scratch / "nextcloud").start()
    proc = None
    try:
        local = scratch / "local"
        local.mkdir()
        _write_tree(local, files)
        (server.files_root / "bench").mkdir()
        url = server.files_url + "bench/"
        env = as_installed(
            child_env(DAVDESK_PASSWORD=server.password, DAVDESK_CONFIG_HOME=str(scratch / "home")),
            scratch / "bytecode",
        )
        log = open(scratch / "watch.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "sync",
                "--watch",
                "--json",
                "--user",
                server.login_name,
                str(local),
                url,
                "--direction",
                "both",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        remote = server.files_root / "bench"
        first = _wait(
            lambda: sum(1 for _ in remote.rglob("*.txt")) >= files, 1800, "the first sync"
        )
        # Settle: the poll after the upload lists the folders the upload changed, once.
        time.sleep(INTERVAL + 5)

        mark, cpu0, t0 = len(server.requests), _cpu_seconds(proc.pid), time.monotonic()
        time.sleep(idle_seconds)
        elapsed = time.monotonic() - t0
        idle_cpu = _cpu_seconds(proc.pid) - cpu0
        idle_requests = len(server.requests) - mark
        figures: dict[str, Any] = {
            "files": files,
            "first_sync_s": first,
            "idle_cpu_pct": 100 * idle_cpu / elapsed,
            "idle_requests_per_min": idle_requests * 60 / elapsed,
            "rss_mb": _rss_mb(proc.pid),
        }
        idle_rate = idle_cpu / elapsed

        ups = []
        for n in range(SAMPLES):
            path = local / "folder 050" / f"saved {n}.txt"
            body = f"saved {n} ".encode() * 50
            start = time.monotonic()
            path.write_bytes(body)
            target = remote / "folder 050" / path.name
            _wait(_holds(target, body), 60, "an upload")
            ups.append(time.monotonic() - start)
        figures["up_s"] = ups

        changes, change_requests = [], []
        for n in range(SAMPLES):
            time.sleep(3)  # quiet: nothing of the previous change still under way
            path = local / f"folder {10 + n:03d}" / f"file {(10 + n) * 100:05d}.txt"
            body = f"edited {n} ".encode() * 30
            target = remote / path.parent.name / path.name
            mark, cpu0, start = len(server.requests), _cpu_seconds(proc.pid), time.monotonic()
            path.write_bytes(body)
            _wait(_holds(target, body), 60, "the change")
            time.sleep(1)  # let the run write its records
            spent = time.monotonic() - start
            changes.append(_cpu_seconds(proc.pid) - cpu0 - idle_rate * spent)
            change_requests.append(
                [f"{r.method} {r.headers.get('depth', '')}".strip() for r in server.requests[mark:]]
            )
        figures["change_cpu_s"] = changes
        figures["change_requests"] = change_requests

        downs = []
        from app.dav import DavClient

        with DavClient(server.origin, user=server.login_name, password=server.password) as bob:
            for n in range(2):
                time.sleep(5)  # apart: a look at the folder for the last download sees nothing
                path = f"/remote.php/dav/files/{server.user_id}/bench/folder 070/from bob {n}.txt"
                body = f"from bob {n} ".encode() * 40
                local_target = local / "folder 070" / f"from bob {n}.txt"
                start = time.monotonic()
                bob.put(path, body)
                _wait(_holds(local_target, body), INTERVAL * 3, "a download")
                downs.append(time.monotonic() - start)
        figures["down_s"] = downs

        stop = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        figures["exit_status"] = proc.wait(timeout=60)
        figures["stop_s"] = time.monotonic() - stop
        return figures
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(f: dict[str, Any]) -> str:
    change_cpu = max(f["change_cpu_s"])
    requests = f["change_requests"][0]
    lines = [
        (
            f"watch benchmark: a {f['files']:,}-file pair on the fake Nextcloud, "
            f"`davdesk sync --watch` with default settings (first sync {f['first_sync_s']:.0f} s)"
        ),
        "",
        (
            f"  {'idle CPU, % of one core':<44} {f['idle_cpu_pct']:>7.2f}   goal < {CPU_GOAL:g}: "
            f"{_verdict(f['idle_cpu_pct'] < CPU_GOAL)}"
        ),
        (
            f"  {'idle requests per minute':<44} {f['idle_requests_per_min']:>7.2f}   goal <= "
            f"{REQUESTS_GOAL:g}: {_verdict(f['idle_requests_per_min'] <= REQUESTS_GOAL)}"
        ),
        (
            f"  {'RSS, MB':<44} {f['rss_mb']:>7.1f}   goal < {RSS_GOAL:g}: "
            f"{_verdict(f['rss_mb'] < RSS_GOAL)}"
        ),
        f"  {'local save -> on the server, s (worst)':<44} {max(f['up_s']):>7.2f}   goal < "
        f"{UP_GOAL:g}: {_verdict(max(f['up_s']) < UP_GOAL)}   "
        + " ".join(f"{s:.2f}" for s in f["up_s"]),
        f"  {'server change -> local, s (worst)':<44} {max(f['down_s']):>7.2f}   goal <= "
        f"{INTERVAL + DOWN_SLACK:g}: {_verdict(max(f['down_s']) <= INTERVAL + DOWN_SLACK)}   "
        + " ".join(f"{s:.2f}" for s in f["down_s"]),
        f"  {'one changed file: CPU s (worst)':<44} {change_cpu:>7.3f}   goal < {CHANGE_GOAL:g}: "
        f"{_verdict(change_cpu < CHANGE_GOAL)}   "
        + " ".join(f"{s:.3f}" for s in f["change_cpu_s"]),
        f"  {'  its requests':<44} {len(requests):>7}   " + ", ".join(requests),
        f"  {'SIGTERM -> exit, s':<44} {f['stop_s']:>7.2f}   exit status {f['exit_status']}",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    files = int(argv[0]) if argv else FILES
    idle = float(argv[1]) if len(argv) > 1 else IDLE_SECONDS
    print(report(run(files, idle)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
