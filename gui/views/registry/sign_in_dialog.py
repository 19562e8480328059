"""Sign in to a registry: `docker login REG -u USER --password-stdin`, checked by the registry before it is kept.

The password or token goes from the field to the worker and the vault only: it is never logged, never put in
the command preview or the Commands panel."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from gui.core.errors import EngineError, EngineGone
from gui.core.registry.addresses import DOCKER_HUB, display_name, normalise_registry, registry_problem
from gui.core.registry.credentials import CredentialVault
from gui.core.registry.sign_in import sign_in
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import error_label_style, set_secondary
from gui.workers.session import EngineSession

HUB_HELP = (
    "For Docker Hub, use a personal access token rather than your password (Account settings → "
    "Personal access tokens): you can limit what it may do and revoke it on its own."
)
OTHER_HELP = (
    "Use the user name and password or token your registry gave you. The registry checks them "
    "(through the Docker engine) before Portside keeps them."
)


def login_command(registry: str, username: str) -> str:
    """The command a terminal user would type; the secret comes from stdin, never the command line."""
    server = [] if registry == DOCKER_HUB else [registry]
    return shlex.join(["docker", "login", *server, "-u", username or "USER", "--password-stdin"])


class SignInDialog(QDialog):
    signedIn = Signal(object)  # Account

    def __init__(
        self,
        session: EngineSession,
        vault: CredentialVault,
        registry: str | None = None,
        known_registries: Iterable[str] = (),
        parent=None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Sign in to a registry")
        self.session = session
        self.vault = vault
        self.registry_combo = QComboBox(self)
        self.registry_combo.setObjectName("registry")
        self.registry_combo.setEditable(True)
        self.registry_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.registry_combo.lineEdit().setPlaceholderText("Docker Hub, or host:port of your own registry")
        self.registry_combo.setToolTip("Docker Hub, or the address of another registry, e.g. 127.0.0.1:5000")
        self.registry_combo.addItem(display_name(DOCKER_HUB))
        for known in sorted(set(known_registries) - {DOCKER_HUB}):
            self.registry_combo.addItem(display_name(known))
        self.registry_combo.setCurrentText(display_name(registry) if registry else display_name(DOCKER_HUB))
        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("username")
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setObjectName("secret")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText("access token (preferred) or password")
        self.help_label = message_label(self, "sign-in-help")
        set_secondary(self.help_label)
        # Wraps: a long registry address must not cut the command off.
        self.preview = message_label(self, "sign-in-command")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("sign-in-status")
        self.error_label = message_label(self, "sign-in-error", style=error_label_style(), hidden=True)

        form = QFormLayout()
        form.addRow("&Registry", self.registry_combo)
        form.addRow("&User name", self.username_edit)
        form.addRow("&Password or token", self.secret_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_in_button = self.buttons.addButton("&Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setObjectName("sign-in-button")
        self.sign_in_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help_label)
        layout.addWidget(self.preview)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

        self.registry_combo.currentTextChanged.connect(self._update_texts)
        self.username_edit.textChanged.connect(self._update_texts)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        self._update_texts()
        self.username_edit.setFocus()

    def registry(self) -> str:
        """The registry key for what is typed; "Docker Hub" (or nothing) means Docker Hub."""
        text = self.registry_combo.currentText().strip()
        if text in ("", display_name(DOCKER_HUB)):
            return DOCKER_HUB
        return text if registry_problem(text) else normalise_registry(text)  # half-typed: shown as typed

    def form_problem(self) -> str | None:
        text = self.registry_combo.currentText().strip()
        if text not in ("", display_name(DOCKER_HUB)):
            problem = registry_problem(text)
            if problem:
                return problem
        if not self.username_edit.text().strip():
            return "Enter your user name."
        if not self.secret_edit.text():
            return "Enter your password or access token."
        return None

    @property
    def running(self) -> bool:
        return not self.sign_in_button.isEnabled()

    def submit(self) -> None:
        if self.running:
            return
        problem = self.form_problem()
        if problem:
            self._show_error(problem)
            return
        registry, username, secret = self.registry(), self.username_edit.text().strip(), self.secret_edit.text()
        vault = self.vault
        self._set_running(True, f"Checking with {display_name(registry)}…")
        self.session.commandIssued.emit(login_command(registry, username), "sign in to the registry")
        started = self.session.run(
            lambda engine: sign_in(engine, vault, registry, username, secret), self._signed_in, self._failed
        )
        if not started:
            self._failed(
                EngineGone(
                    "Portside is not connected to the Docker engine, which checks the sign-in. "
                    "See the Engine page for what to do."
                )
            )

    def _signed_in(self, account) -> None:
        self._set_running(False, "")
        self.secret_edit.clear()
        self.signedIn.emit(account)
        self.accept()

    def _failed(self, error: EngineError) -> None:
        self._set_running(False, "")
        self._show_error(error.message, error.detail)
        # The user name stays; the refused secret goes, ready to be typed again.
        self.secret_edit.clear()
        self.secret_edit.setFocus()

    def _show_error(self, message: str, detail: str = "") -> None:
        show_message(self.error_label, message)
        self.error_label.setToolTip(f"The engine said:\n{detail}" if detail and detail != message else "")
        self._fit_height()

    def _fit_height(self) -> None:
        # Wrapped labels (help, error) need more height than a dialog recomputes by itself once shown.
        if not self.isVisible():
            return  # the first show sizes it
        needed = (
            self.layout().totalHeightForWidth(self.width())
            if self.layout().hasHeightForWidth()
            else self.sizeHint().height()
        )
        if needed > self.height():
            self.resize(self.width(), needed)

    def _set_running(self, running: bool, status: str) -> None:
        for widget in (self.sign_in_button, self.registry_combo, self.username_edit, self.secret_edit):
            widget.setEnabled(not running)
        self.status_label.setText(status)
        if running:
            self._show_error("")

    def _update_texts(self) -> None:
        registry = self.registry()
        help_text = HUB_HELP if registry == DOCKER_HUB else OTHER_HELP
        if help_text != self.help_label.text():
            self.help_label.setText(help_text)
            self._fit_height()
        self.preview.setText(f"Equivalent command:  {login_command(registry, self.username_edit.text().strip())}")
