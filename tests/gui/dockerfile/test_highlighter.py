"""The Dockerfile highlighter's colours, whatever edits made the text: the same as the text opened afresh.

It colours the lines an edit touched for a short budget and the rest in later turns (its speed is measured by
tests/bench/bench_big_dockerfile.py, not here)."""

from __future__ import annotations

import random

from PySide6.QtGui import QColor, QInputMethodEvent, QPalette, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from gui.views.dockerfile.highlighter import DockerfileHighlighter
from tests.bench.bench_lint import big_dockerfile
from tests.gui.dockerfile.editor_driver import formats_at

# Lines that change how the lines after them read: continuations, heredocs, comments, an escape directive.
PIECES = [
    "RUN <<EOF\n",
    "EOF\n",
    "RUN echo a \\\n",
    "    && b\n",
    "# comment\n",
    "FROM x AS y\n",
    "\n",
    "ENV A=\"$B\" '$C'\n",
    "COPY --from=a b c\n",
    "RUN <<-END cat\n",
    "\tEND\n",
    "# escape=`\n",
    "RUN x `\n",
    "  y\n",
]


def colours(document: QTextDocument) -> list[list[tuple[str, int, bool] | None]]:
    """Each line's colour, weight and slant, character by character."""
    lines = []
    block = document.firstBlock()
    while block.isValid():
        line: list[tuple[str, int, bool] | None] = [None] * len(block.text())
        for format_range in block.layout().formats():
            look = format_range.format
            for column in range(format_range.start, min(format_range.start + format_range.length, len(line))):
                line[column] = (look.foreground().color().name(), look.fontWeight(), look.fontItalic())
        lines.append(line)
        block = block.next()
    return lines


def opened_afresh(qtbot, text: str):
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    highlighter = DockerfileHighlighter(edit.document())
    edit.setPlainText(text)
    qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
    return colours(edit.document())


def open_editor(qtbot, text: str) -> tuple[QPlainTextEdit, DockerfileHighlighter]:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.resize(600, 400)
    edit.show()

    def visible_lines() -> tuple[int, int]:
        first = edit.firstVisibleBlock().blockNumber()
        return first, first + edit.viewport().height() // edit.fontMetrics().lineSpacing() + 1

    highlighter = DockerfileHighlighter(edit.document(), visible_lines=visible_lines)
    edit.setPlainText(text)
    return edit, highlighter


def test_after_any_edits_each_line_has_the_colours_of_the_same_text_opened_afresh(qtbot, qapp):
    """Pastes, cuts, undos and edit blocks holding changes far apart, some made while earlier lines still
    wait for their colours, on a file long enough that every edit outlasts the budget."""
    rng = random.Random(17)
    edit, highlighter = open_editor(qtbot, big_dockerfile(1500))
    document = edit.document()
    for step in range(40):
        cursor = QTextCursor(document)
        end = document.characterCount() - 1
        start = rng.randint(0, end)
        kind = rng.random()
        if kind < 0.4:
            cursor.setPosition(start)
            cursor.insertText("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))))
        elif kind < 0.6:
            cursor.setPosition(start)
            cursor.setPosition(min(end, start + rng.randint(0, 3000)), QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        elif kind < 0.8:  # one undo step, several changes
            cursor.beginEditBlock()
            for _ in range(3):
                cursor.setPosition(rng.randint(0, document.characterCount() - 1))
                cursor.insertText(rng.choice(PIECES))
            cursor.endEditBlock()
        else:
            edit.undo()
        if rng.random() < 0.5:
            edit.verticalScrollBar().setValue(rng.randint(0, edit.verticalScrollBar().maximum()))
        if rng.random() < 0.3:
            continue  # the next edit comes while lines still wait
        qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
        assert colours(document) == opened_afresh(qtbot, document.toPlainText()), f"after edit {step}"


def test_an_edit_block_with_changes_far_apart_colours_each_changed_line(qtbot, qapp):
    """One undo step may change line 3 and line 4,000: the line far away is no new line, yet it changed."""
    edit, highlighter = open_editor(qtbot, big_dockerfile(5000))
    document = edit.document()
    qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
    keyword = highlighter.format_for("keyword").foreground().color()
    comment = highlighter.format_for("comment").foreground().color()
    assert formats_at(document, 4002, 0)[-1].foreground().color() == keyword  # WORKDIR /app
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    cursor.setPosition(document.findBlockByNumber(2).position())
    cursor.insertText("# ")
    cursor.setPosition(document.findBlockByNumber(4001).position())
    cursor.insertText("# ")
    cursor.endEditBlock()
    qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
    assert formats_at(document, 3, 0)[-1].foreground().color() == comment
    assert formats_at(document, 4002, 0)[-1].foreground().color() == comment
    assert formats_at(document, 4002, 4)[-1].foreground().color() == comment  # no keyword left in it


def test_colours_land_on_the_right_characters_after_an_emoji(qtbot, qapp):
    """Found: Qt counts 🐳 as two characters and Python as one, so every colour after one on its line landed
    a character early: the closing quote was left plain and the = before $HOME was painted as the variable."""
    edit, highlighter = open_editor(qtbot, 'LABEL whale="🐳" home=$HOME\n')
    document = edit.document()
    string = highlighter.format_for("string").foreground().color()
    variable = highlighter.format_for("variable").foreground().color()

    def colour_at(column: int) -> QColor | None:  # columns as Qt counts them: 🐳 is 13 and 14
        found = formats_at(document, 1, column)
        return found[-1].foreground().color() if found else None

    assert colour_at(12) == colour_at(15) == string  # both quotes
    assert colour_at(21) != variable  # the =
    assert colour_at(22) == colour_at(26) == variable  # $ and the last E


def test_a_new_theme_recolours_every_line(qtbot, qapp):
    edit, highlighter = open_editor(qtbot, big_dockerfile(3000))
    document = edit.document()
    qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
    light = highlighter.format_for("keyword").foreground().color()
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    highlighter.set_palette(dark)
    keyword = highlighter.format_for("keyword").foreground().color()
    assert keyword != light
    qtbot.waitUntil(lambda: not highlighter.colouring, timeout=10000)
    assert formats_at(document, 1, 0)[-1].foreground().color() == keyword
    assert formats_at(document, 2991, 0)[-1].foreground().color() == keyword  # FROM, far down
    assert not document.isModified() and not document.isUndoAvailable()  # colours are no edit


def test_text_being_composed_by_an_input_method_keeps_its_underline(qtbot, qapp):
    """Typing with an input method (Chinese, Japanese...): the composed text is no edit yet, and colouring the
    line must not take away the underline that marks it."""
    edit, highlighter = open_editor(qtbot, "ENV A=1\n")
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    underline = QTextCharFormat()
    underline.setFontUnderline(True)
    attributes = [QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.TextFormat, 0, 2, underline)]
    event = QInputMethodEvent("ab", attributes)
    event.setCommitString("RUN x")  # an edit and new text being composed after it, in one event
    QApplication.sendEvent(edit, event)
    document = edit.document()
    assert document.findBlockByNumber(1).text() == "RUN x"
    assert formats_at(document, 2, 0)[-1].foreground().color() == highlighter.format_for("keyword").foreground().color()
    assert any(f.fontUnderline() for f in formats_at(document, 2, 5))  # "ab", composed after "RUN x"
