"""Table columns that are never cut off: they size to their longest text, and follow it as the rows change.

QHeaderView's ResizeToContents mode alone measures once (when the mode is set or columns change); rows added,
updated ("Up 5 minutes" becoming "Exited (137) About a minute ago") or ageing ("3 seconds ago") leave the width
behind. One coalesced re-measure per burst of changes keeps it right.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

# Relative times change their text without any model signal, and widen fastest in their first minute ("just now",
# "5 seconds ago", "13 seconds ago"): re-measured this often, a new row's time is not cut off for long.
AGE_INTERVAL_MS = 3_000


class ColumnFitter(QObject):
    def __init__(self, table: QTableView, columns: tuple[int, ...]):
        super().__init__(table)
        self.table = table
        self.columns = columns
        self._pending = QTimer(self, singleShot=True, interval=0, timeout=self.fit)
        self._ageing = QTimer(self, interval=AGE_INTERVAL_MS, timeout=self.fit)
        self._ageing.start()
        model = table.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.layoutChanged, model.modelReset):
            signal.connect(self._pending.start)
        model.dataChanged.connect(self._data_changed)
        self.apply_modes()

    def _data_changed(self, top_left, bottom_right, _roles=()) -> None:
        # Live figures change every second in other columns: only a change to a fitted column re-measures.
        if any(top_left.column() <= column <= bottom_right.column() for column in self.columns):
            self._pending.start()

    def apply_modes(self) -> None:
        """Sets the columns to size to their contents (again after a header state saved by an older version)."""
        header = self.table.horizontalHeader()
        for column in self.columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def fit(self) -> None:
        self.table.horizontalHeader().resizeSections()
