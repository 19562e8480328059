"""Give an image another name: `docker tag SOURCE REPOSITORY:TAG`, checked before any call."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout)

from gui.core import actions
from gui.core.reference import name_problem, tag_problem
from gui.core.resources import ImageRow
from gui.views.style import error_label_style


class TagDialog(QDialog):
    def __init__(self, image: ImageRow, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Tag {image.reference}")
        self.image = image
        self.repository_edit = QLineEdit(self)
        self.repository_edit.setObjectName("repository")
        self.repository_edit.setPlaceholderText("e.g. yourname/my-ai-app")
        self.repository_edit.setText("" if image.dangling else image.repository)
        self.tag_edit = QLineEdit(self)
        self.tag_edit.setObjectName("tag")
        self.tag_edit.setPlaceholderText("e.g. 1.0")
        self.tag_edit.setText("1.0" if image.dangling or image.tag == "latest" else image.tag)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(error_label_style())
        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        self.command_label = QLabel(self)
        self.command_label.setObjectName("command")
        self.command_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Source", QLabel(f"{image.reference}  ({image.short_id})"))
        form.addRow("Repository", self.repository_edit)
        form.addRow("Tag", self.tag_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton("Tag", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.command_label)
        layout.addWidget(self.buttons)
        self.repository_edit.textChanged.connect(self._validate)
        self.tag_edit.textChanged.connect(self._validate)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self._validate()

    def problem(self) -> str | None:
        return name_problem(self.repository_edit.text().strip()) or tag_problem(self.tag_edit.text().strip())

    def action(self) -> actions.TagImage:
        return actions.TagImage(self.image.id if self.image.dangling else self.image.reference,
                                self.repository_edit.text().strip(), self.tag_edit.text().strip())

    def _validate(self) -> None:
        problem = self.problem()
        self.error_label.setText(problem or "")
        self.error_label.setVisible(bool(problem))
        self.ok_button.setEnabled(problem is None)
        self.command_label.setText(f"Equivalent command:  {self.action().command}" if not problem else "")
        latest = self.tag_edit.text().strip() == "latest"
        self.hint_label.setText("Tip: a version tag such as 1.0 lets you tell builds apart and roll back; "
                                "\"latest\" is just the default name, not the newest build." if latest else "")
        self.hint_label.setVisible(latest)
