"""Disk: the engine's disk usage by category, the selected category's items biggest first, and clean-ups that
preview exactly what goes (and the space that comes back) before anything is removed."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core.disk.cleanup import Freed, action_for, preview_lines
from gui.core.disk.usage import CategoryUsage, Cleanup, CleanupPlan, DiskItem, DiskUsage, plan
from gui.core.errors import EngineError
from gui.core.format import exact_bytes, human_bytes
from gui.views.widgets import feedback, style
from gui.workers.session import EngineSession

SUMMARY_COLUMNS = ("Type", "Total", "Active", "Size", "Reclaimable")
ITEM_COLUMNS = ("Name", "Size", "Reclaimable", "Details")


class UsageBars(QWidget):
    """One horizontal bar per category, as long as its size against the biggest: the part in use solid, the
    reclaimable part light."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("disk-chart")
        self.usage: DiskUsage | None = None
        self.setMinimumHeight(self.sizeHint().height())

    def set_usage(self, usage: DiskUsage | None) -> None:
        self.usage = usage
        if usage is not None:
            self.setToolTip(
                "\n".join(
                    f"{c.category.value}: {human_bytes(c.size)}, {human_bytes(c.reclaimable)} reclaimable"
                    for c in usage.categories
                )
            )
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def sizeHint(self) -> QSize:
        return QSize(400, 4 * self._row_height() + 8)

    def paintEvent(self, _event) -> None:
        if self.usage is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        label_width = max(metrics.horizontalAdvance(c.category.value) for c in self.usage.categories) + 12
        text_width = metrics.horizontalAdvance("9999.9 MiB (9999.9 MiB free-able)")
        bar_width = max(20, self.width() - label_width - text_width - 12)
        biggest = max((c.size for c in self.usage.categories), default=0) or 1
        used_colour = self.palette().color(QPalette.ColorRole.Highlight)
        free_colour = QColor(used_colour)
        free_colour.setAlpha(80)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        row = self._row_height()
        for index, usage in enumerate(self.usage.categories):
            top = 4 + index * row
            painter.setPen(text_colour)
            painter.drawText(QRectF(0, top, label_width, row), Qt.AlignmentFlag.AlignVCenter, usage.category.value)
            used = bar_width * usage.used / biggest
            reclaimable = bar_width * usage.reclaimable / biggest
            bar_top, bar_height = top + 3, row - 6
            painter.fillRect(QRectF(label_width, bar_top, used, bar_height), used_colour)
            painter.fillRect(QRectF(label_width + used, bar_top, reclaimable, bar_height), free_colour)
            words = f"{human_bytes(usage.size)} ({human_bytes(usage.reclaimable)} reclaimable)"
            painter.drawText(
                QRectF(label_width + used + reclaimable + 6, top, text_width + bar_width, row),
                Qt.AlignmentFlag.AlignVCenter,
                words,
            )
        painter.end()


