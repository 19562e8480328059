"""Push an image to its registry and watch its layers go, as `docker push` shows them in a terminal.

The dialog says where the image goes and who is signed in there before anything is sent; names a registry
would refuse (a Docker Hub name without a user) are caught before pushing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from gui.core.errors import EngineError
from gui.core.reference import parse
from gui.core.registry.addresses import display_name, registry_of
from gui.core.registry.push import PushProgress, open_push, push_problem
from gui.core.registry.tag_suggest import only_latest_warning
from gui.views.registry.transfer_dialog import TransferDialog
from gui.views.registry.transfer_run import TransferWords
from gui.views.registry.transfer_view import colour_as_error
from gui.views.widgets.feedback import message_label
from gui.workers.session import EngineSession
from gui.workers.tasks import TaskRunner

if TYPE_CHECKING:
    from gui.core.registry.credentials import Credentials, CredentialVault

ENDED_EARLY = (
    "The engine ended the push without confirming it. Check the registry, and push again if the image is not there."
)
WORDS = TransferWords(going="Pushing", failed="The push failed.", cancelled="Push cancelled.", ended_early=ENDED_EARLY)
CHECKING = "Checking…"


class PushDialog(TransferDialog, QDialog):
    # Not `finished`: that would hide QDialog.finished(int), which reports how the dialog closed.
    pushFinished = Signal(bool)  # True when the registry has the image
    signInRequested = Signal(str)  # the registry key: the user asked to sign in there

    def __init__(
        self,
        session: EngineSession,
        vault: CredentialVault,
        reference: str,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ):
        super().__init__(parent)
        self.session = session
        self.vault = vault
        self.reference = reference.strip()
        self._tasks = tasks or session.tasks
        self._problem = push_problem(self.reference)
        if self._problem is None:
            parsed = parse(self.reference)
            self._repository, self._tag = parsed.repository, parsed.tag_or_latest
        else:
            self._repository, self._tag = self.reference, "latest"
        self.registry = registry_of(self._repository)  # the key the vault and signInRequested use
        self._progress = PushProgress(self._repository, self._tag)

        self.setWindowTitle("Push an Image")
        self._build_widgets()
        self._lay_out()
        colour_as_error(self.error_label, self)
        self.transfer_run.ended.connect(self._on_ended)
        self.push_button.clicked.connect(self.start_push)
        self.sign_in_button.clicked.connect(lambda: self.signInRequested.emit(self.registry))

        self._show_error(self._problem or "")
        self._set_transferring(False)
        self.check_sign_in()

    # Building --------------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        # Selectable labels: to copy a name or the command.
        self.reference_label = message_label(self, "push-reference", self.reference)
        self.registry_label = message_label(self, "push-registry", display_name(self.registry))
        self.account_label = message_label(self, "push-account", CHECKING)
        self.sign_in_button = QPushButton("&Sign in…", self)
        self.sign_in_button.setObjectName("push-sign-in")
        self.sign_in_button.hide()
        self.warning_label = message_label(self, "push-warning", only_latest_warning(self._tag) or "")
        self.warning_label.setVisible(bool(self.warning_label.text()) and self._problem is None)
        self.error_label = message_label(self, "push-error")
        self.command_label = message_label(self, "push-command", f"docker push {self.reference}")
        self.command_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command_label.setToolTip("What you would type in a terminal to do the same.")

        self.push_button = self._build_transfer("push", "Push", WORDS)

    def _lay_out(self) -> None:
        account = QHBoxLayout()
        account.addWidget(self.account_label, stretch=1)
        account.addWidget(self.sign_in_button)
        form = QFormLayout()
        form.addRow("Image:", self.reference_label)
        form.addRow("Registry:", self.registry_label)
        form.addRow("Account:", account)
        form.addRow("Command:", self.command_label)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.transfer, stretch=1)
        layout.addWidget(self._buttons)

    def _set_transferring(self, pushing: bool) -> None:
        self.cancel_button.setEnabled(pushing)
        self.push_button.setEnabled(not pushing and self._problem is None)
        self.push_button.setDefault(not pushing and self._problem is None)

    # Who is signed in --------------------------------------------------------------------------------

    def check_sign_in(self) -> None:
        """Asks the vault (a keyring or credential helper may be slow) who is signed in to the registry.
        Call again after a sign-in elsewhere."""
        self.account_label.setText(CHECKING)
        vault, registry = self.vault, self.registry  # the pool thread reads these, never the widget
        self._tasks.submit(lambda: vault.get(registry), self._show_account, self._on_account_failed)

    def _show_account(self, credentials: Credentials | None) -> None:
        registry = display_name(self.registry)
        if credentials is None:
            self.account_label.setText(f"Not signed in to {registry}")
            self.account_label.setToolTip("Pushing needs a sign-in with write access to the repository.")
        else:
            self.account_label.setText(f"Signed in to {registry} as {credentials.username}")
            self.account_label.setToolTip("")
        self.sign_in_button.setVisible(credentials is None)

    def _on_account_failed(self, error: EngineError) -> None:
        self.account_label.setText(f"Could not read the sign-in for {display_name(self.registry)}: {error.message}")
        self.sign_in_button.show()

    # Pushing ---------------------------------------------------------------------------------------

    def start_push(self) -> None:
        if self.transfer_run.running or self._problem is not None:
            return
        engine = self._engine_or_say_so()
        if engine is None:
            return
        repository, tag, registry, vault = self._repository, self._tag, self.registry, self.vault
        # The sign-in is read in the stream's thread too: the vault may be slow.
        self._start_transfer(
            self.reference,
            PushProgress(repository, tag),
            lambda: open_push(engine, repository, tag, vault.auth_header(registry)),
            "push",
        )

    def _on_ended(self, succeeded: bool, error: str) -> None:
        self._show_ending(succeeded, error, f"Pushed {self.reference}. Digest: {self._progress.digest}")
        self.pushFinished.emit(succeeded)
