"""What a user does in the Files window's tests: read the rows shown, double-click one, press keys, drop files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

WAIT_MS = 10_000


def shown(window) -> list[str]:
    model = window.table.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def row_of(window, name: str) -> int:
    names = shown(window)
    assert name in names, f"{name} not shown in {names}"
    return names.index(name)


def select(window, *names: str) -> None:
    window.table.clearSelection()
    for name in names:
        window.table.selectionModel().select(
            window.table.model().index(row_of(window, name), 0),
            window.table.selectionModel().SelectionFlag.Select | window.table.selectionModel().SelectionFlag.Rows,
        )


def double_click(qtbot, window, name: str) -> None:
    table = window.table
    centre = table.visualRect(table.model().index(row_of(window, name), 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def wait_for_folder(qtbot, window, path: str) -> None:
    qtbot.waitUntil(lambda: window.listing is not None and window.listing.path == path, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window._listing_job is None, timeout=WAIT_MS)


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def drop_files(window, paths: list[Path], on: str | None = None) -> None:
    """Drags host files over the table and drops them, as from a file manager: on the row named `on`, else on the
    empty space below the rows."""
    table = window.table
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    if on is not None:
        point = table.visualRect(table.model().index(row_of(window, on), 0)).center()
    else:
        point = QPoint(table.viewport().rect().center().x(), table.viewport().rect().bottom() - 5)
    buttons, modifiers, action = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, Qt.DropAction.CopyAction
    for event in (
        QDragEnterEvent(point, action, mime, buttons, modifiers),
        QDragMoveEvent(point, action, mime, buttons, modifiers),
        QDropEvent(QPointF(point), action, mime, buttons, modifiers),
    ):
        QApplication.sendEvent(table.viewport(), event)
        assert event.isAccepted(), f"the table refused {event.type()}"
