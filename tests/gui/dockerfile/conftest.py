"""Fixtures for the Dockerfile editor's tests: a recovery store, a project folder and editors opened the way
the app opens them."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

from gui.core.dockerfile.recovery import RecoveryStore
from gui.views.dockerfile.editor import DockerfileEditor


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
        if shiboken6.isValid(editor):
            editor.editor.document().setModified(False)  # no question on close at teardown
            editor.close()
            editor.deleteLater()
    qtbot.waitUntil(lambda: session.tasks.active == 0, timeout=15000)


@pytest.fixture
def make_wizard(qtbot, session):
    """make(folder=None) -> the Dockerfile wizard, shown; closed after the test, with no task left running."""
    from gui.views.dockerfile.wizard import DockerfileWizard

    made: list[DockerfileWizard] = []

    def make(folder: Path | None = None):
        wizard = DockerfileWizard(session, folder)
        qtbot.addWidget(wizard)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.close()
    assert session.tasks.wait_idle(10_000)  # no scan, lint or write left running
