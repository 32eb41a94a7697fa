"""The order of a folder's rows in the file table, worked out without Qt.

The table model (file_table.py) sorts on a worker thread with these; the first
window's early listing (app/ui/early_listing.py, loaded before Qt) puts its rows
in the table's first order (NAME, ascending) on its own thread, so the table
shows them as they come. Folders come first in either direction, as in file
managers.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from app.ui.models.listing_cache import (
    ROW_IS_DIR,
    ROW_MODIFIED,
    ROW_PATH,
    ROW_SIZE,
    ROW_TYPE,
    Listing,
    Row,
)

#: The table's columns.
NAME, SIZE, MODIFIED, TYPE = range(4)
#: The order a table shows a folder in until the user sorts it otherwise.
FIRST_ORDER = (NAME, False)
_SORT_SLICE = 8192  # rows sorted by one C call: a few milliseconds of holding the GIL


#: Names for the content types met most often; others show as the bare type. (QMimeDatabase
#: would know them all, but it reads its database from disk on the GUI thread.) Each fits the
#: Type column whole (tests/ui/test_layout.py).
_TYPE_NAMES = {
    "application/octet-stream": "File",
    "text/plain": "Plain text",
    "text/markdown": "Markdown",
    "text/html": "HTML page",
    "text/csv": "CSV table",
    "application/pdf": "PDF document",
    "application/zip": "ZIP archive",
    "application/json": "JSON",
    "application/xml": "XML",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/svg+xml": "SVG image",
    "audio/mpeg": "MP3 audio",
    "video/mp4": "MP4 video",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PowerPoint presentation"
    ),
    # OpenDocument's as freedesktop.org's shared-mime-info names them (file managers show
    # these): short enough for the Type column, where "OpenDocument spreadsheet" was cut.
    "application/vnd.oasis.opendocument.text": "ODT document",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "ODP presentation",
    "application/vnd.oasis.opendocument.graphics": "ODG drawing",
}


def type_name(is_dir: bool, content_type: str | None) -> str:
    """What the Type column says: "Folder", a name for a known content type, else the type."""
    if is_dir:
        return "Folder"
    bare = (content_type or "").split(";", 1)[0].strip().lower()
    return _TYPE_NAMES.get(bare, bare or "File")


def _sort_key(column: int) -> Callable[[Row], Any]:
    def name(row: Row) -> str:  # basename(), inline: called for every row of the folder
        return row[ROW_PATH].rstrip("/").rpartition("/")[2].casefold()

    if column == SIZE:
        return lambda r: (r[ROW_SIZE] or 0, name(r))
    if column == MODIFIED:
        return lambda r: (r[ROW_MODIFIED].timestamp() if r[ROW_MODIFIED] else 0.0, name(r))
    if column == TYPE:
        return lambda r: (type_name(False, r[ROW_TYPE]).casefold(), name(r))
    return name


def sorted_order(
    rows: Sequence[Row], column: int, descending: bool = False
) -> tuple[list[Row], list[int]]:
    """The rows in display order, and for each old row number its new one.

    Folders come first in either direction, as in file managers. Runs on a
    worker thread, sorting slices and merging them in Python, because one
    sort of 100,000 names is a single C call that holds the GIL (and so
    stops the GUI thread) for 50 ms and more.
    """
    key = _sort_key(column)
    keys = [key(row) for row in rows]
    reverse = descending
    folders = [i for i, row in enumerate(rows) if row[ROW_IS_DIR]]
    files = [i for i, row in enumerate(rows) if not row[ROW_IS_DIR]]
    ranked = _sorted_in_slices(folders, keys, reverse) + _sorted_in_slices(files, keys, reverse)
    inverse = [0] * len(rows)
    for new, old in enumerate(ranked):
        inverse[old] = new
    return [rows[i] for i in ranked], inverse


def _sorted_in_slices(indices: list[int], keys: list[Any], reverse: bool) -> list[int]:
    runs = [
        sorted(indices[start : start + _SORT_SLICE], key=keys.__getitem__, reverse=reverse)
        for start in range(0, len(indices), _SORT_SLICE)
    ]
    if len(runs) <= 1:
        return runs[0] if runs else []
    return list(heapq.merge(*runs, key=keys.__getitem__, reverse=reverse))


def in_first_order(listing: Listing) -> Listing:
    """The listing with its rows in the table's first order (FIRST_ORDER), said in its order:
    a table that has not been sorted otherwise shows them without sorting them again."""
    rows, _ = sorted_order(listing.rows, *FIRST_ORDER)
    return replace(listing, rows=tuple(rows), order=FIRST_ORDER)
