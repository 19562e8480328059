"""The lines a log view holds: plain text to show, search and copy, and how each line is coloured. No Qt.

Lines live in blocks of BLOCK_LINES, numbered from the first line ever appended, so a line keeps its number while
older ones are dropped to stay within `max_lines`, and dropping them costs nothing per line. A search reads a block
at a time: its lines joined and lowered once, then str.count and str.find, some 30 ms for a million lines (a
case-insensitive regular expression takes ten times that).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from gui.core.ansi import PLAIN, Style, read_lines

__all__ = [
    "BLOCK_LINES",
    "LogLines",
    "Position",
    "count_in",
    "matches_in_line",
    "units_to_column",
    "utf16_units",
    "word_spans",
]

BLOCK_LINES = 4096
_WORD_RE = re.compile(r"\w+")


class Position(NamedTuple):
    """A place in the log: a line's number and a column (in characters) of its plain text."""

    line: int
    column: int


class _Block:
    __slots__ = ("lines", "lowered", "raws", "starts", "units")

    def __init__(self) -> None:
        self.lines: list[str] = []  # plain text
        self.raws: list[str | None] = []  # and what painting them in colour needs (gui.core.ansi.ReadLines)
        self.starts: list[Style | None] = []
        self.lowered: str | None = None  # the lines joined by newlines and lowered, once searched
        self.units: int | None = None  # UTF-16 units of its lines and a newline after each, once asked

    def lowered_text(self) -> str:
        if self.lowered is None:
            self.lowered = "\n".join(self.lines).lower()
        return self.lowered


