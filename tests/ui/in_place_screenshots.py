"""Screenshots of files in place for the docs: a search result, the share dialog, the
versions dialog, on the fake Nextcloud.

Not a test: run it on an X display of the size wanted, from the repository:

    Xvfb :16 -screen 0 1600x1000x24 &
    DISPLAY=:16 uv run python -m tests.ui.in_place_screenshots docs/ 1600x1000

It saves search-results-<size>.png, share-dialog-<size>.png and
versions-dialog-<size>.png with `import -window root`.
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
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.config.paths import AppPaths  # noqa: E402
from app.config.secrets import PasswordStore  # noqa: E402
from app.session.connection import open_connection  # noqa: E402
from app.ui import in_place  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.sharing import ShareDialog  # noqa: E402
from app.ui.versions_dialog import VersionsDialog  # noqa: E402
from tests.servers.nextcloud import NextcloudServer  # noqa: E402

TREE = {
    "Documents/Reports/2025/annual report.pdf": 820_000,
    "Documents/Reports/2025/report appendix.xlsx": 64_000,
    "Documents/Reports/q3 report draft.odt": 31_000,
    "Documents/Reports/q4 report.odt": 35_500,
    "Documents/Letters/offer.odt": 9_000,
    "Documents/Budget 2026.ods": 48_000,
    "Documents/Old/report 2019.doc": 120_000,
    "Photos/2026/harbour.jpg": 250_000,
    "Projects/plan.md": 700,
}


def wait(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there")
        QTest.qWait(50)


def shoot(path: Path) -> None:
    QTest.qWait(600)
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    print(f"saved {path}")


def main(out: Path, size: tuple[int, int]) -> None:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Davdesk")
    with NextcloudServer(HOME / "nextcloud") as server:
        for name, length in TREE.items():
            path = server.files_root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * length)
        spec = open_connection(server.files_url, server.login_name, server.password)
        client = spec.client()
        window = MainWindow(
            client,
            spec.start_path + "Documents/",
            {},
            paths=AppPaths.default(),
            account=spec.account,
            passwords=PasswordStore(),
        )
        window.setGeometry(0, 0, *size)
        window.show()
        wait(lambda: not window.browser.loading and window.table_model.rowCount() > 0)
        in_place.ask_pattern = lambda parent, folder: "report"  # what the user typed
        window.commands.search.trigger()
        wait(lambda: not window.search.running and window.table_model.rowCount() == 6)
        window.table.resizeColumnToContents(3)  # each result's folder, whole
        shoot(out / f"search-results-{size[0]}x{size[1]}.png")

        window.navigate(spec.start_path + "Documents/")
        wait(lambda: not window.browser.loading and window.table_model.rowCount() > 0)
        row = next(
            i
            for i in range(window.proxy.rowCount())
            if window.proxy.index(i, 0).data() == "Reports"
        )
        window.table.selectRow(row)
        dialog = ShareDialog(
            client, window._background, spec.account, window.table.selected_resources()[0], window
        )
        dialog.show()
        panel = dialog.panel
        wait(lambda: not panel.busy)
        panel.access.setCurrentIndex(panel.access.findData("upload"))
        panel.use_expiry.setChecked(True)
        panel.expiry.setDate(panel.expiry.date().addDays(23))
        panel.create_button.click()
        wait(lambda: len(panel.shares) == 1 and not panel.busy)
        panel.access.setCurrentIndex(panel.access.findData("read"))
        panel.use_password.setChecked(True)
        panel.password.setText("a password")
        panel.use_expiry.setChecked(False)
        panel.create_button.click()
        wait(lambda: len(panel.shares) == 2 and not panel.busy)
        dialog.move(window.geometry().center() - dialog.rect().center())
        dialog.raise_()
        dialog.activateWindow()
        shoot(out / f"share-dialog-{size[0]}x{size[1]}.png")
        dialog.close()

        notes = spec.start_path + "Documents/Budget 2026.ods"
        for number in range(3):
            client.put(notes, b"b" * (40_000 + number * 4_000))
            time.sleep(1.1)  # versions are named by the second their content was written
        window.commands.refresh.trigger()
        wait(lambda: not window.browser.loading)
        row = next(
            i
            for i in range(window.proxy.rowCount())
            if window.proxy.index(i, 0).data() == "Budget 2026.ods"
        )
        window.table.selectRow(row)
        versions = VersionsDialog(
            client,
            window._background,
            window.operations,
            spec.account,
            window.table.selected_resources()[0],
            window,
        )
        versions.show()
        wait(lambda: not versions.loading)
        versions.move(window.geometry().center() - versions.rect().center())
        versions.raise_()
        shoot(out / f"versions-dialog-{size[0]}x{size[1]}.png")
        versions.close()
        window.close()
        client.close()


if __name__ == "__main__":
    width, height = (int(n) for n in sys.argv[2].split("x"))
    main(Path(sys.argv[1]), (width, height))
