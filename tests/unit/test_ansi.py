"""Behaviour of gui.core.ansi: turning terminal output into styled or plain text."""

import random

import pytest

from gui.core.ansi import PALETTE_16, PALETTE_256, PLAIN, Style, apply_sgr, parse_ansi, read_lines, strip_ansi

ESC = "\x1b"
RED = PALETTE_16[1]
GREEN = PALETTE_16[2]
BLUE = PALETTE_16[4]


def sgr(params: str) -> str:
    return f"{ESC}[{params}m"


def style_of(text: str) -> Style:
    """The style a line leaves in effect."""
    return parse_ansi(text)[1]


# ---------------------------------------------------------------- segments


def test_plain_text_is_one_plain_segment():
    assert parse_ansi("hello world") == ([("hello world", PLAIN)], PLAIN)


def test_empty_text_has_no_segments():
    assert parse_ansi("") == ([], PLAIN)


def test_red_text_gives_a_red_segment_and_reset_returns_to_plain():
    segments, end_style = parse_ansi(f"{sgr('31')}error{sgr('0')} done")
    assert segments == [("error", Style(fg=RED)), (" done", PLAIN)]
    assert end_style == PLAIN


def test_style_at_the_end_carries_over_to_the_next_line():
    _, end_style = parse_ansi(f"{sgr('32')}starts green")
    assert end_style == Style(fg=GREEN)
    segments, _ = parse_ansi("still green", end_style)
    assert segments == [("still green", Style(fg=GREEN))]


def test_adjacent_segments_with_the_same_style_are_merged():
    segments, _ = parse_ansi(f"{sgr('31')}a{sgr('31')}b{ESC}[2Kc")
    assert segments == [("abc", Style(fg=RED))]


def test_segments_that_would_be_empty_are_left_out():
    segments, _ = parse_ansi(f"{sgr('31')}{sgr('1')}x{sgr('0')}")
    assert segments == [("x", Style(fg=RED, bold=True))]


def test_newlines_stay_in_the_text():
    segments, _ = parse_ansi(f"one\n{sgr('31')}two")
    assert segments == [("one\n", PLAIN), ("two", Style(fg=RED))]


# --------------------------------------------------------------------- SGR


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("1", Style(bold=True)),
        ("3", Style(italic=True)),
        ("4", Style(underline=True)),
        ("1;3;4", Style(bold=True, italic=True, underline=True)),
        ("31", Style(fg=RED)),
        ("37", Style(fg=PALETTE_16[7])),
        ("44", Style(bg=BLUE)),
        ("91", Style(fg=PALETTE_16[9])),
        ("97", Style(fg=PALETTE_16[15])),
        ("100", Style(bg=PALETTE_16[8])),
        ("107", Style(bg=PALETTE_16[15])),
        ("1;31;42", Style(fg=RED, bg=GREEN, bold=True)),
    ],
)
def test_sgr_codes_set_styles(params, expected):
    assert apply_sgr(PLAIN, params) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("0", PLAIN),
        ("", PLAIN),  # ESC[m is a reset too
        ("22", Style(fg=RED, bg=GREEN, italic=True, underline=True)),
        ("2", Style(fg=RED, bg=GREEN, italic=True, underline=True)),  # faint is not bold
        ("23", Style(fg=RED, bg=GREEN, bold=True, underline=True)),
        ("24", Style(fg=RED, bg=GREEN, bold=True, italic=True)),
        ("39", Style(bg=GREEN, bold=True, italic=True, underline=True)),
        ("49", Style(fg=RED, bold=True, italic=True, underline=True)),
    ],
)
def test_sgr_codes_reset_styles(params, expected):
    everything = Style(fg=RED, bg=GREEN, bold=True, italic=True, underline=True)
    assert apply_sgr(everything, params) == expected


def test_empty_parameter_in_a_list_means_reset():
    assert apply_sgr(Style(bold=True), ";31") == Style(fg=RED)


@pytest.mark.parametrize(
    ("index", "colour"),
    [
        (1, PALETTE_16[1]),
        (15, PALETTE_16[15]),
        (16, "#000000"),
        (21, "#0000ff"),
        (196, "#ff0000"),
        (208, "#ff8700"),
        (231, "#ffffff"),
        (232, "#080808"),
        (244, "#808080"),
        (255, "#eeeeee"),
    ],
)
def test_256_colour_palette(index, colour):
    assert apply_sgr(PLAIN, f"38;5;{index}") == Style(fg=colour)
    assert apply_sgr(PLAIN, f"48;5;{index}") == Style(bg=colour)


