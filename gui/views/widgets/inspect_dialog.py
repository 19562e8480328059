"""A window that shows `docker ... inspect` output: a readable summary, the
image layers, the raw JSON, and the command that prints the same thing.

The caller does the docker work and the summarising (gui.core.engine.inspect_summary);
this widget only displays.  Secret-looking environment values are masked in
the JSON tab too, so a screenshot or a copy-paste never leaks them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core.engine.inspect_summary import HistoryRow, Section, history_rows, masked_payload
from gui.core.format import exact_bytes
from gui.views.widgets.engine_command import for_engine

__all__ = ["InspectDialog"]

_HISTORY_HEADERS = ("Created", "Created by", "Size", "Comment")
_SIZE_COLUMN = 2
_COPIED_FEEDBACK_MS = 1500

# Room for a long image reference or command, in characters and lines, so the
# window scales with the user's font instead of a fixed pixel size.
_DEFAULT_COLUMNS = 110
_DEFAULT_LINES = 36
_MAX_SCREEN_FRACTION = 0.9


def _monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class InspectDialog(QDialog):
    """Non-modal: show it with show().  It deletes itself when closed."""

    def __init__(
        self,
        title: str,
        sections: Sequence[Section],
        raw: dict,
        command: str,
        history: Sequence[HistoryRow | dict] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(False)
        # Callers open one per click and forget it; without this each would linger.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._command = for_engine(command)

        self.tabs = QTabWidget(self)
        self.summary_tree = self._build_summary(sections)
        self.tabs.addTab(self.summary_tree, "Summary")
        self.layers_table: QTableWidget | None = None
        if history is not None:
            self.layers_table = self._build_layers(history)
            self.tabs.addTab(self.layers_table, "Layers")
        self.json_view = self._build_json(raw)
        self.tabs.addTab(self.json_view, "JSON")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._build_command_row())
        layout.addWidget(buttons)
        self.resize(self._default_size())

    # ------------------------------------------------------------- summary

    def _build_summary(self, sections: Sequence[Section]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName("summary")
        tree.setHeaderLabels(["Field", "Value"])
        tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for title, rows in sections:
            _add_section(tree, title, rows)
        tree.expandAll()
        self._add_copy_action(tree)
        return tree

    def _add_copy_action(self, tree: QTreeWidget) -> None:
        # Ctrl+C and the right-click menu copy the selected values, which is
        # what a beginner wants to paste into a terminal or a question.
        action = QAction("Copy value", tree)
        action.setShortcut(QKeySequence.StandardKey.Copy)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(self._copy_selected_values)
        tree.addAction(action)
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _copy_selected_values(self) -> None:
        values = [item.text(1) for item in self.summary_tree.selectedItems() if item.parent()]
        if values:
            QGuiApplication.clipboard().setText("\n".join(values))

    # -------------------------------------------------------------- layers

    def _build_layers(self, history: Sequence[HistoryRow | dict]) -> QTableWidget:
        rows = history_rows(list(history))  # rows pass through; a raw `docker history` payload is converted
        table = QTableWidget(len(rows), len(_HISTORY_HEADERS), self)
        table.setObjectName("layers")
        table.setHorizontalHeaderLabels(list(_HISTORY_HEADERS))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        for row_index, row in enumerate(rows):
            for column, text in enumerate(row.cells):
                table.setItem(row_index, column, self._layer_cell(column, text, row.size_bytes))
        self._size_layer_columns(table.horizontalHeader())
        return table

    @staticmethod
    def _layer_cell(column: int, text: str, size: int | None) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        if column == _SIZE_COLUMN:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(exact_bytes(size))
        else:
            item.setToolTip(text)
        return item

    @staticmethod
    def _size_layer_columns(header: QHeaderView) -> None:
        # The command is the long, interesting column: it gets the spare width.
        for column in range(header.count()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    # ---------------------------------------------------------------- json

    def _build_json(self, raw: dict) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setObjectName("json")
        view.setReadOnly(True)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setFont(_monospace_font())
        view.setPlainText(json.dumps(masked_payload(raw), indent=2, ensure_ascii=False))
        return view

    # ------------------------------------------------------------- command

    def _build_command_row(self) -> QHBoxLayout:
        self.command_edit = QLineEdit(self._command, self)
        self.command_edit.setObjectName("command")
        self.command_edit.setReadOnly(True)
        self.command_edit.setFont(_monospace_font())
        self.command_edit.setToolTip(self._command)
        self.command_edit.setCursorPosition(0)  # show the start, "docker ...", not the tail
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the command, to run it yourself in a terminal")
        self.copy_button.clicked.connect(self._copy_command)

        label = QLabel("Equivalent command:", self)
        label.setBuddy(self.command_edit)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.command_edit, 1)
        row.addWidget(self.copy_button)
        return row

    def _copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self._command)
        self.copy_button.setText("Copied")
        QTimer.singleShot(_COPIED_FEEDBACK_MS, self, lambda: self.copy_button.setText("Copy"))

    # ---------------------------------------------------------------- size

    def _default_size(self) -> QSize:
        metrics = self.fontMetrics()
        wanted = QSize(metrics.averageCharWidth() * _DEFAULT_COLUMNS, metrics.height() * _DEFAULT_LINES)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return wanted
        return wanted.boundedTo(screen.availableGeometry().size() * _MAX_SCREEN_FRACTION)


def _add_section(tree: QTreeWidget, title: str, rows: Sequence[tuple[str, str]]) -> None:
    """A bold, full-width header with one field/value row per entry."""
    header = QTreeWidgetItem(tree, [title])
    font = header.font(0)
    font.setBold(True)
    header.setFont(0, font)
    header.setFirstColumnSpanned(True)
    for field, value in rows:
        item = QTreeWidgetItem(header, [field, value])
        item.setToolTip(0, field)
        item.setToolTip(1, value)
    if not rows:
        _add_placeholder(header)


def _add_placeholder(header: QTreeWidgetItem) -> None:
    """An empty section still says so, rather than looking broken."""
    item = QTreeWidgetItem(header, ["", "none"])
    font = item.font(1)
    font.setItalic(True)
    item.setFont(1, font)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # nothing to select or copy
