"""UI state: a JSON key-value file, bytes as base64, harmless when damaged."""

from __future__ import annotations

import pytest

from app.config import AppPaths, Settings


def test_values_survive_a_round_trip(tmp_path):
    settings = Settings.in_config(AppPaths.under(tmp_path))
    settings.set("splitter", [200, 600])
    settings.set("window", {"geometry": "AdnQywD/", "last_folder:http://h/": "/a b/"})
    settings.save()
    again = Settings(settings.path).load()
    assert again.get("splitter") == [200, 600]
    assert again.get("window") == {"geometry": "AdnQywD/", "last_folder:http://h/": "/a b/"}
    assert again.get("missing", "default") == "default"


def test_a_damaged_file_starts_afresh(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("[1, 2")
    settings = Settings(path).load()
    assert settings.get("geometry") is None


def test_values_json_cannot_hold_are_refused_at_once(tmp_path):
    with pytest.raises(TypeError):
        Settings(tmp_path / "s.json").set("when", object())
