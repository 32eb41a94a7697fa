"""Outcome.to_json: the CLI's --json lines and the reports, built field by field."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from app.dav import Outcome, Source
from app.dav.outcome import OutcomeClass, already_gone, cancelled, skipped

WHEN = datetime(2026, 12, 7, 23, 40, 5, 123456, tzinfo=UTC)


def as_dataclass_says(outcome: Outcome) -> dict[str, Any]:
    """The form to_json had when it was made by dataclasses.asdict: every field in order,
    the enums and the time as strings, then the class."""
    data = dataclasses.asdict(outcome)
    data["source"] = outcome.source.value
    data["time"] = outcome.time.isoformat()
    data["marked"] = outcome.marked.value if outcome.marked else None
    data["class"] = outcome.outcome_class.value
    return data


EVERY_FIELD = Outcome(
    "move",
    "/dav/a b/ü.txt",
    412,
    "Precondition Failed",
    ok=False,
    error="target-exists",
    description="the server's words",
    location="https://dav.example/elsewhere",
    destination="/dav/b.txt",
    etag='W/"1-2"',
    source=Source.MULTISTATUS,
    attempt=3,
    detail="ConnectError: refused",
    note="Davdesk's words",
    time=WHEN,
    marked=OutcomeClass.UNCONFIRMED,
)


@pytest.mark.parametrize(
    "outcome",
    [
        EVERY_FIELD,
        Outcome("put", "/dav/x.txt", 201, "Created", ok=True, etag='"e1"', time=WHEN),
        Outcome("put", "/dav/x.txt", None, "ConnectError", source=Source.TRANSPORT),
        Outcome("put", "/dav/x.txt", 200, "OK", ok=True, source=Source.JSON_BATCH),
        cancelled("get", "/dav/y"),
        skipped("put", "/dav/z", "it was there"),
        already_gone("delete", "/dav/gone"),
    ],
)
def test_to_json_is_the_dataclasss_own_form_in_its_order(outcome):
    made = outcome.to_json()
    assert made == as_dataclass_says(outcome)
    assert list(made) == list(as_dataclass_says(outcome))
    assert json.loads(json.dumps(made)) == made  # plain JSON types only


def test_to_json_names_every_field():
    """A field added to Outcome must reach --json and the reports too."""
    names = {f.name for f in dataclasses.fields(Outcome)}
    assert set(EVERY_FIELD.to_json()) == names | {"class"}
