"""Free names for "keep both": "report.pdf" becomes "report (2).pdf", then "report (3).pdf"."""

from __future__ import annotations

import itertools
import os
import unicodedata
from collections.abc import Container
from pathlib import Path


def name_key(name: str) -> str:
    """A name as servers and file systems compare it: some store or answer NFC for NFD."""
    return unicodedata.normalize("NFC", name)


def free_name(name: str, taken: Container[str], *, is_dir: bool = False) -> str:
    """The first "name (n).ext", n >= 2, whose name_key is not in taken.

    A folder's dots are part of its name, not an extension.
    """
    dot = -1 if is_dir else name.rfind(".")
    stem, ext = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    candidates = (f"{stem} ({number}){ext}" for number in itertools.count(2))
    return next(c for c in candidates if name_key(c) not in taken)


def local_names(folder: Path) -> set[str]:
    """The name_keys of what is in a local folder; none if it is not (yet) a folder."""
    try:
        return {name_key(name) for name in os.listdir(folder)}
    except (FileNotFoundError, NotADirectoryError):
        return set()
