"""Behaviour of LogView: bounded, coloured, searchable, selectable, and following the tail."""

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QTextCharFormat,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication

from gui.core.ansi import PALETTE_16
from gui.views.widgets.log_view import LogView

ESC = "\x1b"
RED = PALETTE_16[1]
GREEN = PALETTE_16[2]
MATCH_AMBER = QColor("#ffcc4d")


@pytest.fixture
def view(qtbot):
    log_view = LogView()
    qtbot.addWidget(log_view)
    log_view.resize(500, 300)
    log_view.show()
    qtbot.waitExposed(log_view)
    return log_view


def shown_lines(log_view: LogView) -> list[str]:
    return log_view.plain_text().split("\n")


def format_of(log_view: LogView, word: str) -> QTextCharFormat:
    """The format the first line holding `word` is painted with, where `word` is."""
    for index, line in enumerate(shown_lines(log_view)):
        if word in line:
            position = 0
            for text, text_format in log_view.line_formats(index):
                if position <= line.index(word) < position + len(text):
                    return text_format
                position += len(text)
    raise AssertionError(f"{word!r} is not shown")


def foreground_of(log_view: LogView, word: str) -> str | None:
    text_format = format_of(log_view, word)
    if not text_format.hasProperty(QTextFormat.Property.ForegroundBrush):
        return None
    return text_format.foreground().color().name()


def painted_colours(log_view: LogView) -> set[str]:
    image = log_view.viewport().grab().toImage()
    return {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}


def paints_near(log_view: LogView, colour: str) -> bool:
    """Whether some pixel has about this colour (text is drawn smoothed)."""
    wanted = QColor(colour)
    return any(
        abs(QColor(name).red() - wanted.red()) + abs(QColor(name).green() - wanted.green()) < 40
        and abs(QColor(name).blue() - wanted.blue()) < 40
        for name in painted_colours(log_view)
    )


