"""Find: names below the folder shown, streamed into the file table as results.

The search runs on the pool (app.dav.search: one SEARCH on a Nextcloud, else
a bounded walk of Depth 1 listings) and its batches are appended to the table
as they come, each row with its folder in the Type column (titled Folder while
results are shown). The rows are the same as a listing's, so every action of
the window (open, edit, download, delete, rename, copy address, properties)
works on them. Going to a folder, or a new search, stops the one running.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.dav import DavClient, Resource
from app.dav.search import NamePattern, SearchSummary, find
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.models.file_table import FileTableModel
from app.ui.models.listing_cache import Row, as_row


def ask_pattern(window: QWidget, folder: str) -> str | None:
    """The pattern to find, or None."""
    text, ok = QInputDialog.getText(
        window,
        "Find",
        f"Find names below {folder}\n(* and ? are wildcards; case does not matter):",
        QLineEdit.EchoMode.Normal,
        "",
    )
    return text.strip() if ok and text.strip() else None


class Search(QObject):
    message = Signal(str)
    started = Signal()
    finished = Signal(object)  # SearchSummary, or None when it failed

    def __init__(
        self,
        client: DavClient,
        background: Background,
        table: FileTableModel,
        workers: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._background = background
        self._table = table
        self._workers = workers
        self._stop: threading.Event | None = None
        self.title = ""

    @property
    def running(self) -> bool:
        return self._stop is not None

    def start(self, folder: str, shown_as: str, root: str, pattern: str) -> None:
        """Show the results of finding pattern below folder (shown_as: as the user knows it)."""
        self.cancel()
        stop = self._stop = threading.Event()
        self.title = f"Search results in {shown_as}"
        self._table.show_search(folder, root)
        self.message.emit(f"{self.title}: searching for “{pattern}”… (Esc stops)")
        self.started.emit()

        def work(emit: object) -> SearchSummary:
            def found(batch: Sequence[Resource]) -> None:
                emit(tuple(as_row(r) for r in batch))  # type: ignore[operator]

            return find(
                self._client, folder, NamePattern(pattern), found, stop, workers=self._workers
            )

        self._background.submit_stream(
            work,
            lambda rows: self._found(stop, rows),
            lambda summary, error: self._done(stop, summary, error),
        )

    def stop(self) -> None:
        """Stop the search running: the results so far stay, and the line says it stopped."""
        if self._stop is not None:
            self._stop.set()

    def cancel(self) -> None:
        """Stop the search and forget it (the table is going to show something else)."""
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def _found(self, stop: threading.Event, rows: tuple[Row, ...]) -> None:
        if stop is self._stop and self._table.search_root is not None:
            self._table.append(rows)

    def _done(
        self, stop: threading.Event, summary: SearchSummary | None, error: BaseException | None
    ) -> None:
        if stop is not self._stop:
            return
        self._stop = None
        if error is not None or summary is None:
            self.message.emit(f"{self.title}: {readable(error) if error else 'failed'}")
            self.finished.emit(None)
            return
        words = [f"{summary.found:,} found"]
        if summary.stopped == "cancelled":
            words.append("stopped")
        elif summary.stopped:
            words.append(f"stopped at {summary.stopped}")
        if summary.unreadable:
            words.append(f"{len(summary.unreadable)} folder(s) could not be listed")
        self.message.emit(f"{self.title}: " + ", ".join(words))
        self._table.resort()
        self.finished.emit(summary)
