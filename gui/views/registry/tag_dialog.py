"""Give an image another name: `docker tag SOURCE REPOSITORY:TAG`, checked before any call.

With a signed-in account it suggests the name a push needs (USER/NAME:1.0) and can hand the new name
on to the push dialog."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from gui.core.engine import actions
from gui.core.engine.rows import ImageRow
from gui.core.reference import name_problem, tag_problem
from gui.core.registry.addresses import DOCKER_HUB, registry_of
from gui.core.registry.credentials import Account
from gui.core.registry.tag_suggest import only_latest_warning, reference_length_problem, suggest_reference
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import WARNING_COLOUR, error_label_style

LOCAL_ONLY = "This machine only"


class TagDialog(QDialog):
    def __init__(self, image: ImageRow, parent=None, accounts: Sequence[Account] = ()):
        super().__init__(parent)
        self.setWindowTitle(f"Tag {image.reference}")
        self.image = image
        self.destination_combo = QComboBox(self)
        self.destination_combo.setObjectName("destination")
        self.destination_combo.setToolTip(
            "Who the new name is for: an account you signed in with (Registries "
            "page) puts your user name and registry in front, so you can push it"
        )
        for account in accounts:
            self.destination_combo.addItem(f"{account.display_registry} as {account.username}", account)
        self.destination_combo.addItem(LOCAL_ONLY, None)
        self.repository_edit = QLineEdit(self)
        self.repository_edit.setObjectName("repository")
        self.repository_edit.setPlaceholderText("e.g. yourname/my-ai-app")
        self.tag_edit = QLineEdit(self)
        self.tag_edit.setObjectName("tag")
        self.tag_edit.setPlaceholderText("e.g. 1.0")
        self.error_label = message_label(self, "error", style=error_label_style())
        self.hint_label = message_label(self, "hint", style=f"color: {WARNING_COLOUR};")
        self.command_label = QLabel(self)
        self.command_label.setObjectName("command")
        self.command_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.push_after_box = QCheckBox("&Push after tagging", self)
        self.push_after_box.setObjectName("push-after")
        self.push_after_box.setToolTip("Then open the push dialog for the new name (docker push)")

        form = QFormLayout()
        form.addRow("Source", QLabel(f"{image.reference}  ({image.short_id})"))
        form.addRow("&Destination", self.destination_combo)
        form.addRow("&Repository", self.repository_edit)
        form.addRow("T&ag", self.tag_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton("Tag", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.command_label)
        layout.addWidget(self.push_after_box)
        layout.addWidget(self.buttons)

        self._suggest()
        self.destination_combo.currentIndexChanged.connect(self._suggest)
        self.repository_edit.textChanged.connect(self._validate)
        self.tag_edit.textChanged.connect(self._validate)
        self.push_after_box.toggled.connect(self._validate)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self._validate()

    @property
    def account(self) -> Account | None:
        return self.destination_combo.currentData()

    @property
    def reference(self) -> str:
        return f"{self.repository_edit.text().strip()}:{self.tag_edit.text().strip()}"

    def push_after(self) -> bool:
        return self.push_after_box.isEnabled() and self.push_after_box.isChecked()

    def _suggest(self) -> None:
        """Fill in the name for the chosen destination, keeping the name part the user typed so far."""
        account = self.account
        typed = self.repository_edit.text().strip()
        source = typed or ("" if self.image.dangling else self.image.repository)
        repository, tag = suggest_reference(
            source,
            self.tag_edit.text().strip() or self.image.tag,
            account.username if account else None,
            account.registry if account else None,
        )
        self.repository_edit.setText(repository)
        self.tag_edit.setText(tag)
        # Pushing needs somewhere to push to: offered only for an account.
        self.push_after_box.setEnabled(account is not None)
        self.push_after_box.setChecked(account is not None and self.push_after_box.isChecked())

    def problem(self) -> str | None:
        repository, tag = self.repository_edit.text().strip(), self.tag_edit.text().strip()
        # Length first: its message names the registry part, which name_problem's does not.
        problem = (
            (name_problem("") if not repository else reference_length_problem(repository, tag))
            or name_problem(repository)
            or tag_problem(tag)
        )
        if problem is None and self.push_after() and registry_of(repository) == DOCKER_HUB and "/" not in repository:
            problem = "To push to Docker Hub the name needs your user name in front: USER/NAME."
        return problem

    def action(self) -> actions.TagImage:
        return actions.TagImage(
            self.image.id if self.image.dangling else self.image.reference,
            self.repository_edit.text().strip(),
            self.tag_edit.text().strip(),
        )

    def _validate(self) -> None:
        problem = self.problem()
        show_message(self.error_label, problem)
        self.ok_button.setEnabled(problem is None)
        self.ok_button.setText("Tag and Push…" if self.push_after() else "Tag")
        self.command_label.setText(f"Equivalent command:  {self.action().command}" if not problem else "")
        warning = only_latest_warning(self.tag_edit.text()) if self.tag_edit.text().strip() else None
        show_message(self.hint_label, warning)
