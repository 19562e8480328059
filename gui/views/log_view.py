"""A read-only, bounded log display that shows ANSI colours and follows the tail."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from gui.core.ansi import PLAIN, Style, parse_ansi, strip_ansi

__all__ = ["LogView"]

# Characters that QTextCursor.insertText turns into a new block (a new line),
# including \r.  parse_ansi/strip_ansi already remove \r and \n splits lines
# on purpose, but a line must never split by surprise: one line, one block.
_BLOCK_BREAK_RE = re.compile("[\n\u2028\u2029\ufdd0\ufdd1]")

# Distinct truecolour styles are unbounded; past this we start the cache over.
_FORMAT_CACHE_LIMIT = 1024

# Dark text on amber reads well whether the view's theme is light or dark.
_MATCH_BACKGROUND = QColor("#ffcc4d")
_MATCH_FOREGROUND = QColor("#1a1a1a")

_Run = tuple[list[str], Style]  # text pieces joined on insert, and their style


class LogView(QPlainTextEdit):
    """Shows container log lines, keeping at most `max_lines` of them.

    `follow` is True while the view sticks to the newest line.  Scrolling up
    pauses it, scrolling back to the bottom resumes it, and followChanged
    reports those changes (set_follow() does not emit: its caller knows).
    """

    followChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None, max_lines: int = 50_000) -> None:
        super().__init__(parent)
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self._raw_lines: deque[str] = deque(maxlen=max_lines)  # kept to re-render and save
        self._has_lines = False  # the document holds at least one line
        self._style = PLAIN  # ANSI style in effect at the end of the last line
        self._colours = True
        self._follow = True
        self._scrolling_programmatically = False
        self._formats: dict[Style, QTextCharFormat] = {}
        self._search_term = ""
        self._matches: list[QTextEdit.ExtraSelection] = []  # in document order

        self._configure_widget(max_lines)
        scroll_bar = self.verticalScrollBar()
        scroll_bar.valueChanged.connect(self._on_scrolled)
        scroll_bar.rangeChanged.connect(self._on_scroll_range_changed)

    def _configure_widget(self, max_lines: int) -> None:
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)  # undo history would hold every line again
        self.setMaximumBlockCount(max_lines)  # Qt drops the oldest lines for us
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

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
        return self._raw_lines.maxlen or 0

    def set_follow(self, enabled: bool) -> None:
        """Start or stop following the tail; starting jumps to the newest line."""
        self._follow = enabled
        if enabled:
            self._scroll_to_bottom()

    def set_colours(self, enabled: bool) -> None:
        """Render ANSI colours or plain text, re-rendering the kept lines."""
        if enabled == self._colours:
            return
        self._colours = enabled
        self._rerender()

    # ------------------------------------------------------------------ lines

    def append_lines(self, lines: Iterable[str]) -> None:
        """Append lines (without newlines) in a single edit."""
        lines = [_as_single_line(line) for line in lines]
        if not lines:
            return
        self._raw_lines.extend(lines)
        new_text_start = self._render(lines)
        if self._search_term:
            self._highlight_new_matches(new_text_start.position())

    def clear_log(self) -> None:
        """Forget every line; the search term stays and applies to new lines."""
        self._raw_lines.clear()
        self._reset_document()
        self._matches = []
        self.setExtraSelections([])
        self._set_follow_and_notify(True)

    def plain_text(self) -> str:
        """All kept lines without escape sequences, e.g. for saving to a file."""
        return "\n".join(map(strip_ansi, self._raw_lines))

    def _reset_document(self) -> None:
        with self._programmatic_scroll():
            self.clear()
        self._has_lines = False
        self._style = PLAIN

    def _rerender(self) -> None:
        scroll_position = self.verticalScrollBar().value()
        self._reset_document()
        if self._raw_lines:
            self._render(list(self._raw_lines))
        if not self._follow:
            with self._programmatic_scroll():
                self.verticalScrollBar().setValue(scroll_position)
        if self._search_term:
            self.find_all(self._search_term)

    def _render(self, lines: list[str]) -> QTextCursor:
        """Insert `lines` at the end; return a cursor that marks where they start."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        start = QTextCursor(cursor)
        start.setKeepPositionOnInsert(True)  # stays put while we insert after it
        separate_first_line = self._has_lines
        self._has_lines = True

        with self._programmatic_scroll():
            cursor.beginEditBlock()
            if self._colours:
                for pieces, style in self._styled_runs(lines, separate_first_line):
                    cursor.insertText("".join(pieces), self._char_format(style))
            else:
                text = "\n".join(map(strip_ansi, lines))
                cursor.insertText("\n" + text if separate_first_line else text, QTextCharFormat())
            cursor.endEditBlock()  # the oldest lines beyond max_lines are dropped here
            if self._follow:
                self._scroll_to_bottom()
        return start

    def _styled_runs(self, lines: list[str], separate_first_line: bool) -> list[_Run]:
        """Parse `lines` into as few same-style runs as possible, newlines included.

        Fewer runs means fewer insertText calls: plain lines all become one run.
        """
        runs: list[_Run] = []
        style = self._style
        for number, line in enumerate(lines):
            if number or separate_first_line:
                _add_newline(runs, style)
            segments, style = parse_ansi(line, style)
            for text, segment_style in segments:
                _add_to_runs(runs, text, segment_style)
        self._style = style  # the next batch continues in this style
        return runs

    def _char_format(self, style: Style) -> QTextCharFormat:
        text_format = self._formats.get(style)
        if text_format is None:
            if len(self._formats) >= _FORMAT_CACHE_LIMIT:
                self._formats.clear()
            text_format = self._formats[style] = _format_for(style)
        return text_format

    # ------------------------------------------------------------- following

    def _on_scrolled(self, value: int) -> None:
        if not self._scrolling_programmatically:
            self._set_follow_and_notify(value >= self.verticalScrollBar().maximum())

    def _on_scroll_range_changed(self, _minimum: int, _maximum: int) -> None:
        # New lines, a resize or a late layout pass: stay on the tail if following.
        if self._follow:
            self._scroll_to_bottom()

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

    # ---------------------------------------------------------------- search

    def find_all(self, term: str) -> int:
        """Highlight every case-insensitive match of `term`; return how many there are.

        An empty term clears the highlights.  Lines appended later are searched too.
        """
        self._search_term = term
        self._matches = self._find_matches(0) if term else []
        self.setExtraSelections(self._matches)
        return len(self._matches)

    def find_next(self, backward: bool = False) -> bool:
        """Select the next match after the cursor (or before it), wrapping around.

        Returns False when there is nothing to find.
        """
        self._forget_dropped_matches()
        if not self._matches:
            return False
        cursor = self.textCursor()
        if backward:
            index = bisect_right(self._matches, cursor.selectionStart(), key=_match_end) - 1
        else:
            index = bisect_left(self._matches, cursor.selectionEnd(), key=_match_start)
        self.setTextCursor(self._matches[index % len(self._matches)].cursor)  # -1 and len() wrap
        return True

    def _find_matches(self, from_position: int) -> list[QTextEdit.ExtraSelection]:
        document = self.document()
        matches = []
        found = document.find(self._search_term, from_position)
        while not found.isNull():
            matches.append(_highlight(found))
            found = document.find(self._search_term, found)
        return matches

    def _highlight_new_matches(self, from_position: int) -> None:
        new_matches = self._find_matches(from_position)
        had_dropped = self._forget_dropped_matches()
        if new_matches or had_dropped:
            self._matches.extend(new_matches)
            self.setExtraSelections(self._matches)

    def _forget_dropped_matches(self) -> bool:
        """Drop matches whose text was trimmed away; return True if there were any."""
        # Qt trims the oldest lines, so dropped matches (now empty) form a prefix.
        first_kept = 0
        while first_kept < len(self._matches) and not self._matches[first_kept].cursor.hasSelection():
            first_kept += 1
        del self._matches[:first_kept]
        return first_kept > 0


