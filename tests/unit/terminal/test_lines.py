"""Rows as the screen keeps them and as the scrollback stores them (gui.core.terminal.lines): read the same way,
stored in a form the garbage collector stops walking (a full scrollback was a 70 ms stall of the window)."""

from __future__ import annotations

import gc
import sys

from gui.core.terminal.lines import DEFAULT_STYLE, cells_of, line_text, store, style_runs
from gui.core.terminal.screen import TerminalScreen

COLUMNS = 40


def screen_row(data: bytes) -> dict:
    screen = TerminalScreen(COLUMNS, 3)
    screen.feed(data)
    return screen.buffer[0]


def test_a_stored_row_reads_as_the_row_did():
    row = screen_row(b"$ \x1b[1;32mok\x1b[0m plain \x1b[41mred\x1b[0m")
    stored = store(row)
    assert line_text(stored, COLUMNS) == line_text(row, COLUMNS) == "$ ok plain red"
    assert style_runs(stored, COLUMNS) == style_runs(row, COLUMNS)
    assert cells_of(stored, 0, COLUMNS) == cells_of(row, 0, COLUMNS)
    green = next(style for start, _end, style in style_runs(stored, COLUMNS) if start == 2)
    assert green[:3] == ("green", "default", True)


def test_wide_characters_keep_their_columns():
    row = screen_row("日本 ok".encode())
    stored = store(row)
    assert line_text(stored, COLUMNS) == "日本 ok"
    assert cells_of(stored, 0, 7) == ["日", "", "本", "", " ", "o", "k"]


def test_an_empty_row_and_a_narrower_screen():
    assert line_text(store({}), COLUMNS) == ""
    assert style_runs(store({}), COLUMNS) == [(0, COLUMNS, DEFAULT_STYLE)]
    stored = store(screen_row(b"abcdefghij"))
    assert line_text(stored, 4) == "abcd"
    assert style_runs(stored, 4) == [(0, 4, DEFAULT_STYLE)]


def test_the_scrollback_is_left_alone_by_the_garbage_collector():
    screen = TerminalScreen(COLUMNS, 3)
    for i in range(50):
        screen.feed(f"\x1b[32m{i}\x1b[0m a line of output\r\n".encode())
    gc.collect()  # the collector stops tracking a tuple whose items are all untracked when it looks at it
    assert len(screen.scrollback) == 48
    assert not any(gc.is_tracked(line) for line in screen.scrollback)


def test_a_stored_line_is_small():
    row = screen_row(b"x" * COLUMNS)
    stored = store(row)
    size = sys.getsizeof(stored) + sys.getsizeof(stored[0])
    assert size < 400  # pyte's row: a dict and 40 named tuples, some 6 KB
