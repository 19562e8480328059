"""Colours for Dockerfile text: instructions, comments, strings, $VARIABLES and --flags."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from gui.core.dockerfile.parser import HEREDOC_KEYWORDS, KEYWORDS

__all__ = ["DockerfileHighlighter", "is_dark"]

# Block states: -1 (Qt's "none") and 0 are a plain line; 1 follows a line that ended in the escape
# character; 2 + n is inside the n-th heredoc terminator the highlighter has seen.
_NORMAL, _CONTINUED, _HEREDOC = 0, 1, 2

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
    """Highlights a QTextDocument holding a Dockerfile. Call set_palette() when the theme changes."""

    def __init__(self, document: QTextDocument, palette: QPalette | None = None):
        super().__init__(document)
        self._formats = _formats(palette or QPalette())
        self._terminators: list[tuple[str, bool]] = []  # heredoc (terminator, strip tabs), by state - 2

    def set_palette(self, palette: QPalette) -> None:
        self._formats = _formats(palette)
        self.rehighlight()

    def format_for(self, name: str) -> QTextCharFormat:
        """The format used for one kind of text: keyword, comment, string, variable, flag."""
        return QTextCharFormat(self._formats[name])

    # Qt calls this for each changed line, in order, with the state of the line before it.
    def highlightBlock(self, text: str) -> None:
        previous = self.previousBlockState()
        escape = self._escape_character()
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
        if stripped.endswith(escape) and stripped:
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
        """True while every line above this one is a comment: parser directives live only there."""
        block = self.currentBlock().previous()
        while block.isValid():
            if not block.text().lstrip().startswith("#"):
                return False
            block = block.previous()
        return True

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