def point_of(log_view: LogView, line_on_screen: int, column: int) -> QPoint:
    """Where a user clicks to put the cursor before `column` of the line shown `line_on_screen` rows down."""
    text = shown_lines(log_view)[log_view.verticalScrollBar().value() + line_on_screen]
    metrics = QFontMetrics(log_view.font())
    x = 4 + metrics.horizontalAdvance(text[:column]) + 1
    return QPoint(x, line_on_screen * metrics.lineSpacing() + metrics.lineSpacing() // 2)


# ------------------------------------------------------------------ lines


def test_starts_empty_with_its_placeholder(view):
    view.setPlaceholderText("The output shows here.")
    assert view.plain_text() == "" and view.line_count == 0
    assert view.placeholderText() == "The output shows here."
    assert view.colours and view.follow


def test_typing_changes_nothing(view, qtbot):
    view.append_lines(["only line"])
    view.setFocus()
    qtbot.keyClicks(view, "abc")
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert shown_lines(view) == ["only line"]


def test_uses_the_system_fixed_width_font(view):
    assert view.font().family() == QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()


def test_lines_appear_one_per_line(view):
    view.append_lines(["first", "", "third"])
    view.append_lines(["fourth"])
    assert shown_lines(view) == ["first", "", "third", "fourth"]
    assert view.line_count == 4


def test_appending_nothing_changes_nothing(view):
    view.append_lines(["only"])
    view.append_lines([])
    assert shown_lines(view) == ["only"]


def test_a_line_never_splits_into_several_lines(view):
    view.append_lines(["a\nb", "c\u2029d", "10%\r100%"])
    assert view.line_count == 3
    assert shown_lines(view) == ["a\ufffdb", "c\ufffdd", "100%"]


def test_buffer_is_bounded_to_max_lines(qtbot):
    log_view = LogView(max_lines=100)
    qtbot.addWidget(log_view)
    lines = [f"line {number}" for number in range(1000)]
    log_view.append_lines(lines)
    assert log_view.line_count == 100
    assert shown_lines(log_view) == lines[900:]


def test_buffer_stays_bounded_across_many_appends(qtbot):
    log_view = LogView(max_lines=100)
    qtbot.addWidget(log_view)
    for start in range(0, 1000, 70):
        log_view.append_lines([f"line {number}" for number in range(start, min(start + 70, 1000))])
    assert shown_lines(log_view) == [f"line {number}" for number in range(900, 1000)]


def test_a_big_batch_shows_every_line_in_order_with_its_colour(qtbot):
    log_view = LogView(max_lines=100_000)
    qtbot.addWidget(log_view)
    lines = [f"{ESC}[3{1 + number % 2}m{number}{ESC}[0m line of text" for number in range(60_000)]
    log_view.append_lines(lines[:10])
    log_view.append_lines(lines[10:])  # one batch of 59,990 lines
    assert shown_lines(log_view) == [f"{number} line of text" for number in range(60_000)]
    for index in (0, 1, 4095, 4096, 29_999, 59_999):
        (number, colour), (rest, plain) = log_view.line_formats(index)
        assert number == str(index) and colour.foreground().color().name() == (RED if index % 2 == 0 else GREEN)
        assert rest == " line of text" and not plain.hasProperty(QTextFormat.Property.ForegroundBrush)


def test_clear_log_forgets_everything(view):
    view.append_lines(["one", "two"])
    view.clear_log()
    assert view.plain_text() == "" and view.line_count == 0
    view.append_lines(["three"])
    assert shown_lines(view) == ["three"]


def test_plain_text_has_no_escape_sequences(view):
    view.append_lines([f"{ESC}[31mred{ESC}[0m text", f"{ESC}]0;title\x07titled", "10%\r100%"])
    assert view.plain_text() == "red text\ntitled\n100%"


# ---------------------------------------------------------------- colours


def test_ansi_colours_are_rendered(view):
    view.append_lines([f"status: {ESC}[31mfailed{ESC}[0m after retry"])
    assert shown_lines(view) == ["status: failed after retry"]
    assert foreground_of(view, "failed") == RED
    assert foreground_of(view, "after") is None
    assert foreground_of(view, "status") is None
    assert paints_near(view, RED)


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


def test_colours_off_shows_plain_text(view):
    view.append_lines([f"status: {ESC}[31mfailed{ESC}[0m"])
    view.set_colours(False)
    assert not view.colours
    assert shown_lines(view) == ["status: failed"]
    assert foreground_of(view, "failed") is None


def test_lines_added_while_colours_are_off_are_plain(view):
    view.set_colours(False)
    view.append_lines([f"{ESC}[31mred"])
    assert shown_lines(view) == ["red"]
    assert foreground_of(view, "red") is None


def test_turning_colours_back_on_shows_them(view):
    view.set_colours(False)
    view.append_lines([f"{ESC}[31mred{ESC}[0m", "plain"])
    view.set_colours(True)
    assert shown_lines(view) == ["red", "plain"]
    assert foreground_of(view, "red") == RED


def test_colours_of_kept_lines_survive_dropping_old_ones(qtbot):
    log_view = LogView(max_lines=10)
    qtbot.addWidget(log_view)
    log_view.append_lines([f"{ESC}[31mline {number}" for number in range(50)])
    assert shown_lines(log_view) == [f"line {number}" for number in range(40, 50)]
    assert foreground_of(log_view, "line 40") == RED


# ----------------------------------------------------------------- search


SEARCH_LINES = ["booting", "ERROR: disk full", "retrying", "error again, Error thrice", "ok"]


def test_find_all_counts_every_match_case_insensitively(view):
    view.append_lines(SEARCH_LINES)
    assert view.find_all("error") == 3
    assert view.match_count == 3


def test_matches_on_screen_are_painted_amber(view):
    view.append_lines(SEARCH_LINES)
    assert MATCH_AMBER.name() not in painted_colours(view)
    view.find_all("disk")
    assert MATCH_AMBER.name() in painted_colours(view)
    view.find_all("")
    assert MATCH_AMBER.name() not in painted_colours(view)


def test_find_all_with_no_match_or_empty_term(view):
    view.append_lines(SEARCH_LINES)
    assert view.find_all("missing") == 0
    view.find_all("error")
    assert view.find_all("") == 0
    assert view.match_count == 0


def test_find_all_counts_matches_on_lines_scrolled_out_of_view(view):
    view.append_lines([f"line {number} match" for number in range(500)])
    assert view.find_all("MATCH") == 500


def test_search_term_is_literal_text(view):
    view.append_lines(["cost: $5 (approx.)", "cost: 5"])
    assert view.find_all("$5 (approx.)") == 1


def test_find_next_selects_each_match_and_wraps_around(view):
    view.append_lines(SEARCH_LINES)
    view.find_all("error")
    found = []
    for _ in range(4):
        assert view.find_next()
        found.append(view.selected_text())
    assert found == ["ERROR", "error", "Error", "ERROR"]


def test_find_next_backward_wraps_to_the_last_match(view):
    view.append_lines(SEARCH_LINES)
    view.find_all("error")
    assert view.find_next(backward=True)
    assert view.selected_text() == "Error"
    assert view.find_next(backward=True)
    assert view.selected_text() == "error"
    assert view.find_next(backward=True)
    assert view.selected_text() == "ERROR"


def test_find_next_without_matches_returns_false(view):
    view.append_lines(SEARCH_LINES)
    assert not view.find_next()
    view.find_all("missing")
    assert not view.find_next()


def test_new_lines_matching_the_search_are_counted(view, qtbot):
    view.append_lines(["nothing here"])
    assert view.find_all("needle") == 0
    with qtbot.waitSignal(view.matchCountChanged, timeout=1000) as counted:
        view.append_lines(["a needle appears", "and a NEEDLE"])
    assert counted.args == [2] and view.match_count == 2


def test_matches_on_dropped_lines_are_no_longer_counted(qtbot):
    log_view = LogView(max_lines=5000)
    qtbot.addWidget(log_view)
    log_view.append_lines([f"line {number} {'needle' if number % 10 == 0 else ''}" for number in range(5000)])
    assert log_view.find_all("needle") == 500
    log_view.append_lines(["plain"] * 1000)  # the first 1,000 lines go, and their 100 needles
    assert log_view.match_count == 400
    assert log_view.find_all("needle") == 400


def test_search_finds_the_right_line_on_a_big_log(qtbot):
    view = LogView(max_lines=1_000_000)
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    lines = [f"{ESC}[32m{number:06d}{ESC}[0m request served" for number in range(300_000)]
    lines[123_456] += " needle in the haystack"
    lines[250_001] = "The NEEDLE again"
    view.append_lines(lines)
    view.verticalScrollBar().setValue(0)
    assert view.find_all("needle") == 2
    assert view.find_next()
    assert view.selected_text() == "needle"
    scroll_bar = view.verticalScrollBar()
    assert scroll_bar.value() <= 123_456 < scroll_bar.value() + scroll_bar.pageStep()  # on screen
    assert view.find_next()
    assert view.selected_text() == "NEEDLE"
    assert scroll_bar.value() <= 250_001 < scroll_bar.value() + scroll_bar.pageStep()
    assert view.find_next(backward=True)
    assert view.selected_text() == "needle"


def test_a_search_from_a_click_inside_the_only_match_finds_it_going_round(view, qtbot):
    view.append_lines(["only one needle here"])
    view.find_all("needle")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 0, len("only one nee")))
    assert view.find_next()
    assert view.selected_text() == "needle"


