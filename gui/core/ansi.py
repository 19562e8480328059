"""Turn text with ANSI escape sequences into plain or styled segments.

Containers write logs for a terminal: colours (SGR), cursor moves, window
titles (OSC) and carriage-return progress bars.  A log view is not a terminal,
so we keep the colours and text styles, drop everything else, and treat a
carriage return as "the text after it replaces the line so far".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "PALETTE_16",
    "PALETTE_256",
    "PLAIN",
    "ReadLines",
    "Style",
    "apply_sgr",
    "parse_ansi",
    "read_lines",
    "strip_ansi",
]


@dataclass(frozen=True)
class Style:
    """How a run of text looks.  Colours are '#rrggbb'; None means the view's default."""

    fg: str | None = None
    bg: str | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False


PLAIN = Style()

# Mid-tone colours: each keeps a contrast ratio of at least 2.5 against both a
# white and a near-black background, which the usual xterm palette (pure
# black and white, dark blue) does not.
PALETTE_16: tuple[str, ...] = (
    "#666666",  # black: a grey, so "black" text does not vanish in dark mode
    "#d0312d",  # red
    "#2a9d3c",  # green
    "#b58900",  # yellow
    "#3b73e0",  # blue
    "#b03cb0",  # magenta
    "#1a96a3",  # cyan
    "#949494",  # white: a grey, so "white" text does not vanish in light mode
    "#7d7d7d",  # bright black
    "#ec4f4f",  # bright red
    "#35ab49",  # bright green
    "#c39118",  # bright yellow
    "#5a8ef0",  # bright blue
    "#c959c9",  # bright magenta
    "#22a6b5",  # bright cyan
    "#a3a3a3",  # bright white
)


def _hex(red: int, green: int, blue: int) -> str:
    return f"#{red:02x}{green:02x}{blue:02x}"


def _build_palette_256() -> tuple[str, ...]:
    """The xterm 256-colour palette: our 16 colours, a 6x6x6 cube, 24 greys."""
    cube_levels = (0, 95, 135, 175, 215, 255)
    cube = [_hex(red, green, blue) for red in cube_levels for green in cube_levels for blue in cube_levels]
    greys = [_hex(level, level, level) for level in range(8, 248, 10)]
    return PALETTE_16 + tuple(cube) + tuple(greys)


PALETTE_256 = _build_palette_256()

# One token per escape sequence or control character; text lies between tokens.
_TOKEN_RE = re.compile(
    # Lookahead first: it lets the regex engine skip plain text quickly.
    r"(?=[\x00-\x08\n-\x1f\x7f-\x9f])(?:"
    # SGR (colours and text styles), the one CSI sequence we act on.
    r"(?P<sgr>\x1b\[(?P<sgr_params>[0-9;:]*)m)"
    # Any other CSI: ESC [ params intermediates final; an unfinished one at the end too.
    r"|(?P<csi>\x1b\[[0-?]*[ -/]*(?:[@-~]|\Z))"
    # OSC, DCS, SOS, PM, APC: a string ended by BEL or ESC \ (or, if cut short, the line end).
    r"|(?P<string>\x1b[\]PX^_][^\x07\n]*?(?:\x07|\x1b\\|(?=\n)|\Z))"
    # Everything else that starts with ESC: ESC 7, ESC ( B, ESC =, or a lone ESC.
    r"|(?P<escape>\x1b[ -/]*[0-~]?)"
    r"|(?P<newline>\n)"
    r"|(?P<carriage_return>\r)"
    # Stray C0 controls (tab and newline are text), DEL and C1 controls.
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]))"
)
# Text without these characters needs no parsing (newlines and tabs are plain text).
_NEEDS_PARSING_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Many lines at once (read_lines): colours alone, taken off a whole batch in one pass, and each line's last SGR
# sequence (or "" for a line without one); a line's style at its end read from its SGR parameters.
_SGR_RE = re.compile(r"\x1b\[[0-9;:]*m")
_LAST_SGR_RE = re.compile(r"^(?:.*(\x1b\[[0-9;:]*m))?.*$", re.MULTILINE)
_SGR_PARAMS_RE = re.compile(r"\x1b\[([0-9;:]*)m")
_STRING_START_RE = re.compile(r"\x1b[\]PX^_]")
_RESETS = frozenset(("", "0"))
_RESET_SEQUENCES = frozenset(("\x1b[m", "\x1b[0m"))


def strip_ansi(text: str) -> str:
    """Return `text` without escape sequences or control characters (tabs stay).

    A carriage return followed by more text on the same line discards what
    came before it, so a progress bar shows only its last state.
    """
    if not _NEEDS_PARSING_RE.search(text):
        return text  # fast path: most log lines are plain
    return "\n".join(_TOKEN_RE.sub("", _split_overwritten(line)[1]) for line in text.split("\n"))


