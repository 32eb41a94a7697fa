"""How soon the window shows a listing: the demo's first folder, and a 10,000-entry folder.

`davdesk --smoke-test` opens the main window as a user would, waits until the
first folder's listing is shown (MainWindow.folder_loaded: every row in the
model) and closes it, saying "listed ..." on stderr. `davdesk URL` itself (the
one running Davdesk: single instance, background sync, the tray) logs the same
moment ("Window on ... showed ...") and runs until SIGTERM quits it. Timed
here, per run:

  demo        python -m app --demo --smoke-test: from process start to the line
              "listed" (the demo server's start included), and the whole process
  big folder  python -m app URL on Apache mod_dav's folder of ``entries`` files
              (password from DAVDESK_PASSWORD, a config folder of its own), as a
              user starts it: from process start to the log's "showed" line,
              next to ``python -m app ls --json`` of the same folder (whole
              process); and the same with the password saved in the keyring
              instead (tests/bench/bench_keyring.py), as most people start it

plus a floor: ``qt floor``, a Python process that loads QtWidgets, makes the
QApplication and shows an empty QTableView (what any PySide6 window costs
before it has any code of its own), so the closing note can say how much of
the window's figure no Davdesk code can remove: a window can be no faster
than that floor with the listing drawn in it.

Qt's offscreen platform (the smoke test's default) draws without a screen; what
the big folder looks like on one: docs/big-folder-1600x1000.png (Xvfb, no window
manager).
Runs are interleaved after one warm-up (bytecode cache filled); medians.
Targets: demo under 1 s to the listing, the big folder within 1.5x of ls.

    python -m tests.bench.bench_window [entries [repeats]]
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):
    sys.path.insert(0, str(REPO))

from tests.bench import bench_keyring  # noqa: E402
from tests.bench.bench_ls import FOLDER, make_folder  # noqa: E402
from tests.bench.common import as_installed, child_env, run_process  # noqa: E402
from tests.servers.apache_server import ApacheServer  # noqa: E402

ENTRIES = 10_000
REPEATS = 5
TIMEOUT = 120.0
DEMO_TARGET = 1.0
BIG_TARGET = 1.5
LISTED = b"davdesk --smoke-test: listed"
SHOWED = " showed "  # app/ui/app.py logs it when a window has shown its first folder
POLL_S = 0.002
QT_FLOOR = (
    "from PySide6.QtWidgets import QApplication, QTableView; app = QApplication([]); "
    "view = QTableView(); view.show(); app.processEvents()"
)


def time_to_listed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds from start to the "listed" line, seconds to the process's exit)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert process.stderr is not None
    listed = None
    said = []
    for line in process.stderr:
        said.append(line)
        if line.startswith(LISTED) and listed is None:
            listed = time.perf_counter() - start
    status = process.wait(timeout=TIMEOUT)
    ended = time.perf_counter() - start
    if status != 0 or listed is None:
        raise RuntimeError(
            f"{argv[:5]} ended {status} without a listing: "
            f"{b''.join(said).decode(errors='replace')[-2000:]}"
        )
    return listed, ended


def time_to_showed(argv: list[str], env: dict[str, str], home: Path) -> tuple[float, float]:
    """(seconds from start to the log's "showed" line, seconds to the exit SIGTERM asks for)
    of a `davdesk URL` whose files are all under home (DAVDESK_CONFIG_HOME)."""
    log = home / "log" / "davdesk.log"
    start = time.perf_counter()
    with tempfile.TemporaryFile() as said:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=said,
            env={**env, "DAVDESK_CONFIG_HOME": str(home)},
            cwd=REPO,
        )
        showed = None
        while showed is None and process.poll() is None:
            if time.perf_counter() - start > TIMEOUT:
                process.kill()
                break
            try:
                if SHOWED in log.read_text(encoding="utf-8"):
                    showed = time.perf_counter() - start
                    process.send_signal(signal.SIGTERM)  # quits as a session ending does
            except FileNotFoundError:
                pass
            time.sleep(POLL_S)
        status = process.wait(timeout=TIMEOUT)
        ended = time.perf_counter() - start
        if status != 0 or showed is None:
            said.seek(0)
            raise RuntimeError(
                f"{argv[:5]} ended {status} without a listing: "
                f"{said.read().decode(errors='replace')[-2000:]}"
            )
    return showed, ended


def run(entries: int = ENTRIES, repeats: int = REPEATS, verbose: bool = True) -> dict[str, Any]:
    py = sys.executable
    times: dict[str, list[float]] = {
        "demo_listed": [],
        "demo_exit": [],
        "big_listed": [],
        "big_exit": [],
        "saved_listed": [],
        "ls": [],
        "qt_floor": [],
    }
    with (
        tempfile.TemporaryDirectory(prefix="davdesk-bench-window-") as scratch,
        ApacheServer() as server,
    ):
        make_folder(server, entries)
        url = server.url + quote(FOLDER) + "/"
        env = {
            **as_installed(child_env(), Path(scratch, "bytecode")),
            "DAVDESK_PASSWORD": server.password,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "XDG_CONFIG_HOME": str(Path(scratch, "config")),
            "XDG_STATE_HOME": str(Path(scratch, "state")),
            "XDG_CACHE_HOME": str(Path(scratch, "cache")),
        }
        for n in range(repeats + 1):
            demo = time_to_listed([py, "-m", "app", "--demo", "--smoke-test"], env)
            big = time_to_showed(
                [py, "-m", "app", "--user", server.user, url], env, Path(scratch, f"home{n}")
            )
            saved = time_to_showed(
                [py, "-m", "app", "--user", server.user, url],
                {
                    **{k: v for k, v in env.items() if k != "DAVDESK_PASSWORD"},
                    "PYTHON_KEYRING_BACKEND": "tests.bench.bench_keyring.SavedPassword",
                    bench_keyring.VARIABLE: server.password,
                },
                Path(scratch, f"saved{n}"),
            )
            ls, _ = run_process(
                [py, "-m", "app", "ls", "--json", "--user", server.user, url], env, TIMEOUT
            )
            qt_floor, _ = run_process([py, "-c", QT_FLOOR], env, TIMEOUT)
            if n:
                times["qt_floor"].append(qt_floor)
                times["demo_listed"].append(demo[0])
                times["demo_exit"].append(demo[1])
                times["big_listed"].append(big[0])
                times["big_exit"].append(big[1])
                times["saved_listed"].append(saved[0])
                times["ls"].append(ls)
    result: dict[str, Any] = {key: statistics.median(values) for key, values in times.items()}
    result["ratio_big_ls"] = statistics.median(
        b / s for b, s in zip(times["big_listed"], times["ls"], strict=True)
    )
    result["ratio_saved_ls"] = statistics.median(
        b / s for b, s in zip(times["saved_listed"], times["ls"], strict=True)
    )
    result["ratio_qt_floor_ls"] = statistics.median(
        q / s for q, s in zip(times["qt_floor"], times["ls"], strict=True)
    )
    if verbose:
        _print(entries, repeats, result)
    return result


def _print(entries: int, repeats: int, r: dict[str, Any]) -> None:
    demo = "PASS" if r["demo_listed"] < DEMO_TARGET else "MISS"
    big = "PASS" if r["ratio_big_ls"] <= BIG_TARGET else "MISS"
    print(f"window benchmark: medians of {repeats}, Qt offscreen, process start included")
    print(
        f"  {'--demo: first listing shown':<40} {r['demo_listed']:>7.2f}s   "
        f"target < {DEMO_TARGET:.0f} s: {demo}"
    )
    print(f"  {'--demo: whole process (closes itself)':<40} {r['demo_exit']:>7.2f}s")
    print(f"  {f'davdesk URL: {entries:,}-entry folder shown':<40} {r['big_listed']:>7.2f}s")
    print(f"  {'davdesk ls --json of it':<40} {r['ls']:>7.2f}s")
    print(f"  {'shown / ls':<40} {r['ratio_big_ls']:>7.2f}x   target <= {BIG_TARGET}x: {big}")
    print(f"  {'  the same, password from the keyring':<40} {r['saved_listed']:>7.2f}s")
    print(f"  {'  shown / ls':<40} {r['ratio_saved_ls']:>7.2f}x")
    print(f"  {'floor: Qt window alone (no Davdesk)':<40} {r['qt_floor']:>7.2f}s")
    print(
        f"  {'floor / ls':<40} {r['ratio_qt_floor_ls']:>7.2f}x   (the Qt start alone; "
        f"the window's floor is that plus the listing)"
    )


if __name__ == "__main__":
    run(*(int(a) for a in sys.argv[1:3]))
