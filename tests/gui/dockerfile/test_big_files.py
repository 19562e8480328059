"""The Dockerfile editor on a 5,000-line file: find, replace, highlighting and live lint do what they do on a
small one (their speed is measured by tests/bench/bench_big_dockerfile.py, not here)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.views.dockerfile import lint_runner
from gui.views.widgets.find_bar import MAX_MATCHES
from tests.bench import bench_lint
from tests.gui.dockerfile.editor_driver import Keys, formats_at, shortcut, type_text

BIG = 5000  # lines: the size the issue names


def big_dockerfile(lines: int = BIG) -> str:
    """The benchmarks' realistic Dockerfile, repeated to `lines` lines."""
    return bench_lint.big_dockerfile(lines)


@pytest.fixture(autouse=True)
def quick_hadolint(monkeypatch):
    """hadolint takes seconds on 5,000 lines; these tests are about the editor."""
    monkeypatch.setattr(lint_runner, "run_hadolint", lambda *args, **kwargs: [])


def lines_of(text: str, term: str, flags=0) -> list[int]:
    """The 1-based line of each match of `term`, in order."""
    return [text.count("\n", 0, match.start()) + 1 for match in re.finditer(re.escape(term), text, flags)]


# Find --------------------------------------------------------------------------------------------------------


def test_find_counts_every_match_and_steps_to_the_right_lines(make_editor, qtbot):
    editor = make_editor()
    text = big_dockerfile()
    editor.editor.setPlainText(text)
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Find)
    bar = editor.find_bar
    qtbot.keyClicks(bar.find_edit, "APP")  # Match case is off: "app" and "/app" count too
    expected = lines_of(text, "app", re.IGNORECASE)
    assert bar.match_count == len(expected) >= 1000
    assert bar.count_label.text() == f"1 of {len(expected)}"
    assert editor.editor.current_line() == expected[0]
    for index in range(1, 4):
        qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)
        assert editor.editor.current_line() == expected[index]
        assert editor.editor.textCursor().selectedText().lower() == "app"
    assert bar.count_label.text() == f"4 of {len(expected)}"
    editor.editor.go_to_line(1)
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # wraps to the last
    assert editor.editor.current_line() == expected[-1]
    assert bar.count_label.text() == f"{len(expected)} of {len(expected)}"


def test_find_highlights_the_matches_on_screen_and_follows_the_scrolling(make_editor, qtbot):
    """Found: every one of thousands of matches was an extra selection, repainted and re-sent to Qt on
    every cursor move (seconds of stalls on 5,000 lines). Now only the matches on screen are."""
    editor = make_editor()
    editor.editor.setPlainText(big_dockerfile())
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Find)
    qtbot.keyClicks(editor.find_bar.find_edit, "python")
    first = editor.editor.firstVisibleBlock().blockNumber()
    last = first + editor.editor.viewport().height() // editor.editor.fontMetrics().lineSpacing() + 1
    shown = editor.editor.layer("find")
    assert 0 < len(shown) < 100 < editor.find_bar.match_count
    assert all(first <= s.cursor.blockNumber() <= last for s in shown)
    assert all(s.cursor.selectedText() == "python" for s in shown)
    scroll_bar = editor.editor.verticalScrollBar()
    scroll_bar.setValue(scroll_bar.maximum())
    qtbot.waitUntil(lambda: min(s.cursor.blockNumber() for s in editor.editor.layer("find")) > 4900, timeout=2000)


def test_find_steps_through_every_match_of_a_big_file_and_wraps(make_editor, qtbot):
    editor = make_editor()
    text = big_dockerfile()
    editor.editor.setPlainText(text)
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Find)
    bar = editor.find_bar
    qtbot.keyClicks(bar.find_edit, "EXPOSE")
    expected = lines_of(text, "EXPOSE")
    visited = [editor.editor.current_line()]
    for _ in expected:
        qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)
        visited.append(editor.editor.current_line())
    assert visited == [*expected, expected[0]]  # every match in order, then back to the first
    assert bar.count_label.text() == f"1 of {len(expected)}"


