"""The Dockerfile editor, driven as a user drives it: typing, shortcuts, buttons, files changing underneath."""

from __future__ import annotations

import os
import random
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.core.dockerfile.explain import explain_instruction
from gui.core.dockerfile.lint import Finding
from gui.core.dockerfile.parser import parse_dockerfile
from gui.core.dockerfile.recovery import RecoveryStore
from gui.views.dockerfile import editor as dockerfile_editor
from gui.views.dockerfile.editor import DockerfileEditor
from gui.views.widgets.code_editor import replace_lines

SAMPLE = """\
# A small web app, the seed's sample
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 80
CMD ["python", "app.py"]
"""

Keys = QKeySequence.StandardKey


@pytest.fixture
def recovery(tmp_path):
    return RecoveryStore(tmp_path / "recovery")


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".dockerignore").write_text(".git\n", encoding="utf-8")
    return folder


@pytest.fixture
def make_editor(qtbot, session, recovery):
    """Opens editors the way the app does and, at the end, lets their disk work and lint finish so no
    worker outlives the test."""
    editors = []

    def make(path=None, show=True):
        editor = DockerfileEditor(session, path, recovery=recovery)
        editors.append(editor)  # not qtbot.addWidget: its close at teardown would ask about unsaved text
        if show:
            editor.resize(1000, 700)
            editor.show()
            qtbot.waitExposed(editor)
            editor.activateWindow()  # shortcuts reach the active window only
            qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
            editor.editor.setFocus()
        qtbot.waitUntil(lambda: not editor.loading, timeout=5000)
        return editor

    yield make
    for editor in editors:
        if shiboken_valid(editor):
            editor.editor.document().setModified(False)  # no question on close at teardown
            editor.close()
            editor.deleteLater()
    qtbot.waitUntil(lambda: session.tasks.active == 0, timeout=15000)


