"""A read-only log display for long, fast logs: ANSI colours, search, selection, a keyboard caret, and following the
tail; screen readers read it through gui.views.widgets.log_access.

It paints only the lines on screen, each laid out when it first shows (gui.views.widgets.log_lines keeps the text):
appending a batch is a list extend, a million lines cost their text and little more, and any line is a jump away.
A QPlainTextEdit lays out and keeps every line it holds: some 15 µs and 300 bytes a line (issue 17).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleTextCursorEvent,
    QContextMenuEvent,
    QFocusEvent,
    QFontDatabase,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
)
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QWidget

from gui.views.widgets.log_access import install_factory
from gui.views.widgets.log_lines import LogLines, Position, count_in, word_spans
from gui.views.widgets.log_painting import LinePainter

__all__ = ["LogView"]

# Characters a text layout would break the line at: one line of the log is one line on screen.
_LINE_BREAKS_RE = re.compile("[\n\u2028\u2029\ufdd0\ufdd1]")
_OTHER_LINE_BREAKS_RE = re.compile("[\u2028\u2029\ufdd0\ufdd1]")
_MARGIN = 4  # pixels left of the text, as a text edit's document margin
_DRAG_SCROLL_MS = 40
_Key = QKeySequence.StandardKey
# The keys that move the caret (as the platform spells them: Ctrl+Home here, Cmd+Up on a Mac), and which of them
# extend the selection from its anchor.
_CARET_KEYS = {
    _Key.MoveToPreviousChar: ("previous character", False),
    _Key.SelectPreviousChar: ("previous character", True),
    _Key.MoveToNextChar: ("next character", False),
    _Key.SelectNextChar: ("next character", True),
    _Key.MoveToPreviousWord: ("previous word", False),
    _Key.SelectPreviousWord: ("previous word", True),
    _Key.MoveToNextWord: ("next word", False),
    _Key.SelectNextWord: ("next word", True),
    _Key.MoveToPreviousLine: ("previous line", False),
    _Key.SelectPreviousLine: ("previous line", True),
    _Key.MoveToNextLine: ("next line", False),
    _Key.SelectNextLine: ("next line", True),
    _Key.MoveToPreviousPage: ("previous page", False),
    _Key.SelectPreviousPage: ("previous page", True),
    _Key.MoveToNextPage: ("next page", False),
    _Key.SelectNextPage: ("next page", True),
    _Key.MoveToStartOfLine: ("line start", False),
    _Key.SelectStartOfLine: ("line start", True),
    _Key.MoveToEndOfLine: ("line end", False),
    _Key.SelectEndOfLine: ("line end", True),
    _Key.MoveToStartOfDocument: ("log start", False),
    _Key.SelectStartOfDocument: ("log start", True),
    _Key.MoveToEndOfDocument: ("log end", False),
    _Key.SelectEndOfDocument: ("log end", True),
}


class LogView(QAbstractScrollArea):
    """Shows container log lines, keeping at most `max_lines` of them.

    `follow` is True while the view sticks to the newest line. Scrolling up pauses it, scrolling back to the bottom
    resumes it, and followChanged reports those changes (set_follow() does not emit: its caller knows). While paused,
    the lines on screen stay on screen as new ones come and old ones are dropped.

    The caret is where a click put it or the keys moved it (arrows, Home/End, Page Up/Down, with Ctrl for words and
    the log's ends, with Shift to select). Before either, it is at the end of the newest line while following, else
    at the start of the top line on screen; on the newest line while following, it rides the tail as lines come, as
    a terminal's cursor does. A key that leaves it off the newest line stops following; one that puts it there
    follows again. It shows as a thin line while the view has the focus.
    """

    followChanged = Signal(bool)
    matchCountChanged = Signal(int)  # the search term's matches, as lines come and go

    def __init__(self, parent: QWidget | None = None, max_lines: int = 50_000) -> None:
        super().__init__(parent)
        self._lines = LogLines(max_lines)
        self._colours = True
        self._follow = True
        self._scrolling_programmatically = False
        self._term = ""  # the search term, lowered
        self._match_count = 0
        self._anchor: Position | None = None  # the selection runs from the anchor to the caret
        self._caret: Position | None = None
        self._goal_x: float | None = None  # pixels: where Up and Down aim for, kept across short lines
        self._placeholder = ""
        self._drag_point = QPoint()
        self._drag_timer = QTimer(self, interval=_DRAG_SCROLL_MS, timeout=self._drag_scroll)
        self._triple_click_timer = QTimer(self, singleShot=True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.viewport().setAutoFillBackground(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._painter = LinePainter(self._lines, font, self.viewport())
        self.setFont(font)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        install_factory(LogView)

    # ------------------------------------------------------------------ state

    @property
    def colours(self) -> bool:
        """True when ANSI colours are rendered, False when they are stripped."""
        return self._colours

    @property
    def follow(self) -> bool:
        """True when new lines scroll the view to the bottom."""
        return self._follow

    @property
    def max_lines(self) -> int:
        return self._lines.max_lines

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def match_count(self) -> int:
        """How many times the search term occurs in the kept lines."""
        return self._match_count

    def set_follow(self, enabled: bool) -> None:
        """Start or stop following the tail; starting jumps to the newest line."""
        self._follow = enabled
        if enabled:
            self._scroll_to_bottom()

    def set_colours(self, enabled: bool) -> None:
        """Render ANSI colours or plain text."""
        if enabled != self._colours:
            self._colours = self._painter.colours = enabled
            self._painter.forget()
            self.viewport().update()

    def setPlaceholderText(self, text: str) -> None:  # Qt's name, as a text edit has it
        self._placeholder = text
        self.viewport().update()

    def placeholderText(self) -> str:
        return self._placeholder

    # ------------------------------------------------------------------ lines

    def append_lines(self, lines: Iterable[str]) -> None:
        """Append lines (without newlines) in a single edit."""
        lines = _single_lines(list(lines))
        if not lines:
            return
        top = self._top_line()
        rides_tail = self._follow and self._anchor == self._caret and self._caret is not None
        rides_tail = rides_tail and self._caret.line == self._lines.end - 1
        added, removed = self._lines.append(lines)
        if rides_tail:
            self._anchor = self._caret = self._lines.last()
        if self._term:
            change = count_in(added, self._term) - count_in(removed, self._term)
            if change:
                self._match_count += change
                self.matchCountChanged.emit(self._match_count)
        self._update_scroll_bars(keep_top=top)
        self.viewport().update()

    def clear_log(self) -> None:
        """Forget every line. A search term stays and applies to new lines."""
        self._lines.clear()
        self._painter.forget()
        self._anchor = self._caret = self._goal_x = None
        if self._match_count:
            self._match_count = 0
            self.matchCountChanged.emit(0)
        self._set_follow_and_notify(True)
        self._update_scroll_bars()
        self.viewport().update()

    def plain_text(self) -> str:
        """All kept lines without escape sequences, e.g. for saving to a file."""
        return self._lines.plain_text()

    @property
    def kept_lines(self) -> LogLines:
        """The lines as kept, for reading (gui.views.widgets.log_access reads offsets from them)."""
        return self._lines

    def line_formats(self, index: int) -> list[tuple[str, QTextCharFormat]]:
        """Line `index` of the kept lines (0 the oldest) as it is painted: its pieces and their formats."""
        number = self._lines.first + index
        text = self._lines.text(number)
        pieces, position = [], 0
        for start, length, text_format in self._painter.colour_runs(number):
            if start > position:
                pieces.append((text[position:start], QTextCharFormat()))
            pieces.append((text[start : start + length], text_format))
            position = start + length
        if position < len(text) or not pieces:
            pieces.append((text[position:], QTextCharFormat()))
        return pieces

    # -------------------------------------------------------------- scrolling

    def _rows(self) -> int:
        """Whole lines the viewport has room for."""
        return max(1, self.viewport().height() // self._painter.pitch)

    def _top_line(self) -> int:
        return self._lines.first + self.verticalScrollBar().value()

    def _update_scroll_bars(self, keep_top: int | None = None) -> None:
        rows = self._rows()
        vertical = self.verticalScrollBar()
        with self._programmatic_scroll():
            vertical.setRange(0, max(0, len(self._lines) - rows))
            vertical.setPageStep(rows)
            if self._follow:
                vertical.setValue(vertical.maximum())
            elif keep_top is not None:  # the lines on screen stay there while older ones are dropped
                vertical.setValue(keep_top - self._lines.first)
        self._update_horizontal_range()

    def _update_horizontal_range(self) -> None:
        widest = max(self._lines.widest * self._painter.char_width, self._painter.widest) + 2 * _MARGIN
        horizontal = self.horizontalScrollBar()
        horizontal.setRange(0, max(0, int(widest) - self.viewport().width()))
        horizontal.setPageStep(self.viewport().width())
        horizontal.setSingleStep(self._painter.char_width * 2)

    def _on_scrolled(self, value: int) -> None:
        if not self._scrolling_programmatically:
            self._set_follow_and_notify(value >= self.verticalScrollBar().maximum())

    def _set_follow_and_notify(self, enabled: bool) -> None:
        if enabled != self._follow:
            self._follow = enabled
            self.followChanged.emit(enabled)

    def _scroll_to_bottom(self) -> None:
        with self._programmatic_scroll():
            scroll_bar = self.verticalScrollBar()
            scroll_bar.setValue(scroll_bar.maximum())

    @contextmanager
    def _programmatic_scroll(self) -> Iterator[None]:
        """Scrolling done inside is ours, not the user's: it leaves `follow` alone."""
        previous = self._scrolling_programmatically
        self._scrolling_programmatically = True
        try:
            yield
        finally:
            self._scrolling_programmatically = previous

    def show_range(self, start: Position, end: Position) -> None:
        """Scrolls (as the user would) so the text from `start` to `end` is on screen, centred if it was not."""
        vertical, rows = self.verticalScrollBar(), self._rows()
        row = start.line - self._lines.first
        if not vertical.value() <= row < vertical.value() + rows:
            vertical.setValue(row - rows // 2)
        left = self._painter.x_of(start.line, start.column)
        right = self._painter.x_of(end.line, end.column) if end.line == start.line else left
        horizontal, width = self.horizontalScrollBar(), self.viewport().width() - 2 * _MARGIN
        if left < horizontal.value() or right > horizontal.value() + width:
            horizontal.setValue(int(left - width / 3))

    def _reveal(self, position: Position) -> None:
        """Scrolls as little as it takes to show `position`; leaves `follow` to the caller."""
        vertical, rows = self.verticalScrollBar(), self._rows()
        row = position.line - self._lines.first
        x = self._painter.x_of(position.line, position.column)
        horizontal, width = self.horizontalScrollBar(), self.viewport().width() - 2 * _MARGIN
        with self._programmatic_scroll():
            vertical.setValue(min(max(vertical.value(), row - rows + 1), row))
            if not horizontal.value() <= x <= horizontal.value() + width:
                horizontal.setValue(int(x - width / 3 if x < horizontal.value() else x - 2 * width / 3))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scroll_bars()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._painter.set_font(self.font(), self.viewport())
            self._update_scroll_bars()
            self.viewport().update()

    # --------------------------------------------------------------- painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        if not len(self._lines):
            if self._placeholder:
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                area = self.viewport().rect().adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
                painter.drawText(area, Qt.TextFlag.TextWordWrap, self._placeholder)
            return
        pitch = self._painter.pitch
        top, rows = self._top_line(), self.viewport().height() // pitch + 1
        x = _MARGIN - self.horizontalScrollBar().value()
        selection, selection_format = self._selection(), self._selection_format()
        widest = self._painter.widest
        for row, number in enumerate(range(top, min(top + rows, self._lines.end))):
            if event.rect().intersects(QRect(0, row * pitch, self.viewport().width(), pitch)):
                self._painter.draw(painter, number, QPointF(x, row * pitch), self._term, selection, selection_format)
        caret = self.caret_position()
        if self.hasFocus() and top <= caret.line < top + rows:
            left = x + self._painter.x_of(caret.line, caret.column)
            painter.fillRect(QRectF(left, (caret.line - top) * pitch, 1, pitch), palette.color(QPalette.ColorRole.Text))
        painter.end()
        self._painter.keep_only(top, top + rows)
        if self._painter.widest > widest:
            QTimer.singleShot(0, self._update_horizontal_range)  # a line wider than known: not while painting

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()  # the caret shows, the selection takes the active colours

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    def _selection_format(self) -> QTextCharFormat:
        text_format = QTextCharFormat()
        palette = self.palette()
        group = QPalette.ColorGroup.Active if self.hasFocus() else QPalette.ColorGroup.Inactive
        text_format.setBackground(palette.brush(group, QPalette.ColorRole.Highlight))
        text_format.setForeground(palette.brush(group, QPalette.ColorRole.HighlightedText))
        return text_format

    # -------------------------------------------------------------- selection

    def has_selection(self) -> bool:
        return self._selection() is not None

    def selected_text(self) -> str:
        selection = self._selection()
        return self._lines.text_between(*selection) if selection is not None else ""

    def select_all(self) -> None:
        if len(self._lines):
            self._anchor, self._caret = Position(self._lines.first, 0), self._lines.last()
            self._caret_moved()

    def caret(self) -> tuple[int, int]:
        """The caret's line among the kept lines (0 the oldest) and its column."""
        line, column = self.caret_position()
        return line - self._lines.first, column

    def caret_position(self) -> Position:
        """Where the caret is, or where the keys would start from before anything put it somewhere."""
        if self._caret is not None:
            return self._lines.clamped(self._caret)
        if self._follow:
            return self._lines.last()
        return self._lines.clamped(Position(self._top_line(), 0))

    def select_range(self, anchor: Position, caret: Position) -> None:
        """Selects from `anchor` to `caret` (the same place: no selection) as the keys would: the caret shows, and
        the view follows the tail only if the caret is on the newest line."""
        if len(self._lines):
            self._goal_x = None
            self._place_caret(self._lines.clamped(anchor), self._lines.clamped(caret))

    def _place_caret(self, anchor: Position, caret: Position) -> None:
        self._anchor, self._caret = anchor, caret
        self._reveal(caret)
        self._set_follow_and_notify(caret.line == self._lines.end - 1)
        if self._follow:
            self._scroll_to_bottom()
        self._caret_moved()

    def copy(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _selection(self) -> tuple[Position, Position] | None:
        """The selection's start and end within the kept lines, or None when nothing is selected."""
        if self._anchor is None or self._caret is None or self._anchor == self._caret:
            return None
        start, end = sorted((self._anchor, self._caret))
        first = Position(self._lines.first, 0)
        if end <= first:
            return None
        return max(start, first), end

    def position_at(self, point: QPoint) -> Position:
        """The place in the text nearest to `point` of the viewport."""
        if not len(self._lines):
            return Position(self._lines.first, 0)
        number = self._top_line() + point.y() // self._painter.pitch
        if number < self._lines.first:
            return Position(self._lines.first, 0)
        if number >= self._lines.end:
            return self._lines.last()
        return Position(
            number, self._painter.column_at(number, point.x() - _MARGIN + self.horizontalScrollBar().value())
        )

    def position_rect(self, position: Position) -> QRect:
        """Where the character at `position` is drawn, in the viewport (off it when the line is not on screen)."""
        if not len(self._lines):
            return QRect(_MARGIN, 0, 1, self._painter.pitch)
        line, column = self._lines.clamped(position)
        left = self._painter.x_of(line, column)
        right = self._painter.x_of(line, column + 1) if column < len(self._lines.text(line)) else left + 1
        x = _MARGIN - self.horizontalScrollBar().value()
        top = (line - self._top_line()) * self._painter.pitch
        return QRect(int(x + left), top, max(1, int(right - left)), self._painter.pitch)

    def _caret_moved(self) -> None:
        """Repaints, and tells a screen reader (when one listens) where the caret is now."""
        self.viewport().update()
        if QAccessible.isActive():
            offset = self._lines.offset_of(self.caret_position())
            QAccessible.updateAccessibility(QAccessibleTextCursorEvent(self, offset))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        position = self.position_at(event.position().toPoint())
        if self._triple_click_timer.isActive():  # a third click selects the whole line
            self._anchor = Position(position.line, 0)
            self._caret = Position(position.line, len(self._lines.text(position.line)))
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor is not None:
            self._caret = position
        else:
            self._anchor = self._caret = position
        self._goal_x = None
        self._caret_moved()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not len(self._lines):
            super().mouseDoubleClickEvent(event)
            return
        position = self.position_at(event.position().toPoint())
        for start, end in word_spans(self._lines.text(position.line)):
            if start <= position.column <= end:
                self._anchor, self._caret = Position(position.line, start), Position(position.line, end)
                break
        self._triple_click_timer.start(QGuiApplication.styleHints().mouseDoubleClickInterval())
        self._caret_moved()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not event.buttons() & Qt.MouseButton.LeftButton or self._anchor is None:
            super().mouseMoveEvent(event)
            return
        self._drag_point = event.position().toPoint()
        self._caret = self.position_at(self._drag_point)
        inside = 0 <= self._drag_point.y() < self.viewport().height()
        if inside:
            self._drag_timer.stop()
        elif not self._drag_timer.isActive():
            self._drag_timer.start()
        self.viewport().update()

    def _drag_scroll(self) -> None:
        """While a selection is dragged past the top or bottom, the view scrolls on and the selection with it."""
        y = self._drag_point.y()
        step = -1 if y < 0 else 1 if y >= self.viewport().height() else 0
        if step == 0 or not QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self._drag_timer.stop()
            return
        distance = -y if step < 0 else y - self.viewport().height()
        self.verticalScrollBar().setValue(
            self.verticalScrollBar().value() + step * (1 + distance // self._painter.pitch)
        )
        self._caret = self.position_at(self._drag_point)
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._drag_timer.stop()
        clipboard = QGuiApplication.clipboard()
        if clipboard.supportsSelection() and self.has_selection():
            clipboard.setText(self.selected_text(), clipboard.Mode.Selection)  # X11: pasted with the middle button

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif move := next((move for key, move in _CARET_KEYS.items() if event.matches(key)), None):
            self._move_caret(*move)
        else:
            super().keyPressEvent(event)

    def _move_caret(self, move: str, extend: bool) -> None:
        """Moves the caret by a key's `move`, selecting from the anchor when `extend`, and shows it."""
        if not len(self._lines):
            return
        caret = self.caret_position()
        anchor = caret if self._anchor is None else self._lines.clamped(self._anchor)  # kept when extending
        if move.endswith(("line", "page")):
            if self._goal_x is None:
                self._goal_x = self._painter.x_of(*caret)
            rows = 1 if move.endswith("line") else self._rows()
            step = -rows if move.startswith("previous") else rows
            number = min(max(caret.line + step, self._lines.first), self._lines.end - 1)
            if move.endswith("page"):  # the page turns and the caret keeps its place on screen
                with self._programmatic_scroll():
                    self.verticalScrollBar().setValue(self.verticalScrollBar().value() + step)
            caret = Position(number, self._painter.column_at(number, self._goal_x))
        else:
            self._goal_x = None
            caret = self._lines.moved(caret, move)
        self._place_caret(anchor if extend else caret, caret)  # a plain move leaves no selection

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        copy = menu.addAction("&Copy", QKeySequence.StandardKey.Copy, self.copy)
        copy.setEnabled(self.has_selection())
        menu.addSeparator()
        menu.addAction("Select &All", QKeySequence.StandardKey.SelectAll, self.select_all)
        menu.exec(event.globalPos())
        menu.deleteLater()

    # ---------------------------------------------------------------- search

    def find_all(self, term: str) -> int:
        """Highlight every case-insensitive match of `term`; return how many there are.

        Lines appended later are highlighted and counted too (matchCountChanged). An empty term clears the search.
        """
        self._term = term.lower() if "\n" not in term else ""
        if not self._term:
            self._lines.forget_search()
        count = self._lines.count(self._term) if self._term else 0
        if count != self._match_count:
            self._match_count = count
            self.matchCountChanged.emit(count)
        self.viewport().update()
        return count

    def find_next(self, backward: bool = False) -> bool:
        """Select the next match after the selection (or the one before it), wrapping around.

        Returns False when there is nothing to find.
        """
        if not self._term:
            return False
        selection = self._selection()
        if selection is None:
            after = self._caret if self._caret is not None else Position(self._lines.first, 0)
        else:
            after = selection[0] if backward else selection[1]
        found = self._lines.find(self._term, after, backward)
        if found is None:
            return False
        self._anchor, self._caret = found
        self._goal_x = None
        self.show_range(*found)
        self._caret_moved()
        return True


# --------------------------------------------------------------------- helpers


def _single_lines(lines: list[str]) -> list[str]:
    """The lines with any character a layout breaks a line at made visible as U+FFFD: one line, one line."""
    joined = "\n".join(lines)
    if joined.count("\n") == len(lines) - 1 and not _OTHER_LINE_BREAKS_RE.search(joined):
        return lines
    return [_LINE_BREAKS_RE.sub("\ufffd", line) for line in lines]
