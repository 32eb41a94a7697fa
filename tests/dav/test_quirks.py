"""Every server quirk is named where the code copes with it and shown by a test that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.dav import quirks

REPO = Path(__file__).resolve().parents[2]
NAMED = {name: value for name, value in vars(quirks).items() if isinstance(value, quirks.Quirk)}


def test_every_quirk_is_listed_once():
    assert sorted(NAMED) == sorted(name for name, value in NAMED.items() if value in quirks.ALL)
    assert len(set(quirks.ALL)) == len(quirks.ALL)


@pytest.mark.parametrize("name", sorted(NAMED))
def test_the_code_that_copes_names_the_quirk(name: str):
    quirk = NAMED[name]
    assert quirk.servers and quirk.what
    assert re.search(rf"\bquirks\.{name}\b", (REPO / quirk.handled).read_text()), quirk.handled


@pytest.mark.parametrize("name", sorted(NAMED))
def test_the_test_that_shows_the_quirk_exists(name: str):
    path, _, test = NAMED[name].test.partition("::")
    assert re.search(rf"^def {test}\(", (REPO / path).read_text(), re.M), NAMED[name].test
