"""What every page of the Dockerfile wizard shares: the base page and a field with its error under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

if TYPE_CHECKING:
    from gui.views.dockerfile.wizard import DockerfileWizard


def fixed_font():
    """The system monospace font, for code and commands."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


# The base page ---------------------------------------------------------------------------------------


class WizardPage(QWizardPage):
    """Shared bits: a back-reference to the wizard and the spec's problems."""

    def __init__(self, owner: DockerfileWizard, title: str, subtitle: str):
        super().__init__()
        self.owner = owner
        self.setTitle(title)
        self.setSubTitle(subtitle)

    def problems(self) -> dict[str, str]:
        return self.owner.spec().problems()

    def refresh(self) -> None:
        """Show the current messages and tell the wizard whether Next may be pressed."""
        self.completeChanged.emit()


def with_error(widget: QWidget, error: QLabel, *more: QWidget) -> QVBoxLayout:
    """A field with its error message right under it."""
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(widget)
    box.addWidget(error)
    for extra in more:
        box.addWidget(extra)
    return box
