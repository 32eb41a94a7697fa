"""No password reaches a file: the app is used (window and CLI, with failures, a transcript,
reports and logs) and then every file it wrote is searched for the password.

The password is searched as typed and as it goes over the wire in Basic auth
(base64 of "user:password"), in every file under the app's config home (settings,
bookmarks, logs, sync state) and in each file the user saved (transcript,
reports, exported results).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from app.__main__ import main
from app.config.bookmarks import Bookmark, BookmarkStore, ConnectionSpec
from app.config.paths import AppPaths
from app.config.secrets import PasswordStore
from app.config.settings import Settings
from app.jobs.planner import plan_delete
from app.logs import logging_to
from app.ui.app import open_window
from app.ui.results.model import OUTCOME_ROLE


def secrets_of(user: str, password: str) -> list[bytes]:
    basic = base64.b64encode(f"{user}:{password}".encode())
    return [password.encode(), basic, json.dumps(password).encode()]


def scan(paths: list[Path], secrets: list[bytes]) -> list[str]:
    """Every (file, secret) where the secret appears."""
    found = []
    for path in paths:
        data = path.read_bytes()
        found += [f"{path}: {secret!r}" for secret in secrets if secret in data]
    return found


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_window_and_cli_write_no_password_anywhere(wsgidav_server, qtbot, tmp_path, monkeypatch,
                                                   memory_keyring):
    h = wsgidav_server
    home = Path(os.environ["DAVDESK_CONFIG_HOME"])
    paths = AppPaths.default()
    secrets = secrets_of(h.user, h.password)
    h.make_file("here.txt", b"x")
    h.make_file("gone.txt", b"x")
    saved: list[Path] = []

    # The connect dialog's part: a bookmark on disk, its password in the keyring.
    bookmark = Bookmark("Test server", h.url, h.user)
    BookmarkStore.in_config(paths).put(bookmark)
    PasswordStore().set(h.url, h.user, h.password)

    with logging_to(paths.log, verbose=True):
        state: dict = {}
        window = open_window(ConnectionSpec(h.url, h.user, h.password, bookmark=bookmark),
                             state, resume=False)
        qtbot.waitSignal(window.folder_loaded, timeout=10_000).wait()
        client = window.browser._client
        resources = [client.stat(client.root + name) for name in ("here.txt", "gone.txt")]
        (h.root / "gone.txt").unlink()  # a failing request: 404
        window.operations.start_job("Delete 2 items", plan_delete(client, resources), [])
        model = window.results.model
        qtbot.waitUntil(lambda: model.records() and model.records()[0].ended is not None,
                        timeout=10_000)
        assert any(not model.index(r, 0, model.index(0, 0)).data(OUTCOME_ROLE).ok
                   for r in range(model.rowCount(model.index(0, 0))))

        saved += [tmp_path / "transcript.txt", tmp_path / "results.csv", tmp_path / "results.json"]
        window.transcript.save_to(saved[0])
        window.results.export_to(saved[1])
        window.results.export_to(saved[2])
        window.transcript.save_to_log()
        qtbot.waitUntil(lambda: all(p.exists() for p in saved), timeout=10_000)
        log_file = paths.log / "davdesk.log"
        qtbot.waitUntil(lambda: "HTTP transcript" in log_file.read_text(encoding="utf-8"),
                        timeout=10_000)
        window.close()
        settings = Settings.in_config(paths).load()
        settings.set("window", state)
        settings.save()

    monkeypatch.setenv("DAVDESK_PASSWORD", h.password)
    report = tmp_path / "report.json"
    assert main(["rm", "--verbose", "--user", h.user, "--report", str(report),
                 h.url_for("missing.txt")]) == 1
    saved.append(report)

    written = files_under(home) + saved
    assert any(p.name == "davdesk.log" for p in written)
    assert any(p.name == "settings.json" for p in written)
    assert scan(written, secrets) == []
