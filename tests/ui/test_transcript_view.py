"""The transcript view: what the window sent, line by line, saved without a password."""

from __future__ import annotations

import logging

from app.ui.transcript_view import TranscriptView


def test_the_window_s_requests_appear_and_save_without_credentials(wsgidav_server, open_window,
                                                                   qtbot, tmp_path, caplog):
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

    with caplog.at_level(logging.INFO, logger="app.ui.transcript_view"):
        view.save_to_log()
        qtbot.waitUntil(lambda: "Transcript saved to the log" in
                        window.statusBar().currentMessage())
    [record] = [r for r in caplog.records if r.name == "app.ui.transcript_view"]
    assert "HTTP transcript" in record.getMessage() and "PROPFIND" in record.getMessage()
    assert wsgidav_server.password not in record.getMessage()
