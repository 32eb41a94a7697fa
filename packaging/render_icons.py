"""Render the application icon's PNGs from resources/davdesk.svg.

Desktops that cannot draw SVG (older panels, Windows shortcuts, the PyInstaller
build on Windows and macOS) want PNGs; they are committed, and this script
makes them again after the SVG changes:

    QT_QPA_PLATFORM=offscreen uv run python packaging/render_icons.py

They go to resources/hicolor/<n>x<n>/apps/davdesk.png, the freedesktop icon
theme layout, so a package can copy the tree into /usr/share/icons/hicolor/.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int, target: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):
        raise OSError(f"could not write {target}")


def main() -> int:
    QGuiApplication(sys.argv[:1])
    for size in SIZES:
        target = RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "davdesk.png"
        render(RESOURCES / "davdesk.svg", size, target)
        print(target.relative_to(RESOURCES.parent))
    # Desktops that scale icons (HiDPI, large launchers) prefer the SVG itself.
    scalable = RESOURCES / "hicolor" / "scalable" / "apps" / "davdesk.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RESOURCES / "davdesk.svg", scalable)
    print(scalable.relative_to(RESOURCES.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
