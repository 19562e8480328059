"""Table columns that are never cut off: they size to their longest text, and follow it as the rows change.

Qt's own ResizeToContents asks the delegate for a size hint of every row (a dozen data() calls each): with a
thousand rows that is a tenth of a second on every refresh. Here a column's width comes from its texts in plain
Python (RowTableModel.column_texts), each distinct text measured once (statuses and ages repeat: "Up 5 minutes",
"2 hours ago"), and the delegate is asked once, for the widest. One coalesced fit per burst of changes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel, QTimer
from PySide6.QtWidgets import QHeaderView, QStyleOptionViewItem, QTableView

# Relative times change their text without any model signal, and widen fastest in their first minute ("just now",
# "5 seconds ago", "13 seconds ago"): re-measured this often, a new row's time is not cut off for long.
AGE_INTERVAL_MS = 3_000
# Measured texts kept; past this the memory starts again (the texts of a day of ages and statuses fit easily).
MAX_MEASURED = 5_000


class ColumnFitter(QObject):
    def __init__(self, table: QTableView, columns: tuple[int, ...]):
        super().__init__(table)
        self.table = table
        self.columns = columns
        self._text_widths: dict[str, int] = {}
        self._font_key = ""
        self._fitted: dict[int, int] = {}  # column: the width this fitter gave it last
        self._pending = QTimer(self, singleShot=True, interval=0, timeout=self.fit)
        self._ageing = QTimer(self, interval=AGE_INTERVAL_MS, timeout=self.fit)
        self._ageing.start()
        view_model = table.model()
        self.source = view_model.sourceModel() if isinstance(view_model, QSortFilterProxyModel) else view_model
        for signal in (self.source.rowsInserted, self.source.rowsRemoved, self.source.modelReset):
            signal.connect(self._pending.start)
        self.source.dataChanged.connect(self._data_changed)
        # A fitted column made narrower (a header saved by an older version, a width set by code) comes back.
        table.horizontalHeader().sectionResized.connect(self._section_resized)
        self.apply_modes()

    def _data_changed(self, top_left, bottom_right, _roles=()) -> None:
        # Live figures change every second in other columns: only a change to a fitted column re-measures.
        if any(top_left.column() <= column <= bottom_right.column() for column in self.columns):
            self._pending.start()

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column in self.columns and new != self._fitted.get(column):
            self._pending.start()

    def apply_modes(self) -> None:
        """Sets the columns to a width only this fitter changes (again after a header state saved by an older
        version, whose ResizeToContents would measure every row itself)."""
        header = self.table.horizontalHeader()
        for column in self.columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self._fitted.clear()
        self._pending.start()

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        for column in self.columns:
            width = max(header.sectionSizeHint(column), self._widest_cell(column))
            self._fitted[column] = width
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def _widest_cell(self, column: int) -> int:
        """The width the delegate wants for the column's longest text (0 with no rows)."""
        measure = self._measurer()
        widths = self._text_widths
        widest_row, widest = -1, -1
        for row, text in enumerate(self.source.column_texts(column)):
            width = widths.get(text)
            if width is None:
                width = widths[text] = measure(text)
            if width > widest:
                widest_row, widest = row, width
        return 0 if widest_row < 0 else widest + self._padding(self.source.index(widest_row, column), widest)

    def _measurer(self):
        font_key = self.table.font().key()
        if font_key != self._font_key or len(self._text_widths) > MAX_MEASURED:
            self._text_widths.clear()
            self._font_key = font_key
        return self.table.fontMetrics().horizontalAdvance

    def _padding(self, index, text_width: int) -> int:
        """What the delegate adds around a text (margins, focus frame) and the grid line: asked of one cell."""
        delegate = self.table.itemDelegateForColumn(index.column()) or self.table.itemDelegate()
        option = QStyleOptionViewItem()
        self.table.initViewItemOption(option)
        padding = delegate.sizeHint(option, index).width() - text_width
        return max(0, padding) + (1 if self.table.showGrid() else 0)
