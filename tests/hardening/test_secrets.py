"""No password reaches a file: the app is used (the connect dialog, the window, the CLI and a
sync, with failures, a transcript, reports and logs) and then every file it wrote is searched.

Against both real servers with a password, and against the fake Nextcloud
with an account password exchanged for an app password (`davdesk login`,
and the connect dialog): there both the account password and every app
password the server issued are searched for. Each is searched as typed, as
it goes over the wire in Basic auth (base64 of "login:password", for every
login it may go with) and JSON-escaped, in every file under the app's config
home (settings, bookmarks, logs, the sync state databases) and in each file
the user saved (transcript, reports, exported results).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.__main__ import main
from app.config.bookmarks import BookmarkStore
from app.config.paths import AppPaths
from app.config.secrets import PasswordStore
from app.config.settings import Settings
from app.dav.paths import url_path
from app.jobs.model import Conflict
from app.jobs.planner import plan_download
from app.logs import logging_to
from app.session.spec import ConnectionSpec
from app.ui.app import open_window
from app.ui.background import Background
from app.ui.connect_dialog import ConnectDialog
from app.ui.results.model import OUTCOME_ROLE

WAIT = 10_000

# The offscreen platform cannot pass a window's minimum size on, and says so whenever the
# layout changes it (the dialog's error label): a limit of the test platform, not a fault.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def secrets_of(logins: Iterable[str], password: str) -> list[bytes]:
    basic = [base64.b64encode(f"{login}:{password}".encode()) for login in logins]
    return [password.encode(), json.dumps(password).encode(), *basic]


def scan(paths: list[Path], secrets: list[bytes]) -> list[str]:
    """Every (file, secret) where the secret appears."""
    found = []
    for path in paths:
        data = path.read_bytes()
        found += [f"{path}: {secret!r}" for secret in secrets if secret in data]
    return found


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config home of this test's own: the scan sees exactly what this test wrote."""
    folder = tmp_path / "home"
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(folder))
    return folder


def connect_in_dialog(
    qtbot: Any, paths: AppPaths, url: str, user: str, password: str
) -> ConnectionSpec:
    """Type the address and credentials into the connect dialog, tick "Remember password",
    save a bookmark, press Connect: what a user does on the first start."""
    background = Background(threads=2)
    dialog = ConnectDialog(background, BookmarkStore.in_config(paths), PasswordStore())
    qtbot.addWidget(dialog)
    dialog.show()
    background.wait(WAIT)
    dialog.url_edit.setText(url)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)
    dialog.remember_check.setChecked(True)
    dialog.name_edit.setText("Test server")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT)
    background.wait(WAIT)  # the bookmark and the keyring entry are written
    spec = dialog.result_connection()
    assert spec is not None and spec.bookmark is not None
    return spec


def use_window(
    qtbot: Any,
    spec: ConnectionSpec,
    paths: AppPaths,
    names: tuple[str, str],
    delete_first: Any,
    saved: Path,
) -> list[Path]:
    """The window on spec: a download job of two files, one of which fails (it was deleted
    meanwhile: 404); the transcript saved and put in the log, the results exported."""
    state: dict = {}
    window = open_window(spec, state, resume=False)
    qtbot.waitSignal(window.folder_loaded, timeout=WAIT).wait()
    client = window.browser._client
    resources = [client.stat(window.current_path + name) for name in names]
    delete_first()  # a failing request: 404
    downloads = saved / "downloads"
    downloads.mkdir(exist_ok=True)
    window.operations.start_job(
        "Download 2 items", plan_download(client, resources, downloads, Conflict.ASK), []
    )
    model = window.results.model
    qtbot.waitUntil(lambda: model.records() and model.records()[0].ended is not None, timeout=WAIT)
    job = model.index(0, 0)
    assert any(not model.index(r, 0, job).data(OUTCOME_ROLE).ok for r in range(model.rowCount(job)))

    files = [saved / "transcript.txt", saved / "results.csv", saved / "results.json"]
    window.transcript.save_to(files[0])
    window.results.export_to(files[1])
    window.results.export_to(files[2])
    window.transcript.save_to_log()
    qtbot.waitUntil(lambda: all(p.exists() for p in files), timeout=WAIT)
    log_file = paths.log / "davdesk.log"
    qtbot.waitUntil(lambda: "HTTP transcript" in log_file.read_text(encoding="utf-8"), timeout=WAIT)
    window.close()
    settings = Settings.in_config(paths).load()
    settings.set("window", state)
    settings.save()
    return files


