"""The transcript view: what the window sent, line by line, saved without a password."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from app.config import AppPaths
from app.dav.transcript import Transcript
from app.logs import LOG_FILE, MAX_BYTES, logging_to
from app.ui.background import Background
from app.ui.transcript_view import TranscriptView


def test_the_window_s_requests_appear_and_save_without_credentials(
    wsgidav_server, open_window, qtbot, tmp_path, caplog
):
    window = open_window(wsgidav_server)
    view = window.findChild(TranscriptView, "transcriptView")
    qtbot.waitUntil(lambda: "PROPFIND" in view.text.toPlainText(), timeout=5_000)
    text = view.text.toPlainText()
    assert f"PROPFIND {window.browser._client.url(window.current_path)}  → 207" in text
    assert "requests" in view.count.text()

    saved = tmp_path / "transcript.txt"
    view.save_to(saved)
    qtbot.waitUntil(saved.exists)
    assert "PROPFIND" in saved.read_text(encoding="utf-8")
    assert wsgidav_server.password not in saved.read_text(encoding="utf-8")

    assert view.log_folder == AppPaths.default().log  # beside the window's log
    with caplog.at_level(logging.INFO, logger="app.ui.transcript_view"):
        view.save_to_log()
        qtbot.waitUntil(
            lambda: "Transcript saved to the log folder: " in window.statusBar().currentMessage()
        )
    where = Path(window.statusBar().currentMessage().split(": ", 1)[1])
    assert where.parent == view.log_folder and where.name.startswith("davdesk-transcript-")
    [record] = [r for r in caplog.records if r.name == "app.ui.transcript_view"]
    assert record.getMessage().startswith("HTTP transcript, ") and str(where) in record.getMessage()
    written = where.read_text(encoding="utf-8")
    assert "PROPFIND" in written and wsgidav_server.password not in written


def test_a_big_transcript_goes_beside_the_log_and_rotates_nothing_out(qtbot, tmp_path):
    """200,000 requests are far more than the log keeps (1 MB, three times): as a log
    record they would push every earlier log out."""
    transcript = Transcript()
    request = httpx.Request("PROPFIND", "http://example.test/" + "long-name/" * 8)
    for _ in range(30_000):
        transcript.failed(transcript.begin(request), ConnectionError("refused"))
    assert len(transcript.text().encode()) > 2 * MAX_BYTES
    background = Background(1)
    folder = tmp_path / "log"
    with logging_to(folder) as log_file:
        logging.getLogger("app.ui").info("an earlier line the user needs")
        view = TranscriptView(transcript, background, log_folder=folder)
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.message, timeout=10_000) as said:
            view.save_to_log()
        background.wait(10_000)
    [message] = said.args
    assert message.startswith(f"Transcript saved to the log folder: {folder}")
    assert "an earlier line the user needs" in log_file.read_text(encoding="utf-8")
    assert not (folder / f"{LOG_FILE}.1").exists() and log_file.stat().st_size < 10_000
    [saved] = folder.glob("davdesk-transcript-*.txt")
    assert saved.read_text(encoding="utf-8").count("PROPFIND") == 30_000
