"""DAVDESK_CONFIG_HOME keeps every file of a test run out of the real home."""

from __future__ import annotations

from pathlib import Path

from app.config import AppPaths


def test_the_override_puts_everything_under_one_folder(tmp_path):
    paths = AppPaths.default({"DAVDESK_CONFIG_HOME": str(tmp_path)})
    assert paths == AppPaths(
        tmp_path / "config", tmp_path / "data", tmp_path / "log", tmp_path / "cache"
    )


def test_without_the_override_the_platform_folders_name_davdesk():
    paths = AppPaths.default({})
    for folder in (paths.config, paths.data, paths.log, paths.cache):
        assert isinstance(folder, Path)
        assert "davdesk" in str(folder).lower()