def parse_ansi(text: str, style: Style = PLAIN) -> tuple[list[tuple[str, Style]], Style]:
    """Split `text` into (text, style) segments, starting in `style`.

    Escape sequences are removed as strip_ansi removes them, and adjacent
    segments with the same style are merged.  Returns the segments and the
    style in effect at the end, to be passed in with the next line.
    """
    if not _NEEDS_PARSING_RE.search(text):
        return ([(text, style)] if text else []), style
    segments: list[tuple[str, Style]] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            _merge_into(segments, "\n", style)
        style = _parse_line(line, style, segments)
    return segments, style


class ReadLines(NamedTuple):
    """Lines read for a log view, item by item: the text it shows, searches and copies (as strip_ansi() gives it),
    and what it needs to paint a line in colour, when (and only when) the line is on screen: parse_ansi(raw or
    plain, start). Plain lists, no object per line: a million lines are a million strings and little more."""

    plain: list[str]
    raws: list[str | None]  # the line as it came, where it had escape sequences
    starts: list[Style | None]  # the style the line starts in, where not PLAIN
    style: Style  # in effect after the last line


def read_lines(lines: list[str], style: Style = PLAIN) -> ReadLines:
    """Read many lines at once, starting in `style`. Colours are worked out only as far as the next line needs
    them, and a batch whose escapes are all colours is read in a few passes over its whole text: a log printing
    100,000 lines a second can be taken in as it comes."""
    style = PLAIN if style == PLAIN else style
    joined = "\n".join(lines)
    if _NEEDS_PARSING_RE.search(joined) is None:
        return ReadLines(lines, [None] * len(lines), [None if style is PLAIN else style] * len(lines), style)
    if joined.count("\n") == len(lines) - 1 and "\r" not in joined and not _STRING_START_RE.search(joined):
        stripped = _SGR_RE.sub("", joined)
        if _NEEDS_PARSING_RE.search(stripped) is None:  # every escape in it is a colour
            return _read_colours(lines, stripped.split("\n"), _LAST_SGR_RE.findall(joined), style)
    return _read_line_by_line(lines, style)


def _read_colours(lines: list[str], plain: list[str], last_sgrs: list[str], style: Style) -> ReadLines:
    raws: list[str | None] = []
    starts: list[Style | None] = []
    for line, last in zip(lines, last_sgrs, strict=True):
        starts.append(None if style is PLAIN else style)
        if not last:
            raws.append(None)
            continue
        raws.append(line)
        style = PLAIN if last in _RESET_SEQUENCES else _style_at_end(line, style)
    return ReadLines(plain, raws, starts, style)


def _read_line_by_line(lines: list[str], style: Style) -> ReadLines:
    plain: list[str] = []
    raws: list[str | None] = []
    starts: list[Style | None] = []
    for line in lines:
        starts.append(None if style is PLAIN else style)
        if _NEEDS_PARSING_RE.search(line) is None:
            plain.append(line)
            raws.append(None)
            continue
        plain.append(_TOKEN_RE.sub("", line) if "\r" not in line and "\n" not in line else strip_ansi(line))
        raws.append(line)
        style = _style_at_end(line, style)
    return ReadLines(plain, raws, starts, style)


def _style_at_end(line: str, style: Style) -> Style:
    """The style after `line`, as parse_ansi() would leave it (PLAIN itself when it is plain)."""
    if "\r" in line or "\n" in line or _STRING_START_RE.search(line):
        style = parse_ansi(line, style)[1]  # text that SGR-like bytes may hide in, or that \r rearranges
    else:
        params = _SGR_PARAMS_RE.findall(line)
        if params and params[-1] in _RESETS:
            return PLAIN  # a reset at the end: what came before no longer matters
        for param in params:
            style = apply_sgr(style, param)
    return PLAIN if style == PLAIN else style


def _parse_line(line: str, style: Style, segments: list[tuple[str, Style]]) -> Style:
    """Append the styled text of one line to `segments`; return the style at its end."""
    if "\r" in line:
        overwritten, line = _split_overwritten(line)
        style = _style_after(overwritten, style)  # its text is gone, its colours still count
    position = 0
    for match in _TOKEN_RE.finditer(line):
        if match.start() > position:
            _merge_into(segments, line[position : match.start()], style)
        position = match.end()
        if match.lastgroup == "sgr":
            style = apply_sgr(style, match.group("sgr_params"))
        # Every other escape or control has no meaning in a log view: dropped.
    if position < len(line):
        _merge_into(segments, line[position:], style)
    return style


def _split_overwritten(line: str) -> tuple[str, str]:
    """Split a line at the last carriage return that is followed by visible text.

    Returns (overwritten, kept), both without carriage returns.  Like a
    terminal, only text overwrites: "done\r" at the end keeps "done".
    """
    parts = line.split("\r")
    for index in range(len(parts) - 1, 0, -1):
        if _TOKEN_RE.sub("", parts[index]):
            return "".join(parts[:index]), "".join(parts[index:])
    return "", "".join(parts)


def _style_after(text: str, style: Style) -> Style:
    for match in _TOKEN_RE.finditer(text):
        if match.lastgroup == "sgr":
            style = apply_sgr(style, match.group("sgr_params"))
    return style


