"""Behaviour of LogView: bounded, coloured, searchable, and following the tail."""

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat

from gui.core.ansi import PALETTE_16
from gui.views.widgets.log_view import LogView

ESC = "\x1b"
RED = PALETTE_16[1]
GREEN = PALETTE_16[2]


@pytest.fixture
def view(qtbot):
    log_view = LogView()
    qtbot.addWidget(log_view)
    log_view.resize(500, 300)
    log_view.show()
    qtbot.waitExposed(log_view)
    return log_view


def document_lines(log_view: LogView) -> list[str]:
    return log_view.document().toPlainText().split("\n")


def format_of(log_view: LogView, word: str) -> QTextCharFormat:
    """The character format of the first character of `word` in the view."""
    position = log_view.document().toPlainText().index(word)
    cursor = QTextCursor(log_view.document())
    cursor.setPosition(position + 1)  # a cursor reports the format of the character before it
    return cursor.charFormat()


def foreground_of(log_view: LogView, word: str) -> str | None:
    text_format = format_of(log_view, word)
    if not text_format.hasProperty(QTextFormat.Property.ForegroundBrush):
        return None
    return text_format.foreground().color().name()


# ------------------------------------------------------------------ lines


def test_starts_empty_read_only_and_unwrapped(view):
    assert view.isReadOnly()
    assert view.lineWrapMode() == LogView.LineWrapMode.NoWrap
    assert view.plain_text() == ""
    assert view.colours and view.follow


def test_uses_the_system_fixed_width_font(view):
    assert view.font().family() == QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()


def test_lines_appear_one_per_block(view):
    view.append_lines(["first", "", "third"])
    view.append_lines(["fourth"])
    assert document_lines(view) == ["first", "", "third", "fourth"]
    assert view.document().blockCount() == 4


def test_appending_nothing_changes_nothing(view):
    view.append_lines(["only"])
    view.append_lines([])
    assert document_lines(view) == ["only"]


def test_a_line_never_splits_into_several_blocks(view):
    view.append_lines(["a\nb", "c\u2029d", "10%\r100%"])
    assert view.document().blockCount() == 3
    assert document_lines(view)[2] == "100%"


def test_buffer_is_bounded_to_max_lines(qtbot):
    log_view = LogView(max_lines=100)
    qtbot.addWidget(log_view)
    lines = [f"line {number}" for number in range(1000)]
    log_view.append_lines(lines)
    assert log_view.document().blockCount() == 100
    assert log_view.document().firstBlock().text() == "line 900"
    assert log_view.document().lastBlock().text() == "line 999"
    assert log_view.plain_text().split("\n") == lines[900:]


def test_buffer_stays_bounded_across_many_appends(qtbot):
    log_view = LogView(max_lines=100)
    qtbot.addWidget(log_view)
    for start in range(0, 1000, 70):
        log_view.append_lines([f"line {number}" for number in range(start, min(start + 70, 1000))])
    assert document_lines(log_view) == [f"line {number}" for number in range(900, 1000)]
    assert log_view.plain_text() == "\n".join(document_lines(log_view))


def test_clear_log_forgets_everything(view):
    view.append_lines(["one", "two"])
    view.clear_log()
    assert view.plain_text() == ""
    assert view.document().toPlainText() == ""
    view.append_lines(["three"])
    assert document_lines(view) == ["three"]


def test_plain_text_has_no_escape_sequences(view):
    view.append_lines([f"{ESC}[31mred{ESC}[0m text", f"{ESC}]0;title\x07titled", "10%\r100%"])
    assert view.plain_text() == "red text\ntitled\n100%"


# ---------------------------------------------------------------- colours


def test_ansi_colours_are_rendered(view):
    view.append_lines([f"status: {ESC}[31mfailed{ESC}[0m after retry"])
    assert document_lines(view) == ["status: failed after retry"]
    assert foreground_of(view, "failed") == RED
    assert foreground_of(view, "after") is None
    assert foreground_of(view, "status") is None


def test_bold_is_rendered(view):
    view.append_lines([f"{ESC}[1mloud{ESC}[22m quiet"])
    assert format_of(view, "loud").fontWeight() == QFont.Weight.Bold
    assert format_of(view, "quiet").fontWeight() != QFont.Weight.Bold


def test_colour_carries_over_to_following_lines(view):
    view.append_lines([f"{ESC}[32mgreen begins", "still going"])
    view.append_lines([f"next batch{ESC}[0m", "plain again"])
    assert foreground_of(view, "still") == GREEN
    assert foreground_of(view, "next") == GREEN
    assert foreground_of(view, "plain") is None


def test_colours_off_strips_sequences_and_formats(view):
    view.append_lines([f"status: {ESC}[31mfailed{ESC}[0m"])
    view.set_colours(False)
    assert not view.colours
    assert document_lines(view) == ["status: failed"]
    assert foreground_of(view, "failed") is None


def test_lines_added_while_colours_are_off_are_plain(view):
    view.set_colours(False)
    view.append_lines([f"{ESC}[31mred"])
    assert document_lines(view) == ["red"]
    assert foreground_of(view, "red") is None


def test_turning_colours_back_on_re_renders_them(view):
    view.set_colours(False)
    view.append_lines([f"{ESC}[31mred{ESC}[0m", "plain"])
    view.set_colours(True)
    assert document_lines(view) == ["red", "plain"]
    assert foreground_of(view, "red") == RED


def test_re_rendering_keeps_the_bound(qtbot):
    log_view = LogView(max_lines=10)
    qtbot.addWidget(log_view)
    log_view.append_lines([f"{ESC}[31mline {number}" for number in range(50)])
    log_view.set_colours(False)
    assert document_lines(log_view) == [f"line {number}" for number in range(40, 50)]