# --------------------------------------------------------------- selection


def test_dragging_selects_text_and_copy_puts_it_on_the_clipboard(view, qtbot):
    view.append_lines(["first line of text", "second line of text"])
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=point_of(view, 0, 6))
    qtbot.mouseMove(viewport, point_of(view, 1, 6))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point_of(view, 1, 6))
    assert view.selected_text() == "line of text\nsecond"
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "line of text\nsecond"


def test_double_click_selects_a_word(view, qtbot):
    view.append_lines(["GET /health 200 in 3 ms"])
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 0, 6))
    assert view.selected_text() == "health"


def test_select_all_copies_the_whole_log_without_escapes(view, qtbot):
    view.append_lines([f"{ESC}[31mred{ESC}[0m", "plain"])
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "red\nplain"


def test_text_after_a_wide_character_is_selected_where_clicked(view, qtbot):
    view.append_lines(["rocket \U0001f680 launched at noon"])
    start = len("rocket \U0001f680 ")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 0, start + 2))
    assert view.selected_text() == "launched"


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


def test_end_key_follows_again_and_home_stops(view, qtbot):
    fill(view)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert not view.follow and view.verticalScrollBar().value() == 0
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
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
    assert shown_lines(log_view)[-1] == "line 399"


def test_lines_read_while_scrolled_up_stay_on_screen_as_old_ones_go(qtbot):
    log_view = LogView(max_lines=1000)
    qtbot.addWidget(log_view)
    log_view.resize(400, 200)
    log_view.show()
    qtbot.waitExposed(log_view)
    fill(log_view, count=1000)
    scroll_bar = log_view.verticalScrollBar()
    scroll_bar.setValue(600)  # "line 600" at the top
    fill(log_view, count=300, start=1000)  # the first 300 lines are dropped
    assert not log_view.follow
    assert shown_lines(log_view)[scroll_bar.value()] == "line 600"


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard", extend=True)  # a menu, offscreen
def test_the_context_menu_copies_and_selects_all(view, qtbot):
    view.append_lines(["one", "two"])
    seen = []

    def choose_select_all() -> None:
        menu = QApplication.activePopupWidget()
        actions = {action.text().replace("&", ""): action for action in menu.actions() if action.text()}
        seen.append({text: action.isEnabled() for text, action in actions.items()})
        actions["Select All"].trigger()
        menu.close()

    QTimer.singleShot(100, choose_select_all)
    where = point_of(view, 0, 1)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where, view.viewport().mapToGlobal(where))
    QApplication.sendEvent(view.viewport(), event)
    assert seen == [{"Copy": False, "Select All": True}]
    assert view.selected_text() == "one\ntwo"