def test_256_palette_has_256_distinct_hex_colours_after_the_first_16():
    assert len(PALETTE_256) == 256
    assert all(len(colour) == 7 and colour.startswith("#") for colour in PALETTE_256)
    assert PALETTE_256[:16] == PALETTE_16


def test_truecolour_foreground_and_background():
    assert apply_sgr(PLAIN, "38;2;255;128;0") == Style(fg="#ff8000")
    assert apply_sgr(PLAIN, "48;2;1;2;3") == Style(bg="#010203")


def test_truecolour_components_above_255_are_clamped():
    assert apply_sgr(PLAIN, "38;2;300;0;999") == Style(fg="#ff00ff")
    assert apply_sgr(PLAIN, "38;2;" + "9" * 5000 + ";0;0") == Style(fg="#ff0000")


def test_codes_after_an_extended_colour_still_apply():
    assert apply_sgr(PLAIN, "38;5;196;1;48;2;0;0;255;4") == Style(fg="#ff0000", bg="#0000ff", bold=True, underline=True)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("38:5:196", Style(fg="#ff0000")),
        ("48:2:10:20:30", Style(bg="#0a141e")),
        ("38:2::10:20:30", Style(fg="#0a141e")),  # with the empty colour-space id
        ("4:3", Style(underline=True)),  # curly underline is still underlined
        ("1;38:5:21", Style(fg="#0000ff", bold=True)),
    ],
)
def test_colon_separated_forms(params, expected):
    assert apply_sgr(PLAIN, params) == expected


def test_colon_form_can_switch_underline_off():
    assert apply_sgr(Style(underline=True), "4:0") == PLAIN


@pytest.mark.parametrize(
    "params",
    [
        "5",
        "7",
        "53",
        "999",
        "38",
        "38;5",
        "38;5;256",
        "38;2;1;2",
        "38;9;1",
        "48;5;x",
        "abc",
        "4:x",
        "\u00b2",
        "1" * 5000,
    ],
)
def test_unknown_or_malformed_codes_are_ignored(params):
    start = Style(fg=GREEN, bold=True)
    assert apply_sgr(start, params) == start