def shiboken_valid(widget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def type_lines(qtbot, editor, *lines):
    for index, line in enumerate(lines):
        if index:
            qtbot.keyClick(editor.editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.editor, line)


def type_text(qtbot, widget, text):
    """Types `text`, pressing Return for each line break (keyClicks sends characters, not keys)."""
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        if line:
            qtbot.keyClicks(widget, line)


def shortcut(qtbot, widget, key):
    qtbot.keySequence(widget, QKeySequence(key))


def answer_message_box(qtbot, button_text: str, seen: list):
    """Clicks a button of the next modal message box, as the user would (it runs its own event loop)."""

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                return
        raise AssertionError(f"no {button_text!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(20, click)


def formats_at(document: QTextDocument, line: int, column: int) -> list[QTextCharFormat]:
    block = document.findBlockByNumber(line - 1)
    return [QTextCharFormat(r.format) for r in block.layout().formats() if r.start <= column < r.start + r.length]


def finding_items(editor):
    tree = editor.findings
    return [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]


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


# Live lint -------------------------------------------------------------------------------------------------


def test_typing_a_latest_base_yields_a_finding_on_line_1(make_editor, qtbot):
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM python:latest")
    qtbot.waitUntil(lambda: any(f.line == 1 and f.rule == "PS004" for f in editor.findings_shown()), timeout=8000)
    items = [item for item in finding_items(editor) if item.text(dockerfile_editor.RULE_COLUMN) == "PS004"]
    assert items and items[0].text(dockerfile_editor.LINE_COLUMN) == "1"
    assert "latest" in items[0].text(dockerfile_editor.MESSAGE_COLUMN)
    assert items[0].text(dockerfile_editor.WHY_COLUMN)
    # Underlined (wavy) at line 1, with a mark in the gutter and the sentence as a tool tip.
    underlines = [s for s in editor.editor.layer("lint") if s.cursor.blockNumber() == 0]
    assert underlines and underlines[0].format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert 1 in editor.editor.line_marks()
    assert "Problems:" in editor.findings_label.text()


def test_lint_runs_off_the_gui_thread_and_stale_results_are_ignored(make_editor, qtbot, monkeypatch):
    calls: list[tuple[str, bool]] = []
    release = threading.Event()

    def slow_lint(text, context_dir=None):
        calls.append((text, threading.current_thread() is threading.main_thread()))
        if len(calls) == 1:
            release.wait(5)  # the user goes on typing while this first run is busy
        return [Finding(line=1, rule="TEST", severity="warning", message=f"linted {text!r}")]

    monkeypatch.setattr(dockerfile_editor, "lint_dockerfile", slow_lint)
    editor = make_editor()
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)  # the empty new file
    shown: list[list[str]] = []
    editor.findingsChanged.connect(lambda findings: shown.append([f.message for f in findings]))
    qtbot.keyClicks(editor.editor, "FROM a")
    qtbot.wait(dockerfile_editor.LINT_DELAY_MS + 100)  # the debounce fires while the first run is busy
    release.set()
    qtbot.waitUntil(lambda: [f.message for f in editor.findings_shown()] == ["linted 'FROM a'"], timeout=5000)
    assert ["linted ''"] not in shown  # the result for the old text never reached the screen
    assert not any(on_gui_thread for _text, on_gui_thread in calls)
    assert len(calls) == 2  # one run per pause in typing, not one per key


def test_fix_button_applies_the_fix_and_undo_restores(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text("", encoding="utf-8")
    editor = make_editor(path)
    type_lines(qtbot, editor, "FROM python:3.12-slim", "RUN pip install flask==3.0.3")
    qtbot.waitUntil(lambda: any(f.rule == "PS007" for f in editor.findings_shown()), timeout=8000)
    item = next(i for i in finding_items(editor) if i.text(dockerfile_editor.RULE_COLUMN) == "PS007")
    editor.findings.setCurrentItem(item)
    assert editor.fix_button.isEnabled() and "no-cache-dir" in editor.fix_label.text()
    before = editor.text()
    qtbot.mouseClick(editor.fix_button, Qt.MouseButton.LeftButton)
    assert editor.text() == "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3"
    shortcut(qtbot, editor.editor, Keys.Undo)  # the fix was one edit: one Undo takes it back
    assert editor.text() == before
    # The fix button waits for the lint of the current text before offering a fix again.
    assert not editor.fix_button.isEnabled()
    with qtbot.waitSignal(editor.findingsChanged, timeout=8000) as relinted:
        pass
    assert any(f.rule == "PS007" for f in relinted.args[0])


def test_double_click_on_a_finding_goes_to_its_line(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("FROM python:3.12-slim\nWORKDIR /app\n\nRUN pip install flask==3.0.3\n")
    qtbot.waitUntil(lambda: any(f.line == 4 for f in editor.findings_shown()), timeout=8000)
    item = next(i for i in finding_items(editor) if i.text(dockerfile_editor.LINE_COLUMN) == "4")
    editor.editor.go_to_line(1)
    centre = editor.findings.visualItemRect(item).center()
    # A real double click is press, release, press, double-click, release; QTest's mouseDClick sends
    # only the second half, so the first click comes separately.
    qtbot.mouseClick(editor.findings.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert editor.editor.current_line() == 1  # one click only selects
    qtbot.mouseDClick(editor.findings.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert editor.editor.current_line() == 4 and editor.editor.hasFocus()
    editor.editor.go_to_line(1)
    editor.findings.setFocus()
    qtbot.keyClick(editor.findings, Qt.Key.Key_Return)  # Enter on the selected finding goes there too
    assert editor.editor.current_line() == 4


def test_context_menu_offers_the_fixes_of_the_line(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("FROM python:3.12\n")
    qtbot.waitUntil(lambda: any(f.rule == "PS001" and f.fix for f in editor.findings_shown()), timeout=8000)
    (action,) = [a for a in editor.fix_actions_at(1) if "slim" in a.text()]
    action.trigger()
    assert editor.text() == "FROM python:3.12-slim\n"
    assert editor.fix_actions_at(1) == []  # stale until the next lint


# Explanations -----------------------------------------------------------------------------------------


def test_side_panel_explains_the_instruction_under_the_cursor(make_editor, qtbot):
    editor = make_editor()
    editor.set_text(SAMPLE)
    editor.editor.go_to_line(5)
    run = parse_dockerfile(SAMPLE)[3]
    expected = explain_instruction(run).split("\n")[0][:40]
    qtbot.waitUntil(lambda: expected in editor.explanation_text.replace("\n", " "), timeout=2000)
    assert editor.explanation_text.startswith("RUN")
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


# No edit is ever lost ------------------------------------------------------------------------------------


def test_unsaved_text_survives_a_crash_and_restore_brings_it_back(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(dockerfile_editor, "AUTOSAVE_MS", 200)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.editor, "USER app")
    typed = editor.text()
    qtbot.waitUntil(lambda: recovery.load(path) == typed, timeout=5000)
    assert path.read_text(encoding="utf-8") == SAMPLE  # autosave never touches the file itself

    # The "crash": the widget goes away with no save and no question.
    with qtbot.waitSignal(editor.destroyed):
        editor.deleteLater()

    again = make_editor(path)
    assert again.text() == SAMPLE
    qtbot.waitUntil(again.recovery_bar.isVisible)
    assert "unsaved changes" in again.recovery_bar.text
    qtbot.mouseClick(again.restore_button, Qt.MouseButton.LeftButton)
    assert again.text() == typed and again.is_modified()
    assert not again.recovery_bar.isVisible()
    shortcut(qtbot, again.editor, Keys.Undo)  # restoring was one edit: the file's text is one Undo away
    assert again.text() == SAMPLE
    qtbot.keySequence(again.editor, QKeySequence("Ctrl+Shift+Z"))
    assert again.text() == typed

    with qtbot.waitSignal(again.saved):
        shortcut(qtbot, again.editor, Keys.Save)
    assert path.read_text(encoding="utf-8") == typed
    qtbot.waitUntil(lambda: again.disk_idle)
    assert recovery.load(path) is None  # saving discards the recovery copy


def test_discard_drops_the_recovery_copy(make_editor, qtbot, project, recovery):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    recovery.save(path, SAMPLE + "USER app\n")
    editor = make_editor(path)
    qtbot.waitUntil(editor.recovery_bar.isVisible)
    qtbot.mouseClick(editor.discard_button, Qt.MouseButton.LeftButton)
    assert editor.text() == SAMPLE and not editor.is_modified()
    qtbot.waitUntil(lambda: editor.disk_idle)
    assert recovery.load(path) is None


def test_a_recovery_copy_equal_to_the_file_is_not_offered(make_editor, qtbot, project, recovery):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    recovery.save(path, SAMPLE)
    editor = make_editor(path)
    qtbot.waitUntil(lambda: editor.disk_idle)
    assert not editor.recovery_bar.isVisible()
    assert recovery.load(path) is None


def test_undoing_back_to_the_saved_text_drops_the_recovery_copy(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(dockerfile_editor, "AUTOSAVE_MS", 100)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# note ")
    qtbot.waitUntil(lambda: recovery.load(path) is not None, timeout=5000)
    shortcut(qtbot, editor.editor, Keys.Undo)
    assert not editor.is_modified()
    qtbot.waitUntil(lambda: recovery.load(path) is None and editor.disk_idle, timeout=5000)


def test_close_asks_save_discard_or_cancel(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(dockerfile_editor, "AUTOSAVE_MS", 100)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    assert editor.maybe_close.__self__ is editor
    type_text(qtbot, editor.editor, "# more\n")
    seen: list[str] = []

    answer_message_box(qtbot, "Cancel", seen)
    assert editor.maybe_close() is False
    assert "Save the changes to Dockerfile" in seen[0]
    assert editor.is_modified()

    answer_message_box(qtbot, "Save", seen)
    with qtbot.waitSignal(editor.saved):
        assert editor.maybe_close() is True
    assert path.read_text(encoding="utf-8") == "# more\n" + SAMPLE


def test_close_discard_keeps_the_file_and_drops_the_copy(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(dockerfile_editor, "AUTOSAVE_MS", 100)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# more\n")
    qtbot.waitUntil(lambda: recovery.load(path) is not None, timeout=5000)
    seen: list[str] = []
    answer_message_box(qtbot, "Discard", seen)
    editor.close()  # the window's close button asks too
    assert seen and not editor.isVisible()
    qtbot.waitUntil(lambda: editor.disk_idle)
    assert recovery.load(path) is None
    assert path.read_text(encoding="utf-8") == SAMPLE


def test_close_without_changes_asks_nothing(make_editor, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    assert editor.maybe_close() is True


# Saving -------------------------------------------------------------------------------------------------


def test_save_is_atomic_and_leaves_no_temp_files(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# edited\n")
    assert editor.is_modified() and editor.isWindowModified()
    with qtbot.waitSignal(editor.saved) as signal:
        shortcut(qtbot, editor.editor, Keys.Save)
    assert signal.args == [path]
    assert path.read_text(encoding="utf-8") == "# edited\n" + SAMPLE
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not a rewrite in place
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.iterdir()) == [".dockerignore", "Dockerfile"]
    assert not editor.is_modified() and not editor.isWindowModified()


def test_a_save_asked_for_just_before_quitting_is_written(make_editor, qtbot, project, session):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# one ")
    editor.save()
    qtbot.keyClicks(editor.editor, "# two ")
    editor.save()  # queued behind the first
    # The app quits: the session waits for its workers, and no event loop runs any more.
    assert session.tasks.wait_idle(10_000)
    assert path.read_text(encoding="utf-8") == "# one # two " + SAMPLE


def test_crlf_files_keep_their_line_endings(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_bytes(b"FROM busybox:1.36\r\nRUN true\r\n")
    editor = make_editor(path)
    assert editor.text() == "FROM busybox:1.36\nRUN true\n"
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.editor, "USER nobody")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_bytes() == b"FROM busybox:1.36\r\nRUN true\r\nUSER nobody"


def test_save_as_and_a_new_file(make_editor, qtbot, project):
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM busybox:1.36")
    target = project / "sub" / "Dockerfile"
    target.parent.mkdir()
    with qtbot.waitSignal(editor.saved):
        assert editor.save_as(target)
    assert target.read_text(encoding="utf-8") == "FROM busybox:1.36"
    assert editor.path == target and not editor.is_modified()


def test_a_failed_save_says_why_and_keeps_the_text(make_editor, qtbot, tmp_path, recovery):
    missing = tmp_path / "gone" / "Dockerfile"
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM busybox:1.36")
    with qtbot.waitSignal(editor.saveFailed) as signal:
        editor.save_as(missing)
    assert "Could not save Dockerfile" in signal.args[0]
    assert editor.message_bar.isVisible() and editor.is_modified()
    assert recovery.load(missing) == "FROM busybox:1.36"  # kept for later, even though the write failed


def test_opening_a_non_utf8_file_refuses_to_edit_it(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_bytes(b"FROM busybox\n# caf\xe9\n")
    editor = make_editor(path)
    assert editor.message_bar.isVisible() and "not UTF-8" in editor.message_bar.text
    assert editor.path is None  # saving cannot overwrite it by accident


# Changes on disk ----------------------------------------------------------------------------------------


def test_external_change_reloads_silently_without_unsaved_edits(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    path.write_text(SAMPLE + "USER app\n", encoding="utf-8")  # another editor writes in place
    qtbot.waitUntil(lambda: editor.text() == SAMPLE + "USER app\n", timeout=5000)
    assert not editor.is_modified() and not editor.external_bar.isVisible()

    # A tool that replaces the file by renaming another over it (as Portside itself does) is seen too.
    replacement = project / "new"
    replacement.write_text("FROM busybox:1.36\n", encoding="utf-8")
    os.replace(replacement, path)
    qtbot.waitUntil(lambda: editor.text() == "FROM busybox:1.36\n", timeout=5000)

    # After our own save the watcher is re-armed: later changes still arrive, our save does not count.
    type_text(qtbot, editor.editor, "# mine\n")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    qtbot.wait(dockerfile_editor.DISK_CHECK_MS * 3)
    assert not editor.external_bar.isVisible()
    path.write_text("FROM busybox:1.37\n", encoding="utf-8")
    qtbot.waitUntil(lambda: editor.text() == "FROM busybox:1.37\n", timeout=5000)


def test_external_change_with_unsaved_edits_offers_reload(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# mine\n")
    mine = editor.text()
    path.write_text("FROM busybox:1.36\n", encoding="utf-8")
    qtbot.waitUntil(editor.external_bar.isVisible, timeout=5000)
    assert editor.text() == mine  # nothing replaced without asking
    assert "changed on disk" in editor.external_bar.text
    qtbot.mouseClick(editor.reload_button, Qt.MouseButton.LeftButton)
    assert editor.text() == "FROM busybox:1.36\n" and not editor.is_modified()
    shortcut(qtbot, editor.editor, Keys.Undo)  # the user's version is one Undo away
    assert editor.text() == mine


def test_keep_my_version_then_save_replaces_the_file(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# mine\n")
    path.write_text("FROM busybox:1.36\n", encoding="utf-8")
    qtbot.waitUntil(editor.external_bar.isVisible, timeout=5000)
    qtbot.mouseClick(editor.keep_button, Qt.MouseButton.LeftButton)
    assert not editor.external_bar.isVisible() and editor.is_modified()
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_text(encoding="utf-8") == "# mine\n" + SAMPLE


def test_a_deleted_file_is_reported_and_can_be_saved_again(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    path.unlink()
    qtbot.waitUntil(editor.external_bar.isVisible, timeout=5000)
    assert "deleted" in editor.external_bar.text and editor.is_modified()
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(editor.resave_button, Qt.MouseButton.LeftButton)
    assert path.read_text(encoding="utf-8") == SAMPLE
    assert not editor.external_bar.isVisible()


# Build failures and builds -----------------------------------------------------------------------------


def test_go_to_line_marks_the_line_and_shows_the_message(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path, show=False)
    editor.go_to_line(5, "The command `pip install` failed with exit code 1.")
    editor.show()
    assert editor.editor.current_line() == 5
    assert editor.editor.textCursor().selectedText().startswith("RUN pip install")
    assert editor.message_bar.isVisible()
    assert editor.message_bar.text == "Line 5: The command `pip install` failed with exit code 1."
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


def test_a_fix_that_removes_a_line(make_editor, qtbot):
    editor = make_editor()
    original = 'FROM python:3.12-slim\nENV API_KEY=abc\nCMD ["python"]\n'
    editor.set_text(original)
    qtbot.waitUntil(lambda: any(f.rule == "PS003" and f.fix for f in editor.findings_shown()), timeout=8000)
    item = next(i for i in finding_items(editor) if i.text(dockerfile_editor.RULE_COLUMN) == "PS003")
    editor.findings.setCurrentItem(item)
    qtbot.mouseClick(editor.fix_button, Qt.MouseButton.LeftButton)
    assert "API_KEY" not in editor.text() and editor.text().startswith("FROM python:3.12-slim\n")
    editor.editor.undo()
    assert editor.text() == original
