"""The layers of a pull or a push, a bar for the whole, a summary and a status line, as `docker pull`/`push` show them.

Display only: it reads a PullProgress or a PushProgress (both a core TransferProgress) and shows it.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHeaderView, QLabel, QProgressBar, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from gui.core.registry.transfer import TransferLayer, TransferProgress
from gui.views.widgets.feedback import message_label

PROGRESS_STEPS = 1000  # finer than percent, so big transfers visibly move
ID_COLUMN, STATUS_COLUMN, PROGRESS_COLUMN = range(3)
# Qt's palette has no role for errors: a red chosen to read on the palette's own background.
ERROR_ON_LIGHT = QColor("#c62828")
ERROR_ON_DARK = QColor("#ff6b6b")


def colour_as_error(label: QLabel, window: QWidget) -> None:
    """Red text that reads on the window's background; call again when the palette changes (light/dark)."""
    palette = label.palette()
    dark = window.palette().color(QPalette.ColorRole.Window).lightness() < 128
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_ON_DARK if dark else ERROR_ON_LIGHT)
    label.setPalette(palette)


class TransferView(QWidget):
    def __init__(self, parent: QWidget | None = None, name: str = "transfer"):
        super().__init__(parent)
        self._items: dict[str, QTreeWidgetItem] = {}

        self.layers_view = QTreeWidget(self)
        self.layers_view.setObjectName(f"{name}-layers")
        self.layers_view.setHeaderLabels(["Layer", "Status", "Progress"])
        self.layers_view.setRootIsDecorated(False)
        self.layers_view.setUniformRowHeights(True)
        self.layers_view.setAlternatingRowColors(True)
        header = self.layers_view.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName(f"{name}-progress")
        self.summary_label = message_label(self, f"{name}-summary")
        self.status_label = message_label(self, f"{name}-status")  # "Pulling busybox…", "Pull cancelled.", …

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layers_view, stretch=1)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.status_label)

    def clear(self) -> None:
        self._items.clear()
        self.layers_view.clear()
        self.summary_label.clear()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)

    def show_progress(self, progress: TransferProgress) -> None:
        for layer in progress.layers:
            self._show_layer(layer)
        fraction = progress.fraction
        if fraction is None:
            self.progress_bar.setRange(0, 0)  # busy: some sizes are not known yet
        else:
            self.progress_bar.setRange(0, PROGRESS_STEPS)
            self.progress_bar.setValue(round(fraction * PROGRESS_STEPS))
        self.summary_label.setText(progress.summary())

    def show_status(self, text: str, details: str = "") -> None:
        """The status line; `details`, its tooltip, holds the engine's own words for the curious."""
        self.status_label.setText(text)
        self.status_label.setToolTip(details)

    def stop_busy_bar(self) -> None:
        """After a failure or a cancel: a bar that keeps bouncing would say work is still going on."""
        if self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, PROGRESS_STEPS)
            self.progress_bar.setValue(0)

    def rows(self) -> list[list[str]]:
        """What the table shows, row by row (for tests and for copying)."""
        return [
            [self.layers_view.topLevelItem(row).text(column) for column in range(3)]
            for row in range(self.layers_view.topLevelItemCount())
        ]

    def _show_layer(self, layer: TransferLayer) -> None:
        item = self._items.get(layer.id)
        if item is None:
            item = QTreeWidgetItem(self.layers_view, [layer.id, "", ""])
            self._items[layer.id] = item
        item.setText(STATUS_COLUMN, layer.status)
        item.setText(PROGRESS_COLUMN, layer.progress_text())
