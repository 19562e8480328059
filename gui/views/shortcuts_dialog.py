"""Help > Keyboard Shortcuts: every key the main window and its pages answer to, read from their actions.

Read from the QActions themselves, so the list cannot drift from what the keys do: an action given a key, or a key
taken away, shows up here the next time the window opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from gui.views.main_window import MainWindow

EVERYWHERE = "Everywhere"


@dataclass(frozen=True)
class Shortcut:
    keys: str  # as the platform writes them, e.g. "Ctrl+Shift+C"
    what: str
    where: str  # "Everywhere", or the page it works on


def _name(action: QAction) -> str:
    text = action.text() or action.toolTip()  # an action without text (a key only) says what it does in its tip
    text = text.splitlines()[0] if text else ""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _where(action: QAction, window: MainWindow) -> str:
    """Where a key works: window-wide actions everywhere, a page's actions while that page is shown."""
    if action.shortcutContext() in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
        return EVERYWHERE
    from gui.views.main_window import PAGE_TITLES

    owner = action.parent()
    while owner is not None and owner is not window:
        for name, page in window.pages.items():
            if owner is page:
                return f"{PAGE_TITLES[name]} page"
        owner = owner.parent()
    widgets = [w for w in action.associatedObjects() if isinstance(w, QWidget) and not isinstance(w, QMenu)]
    return widgets[0].window().windowTitle() if widgets else EVERYWHERE


def shortcuts(window: MainWindow) -> list[Shortcut]:
    """Every action of the window with a key, window-wide ones first, each page's after, in menu order."""
    found: dict[tuple[str, str, str], None] = {}
    for action in window.findChildren(QAction):
        name, key = _name(action), action.shortcut()  # the first key; others are the platform's extras
        if name and not key.isEmpty():
            found[(key.toString(QKeySequence.SequenceFormat.NativeText), name, _where(action, window))] = None
    rows = [Shortcut(*key) for key in found]
    return sorted(rows, key=lambda row: (row.where != EVERYWHERE, row.where))  # sorted() keeps menu order within


class ShortcutsDialog(QDialog):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("shortcuts-dialog")
        self.setWindowTitle("Keyboard Shortcuts")
        intro = QLabel(
            "Keys that work in Portside's main window. Alt shows each menu's letter, and the Actions menu holds "
            "what the page shown can do. Tab moves between the controls of a page; the Menu key opens the "
            "actions of the selected row.",
            self,
        )
        intro.setWordWrap(True)
        self.rows = shortcuts(window)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setObjectName("shortcuts-table")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Does", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() * 3 // 2)  # a list to scan
        for row, shortcut in enumerate(self.rows):
            for column, text in enumerate((shortcut.keys, shortcut.what, shortcut.where)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.table.setFocus()
        # Sized here: adjustSize would fit the wrapped intro and leave the table a few rows high.
        self.resize(self.sizeHint())

    def sizeHint(self) -> QSize:
        """Every row without scrolling (rows are taller than a line of text), up to 24 of them."""
        metrics = self.fontMetrics()
        rows = self.table.verticalHeader().defaultSectionSize() * (min(len(self.rows), 24) + 1)
        return QSize(metrics.averageCharWidth() * 90, rows + metrics.lineSpacing() * 8)
