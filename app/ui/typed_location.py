"""Going where the user typed: a folder opens, a file opens its folder with it selected, and
a path the server does not have leaves the window where it was, saying so.

The path is looked up first (one Depth 0 PROPFIND, on a pool thread), so the
window never "enters" a folder that is not there: no breadcrumbs for it, no
Upload into it, no relative path typed next resolved under it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.dav import DavClient, DavError, Resource
from app.ui.background import Background
from app.ui.browser import Browser
from app.ui.messages import readable


class TypedLocation(QObject):
    """Checks a typed location on the server, then goes there (or says why not)."""

    problem = Signal(str)  # the words for the status bar; the path bar shows where we are
    folder = Signal(str)  # a folder to go to
    file = Signal(str)  # a file to show in its folder

    def __init__(
        self,
        client: DavClient,
        background: Background,
        browser: Browser,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._background = background
        self._browser = browser
        self._asked = 0  # only the last location typed counts

    def go(self, text: str) -> None:
        try:
            path = self._browser.resolve(text)
        except DavError as exc:  # a URL of another server
            self.problem.emit(f"Cannot go to {text}: {readable(exc)}")
            return
        self._asked += 1
        asked = self._asked
        file_path = path.rstrip("/") if path.rstrip("/") else path
        self._background.submit(lambda: self._client.lookup(file_path), self._answer(asked, path))

    def _answer(
        self, asked: int, path: str
    ) -> Callable[[Resource | None, BaseException | None], None]:
        def answered(found: Resource | None, error: BaseException | None) -> None:
            if asked != self._asked:
                return
            if error is not None:
                self.problem.emit(f"Cannot go to {path}: {readable(error)}")
            elif found is None:
                self.problem.emit(f"No folder {path.rstrip('/') or '/'} on the server")
            elif found.is_dir:
                self.folder.emit(path)
            else:
                self.file.emit(path.rstrip("/"))

        return answered
