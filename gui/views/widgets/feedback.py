"""How views tell the user about errors and ask before destructive actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QMessageBox, QWidget

from gui.core.errors import EngineError, EngineGone
from gui.views.widgets.engine_command import for_engine


def message_label(parent: QWidget, name: str = "", text: str = "", style: str = "", hidden: bool = False) -> QLabel:
    """A label for a sentence to the user: wraps, can be selected (to copy a name or a command), found by name in tests.

    `style` is a style sheet such as style.error_label_style(); `hidden` for a message shown only when there is one
    (show_message)."""
    label = QLabel(text, parent)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    if hidden:
        label.hide()
    return label


def show_message(label: QLabel, text: str | None) -> None:
    """Shows the sentence, or hides the label when there is none."""
    label.setText(text or "")
    label.setVisible(bool(text))


def show_error(parent: QWidget, title: str, error: EngineError) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, parent)
    if error.detail and error.detail != error.message:
        box.setDetailedText(f"The engine said:\n{error.detail}")
    box.setObjectName("error-box")
    # "The engine stopped answering" is out of date once it answers again: the main window closes such boxes.
    box.setProperty("engine-gone", isinstance(error, EngineGone))
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
    box.setInformativeText(f"Equivalent command:\n{for_engine(command)}")
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
