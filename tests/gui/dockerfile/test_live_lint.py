"""Live lint on big files: Portside's own findings show as soon as typing pauses, whatever hadolint does;
hadolint runs in the background and an edit cancels it (its process is killed, its answer dropped)."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt

from gui.core.dockerfile import hadolint as hadolint_module
from gui.core.dockerfile import lint as lint_module
from gui.core.dockerfile.findings import Finding
from gui.views.dockerfile import lint_runner

SLOW = Finding(line=1, rule="DL9999", severity="warning", message="from the slow hadolint")


class SlowHadolint:
    """A fake hadolint that blocks until released or cancelled."""

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls = 0
        self.cancelled = 0

    def __call__(self, text, timeout=10, cwd=None, cancel=None):
        self.calls += 1
        self.started.set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.release.is_set():
            if cancel is not None and cancel.is_set():
                self.cancelled += 1
                return []
            time.sleep(0.01)
        return [SLOW]


def _patch(monkeypatch) -> SlowHadolint:
    slow = SlowHadolint()
    monkeypatch.setattr(lint_runner, "run_hadolint", slow)
    monkeypatch.setattr(lint_module, "run_hadolint", slow)  # the combined lint too, in case the editor uses it
    return slow


def test_own_findings_show_while_hadolint_is_still_running(make_editor, qtbot, monkeypatch):
    """Found: on a big file the own rules' findings waited behind hadolint (10 s after each edit)."""
    slow = _patch(monkeypatch)
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM python:latest")
    qtbot.waitUntil(lambda: any(f.rule == "PS004" for f in editor.findings_shown()), timeout=5000)
    assert not slow.release.is_set() and "still checking" in editor.findings_panel.summary_label.text()
    slow.release.set()
    qtbot.waitUntil(lambda: any(f.rule == "DL9999" for f in editor.findings_shown()), timeout=5000)
    assert any(f.rule == "PS004" for f in editor.findings_shown())  # merged, own findings kept
    assert "still checking" not in editor.findings_panel.summary_label.text()


def test_an_edit_cancels_the_running_hadolint(make_editor, qtbot, monkeypatch):
    slow = _patch(monkeypatch)
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM python:latest")
    qtbot.waitUntil(lambda: slow.calls >= 1 and slow.started.is_set(), timeout=5000)
    calls = slow.calls
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: slow.cancelled >= calls, timeout=5000)
    qtbot.waitUntil(lambda: slow.calls > calls, timeout=5000)  # the pause after the edit starts a new one
    slow.release.set()
    qtbot.waitUntil(lambda: any(f.rule == "DL9999" for f in editor.findings_shown()), timeout=5000)


def test_run_hadolint_kills_the_process_when_cancelled(tmp_path, monkeypatch):
    fake = tmp_path / "hadolint"
    fake.write_text(f"#!/bin/sh\necho $$ > {tmp_path / 'pid'}\nexec sleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(hadolint_module, "hadolint_path", lambda: str(fake))
    cancel = threading.Event()
    result: list = []
    worker = threading.Thread(target=lambda: result.append(hadolint_module.run_hadolint("FROM a\n", 20, None, cancel)))
    worker.start()
    deadline = time.monotonic() + 5
    while not (tmp_path / "pid").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    cancel.set()
    worker.join(5)
    assert not worker.is_alive() and result == [[]]
    pid = int((tmp_path / "pid").read_text())
    try:
        os.kill(pid, 0)
        alive = Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie is dead, just not reaped
    except (ProcessLookupError, FileNotFoundError):
        alive = False
    assert not alive


def test_hadolint_slower_than_a_tenth_of_a_second_still_answers(tmp_path, monkeypatch):
    """Found: with a cancel hook (as the editor always runs it), a hadolint that took longer than the first
    0.1 s wait failed with "Cannot send input after starting communication": the editor showed "Could not
    check the file" instead of hadolint's findings on any file hadolint needs a moment for."""
    fake = tmp_path / "hadolint"
    answer = '[{"line": 1, "code": "DL3006", "message": "Always tag the version of an image explicitly", '
    answer += '"column": 1, "file": "-", "level": "warning"}]'
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\nsleep 0.3\necho '{answer}'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(hadolint_module, "hadolint_path", lambda: str(fake))
    found = hadolint_module.run_hadolint("FROM busybox\n" * 2000, 20, None, threading.Event())
    assert [f.rule for f in found] == ["DL3006"]


def test_syntax_too_new_for_the_connected_engine_is_named_with_its_version(make_editor, session, qtbot, monkeypatch):
    """A heredoc is valid Dockerfile syntax, but an engine older than 23 cannot read it: the editor says which
    Docker reads it, from the connected engine's own version, instead of calling the file broken."""
    import dataclasses

    _patch(monkeypatch).release.set()
    session.start()
    qtbot.waitUntil(lambda: session.diagnosis is not None and session.diagnosis.usable, timeout=5000)
    old = dataclasses.replace(session.diagnosis.info, engine_version="20.10.24")
    session.diagnosis = dataclasses.replace(session.diagnosis, info=old)
    editor = make_editor()
    editor.editor.setPlainText("FROM busybox\nRUN <<EOF\necho hi\nEOF\n")
    qtbot.waitUntil(lambda: any(f.rule == "PS120" for f in editor.findings_shown()), timeout=5000)
    finding = next(f for f in editor.findings_shown() if f.rule == "PS120")
    assert "20.10" in finding.message and finding.severity != "error"
