"""Give an image another name: `docker tag SOURCE REPOSITORY:TAG`, checked before any call.

With a signed-in account it suggests the name a push needs (USER/NAME:1.0) and can hand the new name
on to the push dialog. As the user types, it shows the full name that results and whether it is a local
name only or one that can be pushed to a registry the user is signed in to."""

from __future__ import annotations

from collections.abc import Sequence

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
from gui.core.registry.addresses import DOCKER_HUB, display_name, registry_of
from gui.core.registry.credentials import Account
from gui.core.registry.tag_suggest import only_latest_warning, reference_length_problem, suggest_reference
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import colour_style, error_label_style

LOCAL_ONLY = "This machine only"
_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def full_name(repository: str, tag: str) -> str:
    """The name as a registry sees it: docker.io/USER/NAME:TAG for Docker Hub, the name as typed for another
    registry, and NAME:TAG for a name without a user or registry part (it can only live on this computer)."""
    if registry_of(repository) != DOCKER_HUB:
        return f"{repository}:{tag}"
    path = next((repository[len(p) :] for p in _HUB_PREFIXES if repository.lower().startswith(p)), repository)
    return f"docker.io/{path}:{tag}" if "/" in path else f"{path}:{tag}"


def hub_namespace(repository: str) -> str | None:
    """The user (or organisation) part of a Docker Hub name, or None for a name without one."""
    path = next((repository[len(p) :] for p in _HUB_PREFIXES if repository.lower().startswith(p)), repository)
    return path.split("/", 1)[0] if "/" in path else None


class TagDialog(QDialog):
    def __init__(self, image: ImageRow, parent=None, accounts: Sequence[Account] = ()):
        super().__init__(parent)
        self.setWindowTitle(f"Tag {image.reference}")
        self.image = image
        self.accounts = list(accounts)
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
        self.hint_label = message_label(self, "hint", style=colour_style("warning"))
        # The full resulting name and where it can go: the part beginners mix up (local name or registry name).
        self.result_label = message_label(self, "result")
        self.result_label.setStyleSheet("font-weight: bold;")
        self.target_label = message_label(self, "push-target")
        self.command_label = message_label(self, "command")
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
        layout.addWidget(self.result_label)
        layout.addWidget(self.target_label)
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
        self.command_label.setText(f"Equivalent command:  {for_engine(self.action().command)}" if not problem else "")
        self._show_result(problem)
        warning = only_latest_warning(self.tag_edit.text()) if self.tag_edit.text().strip() else None
        show_message(self.hint_label, warning)

    def _show_result(self, problem: str | None) -> None:
        """ "Result: docker.io/alice/app:1.0 (Docker Hub)" and whether that name can be pushed, live as the user types."""
        if problem:
            show_message(self.result_label, None)
            show_message(self.target_label, None)
            return
        repository, tag = self.repository_edit.text().strip(), self.tag_edit.text().strip()
        name = full_name(repository, tag)
        registry = registry_of(repository)
        on_hub = registry == DOCKER_HUB
        local = on_hub and hub_namespace(repository) is None
        where = " (a local name)" if local else " (Docker Hub)" if on_hub else ""
        show_message(self.result_label, f"Result: {name}{where}")
        show_message(self.target_label, self._push_target(repository, registry, local))

    def _push_target(self, repository: str, registry: str, local: bool) -> str:
        """One sentence: local name only, or a name that a signed-in account can push (and as whom)."""
        if local:
            return (
                "A local name only: it stays on this computer. To push it to Docker Hub, put your user name in "
                "front (USER/NAME); for another registry, put its address in front (HOST:PORT/NAME)."
            )
        where = display_name(registry)
        signed_in = [account for account in self.accounts if account.registry == registry]
        if not signed_in:
            return (
                f"A name for {where}, but you are not signed in there: for now it is a local name. Sign in on "
                "the Registries page to push it (a registry that lets anyone push accepts it as it is)."
            )
        users = [account.username for account in signed_in]
        owner = hub_namespace(repository) if registry == DOCKER_HUB else None
        if owner is not None and owner not in users:
            return (
                f"You are signed in to Docker Hub as {users[0]}, but this name belongs to {owner}: Docker Hub "
                f"accepts the push only if {users[0]} may write to {owner}'s repositories. To push as yourself, "
                f"use {users[0]}/NAME."
            )
        return f"Can be pushed: you are signed in to {where} as {users[0] if owner is None else owner}."
