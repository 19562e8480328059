"""The Files window's table: a sentence in place of rows while a folder is read or when it is empty, and drops of
files and folders from the desktop, into the folder shown or into a folder row (outlined while the drag is over it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from gui.views.widgets.style import secondary_colour


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The host files and folders a drag carries (local file URLs only)."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class FilesTable(QTableView):
    """`filesDropped(paths, row)`: host paths dropped on the table; row is the folder row they were dropped on, or
    -1 for the folder shown."""

    filesDropped = Signal(list, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("files-table")
        self.setAccessibleName("Files")
        self.placeholder = ""  # shown instead of rows when set, or when there are no rows
        self._drop_row = -1
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    @property
    def drop_row(self) -> int:
        """The folder row a drag is over (outlined), or -1."""
        return self._drop_row

    def show_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.viewport().update()

    # Dropping files --------------------------------------------------------------------------

    def folder_row_at(self, point: QPoint) -> int:
        """The folder row under `point` (viewport coordinates), or -1."""
        index = self.indexAt(point)
        model = self.model()
        if not index.isValid() or model is None or model.row_at(index.row()).kind != "folder":
            return -1
        return index.row()

    def dragEnterEvent(self, event) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if not dropped_paths(event.mimeData()):
            event.ignore()
            return
        self._set_drop_row(self.folder_row_at(event.position().toPoint()))
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._set_drop_row(-1)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        row = self.folder_row_at(event.position().toPoint())
        self._set_drop_row(-1)
        if self.drop(event.mimeData(), row):
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop(self, mime: QMimeData, row: int = -1) -> bool:
        """Takes a drop's files (on a folder row, or -1 for the folder shown). False when it carried none."""
        paths = dropped_paths(mime)
        if paths:
            self.filesDropped.emit(paths, row)
        return bool(paths)

    def _set_drop_row(self, row: int) -> None:
        if row != self._drop_row:
            self._drop_row = row
            self.viewport().update()

    # Painting ----------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        model = self.model()
        empty = model is None or model.rowCount() == 0
        if (self.placeholder and empty) or self._drop_row >= 0:
            painter = QPainter(self.viewport())
            if self._drop_row >= 0:
                self._paint_drop_row(painter)
            else:
                painter.setPen(QColor(secondary_colour(self.palette())))
                margin = self.fontMetrics().averageCharWidth() * 2
                rect = self.viewport().rect().adjusted(margin, 0, -margin, 0)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()

    def _paint_drop_row(self, painter: QPainter) -> None:
        top = self.rowViewportPosition(self._drop_row)
        rect = self.viewport().rect()
        rect.setTop(top)
        rect.setHeight(self.rowHeight(self._drop_row))
        highlight = self.palette().highlight().color()
        fill = QColor(highlight)
        fill.setAlpha(60)
        painter.fillRect(rect, fill)
        painter.setPen(QPen(highlight, 2))
        painter.drawRect(rect.adjusted(1, 1, -1, -1))