# ----------------------------------------------------------------- search


SEARCH_LINES = ["booting", "ERROR: disk full", "retrying", "error again, Error thrice", "ok"]


def test_find_all_highlights_every_match_case_insensitively(view):
    view.append_lines(SEARCH_LINES)
    assert view.find_all("error") == 3
    highlighted = [selection.cursor.selectedText() for selection in view.extraSelections()]
    assert highlighted == ["ERROR", "error", "Error"]


def test_find_all_with_no_match_or_empty_term(view):
    view.append_lines(SEARCH_LINES)
    assert view.find_all("missing") == 0
    assert view.extraSelections() == []
    view.find_all("error")
    assert view.find_all("") == 0
    assert view.extraSelections() == []


def test_find_all_counts_matches_on_lines_scrolled_out_of_view(view):
    view.append_lines([f"line {number} match" for number in range(500)])
    assert view.find_all("MATCH") == 500
    assert 0 < len(view.extraSelections()) < 500  # only what is on screen is painted


def test_search_term_is_literal_text(view):
    view.append_lines(["cost: $5 (approx.)", "cost: 5"])
    assert view.find_all("$5 (approx.)") == 1


def test_find_next_selects_each_match_and_wraps_around(view):
    view.append_lines(SEARCH_LINES)
    view.find_all("error")
    text = view.document().toPlainText()
    expected_starts = [text.index("ERROR"), text.index("error again"), text.index("Error thrice")]
    starts = []
    for _ in range(4):
        assert view.find_next()
        cursor = view.textCursor()
        assert cursor.selectedText().lower() == "error"
        starts.append(cursor.selectionStart())
    assert starts == expected_starts + expected_starts[:1]


def test_find_next_backward_wraps_to_the_last_match(view):
    view.append_lines(SEARCH_LINES)
    view.find_all("error")
    text = view.document().toPlainText()
    assert view.find_next(backward=True)
    assert view.textCursor().selectionStart() == text.index("Error thrice")
    assert view.find_next(backward=True)
    assert view.textCursor().selectionStart() == text.index("error again")


def test_find_next_without_matches_returns_false(view):
    view.append_lines(SEARCH_LINES)
    assert not view.find_next()
    view.find_all("missing")
    assert not view.find_next()


def test_new_lines_matching_the_search_are_highlighted(view):
    view.append_lines(["nothing here"])
    assert view.find_all("needle") == 0
    view.append_lines(["a needle appears"])
    assert [selection.cursor.selectedText() for selection in view.extraSelections()] == ["needle"]


def test_highlight_is_readable_in_light_and_dark_themes(view):
    view.append_lines(["find me"])
    view.find_all("find")
    (selection,) = view.extraSelections()
    assert selection.format.hasProperty(QTextFormat.Property.BackgroundBrush)
    assert selection.format.hasProperty(QTextFormat.Property.ForegroundBrush)  # not the theme's text colour


# ---------------------------------------------------------------- follow


def fill(log_view: LogView, count: int = 500, start: int = 0) -> None:
    log_view.append_lines([f"line {number}" for number in range(start, start + count)])


def test_follow_keeps_the_newest_line_in_view(view):
    fill(view)
    scroll_bar = view.verticalScrollBar()
    assert scroll_bar.maximum() > 0
    assert scroll_bar.value() == scroll_bar.maximum()
    fill(view, start=500)
    assert scroll_bar.value() == scroll_bar.maximum()


def test_scrolling_up_pauses_follow(view, qtbot):
    fill(view)
    scroll_bar = view.verticalScrollBar()
    with qtbot.waitSignal(view.followChanged, timeout=1000) as blocker:
        scroll_bar.setValue(10)
    assert blocker.args == [False]
    assert not view.follow
    fill(view, start=500)
    assert scroll_bar.value() == 10
    assert scroll_bar.value() < scroll_bar.maximum()


def test_scrolling_back_to_the_bottom_resumes_follow(view, qtbot):
    fill(view)
    scroll_bar = view.verticalScrollBar()
    scroll_bar.setValue(0)
    with qtbot.waitSignal(view.followChanged, timeout=1000) as blocker:
        scroll_bar.setValue(scroll_bar.maximum())
    assert blocker.args == [True]
    assert view.follow


def test_set_follow_jumps_to_the_end(view, qtbot):
    fill(view)
    scroll_bar = view.verticalScrollBar()
    scroll_bar.setValue(0)
    with qtbot.assertNotEmitted(view.followChanged):
        view.set_follow(True)
    assert view.follow
    assert scroll_bar.value() == scroll_bar.maximum()
    fill(view, start=500)
    assert scroll_bar.value() == scroll_bar.maximum()


def test_set_follow_false_stops_scrolling(view):
    fill(view)
    view.set_follow(False)
    view.verticalScrollBar().setValue(5)
    fill(view, start=500)
    assert view.verticalScrollBar().value() == 5


def test_appending_while_following_does_not_emit(view, qtbot):
    with qtbot.assertNotEmitted(view.followChanged):
        fill(view)
        fill(view, start=500)
    assert view.follow


def test_follow_survives_trimming_old_lines(qtbot):
    log_view = LogView(max_lines=50)
    qtbot.addWidget(log_view)
    log_view.resize(400, 200)
    log_view.show()
    qtbot.waitExposed(log_view)
    with qtbot.assertNotEmitted(log_view.followChanged):
        for start in range(0, 400, 40):
            fill(log_view, count=40, start=start)
    scroll_bar = log_view.verticalScrollBar()
    assert log_view.follow
    assert scroll_bar.value() == scroll_bar.maximum()
    assert log_view.document().lastBlock().text() == "line 399"
