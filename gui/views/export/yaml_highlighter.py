"""Colours for YAML text: keys, strings, numbers and booleans, comments, `${VAR}` references, document separators.

An exported file is a few hundred lines at most, so this is a plain QSyntaxHighlighter (the Dockerfile editor's
own highlighter colours in turns because a Dockerfile may be 5,000 lines; an export never is). Each line is read
by `line_spans`, a pure function, with one piece of state from the line before it: the indentation of a key
whose value is a block scalar (`|` or `>`), whose more-indented lines that follow are all string."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

__all__ = ["YamlHighlighter", "line_spans"]

# (light palette, dark palette): the Dockerfile highlighter's shades, so both editors read alike.
_COLOURS = {
    "key": ("#0550ae", "#79c0ff"),
    "string": ("#116329", "#7ee787"),
    "number": ("#953800", "#ffa657"),
    "comment": ("#6e7781", "#8b949e"),
    "variable": ("#8250df", "#d2a8ff"),
    "separator": ("#6e7781", "#8b949e"),
}

_NORMAL = -1  # a block's state: -1 a plain line; n >= 0 inside a block scalar under a key indented by n

_SEPARATOR_RE = re.compile(r"^(---|\.\.\.)(?=\s|$)")
_ITEM_RE = re.compile(r"^\s*(?:-(?:\s+|$))*")  # indentation and list dashes before a key or a value
_KEY_RE = re.compile(r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s#'\"\[\]{},][^#]*?)\s*:(?=\s|$)")
_STRING_RE = re.compile(r"\"(?:[^\"\\]|\\.)*\"?|'(?:[^']|'')*'?")
_VARIABLE_RE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+-][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*")
_SCALAR_WORD_RE = re.compile(
    r"[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)"
    r"|true|false|True|False|TRUE|FALSE|yes|no|on|off|null|Null|NULL|~"
)
_FLOW_WORD_RE = re.compile(r"[^\s\[\]{},:]+")
_BLOCK_SCALAR_RE = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")

Span = tuple[int, int, str]  # (start, length, kind)


def line_spans(text: str, state: int = _NORMAL) -> tuple[list[Span], int]:
    """The coloured pieces of one line and the state the next line starts in. Later spans paint over earlier."""
    indent = len(text) - len(text.lstrip(" "))
    if state >= 0:  # inside a block scalar: its lines are more indented than its key (blank lines too)
        if not text.strip() or indent > state:
            return [(0, len(text), "string")], state
        state = _NORMAL
    separator = _SEPARATOR_RE.match(text)
    if separator:
        spans: list[Span] = [(0, separator.end(), "separator")]
        spans += _comment(text, separator.end())
        return spans, _NORMAL
    spans = []
    position = _ITEM_RE.match(text).end()
    key = _KEY_RE.match(text, position)
    if key and not text[position:].startswith(("#", "[", "{")):
        spans.append((key.start(1), len(key.group(1)), "key"))
        position = key.end()
    value_start = len(text) - len(text[position:].lstrip())
    comment_at = _comment_start(text, value_start)
    value = text[value_start:comment_at].rstrip()
    if value:
        spans += _value_spans(value, value_start)
    if comment_at < len(text):
        spans.append((comment_at, len(text) - comment_at, "comment"))
    if key and _BLOCK_SCALAR_RE.match(text[value_start:]):
        return spans, indent
    return spans, _NORMAL


def _value_spans(value: str, offset: int) -> list[Span]:
    """A value: a number or boolean, a quoted or plain string, or a flow list/mapping of those; `${VAR}` on top."""
    spans: list[Span] = []
    if value.startswith(("[", "{")):
        for word in _FLOW_WORD_RE.finditer(value):
            if not word.group().startswith(("'", '"')):
                kind = "number" if _SCALAR_WORD_RE.fullmatch(word.group()) else "string"
                spans.append((offset + word.start(), len(word.group()), kind))
        for quoted in _STRING_RE.finditer(value):
            spans.append((offset + quoted.start(), len(quoted.group()), "string"))
    elif _SCALAR_WORD_RE.fullmatch(value):
        spans.append((offset, len(value), "number"))
    elif not _BLOCK_SCALAR_RE.match(value):
        spans.append((offset, len(value), "string"))
    for variable in _VARIABLE_RE.finditer(value):
        if not value.startswith("'"):  # compose leaves ${VAR} alone in single quotes too, but so few write that
            spans.append((offset + variable.start(), len(variable.group()), "variable"))
    return spans


def _comment_start(text: str, start: int) -> int:
    """Where a comment begins at or after `start` (a # at the start or after a space, outside quotes), else the end."""
    quote = ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (index == start or text[index - 1] in " [{,"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return index
    return len(text)


def _comment(text: str, start: int) -> list[Span]:
    at = _comment_start(text, start)
    return [(at, len(text) - at, "comment")] if at < len(text) else []


def _formats(palette: QPalette) -> dict[str, QTextCharFormat]:
    column = 1 if palette.color(QPalette.ColorRole.Base).lightness() < 128 else 0
    formats = {}
    for name, colours in _COLOURS.items():
        text_format = QTextCharFormat()
        text_format.setForeground(QColor(colours[column]))
        formats[name] = text_format
    formats["comment"].setFontItalic(True)
    formats["separator"].setFontWeight(QFont.Weight.Bold)
    formats["variable"].setFontWeight(QFont.Weight.Bold)
    return formats


class YamlHighlighter(QSyntaxHighlighter):
    """Colours a QTextDocument holding YAML. Call set_palette() when the theme changes."""

    def __init__(self, document: QTextDocument, palette: QPalette | None = None):
        self._formats = _formats(palette or QPalette())
        super().__init__(document)

    def set_palette(self, palette: QPalette) -> None:
        self._formats = _formats(palette)
        self.rehighlight()

    def format_for(self, kind: str) -> QTextCharFormat:
        """The format one kind of text gets: key, string, number, comment, variable, separator."""
        return QTextCharFormat(self._formats[kind])

    def highlightBlock(self, text: str) -> None:
        spans, state = line_spans(text, self.previousBlockState())
        for start, length, kind in spans:
            self.setFormat(start, length, self._formats[kind])
        self.setCurrentBlockState(state)
