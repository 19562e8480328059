"""A read-only, bounded log display that shows ANSI colours and follows the tail."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QResizeEvent, QTextBlock, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from gui.core.ansi import PLAIN, Style, parse_ansi, strip_ansi

__all__ = ["LogView"]

# Characters that QTextCursor.insertText turns into a new block (a new line),
# as it does \r.  parse_ansi/strip_ansi already remove \r; the rest must not
# split a line by surprise: one line, one block.
_BLOCK_BREAK_RE = re.compile("[\n\u2028\u2029\ufdd0\ufdd1]")

# Distinct truecolour styles are unbounded; past this we start the cache over.
_FORMAT_CACHE_LIMIT = 1024

_Run = tuple[list[str], Style]  # text pieces joined on insert, and their style


def _match_format() -> QTextCharFormat:
    # Dark text on amber reads well whether the view's theme is light or dark.
    text_format = QTextCharFormat()
    text_format.setBackground(QColor("#ffcc4d"))
    text_format.setForeground(QColor("#1a1a1a"))
    return text_format


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
        self._search: re.Pattern[str] | None = None
        self._match_format = _match_format()

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
        return self.maximumBlockCount()

    def set_follow(self, enabled: bool) -> None:
        """Start or stop following the tail; starting jumps to the newest line."""
        self._follow = enabled
        if enabled:
            self._scroll_to_bottom()
            self._highlight_visible_matches()

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
        self._render(lines)
        self._highlight_visible_matches()

    def clear_log(self) -> None:
        """Forget every line.  A search term stays and applies to new lines."""
        self._raw_lines.clear()
        self._reset_document()
        self._set_follow_and_notify(True)
        self._highlight_visible_matches()

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
        self._render(list(self._raw_lines))
        if not self._follow:
            with self._programmatic_scroll():
                self.verticalScrollBar().setValue(scroll_position)
        self._highlight_visible_matches()

    def _render(self, lines: list[str]) -> None:
        """Insert `lines` at the end of the document in one edit."""
        if not lines:
            return
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        separate_first_line = self._has_lines
        self._has_lines = True
        with self._programmatic_scroll():
            cursor.beginEditBlock()
            if self._colours:
                runs, self._style = _styled_runs(lines, self._style, separate_first_line)
                for pieces, style in runs:
                    cursor.insertText("".join(pieces), self._char_format(style))
            else:
                text = "\n".join(map(strip_ansi, lines))
                cursor.insertText("\n" + text if separate_first_line else text, QTextCharFormat())
            cursor.endEditBlock()  # the oldest lines beyond max_lines are dropped here
            if self._follow:
                self._scroll_to_bottom()

    def _char_format(self, style: Style) -> QTextCharFormat:
        text_format = self._formats.get(style)
        if text_format is None:
            if len(self._formats) >= _FORMAT_CACHE_LIMIT:
                self._formats.clear()
            text_format = self._formats[style] = _format_for(style)
        return text_format

    # ------------------------------------------------------------- following

    def _on_scrolled(self, value: int) -> None:
        if self._scrolling_programmatically:
            return  # whoever scrolled also refreshes the highlights once done
        self._set_follow_and_notify(value >= self.verticalScrollBar().maximum())
        self._highlight_visible_matches()

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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._highlight_visible_matches()  # more or fewer lines are on screen now

    # ---------------------------------------------------------------- search
    #
    # Matches are found with Python's re on the text, and only the lines on
    # screen get highlights: one QTextCursor per match in 50,000 lines would
    # make Qt adjust every one of them for each line it trims.

    def find_all(self, term: str) -> int:
        """Highlight every case-insensitive match of `term`; return how many there are.

        Lines appended later are highlighted too.  An empty term clears the search.
        """
        self._search = re.compile(re.escape(term), re.IGNORECASE) if term else None
        self._highlight_visible_matches()
        if self._search is None:
            return 0
        return sum(1 for _ in self._search.finditer(self.document().toPlainText()))

    def find_next(self, backward: bool = False) -> bool:
        """Select the next match after the cursor (or the one before it), wrapping around.

        Returns False when there is nothing to find.
        """
        if self._search is None:
            return False
        # toPlainText() positions equal document positions: a block break is one '\n'.
        text = self.document().toPlainText()
        cursor = self.textCursor()
        if backward:
            match = self._last_match(text, end=cursor.selectionStart()) or self._last_match(text, end=len(text))
        else:
            match = self._search.search(text, cursor.selectionEnd()) or self._search.search(text)
        if match is None:
            return False
        self._select(match.start(), match.end())
        return True

    def _last_match(self, text: str, end: int) -> re.Match[str] | None:
        last = None
        for last in self._search.finditer(text, 0, end):  # noqa: B007  (the loop keeps the last match)
            pass
        return last

    def _select(self, start: int, end: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)  # also scrolls it into view

    def _highlight_visible_matches(self) -> None:
        selections = []
        if self._search is not None:
            for block in self._visible_blocks():
                for match in self._search.finditer(block.text()):
                    selections.append(self._highlight(block.position() + match.start(), block.position() + match.end()))
        if selections or self.extraSelections():
            self.setExtraSelections(selections)

    def _visible_blocks(self) -> Iterator[QTextBlock]:
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        viewport_height = self.viewport().height()
        while block.isValid() and self.blockBoundingGeometry(block).translated(offset).top() <= viewport_height:
            yield block
            block = block.next()

    def _highlight(self, start: int, end: int) -> QTextEdit.ExtraSelection:
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = self._match_format
        return selection


# --------------------------------------------------------------------- helpers


def _as_single_line(line: str) -> str:
    return _BLOCK_BREAK_RE.sub("\ufffd", line)


def _styled_runs(lines: list[str], style: Style, separate_first_line: bool) -> tuple[list[_Run], Style]:
    """Parse `lines`, starting in `style`, into as few same-style runs as possible.

    Newlines are included; each run is one insertText call, so a batch of
    plain lines is a single run.  Also returns the style in effect at the end.
    """
    runs: list[_Run] = []
    for number, line in enumerate(lines):
        if number or separate_first_line:
            _add_newline(runs, style)
        segments, style = parse_ansi(line, style)
        for text, segment_style in segments:
            _add_to_runs(runs, text, segment_style)
    return runs, style


def _add_to_runs(runs: list[_Run], text: str, style: Style) -> None:
    if runs and (runs[-1][1] is style or runs[-1][1] == style):
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
