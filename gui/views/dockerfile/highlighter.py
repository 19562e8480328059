"""Colours for Dockerfile text: instructions, comments, strings, $VARIABLES and --flags.

Big edits stay fluid. Qt's QSyntaxHighlighter calls Python once for every line an edit touches, inside the
edit: pasting or replacing across 5,000 lines meant 5,000 calls, each waiting for the interpreter while a
lint worker ran, and stalls of a tenth of a second and more. This highlighter hears of an edit once (the
document's contentsChange) and colours the lines itself: the edited lines for a short budget (and always the
lines on screen) at once, the rest in short turns of the event loop, the lines on screen first. A line's
colours depend on the line before it (a continuation, a heredoc): each line keeps its state in the block's
userState, -1 while its colours are still to come; a line whose state changes sends its next line to be
coloured again, so every line is read with the state of the line before it in the end. The colours are the
block layout's formats, as QSyntaxHighlighter sets them: no edit, no undo step, no textChanged."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from itertools import groupby, pairwise

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
)

from gui.core.dockerfile.parser import HEREDOC_KEYWORDS, KEYWORDS

__all__ = ["DockerfileHighlighter", "is_dark"]

# Block states: 0 is a plain line; 1 follows a line that ended in the escape character; 2 + n is inside the
# n-th heredoc terminator the highlighter has seen; -1 (a new block's state in Qt) waits for its colours.
_STALE, _NORMAL, _CONTINUED, _HEREDOC = -1, 0, 1, 2

PASS_BUDGET_S = 0.002  # an edit (a paste, opening a file) colours its lines at once for this long...
PASS_MIN_LINES = 100  # ...and at least this many, so small files are always coloured at once
TURN_BUDGET_S = 0.008  # each later turn colours the waiting lines for this long, then lets the window work
_DIRECTIVE_LOOKBACK = 16  # parser directives only live in the first few lines

_KEYWORDS = frozenset(KEYWORDS)
_FIRST_WORD_RE = re.compile(r"\s*([A-Za-z]+)(?=\s|$)")
_FLAG_RE = re.compile(r"(?<![^\s\[])--[A-Za-z][A-Za-z0-9-]*(?==|\s|$)")
_VARIABLE_RE = re.compile(r"\$\{[^}\s]*\}?|\$[A-Za-z_][A-Za-z0-9_]*")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"?|\'[^\']*\'?')
_AS_RE = re.compile(r"(?i)(?<=\s)(as)(\s+)(\S+)")
_HEREDOC_RE = re.compile(r"(?<![<\w\"'])\d*<<(-?)\s*([\"']?)([A-Za-z0-9_][A-Za-z0-9_.-]*)\2")
_DIRECTIVE_RE = re.compile(r"\s*#\s*(syntax|escape|check)\s*=", re.IGNORECASE)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")  # characters Qt counts as two (UTF-16 surrogate pairs)

# (light palette, dark palette): chosen to read on the palette's own base colour.
_COLOURS = {
    "keyword": ("#0550ae", "#79c0ff"),
    "comment": ("#6e7781", "#8b949e"),
    "string": ("#116329", "#7ee787"),
    "variable": ("#8250df", "#d2a8ff"),
    "flag": ("#953800", "#ffa657"),
    "stage": ("#0550ae", "#79c0ff"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _formats(palette: QPalette) -> dict[str, QTextCharFormat]:
    column = 1 if is_dark(palette) else 0
    formats = {}
    for name, colours in _COLOURS.items():
        text_format = QTextCharFormat()
        text_format.setForeground(QColor(colours[column]))
        formats[name] = text_format
    formats["keyword"].setFontWeight(QFont.Weight.Bold)
    formats["comment"].setFontItalic(True)
    formats["stage"].setFontItalic(True)
    formats["escape"] = QTextCharFormat(formats["comment"])
    formats["escape"].setFontItalic(False)
    formats["directive"] = QTextCharFormat(formats["comment"])
    formats["directive"].setFontWeight(QFont.Weight.Bold)
    return formats


class DockerfileHighlighter(QObject):
    """Highlights a QTextDocument holding a Dockerfile. Call set_palette() when the theme changes.
    `visible_lines` says which 0-based lines are on screen: they are coloured first."""

    def __init__(
        self,
        document: QTextDocument,
        palette: QPalette | None = None,
        visible_lines: Callable[[], tuple[int, int]] | None = None,
    ):
        super().__init__(document)
        self._document = document
        self._formats = _formats(palette or QPalette())
        self._terminators: list[tuple[str, bool]] = []  # heredoc (terminator, strip tabs), by state - 2
        self._visible_lines = visible_lines or (lambda: (0, -1))
        self._escape = "\\"
        self._stale_from: int | None = None  # every line still waiting for its colours is at or after this one
        self._unmarked: list[tuple[QTextCursor, QTextCursor]] = []  # lines of edits that wait, to mark as waiting
        # The line being coloured: its block, paints (start, length, format name; later ones win) and state.
        self._block = QTextBlock()
        self._paints: list[tuple[int, int, str]] = []
        self._state = _NORMAL
        self._turn = QTimer(self, singleShot=True, interval=0, timeout=self._colour_some)
        document.contentsChange.connect(self._on_contents_change)
        if not document.isEmpty():
            self._recolour_all()

    def document(self) -> QTextDocument:
        return self._document

    def set_palette(self, palette: QPalette) -> None:
        self._formats = _formats(palette)
        self._recolour_all()

    def format_for(self, name: str) -> QTextCharFormat:
        """The format used for one kind of text: keyword, comment, string, variable, flag."""
        return QTextCharFormat(self._formats[name])

    @property
    def colouring(self) -> bool:
        """True while some lines still wait for their colours."""
        return self._stale_from is not None

    # Edits and turns ---------------------------------------------------------------------------------

    def _on_contents_change(self, position: int, _removed: int, added: int) -> None:
        """An edit: its lines are coloured now (for PASS_BUDGET_S, at least PASS_MIN_LINES), then the lines on
        screen; what is left waits for the turns. Lines the edit inserted are new blocks, state -1 already."""
        document = self._document
        first = document.findBlock(position)
        if not first.isValid():
            return
        end = document.findBlock(position + added)
        last = end if end.isValid() else document.lastBlock()
        if self._stale_from is not None:  # lines removed above it moved the waiting lines up
            self._stale_from = min(self._stale_from, first.blockNumber())
        began = self._begin_pass()
        stopped = self._colour_from(
            first, through=last.blockNumber(), deadline=began + PASS_BUDGET_S, min_lines=PASS_MIN_LINES
        )
        if stopped is not None and last.blockNumber() > stopped.blockNumber():
            # The rest of the edit waits, whatever states its lines had (an edit block may hold several changes,
            # so they are not all new lines); the next turn marks them, cursors keep the place meanwhile.
            start, end = QTextCursor(document), QTextCursor(document)
            start.setPosition(stopped.position())
            end.setPosition(last.position())
            self._unmarked.append((start, end))
        self._colour_visible()

    def _recolour_all(self) -> None:
        """Every line waits for new colours (a new palette or escape character); those on screen get them now."""
        block = self._document.firstBlock()
        while block.isValid():
            block.setUserState(_STALE)
            block = block.next()
        self._wait_from(0)
        self._begin_pass()
        self._colour_visible()

    def _begin_pass(self) -> float:
        """Before colouring: the escape character, read once per pass from the first lines. Returns the time."""
        escape = self._escape_character()
        if escape != self._escape:
            self._escape = escape
            self._recolour_all()
        return time.perf_counter()

    def _wait_from(self, number: int) -> None:
        """Line `number` (and maybe some after it) waits for its colours: a turn follows."""
        self._stale_from = number if self._stale_from is None else min(self._stale_from, number)
        if not self._turn.isActive():
            self._turn.start()

    def _colour_visible(self) -> None:
        """Colours the waiting lines on screen, the line before each read with the state it has now (a line
        above still waiting counts as plain): the turns colour them again if that guess was wrong."""
        first, last = self._visible_lines()
        if self._stale_from is not None and last >= self._stale_from:
            self._colour_from(self._document.findBlockByNumber(max(first, 0)), last_line=last)

    def _colour_some(self) -> None:
        """One turn: the lines on screen, then the waiting lines in order until TURN_BUDGET_S is spent."""
        if self._stale_from is None:
            return
        began = self._begin_pass()
        for first, last in self._unmarked:
            self._wait_from(first.blockNumber())
            block = first.block()
            while block.isValid() and block.blockNumber() <= last.blockNumber():
                block.setUserState(_STALE)
                block = block.next()
        self._unmarked.clear()
        self._colour_visible()
        start = self._document.findBlockByNumber(self._stale_from)
        self._stale_from = None  # set again below (or by a line left waiting) while lines still wait
        stopped = self._colour_from(start, deadline=began + TURN_BUDGET_S, min_lines=1)
        if stopped is not None:
            self._wait_from(stopped.blockNumber())

    def _colour_from(
        self,
        block: QTextBlock,
        through: int = -1,
        last_line: int | None = None,
        deadline: float | None = None,
        min_lines: int = 0,
    ) -> QTextBlock | None:
        """Colours, from `block` on, every line up to line `through` and every line that waits or follows a
        line whose state changed, until line `last_line` (None: the end of the text; with `through` given,
        until the changes settle). Past `deadline` (after `min_lines` lines) it stops: the line it stopped at
        waits, and is returned."""
        settle = through >= 0 and last_line is None
        coloured, follows_change = 0, False
        dirty_from = dirty_to = -1
        stopped = None
        while block.isValid():
            number = block.blockNumber()
            if last_line is not None and number > last_line:
                if follows_change:  # the line after the range must be read again
                    block.setUserState(_STALE)
                    self._wait_from(number)
                break
            state = block.userState()
            if number <= through or follows_change or state == _STALE:
                if deadline is not None and coloured >= min_lines and time.perf_counter() > deadline:
                    block.setUserState(_STALE)
                    self._wait_from(number)
                    stopped = block
                    break
                previous = block.previous().userState() if number else _NORMAL
                new_state = self._colour(block, _NORMAL if previous == _STALE else previous)
                follows_change = new_state != state
                coloured += 1
                if dirty_from < 0:
                    dirty_from = block.position()
                dirty_to = block.position() + block.length()
            elif settle:
                break
            elif dirty_from >= 0:  # a run of new colours ends: laid out again, not the lines between runs
                self._document.markContentsDirty(dirty_from, dirty_to - dirty_from)
                dirty_from = -1
            block = block.next()
        if dirty_from >= 0:  # the new colours are laid out and painted (no edit: no signal, no undo step)
            self._document.markContentsDirty(dirty_from, dirty_to - dirty_from)
        return stopped

    def _colour(self, block: QTextBlock, previous: int) -> int:
        """Gives one line its colours (read with the state of the line before it); returns its new state."""
        self._block = block
        self._paints = []
        self._state = _NORMAL
        text = block.text()
        self._highlight_line(text, previous)
        layout = block.layout()
        ranges = self._format_ranges(text)
        composing = len(layout.preeditAreaText())
        if composing:  # an input method's text being composed sits in the line: colours after it move on,
            at = layout.preeditAreaPosition()  # and it keeps its own look (as QSyntaxHighlighter does)
            for format_range in ranges:
                if format_range.start >= at:
                    format_range.start += composing
                elif format_range.start + format_range.length >= at:
                    format_range.length += composing
            ranges += [r for r in layout.formats() if at <= r.start and r.start + r.length <= at + composing]
        layout.setFormats(ranges)
        block.setUserState(self._state)
        return self._state

    def _format_ranges(self, text: str) -> list[QTextLayout.FormatRange]:
        """The paints as Qt's format ranges: where they overlap the later one wins (as setFormat did)."""
        paints = sorted(self._paints)
        if any(a[0] + a[1] > b[0] for a, b in pairwise(paints)):
            slots: list[str | None] = [None] * len(text)
            for start, length, name in self._paints:
                slots[start : start + length] = [name] * length
            paints, position = [], 0
            for name, run in groupby(slots):
                length = sum(1 for _ in run)
                if name is not None:
                    paints.append((position, length, name))
                position += length
        astral = [] if text.isascii() else [match.start() for match in _ASTRAL_RE.finditer(text)]
        ranges = []
        for start, length, name in paints:
            if length <= 0:
                continue
            format_range = QTextLayout.FormatRange()
            if astral:  # Qt counts these characters as two
                end = start + length
                start += sum(1 for index in astral if index < start)
                length = end + sum(1 for index in astral if index < end) - start
            format_range.start, format_range.length = start, length
            format_range.format = self._formats[name]
            ranges.append(format_range)
        return ranges

    def _paint(self, start: int, count: int, name: str) -> None:
        self._paints.append((start, count, name))

    # Colours -----------------------------------------------------------------------------------------

    def _highlight_line(self, text: str, previous: int) -> None:
        if previous >= _HEREDOC:
            self._heredoc_line(text, previous)
            return
        if text.lstrip().startswith("#"):
            is_directive = previous <= _NORMAL and self._in_directive_block() and _DIRECTIVE_RE.match(text)
            self._paint(0, len(text), "directive" if is_directive else "comment")
            # A comment inside a continuation does not end it (Docker drops the line).
            self._state = _CONTINUED if previous == _CONTINUED else _NORMAL
            return
        if previous == _CONTINUED and not text.strip():
            self._state = _CONTINUED  # blank lines inside a continuation are skipped too
            return

        keyword = None
        if previous != _CONTINUED:
            keyword = self._keyword(text)
        self._arguments(text)

        stripped = text.rstrip(" \t")
        if stripped.endswith(self._escape) and stripped:
            self._paint(len(stripped) - 1, 1, "escape")
            self._state = _CONTINUED
            return
        heredoc = self._heredoc_start(text, keyword, previous)
        self._state = heredoc if heredoc is not None else _NORMAL

    def _keyword(self, text: str) -> str | None:
        match = _FIRST_WORD_RE.match(text)
        if not match or match.group(1).upper() not in _KEYWORDS:
            return None
        keyword = match.group(1).upper()
        self._paint(match.start(1), len(match.group(1)), "keyword")
        end = match.end(1)
        if keyword == "ONBUILD":  # ONBUILD RUN ...: the trigger's keyword is a keyword too
            inner = _FIRST_WORD_RE.match(text, end)
            if inner and inner.group(1).upper() in _KEYWORDS:
                self._paint(inner.start(1), len(inner.group(1)), "keyword")
                keyword = inner.group(1).upper()
        if keyword == "FROM":
            stage = _AS_RE.search(text, end)
            if stage:
                self._paint(stage.start(1), 2, "keyword")
                self._paint(stage.start(3), len(stage.group(3)), "stage")
        return keyword

    def _arguments(self, text: str) -> None:
        for match in _FLAG_RE.finditer(text):
            self._paint(match.start(), match.end() - match.start(), "flag")
        for match in _STRING_RE.finditer(text):
            self._paint(match.start(), match.end() - match.start(), "string")
        # Variables last: the shell expands them inside double quotes, so they stand out there too.
        for match in _VARIABLE_RE.finditer(text):
            if not self._in_single_quotes(text, match.start()):
                self._paint(match.start(), match.end() - match.start(), "variable")

    @staticmethod
    def _in_single_quotes(text: str, position: int) -> bool:
        for match in _STRING_RE.finditer(text, 0, position + 1):
            if match.group().startswith("'") and match.start() < position < match.end():
                return True
        return False

    def _heredoc_start(self, text: str, keyword: str | None, previous: int) -> int | None:
        if "<<" not in text or (keyword not in HEREDOC_KEYWORDS and previous != _CONTINUED):
            return None
        found = None
        for match in _HEREDOC_RE.finditer(text):
            before = text[: match.start()]
            if before.count('"') % 2 or before.count("'") % 2:
                continue
            if found is None:
                found = (match.group(3), match.group(1) == "-")
            self._paint(match.start(), match.end() - match.start(), "flag")
        if found is None:
            return None
        if found not in self._terminators:
            self._terminators.append(found)
        return _HEREDOC + self._terminators.index(found)

    def _heredoc_line(self, text: str, state: int) -> None:
        terminator, strip_tabs = self._terminators[state - _HEREDOC]
        if (text.lstrip("\t") if strip_tabs else text) == terminator:
            self._paint(0, len(text), "flag")
            self._state = _NORMAL
            return
        self._paint(0, len(text), "string")
        for match in _VARIABLE_RE.finditer(text):
            self._paint(match.start(), match.end() - match.start(), "variable")
        self._state = state

    def _in_directive_block(self) -> bool:
        """True while every line above this one is a comment: parser directives live only there (and only in
        the first few lines, which keeps this cheap on a file of many comments)."""
        block = self._block.previous()
        for _ in range(_DIRECTIVE_LOOKBACK):
            if not block.isValid():
                return True
            if not block.text().lstrip().startswith("#"):
                return False
            block = block.previous()
        return not block.isValid()

    def _escape_character(self) -> str:
        """`\\`, or the character a `# escape=` directive at the top chose."""
        block = self._document.firstBlock()
        for _ in range(4):
            if not block.isValid():
                break
            line = block.text().strip()
            match = re.fullmatch(r"#\s*escape\s*=\s*(\S)", line, re.IGNORECASE)
            if match and match.group(1) in "\\`":
                return match.group(1)
            if not _DIRECTIVE_RE.match(line):
                break
            block = block.next()
        return "\\"