def _table(name: str, accessible_name: str, columns: tuple[str, ...], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible_name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str, tip: str = "", number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if tip:
        item.setToolTip(tip)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _size_cell(count: int | None) -> QTableWidgetItem:
    return _cell(human_bytes(count), exact_bytes(count), number=True)


class DiskPage(QWidget):
    message = Signal(str)  # a sentence for the status bar: what a clean-up freed

    def __init__(self, session: EngineSession, parent=None):
        super().__init__(parent)
        self.setObjectName("disk-page")
        self.session = session
        self.usage: DiskUsage | None = None
        self._reading = False
        self._cleaning = False

        self.free_label = QLabel(self)
        self.free_label.setObjectName("disk-free")
        self.refresh_button = QPushButton("Refresh", self, clicked=self.refresh)
        self.refresh_button.setToolTip("Read the disk usage again (docker system df -v)")
        header = QHBoxLayout()
        header.addWidget(self.free_label, 1)
        header.addWidget(self.refresh_button)

        self.result_label = feedback.message_label(self, "disk-result", hidden=True)
        self.error_label = feedback.message_label(self, "disk-error", style=style.error_label_style(), hidden=True)
        self.summary = _table("disk-summary", "Disk use by kind", SUMMARY_COLUMNS, self)
        self.summary.itemSelectionChanged.connect(self._show_items)
        self.summary.horizontalHeader().setStretchLastSection(False)
        self.summary.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.chart = UsageBars(self)
        legend = QLabel("In each bar, the solid part is in use; the light part could be freed.", self)
        style.set_secondary(legend)
        self.items = _table("disk-items", "What the chosen kind holds, biggest first", ITEM_COLUMNS, self)

        self.cleanup_buttons: dict[Cleanup, QPushButton] = {}
        buttons = QGridLayout()  # two rows: five buttons in one would make the window wider than a small screen
        for index, cleanup in enumerate(Cleanup):
            button = QPushButton(f"{cleanup.title}…", self)
            button.setObjectName(f"cleanup-{cleanup.name.lower().replace('_', '-')}")
            button.clicked.connect(lambda _checked=False, c=cleanup: self.clean(c))
            buttons.addWidget(button, index // 3, index % 3)
            self.cleanup_buttons[cleanup] = button
        buttons.setColumnStretch(3, 1)

        # In a scroll area: on a small screen the page scrolls rather than making the whole window taller.
        body = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(body)
        layout.addLayout(header)
        layout.addWidget(self.result_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart)
        layout.addWidget(legend)
        layout.addWidget(self.items, 1)
        layout.addLayout(buttons)

        session.diagnosisChanged.connect(self._on_diagnosis)
        self._show_free_space()
        self._update_buttons()

    # Reading -------------------------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.usage is None:
            self.refresh()

    def _on_diagnosis(self, _diagnosis) -> None:
        self._show_free_space()
        if self.isVisible() and self.usage is None:
            self.refresh()
        self._update_buttons()

    def refresh(self) -> None:
        """Reads `docker system df -v` off the GUI thread (the engine measures every volume: it can take a while)."""
        if self._reading:
            return
        self._reading = self.session.run(lambda engine: engine.disk_usage(), self._on_usage, self._on_read_failed)
        if self._reading:
            self.free_label.setText(self._free_words() + "  Reading the disk usage…")
        self._update_buttons()

    def _on_usage(self, usage: DiskUsage) -> None:
        self._reading = False
        self.usage = usage
        feedback.show_message(self.error_label, None)
        self._show_free_space()
        self._fill_summary(usage)
        self.chart.set_usage(usage)
        self._update_buttons()

    def _on_read_failed(self, error: EngineError) -> None:
        self._reading = False
        self._show_free_space()
        feedback.show_message(self.error_label, f"Could not read the disk usage: {error.message}")
        self._update_buttons()

    def _free_words(self) -> str:
        diagnosis = self.session.diagnosis
        info = diagnosis.info if diagnosis is not None else None
        if info is None:
            return "The engine is not connected."
        if info.data_root_free_bytes is None:
            return f"Free space where the engine keeps its data ({info.data_root}): not known (an engine elsewhere)."
        return (
            f"Free space where the engine keeps its data ({info.data_root}): {human_bytes(info.data_root_free_bytes)}"
        )

    def _show_free_space(self) -> None:
        self.free_label.setText(self._free_words())

    def _fill_summary(self, usage: DiskUsage) -> None:
        selected = self._selected_category()
        self.summary.setRowCount(len(usage.categories))
        for row, category in enumerate(usage.categories):
            share = f"{category.reclaimable * 100 // category.size} %" if category.size else "0 %"
            cells = (
                _cell(category.category.value),
                _cell(str(category.count), number=True),
                _cell(str(category.active), "in use", number=True),
                _size_cell(category.size),
                _cell(f"{human_bytes(category.reclaimable)} ({share})", exact_bytes(category.reclaimable), True),
            )
            for column, cell in enumerate(cells):
                self.summary.setItem(row, column, cell)
        # All four rows, no empty space under them.
        frame = 2 * self.summary.frameWidth()
        rows_height = sum(self.summary.rowHeight(row) for row in range(self.summary.rowCount()))
        self.summary.setFixedHeight(self.summary.horizontalHeader().height() + rows_height + frame)
        index = [c.category for c in usage.categories].index(selected) if selected else 0
        self.summary.selectRow(index)
        self._show_items()

    def _selected_category(self):
        rows = self.summary.selectionModel().selectedRows()
        if not rows or self.usage is None:
            return None
        return self.usage.categories[rows[0].row()].category

    def _show_items(self) -> None:
        category = self._selected_category()
        usage: CategoryUsage | None = self.usage.category(category) if category and self.usage else None
        items: tuple[DiskItem, ...] = usage.items if usage else ()
        self.items.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (
                _cell(item.name, item.key),
                _size_cell(item.size),
                _size_cell(item.reclaimable),
                _cell(item.detail),
            )
            for column, cell in enumerate(cells):
                self.items.setItem(row, column, cell)

    # Cleaning up ---------------------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        ready = self.session.connected and self.usage is not None and not self._reading and not self._cleaning
        self.refresh_button.setEnabled(self.session.connected and not self._reading)
        for cleanup, button in self.cleanup_buttons.items():
            planned = plan(self.usage, cleanup) if self.usage is not None else None
            button.setEnabled(ready and planned is not None and not planned.empty)
            tip = f"{cleanup.title}: shows what goes and the space it frees before removing anything"
            if planned is not None:
                one, several = cleanup.noun
                count = len(planned.items)
                tip += f"\n{count} {one if count == 1 else several}, {planned.space_words()}\n{planned.command}"
            button.setToolTip(tip)

    def clean(self, cleanup: Cleanup) -> None:
        """Shows exactly what goes and the space that comes back; removes those items only when confirmed."""
        if self.usage is None or self._cleaning:
            return
        planned = plan(self.usage, cleanup)
        if planned.empty:
            self._say(f"Nothing to remove: no {cleanup.value}.")
            return
        confirmed, _ = feedback.confirm(self, cleanup.title, self._preview(planned), planned.command, "Remove")
        if not confirmed:
            return
        self._cleaning = True
        self._update_buttons()
        performing = self.session.perform(
            action_for(planned), on_done=self._cleaned, on_error=lambda error: self._clean_failed(cleanup, error)
        )
        if not performing:
            self._cleaning = False
            self._update_buttons()

    @staticmethod
    def _preview(planned: CleanupPlan) -> str:
        one, several = planned.cleanup.noun
        count = len(planned.items)
        lines = [f"These {count} {one if count == 1 else several} will be removed, freeing {planned.space_words()}:"]
        lines += [f"  • {line}" for line in preview_lines(planned)]
        if planned.note:
            lines += ["", planned.note]
        if planned.cleanup is not Cleanup.BUILD_CACHE:
            lines += ["", "Nothing else is removed, even what became unused since this list was read."]
        return "\n".join(lines)

    def _cleaned(self, freed: Freed) -> None:
        self._cleaning = False
        self._say(freed.sentence())
        self.usage = None  # read anew: the engine's own numbers after the clean-up
        self.refresh()
        self.session.check()  # the free space, measured again

    def _clean_failed(self, cleanup: Cleanup, error: EngineError) -> None:
        self._cleaning = False
        self._update_buttons()
        feedback.show_error(self, f"Could not {cleanup.title.lower()}", error)

    def _say(self, sentence: str) -> None:
        feedback.show_message(self.result_label, sentence)
        self.message.emit(sentence)
