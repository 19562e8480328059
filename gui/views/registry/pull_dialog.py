"""Pull an image by name and watch its layers arrive, as `docker pull` shows them in a terminal.
A search box above finds names on Docker Hub, as `docker search` does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.errors import EngineError
from gui.core.reference import parse, reference_problem
from gui.core.registry.addresses import registry_of
from gui.core.registry.pull import PullProgress, open_pull
from gui.views.registry.transfer_dialog import NOT_CONNECTED, TransferDialog
from gui.views.registry.transfer_run import TransferWords
from gui.views.registry.transfer_view import colour_as_error
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.space_warning import SpaceWarning
from gui.workers.session import EngineSession

if TYPE_CHECKING:
    from gui.core.registry.credentials import CredentialVault

logger = log.get("ui")

PLACEHOLDER = "e.g. busybox:1.36 or registry:5000/team/model:1.0"
SEARCH_PLACEHOLDER = "Search Docker Hub, e.g. python"
SEARCH_MIN_CHARS = 2
SEARCH_DELAY_MS = 300  # typing pauses this long before a search goes out
SEARCH_LIMIT = 25
SEARCH_FAILED = "Search is not available right now. You can still pull by typing the full name below."
NO_MATCHES = "No images on Docker Hub match that. Check the spelling, or type the full name below."
NAME_ROLE = Qt.ItemDataRole.UserRole
_CHOOSE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ENDED_EARLY = (
    "The engine ended the pull without confirming it. Check the Images list, and pull again if the image is missing."
)
WORDS = TransferWords(going="Pulling", failed="The pull failed.", cancelled="Pull cancelled.", ended_early=ENDED_EARLY)


class PullDialog(TransferDialog, QDialog):
    # Not `finished`: that would hide QDialog.finished(int), which reports how the dialog closed.
    pullFinished = Signal(bool)  # True when the image arrived

    def __init__(
        self,
        session: EngineSession,
        parent: QWidget | None = None,
        initial: str = "",
        vault: CredentialVault | None = None,
    ):
        super().__init__(parent)
        self.session = session
        self._vault = vault  # Portside's sign-ins; without one, the docker CLI's logins are used
        self._progress = PullProgress()
        self._pulling_text = ""
        self._search_serial = 0  # answers to searches typed over since are dropped
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self._search)

        self.setWindowTitle("Pull an Image")
        self._build_widgets()
        self._lay_out()
        colour_as_error(self.error_label, self)
        self.transfer_run.ended.connect(self._on_ended)
        self.reference_edit.textChanged.connect(self._on_reference_edited)
        self.search_edit.textChanged.connect(self._on_search_edited)
        self.search_results.itemClicked.connect(self._choose)
        self.search_results.itemActivated.connect(self._choose)
        self.search_edit.installEventFilter(self)
        self.search_results.installEventFilter(self)
        self.pull_button.clicked.connect(self.start_pull)

        self.reference_edit.setText(initial)
        self._on_reference_edited(initial)  # setText("") emits nothing
        self._set_transferring(False)
        self.space_warning.check(session)

    # Building --------------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setObjectName("pull-reference")
        self.reference_edit.setPlaceholderText(PLACEHOLDER)
        self.reference_edit.setClearButtonEnabled(True)

        self.error_label = message_label(self, "pull-error")
        self.command_label = message_label(self, "pull-command")  # selectable: to copy the command
        self.command_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command_label.setToolTip("What you would type in a terminal to do the same.")

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("pull-search")
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_results = QListWidget(self)
        self.search_results.setObjectName("pull-search-results")
        self.search_results.setWordWrap(True)
        self.search_results.setToolTip("Click a name, or press Enter on it, to put it in the Image field.")
        self.search_results.setMaximumHeight(self.fontMetrics().lineSpacing() * 10)  # about five results
        self.search_results.hide()
        self.search_status = message_label(self, "pull-search-status", hidden=True)

        self.pull_button = self._build_transfer("pull", "Pull", WORDS)
        self.space_warning = SpaceWarning("pull", self)

    def _lay_out(self) -> None:
        field = QVBoxLayout()
        field.addWidget(self.reference_edit)
        field.addWidget(self.error_label)  # right under the field it is about
        image_label = QLabel("&Image:", self)
        image_label.setBuddy(self.reference_edit)
        search = QVBoxLayout()
        search.addWidget(self.search_edit)
        search.addWidget(self.search_results)
        search.addWidget(self.search_status)
        search_label = QLabel("&Search:", self)
        search_label.setBuddy(self.search_edit)
        form = QFormLayout()
        form.addRow(search_label, search)
        form.addRow(image_label, field)
        form.addRow("Command:", self.command_label)
        form.addRow("", self.space_warning)
        QWidget.setTabOrder(self.search_edit, self.search_results)  # Tab reads top down: Search, then Image
        QWidget.setTabOrder(self.search_results, self.reference_edit)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.transfer, stretch=1)
        layout.addWidget(self._buttons)

    # The form --------------------------------------------------------------------------------------

    def _on_reference_edited(self, text: str) -> None:
        text = text.strip()
        # An empty field is not an error yet: the disabled Pull button says enough.
        problem = reference_problem(text) if text else ""
        self._show_error(problem)
        # Only a command the user could really type is shown.
        self.command_label.setText(for_engine(f"docker pull {text if text and not problem else 'NAME[:TAG]'}"))
        self.pull_button.setDefault(True)  # Enter pulls what was just typed
        self._update_pull_button()

    def _update_pull_button(self) -> None:
        text = self.reference_edit.text()
        ready = bool(text.strip()) and not reference_problem(text)
        self.pull_button.setEnabled(ready and not self.transfer_run.running)

    def _set_transferring(self, pulling: bool) -> None:
        self.reference_edit.setReadOnly(pulling)
        self.cancel_button.setEnabled(pulling)
        self._update_pull_button()

    # Searching -------------------------------------------------------------------------------------

    def _on_search_edited(self, text: str) -> None:
        self._search_serial += 1  # whatever is on its way answers an older question
        if len(text.strip()) < SEARCH_MIN_CHARS:
            self._search_timer.stop()
            self._show_search_results([])
            self._show_search_status("")
            return
        self._search_timer.start()  # restarts: one search once the typing pauses

    def _search(self) -> None:
        term = self.search_edit.text().strip()
        if len(term) < SEARCH_MIN_CHARS:
            return
        serial = self._search_serial
        started = self.session.run(
            lambda engine: engine.search(term, SEARCH_LIMIT),
            lambda results: self._on_search_results(serial, results),
            lambda error: self._on_search_failed(serial, error),
        )
        if not started:
            self._on_search_failed(serial, EngineError(NOT_CONNECTED))

    def _on_search_results(self, serial: int, results: list) -> None:
        if serial != self._search_serial:
            return
        self._show_search_results(results)
        self._show_search_status("" if results else NO_MATCHES)

    def _on_search_failed(self, serial: int, error: EngineError) -> None:
        if serial != self._search_serial:
            return
        self._show_search_results([])
        self._show_search_status(SEARCH_FAILED, tooltip=error.message)

    def _show_search_results(self, results: list) -> None:
        self.search_results.clear()
        for result in results:
            name = str(result.get("name") or "")
            if name:
                self.search_results.addItem(_result_item(name, result))
        self.search_results.setVisible(self.search_results.count() > 0)

    def _show_search_status(self, text: str, tooltip: str = "") -> None:
        show_message(self.search_status, text)
        self.search_status.setToolTip(tooltip)

    def _choose(self, item: QListWidgetItem) -> None:
        """A chosen result goes into the Image field, ready for a tag to be added or Enter to pull it."""
        if self.transfer_run.running:
            return
        self.reference_edit.setText(item.data(NAME_ROLE))
        self.reference_edit.setFocus()
        self.reference_edit.end(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in the search box goes to the results, and Enter on a result chooses it: neither pulls
        # (the Pull button is the dialog's default, which a plain Enter would press).
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_edit and (key in _CHOOSE_KEYS or key == Qt.Key.Key_Down):
                if self.search_results.count():
                    self.search_results.setFocus()
                    self.search_results.setCurrentRow(0)
                return key in _CHOOSE_KEYS  # Down with nothing listed does what it always does
            if watched is self.search_results and key in _CHOOSE_KEYS:
                item = self.search_results.currentItem()
                if item is not None:
                    self._choose(item)
                return True
        return super().eventFilter(watched, event)

    # Pulling ---------------------------------------------------------------------------------------

    def start_pull(self) -> None:
        text = self.reference_edit.text().strip()
        if self.transfer_run.running or not text or reference_problem(text):
            return
        engine = self._engine_or_say_so()
        if engine is None:
            return
        reference = parse(text)
        # A digest travels in the tag parameter, as in docker-py's pull().
        repository, tag = reference.repository, reference.digest or reference.tag_or_latest
        self._pulling_text = text
        vault = self._vault
        self._start_transfer(
            text,
            PullProgress(repository, tag),
            lambda: open_pull(engine, repository, tag, _auth_header(vault, repository)),
            "pull",
        )

    def _on_ended(self, succeeded: bool, error: str) -> None:
        self._show_ending(succeeded, error, f"Pulled {self._pulling_text}.")
        if succeeded:
            self.session.refresh()
        self.pullFinished.emit(succeeded)


def _result_item(name: str, result: dict) -> QListWidgetItem:
    """'python  (official, ★ 9,000)' over its description, as `docker search` lists it."""
    facts = ["official"] if result.get("is_official") else []
    stars = result.get("star_count")
    if isinstance(stars, int):
        facts.append(f"★ {stars:,}")
    title = f"{name}  ({', '.join(facts)})" if facts else name
    description = str(result.get("description") or "").strip()
    item = QListWidgetItem(f"{title}\n{description}" if description else title)
    item.setData(NAME_ROLE, name)
    item.setToolTip(description or name)
    return item


def _auth_header(vault: CredentialVault | None, repository: str) -> str | None:
    """Portside's sign-in for the repository's registry, if any. Runs in the pull's thread (a keyring may be
    slow). A store that cannot be read costs the sign-in, not the pull: public images still come."""
    if vault is None:
        return None
    try:
        return vault.auth_header(registry_of(repository))
    except Exception as exc:
        logger.warning("could not read the sign-in for %s: %s", registry_of(repository), exc)
        return None