def test_find_counts_up_to_its_limit_and_still_steps(make_editor, qtbot):
    editor = make_editor()
    text = big_dockerfile()
    editor.editor.setPlainText(text)
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Find)
    bar = editor.find_bar
    qtbot.keyClicks(bar.find_edit, " ")  # more matches than the limit
    assert text.count(" ") > MAX_MATCHES == bar.match_count
    assert bar.count_label.text() == f"1 of {MAX_MATCHES}+"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)
    assert bar.count_label.text() == f"2 of {MAX_MATCHES}+"
    assert editor.editor.textCursor().selectedText() == " "


def test_find_positions_count_characters_as_qt_does(make_editor, qtbot):
    """Characters outside the Basic Multilingual Plane are two positions in Qt and one in Python."""
    editor = make_editor()
    editor.editor.setPlainText('LABEL emoji="🐳🐳"\nRUN echo 🐳 apt\nRUN apt-get update\n')
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Find)
    qtbot.keyClicks(editor.find_bar.find_edit, "apt")
    assert editor.find_bar.match_count == 2
    assert editor.editor.textCursor().selectedText() == "apt" and editor.editor.current_line() == 2
    assert [s.cursor.selectedText() for s in editor.editor.layer("find")] == ["apt", "apt"]


# Replace ------------------------------------------------------------------------------------------------------


def test_replace_all_on_a_big_file_replaces_every_match_as_one_undo(make_editor, qtbot):
    editor = make_editor()
    text = big_dockerfile()
    editor.editor.setPlainText(text)
    editor.editor.go_to_line(2500)
    view = editor.editor.verticalScrollBar().value()
    shortcut(qtbot, editor.editor, Keys.Replace)
    bar = editor.find_bar
    qtbot.keyClicks(bar.find_edit, "python")
    qtbot.keyClicks(bar.replace_edit, "python3")
    count = bar.match_count
    qtbot.mouseClick(bar.replace_all_button, Qt.MouseButton.LeftButton)
    assert editor.text() == text.replace("python", "python3")
    assert bar.count_label.text() == f"Replaced {count} matches"
    assert editor.editor.line_count() == text.count("\n") + 1
    assert editor.editor.verticalScrollBar().value() == view  # the view stays where the user was
    assert editor.editor.current_line() == 2500
    editor.editor.setFocus()
    shortcut(qtbot, editor.editor, Keys.Undo)
    assert editor.text() == text


# Highlighting -------------------------------------------------------------------------------------------------


def test_every_line_of_a_pasted_big_file_gets_its_colours(make_editor, qtbot):
    """The lines past a pass's budget are coloured in later turns, read with the state of the line before
    them (a heredoc 4,000 lines down), and those turns are no edit: no textChanged, nothing to lint again."""
    editor = make_editor()
    text = big_dockerfile(4000) + "RUN <<EOF\nFROM not-an-instruction\nEOF\nUSER app\n" + big_dockerfile(1000)
    editor.editor.setPlainText(text)
    document = editor.editor.document()
    highlighter = editor.highlighter
    keyword = highlighter.format_for("keyword").foreground().color()
    string = highlighter.format_for("string").foreground().color()
    assert formats_at(document, 1, 0)[-1].foreground().color() == keyword  # on screen: at once
    with qtbot.assertNotEmitted(editor.editor.textChanged, wait=0):
        qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
    assert formats_at(document, 2500, 0)[-1].foreground().color() == keyword  # FROM
    assert formats_at(document, 4002, 0)[-1].foreground().color() == string  # inside the heredoc
    assert formats_at(document, 4004, 0)[-1].foreground().color() == keyword  # USER after it
    assert formats_at(document, 4005 + 999, 0)[-1].foreground().color() == keyword  # the last CMD


