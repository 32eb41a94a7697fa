"""The window shows before it loads what only the actions and the running Davdesk use.

`davdesk URL` and `davdesk --demo` spend most of their start loading Qt and the
window's modules. The dialogs (Sync This Folder…, Properties, Share Link…,
Versions…, Preferences…, File ▸ Connect…), the sync engine and its service,
the tray and the single-instance hand-over are loaded when first used (or,
for the one Davdesk that keeps the pairs in step, once its first window has
shown its folder: app/ui/desktop_start.py), not before the first listing is
drawn. Each test runs the real program in a fresh interpreter against a real
server: --smoke-test (the window opens, shows the folder and closes) reads
back the modules loaded by the time it exited; `davdesk URL` as a user starts
it, those loaded when its window logged the folder shown, and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.servers.handle import ServerHandle

#: Run davdesk as `python -m app` does, then print the names of every module loaded.
_PROGRAM = """
import json, sys
from app.__main__ import main
try:
    code = main(sys.argv[1:])
finally:
    sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
    sys.stderr.flush()
sys.exit(code)
"""

#: Modules (and packages) that a window showing a folder must not have loaded.
NOT_FOR_THE_FIRST_LISTING = (
    "app.ui.desktop",
    "app.ui.tray",
    "app.ui.single_instance",
    "app.ui.sync_service",
    "app.ui.sync_panel",
    "app.ui.sync_dialog",
    "app.ui.sync_preview",
    "app.ui.add_pair_dialog",
    "app.ui.connect_dialog",
    "app.ui.connections_menu",
    "app.ui.properties_dialog",
    "app.ui.sharing",
    "app.ui.versions_dialog",
    "app.ui.preferences_dialog",
    "app.ui.nextcloud_account",
    "app.ui.trash_bin",
    "app.ui.conflict_question",
    "app.jobs.planner",
    "app.sync.planner",
    "app.sync.job",
    "app.sync.background.engine",
    "app.sync.state",
    "app.nextcloud.shares",
    "app.nextcloud.versions",
    "app.nextcloud.trash",
    "app.demo",
    "watchdog",
    "sqlite3",
    "plistlib",
)


#: `davdesk URL` as the window benchmark times it: the modules loaded when the first folder is
#: shown (the log's "showed" line), then SIGTERM once background sync has started.
_DESKTOP_PROGRAM = """
import gc, json, logging, os, signal, sys
from app.__main__ import main

class Watch(logging.Handler):
    def emit(self, record):
        message = record.getMessage()
        if " showed " in message:
            sys.stderr.write("SHOWN " + json.dumps(sorted(sys.modules)) + "\\n")
            sys.stderr.write(f"COLLECTOR {gc.isenabled()} {gc.get_freeze_count() > 0}\\n")
        elif message.startswith("Background sync started"):
            os.kill(os.getpid(), signal.SIGTERM)

logging.getLogger().addHandler(Watch())
""" + _PROGRAM.replace("from app.__main__ import main\n", "")


def _run(
    tmp_path: Path, *args: str, password: str, program: str = _PROGRAM
) -> tuple[int, str, list[str]]:
    env = {
        **os.environ,
        "DAVDESK_PASSWORD": password,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "DAVDESK_CONFIG_HOME": str(tmp_path / "home"),
    }
    done = subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    modules_line = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    assert modules_line, done.stderr
    return done.returncode, done.stderr, json.loads(modules_line[-1][len("MODULES ") :])


def _unwanted(modules: list[str]) -> list[str]:
    return [
        m
        for m in modules
        if any(m == prefix or m.startswith(prefix + ".") for prefix in NOT_FOR_THE_FIRST_LISTING)
    ]


def test_a_window_on_an_address_loads_no_dialog_engine_or_tray(
    wsgidav_server: ServerHandle, tmp_path: Path
):
    (wsgidav_server.root / "a b.txt").write_bytes(b"hello")
    (wsgidav_server.root / "sub").mkdir()
    code, said, modules = _run(
        tmp_path,
        "--smoke-test",
        "--user",
        wsgidav_server.user,
        wsgidav_server.url,
        password=wsgidav_server.password,
    )
    assert code == 0, said
    assert "davdesk --smoke-test: listed" in said
    assert "app.ui.main_window" in modules  # the check reads the modules of a real window
    assert _unwanted(modules) == []


def test_davdesk_url_shows_its_folder_before_background_sync_and_the_tray_load(
    wsgidav_server: ServerHandle, tmp_path: Path
):
    (wsgidav_server.root / "a b.txt").write_bytes(b"hello")
    code, said, modules = _run(
        tmp_path,
        "--user",
        wsgidav_server.user,
        wsgidav_server.url,
        password=wsgidav_server.password,
        program=_DESKTOP_PROGRAM,
    )
    assert code == 0, said
    shown_line = [line for line in said.splitlines() if line.startswith("SHOWN ")]
    assert shown_line, said
    shown = json.loads(shown_line[0][len("SHOWN ") :])
    assert "app.ui.main_window" in shown
    # The one running Davdesk claims its place before any window (a second one hands over).
    assert _unwanted(shown) == ["app.ui.single_instance"]
    assert {"app.ui.desktop", "app.ui.sync_service", "app.ui.tray"} <= set(modules)
    # The collector paused while the start loaded (app/__main__.py) runs again in the GUI
    # thread only, with what the start loaded frozen (app/ui/gui_collection.py): the automatic
    # collector stays off, so no worker thread ever runs it.
    assert "COLLECTOR False True" in said
