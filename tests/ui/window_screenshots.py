"""Screenshots of the window for the README and docs: the main window, the connect dialog,
Preferences, the results pane after a mixed job, and the conflict question.

Not a test: run it on an X display, from the repository, once per size:

    Xvfb :15 -screen 0 1600x1000x24 &
    DISPLAY=:15 uv run python -m tests.ui.window_screenshots docs/ 1024x640
    DISPLAY=:15 uv run python -m tests.ui.window_screenshots docs/ 1600x1000

It serves a small share with wsgidav, opens the window at the given size in
the display's top-left corner (no window manager: no frame) and saves
<what>-<size>.png with `import -window root`, cropped to the window.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="davdesk-shots-"))
os.environ["DAVDESK_CONFIG_HOME"] = str(HOME / "davdesk")
os.environ["HOME"] = str(HOME / "home")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.config.bookmarks import Bookmark, BookmarkStore  # noqa: E402
from app.config.paths import AppPaths  # noqa: E402
from app.config.secrets import PasswordStore  # noqa: E402
from app.dav import DavClient  # noqa: E402
from app.jobs.model import Conflict, Job, Op, Task  # noqa: E402
from app.resource_files import resource  # noqa: E402
from app.ui.background import Background  # noqa: E402
from app.ui.conflict_question import ConflictQuestion  # noqa: E402
from app.ui.connect_dialog import ConnectDialog  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from tests.servers import WsgiDavServer  # noqa: E402

SHARE = {
    "Documents/Budget 2026.ods": b"b" * 48_000,
    "Documents/Offer for Harbour Café.odt": b"o" * 19_000,
    "Documents/Minutes 2026-03-02.md": b"# minutes\n" * 40,
    "Documents/Contract signed.pdf": b"p" * 310_000,
    "Documents/Letters/to the bank.odt": b"l" * 9_000,
    "Documents/Invoices/2026-001.pdf": b"i" * 41_000,
    "Documents/Team roster.xlsx": b"x" * 22_000,
    "Documents/Presentation.odp": b"d" * 1_200_000,
    "Documents/Logo.svg": b"<svg/>" * 300,
    "Documents/Notes.txt": b"notes\n" * 30,
    "Documents/.settings": b"hidden\n",
    "Photos/2026/harbour.jpg": b"j" * 250_000,
    "Reports/q3.txt": b"the server's q3\n",
}


def wait(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there")
        QTest.qWait(50)


def shoot(path: Path, size: tuple[int, int]) -> None:
    QTest.qWait(600)
    subprocess.run(
        ["import", "-window", "root", "-crop", f"{size[0]}x{size[1]}+0+0", "+repage", str(path)],
        check=True,
    )
    print(f"saved {path}")


def centre(dialog: QWidget, window: QWidget) -> None:
    dialog.adjustSize()
    frame = dialog.frameGeometry()
    frame.moveCenter(window.geometry().center())
    dialog.move(frame.topLeft())


def mixed_job(client: DavClient, local: Path) -> Job:
    """Uploads, one of them onto a locked file; copies, one onto an existing file (a
    conflict); one upload skipped; a delete of something already gone."""
    base = "/Documents/"
    for name in ("Agenda.md", "Budget 2026.ods", "Offer for Harbour Café.odt"):
        (local / name).write_bytes(f"my {name}\n".encode())
    budget = client.stat(base + "Budget 2026.ods")
    tasks = (
        Task(Op.UPLOAD, base + "Agenda.md", local=local / "Agenda.md", size=12),
        Task(
            Op.UPLOAD,
            base + "Budget 2026.ods",
            local=local / "Budget 2026.ods",
            size=20,
            exists=True,
            etag=budget.etag,
            conflict=Conflict.OVERWRITE,
        ),
        Task(
            Op.UPLOAD,
            base + "Offer for Harbour Café.odt",
            local=local / "Offer for Harbour Café.odt",
            size=30,
            exists=True,
            conflict=Conflict.SKIP,
        ),
        Task(Op.COPY, base + "Notes.txt", destination="/Reports/Notes.txt"),
        Task(
            Op.COPY,
            "/Reports/q3.txt",
            destination=base + "Minutes 2026-03-02.md",
            exists=True,
            conflict=Conflict.ASK,
        ),
        Task(Op.MOVE, base + "Logo.svg", destination=base + "Logo (old).svg"),
        Task(Op.DELETE, base + "Draft.txt"),
    )
    return Job("Upload, copy and tidy 7 items", (tasks,))


def main(out: Path, size: tuple[int, int]) -> None:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Davdesk")
    app.setWindowIcon(QIcon(str(resource("davdesk.svg"))))
    served = HOME / "server"
    for name, data in SHARE.items():
        path = served / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    local = HOME / "home"
    local.mkdir(parents=True, exist_ok=True)
    small = size[0] < 1200
    with WsgiDavServer(served) as server:
        paths = AppPaths.default()
        bookmarks = BookmarkStore.in_config(paths)
        bookmark = Bookmark("Office NAS", server.url, server.user)
        bookmarks.add(bookmark)
        bookmarks.add(
            Bookmark(
                "Nextcloud (Harbour Café)", "https://cloud.example.com/", "alice", kind="nextcloud"
            )
        )
        client = DavClient(server.url, user=server.user, password=server.password, workers=16)
        window = MainWindow(client, "/Documents/", {}, paths=paths, bookmark=bookmark)
        window.setGeometry(0, 0, *size)
        window.show()
        wait(lambda: not window.browser.loading and window.table_model.rowCount() > 5)
        window.table.selectRow(2)
        shoot(out / f"main-window-{size[0]}x{size[1]}.png", size)

        dialog = ConnectDialog(Background(1), bookmarks, PasswordStore(), window)
        dialog.show()
        wait(lambda: dialog.bookmark_combo.count() == 3)
        dialog.bookmark_combo.setCurrentIndex(1)
        centre(dialog, window)
        shoot(out / f"connect-dialog-{size[0]}x{size[1]}.png", size)
        dialog.reject()

        preferences = window.preferences.open()
        centre(preferences, window)
        shoot(out / f"preferences-{size[0]}x{size[1]}.png", size)
        preferences.reject()

        with DavClient(server.url, user=server.user, password=server.password) as alice:
            alice.lock("/Documents/Budget 2026.ods", owner="alice@example.com")
            window.operations.start_job(
                "Upload, copy and tidy 7 items", mixed_job(client, local), ["/Documents/"]
            )
            wait(
                lambda: (
                    window.results.model.records()
                    and window.results.model.records()[0].ended is not None
                )
            )
            wait(
                lambda: any(
                    "alice" in window.results.model.problem(o)
                    for o in window.results.model.records()[0].outcomes
                )
            )
            window.resizeDocks(
                [window.results],
                [size[1] // 2 if small else size[1] * 2 // 5],
                Qt.Orientation.Vertical,
            )
            window.table.clearSelection()
            shoot(out / f"results-pane-{size[0]}x{size[1]}.png", size)

            for name in ("Presentation.odp", "Notes.txt", "Team roster.xlsx"):
                (local / name).write_bytes(b"mine\n" * 40)
                os.utime(local / name, (time.time() + 3600,) * 2)
            os.utime(local / "Notes.txt", (time.time() - 86400 * 30,) * 2)

            def answer() -> None:
                question = next(
                    (
                        w
                        for w in QApplication.topLevelWidgets()
                        if isinstance(w, ConflictQuestion) and w.isVisible()
                    ),
                    None,
                )
                if question is None:
                    QTimer.singleShot(50, answer)
                    return
                question.resize(min(760, size[0] - 80), 300)
                centre(question, window)
                question.resize(min(760, size[0] - 80), 300)
                shoot(out / f"conflict-question-{size[0]}x{size[1]}.png", size)
                question.reject()

            QTimer.singleShot(50, answer)
            window.operations.upload(
                [local / n for n in ("Presentation.odp", "Notes.txt", "Team roster.xlsx")],
                "/Documents/",
            )
            wait(lambda: "cancelled" in window.statusBar().currentMessage())
        window.close()
        client.close()


if __name__ == "__main__":
    width, height = (int(n) for n in sys.argv[2].split("x"))
    main(Path(sys.argv[1]), (width, height))
