"""How views tell the user about errors and ask before destructive actions."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from gui.core.errors import EngineError


def show_error(parent: QWidget, title: str, error: EngineError) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, parent)
    if error.detail and error.detail != error.message:
        box.setDetailedText(f"The engine said:\n{error.detail}")
    box.setObjectName("error-box")
    box.open()


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    command: str,
    confirm_text: str,
    option: str | None = None,
    destructive: bool = True,
) -> tuple[bool, bool]:
    """Asks before doing something that cannot be undone. Returns (confirmed, option checked)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(f"Equivalent command:\n{command}")
    accept = box.addButton(
        confirm_text, QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    checkbox = None
    if option:
        checkbox = QCheckBox(option)
        box.setCheckBox(checkbox)
    box.exec()
    return box.clickedButton() is accept, bool(checkbox and checkbox.isChecked())
