"""Registries: who Portside is signed in as, where each sign-in is kept, sign in and sign out.

Docker Hub is always listed first, signed in or not: it is where `docker push USER/NAME` goes. Every vault call
blocks (credential helpers, the system keyring over D-Bus): all of them run on the task pool."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from gui.core.errors import EngineError
from gui.core.registry.addresses import DOCKER_HUB, display_name
from gui.core.registry.credentials import Account, CredentialVault, StoreKind, logout_command
from gui.core.registry.sign_in import sign_out
from gui.models.table import Column, RowTableModel
from gui.views.registry.sign_in_dialog import SignInDialog
from gui.views.widgets import feedback
from gui.views.widgets.list_page import ListPage
from gui.views.widgets.style import colour_style, secondary_colour
from gui.workers.session import EngineSession
from gui.workers.tasks import TaskRunner

EMPTY_TEXT = (
    "Not signed in anywhere.\nSign in to push images to Docker Hub or your own registry, or to pull private ones."
)
NOT_SIGNED_IN = "Not signed in"
HUB_INVITATION = (
    "Sign in to push your images to Docker Hub as USER/NAME:TAG (double-click, or Sign in…). "
    "Public images pull without it."
)


@dataclass(frozen=True)
class RegistryRow:
    """A line of the page: a registry, and the account signed in there (None: Docker Hub, not signed in)."""

    registry: str
    account: Account | None

    @property
    def display_registry(self) -> str:
        return display_name(self.registry)


def registry_rows(accounts: list[Account]) -> list[RegistryRow]:
    rows = [RegistryRow(account.registry, account) for account in accounts]
    if not any(account.registry == DOCKER_HUB for account in accounts):
        rows.append(RegistryRow(DOCKER_HUB, None))
    return rows


ROW_COLUMNS = [
    # Docker Hub first, then the others by address.
    Column(
        "Registry",
        lambda row: row.display_registry,
        tooltip=lambda row: row.registry,
        sort_key=lambda row: (row.registry != DOCKER_HUB, row.display_registry),
    ),
    Column(
        "User",
        lambda row: row.account.username if row.account else NOT_SIGNED_IN,
        colour=lambda row: None if row.account else QColor(secondary_colour()),
    ),
    Column(
        "Kept",
        lambda row: row.account.where if row.account else HUB_INVITATION,
        tooltip=lambda row: row.account.where if row.account else HUB_INVITATION,
        colour=lambda row: None if row.account else QColor(secondary_colour()),
    ),
]


class RegistriesPage(ListPage):
    accountsChanged = Signal(list)  # list[Account], after every reload

    def __init__(self, session: EngineSession, vault: CredentialVault, parent=None, tasks: TaskRunner | None = None):
        super().__init__("registries", RowTableModel(ROW_COLUMNS, key=lambda row: row.registry), EMPTY_TEXT, parent)
        self.session = session
        self.vault = vault
        self.tasks = tasks or session.tasks
        self.model.setParent(self)
        self.filter_edit.hide()  # a handful of accounts: nothing to filter
        self.sign_in_action = self.add_action(
            "Sign in…",
            lambda: self.open_sign_in(),
            needs_selection=False,
            tip="Sign in to Docker Hub or another registry (docker login)",
        )
        self.sign_out_action = self.add_action("Sign out", self.sign_out_selected)
        self.add_separator()
        self.refresh_action = self.add_action(
            "Refresh",
            self.refresh,
            needs_selection=False,
            in_menu=False,
            tip="Read the sign-ins again (also the docker CLI's)",
        )
        # Where a new sign-in would be kept: people should know before they type a password.
        self.storage_label = feedback.message_label(self, "registries-storage")
        self.layout().insertWidget(1, self.storage_label)
        self.set_column_widths([24, 20, 80])
        self.table.doubleClicked.connect(lambda _index: self.open_sign_in(self._selected_registry()))
        self.selectionChanged.connect(self._update_actions)
        self.accounts: list[Account] = []
        self._storage_shown = False  # see _read_storage
        self._update_actions()
        self.refresh()

    # Reading -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        vault = self.vault
        self.tasks.submit(
            vault.accounts, self._show_accounts, lambda error: self._read_failed("Could not read the sign-ins", error)
        )
        if self._storage_shown:
            self._read_storage()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._storage_shown:
            self._storage_shown = True
            self._read_storage()

    def _read_storage(self) -> None:
        """Where a new sign-in would go, asked once the page is seen: the answer loads the system keyring, 11 MiB
        of modules (keyring, D-Bus, cryptography) that no other page needs (issue 23's memory goal)."""
        self.tasks.submit(
            lambda: self.vault.storage_for(DOCKER_HUB),
            self._show_storage,
            lambda error: self.storage_label.setText(f"Could not tell where sign-ins are kept: {error.message}"),
        )

    def _show_accounts(self, accounts: list[Account]) -> None:
        self.accounts = list(accounts)
        self.model.set_rows(registry_rows(self.accounts))
        self._update_actions()
        self.accountsChanged.emit(self.accounts)

    def _show_storage(self, storage: tuple[StoreKind, str]) -> None:
        kind, sentence = storage
        self.storage_label.setText(f"New sign-ins: {sentence}")
        # Session-only means signing in again after every start: worth a colour.
        self.storage_label.setStyleSheet(colour_style("warning") if kind == StoreKind.SESSION else "")

    def _read_failed(self, title: str, error: EngineError) -> None:
        feedback.show_error(self, title, error)

    # Signing in and out --------------------------------------------------------------------------

    def open_sign_in(self, registry: str | None = None, parent=None) -> SignInDialog:
        """The sign-in dialog, over `parent` (a push dialog asking) or the main window."""
        dialog = SignInDialog(
            self.session,
            self.vault,
            registry,
            known_registries=[account.registry for account in self.accounts],
            parent=parent or self.window(),
        )
        dialog.signedIn.connect(self._signed_in)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _signed_in(self, account: Account) -> None:
        self.message.emit(f"Signed in to {account.display_registry} as {account.username}.")
        self.refresh()

    def _selected_registry(self) -> str | None:
        rows = self.selected_rows()
        return rows[0].registry if len(rows) == 1 else None

    def _selected_account(self) -> Account | None:
        rows = self.selected_rows()
        return rows[0].account if len(rows) == 1 else None

    def sign_out_selected(self) -> None:
        account = self._selected_account()
        if account is None:
            return
        if account.kind != StoreKind.DOCKER_CLI:
            command = logout_command(account.registry)
            confirmed, _ = feedback.confirm(
                self,
                "Sign out",
                f"Sign out of {account.display_registry} as {account.username}?\n"
                "Pushing there (and pulling private images) needs a sign-in again.",
                command,
                "Sign out",
                destructive=False,
            )
            if not confirmed:
                return
            self.session.commandIssued.emit(command, "sign out of the registry")
        # A docker CLI login lives in config.json, which Portside never edits: the vault says what to run.
        vault = self.vault
        self.tasks.submit(
            lambda: sign_out(vault, account.registry),
            lambda _none: self._signed_out(account),
            lambda error: feedback.show_error(self, f"Could not sign out of {display_name(account.registry)}", error),
        )

    def _signed_out(self, account: Account) -> None:
        self.message.emit(f"Signed out of {account.display_registry}.")
        self.refresh()

    def _update_actions(self) -> None:
        account = self._selected_account()
        self.sign_out_action.setEnabled(account is not None)
        if account is not None:
            self.sign_out_action.setToolTip(f"Sign out\n{logout_command(account.registry)}")
        else:
            self.sign_out_action.setToolTip("Sign out")
