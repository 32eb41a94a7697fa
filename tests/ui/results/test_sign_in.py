"""Sign In and Retry: the password typed there is blanked in every log line from then on."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from PySide6.QtWidgets import QInputDialog

from app import logs
from app.jobs.model import JobState
from app.jobs.planner import plan_delete
from app.logs import LOG_FILE, logging_to
from tests.servers import ServerHandle
from tests.servers.wsgidav_server import WsgiDavServer
from tests.ui.results.test_pane import rows, wait_for_jobs


def test_the_password_typed_to_sign_in_again_never_reaches_the_log(
    open_window, qtbot, monkeypatch, tmp_path: Path
):
    # A password of this test's own: no other test can have made the log blank it already.
    password = f"typed-{secrets.token_hex(8)}"
    assert logs.redact(password) == password
    root = tmp_path / "share"
    root.mkdir()
    (root / "old.txt").write_bytes(b"x")
    with (
        WsgiDavServer(root, password=password) as server,
        logging_to(tmp_path / "log", verbose=True) as log_file,
    ):
        handle = ServerHandle(
            name="wsgidav",
            url=server.url,
            root=root,
            user=server.user,
            password=password,
            server=server,
        )
        window = open_window(handle)
        client = window.browser._client
        resource = client.stat(client.root + "old.txt")
        client.sign_in(server.user, "not the password")
        window.operations.start_job(
            "Delete old.txt", plan_delete(client, [resource]), [client.root]
        )
        record = wait_for_jobs(qtbot, window, 1)
        [(status, _)] = rows(window, record).values()
        assert status.startswith("401 ")
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (password, True))

        window.results.reauth_retry.trigger()

        retried = wait_for_jobs(qtbot, window, 2)
        assert retried.ended.state is JobState.FINISHED
        # Whatever logs it from now on (a server echoing it, a traceback) logs it blanked.
        logging.getLogger("app.ui.results").info("the server said: %s is wrong", password)
        window.close()
    text = log_file.read_text(encoding="utf-8")
    assert log_file.name == LOG_FILE and "the server said: [redacted] is wrong" in text
    assert password not in text
    assert logs.redact(f"x{password}y") == "x[redacted]y"
