"""ServerExtensions: the name rules and chunk sizes the dav layer applies for a server."""

from __future__ import annotations

import pytest

from app.dav.extensions import MAX_CHUNKS, MIB, MIN_CHUNK, ChunkedUploads, NameRules

# Nextcloud 30's defaults on a server set up for Windows clients, as its admin manual lists them.
WINDOWS_SAFE = NameRules.of(
    names=[".htaccess"],
    basenames=["con", "prn", "aux", "nul", "com1", "lpt1"],
    characters=["<", ">", ":", '"', "|", "?", "*", "\\", "/"],
    extensions=[" ", ".", ".filepart", ".part"],
)


@pytest.mark.parametrize(
    "name", ["report.pdf", "Résumé 2026.docx", "cone.txt", ".bashrc", "a.partial", "50% & #1.txt"]
)
def test_ordinary_names_pass(name: str) -> None:
    assert WINDOWS_SAFE.problem(name) is None


@pytest.mark.parametrize(
    ("name", "says"),
    [
        (".HTACCESS", "files called"),
        ("CON.txt", "starting 'con'"),
        ("nul", "starting 'nul'"),
        ("a:b.txt", "':'"),
        ("back\\slash", "'\\\\'"),
        ("video.mkv.part", "ending '.part'"),
        ("draft.FilePart", "ending '.filepart'"),
        ("trailing space ", "ending ' '"),
        ("trailing dot.", "ending '.'"),
    ],
)
def test_forbidden_names_say_why(name: str, says: str) -> None:
    problem = WINDOWS_SAFE.problem(name)
    assert problem is not None and says in problem


def test_an_extension_alone_is_not_refused_as_one() -> None:
    """Nextcloud matches an extension only on a longer name: ".part" itself is just a dotfile."""
    assert NameRules.of(extensions=[".part"]).problem(".part") is None


def test_chunk_size_keeps_within_the_servers_limits() -> None:
    tiny = ChunkedUploads("/u/", chunk_size=1 * MIB)
    assert tiny.chunk_size_for(100 * MIB) == MIN_CHUNK  # chunks under 5 MB are refused
    normal = ChunkedUploads("/u/")
    assert normal.chunk_size_for(100 * MIB) == 10 * MIB
    huge = 200_000 * MIB
    assert -(-huge // normal.chunk_size_for(huge)) <= MAX_CHUNKS


def test_only_files_above_the_chunk_size_are_chunked() -> None:
    uploads = ChunkedUploads("/u/", chunk_size=10 * MIB)
    assert not uploads.applies_to(10 * MIB)
    assert uploads.applies_to(10 * MIB + 1)
