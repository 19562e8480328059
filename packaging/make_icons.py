#!/usr/bin/env python3
"""Render resources/icons/portside.svg into the hicolor icon theme layout.

Run from anywhere: ``python3 packaging/make_icons.py``. The PNGs are committed,
so this only needs re-running after the SVG changes (no Qt needed at install time).
"""

import os
import shutil
import sys
from pathlib import Path

# Must be set before Qt starts so it also works headless (CI, SSH, containers).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

APP_ID = "io.github.portside.Portside"
SIZES = (16, 24, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "portside.svg"


def render(renderer: QSvgRenderer, size: int, dest: Path) -> None:
    # Premultiplied ARGB is what QPainter draws into fastest; start fully
    # transparent so the corners outside the round porthole stay see-through.
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(dest), "PNG"):
        sys.exit(f"could not write {dest}")


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 (keeps Qt alive)
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        sys.exit(f"not a valid SVG: {SOURCE}")

    for size in SIZES:
        dest = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        render(renderer, size, dest)
        print(dest.relative_to(ICONS.parent.parent))

    # Desktops that can scale vectors prefer the SVG itself.
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    print(scalable.relative_to(ICONS.parent.parent))


if __name__ == "__main__":
    main()
