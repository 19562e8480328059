"""The editor's findings panel: live lint off the GUI thread, findings listed and marked in the text, and
one-click quick fixes that Undo takes back."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat

from gui.core.dockerfile.findings import Finding
from gui.views.dockerfile import editor as dockerfile_editor
from gui.views.dockerfile import findings_panel, lint_runner
from tests.gui.dockerfile.editor_driver import Keys, finding_items, shortcut, type_lines

# Live lint -------------------------------------------------------------------------------------------------


def test_typing_a_latest_base_yields_a_finding_on_line_1(make_editor, qtbot):
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM python:latest")
    qtbot.waitUntil(lambda: any(f.line == 1 and f.rule == "PS004" for f in editor.findings_shown()), timeout=8000)
    items = [item for item in finding_items(editor) if item.text(findings_panel.RULE_COLUMN) == "PS004"]
    assert items and items[0].text(findings_panel.LINE_COLUMN) == "1"
    assert "latest" in items[0].text(findings_panel.MESSAGE_COLUMN)
    assert items[0].text(findings_panel.WHY_COLUMN)
    # Underlined (wavy) at line 1, with a mark in the gutter and the sentence as a tool tip.
    underlines = [s for s in editor.editor.layer("lint") if s.cursor.blockNumber() == 0]
    assert underlines and underlines[0].format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert 1 in editor.editor.line_marks()
    assert "Problems:" in editor.findings_panel.summary_label.text()


def test_lint_runs_off_the_gui_thread_and_stale_results_are_ignored(make_editor, qtbot, monkeypatch):
    calls: list[tuple[str, bool]] = []
    release = threading.Event()

    def slow_lint(text, context_dir=None, engine_version=None):
        calls.append((text, threading.current_thread() is threading.main_thread()))
        if len(calls) == 1:
            release.wait(5)  # the user goes on typing while this first run is busy
        return [Finding(line=1, rule="TEST", severity="warning", message=f"linted {text!r}")]

    monkeypatch.setattr(lint_runner, "own_findings", slow_lint)
    monkeypatch.setattr(lint_runner, "run_hadolint", lambda *args, **kwargs: [])
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
    item = next(i for i in finding_items(editor) if i.text(findings_panel.RULE_COLUMN) == "PS007")
    editor.findings_panel.tree.setCurrentIndex(item.index)
    assert editor.findings_panel.fix_button.isEnabled() and "no-cache-dir" in editor.findings_panel.fix_label.text()
    before = editor.text()
    qtbot.mouseClick(editor.findings_panel.fix_button, Qt.MouseButton.LeftButton)
    assert editor.text() == "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3"
    shortcut(qtbot, editor.editor, Keys.Undo)  # the fix was one edit: one Undo takes it back
    assert editor.text() == before
    # The fix button waits for the lint of the current text before offering a fix again.
    assert not editor.findings_panel.fix_button.isEnabled()
    with qtbot.waitSignal(editor.findingsChanged, timeout=8000) as relinted:
        pass
    assert any(f.rule == "PS007" for f in relinted.args[0])


def test_double_click_on_a_finding_goes_to_its_line(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("FROM python:3.12-slim\nWORKDIR /app\n\nRUN pip install flask==3.0.3\n")
    qtbot.waitUntil(lambda: any(f.line == 4 for f in editor.findings_shown()), timeout=8000)
    item = next(i for i in finding_items(editor) if i.text(findings_panel.LINE_COLUMN) == "4")
    editor.editor.go_to_line(1)
    centre = editor.findings_panel.tree.visualRect(item.index).center()
    # A real double click is press, release, press, double-click, release; QTest's mouseDClick sends
    # only the second half, so the first click comes separately.
    qtbot.mouseClick(editor.findings_panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert editor.editor.current_line() == 1  # one click only selects
    qtbot.mouseDClick(editor.findings_panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert editor.editor.current_line() == 4 and editor.editor.hasFocus()
    editor.editor.go_to_line(1)
    editor.findings_panel.tree.setFocus()
    qtbot.keyClick(editor.findings_panel.tree, Qt.Key.Key_Return)  # Enter on the selected finding goes there too
    assert editor.editor.current_line() == 4


def test_context_menu_offers_the_fixes_of_the_line(make_editor, qtbot):
    editor = make_editor()
    editor.set_text("FROM python:3.12\n")
    qtbot.waitUntil(lambda: any(f.rule == "PS001" and f.fix for f in editor.findings_shown()), timeout=8000)
    (action,) = [a for a in editor.findings_panel.fix_actions(1) if "slim" in a.text()]
    action.trigger()
    assert editor.text() == "FROM python:3.12-slim\n"
    assert editor.findings_panel.fix_actions(1) == []  # stale until the next lint


def test_a_fix_that_removes_a_line(make_editor, qtbot):
    editor = make_editor()
    original = 'FROM python:3.12-slim\nENV API_KEY=abc\nCMD ["python"]\n'
    editor.set_text(original)
    qtbot.waitUntil(lambda: any(f.rule == "PS003" and f.fix for f in editor.findings_shown()), timeout=8000)
    item = next(i for i in finding_items(editor) if i.text(findings_panel.RULE_COLUMN) == "PS003")
    editor.findings_panel.tree.setCurrentIndex(item.index)
    qtbot.mouseClick(editor.findings_panel.fix_button, Qt.MouseButton.LeftButton)
    assert "API_KEY" not in editor.text() and editor.text().startswith("FROM python:3.12-slim\n")
    editor.editor.undo()
    assert editor.text() == original


def test_the_findings_model_keeps_qts_model_rules(make_editor, qtmodeltester):
    editor = make_editor()
    editor.findings_panel.show_findings(
        [
            Finding(line=2, rule="PS004", severity="warning", message="latest", why="moves"),
            Finding(line=0, rule="hadolint", severity="info", message="not installed"),
        ],
        current=True,
    )
    qtmodeltester.check(editor.findings_panel.model)
    assert editor.findings_panel.model.index(0, findings_panel.LINE_COLUMN).data() == "—"  # no line
