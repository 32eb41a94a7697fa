"""Outcomes written to a file a person or a script can read: CSV or JSON by the file's extension.

The CLI's ``--report`` and the results pane's Export write the same format,
so a report from a nightly script and one saved from the window compare
line by line. Each row is one Outcome plus the name of the job it came from.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.dav import Outcome
from app.dav.words import action, problem

#: The columns of a CSV report, in order: the job, the Outcome in words, its fields, its class.
COLUMNS = (
    "job",
    "action",
    "problem",
    "op",
    "path",
    "destination",
    "status",
    "reason",
    "class",
    "error",
    "description",
    "note",
    "location",
    "etag",
    "source",
    "attempt",
    "detail",
    "time",
    "marked",
)
FORMATS = ("csv", "json")


class ReportError(ValueError):
    """The report cannot be written in the format asked for."""


def report_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ReportError(f"{path.name}: a report is .csv or .json, not {path.suffix or 'nothing'}")
    return suffix


def report_rows(outcomes: Iterable[tuple[str, Outcome]]) -> list[dict[str, Any]]:
    """(job name, Outcome) pairs as report rows."""
    return [
        {"job": job, "action": action(outcome), "problem": problem(outcome), **outcome.to_json()}
        for job, outcome in outcomes
    ]


def write_report(path: Path, outcomes: Iterable[tuple[str, Outcome]]) -> int:
    """Write the report (atomically: a half-written report never replaces a good one)."""
    kind = report_format(path)
    rows = report_rows(outcomes)
    partial = path.with_name(f".{path.name}.part")
    with partial.open("w", encoding="utf-8", newline="") as out:
        if kind == "json":
            json.dump(rows, out, ensure_ascii=False, indent=1)
            out.write("\n")
        else:
            writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    partial.replace(path)
    return len(rows)


def read_report(path: Path) -> list[dict[str, Any]]:
    """A report read back, CSV values as strings ("" for none), JSON as written."""
    with path.open(encoding="utf-8", newline="") as data:
        if report_format(path) == "json":
            return list(json.load(data))
        return list(csv.DictReader(data))
