"""The window's Preferences as the CLI's defaults for parallel transfers and bandwidth."""

from __future__ import annotations

import json

import pytest

from app.cli.parser import build_parser
from app.cli.preferences import fill_job_options
from app.config.paths import AppPaths


@pytest.fixture
def paths(tmp_path) -> AppPaths:
    return AppPaths.under(tmp_path)


def saved(paths: AppPaths, **preferences) -> None:
    paths.config.mkdir(parents=True, exist_ok=True)
    (paths.config / "settings.json").write_text(
        json.dumps({"window": {"preferences": preferences}}), encoding="utf-8"
    )


def parsed(paths: AppPaths, *argv: str):
    args = build_parser().parse_args(list(argv))
    fill_job_options(args, paths)
    return args


def test_without_preferences_the_defaults_hold(paths):
    args = parsed(paths, "put", "a.txt", "http://h/")
    assert args.workers == 4 and args.limit_rate is None


def test_preferences_fill_what_no_option_gave(paths):
    saved(paths, parallel_transfers=7, upload_limit=500, download_limit=2000)
    put = parsed(paths, "put", "a.txt", "http://h/")
    assert (put.workers, put.limit_rate) == (7, 500 * 1024)
    get = parsed(paths, "get", "http://h/a.txt", ".")
    assert (get.workers, get.limit_rate) == (7, 2000 * 1024)
    both = parsed(paths, "sync", "/tmp/x", "http://h/", "--direction", "both")
    assert both.limit_rate == 500 * 1024  # a two-way sync takes the tighter limit
    down = parsed(paths, "sync", "/tmp/x", "http://h/", "--direction", "down")
    assert down.limit_rate == 2000 * 1024
    rm = parsed(paths, "rm", "http://h/a.txt")
    assert (rm.workers, rm.limit_rate) == (7, None)  # nothing passes through this computer


def test_options_win_over_preferences(paths):
    saved(paths, parallel_transfers=7, upload_limit=500)
    args = parsed(paths, "put", "-j", "2", "--limit-rate", "1M", "a.txt", "http://h/")
    assert (args.workers, args.limit_rate) == (2, 1024 * 1024)


def test_a_damaged_settings_file_changes_nothing(paths):
    paths.config.mkdir(parents=True)
    (paths.config / "settings.json").write_text('{"window": [1, 2', encoding="utf-8")
    args = parsed(paths, "put", "a.txt", "http://h/")
    assert args.workers == 4 and args.limit_rate is None