class LogLines:
    """The lines of one log view, at most `max_lines` of them: the oldest go as new ones come."""

    def __init__(self, max_lines: int) -> None:
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self.max_lines = max_lines
        self.widest = 0  # characters in the longest line appended since the last clear
        self._blocks: list[_Block] = []
        self._base = 0  # the number of the first line of the first block
        self._skip = 0  # lines of the first block dropped already
        self._style = PLAIN  # the ANSI style in effect after the last line

    def __len__(self) -> int:
        if not self._blocks:
            return 0
        return (len(self._blocks) - 1) * BLOCK_LINES + len(self._blocks[-1].lines) - self._skip

    @property
    def first(self) -> int:
        """The number of the oldest line kept."""
        return self._base + self._skip

    @property
    def end(self) -> int:
        """One past the number of the newest line."""
        return self.first + len(self)

    # ---------------------------------------------------------------- changes

    def append(self, lines: list[str]) -> tuple[list[str], list[str]]:
        """Adds lines (no newlines in them); returns the plain text of the lines added and of the oldest lines
        dropped to make room for them (some of the added ones, when they are more than `max_lines`)."""
        plain, raws, starts, self._style = read_lines(lines, self._style)
        if not plain:
            return [], []
        self.widest = max(self.widest, max(map(len, plain)))
        start = 0
        while start < len(plain):
            if not self._blocks or len(self._blocks[-1].lines) == BLOCK_LINES:
                self._blocks.append(_Block())
            block = self._blocks[-1]
            stop = start + BLOCK_LINES - len(block.lines)
            block.lines.extend(plain[start:stop])
            block.raws.extend(raws[start:stop])
            block.starts.extend(starts[start:stop])
            block.lowered = block.units = None
            start = stop
        excess = len(self) - self.max_lines
        removed = self.texts(self.first, self.first + excess) if excess > 0 else []
        if excess > 0:
            self._drop(excess)
        return plain, removed

    def _drop(self, count: int) -> None:
        self._skip += count
        whole_blocks = self._skip // BLOCK_LINES
        if whole_blocks:
            del self._blocks[:whole_blocks]
            self._base += whole_blocks * BLOCK_LINES
            self._skip -= whole_blocks * BLOCK_LINES

    def clear(self) -> None:
        """Forget every line; numbering goes on from where it was."""
        self._base = self.end
        self._blocks, self._skip, self._style, self.widest = [], 0, PLAIN, 0

    def forget_search(self) -> None:
        """Let go of the lowered copies a search made."""
        for block in self._blocks:
            block.lowered = None

    # ---------------------------------------------------------------- reading

    def _locate(self, number: int) -> tuple[_Block, int]:
        if not self.first <= number < self.end:
            raise IndexError(f"line {number} is not kept")
        offset = number - self._base
        return self._blocks[offset // BLOCK_LINES], offset % BLOCK_LINES

    def text(self, number: int) -> str:
        block, index = self._locate(number)
        return block.lines[index]

    def colouring(self, number: int) -> tuple[str, Style] | None:
        """What parse_ansi() turns into the line's coloured segments; None for a line in the view's own colours."""
        block, index = self._locate(number)
        raw, start = block.raws[index], block.starts[index]
        if raw is None and start is None:
            return None
        return (block.lines[index] if raw is None else raw), start or PLAIN

    def texts(self, start: int, stop: int) -> list[str]:
        """Plain text of lines start to stop (not included), within what is kept."""
        start, stop = max(start, self.first), min(stop, self.end)
        result: list[str] = []
        while start < stop:
            block, index = self._locate(start)
            taken = block.lines[index : index + stop - start]
            result.extend(taken)
            start += len(taken)
        return result

    def plain_text(self) -> str:
        return "\n".join(self.texts(self.first, self.end))

    def last(self) -> Position:
        """The end of the newest line; the start of the log when it is empty."""
        if not len(self):
            return Position(self.first, 0)
        return Position(self.end - 1, len(self.text(self.end - 1)))

    def clamped(self, position: Position) -> Position:
        """`position` moved onto the kept text: lines dropped since it was taken mean the log's start."""
        if position.line < self.first:
            return Position(self.first, 0)
        if position.line >= self.end:
            return self.last()
        return Position(position.line, min(max(position.column, 0), len(self.text(position.line))))

    def moved(self, position: Position, move: str) -> Position:
        """Where a key's `move` along the text takes a caret at `position` (a kept place): "log start", "log end",
        "line start", "line end", "next character" or "previous character", "next word" or "previous word"."""
        number, column = position
        text = self.text(number)
        if move == "log start":
            return Position(self.first, 0)
        if move == "log end":
            return self.last()
        if move == "line start":
            return Position(number, 0)
        if move == "line end":
            return Position(number, len(text))
        forward = move.startswith("next")
        if forward and column == len(text):  # past a line's end: the next line's start
            return Position(number + 1, 0) if number + 1 < self.end else position
        if not forward and column == 0:
            return Position(number - 1, len(self.text(number - 1))) if number > self.first else position
        if move.endswith("character"):
            return Position(number, column + (1 if forward else -1))
        starts = [start for start, _end in word_spans(text)]
        if forward:
            return Position(number, next((start for start in starts if start > column), len(text)))
        return Position(number, next((start for start in reversed(starts) if start < column), 0))

    def text_between(self, start: Position, end: Position) -> str:
        """The plain text from `start` to `end` (not included), lines joined by newlines."""
        lines = self.texts(start.line, end.line + 1)
        if not lines:
            return ""
        if start.line == end.line:
            return lines[0][start.column : end.column]
        lines[0] = lines[0][start.column :]
        lines[-1] = lines[-1][: end.column]
        return "\n".join(lines)

    # ---------------------------------------------------------------- offsets
    #
    # Assistive technology reads the log as one text: the kept lines joined by newlines, counted in UTF-16 units as
    # a QString counts. A block keeps its count once asked, so an offset costs a sum over blocks and one block's lines.

    def character_count(self) -> int:
        if not self._blocks:
            return 0
        return sum(map(_block_units, self._blocks)) - self._dropped_units() - 1  # no newline after the last line

    def offset_of(self, position: Position) -> int:
        """Where `position` lies in the joined text (a position not kept is clamped first)."""
        if not len(self):
            return 0
        line, column = self.clamped(position)
        number, index = divmod(line - self._base, BLOCK_LINES)
        block = self._blocks[number]
        before = sum(map(_block_units, self._blocks[:number])) + _units(block.lines[:index]) - self._dropped_units()
        return before + utf16_units(block.lines[index], column)

    def position_of(self, offset: int) -> Position:
        """The position at `offset` of the joined text; one past its end is the end of the newest line."""
        remaining = max(0, offset) + self._dropped_units()
        for number, block in enumerate(self._blocks):
            if remaining >= _block_units(block):
                remaining -= _block_units(block)
                continue
            for index, text in enumerate(block.lines):
                length = utf16_units(text, len(text))
                if remaining <= length:
                    return Position(self._base + number * BLOCK_LINES + index, units_to_column(text, remaining))
                remaining -= length + 1
        return self.last()

    def _dropped_units(self) -> int:
        """UTF-16 units (newlines too) of the first block's lines that were dropped."""
        return _units(self._blocks[0].lines[: self._skip]) if self._blocks and self._skip else 0

    # ----------------------------------------------------------------- search
    #
    # A term is searched in lowered text (lower() it before asking). Lowering keeps newlines and, for nearly every
    # line, its length; a line whose length it changes (a rare letter like 'İ') is searched on its own.

    def count(self, term: str) -> int:
        """How many times `term` (lowered) occurs in the kept lines, case-insensitively."""
        if not term or "\n" in term or not self._blocks:
            return 0
        first = self._blocks[0].lowered_text()
        dropped = first.count(term, 0, _line_start(first, self._skip))
        return sum(block.lowered_text().count(term) for block in self._blocks) - dropped

    def find(self, term: str, after: Position, backward: bool = False) -> tuple[Position, Position] | None:
        """The first match of `term` (lowered) after `after` (or the last one before it), going round the log's
        end; None when there is none."""
        if not term or "\n" in term or not self._blocks:
            return None
        start, end = Position(self.first, 0), Position(self.end - 1, len(self.text(self.end - 1)))
        after = min(max(after, start), end)
        overlap = len(term) - 1  # going round, a match the search began inside of counts too
        if backward:
            return self._find_between(term, start, after, True) or self._find_between(
                term, Position(after.line, max(0, after.column - overlap)), end, True
            )
        return self._find_between(term, after, end, False) or self._find_between(
            term, start, Position(after.line, after.column + overlap), False
        )

    def _find_between(self, term: str, low: Position, high: Position, backward: bool):
        """The first (or last) match lying wholly between `low` and `high`."""
        numbers = range((low.line - self._base) // BLOCK_LINES, (high.line - self._base) // BLOCK_LINES + 1)
        for number in reversed(numbers) if backward else numbers:
            block, block_start = self._blocks[number], self._base + number * BLOCK_LINES
            text = block.lowered_text()
            bottom = _line_start(text, low.line - block_start) + low.column if low.line >= block_start else 0
            top = len(text)
            if high.line < block_start + len(block.lines):
                top = _line_start(text, high.line - block_start) + high.column
            found = self._find_in_text(block, block_start, term, bottom, top, backward)
            if found is not None:
                return found
        return None

    def _find_in_text(self, block: _Block, block_start: int, term: str, bottom: int, top: int, backward: bool):
        text = block.lowered_text()
        while True:
            at = text.rfind(term, bottom, top) if backward else text.find(term, bottom, top)
            if at < 0:
                return None
            index = text.count("\n", 0, at)
            found = _exact(block.lines[index], block_start + index, at - text.rfind("\n", 0, at) - 1, term)
            if found is not None:
                return found
            if backward:
                top = at + len(term) - 1
            else:
                bottom = at + 1


def utf16_units(text: str, column: int) -> int:
    """A column of `text` as Qt counts it: UTF-16 units, two for a character beyond the BMP (an emoji)."""
    if text.isascii():
        return column
    return len(text[:column].encode("utf-16-le")) // 2


def units_to_column(text: str, units: int) -> int:
    """The column of `text` that `units` UTF-16 units from its start reach."""
    if text.isascii():
        return min(units, len(text))
    return len(text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", errors="ignore"))


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the words of `text` start and end: runs of letters, digits and underscores."""
    return [match.span() for match in _WORD_RE.finditer(text)]


def _units(lines: list[str]) -> int:
    """UTF-16 units of `lines` with a newline after each."""
    joined = "".join(lines)
    return len(lines) + (len(joined) if joined.isascii() else len(joined.encode("utf-16-le")) // 2)


def _block_units(block: _Block) -> int:
    if block.units is None:
        block.units = _units(block.lines)
    return block.units


def _line_start(text: str, index: int) -> int:
    """Where line `index` of a block's joined text begins."""
    if index <= 0:
        return 0
    rest = text.split("\n", index)
    return len(text) - len(rest[-1]) if len(rest) > index else len(text) + 1


def _exact(line: str, number: int, column: int, term: str) -> tuple[Position, Position] | None:
    """The match found at `column` of the lowered line, in the line's own columns."""
    if len(line.lower()) == len(line):
        return Position(number, column), Position(number, column + len(term))
    for start, end in matches_in_line(line, term):  # lowering changed this line's length: search it on its own
        if len(line[:start].lower()) == column:
            return Position(number, start), Position(number, end)
    return None


def count_in(lines: list[str], term: str) -> int:
    """How many times `term` (lowered) occurs in `lines`, counted as LogLines.count counts."""
    return "\n".join(lines).lower().count(term) if lines and term else 0


def matches_in_line(line: str, term: str) -> list[tuple[int, int]]:
    """Where `term` (lowered) occurs in `line`, case-insensitively: (start, end) columns, without overlaps."""
    if not term:
        return []
    lowered = line.lower()
    if len(lowered) != len(line):
        return [match.span() for match in re.finditer(re.escape(term), line, re.IGNORECASE)]
    spans = []
    at = lowered.find(term)
    while at >= 0:
        spans.append((at, at + len(term)))
        at = lowered.find(term, at + len(term))
    return spans
