"""The Run dialog's list of GPUs to tick: per GPU (and MIG instance) its name, memory used of total, how busy and
warm it is, and the containers holding its memory, refreshed in place from the Monitor's samples.

Each row keeps the id `--gpus device=` gets (the GPU's index, or a MIG instance's UUID) under Qt.UserRole and the
UUID under UserRole + 1; a ticked id that no GPU here has stays listed, so the user sees it and can untick it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from gui.core.format import human_bytes
from gui.core.run.gpu_need import gib
from gui.core.run.gpus import GpuChoice, holder_name
from gui.views.widgets.style import WARNING_COLOUR, secondary_colour

ID_ROLE = Qt.ItemDataRole.UserRole
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's two lines, drawn apart by GpuRowDelegate
USAGE_ROLE = Qt.ItemDataRole.UserRole + 3
FILL_ROLE = Qt.ItemDataRole.UserRole + 4  # share of its memory in use (0..1), or None
INDENT_ROLE = Qt.ItemDataRole.UserRole + 5  # 1 for a MIG instance: drawn under its GPU
NEARLY_FULL = 0.9  # the memory bar turns to the warning colour from here
MOST_HOLDERS = 3  # named on the row; the tooltip names them all
NOT_HERE = "not on this computer"


def title_line(choice: GpuChoice) -> str:
    """ "0 · NVIDIA H100 80GB HBM3", or "MIG 3g.40gb #0 on GPU 0"; with its memory size until the usage line says it."""
    title = choice.label if choice.mig_slot is not None else f"{choice.index} · {choice.name}"
    return title if choice.memory_used is not None else f"{title} · {human_bytes(choice.memory_total)}"


def usage_line(choice: GpuChoice) -> str:
    """ "62 of 80 GiB used · 97 % busy · 71 °C · trainer 40 GiB, web 20 GiB"; "" before the first sample."""
    if choice.lost:
        return "Stopped answering the driver (hover for what to do)"
    if choice.memory_used is None:
        return ""
    parts = [f"{gib(choice.memory_used).removesuffix(' GiB')} of {gib(choice.memory_total)} used"]
    if choice.utilization is not None:
        parts.append(f"{choice.utilization:.0f} % busy")
    if choice.temperature is not None:
        parts.append(f"{choice.temperature} °C")
    named = [f"{holder_name(holder)} {gib(holder.memory)}" for holder in choice.holders[:MOST_HOLDERS]]
    more = len(choice.holders) - MOST_HOLDERS
    if named:
        parts.append(", ".join(named) + (f" and {more} more" if more > 0 else ""))
    else:
        parts.append("nothing running on it")
    return " · ".join(parts)


def tooltip(choice: GpuChoice) -> str:
    lines = [choice.name, f"UUID: {choice.uuid}" if choice.uuid else "", f"docker run --gpus device={choice.device_id}"]
    if choice.memory_free is not None:
        lines.append(f"Free now: {human_bytes(choice.memory_free)} of {human_bytes(choice.memory_total)}")
    lines += [f"{holder_name(holder)}: {human_bytes(holder.memory)}" for holder in choice.holders]
    if choice.problem:
        lines.append(choice.problem)
    return "\n".join(line for line in lines if line)


class GpuList(QListWidget):
    """Tickable GPUs. Updating from a sample changes the rows' text only: no flicker, ticks and scroll kept."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gpu-list")
        self.setAccessibleName("GPUs to give")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)  # the ticks are the choice
        self.setUniformItemSizes(False)
        self.setItemDelegate(GpuRowDelegate(self))
        self._ids: tuple[str, ...] = ()  # the device ids of the GPU rows, in order (rows not here come after)

    def show_choices(self, choices: Sequence[GpuChoice]) -> None:
        """Shows these GPUs; rows of the same GPUs are updated in place, without signals."""
        ids = tuple(choice.device_id for choice in choices)
        self.blockSignals(True)
        try:
            if ids != self._ids:
                ticked = self.chosen_ids()
                self.clear()
                for choice in choices:
                    item = QListWidgetItem(self)
                    item.setData(ID_ROLE, choice.device_id)
                    item.setData(UUID_ROLE, choice.uuid)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                self._ids = ids
                self.check_ids(ticked)
            for row, choice in enumerate(choices):
                self._fill(self.item(row), choice)
        finally:
            self.blockSignals(False)

    @staticmethod
    def _fill(item: QListWidgetItem, choice: GpuChoice) -> None:
        title, usage = title_line(choice), usage_line(choice)
        text = f"{title}\n{usage}" if usage else title
        if item.text() == text:
            return  # nothing changed: no repaint
        item.setText(text)  # both lines: what a screen reader reads, and a copy of what is drawn
        item.setData(TITLE_ROLE, title)
        item.setData(INDENT_ROLE, 0 if choice.mig_slot is None else 1)
        item.setData(USAGE_ROLE, usage)
        total = choice.memory_total
        used = choice.memory_used
        item.setData(FILL_ROLE, min(1.0, used / total) if used is not None and total else None)
        tip = tooltip(choice)
        if item.toolTip() != tip:
            item.setToolTip(tip)

    def chosen_ids(self) -> tuple[str, ...]:
        return tuple(
            self.item(row).data(ID_ROLE)
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        )

    def check_ids(self, ids: Iterable[str]) -> None:
        """Ticks the GPUs named by index or UUID (MIG instances by theirs); an id no GPU here has gets a row."""
        self.blockSignals(True)
        try:
            for device_id in ids:
                item = self._item_of(device_id)
                if item is None:
                    item = QListWidgetItem(f"{device_id} · {NOT_HERE}", self)
                    item.setData(ID_ROLE, device_id)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
        finally:
            self.blockSignals(False)

    def uncheck_all(self) -> None:
        self.blockSignals(True)
        try:
            for row in range(self.count()):
                self.item(row).setCheckState(Qt.CheckState.Unchecked)
        finally:
            self.blockSignals(False)

    def _item_of(self, device_id: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if device_id in (item.data(ID_ROLE), item.data(UUID_ROLE)):
                return item
        return None


class GpuRowDelegate(QStyledItemDelegate):
    """Draws a GPU row as its title, then a quieter usage line after a small memory bar; a click anywhere on the
    row ticks it (the check box alone is a small target)."""

    @staticmethod
    def _indented(option: QStyleOptionViewItem, index) -> QStyleOptionViewItem:
        """A MIG instance's row starts further right, under its GPU's name."""
        if not index.data(INDENT_ROLE):
            return option
        moved = QStyleOptionViewItem(option)
        moved.rect = option.rect.adjusted(option.fontMetrics.averageCharWidth() * 3, 0, 0, 0)
        return moved

    def _lines(self, index) -> tuple[str, str]:
        return index.data(TITLE_ROLE) or "", index.data(USAGE_ROLE) or ""

    def _top(self, option: QStyleOptionViewItem, index) -> QStyleOptionViewItem:
        """The option for the first line only: check box and title, drawn and hit-tested there."""
        top = QStyleOptionViewItem(option)
        self.initStyleOption(top, index)
        top.text = self._lines(index)[0]
        top.rect = QRect(option.rect.left(), option.rect.top(), option.rect.width(), self._line_height(option))
        return top

    @staticmethod
    def _line_height(option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() + 6

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        size = super().sizeHint(option, index)
        if not self._lines(index)[1]:
            return size
        return QSize(size.width(), 2 * self._line_height(option) + 2)

    def paint(self, painter, option: QStyleOptionViewItem, index) -> None:
        usage = self._lines(index)[1]
        widget = option.widget
        style = widget.style() if widget is not None else None
        if not usage or style is None:
            super().paint(painter, self._indented(option, index), index)
            return
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, full, painter, widget)
        option = self._indented(option, index)
        top = self._top(option, index)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, top, painter, widget)
        text_left = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, top, widget).left()
        line = QRect(text_left, top.rect.bottom() + 1, option.rect.right() - text_left, self._line_height(option))
        painter.save()
        fill = index.data(FILL_ROLE)
        if fill is not None:
            line = self._draw_bar(painter, option, line, fill)
        enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
        painter.setPen(
            QColor(secondary_colour(option.palette))
            if enabled
            else option.palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        )
        elided = option.fontMetrics.elidedText(usage, Qt.TextElideMode.ElideRight, line.width())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()

    @staticmethod
    def _draw_bar(painter, option: QStyleOptionViewItem, line: QRect, fill: float) -> QRect:
        """A memory bar at the start of the line; returns the room left for the text."""
        width = option.fontMetrics.averageCharWidth() * 8
        height = max(4, option.fontMetrics.height() // 2)
        bar = QRect(line.left(), line.center().y() - height // 2, width, height)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(option.palette.color(QPalette.ColorRole.Base))
        painter.drawRect(bar.adjusted(0, 0, -1, -1))
        used = round((width - 2) * fill)
        if used > 0:
            colour = (
                QColor(WARNING_COLOUR) if fill >= NEARLY_FULL else option.palette.color(QPalette.ColorRole.Highlight)
            )
            painter.fillRect(QRect(bar.left() + 1, bar.top() + 1, used, height - 2), colour)
        gap = option.fontMetrics.averageCharWidth()
        return QRect(bar.right() + gap, line.top(), line.right() - bar.right() - gap, line.height())

    def editorEvent(self, event, model, option: QStyleOptionViewItem, index) -> bool:
        flags = index.flags()
        checkable = flags & Qt.ItemFlag.ItemIsUserCheckable and flags & Qt.ItemFlag.ItemIsEnabled
        if (
            checkable
            and event.type() == QEvent.Type.MouseButtonRelease
            and event.button() == Qt.MouseButton.LeftButton
            and option.rect.contains(event.position().toPoint())
        ):
            ticked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked.value
            state = Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked
            return model.setData(index, state.value, Qt.ItemDataRole.CheckStateRole)
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick) and checkable:
            return True  # the release ticks, like a button's
        return super().editorEvent(event, model, self._top(self._indented(option, index), index), index)
