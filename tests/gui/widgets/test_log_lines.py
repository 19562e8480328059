"""The lines behind a log view (gui.views.widgets.log_lines): kept within their bound as blocks come and go, and
searched the same wherever a match lies, across blocks and after the oldest lines were dropped."""

from __future__ import annotations

import re

from gui.views.widgets.log_lines import BLOCK_LINES, LogLines, Position


def numbered(count: int, start: int = 0, needle_every: int = 0) -> list[str]:
    return [
        f"line {n}" + (" Needle" if needle_every and n % needle_every == 0 else "") for n in range(start, start + count)
    ]


def test_lines_keep_their_numbers_as_old_ones_are_dropped():
    lines = LogLines(max_lines=BLOCK_LINES + 10)
    lines.append(numbered(BLOCK_LINES * 2))
    assert len(lines) == BLOCK_LINES + 10
    assert lines.first == BLOCK_LINES - 10 and lines.end == 2 * BLOCK_LINES
    assert lines.text(lines.first) == f"line {BLOCK_LINES - 10}"
    assert lines.texts(lines.end - 2, lines.end + 5) == [f"line {2 * BLOCK_LINES - 2}", f"line {2 * BLOCK_LINES - 1}"]


def test_what_append_says_came_and_went():
    lines = LogLines(max_lines=5)
    assert lines.append(["a", "b", "c"]) == (["a", "b", "c"], [])
    assert lines.append(["d", "e", "f", "g"]) == (["d", "e", "f", "g"], ["a", "b"])
    assert lines.texts(lines.first, lines.end) == ["c", "d", "e", "f", "g"]
    assert lines.append(list("hijklmn")) == (list("hijklmn"), ["c", "d", "e", "f", "g", "h", "i"])
    assert lines.texts(lines.first, lines.end) == list("jklmn")


def test_count_and_find_agree_with_a_plain_search_across_blocks_and_drops():
    lines = LogLines(max_lines=3 * BLOCK_LINES)
    for start in range(0, 5 * BLOCK_LINES, 1000):
        lines.append(numbered(1000, start, needle_every=7))
    kept = lines.texts(lines.first, lines.end)
    expected = [
        (lines.first + index, match.start()) for index, line in enumerate(kept) for match in re.finditer("Needle", line)
    ]
    assert lines.count("needle") == len(expected)

    found, after = [], Position(lines.first, 0)
    for _ in range(len(expected)):
        start, end = lines.find("needle", after)
        found.append((start.line, start.column))
        after = end
    assert found == expected
    assert lines.find("needle", after)[0] == Position(*expected[0])  # round the end, back to the first

    backward, before = [], Position(lines.end, 0)
    for _ in range(3):
        start, _end = lines.find("needle", before, backward=True)
        backward.append((start.line, start.column))
        before = start
    assert backward == expected[::-1][:3]


def test_a_line_lowering_changes_the_length_of_is_searched_right():
    lines = LogLines(max_lines=10)
    lines.append(["İstanbul: error here", "plain error"])
    assert lines.count("error") == 2
    start, end = lines.find("error", Position(lines.first, 0))
    assert lines.text_between(start, end) == "error" and start.line == lines.first


def test_clear_forgets_and_numbering_goes_on():
    lines = LogLines(max_lines=10)
    lines.append(["one", "two"])
    lines.clear()
    assert len(lines) == 0 and lines.count("one") == 0 and lines.find("one", Position(0, 0)) is None
    lines.append(["three"])
    assert lines.texts(lines.first, lines.end) == ["three"] and lines.first == 2
