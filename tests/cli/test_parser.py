"""The grammar built for the one command a command line names reads that command line as
the whole grammar does, and still lists every command."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from app.cli.parser import build_parser

#: One command line of each command, options included.
COMMAND_LINES = [
    ["ls", "--json", "--user", "alice", "http://h/a/", "http://h/b/"],
    ["stat", "--insecure", "http://h/a.txt"],
    ["mkdir", "-p", "http://h/a/b/"],
    ["rm", "--dry-run", "-j", "2", "http://h/a.txt"],
    ["cp", "--conflict", "skip", "http://h/a", "http://h/b"],
    ["mv", "http://h/a", "http://h/b"],
    ["put", "--keep-mtime", "--limit-rate", "1M", "a.txt", "http://h/"],
    ["get", "--verbose", "http://h/a.txt", "a.txt"],
    ["props", "--json", "http://h/a.txt"],
    ["sync", "--direction", "up", "--ignore", "*.tmp", "local", "http://h/"],
    ["sync", "--watch", "--interval", "5"],
    ["pair", "add", "local", "http://h/", "--direction", "both"],
    ["pair", "pause", "docs"],
    ["login", "https://cloud.example"],
    ["logout", "https://cloud.example"],
    ["trash", "restore", "https://cloud.example", "a.txt"],
    ["edit", "--open", "http://h/a.txt"],
    ["find", "-j", "8", "http://h/", "*.pdf"],
    ["share", "--access", "edit", "http://h/a.txt"],
    ["versions", "ls", "http://h/a.txt"],
]


def _parsed(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    """The namespace (or the exit status), and what was printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = parser.parse_args(argv)
        except SystemExit as exc:
            result = exc.code
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda argv: " ".join(argv[:2]))
def test_one_command_s_grammar_reads_its_command_line_as_the_whole_one_does(argv: list[str]):
    whole = _parsed(build_parser(), argv)
    assert isinstance(whole[0], argparse.Namespace)  # each line is a good one
    assert _parsed(build_parser(argv[0]), argv) == whole


@pytest.mark.parametrize(
    "argv",
    [["ls", "--help"], ["ls", "--no-such-option", "http://h/"], ["put", "http://h/"]],
)
def test_its_help_and_its_mistakes_read_the_same(argv: list[str]):
    assert _parsed(build_parser(argv[0]), argv) == _parsed(build_parser(), argv)


def test_every_command_is_still_listed_and_a_mistyped_one_told_them_all():
    whole, one = build_parser(), build_parser("ls")
    assert one.format_help() == whole.format_help()
    mistyped = _parsed(build_parser("lss"), ["lss", "http://h/"])
    assert mistyped == _parsed(whole, ["lss", "http://h/"])
    assert mistyped[0] == 2 and "'versions'" in mistyped[2]
