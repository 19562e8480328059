"""The Dockerfile editor window, driven as a user drives it: highlighting, undo, explanations, find and
replace, going to a failed build's line, building. Its findings and its file on disk have their own tests
(test_findings_panel.py, test_disk_keeper.py)."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QTextDocument

from gui.core.dockerfile.explain import explain_instruction
from gui.core.dockerfile.parser import parse_dockerfile
from gui.views.dockerfile.editor import DockerfileEditor
from gui.views.widgets.code_editor import replace_lines
from tests.gui.dockerfile.editor_driver import SAMPLE, Keys, formats_at, shortcut, type_text

# Highlighting, line numbers ---------------------------------------------------------------------------


def test_highlighting_colours_each_kind_of_text(make_editor, qtbot):
    editor = make_editor()
    editor.set_text(
        "# build stage\nFROM python:3.12-slim AS builder\n"
        "COPY --from=builder /app /app\n"
        "RUN echo \"home is ${HOME}\" '$NOT' $PATH && \\\n"
        "    COPY is not a keyword here\n"
        "ENV MODEL=tiny\n"
    )
    document = editor.editor.document()
    highlighter = editor.highlighter
    colour = {
        name: highlighter.format_for(name).foreground().color()
        for name in ("keyword", "comment", "string", "variable", "flag")
    }

    def colour_at(line, column):
        found = formats_at(document, line, column)
        return found[-1].foreground().color() if found else None

    assert colour_at(1, 3) == colour["comment"] and formats_at(document, 1, 3)[-1].fontItalic()
    assert colour_at(2, 0) == colour["keyword"] and formats_at(document, 2, 0)[-1].fontWeight() > 400
    assert colour_at(2, 22) == colour["keyword"]  # AS
    assert colour_at(3, 6) == colour["flag"]  # --from
    assert colour_at(4, 10) == colour["string"]  # "home is
    assert colour_at(4, 20) == colour["variable"]  # ${HOME} inside double quotes
    assert colour_at(4, 30) == colour["string"]  # '$NOT' stays a string
    assert colour_at(4, 37) == colour["variable"]  # $PATH
    assert colour_at(5, 4) != colour["keyword"]  # a continuation line has no keyword
    assert colour_at(6, 0) == colour["keyword"]  # ...and the next instruction has one


def test_heredoc_body_is_text_not_instructions(make_editor):
    editor = make_editor()
    editor.set_text("RUN <<EOF\nFROM not-an-instruction\nEOF\nUSER app\n")
    document = editor.editor.document()
    keyword = editor.highlighter.format_for("keyword").foreground().color()
    assert formats_at(document, 2, 0)[-1].foreground().color() != keyword
    assert formats_at(document, 4, 0)[-1].foreground().color() == keyword


def test_gutter_numbers_grow_with_the_file(make_editor):
    editor = make_editor()
    narrow = editor.editor.gutter_width()
    assert editor.editor.viewportMargins().left() == narrow > 0
    editor.set_text("RUN true\n" * 1200)
    assert editor.editor.gutter_width() > narrow
    assert editor.editor.viewportMargins().left() == editor.editor.gutter_width()


# Undo ----------------------------------------------------------------------------------------------------


def test_undo_and_redo_with_the_standard_shortcuts(make_editor, qtbot):
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM busybox:1.36")
    shortcut(qtbot, editor.editor, Keys.Undo)
    assert editor.text() == ""
    qtbot.keySequence(editor.editor, QKeySequence("Ctrl+Shift+Z"))
    assert editor.text() == "FROM busybox:1.36"
    assert editor.undo_action.isEnabled()


# Explanations -----------------------------------------------------------------------------------------


def test_side_panel_explains_the_instruction_under_the_cursor(make_editor, qtbot):
    editor = make_editor()
    editor.set_text(SAMPLE)
    editor.editor.go_to_line(5)
    run = parse_dockerfile(SAMPLE)[3]
    expected = explain_instruction(run).split("\n")[0][:40]
    qtbot.waitUntil(lambda: expected in editor.explanation_text.replace("\n", " "), timeout=2000)
    assert editor.explanation_text.startswith("RUN")
    assert "`" not in editor.explanation_text  # the command is written plainly: no markdown shows in the panel
    qtbot.keyClick(editor.editor, Qt.Key.Key_Up)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Up)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: editor.explanation_text.startswith("FROM"), timeout=2000)
    qtbot.keyClick(editor.editor, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: "comment" in editor.explanation_text, timeout=2000)


# Find and replace ---------------------------------------------------------------------------------------


def test_find_counts_matches_and_enter_moves_between_them(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("FROM python:3.11-slim\nARG PY=3.11\nLABEL python=3.11\n")
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Find)
    bar = editor.find_bar
    assert bar.isVisible() and not bar.replacing
    qtbot.keyClicks(bar.find_edit, "3.11")
    assert bar.match_count == 3
    assert bar.count_label.text() == "1 of 3"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)
    assert editor.editor.current_line() == 2 and bar.count_label.text() == "2 of 3"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return)  # wraps around
    assert bar.count_label.text() == "1 of 3"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "3 of 3" and editor.editor.current_line() == 3
    assert len(editor.editor.layer("find")) == 3
    qtbot.keyClicks(bar.find_edit, "9")
    assert bar.count_label.text() == "No matches"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible() and editor.editor.layer("find") == []
    assert editor.editor.hasFocus()
    shortcut(qtbot, editor.editor, Keys.Find)  # opens again searching the selected text
    assert bar.isVisible() and bar.find_edit.text() == "3.11"
    editor.editor.setFocus()
    qtbot.keyClick(editor.editor, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_replace_all_reports_the_count_and_is_one_undo(make_editor, qtbot):
    editor = make_editor()
    original = "FROM python:3.11-slim\nARG PY=3.11\nLABEL python=3.11\n"
    editor.set_text(original)
    shortcut(qtbot, editor.editor, Keys.Replace)
    bar = editor.find_bar
    assert bar.isVisible() and bar.replacing
    qtbot.keyClicks(bar.find_edit, "3.11")
    qtbot.keyClicks(bar.replace_edit, "3.12")
    qtbot.mouseClick(bar.replace_all_button, Qt.MouseButton.LeftButton)
    assert editor.text() == original.replace("3.11", "3.12")
    assert bar.count_label.text() == "Replaced 3 matches"
    editor.editor.setFocus()
    shortcut(qtbot, editor.editor, Keys.Undo)
    assert editor.text() == original


def test_replace_one_at_a_time_with_enter(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("RUN a\nRUN a\n")
    editor.editor.go_to_line(1)
    shortcut(qtbot, editor.editor, Keys.Replace)
    bar = editor.find_bar
    qtbot.keyClicks(bar.find_edit, "a")
    qtbot.keyClicks(bar.replace_edit, "b")
    qtbot.keyClick(bar.replace_edit, Qt.Key.Key_Return)  # replaces the selected first match
    assert editor.text() == "RUN b\nRUN a\n"
    assert bar.count_label.text() == "1 of 1"
    qtbot.keyClick(bar.replace_edit, Qt.Key.Key_Return)
    assert editor.text() == "RUN b\nRUN b\n"
    assert bar.count_label.text() == "No matches"


# Build failures and builds -----------------------------------------------------------------------------


def test_go_to_line_marks_the_line_and_shows_the_message(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path, show=False)
    editor.go_to_line(5, "The step RUN pip install -r requirements.txt failed with exit code 1.")
    editor.show()
    assert editor.editor.current_line() == 5
    assert editor.editor.textCursor().selectedText().startswith("RUN pip install")
    assert editor.message_bar.isVisible()
    assert editor.message_bar.text == "Line 5: The step RUN pip install -r requirements.txt failed with exit code 1."
    assert len(editor.editor.layer("goto")) == 1
    qtbot.mouseClick(editor.message_bar.close_button, Qt.MouseButton.LeftButton)
    assert editor.editor.layer("goto") == [] and not editor.message_bar.isVisible()
    editor.set_text("FROM busybox:1.36\nRUN false \\\n    && true\nUSER app\n")
    editor.go_to_line(2, "RUN failed")
    assert [s.cursor.blockNumber() for s in editor.editor.layer("goto")] == [1, 2]  # the whole instruction


def test_go_to_line_before_the_file_is_loaded_waits_for_it(qtbot, session, recovery, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = DockerfileEditor(session, path, recovery=recovery)
    editor.go_to_line(7, "EXPOSE failed")
    with qtbot.waitSignal(editor.opened):
        pass
    assert editor.editor.current_line() == 7 and "EXPOSE failed" in editor.message_bar.text
    qtbot.waitUntil(lambda: session.tasks.active == 0, timeout=10000)
    editor.deleteLater()


def test_build_saves_first_then_asks_for_the_build(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    with qtbot.waitSignal(editor.buildRequested) as unsaved_build:
        editor.build_action.trigger()  # nothing to save: at once
    assert unsaved_build.args == [path]
    type_text(qtbot, editor.editor, "# changed\n")
    button = editor.toolbar.widgetForAction(editor.build_action)
    with qtbot.waitSignals([editor.saved, editor.buildRequested], order="strict"):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert path.read_text(encoding="utf-8") == "# changed\n" + SAMPLE


# The whole-lines edit behind quick fixes, reloads and restores ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc", "a\nB\nc"),  # replace a middle line
        ("a\nb\nc", "a\nc"),  # delete a middle line
        ("a\nb\nc", "a\nb"),  # delete the last line
        ("a\nb\nc", "b\nc"),  # delete the first line
        ("a\nc", "a\nb\nc"),  # insert in the middle
        ("a\nb", "a\nb\nc"),  # append
        ("b\nc", "a\nb\nc"),  # prepend
        ("a\nb\n", "a\nb\n\n"),  # an extra trailing newline
        ("", "FROM x\n"),  # fill an empty document
        ("FROM x\n", ""),  # empty it
        ("a\n\n\nb", "a\n\nb"),  # blank lines
    ],
)
def test_replace_lines_is_exact_and_one_undo_step(qapp, old, new):
    document = QTextDocument()
    document.setPlainText(old)
    assert replace_lines(document, new) is (old != new)
    assert document.toPlainText() == new
    document.undo()
    assert document.toPlainText() == old


def test_replace_lines_random_edits(qapp):
    rng = random.Random(3)
    words = ["FROM a", "RUN b", "", "COPY . .", "é✓ 😀", "USER app"]
    for _ in range(300):
        old = "\n".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        new = "\n".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        document = QTextDocument()
        document.setPlainText(old)
        replace_lines(document, new)
        assert document.toPlainText() == new
        if old != new:
            document.undo()
            assert document.toPlainText() == old