def a_folder_to_sync(tmp_path: Path) -> Path:
    local = tmp_path / "pair"
    (local / "sub").mkdir(parents=True)
    (local / "up.txt").write_bytes(b"up")
    (local / "sub" / "deep.txt").write_bytes(b"deep")
    return local


def check_written(home: Path, saved: list[Path], secrets: list[bytes]) -> None:
    written = files_under(home) + saved
    kinds = {p.name for p in written} | {p.suffix for p in written}
    assert {"davdesk.log", "settings.json", "bookmarks.json", ".sqlite"} <= kinds, kinds
    assert scan(written, secrets) == []


def test_dialog_window_cli_and_sync_write_no_password_anywhere(
    dav_server, qtbot, tmp_path, monkeypatch, memory_keyring, home
):
    h = dav_server
    paths = AppPaths.default()
    h.make_file("here.txt", b"x")
    h.make_file("gone.txt", b"x")
    saved: list[Path] = []
    with logging_to(paths.log, verbose=True):
        spec = connect_in_dialog(qtbot, paths, h.url, h.user, h.password)
        assert PasswordStore().get(h.url, h.user) == h.password  # the keyring has it
        saved += use_window(
            qtbot,
            spec,
            paths,
            ("here.txt", "gone.txt"),
            lambda: (h.root / "gone.txt").unlink(),
            tmp_path,
        )

    monkeypatch.setenv("DAVDESK_PASSWORD", h.password)
    saved += [tmp_path / "rm.json", tmp_path / "sync.csv"]
    assert (
        main(
            [
                "rm",
                "--verbose",
                "--user",
                h.user,
                "--report",
                str(saved[-2]),
                h.url_for("missing.txt"),
            ]
        )
        == 1
    )
    local = a_folder_to_sync(tmp_path)
    assert (
        main(
            [
                "sync",
                "--verbose",
                "--user",
                h.user,
                "--report",
                str(saved[-1]),
                str(local),
                h.url,
                "--direction",
                "both",
            ]
        )
        == 0
    )
    assert (h.root / "sub" / "deep.txt").read_bytes() == b"deep"  # it did sync

    check_written(home, saved, secrets_of([h.user], h.password))


def test_a_nextcloud_account_and_app_passwords_are_written_nowhere(
    nextcloud_server, qtbot, tmp_path, monkeypatch, memory_keyring, home
):
    server = nextcloud_server
    paths = AppPaths.default()
    saved: list[Path] = []

    # `davdesk login`: the account password, given once, becomes an app password in the keyring.
    monkeypatch.setenv("DAVDESK_PASSWORD", server.password)
    assert main(["login", "--verbose", "--user", server.login_name, server.root_url]) == 0
    monkeypatch.delenv("DAVDESK_PASSWORD")
    [issued] = [p.password for p in server.app_passwords]
    assert issued in memory_keyring.passwords.values() and issued != server.password

    # Later commands sign in with the app password from the keyring.
    (server.files_root / "here.txt").write_bytes(b"x")
    saved += [tmp_path / "rm.json", tmp_path / "sync.json"]
    assert main(["ls", "--verbose", server.files_url]) == 0
    assert (
        main(["rm", "--verbose", "--report", str(saved[-2]), server.files_url + "missing.txt"]) == 1
    )
    local = a_folder_to_sync(tmp_path)
    assert (
        main(
            [
                "sync",
                "--verbose",
                "--report",
                str(saved[-1]),
                str(local),
                server.files_url,
                "--direction",
                "both",
            ]
        )
        == 0
    )
    assert (server.files_root / "sub" / "deep.txt").read_bytes() == b"deep"

    # The connect dialog exchanges the account password too; the window then uses the result.
    (server.files_root / "gone.txt").write_bytes(b"x")
    with logging_to(paths.log, verbose=True):
        spec = connect_in_dialog(qtbot, paths, server.root_url, server.login_name, server.password)
        assert spec.password != server.password and spec.account is not None
        assert url_path(spec.url) == url_path(server.files_url)
        saved += use_window(
            qtbot,
            spec,
            paths,
            ("here.txt", "gone.txt"),
            lambda: (server.files_root / "gone.txt").unlink(),
            tmp_path,
        )

    logins = [server.login_name, server.user_id]
    app_passwords = [p.password for p in server.app_passwords]
    assert len(app_passwords) == 2
    secrets = secrets_of(logins, server.password)
    for app_password in app_passwords:
        secrets += secrets_of(logins, app_password)
    check_written(home, saved, secrets)