def _merge_into(segments: list[tuple[str, Style]], text: str, style: Style) -> None:
    if segments and (segments[-1][1] is style or segments[-1][1] == style):
        segments[-1] = (segments[-1][0] + text, style)
    else:
        segments.append((text, style))


# ---------------------------------------------------------------------------
# SGR: Select Graphic Rendition, the "m" sequences that set colours and styles


def apply_sgr(style: Style, params: str) -> Style:
    """Return `style` changed by the SGR parameter string (the part between ESC[ and m).

    Unknown or malformed codes are ignored; this never raises.
    """
    # Logs repeat the same few short sequences over and over: worth caching.
    # Long ones are rare, and caching them would let a hostile log hog memory.
    if len(params) <= 64:
        return _apply_sgr_cached(style, params)
    return _apply_sgr(style, params)


@lru_cache(maxsize=4096)
def _apply_sgr_cached(style: Style, params: str) -> Style:
    return _apply_sgr(style, params)


def _apply_sgr(style: Style, params: str) -> Style:
    codes = params.split(";")
    index = 0
    while index < len(codes):
        code = codes[index]
        index += 1
        if ":" in code:
            style = _apply_colon_group(style, code.split(":"))
            continue
        number = _to_int(code)
        if number in (38, 48):
            colour, used = _extended_colour(codes[index:])
            index += used
            style = _with_colour(style, number, colour)
        elif number is not None:
            style = _apply_simple_code(style, number)
    return style


def _to_int(code: str) -> int | None:
    """A parameter's value, or None when it is not a number."""
    if code == "":
        return 0  # an empty parameter means 0, so "ESC[m" and "ESC[;1m" reset
    if not (code.isascii() and code.isdigit()):
        return None
    # Any huge number is just "too big"; int() refuses strings over 4300 digits.
    return int(code) if len(code) <= 9 else _TOO_BIG


_TOO_BIG = 10**9


def _apply_simple_code(style: Style, code: int) -> Style:
    if code == 0:
        return PLAIN
    if code in _ATTRIBUTE_CHANGES:
        return replace(style, **_ATTRIBUTE_CHANGES[code])
    if 30 <= code <= 37:
        return replace(style, fg=PALETTE_16[code - 30])
    if 40 <= code <= 47:
        return replace(style, bg=PALETTE_16[code - 40])
    if 90 <= code <= 97:
        return replace(style, fg=PALETTE_16[code - 90 + 8])
    if 100 <= code <= 107:
        return replace(style, bg=PALETTE_16[code - 100 + 8])
    return style


_ATTRIBUTE_CHANGES: dict[int, dict[str, object]] = {
    1: {"bold": True},
    2: {"bold": False},  # faint: we have no dim weight, and it is certainly not bold
    3: {"italic": True},
    4: {"underline": True},
    22: {"bold": False},
    23: {"italic": False},
    24: {"underline": False},
    39: {"fg": None},
    49: {"bg": None},
}


def _extended_colour(rest: list[str]) -> tuple[str | None, int]:
    """Read the colour after a 38/48 code: '5;n' or '2;r;g;b'.

    Returns the colour (None if malformed) and how many parameters it used.
    """
    mode = rest[0] if rest else ""
    if mode == "5":
        return _palette_colour(rest[1:2]), min(len(rest), 2)
    if mode == "2":
        return _rgb_colour(rest[1:4]), min(len(rest), 4)
    # Unknown mode: skip the rest rather than misread its numbers as codes.
    return None, len(rest)


def _apply_colon_group(style: Style, parts: list[str]) -> Style:
    """Handle the ISO 8613-6 form, e.g. '38:5:196', '38:2::255:0:0' or '4:3'."""
    head = _to_int(parts[0])
    if head in (38, 48) and len(parts) > 1:
        if parts[1] == "5":
            return _with_colour(style, head, _palette_colour(parts[2:3]))
        if parts[1] == "2":
            # An optional colour-space id may precede r:g:b, so take the last three.
            return _with_colour(style, head, _rgb_colour(parts[2:][-3:]))
        return style
    if head == 4:
        # Underline styles (4:1 single, 4:3 curly, ...); 4:0 switches it off.
        underline_style = _to_int(parts[1])
        return style if underline_style is None else replace(style, underline=underline_style != 0)
    return _apply_simple_code(style, head) if head is not None else style


def _palette_colour(values: list[str]) -> str | None:
    index = _to_int(values[0]) if len(values) == 1 else None
    return PALETTE_256[index] if index is not None and index < len(PALETTE_256) else None


def _rgb_colour(values: list[str]) -> str | None:
    channels = [_to_int(value) for value in values]
    if len(channels) != 3 or None in channels:
        return None
    red, green, blue = (min(channel, 255) for channel in channels)
    return _hex(red, green, blue)


def _with_colour(style: Style, code: int, colour: str | None) -> Style:
    if colour is None:
        return style
    return replace(style, fg=colour) if code == 38 else replace(style, bg=colour)
