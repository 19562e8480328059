"""How a log view's lines look: each laid out (colours, tabs, wide characters) when it first shows, and drawn with
the search's matches and the selection over it.

A line's layout is made from its plain text and, in colour, the segments parse_ansi() reads from the line as it
came; only the lines on screen (and a few more) keep theirs. Columns are the plain text's characters; a text
layout counts UTF-16 units, two for a character beyond the BMP (an emoji), and the helpers here convert.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPaintDevice, QPainter, QTextCharFormat, QTextLayout, QTextOption

from gui.core.ansi import PLAIN, Style, parse_ansi
from gui.views.widgets.log_lines import LogLines, Position, matches_in_line, units_to_column, utf16_units

__all__ = ["LinePainter"]

_NO_WRAP_WIDTH = float(1 << 24)
_FORMAT_CACHE_LIMIT = 1024  # distinct truecolour styles are unbounded; past this the cache starts over
_KEPT_BEYOND_SCREEN = 64  # layouts kept for lines no longer on screen, for scrolling back a little


def _match_format() -> QTextCharFormat:
    # Dark text on amber reads well whether the view's theme is light or dark.
    text_format = QTextCharFormat()
    text_format.setBackground(QColor("#ffcc4d"))
    text_format.setForeground(QColor("#1a1a1a"))
    return text_format


class LinePainter:
    """Lays out and draws the lines of a LogLines."""

    def __init__(self, lines: LogLines, font: QFont, device: QPaintDevice) -> None:
        self._lines = lines
        self.colours = True
        self.widest = 0.0  # pixels: the widest line laid out since the last forget()
        self._layouts: dict[int, QTextLayout] = {}  # by line number
        self._formats: dict[Style, QTextCharFormat] = {}
        self._match_format = _match_format()
        self.set_font(font, device)

    def set_font(self, font: QFont, device: QPaintDevice) -> None:
        self._font, self._device = font, device
        metrics = QFontMetrics(font)
        self.pitch = max(1, metrics.lineSpacing())  # pixels from one line's top to the next one's
        self.char_width = max(1, metrics.horizontalAdvance("0"))
        self._option = QTextOption()
        self._option.setWrapMode(QTextOption.WrapMode.NoWrap)
        self._option.setTabStopDistance(8 * self.char_width)
        self.forget()

    def forget(self) -> None:
        """Lay every line out afresh when it next shows (the font or the colours changed, the log was cleared)."""
        self._layouts.clear()
        self.widest = 0.0

    def keep_only(self, first: int, stop: int) -> None:
        """Let go of the layouts of lines far from those on screen, `first` to `stop`."""
        if len(self._layouts) > 2 * (stop - first) + _KEPT_BEYOND_SCREEN:
            self._layouts = {number: layout for number, layout in self._layouts.items() if first <= number < stop}

    # ----------------------------------------------------------------- lines

    def draw(
        self,
        painter: QPainter,
        number: int,
        where: QPointF,
        term: str,
        selection: tuple[Position, Position] | None,
        selection_format: QTextCharFormat,
    ) -> None:
        """Draws line `number` with the matches of `term` (lowered) and the part of `selection` on it."""
        text = self._lines.text(number)
        ranges = []
        if term:
            ranges = [
                _format_range(text, start, end - start, self._match_format)
                for start, end in matches_in_line(text, term)
            ]
        if selection is not None and selection[0].line <= number <= selection[1].line:
            start = selection[0].column if number == selection[0].line else 0
            end = selection[1].column if number == selection[1].line else len(text) + 1  # its newline too
            if end > start:
                ranges.append(_format_range(text, start, end - start, selection_format))
        self.layout(number).draw(painter, where, ranges)

    def layout(self, number: int) -> QTextLayout:
        layout = self._layouts.get(number)
        if layout is None:
            text = self._lines.text(number)
            layout = QTextLayout(text, self._font, self._device)
            layout.setTextOption(self._option)
            layout.setCacheEnabled(True)
            if self.colours:
                layout.setFormats([_format_range(text, *run) for run in self.colour_runs(number)])
            layout.beginLayout()
            line = layout.createLine()
            if line.isValid():
                line.setLineWidth(_NO_WRAP_WIDTH)
                line.setPosition(QPointF(0, 0))
                self.widest = max(self.widest, line.naturalTextWidth())
            layout.endLayout()
            self._layouts[number] = layout
        return layout

    def colour_runs(self, number: int) -> list[tuple[int, int, QTextCharFormat]]:
        """(start, length, format) of the coloured pieces of line `number`, in its plain text's columns."""
        colouring = self._lines.colouring(number)
        if colouring is None or not self.colours:
            return []
        runs, position = [], 0
        for piece, style in parse_ansi(*colouring)[0]:
            if piece and style != PLAIN:
                runs.append((position, len(piece), self._char_format(style)))
            position += len(piece)
        return runs

    def column_at(self, number: int, x: float) -> int:
        """The column of line `number` nearest to `x` pixels from the text's left edge."""
        layout = self.layout(number)
        if not layout.lineCount():
            return 0
        return units_to_column(self._lines.text(number), layout.lineAt(0).xToCursor(x))

    def x_of(self, number: int, column: int) -> float:
        """Pixels from the text's left edge to `column` of line `number`."""
        layout = self.layout(number)
        if not layout.lineCount():
            return 0.0
        return layout.lineAt(0).cursorToX(utf16_units(self._lines.text(number), column))[0]

    def _char_format(self, style: Style) -> QTextCharFormat:
        text_format = self._formats.get(style)
        if text_format is None:
            if len(self._formats) >= _FORMAT_CACHE_LIMIT:
                self._formats.clear()
            text_format = self._formats[style] = _format_for(style)
        return text_format


def _format_range(text: str, start: int, length: int, text_format: QTextCharFormat) -> QTextLayout.FormatRange:
    format_range = QTextLayout.FormatRange()
    format_range.start = utf16_units(text, start)
    format_range.length = length if text.isascii() else utf16_units(text, start + length) - format_range.start
    format_range.format = text_format
    return format_range


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
