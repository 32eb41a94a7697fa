"""Column headers of the window's flat tables (files, trash bin): one behaviour for both."""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import Any

from PySide6.QtCore import Qt


def header_data(
    headers: Sequence[str],
    right_aligned: Container[int],
    section: int,
    orientation: Qt.Orientation,
    role: int,
) -> Any:
    """headerData for horizontal headers: the title, numbers' columns aligned right like
    their cells (sizes line up under their title)."""
    if orientation != Qt.Orientation.Horizontal:
        return None
    if role == Qt.ItemDataRole.DisplayRole:
        return headers[section]
    if role == Qt.ItemDataRole.TextAlignmentRole:
        side = (
            Qt.AlignmentFlag.AlignRight if section in right_aligned else Qt.AlignmentFlag.AlignLeft
        )
        return side | Qt.AlignmentFlag.AlignVCenter
    return None
