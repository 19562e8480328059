"""What a program in a terminal drew: pyte's VT100/xterm screen, with what pyte leaves out and a real terminal has.

pyte (a kept library: escape sequences, cursor movement, colours, erase, insert, margins, wide characters) keeps
the visible screen only. Added here:
- scrollback: the lines that scroll off the top of the main screen, kept up to a limit in a compact form the
  garbage collector leaves alone (lines.py), shown when the user scrolls up (`view`), cleared by `clear`
  (ESC [ 3 J) as xterm does;
- the alternate screen (xterm's modes 1049, 1047 and 47): `top`, `vi`, `less` and `nvidia-smi -l` draw on a screen
  of their own and the shell's screen comes back, unchanged, when they end; nothing they draw enters the scrollback;
- replies to the program's questions (where is the cursor, what terminal is this) handed to `on_reply` as bytes;
- the modes keys and paste depend on: application cursor keys (DECCKM), bracketed paste (2004);
- a resize that keeps the cursor's line on screen (the lines above it go to the scrollback, as in xterm).
"""

from __future__ import annotations

import copy
import itertools
from collections import deque
from collections.abc import Callable

import pyte
from pyte import modes
from pyte.screens import Margins

from gui.core.terminal.lines import Line, line_text, store

SCROLLBACK_LINES = 10_000
_ALTERNATE_MODES = (1049, 1047, 47)  # xterm's alternate screen: 1049 also saves and restores the cursor
# pyte keeps private modes shifted by 5 bits, and names neither of these:
_APPLICATION_CURSOR_KEYS = 1 << 5  # DECCKM: arrows send ESC O A, not ESC [ A (vi, less, top ask for it)
_BRACKETED_PASTE = 2004 << 5  # a paste comes between ESC [ 200 ~ and ESC [ 201 ~ (bash and python don't run it)


class TerminalScreen(pyte.Screen):
    def __init__(self, columns: int, lines: int, scrollback: int = SCROLLBACK_LINES):
        self.scrollback: deque[Line] = deque(maxlen=scrollback)
        self._main: tuple[dict, pyte.screens.Cursor] | None = None  # the main screen, while the alternate is shown
        self.on_reply: Callable[[bytes], None] = lambda _data: None
        super().__init__(columns, lines)
        self._stream = pyte.ByteStream(self)

    def feed(self, data: bytes) -> None:
        """What the program wrote: text and escape sequences, in any pieces (a UTF-8 character or a sequence may
        be split between two calls)."""
        self._stream.feed(data)

    # Reading ---------------------------------------------------------------------------------------------------

    @property
    def alternate(self) -> bool:
        return self._main is not None

    @property
    def application_cursor_keys(self) -> bool:
        return _APPLICATION_CURSOR_KEYS in self.mode

    @property
    def bracketed_paste(self) -> bool:
        return _BRACKETED_PASTE in self.mode

    @property
    def cursor_visible(self) -> bool:
        return modes.DECTCEM in self.mode

    def view(self, back: int = 0) -> list[Line]:
        """The `lines` rows shown when scrolled `back` lines into the scrollback (0: the live screen)."""
        back = max(0, min(back, len(self.scrollback)))
        older = list(itertools.islice(self.scrollback, len(self.scrollback) - back, None))[: self.lines]
        return older + [self.buffer[y] for y in range(self.lines - len(older))]

    def text(self, back: int = 0) -> list[str]:
        """The rows of `view` as plain text, trailing blanks removed."""
        return [line_text(line, self.columns) for line in self.view(back)]

    # pyte's events, extended ------------------------------------------------------------------------------------

    def index(self) -> None:
        """A line scrolled off the top of the whole main screen goes to the scrollback."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y == bottom and top == 0 and self._main is None:
            self.scrollback.append(store(self.buffer[0]))
        super().index()

    def erase_in_display(self, how: int = 0, *args, **kwargs) -> None:
        if how == 3:  # xterm's "erase saved lines" (`clear` sends it after erasing the screen): the scrollback only
            self.scrollback.clear()
            return
        super().erase_in_display(how, *args, **kwargs)

    def set_mode(self, *mode_list: int, **kwargs) -> None:
        if kwargs.get("private") and any(mode in _ALTERNATE_MODES for mode in mode_list):
            self._enter_alternate()
        super().set_mode(*mode_list, **kwargs)

    def reset_mode(self, *mode_list: int, **kwargs) -> None:
        if kwargs.get("private") and any(mode in _ALTERNATE_MODES for mode in mode_list):
            self._leave_alternate()
        super().reset_mode(*mode_list, **kwargs)

    def write_process_input(self, data: str) -> None:
        self.on_reply(data.encode())

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        lines = lines or self.lines
        if lines < self.lines and self._main is None:
            # Keep the cursor's line on screen: the lines above it that no longer fit go to the scrollback.
            overflow = max(0, self.cursor.y - (lines - 1))
            for y in range(overflow):
                self.scrollback.append(store(self.buffer[y]))
            if overflow:
                rows = [self.buffer[y] for y in range(overflow, self.lines)]
                self.buffer.clear()
                self.buffer.update(enumerate(rows))
                self.cursor.y -= overflow
            for y in range(lines, self.lines):
                self.buffer.pop(y, None)
            self.dirty.update(range(lines))
            self.lines = lines
            self.set_margins()
        super().resize(lines, columns)

    # The alternate screen ------------------------------------------------------------------------------------

    def _enter_alternate(self) -> None:
        if self._main is not None:
            return
        self._main = (dict(self.buffer), copy.copy(self.cursor))
        self.buffer.clear()
        self.dirty.update(range(self.lines))

    def _leave_alternate(self) -> None:
        if self._main is None:
            return
        rows, cursor = self._main
        self._main = None
        self.buffer.clear()
        self.buffer.update((y, line) for y, line in rows.items() if y < self.lines)
        self.cursor = cursor
        self.ensure_hbounds()
        self.ensure_vbounds()
        self.dirty.update(range(self.lines))
