"""Colours for Dockerfile text: instructions, comments, strings, $VARIABLES and --flags.

Big edits stay fluid: Qt highlights every changed line at once, inside the edit (opening or pasting 5,000
lines would hold the window for a tenth of a second or more). So each pass colours lines for a short budget
(and always the lines on screen); past it, a line only gets the state _UNCOLOURED, and a timer colours those
lines in short turns, the lines on screen first. Qt goes on from each line it colours to the next while the
states differ, so every line is read with the state of the line before it in the end."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
)

from gui.core.dockerfile.parser import HEREDOC_KEYWORDS, KEYWORDS

__all__ = ["DockerfileHighlighter", "is_dark"]

# Block states: -1 (Qt's "none") and 0 are a plain line; 1 follows a line that ended in the escape
# character; 2 + n is inside the n-th heredoc terminator the highlighter has seen.
_NORMAL, _CONTINUED, _HEREDOC = 0, 1, 2
_UNCOLOURED = 1 << 24  # a line whose colours (and state) are still to come

PASS_BUDGET_S = 0.008  # one pass (an edit, a paste, opening a file) colours lines for this long...
PASS_MIN_LINES = 200  # ...and at least this many, so small files are always coloured at once
TURN_BUDGET_S = 0.008  # each later turn colours the marked lines for this long, then lets the window work
_DIRECTIVE_LOOKBACK = 16  # parser directives only live in the first few lines

_KEYWORDS = frozenset(KEYWORDS)
_FIRST_WORD_RE = re.compile(r"\s*([A-Za-z]+)(?=\s|$)")
_FLAG_RE = re.compile(r"(?<![^\s\[])--[A-Za-z][A-Za-z0-9-]*(?==|\s|$)")
_VARIABLE_RE = re.compile(r"\$\{[^}\s]*\}?|\$[A-Za-z_][A-Za-z0-9_]*")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"?|\'[^\']*\'?')
_AS_RE = re.compile(r"(?i)(?<=\s)(as)(\s+)(\S+)")
_HEREDOC_RE = re.compile(r"(?<![<\w\"'])\d*<<(-?)\s*([\"']?)([A-Za-z0-9_][A-Za-z0-9_.-]*)\2")
_DIRECTIVE_RE = re.compile(r"\s*#\s*(syntax|escape|check)\s*=", re.IGNORECASE)

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


class DockerfileHighlighter(QSyntaxHighlighter):
    """Highlights a QTextDocument holding a Dockerfile. Call set_palette() when the theme changes.
    `visible_lines` says which 0-based lines are on screen: they are coloured first."""

    def __init__(
        self,
        document: QTextDocument,
        palette: QPalette | None = None,
        visible_lines: Callable[[], tuple[int, int]] | None = None,
    ):
        super().__init__(None)
        self.setParent(document)
        # Each edit begins a new pass: connected before the highlighter's own, which highlights the edit.
        document.contentsChange.connect(self._end_pass)
        self.setDocument(document)
        self._formats = _formats(palette or QPalette())
        self._terminators: list[tuple[str, bool]] = []  # heredoc (terminator, strip tabs), by state - 2
        self._visible_lines = visible_lines or (lambda: (0, -1))
        self._pass_began: float | None = None  # when the pass in progress began (None: none is)
        self._pass_lines = 0
        self._spent = False
        self._pass_visible = (0, -1)
        self._escape = "\\"
        self._uncoloured_from: int | None = None  # where the next turn looks for lines left uncoloured
        self._pass_end = QTimer(self, singleShot=True, interval=0, timeout=self._end_pass)
        self._turn = QTimer(self, singleShot=True, interval=0, timeout=self._colour_some)

    def set_palette(self, palette: QPalette) -> None:
        self._formats = _formats(palette)
        self.rehighlight()

    def format_for(self, name: str) -> QTextCharFormat:
        """The format used for one kind of text: keyword, comment, string, variable, flag."""
        return QTextCharFormat(self._formats[name])

    @property
    def colouring(self) -> bool:
        """True while some lines still wait for their colours."""
        return self._uncoloured_from is not None

    # Passes and turns --------------------------------------------------------------------------------

    # Qt calls this for each changed line, in order, with the state of the line before it.
    def highlightBlock(self, text: str) -> None:
        if self._pass_began is None:
            self._begin_pass()
        if self._spent:  # past the budget and past the lines on screen: the rest waits for later turns
            self.setCurrentBlockState(_UNCOLOURED)
            return
        self._pass_lines += 1
        if self._pass_lines > PASS_MIN_LINES and time.perf_counter() - self._pass_began > PASS_BUDGET_S:
            number = self.currentBlock().blockNumber()
            first, last = self._pass_visible
            if not first <= number <= last:
                self._leave_uncoloured(number)
                self._spent = number > last
                return
        previous = self.previousBlockState()
        self._highlight_line(text, _NORMAL if previous == _UNCOLOURED else previous)

    def _leave_uncoloured(self, number: int) -> None:
        """Leaves line `number` (and, as Qt goes on while states differ, the rest of the pass) for a later
        turn, which reads its state too. One constant state: Qt stops at a line already left like this."""
        self.setCurrentBlockState(_UNCOLOURED)
        if self._uncoloured_from is None or number < self._uncoloured_from:
            self._uncoloured_from = number
        if not self._turn.isActive():
            self._turn.start()

    def _begin_pass(self) -> None:
        """A pass: the lines Qt highlights for one edit, or until the event loop runs again."""
        self._pass_began = time.perf_counter()
        self._pass_lines = 0
        self._spent = False
        self._pass_visible = self._visible_lines()
        self._escape = self._escape_character()  # once per pass: it reads the first lines
        self._pass_end.start()

    def _end_pass(self, *_change) -> None:
        self._pass_began = None

    def _colour_some(self) -> None:
        """One turn: colours lines left uncoloured (those on screen first) until the turn's budget is spent.
        Qt goes on from each such line to the next while their states change, so the lines after it are
        read with the right state too."""
        document = self.document()
        if document is None or self._uncoloured_from is None:
            return
        self._begin_pass()
        self._pass_lines = PASS_MIN_LINES  # this turn is budgeted from its first line
        blocked = document.blockSignals(True)  # colours are no edit: no textChanged for the editor
        try:
            first, last = self._pass_visible
            for block in _blocks(document, first, last + 1):
                if block.userState() == _UNCOLOURED:
                    self.rehighlightBlock(block)
            for block in _blocks(document, self._uncoloured_from, document.blockCount()):
                if time.perf_counter() - self._pass_began > TURN_BUDGET_S:
                    self._uncoloured_from = block.blockNumber()
                    self._turn.start()
                    return
                if block.userState() == _UNCOLOURED:
                    self.rehighlightBlock(block)
            self._uncoloured_from = None
            for block in _blocks(document, 0, document.blockCount()):  # any that edits moved up meanwhile
                if block.userState() == _UNCOLOURED:
                    self._uncoloured_from = block.blockNumber()
                    self._turn.start()
                    return
        finally:
            document.blockSignals(blocked)

    # Colours -----------------------------------------------------------------------------------------

    def _highlight_line(self, text: str, previous: int) -> None:
        if previous >= _HEREDOC:
            self._heredoc_line(text, previous)
            return
        if text.lstrip().startswith("#"):
            is_directive = previous <= _NORMAL and self._in_directive_block() and _DIRECTIVE_RE.match(text)
            self.setFormat(0, len(text), self._formats["directive" if is_directive else "comment"])
            # A comment inside a continuation does not end it (Docker drops the line).
            self.setCurrentBlockState(_CONTINUED if previous == _CONTINUED else _NORMAL)
            return
        if previous == _CONTINUED and not text.strip():
            self.setCurrentBlockState(_CONTINUED)  # blank lines inside a continuation are skipped too
            return

        keyword = None
        if previous != _CONTINUED:
            keyword = self._keyword(text)
        self._arguments(text)

        stripped = text.rstrip(" \t")
        if stripped.endswith(self._escape) and stripped:
            self.setFormat(len(stripped) - 1, 1, self._formats["escape"])
            self.setCurrentBlockState(_CONTINUED)
            return
        heredoc = self._heredoc_start(text, keyword, previous)
        self.setCurrentBlockState(heredoc if heredoc is not None else _NORMAL)

    def _keyword(self, text: str) -> str | None:
        match = _FIRST_WORD_RE.match(text)
        if not match or match.group(1).upper() not in _KEYWORDS:
            return None
        keyword = match.group(1).upper()
        self.setFormat(match.start(1), len(match.group(1)), self._formats["keyword"])
        end = match.end(1)
        if keyword == "ONBUILD":  # ONBUILD RUN ...: the trigger's keyword is a keyword too
            inner = _FIRST_WORD_RE.match(text, end)
            if inner and inner.group(1).upper() in _KEYWORDS:
                self.setFormat(inner.start(1), len(inner.group(1)), self._formats["keyword"])
                keyword = inner.group(1).upper()
        if keyword == "FROM":
            stage = _AS_RE.search(text, end)
            if stage:
                self.setFormat(stage.start(1), 2, self._formats["keyword"])
                self.setFormat(stage.start(3), len(stage.group(3)), self._formats["stage"])
        return keyword

    def _arguments(self, text: str) -> None:
        for match in _FLAG_RE.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._formats["flag"])
        for match in _STRING_RE.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._formats["string"])
        # Variables last: the shell expands them inside double quotes, so they stand out there too.
        for match in _VARIABLE_RE.finditer(text):
            if not self._in_single_quotes(text, match.start()):
                self.setFormat(match.start(), match.end() - match.start(), self._formats["variable"])

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
            self.setFormat(match.start(), match.end() - match.start(), self._formats["flag"])
        if found is None:
            return None
        if found not in self._terminators:
            self._terminators.append(found)
        return _HEREDOC + self._terminators.index(found)

    def _heredoc_line(self, text: str, state: int) -> None:
        terminator, strip_tabs = self._terminators[state - _HEREDOC]
        if (text.lstrip("\t") if strip_tabs else text) == terminator:
            self.setFormat(0, len(text), self._formats["flag"])
            self.setCurrentBlockState(_NORMAL)
            return
        self.setFormat(0, len(text), self._formats["string"])
        for match in _VARIABLE_RE.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._formats["variable"])
        self.setCurrentBlockState(state)

    def _in_directive_block(self) -> bool:
        """True while every line above this one is a comment: parser directives live only there (and only in
        the first few lines, which keeps this cheap on a file of many comments)."""
        block = self.currentBlock().previous()
        for _ in range(_DIRECTIVE_LOOKBACK):
            if not block.isValid():
                return True
            if not block.text().lstrip().startswith("#"):
                return False
            block = block.previous()
        return not block.isValid()

    def _escape_character(self) -> str:
        """`\\`, or the character a `# escape=` directive at the top chose."""
        document = self.document()
        block = document.firstBlock() if document is not None else None
        for _ in range(4):
            if block is None or not block.isValid():
                break
            line = block.text().strip()
            match = re.fullmatch(r"#\s*escape\s*=\s*(\S)", line, re.IGNORECASE)
            if match and match.group(1) in "\\`":
                return match.group(1)
            if not _DIRECTIVE_RE.match(line):
                break
            block = block.next()
        return "\\"


def _blocks(document: QTextDocument, start: int, stop: int) -> Iterator[QTextBlock]:
    """The document's blocks (lines) numbered start to stop - 1."""
    block = document.findBlockByNumber(max(0, start))
    while block.isValid() and block.blockNumber() < stop:
        yield block
        block = block.next()
