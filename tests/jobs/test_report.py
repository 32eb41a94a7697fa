"""Reports (CSV and JSON) hold every field of every Outcome and read back as written."""

from __future__ import annotations

import pytest

from app.dav.outcome import Outcome, Source, cancelled, success
from app.jobs.report import COLUMNS, ReportError, read_report, write_report

OUTCOMES = [
    success("delete", '/a, "b"\nc ü.txt', 204),
    Outcome(
        "delete",
        "/box/locked.txt",
        423,
        "Locked",
        error="lock-token-submitted",
        description="held by alice",
        source=Source.MULTISTATUS,
        attempt=3,
    ),
    Outcome("put", "/x", None, "ConnectError", source=Source.TRANSPORT, detail="refused"),
    cancelled("get", "/y"),
]


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_every_outcome_reads_back(tmp_path, suffix):
    path = tmp_path / f"r.{suffix}"
    assert write_report(path, [("Delete 2 items", o) for o in OUTCOMES]) == 4
    rows = read_report(path)
    assert [r["path"] for r in rows] == [o.path for o in OUTCOMES]
    assert [r["class"] for r in rows] == ["ok", "failed", "failed", "cancelled"]
    assert rows[1]["error"] == "lock-token-submitted" and rows[1]["source"] == "multistatus"
    assert str(rows[1]["attempt"]) == "3" and rows[2]["detail"] == "refused"
    assert all(r["job"] == "Delete 2 items" for r in rows)
    assert set(COLUMNS) <= set(rows[0])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_csv_report_writes_none_as_empty(tmp_path):
    path = tmp_path / "r.csv"
    write_report(path, [("j", OUTCOMES[2])])
    [row] = read_report(path)
    assert row["status"] == "" and row["reason"] == "ConnectError"


def test_other_extensions_are_refused(tmp_path):
    with pytest.raises(ReportError, match=r"a report is \.csv or \.json"):
        write_report(tmp_path / "r.txt", [])
