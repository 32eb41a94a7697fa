"""Whose words are whose: the server's (its responsedescription) and Davdesk's (its note) never
mix, in the list, in Copy Details, in the raw view's heading and in an export.

A server that explains a refusal in its <d:error> body (as SabreDAV and IIS
do) is played by the hostile test server; wsgidav and Apache say nothing in
words, and there the "Server said" column stays empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.jobs.planner import plan_delete
from app.jobs.report import read_report
from app.ui.results.model import NOTE, SAID
from app.ui.results.raw_dialog import RawResponseDialog
from tests.servers import ServerHandle
from tests.servers.hostile_server import HostileServer
from tests.ui.results.test_pane import (
    copy_with_one_gone,
    notes,
    problems,
    rows,
    select_row,
    wait_for_jobs,
)

POLICY = "Retention policy: files in this share are kept for 30 days"
REFUSAL = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:">'
    b"<d:responsedescription>" + POLICY.encode() + b"</d:responsedescription></d:error>"
)


@pytest.fixture
def explaining_server(tmp_path: Path):
    """A server that refuses DELETE /report.pdf with a 403 and says why in its error body."""
    with HostileServer() as server:
        server.answer(
            "DELETE", "/report.pdf", 403, REFUSAL, headers=(("Content-Type", "application/xml"),)
        )
        yield ServerHandle(
            name="hostile", url=server.url, root=tmp_path, user="u", password="p", server=None
        )  # type: ignore[arg-type]


# The raw view is a shown dialog: offscreen Qt cannot pass its size limits on (see test_pane).
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_server_s_words_and_davdesk_s_stay_apart(
    explaining_server, open_window, qtbot, tmp_path
):
    window = open_window(explaining_server)
    client = window.browser._client
    window.operations.start_job(
        "Delete report.pdf", plan_delete(client, [client.stat("/report.pdf")]), ["/"]
    )
    record = wait_for_jobs(qtbot, window, 1)
    [outcome] = record.outcomes
    assert outcome.description == POLICY and outcome.status == 403

    assert rows(window, record) == {"/report.pdf": ("403 Forbidden", POLICY)}
    assert problems(window, record) == {"/report.pdf": "Not allowed"}
    assert notes(window, record) == {"/report.pdf": ""}  # nothing Davdesk needs to add
    model = window.results.model
    horizontal = Qt.Orientation.Horizontal
    assert model.headerData(SAID, horizontal) == "Server said"
    assert model.headerData(NOTE, horizontal) == "Davdesk's note"

    select_row(window, "/report.pdf")
    window.results.copy_details.trigger()
    assert QGuiApplication.clipboard().text() == (
        f"Delete /report.pdf: Not allowed – 403 Forbidden – server said: {POLICY}"
    )

    window.results.show_raw.trigger()
    dialog = window.results.findChild(RawResponseDialog, "rawResponse")
    assert dialog.heading.text().splitlines() == [
        "Delete: Not allowed",
        "DELETE /report.pdf: 403 Forbidden (from the response, attempt 1)",
        f"Server said: {POLICY}",
        "Davdesk's note: (none)",
    ]
    assert POLICY in dialog.text.toPlainText()  # the body as it came
    dialog.close()

    report = tmp_path / "results.json"
    window.results.export_to(report)
    qtbot.waitUntil(report.exists)
    [row] = read_report(report)
    assert (row["description"], row["note"]) == (POLICY, None)  # the export holds only facts


def test_davdesk_s_own_findings_are_never_put_in_the_server_s_mouth(dav_server, open_window, qtbot):
    window = open_window(dav_server)
    record = copy_with_one_gone(qtbot, window, dav_server, count=2, gone=1)
    root = window.browser._client.root
    assert [said for _, said in rows(window, record).values()] == ["", ""]
    assert problems(window, record)[root + "f 1.txt"] == "Not on the server"
