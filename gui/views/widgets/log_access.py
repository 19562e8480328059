"""What assistive technology (a screen reader) reads of a log view: its text, the caret and where each character is.

A QPlainTextEdit gives Qt's text interface to screen readers; a LogView paints its lines itself, so it gives its own:
the kept lines joined by newlines, every offset worked out from line lengths (gui.views.widgets.log_lines), so a
million-line log never becomes one string to answer where the caret is or what a line says.

What PySide6 (6.11) allows, and so what this does:
- The interface is a QAccessibleWidget and a QAccessibleTextInterface at once; interface_cast hands Qt the address of
  the text interface part (a shiboken VoidPtr), and Qt's calls through it reach the methods here.
- PySide6 leaves out the text interface's functions with out-parameters: textAtOffset, textBeforeOffset,
  textAfterOffset, selection and attributes. For the first three Qt runs its own versions, which ask for the whole
  text (text(0, characterCount())) and look for the line or word in it; text_at_offset() and its neighbours below
  answer the same from line lengths, for this module's own use (the Value text) and for the day PySide binds them.
  PySide's stand-in for selection() writes no offsets, so a screen reader asking for the selection would read
  whatever its variables held: selectionCount() says there is none instead.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Protocol

import shiboken6
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QAccessible, QAccessibleTextInterface
from PySide6.QtWidgets import QAccessibleWidget, QWidget

from gui.views.widgets.log_lines import LogLines, Position, utf16_units, word_spans

__all__ = ["AccessibleLog", "LogAccessible", "install_factory"]

_Boundary = QAccessible.TextBoundaryType


class AccessibleLog(Protocol):
    """What the interface asks of the view (gui.views.widgets.log_view.LogView)."""

    @property
    def kept_lines(self) -> LogLines: ...

    def caret_position(self) -> Position: ...
    def select_range(self, anchor: Position, caret: Position) -> None: ...
    def show_range(self, start: Position, end: Position) -> None: ...
    def position_at(self, point: QPoint) -> Position: ...
    def position_rect(self, position: Position) -> QRect: ...
    def viewport(self) -> QWidget: ...
    def accessibleName(self) -> str: ...
    def accessibleDescription(self) -> str: ...


_installed_for: list[type] = []
# Every interface made, while its view lives. PySide's factory holds what it made too, and lets go when the
# application ends, before Qt's accessibility cache does when that cache came first (a screen reader listened before
# the first log view): an interface whose view Qt still had to delete then was deleted twice, and the application
# crashed on its way out. Held here as well, an interface is deleted by Qt alone, with its view or the cache.
_alive: set[LogAccessible] = set()


def install_factory(view_class: type) -> None:
    """Let Qt give views of `view_class` a LogAccessible (once per process; Qt asks only when it needs one)."""
    if view_class in _installed_for:
        return
    _installed_for.append(view_class)
    name = view_class.__name__

    def make(class_name: str, widget: object) -> LogAccessible | None:
        # Qt asks with each of the object's class names, the most derived first: the view's own is the one to answer.
        if class_name != name or not isinstance(widget, view_class):
            return None
        interface = LogAccessible(widget)
        _alive.add(interface)
        widget.destroyed.connect(lambda: _alive.discard(interface))
        return interface

    QAccessible.installFactory(make)


class LogAccessible(QAccessibleWidget, QAccessibleTextInterface):
    """A log view as a read-only, multi-line text."""

    def __init__(self, view: QWidget) -> None:
        QAccessibleWidget.__init__(self, view, QAccessible.Role.EditableText)  # as a read-only QPlainTextEdit
        QAccessibleTextInterface.__init__(self)

    def _view(self) -> AccessibleLog:
        # Asked each time, not kept: PySide keeps every interface a factory made for good, and a view kept here
        # would keep its lines (up to a million) after its window closed.
        return self.widget()  # type: ignore[return-value]

    def _lines(self) -> LogLines:
        return self._view().kept_lines

    # ------------------------------------------------------------ the widget

    def interface_cast(self, kind: QAccessible.InterfaceType) -> int:
        if kind == QAccessible.InterfaceType.TextInterface:
            return shiboken6.VoidPtr(shiboken6.getCppPointer(self)[1])  # the QAccessibleTextInterface part
        return QAccessibleWidget.interface_cast(self, kind)

    def state(self) -> QAccessible.State:
        state = QAccessibleWidget.state(self)
        state.readOnly = state.multiLine = state.selectableText = state.focusable = True
        return state

    def text(self, *arguments):  # type: ignore[override]
        """Both text()s: QAccessibleInterface.text(kind) (name, description, value) and the text interface's
        text(start, end): PySide calls the one Python method for either."""
        if len(arguments) == 2:
            return self._text_between(*arguments)
        kind = arguments[0]
        view = self._view()
        if kind == QAccessible.Text.Name:
            return view.accessibleName() or "Log"
        if kind == QAccessible.Text.Description:
            return view.accessibleDescription() or f"Read-only log, {len(self._lines()):,} lines"
        if kind == QAccessible.Text.Value:  # the caret's line: the whole log can be a million lines
            return self.text_at_offset(self.cursorPosition(), _Boundary.LineBoundary)[0].rstrip("\n")
        return QAccessibleWidget.text(self, kind)

    # -------------------------------------------------------------- the text

    def _text_between(self, start: int, end: int) -> str:
        lines = self._lines()
        if end < 0:  # -1: to the end, as Qt's callers may say
            end = lines.character_count()
        if end <= start:
            return ""
        return lines.text_between(lines.position_of(start), lines.position_of(end))

    def characterCount(self) -> int:
        return self._lines().character_count()

    def cursorPosition(self) -> int:
        return self._lines().offset_of(self._view().caret_position())

    def setCursorPosition(self, position: int) -> None:
        caret = self._lines().position_of(position)
        self._view().select_range(caret, caret)

    def selectionCount(self) -> int:
        return 0  # see the module's notes: PySide's selection() would hand the reader stray offsets

    def addSelection(self, start: int, end: int) -> None:
        lines = self._lines()
        self._view().select_range(lines.position_of(start), lines.position_of(end))

    def setSelection(self, _index: int, start: int, end: int) -> None:
        self.addSelection(start, end)

    def removeSelection(self, _index: int) -> None:
        self.setCursorPosition(self.cursorPosition())

    def characterRect(self, offset: int) -> QRect:
        view = self._view()
        rect = view.position_rect(self._lines().position_of(offset))
        return QRect(view.viewport().mapToGlobal(rect.topLeft()), rect.size())

    def offsetAtPoint(self, point: QPoint) -> int:
        view = self._view()
        where = view.viewport().mapFromGlobal(point)
        if not view.viewport().rect().contains(where):
            return -1
        return self._lines().offset_of(view.position_at(where))

    def scrollToSubstring(self, start: int, end: int) -> None:
        lines = self._lines()
        self._view().show_range(lines.position_of(start), lines.position_of(end))

    # ---------------------------------------------------------- boundaries
    #
    # Qt's names, with the out-parameters returned as PySide returns them: (text, start, end). Offsets of a line's
    # pieces come from that line alone; the newline after a line belongs to the line (Qt's line boundary says so).

    def text_at_offset(self, offset: int, boundary: _Boundary) -> tuple[str, int, int]:
        return self._piece(offset, boundary, 0)

    def text_before_offset(self, offset: int, boundary: _Boundary) -> tuple[str, int, int]:
        return self._piece(offset, boundary, -1)

    def text_after_offset(self, offset: int, boundary: _Boundary) -> tuple[str, int, int]:
        return self._piece(offset, boundary, 1)

    def _piece(self, offset: int, boundary: _Boundary, step: int) -> tuple[str, int, int]:
        lines = self._lines()
        count = lines.character_count()
        if not len(lines) or not 0 <= offset <= count:
            return "", -1, -1
        if boundary == _Boundary.NoBoundary:
            return (self._text_between(0, count), 0, count) if step == 0 else ("", -1, -1)
        position = lines.position_of(offset)
        pieces = _pieces(lines, position.line, boundary)
        at_end = len(pieces) if boundary == _Boundary.CharBoundary else len(pieces) - 1  # no character after the end
        index = next((i for i, (start, end) in enumerate(pieces) if start <= position.column < end), at_end) + step
        number = position.line
        if index < 0 and number > lines.first:  # the last piece of the line before
            number -= 1
            pieces = _pieces(lines, number, boundary)
            index = len(pieces) - 1
        elif index >= len(pieces) and number < lines.end - 1:
            number, index = number + 1, 0
            pieces = _pieces(lines, number, boundary)
        if not 0 <= index < len(pieces):
            return "", -1, -1
        start, end = pieces[index]
        text = lines.text(number)
        line_start = lines.offset_of(Position(number, 0))
        piece = (text + "\n")[start:end]
        return piece, line_start + _units_to(text, start), line_start + _units_to(text, end)


def _pieces(lines: LogLines, number: int, boundary: _Boundary) -> list[tuple[int, int]]:
    """Line `number` cut at `boundary`, in columns; a line other than the newest ends in its newline, one column."""
    text = lines.text(number)
    width = len(text) + (1 if number < lines.end - 1 else 0)
    if boundary == _Boundary.CharBoundary:
        return [(column, column + 1) for column in range(width)]
    if boundary == _Boundary.WordBoundary:
        bounds = sorted({0, len(text), width, *(column for span in word_spans(text) for column in span)})
        return list(pairwise(bounds)) or [(0, 0)]
    return [(0, width)]  # a line, a sentence or a paragraph: one line of a log


def _units_to(text: str, column: int) -> int:
    """UTF-16 units from the line's start to `column`, which may be one past its end (its newline)."""
    return utf16_units(text, min(column, len(text))) + max(0, column - len(text))
