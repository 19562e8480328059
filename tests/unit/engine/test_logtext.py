"""Behaviour of gui.core.engine.logtext: from docker's byte stream to lines of text."""

import pytest

from gui.core.engine.logtext import MAX_LINE_CHARS, LineAssembler, split_timestamp


def feed_all(assembler: LineAssembler, *chunks: bytes) -> list[str]:
    lines = []
    for chunk in chunks:
        lines.extend(assembler.feed(chunk))
    return lines + assembler.flush()


# ------------------------------------------------------------------ lines


def test_complete_lines_come_back_without_newlines():
    assert LineAssembler().feed(b"one\ntwo\n") == ["one", "two"]


def test_partial_line_waits_for_its_newline():
    assembler = LineAssembler()
    assert assembler.feed(b"hel") == []
    assert assembler.feed(b"lo\nwor") == ["hello"]
    assert assembler.feed(b"ld\n") == ["world"]


def test_flush_returns_the_trailing_partial_line():
    assembler = LineAssembler()
    assert assembler.feed(b"one\nlast words") == ["one"]
    assert assembler.flush() == ["last words"]
    assert assembler.flush() == []


def test_flush_with_nothing_pending_returns_nothing():
    assembler = LineAssembler()
    assembler.feed(b"done\n")
    assert assembler.flush() == []


def test_empty_lines_are_kept():
    assert LineAssembler().feed(b"a\n\n\nb\n") == ["a", "", "", "b"]


def test_empty_chunk_gives_no_lines():
    assert LineAssembler().feed(b"") == []


def test_crlf_is_one_newline():
    assert feed_all(LineAssembler(), b"one\r\ntwo\r\n") == ["one", "two"]


def test_crlf_split_across_chunks_is_one_newline():
    assert feed_all(LineAssembler(), b"one\r", b"\ntwo\r\n") == ["one", "two"]


def test_bare_carriage_returns_stay_for_the_progress_bar_renderer():
    assert LineAssembler().feed(b"10%\r50%\r100%\n") == ["10%\r50%\r100%"]


def test_escape_and_tab_are_kept():
    assert LineAssembler().feed(b"\x1b[31mred\x1b[0m\tok\n") == ["\x1b[31mred\x1b[0m\tok"]


# ---------------------------------------------------------------- decoding


def test_utf8_text_decodes():
    assert LineAssembler().feed("naïve café ✓ 🐳\n".encode()) == ["naïve café ✓ 🐳"]


@pytest.mark.parametrize("split_at", [1, 2, 3])
def test_multibyte_character_split_across_chunks(split_at):
    whale = "🐳".encode()  # four bytes
    assembler = LineAssembler()
    assert assembler.feed(b"a" + whale[:split_at]) == []
    assert assembler.feed(whale[split_at:] + b"b\n") == ["a🐳b"]


def test_byte_by_byte_feeding_decodes_correctly():
    data = "héllo wörld 🐳\nsecond ✓\n".encode()
    assembler = LineAssembler()
    lines = [line for byte in data for line in assembler.feed(bytes([byte]))]
    assert lines == ["héllo wörld 🐳", "second ✓"]


def test_invalid_bytes_become_replacement_characters():
    assert LineAssembler().feed(b"bad \xff\xfe bytes\n") == ["bad \ufffd\ufffd bytes"]


def test_truncated_character_at_end_of_stream_becomes_replacement_character():
    assembler = LineAssembler()
    assert assembler.feed(b"cut \xf0\x9f") == []
    assert assembler.flush() == ["cut \ufffd"]


def test_nul_and_other_controls_are_shown_safely():
    (line,) = LineAssembler().feed(b"a\x00b\x07c\x08d\x7fe\n")
    assert line == "a\u2400b\u2407c\u2408d\u2421e"


def test_c1_controls_are_replaced():
    (line,) = LineAssembler().feed("x\u009by\n".encode())
    assert line == "x\ufffdy"


# --------------------------------------------------------------- long lines


def test_line_of_exactly_the_limit_is_not_cut():
    line = "x" * MAX_LINE_CHARS
    assert LineAssembler().feed(line.encode() + b"\n") == [line]


def test_long_complete_line_is_cut_into_pieces():
    assembler = LineAssembler(max_line_chars=10)
    assert assembler.feed(b"0123456789abcdefghijKLM\n") == ["0123456789", "abcdefghij", "KLM"]


def test_long_line_without_newline_is_released_in_pieces():
    assembler = LineAssembler(max_line_chars=10)
    assert assembler.feed(b"0123456") == []
    assert assembler.feed(b"789abcdefghijk") == ["0123456789", "abcdefghij"]
    assert assembler.feed(b"\n") == ["k"]


def test_memory_stays_bounded_for_an_endless_line():
    assembler = LineAssembler()
    released = []
    for _ in range(100):
        released.extend(assembler.feed(b"y" * 10_000))
    assert all(len(piece) == MAX_LINE_CHARS for piece in released)
    assert sum(map(len, released)) + len(assembler.flush()[0]) == 1_000_000
    assert len(released) == 1_000_000 // MAX_LINE_CHARS


def test_default_limit_is_64_kib():
    assert MAX_LINE_CHARS == 64 * 1024


def test_limit_must_be_positive():
    with pytest.raises(ValueError):
        LineAssembler(max_line_chars=0)


# --------------------------------------------------------------- timestamps


def test_split_docker_timestamp():
    assert split_timestamp("2024-01-01T12:00:00.123456789Z hello world") == (
        "2024-01-01T12:00:00.123456789Z",
        "hello world",
    )


def test_split_timestamp_keeps_the_rest_exactly():
    assert split_timestamp("2024-01-01T12:00:00.1Z   indented") == ("2024-01-01T12:00:00.1Z", "  indented")


def test_split_timestamp_without_fraction_or_with_offset():
    assert split_timestamp("2024-01-01T12:00:00Z x") == ("2024-01-01T12:00:00Z", "x")
    assert split_timestamp("2024-01-01T12:00:00.5+02:00 x") == ("2024-01-01T12:00:00.5+02:00", "x")


def test_split_timestamp_of_an_empty_log_line():
    assert split_timestamp("2024-01-01T12:00:00.000000001Z ") == ("2024-01-01T12:00:00.000000001Z", "")
    assert split_timestamp("2024-01-01T12:00:00.000000001Z") == ("2024-01-01T12:00:00.000000001Z", "")


@pytest.mark.parametrize(
    "line",
    [
        "hello",
        "",
        "2024-01-01 12:00:00 not docker's format",
        "2024-01-01T12:00:00.123Zglued",
        " 2024-01-01T12:00:00Z x",
    ],
)
def test_line_without_timestamp_is_returned_whole(line):
    assert split_timestamp(line) == (None, line)