def test_malformed_sequences_in_text_never_raise():
    rng = random.Random(1234)
    alphabet = [ESC, "[", "]", ";", ":", "m", "38", "48", "5", "2", "\r", "\n", "\x07", "\\", "x", "9", "\x00", "\x9b"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        segments, style = parse_ansi(text)
        assert isinstance(style, Style)
        assert all(ESC not in segment_text for segment_text, _ in segments)
        assert ESC not in strip_ansi(text)


def test_sgr_in_the_middle_of_a_line():
    segments, _ = parse_ansi(f"took {sgr('1;33')}42ms{sgr('22;39')} total")
    assert segments == [("took ", PLAIN), ("42ms", Style(fg=PALETTE_16[3], bold=True)), (" total", PLAIN)]


# ------------------------------------------------------------- stripping


def test_strip_removes_colours():
    assert strip_ansi(f"{sgr('1;31')}fail{sgr('0')}ed") == "failed"


def test_strip_leaves_plain_text_alone():
    assert strip_ansi("just text, with a tab\there") == "just text, with a tab\there"


@pytest.mark.parametrize(
    "sequence",
    [
        f"{ESC}[2K",  # erase line
        f"{ESC}[1G",  # cursor to column 1
        f"{ESC}[3A",  # cursor up
        f"{ESC}[10;20H",  # cursor position
        f"{ESC}[?25l",  # hide cursor (private parameter)
        f"{ESC}[?1049h",  # alternate screen
        f"{ESC}[1 q",  # cursor shape (intermediate byte)
        f"{ESC}]0;my title\x07",  # window title ended by BEL
        f"{ESC}]2;my title{ESC}\\",  # window title ended by ST
        f"{ESC}]8;;https://example.com{ESC}\\",  # hyperlink
        f"{ESC}P1$r{ESC}\\",  # DCS string
        f"{ESC}(B",  # character set
        f"{ESC}7",  # save cursor
        f"{ESC}8",  # restore cursor
        f"{ESC}=",  # keypad mode
    ],
)
def test_strip_removes_non_colour_sequences(sequence):
    assert strip_ansi(f"before{sequence}after") == "beforeafter"
    assert parse_ansi(f"before{sequence}after") == ([("beforeafter", PLAIN)], PLAIN)


def test_strip_removes_stray_control_characters_but_keeps_tabs():
    assert strip_ansi("a\x00b\x07c\x08d\x7fe\x9bf\tg") == "abcdef\tg"


def test_strip_drops_an_unfinished_sequence_at_the_end():
    assert strip_ansi(f"text{ESC}[31") == "text"
    assert strip_ansi(f"text{ESC}") == "text"
    assert strip_ansi(f"text{ESC}]0;unfinished title") == "text"


def test_unterminated_osc_does_not_swallow_the_next_line():
    assert strip_ansi(f"one{ESC}]0;title\ntwo") == "one\ntwo"


# ------------------------------------------------------- carriage returns


def test_progress_bar_keeps_only_its_last_state():
    assert strip_ansi("Downloading 10%\rDownloading 55%\rDownloading 100%") == "Downloading 100%"


def test_progress_bar_starting_with_carriage_returns():
    assert strip_ansi("\r  0%|          |\r 50%|#####     |\r100%|##########|") == "100%|##########|"


def test_carriage_return_at_the_end_keeps_the_line():
    assert strip_ansi("done\r") == "done"
    assert strip_ansi("done\r\r") == "done"


def test_carriage_return_followed_only_by_escapes_keeps_the_line():
    assert strip_ansi(f"done\r{sgr('0')}") == "done"


def test_crlf_line_endings_keep_every_line():
    assert strip_ansi("one\r\ntwo\r\n") == "one\ntwo\n"


def test_carriage_returns_apply_per_line():
    assert strip_ansi("a 1%\ra 100%\nb 1%\rb 100%") == "a 100%\nb 100%"


def test_overwritten_text_still_sets_the_style():
    segments, end_style = parse_ansi(f"{sgr('31')}10%\r{sgr('1')}100%")
    assert segments == [("100%", Style(fg=RED, bold=True))]
    assert end_style == Style(fg=RED, bold=True)


# ---------------------------------------------------------------- palette


def _relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_relative_luminance(first), _relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("colour", PALETTE_16)
@pytest.mark.parametrize("background", ["#ffffff", "#1e1e1e"])
def test_16_colours_are_readable_on_light_and_dark_backgrounds(colour, background):
    assert _contrast(colour, background) >= 2.5


# ------------------------------------------------------- many lines at once


def painted(plain: str, raw: str | None, start: Style | None) -> list[tuple[str, Style]]:
    """The segments a log view paints a line read by read_lines with."""
    if raw is None and start is None:
        return [(plain, PLAIN)] if plain else []
    return [(text, style) for text, style in parse_ansi(raw if raw is not None else plain, start or PLAIN)[0] if text]


def read_one_by_one(lines: list[str], style: Style) -> tuple[list[str], list[list[tuple[str, Style]]], Style]:
    plain, segments = [], []
    for line in lines:
        line_segments, style = parse_ansi(line, style)
        plain.append("".join(text for text, _ in line_segments))
        segments.append([(text, segment_style) for text, segment_style in line_segments if text])
    return plain, segments, style


PIECES = [
    "a", "bc", " ", "é", "\t", sgr("31"), sgr("0"), sgr(""), sgr("1;32"), sgr("38;5;196"), sgr("39"), sgr("4:3"),
    sgr("38:2::1:2:3"), f"{ESC}[2K", f"{ESC}]0;title\x07", f"{ESC}]0;unfinished", "\r", ESC, f"{ESC}[", "\x07",
    "\x9b", f"{ESC}(B",
]  # fmt: skip
COLOURS_AND_TEXT = [
    "a",
    "bc",
    " ",
    "é",
    "\t",
    *(piece for piece in PIECES if piece.startswith(f"{ESC}[") and piece.endswith("m")),
]


@pytest.mark.parametrize("seed", range(6))
def test_read_lines_reads_a_batch_as_parse_ansi_reads_each_line(seed):
    rnd = random.Random(seed)
    for _ in range(400):
        pieces = rnd.choice([PIECES, COLOURS_AND_TEXT])  # batches of colours alone take a quicker way
        lines = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6))) for _ in range(rnd.randint(1, 8))]
        start = rnd.choice([PLAIN, style_of(sgr("31")), style_of(sgr("1;4"))])
        read = read_lines(lines, start)
        plain, segments, end = read_one_by_one(lines, start)
        assert read.plain == plain == [strip_ansi(line) for line in lines]
        assert [painted(*line) for line in zip(read.plain, read.raws, read.starts)] == segments, lines
        assert read.style == end


def test_read_lines_keeps_nothing_for_plain_lines():
    read = read_lines(["one", "two"])
    assert read == (["one", "two"], [None, None], [None, None], PLAIN)


def test_read_lines_carries_a_colour_over_lines_without_escapes():
    read = read_lines([f"{sgr('32')}green begins", "still going", f"ends{sgr('0')}", "plain"])
    assert read.plain == ["green begins", "still going", "ends", "plain"]
    assert [start and start.fg for start in read.starts] == [None, GREEN, GREEN, None]
    assert read.raws[1] is None and read.style == PLAIN
