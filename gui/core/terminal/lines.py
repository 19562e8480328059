"""A terminal's rows, as the screen keeps them and as the scrollback stores them, read the same way.

A row on screen is pyte's: a dict of column -> Char (a named tuple per cell). Kept as is, 10,000 lines of
scrollback were some 400,000 objects the garbage collector walks on every full collection (70 ms here, a stall of
the whole window) and up to 180 MB for full-width lines. A line that scrolls off is therefore stored as a
StoredLine: its text (a str when every cell holds one character, else a tuple of the cells' strings) and its runs
of one style, in one flat tuple of strings, numbers and booleans, which the collector stops tracking at its first
look. A 139-column line then costs some 300 bytes, and a full collection with 10,000 lines stored 1.5 ms.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyte.screens import Char

# fg, bg, bold, italics, underscore, strikethrough, reverse: what a run of cells shares
Style = tuple[str, str, bool, bool, bool, bool, bool]
DEFAULT_STYLE: Style = ("default", "default", False, False, False, False, False)
# (cells, start, end, *Style, start, end, *Style, ...): cells indexable by column, then each run's fields in one
# flat tuple (a tuple is untracked once the collector finds only untracked items in it: nested, it took 3 passes)
StoredLine = tuple
_RUN = 2 + len(DEFAULT_STYLE)
Line = Mapping[int, Char] | StoredLine


def style_of(char: Char) -> Style:
    return (char.fg, char.bg, char.bold, char.italics, char.underscore, char.strikethrough, char.reverse)


def store(line: Mapping[int, Char]) -> StoredLine:
    """A screen row as the scrollback keeps it (blanks where nothing was drawn, up to the last drawn column)."""
    width = max(line) + 1 if line else 0
    cells = [line[x].data if x in line else " " for x in range(width)]
    runs: list = []
    start, current = 0, None
    for x in range(width):
        style = style_of(line[x]) if x in line else DEFAULT_STYLE
        if style != current:
            if current is not None:
                runs += (start, x, *current)
            start, current = x, style
    if current is not None:
        runs += (start, width, *current)
    text = "".join(cells)
    return (text if len(text) == width else tuple(cells), *runs)


def is_stored(line: Line) -> bool:
    return isinstance(line, tuple)


def cells_of(line: Line, start: int, end: int) -> list[str]:
    """The strings drawn in columns start..end-1 ("" for the right half of a wide character)."""
    if is_stored(line):
        cells = line[0]
        return [cells[x] if x < len(cells) else " " for x in range(start, end)]
    return [line[x].data for x in range(start, end)]


def style_runs(line: Line, columns: int) -> list[tuple[int, int, Style]]:
    """(start, end, style) of each run of one style across the row's `columns`, left to right."""
    if is_stored(line):
        fields = line[1:]
        runs = [
            (fields[i], min(fields[i + 1], columns), fields[i + 2 : i + _RUN])
            for i in range(0, len(fields), _RUN)
            if fields[i] < columns
        ]
        drawn = runs[-1][1] if runs else 0
        if drawn < columns:
            runs.append((drawn, columns, DEFAULT_STYLE))
        return runs
    runs = []
    start, current = 0, style_of(line[0]) if columns else DEFAULT_STYLE
    for x in range(1, columns):
        style = style_of(line[x])
        if style != current:
            runs.append((start, x, current))
            start, current = x, style
    if columns:
        runs.append((start, columns, current))
    return runs


def line_text(line: Line, columns: int) -> str:
    """A row as text: blanks where nothing was drawn, the second half of a wide character skipped, trailing blanks
    removed."""
    if is_stored(line):
        return "".join(line[0][:columns]).rstrip()
    return "".join(line[x].data if x in line else " " for x in range(columns)).rstrip()
