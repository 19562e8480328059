"""The log view for keyboard and screen-reader users (issue 17: what a QPlainTextEdit gave them): a caret that arrows,
Home/End and Page Up/Down move, Shift to select, following the tail stopped when the caret leaves the newest line;
and the text, the caret and the selection as assistive technology reads them (gui.views.widgets.log_access)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QFontMetrics, QGuiApplication, QPalette

from gui.views.widgets.log_lines import LogLines
from gui.views.widgets.log_view import LogView

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
LINES = ["GET /health 200", "POST /login 401 denied", "ok", "GET /metrics 200 in 3 ms", "done"]


@pytest.fixture
def view(qtbot):
    log_view = LogView()
    qtbot.addWidget(log_view)
    log_view.resize(500, 300)
    log_view.show()
    qtbot.waitExposed(log_view)
    log_view.setFocus()
    qtbot.waitUntil(log_view.hasFocus, timeout=2000)
    return log_view


def click(log_view: LogView, qtbot, line_on_screen: int, column: int) -> None:
    """Clicks before `column` of the line shown `line_on_screen` rows down."""
    text = log_view.plain_text().split("\n")[log_view.verticalScrollBar().value() + line_on_screen]
    metrics = QFontMetrics(log_view.font())
    x = 4 + metrics.horizontalAdvance(text[:column]) + 1
    y = line_on_screen * metrics.lineSpacing() + metrics.lineSpacing() // 2
    qtbot.mouseClick(log_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, y))


def press(qtbot, log_view: LogView, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(log_view, key, modifiers)


def fill(log_view: LogView, count: int = 500, start: int = 0) -> None:
    log_view.append_lines([f"line {number}" for number in range(start, start + count)])


# ---------------------------------------------------------------- selecting


def test_shift_down_twice_from_a_click_selects_those_lines(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 1, len("POST "))
    press(qtbot, view, Qt.Key.Key_Down, SHIFT, times=2)
    assert view.selected_text() == "/login 401 denied\nok\nGET /"
    assert view.caret() == (3, len("GET /"))  # the column it started from


def test_shift_end_selects_to_the_line_end_and_shift_home_back_to_its_start(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 3, len("GET "))
    press(qtbot, view, Qt.Key.Key_End, SHIFT)
    assert view.selected_text() == "/metrics 200 in 3 ms"
    press(qtbot, view, Qt.Key.Key_Home, SHIFT)
    assert view.selected_text() == "GET "


def test_a_plain_arrow_clears_the_selection(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 0, 0)
    press(qtbot, view, Qt.Key.Key_Right, SHIFT, times=3)
    assert view.selected_text() == "GET"
    press(qtbot, view, Qt.Key.Key_Right)
    assert not view.has_selection() and view.caret() == (0, 4)


def test_ctrl_c_copies_what_the_keys_selected(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 2, 0)
    press(qtbot, view, Qt.Key.Key_Down, SHIFT)
    press(qtbot, view, Qt.Key.Key_End, SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_C, CTRL)
    assert QGuiApplication.clipboard().text() == "ok\nGET /metrics 200 in 3 ms"


def test_shift_with_ctrl_end_selects_to_the_end_of_the_log(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 3, len("GET /metrics 200 in 3 "))
    press(qtbot, view, Qt.Key.Key_End, SHIFT | CTRL)
    assert view.selected_text() == "ms\ndone"


# ----------------------------------------------------------------- moving


def test_arrows_cross_line_ends_and_home_end_stay_within_the_line(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 2, len("ok"))
    press(qtbot, view, Qt.Key.Key_Right)
    assert view.caret() == (3, 0)
    press(qtbot, view, Qt.Key.Key_Left)
    assert view.caret() == (2, 2)
    press(qtbot, view, Qt.Key.Key_Home)
    assert view.caret() == (2, 0)
    press(qtbot, view, Qt.Key.Key_Left)
    assert view.caret() == (1, len(LINES[1]))
    press(qtbot, view, Qt.Key.Key_Home, CTRL)
    assert view.caret() == (0, 0)
    press(qtbot, view, Qt.Key.Key_Left)  # nowhere before the start
    assert view.caret() == (0, 0)
    press(qtbot, view, Qt.Key.Key_End, CTRL)
    assert view.caret() == (4, len("done"))


def test_ctrl_arrows_move_by_words(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 3, 0)
    press(qtbot, view, Qt.Key.Key_Right, CTRL)
    assert view.caret() == (3, len("GET /"))
    press(qtbot, view, Qt.Key.Key_Right, CTRL | SHIFT)
    assert view.selected_text() == "metrics "
    press(qtbot, view, Qt.Key.Key_Left, CTRL)
    assert view.caret() == (3, len("GET /"))


def test_up_and_down_keep_their_column_across_a_short_line(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 1, len("POST /login"))
    press(qtbot, view, Qt.Key.Key_Down)
    assert view.caret() == (2, len("ok"))
    press(qtbot, view, Qt.Key.Key_Down)
    assert view.caret() == (3, len("POST /login"))


def test_page_down_turns_a_page_and_the_caret_with_it(view, qtbot):
    fill(view)
    press(qtbot, view, Qt.Key.Key_Home, CTRL)
    scroll_bar = view.verticalScrollBar()
    assert scroll_bar.value() == 0
    press(qtbot, view, Qt.Key.Key_PageDown)
    assert scroll_bar.value() == scroll_bar.pageStep() > 1
    assert view.caret() == (scroll_bar.pageStep(), 0)
    press(qtbot, view, Qt.Key.Key_PageUp, SHIFT)
    assert scroll_bar.value() == 0
    assert view.selected_text().split("\n") == [f"line {number}" for number in range(scroll_bar.pageStep())] + [""]


def test_the_view_scrolls_to_keep_the_caret_on_screen(view, qtbot):
    fill(view)
    press(qtbot, view, Qt.Key.Key_Home, CTRL)
    scroll_bar = view.verticalScrollBar()
    rows = scroll_bar.pageStep()
    press(qtbot, view, Qt.Key.Key_Down, times=rows + 2)
    assert view.caret()[0] == rows + 2
    assert scroll_bar.value() <= rows + 2 < scroll_bar.value() + rows
    scroll_bar.setValue(300)  # the caret is off screen: the next key brings it back
    press(qtbot, view, Qt.Key.Key_Up)
    assert scroll_bar.value() <= rows + 1 < scroll_bar.value() + rows


def test_before_any_click_the_keys_start_from_the_top_line_on_screen(view, qtbot):
    fill(view)
    view.verticalScrollBar().setValue(120)
    press(qtbot, view, Qt.Key.Key_End, SHIFT)
    assert view.selected_text() == "line 120"


# ----------------------------------------------------------------- follow


def test_the_caret_moving_up_from_the_tail_stops_following(view, qtbot):
    fill(view)
    scroll_bar = view.verticalScrollBar()
    assert view.follow and view.caret() == (499, len("line 499"))
    with qtbot.waitSignal(view.followChanged, timeout=1000) as blocker:
        press(qtbot, view, Qt.Key.Key_Up)
    assert blocker.args == [False] and not view.follow
    value = scroll_bar.value()
    fill(view, count=100, start=500)
    assert scroll_bar.value() == value < scroll_bar.maximum()  # the lines read stay put
    with qtbot.waitSignal(view.followChanged, timeout=1000) as blocker:
        press(qtbot, view, Qt.Key.Key_End, CTRL)
    assert blocker.args == [True] and view.follow and scroll_bar.value() == scroll_bar.maximum()


def test_a_caret_on_the_newest_line_rides_the_tail(view, qtbot):
    fill(view, count=10)
    press(qtbot, view, Qt.Key.Key_Home)
    assert view.caret() == (9, 0) and view.follow  # still on the newest line: still following
    fill(view, count=10, start=10)
    assert view.caret() == (19, len("line 19"))
    scroll_bar = view.verticalScrollBar()
    assert scroll_bar.value() == scroll_bar.maximum()


def test_a_caret_away_from_the_tail_stays_on_its_line(view, qtbot):
    view.append_lines(LINES)
    click(view, qtbot, 1, 2)
    fill(view, count=10)
    assert view.caret() == (1, 2)


# ---------------------------------------------------------------- drawing


def caret_drawn_at_left_edge(log_view: LogView) -> bool:
    """Whether the first row shows a thin line in the text colour where the caret of an empty line stands."""
    image = log_view.viewport().grab().toImage()
    text = log_view.palette().color(QPalette.ColorRole.Text).name()
    pitch = QFontMetrics(log_view.font()).lineSpacing()
    return all(image.pixelColor(4, y).name() == text for y in range(1, pitch - 1))


def test_the_caret_shows_while_the_view_has_the_focus(view, qtbot):
    view.append_lines(["", "second"])
    click(view, qtbot, 0, 0)
    assert caret_drawn_at_left_edge(view)
    view.clearFocus()
    qtbot.waitUntil(lambda: not view.hasFocus(), timeout=2000)
    assert not caret_drawn_at_left_edge(view)


# ------------------------------------------------------------ screen readers


def test_a_screen_reader_reads_the_line_under_the_caret(view, qtbot):
    view.setAccessibleName("Build log")
    view.append_lines(["booting", "ERROR: disk full", "retrying"])
    click(view, qtbot, 1, 3)
    reader = QAccessible.queryAccessibleInterface(view)
    assert reader.role() == QAccessible.Role.EditableText and reader.state().readOnly
    assert reader.text(QAccessible.Text.Name) == "Build log"
    assert reader.text(QAccessible.Text.Value) == "ERROR: disk full"
    text = reader.textInterface()  # what Qt hands a screen reader, through interface_cast
    assert text is not None
    assert text.characterCount() == len("booting\nERROR: disk full\nretrying")
    caret = text.cursorPosition()
    assert caret == len("booting\nERR")
    assert text.text(caret - 3, caret - 3 + len("ERROR: disk full")) == "ERROR: disk full"
    line = reader.text_at_offset(caret, QAccessible.TextBoundaryType.LineBoundary)
    assert line == ("ERROR: disk full\n", len("booting\n"), len("booting\nERROR: disk full\n"))
    word = reader.text_after_offset(caret, QAccessible.TextBoundaryType.WordBoundary)
    assert word[0] == ": "


def test_a_screen_reader_moves_the_caret_and_selects(view, qtbot):
    view.append_lines(["rocket \U0001f680 launched", "at noon"])
    text = QAccessible.queryAccessibleInterface(view).textInterface()
    after_emoji = len("rocket \U0001f680 ".encode("utf-16-le")) // 2  # Qt counts UTF-16 units
    text.addSelection(after_emoji, after_emoji + len("launched"))
    assert view.selected_text() == "launched"
    text.setCursorPosition(after_emoji + len("launched\n"))
    assert not view.has_selection() and view.caret() == (1, 0)
    where = text.characterRect(text.cursorPosition())
    assert view.viewport().rect().contains(view.viewport().mapFromGlobal(where.center()))
    assert text.offsetAtPoint(where.center()) == text.cursorPosition()


def test_a_screen_reader_reads_a_long_log_without_the_whole_text_being_built(qtbot, monkeypatch):
    log_view = LogView(max_lines=150_000)
    qtbot.addWidget(log_view)
    log_view.resize(500, 300)
    log_view.show()
    log_view.append_lines([f"{n} line \U0001f680 text" if n % 7 == 0 else f"{n} plain line" for n in range(200_000)])
    kept = log_view.plain_text().split("\n")  # lines 50,000 to 199,999
    whole = "\n".join(kept).encode("utf-16-le")  # what a reader reads, counted as Qt counts: UTF-16 units

    def offset_of_line(index: int) -> int:
        return len("\n".join(kept[:index]).encode("utf-16-le")) // 2 + (1 if index else 0)

    starts = {index: offset_of_line(index) for index in (0, 73_456, 149_993)}
    asked: list[int] = []
    texts = LogLines.texts

    def counting_texts(self, start, stop):
        asked.append(stop - start)
        return texts(self, start, stop)

    monkeypatch.setattr(LogLines, "texts", counting_texts)
    monkeypatch.setattr(LogLines, "plain_text", lambda self: pytest.fail("the whole text was built"))
    reader = QAccessible.queryAccessibleInterface(log_view)
    text = reader.textInterface()
    assert text.characterCount() == len(whole) // 2
    assert text.cursorPosition() == len(whole) // 2  # following: the caret is at the end
    assert reader.text(QAccessible.Text.Value) == "199999 plain line"
    for index, start in starts.items():
        assert text.text(start, start + 30) == whole[2 * start : 2 * (start + 30)].decode("utf-16-le")
        line = reader.text_at_offset(start, QAccessible.TextBoundaryType.LineBoundary)
        assert line[0] == kept[index] + "\n" and line[1] == start
    text.setCursorPosition(starts[73_456] + 3)
    assert log_view.caret() == (73_456, 3)
    assert asked and max(asked) < 10


# A screen reader listening from the start (Qt's accessibility cache is made before the first log view), and the app
# ends while a view it handed to Qt to delete (deleteLater) is still there: Qt and PySide must not both delete the
# view's interface (before the fix: a crash on the way out, exit code -11).
QUIT_WITH_A_READER = """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAccessible
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from gui.views.widgets.log_view import LogView

    app = QApplication([])
    QAccessible.setActive(True)
    view = LogView()
    view.append_lines(["one", "two"])
    view.show()
    QTest.keyClick(view, Qt.Key.Key_Up)  # the reader is told: the view's interface is made
    print("read:", QAccessible.queryAccessibleInterface(view).text(QAccessible.Text.Value))
    view.deleteLater()
    app.processEvents()
"""


def test_quitting_with_a_screen_reader_listening_ends_cleanly():
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(QUIT_WITH_A_READER)],
        cwd=Path(__file__).resolve().parents[3],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,  # a safety net against a hang, not a measure
    )
    assert "read: one" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