# --------------------------------------------------------------------- helpers


def _as_single_line(line: str) -> str:
    return _BLOCK_BREAK_RE.sub("\ufffd", line)


def _add_to_runs(runs: list[_Run], text: str, style: Style) -> None:
    if runs and runs[-1][1] == style:
        runs[-1][0].append(text)
    else:
        runs.append(([text], style))


def _add_newline(runs: list[_Run], style: Style) -> None:
    # A newline shows nothing, so it joins whatever run came last.
    if runs:
        runs[-1][0].append("\n")
    else:
        runs.append((["\n"], style))


def _format_for(style: Style) -> QTextCharFormat:
    text_format = QTextCharFormat()  # empty: the widget's own colours and font
    if style.fg:
        text_format.setForeground(QColor(style.fg))
    if style.bg:
        text_format.setBackground(QColor(style.bg))
    if style.bold:
        text_format.setFontWeight(QFont.Weight.Bold)
    if style.italic:
        text_format.setFontItalic(True)
    if style.underline:
        text_format.setFontUnderline(True)
    return text_format


def _highlight(found: QTextCursor) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    selection.cursor = found
    selection.format.setBackground(_MATCH_BACKGROUND)
    selection.format.setForeground(_MATCH_FOREGROUND)
    return selection


def _match_start(selection: QTextEdit.ExtraSelection) -> int:
    return selection.cursor.selectionStart()


def _match_end(selection: QTextEdit.ExtraSelection) -> int:
    return selection.cursor.selectionEnd()