def test_a_pasted_big_file_is_all_there_coloured_on_screen_and_one_undo(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("FROM busybox:1.36\n")
    text = big_dockerfile()
    QApplication.clipboard().setText(text)
    editor.editor.selectAll()
    shortcut(qtbot, editor.editor, Keys.Paste)
    assert editor.text() == text
    document = editor.editor.document()
    keyword = editor.highlighter.format_for("keyword").foreground().color()
    scroll_bar = editor.editor.verticalScrollBar()
    for place in (scroll_bar.maximum(), scroll_bar.maximum() // 2):  # the end, where the paste left the view
        scroll_bar.setValue(place)
        first, last = editor.editor.visible_lines()

        def on_screen_coloured() -> bool:
            return all(
                formats_at(document, line, 0) and formats_at(document, line, 0)[-1].foreground().color() == keyword
                for line in range(first + 1, min(last, 5000) + 1)
                if re.match(r"[A-Z]+ ", document.findBlockByNumber(line - 1).text())
            )

        qtbot.waitUntil(on_screen_coloured, timeout=2000)
    qtbot.waitUntil(lambda: not editor.highlighter.colouring, timeout=10000)
    instruction_lines = [n for n, line in enumerate(text.split("\n"), 1) if re.match(r"[A-Z]+ ", line)]
    assert all(formats_at(document, n, 0)[-1].foreground().color() == keyword for n in instruction_lines)
    editor.editor.setFocus()
    shortcut(qtbot, editor.editor, Keys.Undo)
    assert editor.text() == "FROM busybox:1.36\n"


def test_the_explanation_follows_typing_in_a_big_file(make_editor, qtbot):
    """The text is parsed for the explanation in a worker; typing meanwhile is explained once it pauses."""
    editor = make_editor()
    editor.editor.setPlainText(big_dockerfile())
    editor.editor.go_to_line(2501)  # FROM python:3.12 AS build250
    qtbot.waitUntil(lambda: editor.explanation_text.startswith("FROM"), timeout=5000)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Home)
    type_text(qtbot, editor.editor, "USER app\n")
    qtbot.keyClick(editor.editor, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: editor.explanation_text.startswith("USER"), timeout=5000)
    qtbot.keyClicks(editor.editor, "\t")
    qtbot.keyClick(editor.editor, Qt.Key.Key_Backspace)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: editor.explanation_text.startswith("FROM"), timeout=5000)


# Live lint ----------------------------------------------------------------------------------------------------


def test_findings_appear_for_a_big_file_after_typing(make_editor, qtbot):
    editor = make_editor()
    editor.editor.setPlainText(big_dockerfile())
    qtbot.waitUntil(lambda: len(editor.findings_panel.current_findings()) > 1000, timeout=20000)
    editor.editor.go_to_line(5001)
    qtbot.keyClicks(editor.editor, "FROM python:latest")
    qtbot.waitUntil(
        lambda: any(f.rule == "PS004" and f.line == 5001 for f in editor.findings_panel.current_findings()),
        timeout=20000,
    )
    shown = editor.findings_panel.findings()
    assert editor.findings_panel.tree.model().rowCount() == len(shown)  # every finding is listed
    underlined = {s.cursor.blockNumber() + 1 for s in editor.editor.layer("lint")}
    assert 5001 in underlined and 5001 in editor.editor.line_marks()
    assert len(underlined) < 100 < len({f.line for f in shown})  # only the lines on screen are underlined


def test_line_marks_move_with_their_lines_until_the_next_lint(make_editor, qtbot):
    """The underline, gutter mark and tool tip of a finding stay on its line when a line is added above it
    (they are kept by line number, for the lines on screen only)."""
    editor = make_editor()
    editor.editor.setPlainText("# base\nFROM python:latest\n")
    qtbot.waitUntil(lambda: any(f.rule == "PS004" for f in editor.findings_panel.current_findings()), timeout=5000)
    assert 2 in editor.editor.line_marks()
    editor.editor.go_to_line(1)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return)  # no lint runs before the checks: no event loop turns
    assert 3 in editor.editor.line_marks() and 2 not in editor.editor.line_marks()
    assert editor.editor.line_tooltips()[3].startswith("PS004")
    assert [s.cursor.blockNumber() + 1 for s in editor.editor.layer("lint")] == [3]
    editor.editor.go_to_line(2)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Backspace)  # joins the empty line 2 to line 1
    assert 2 in editor.editor.line_marks() and editor.editor.line_tooltips()[2].startswith("PS004")
