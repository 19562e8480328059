"""A page with a toolbar, a filter box and a sortable, filterable, multi-select table."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedLayout,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui.models.lists import ListFilter
from gui.models.table import ROW_ROLE, RowTableModel
from gui.views.widgets.style import set_secondary


class ListPage(QWidget):
    selectionChanged = Signal()
    message = Signal(str)  # a short note for the status bar

    def __init__(self, name: str, model: RowTableModel, empty_text: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"{name}-page")
        self.name = name
        self.model = model
        self.proxy = ListFilter(self)
        self.proxy.setSourceModel(model)

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(f"Filter {name} (Ctrl+F)")
        self.filter_edit.setAccessibleName(f"Filter {name}")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)

        self.table = QTableView(self)
        self.table.setObjectName(f"{name}-table")
        self.table.setAccessibleName(name.capitalize())
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        # Titles over the start of their column: centred over a wide one, they float away from its text.
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selectionChanged.emit())

        # An empty list says what to do next instead of showing a blank grid.
        self.empty_label = QLabel(empty_text, self)
        self.empty_label.setObjectName(f"{name}-empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        set_secondary(self.empty_label)
        self._empty_text = empty_text
        self._stretch_column: int | None = None  # None: the last column takes the width left over
        self._stack = QStackedLayout()
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.filter_edit)
        layout.addLayout(self._stack)

        for signal in (
            model.rowsInserted,
            model.rowsRemoved,
            model.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_empty_state)
        self._update_empty_state()
        self._context_actions: list[QAction | None] = []

        # Relative times ("3 minutes ago") are computed when painted: repaint now and then so they age.
        self._age_timer = QTimer(self, interval=30_000, timeout=self.table.viewport().update)
        self._age_timer.start()

        focus_filter = QAction(self)
        focus_filter.setShortcut(QKeySequence.StandardKey.Find)
        focus_filter.setToolTip(f"Filter the {name}")  # Help > Keyboard Shortcuts names it so
        focus_filter.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        focus_filter.triggered.connect(lambda: (self.filter_edit.setFocus(), self.filter_edit.selectAll()))
        self.addAction(focus_filter)

    def set_column_widths(
        self, characters: list[int], sort_column: int = 0, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        """Default widths in characters of the current font (HiDPI-safe), and the default sort."""
        width = self.table.fontMetrics().averageCharWidth()
        for column, count in enumerate(characters):
            self.table.setColumnWidth(column, count * width)
        self.table.sortByColumn(sort_column, order)

    def set_stretch_column(self, column: int) -> None:
        """`column` (long names) takes the width the others leave, rather than the last one: a date or a sparkline
        stretched across a wide screen reads badly, while the names beside it are cut off."""
        self._stretch_column = column
        self._apply_stretch()

    def _apply_stretch(self) -> None:
        if self._stretch_column is not None:
            header = self.table.horizontalHeader()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(self._stretch_column, QHeaderView.ResizeMode.Stretch)

    def add_action(
        self,
        text: str,
        slot,
        shortcut=None,
        tip: str = "",
        in_menu: bool = True,
        needs_selection: bool = True,
        icon=None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(icon)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        action.setProperty("needs_selection", needs_selection)
        self.toolbar.addAction(action)
        self.addAction(action)
        if in_menu:
            self._context_actions.append(action)
        return action

    def add_separator(self) -> None:
        self.toolbar.addSeparator()
        self._context_actions.append(None)

    def _show_context_menu(self, position) -> None:
        if not self.selected_rows():
            return
        menu = QMenu(self)
        for action in self._context_actions:
            if action is None:
                menu.addSeparator()
            elif action.property("needs_selection"):
                menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def _update_empty_state(self, *_) -> None:
        if self.model.rowCount() == 0:
            self.empty_label.setText(self._empty_text)
            self._stack.setCurrentWidget(self.empty_label)
        elif self.proxy.rowCount() == 0:
            self.empty_label.setText("Nothing matches the filter. Clear it to see everything.")
            self._stack.setCurrentWidget(self.empty_label)
        else:
            self._stack.setCurrentWidget(self.table)

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_label

    def selected_rows(self) -> list:
        indexes = self.table.selectionModel().selectedRows()
        return [index.data(ROW_ROLE) for index in sorted(indexes, key=lambda i: i.row())]

    def select_keys(self, keys: set, key) -> None:
        """Selects the shown rows whose key(row) is in `keys`, in one selection change."""
        wanted = QItemSelection()
        for position, row in enumerate(self.model.rows):
            if key(row) in keys:
                index = self.proxy.mapFromSource(self.model.index(position, 0))
                if index.isValid():
                    wanted.select(index, index)
        self.table.selectionModel().select(
            wanted, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"{self.name}/header", self.table.horizontalHeader().saveState())
        settings.setValue(f"{self.name}/columns", self.model.columnCount())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value(f"{self.name}/header")
        columns = settings.value(f"{self.name}/columns", type=int)
        # A header saved when the table had other columns (an older version) would put widths and order on the
        # wrong ones: the table starts fresh instead.
        if state is not None and columns == self.model.columnCount():
            self.table.horizontalHeader().restoreState(state)
            self._apply_stretch()  # a header saved by an older version stretched the last column
