"""A page for a list the engine keeps that the session's snapshot does not carry (volumes, networks).

The list is read off the GUI thread when the page is shown, on Refresh, after each action, when the engine comes
back, and after its own events (a burst reads it once, REREAD_DELAY_MS after the last); one read at a time, one
more queued while it runs. A result line above the table says what the last action did or why a read failed.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from gui.core.errors import EngineError
from gui.models.table import RowTableModel
from gui.views.widgets import feedback
from gui.views.widgets.list_page import ListPage
from gui.workers.session import EngineSession

REREAD_DELAY_MS = 300  # a burst of events (docker compose up or down) reads the list once


class EngineListPage(ListPage):
    event_type = ""  # the engine's event Type that changes the list: "volume"
    container_actions: frozenset[str] = frozenset()  # the container events that change it too
    noun = ""  # what the page lists, in its sentences: "volumes"

    def __init__(self, name: str, model: RowTableModel, empty_text: str, session: EngineSession, parent=None):
        super().__init__(name, model, empty_text, parent)
        self.session = session
        self.model.setParent(self)
        self.result_label = feedback.message_label(self, f"{name}-result", hidden=True)
        self.layout().insertWidget(1, self.result_label)
        self._reading = False
        self._read_again = False
        self._reread = QTimer(self, singleShot=True, interval=REREAD_DELAY_MS, timeout=self.refresh)
        session.eventReceived.connect(self._on_event)
        session.diagnosisChanged.connect(self._on_diagnosis)
        self.selectionChanged.connect(self._update_actions)

    def read(self, engine) -> list:
        """The rows, read from the engine (called in a worker)."""
        raise NotImplementedError

    def _update_actions(self) -> None:
        """Enables the page's actions for the selection and the connection."""

    # Reading -----------------------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_diagnosis(self, _diagnosis) -> None:
        self._update_actions()
        if self.isVisible():
            self.refresh()

    def _on_event(self, event: dict) -> None:
        kind, action = event.get("Type"), event.get("Action")
        if kind == self.event_type or (kind == "container" and action in self.container_actions):
            self._reread.start()  # restarted by each event of a burst

    def refresh(self) -> None:
        if self._reading:
            self._read_again = True
            return
        self._reading = self.session.run(self.read, self._on_rows, self._on_read_failed)

    def _read_done(self) -> None:
        self._reading = False
        if self._read_again:
            self._read_again = False
            self.refresh()

    def _on_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        self._update_actions()
        self._read_done()

    def _on_read_failed(self, error: EngineError) -> None:
        self._say(f"Could not read the {self.noun}: {error.message}")
        self._read_done()

    # Results -----------------------------------------------------------------------------------------------------

    def _say(self, sentence: str) -> None:
        feedback.show_message(self.result_label, sentence)
        self.message.emit(sentence)

    def _after(self, sentence: str) -> None:
        self._say(sentence)
        self.refresh()

    def _failed(self, title: str, error: EngineError) -> None:
        feedback.show_error(self, title, error)
        self.refresh()
