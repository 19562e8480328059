"""Drives the Dockerfile wizard the way a user does: type, click Next, Write. Shared by GUI and engine tests."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


def retype(qtbot, edit, text: str) -> None:
    """Select what is in the field and type over it."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)


def press_next(qtbot, wizard) -> None:
    button = wizard.button(NEXT)
    assert button.isEnabled(), f"Next is disabled on {wizard.currentPage().title()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def drive_wizard(qtbot, wizard, folder: Path, base_image: str | None = None, port: str | None = None) -> Path:
    """Folder, the suggested kind, an optional base image and port, defaults elsewhere; returns the Dockerfile.
    The caller owns the wizard (the main window deletes it when it closes)."""
    retype(qtbot, wizard.folder_page.folder_edit, str(folder))
    qtbot.waitUntil(lambda: wizard.folder_page.scan is not None, timeout=10_000)
    qtbot.waitUntil(wizard.button(NEXT).isEnabled, timeout=10_000)
    press_next(qtbot, wizard)  # -> kind (the suggested one is chosen)
    qtbot.waitUntil(wizard.button(NEXT).isEnabled, timeout=5_000)
    press_next(qtbot, wizard)  # -> base image
    if base_image:
        retype(qtbot, wizard.base_page.image_combo.lineEdit(), base_image)
    qtbot.waitUntil(wizard.button(NEXT).isEnabled, timeout=5_000)
    press_next(qtbot, wizard)  # -> dependencies
    press_next(qtbot, wizard)  # -> files and start
    if port is not None:
        retype(qtbot, wizard.files_page.port_edit, port)
    qtbot.waitUntil(wizard.button(NEXT).isEnabled, timeout=5_000)
    press_next(qtbot, wizard)  # -> good practice
    press_next(qtbot, wizard)  # -> review
    qtbot.waitUntil(wizard.review_page.isComplete, timeout=30_000)
    with qtbot.waitSignal(wizard.written, timeout=10_000) as written:
        qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    return Path(written.args[0])
