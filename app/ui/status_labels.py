"""The status bar's permanent labels: how many items (and selected), the quota, and why a
folder takes nothing new. The messages of the moment go in the status bar itself."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from app.ui.models.file_table import human_size
from app.ui.models.listing_cache import FolderInfo
from app.ui.permissions import CREATE_FILE, CREATE_FOLDER, allows


class StatusLabels:
    """Three labels at the status bar's right: folder access, item count, quota."""

    def __init__(self, bar: QStatusBar) -> None:
        self.count = QLabel(bar)
        self.count.setObjectName("itemCount")
        self.quota = QLabel(bar)
        self.quota.setObjectName("quota")
        self.access = QLabel(bar)
        self.access.setObjectName("folderAccess")
        for label in (self.access, self.count, self.quota):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

    def show_totals(self, total: int, shown: int, selected: int, filtering: bool) -> None:
        """ "5,000 items · 3 selected", "3 of 5,000 items" while a filter hides some, or
        "10 items · 1 hidden" where only dot-files are left out."""
        if filtering or shown == total:
            count = f"{total:,} item{'s' if total != 1 else ''}"
            text = count if shown == total else f"{shown:,} of {count}"
        else:
            text = f"{shown:,} item{'s' if shown != 1 else ''} · {total - shown:,} hidden"
        self.count.setText(f"{text} · {selected:,} selected" if selected else text)

    def show_quota(self, info: FolderInfo) -> None:
        parts = []
        if info.quota_available is not None:
            parts.append(f"{human_size(info.quota_available)} free")
        if info.quota_used is not None:
            parts.append(f"{human_size(info.quota_used)} used")
        self.quota.setText(" · ".join(parts))

    def show_access(self, permissions: str | None) -> None:
        """Say why Upload and New Folder are greyed out: a folder nothing may be added to."""
        read_only = not allows(permissions, CREATE_FILE) and not allows(permissions, CREATE_FOLDER)
        self.access.setText("Read-only folder" if read_only else "")
        self.access.setToolTip(
            "The server does not let your account add files or folders here." if read_only else ""
        )
