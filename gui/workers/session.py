"""The app's link to the engine: connects (and reconnects), follows the event stream, keeps the lists
fresh and runs the user's actions. Views talk to this; only core talks to Docker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.engine.actions import Action
from gui.core.engine.connection import Diagnosis

if TYPE_CHECKING:
    from gui.core.engine.client import Engine, Snapshot
from gui.core.errors import EngineError, EngineGone
from gui.workers.streams import StreamWorker
from gui.workers.tasks import OnDone, OnError, TaskRunner

logger = log.get("session")

RETRY_INTERVAL_MS = 2000


# The real engine, imported on first use (in a worker thread): docker-py is slow to import.
def _diagnose() -> Diagnosis:
    from gui.core.engine.connection import diagnose

    return diagnose()


def _connect(diagnosis: Diagnosis) -> Engine:
    from gui.core.engine.client import Engine

    return Engine.from_diagnosis(diagnosis)


# Bursts of events (docker compose up, a prune) become one refresh.
EVENT_COALESCE_MS = 50
# The engine announces a container's end ("die") before its list says "exited": it cleans up in between, longer under
# load. While a container that died is still listed as running, the lists are read again this often, for at most
# DIED_WAIT_S after the event.
RECHECK_MS = 500
DIED_WAIT_S = 10.0


class EngineSession(QObject):
    diagnosisChanged = Signal(object)  # Diagnosis, whenever the engine's state is known anew
    snapshotChanged = Signal(object)  # Snapshot of containers and images
    commandIssued = Signal(str, str)  # the docker command line, what it does
    actionFailed = Signal(object)  # EngineError of an action without its own handler
    eventReceived = Signal(dict)  # raw engine events, for views that care

    def __init__(
        self,
        diagnose_fn: Callable[[], Diagnosis] | None = None,
        engine_factory: Callable[[Diagnosis], Engine] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._diagnose_fn = diagnose_fn or _diagnose
        self._engine_factory = engine_factory or _connect
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self.actionFailed)
        self._probe = TaskRunner(self, max_threads=1)  # diagnosing never waits behind user actions
        self.engine: Engine | None = None
        self.diagnosis: Diagnosis | None = None
        self.snapshot: Snapshot | None = None
        self._events: StreamWorker | None = None
        self._last_event_time: float | None = None
        self._events_started = 0.0
        self._refreshing = False
        self._refresh_again = False
        self._probing = False
        self._stopped = False
        self._retry = QTimer(self, singleShot=True, interval=RETRY_INTERVAL_MS, timeout=self.check)
        self._coalesce = QTimer(self, singleShot=True, interval=EVENT_COALESCE_MS, timeout=self.refresh)
        self._recheck = QTimer(self, singleShot=True, interval=RECHECK_MS, timeout=self.refresh)
        self._died: dict[str, float] = {}  # container id: when the engine said it died (monotonic seconds)

    # Connection ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._stopped = False
        self.check()

    def check(self) -> None:
        """Diagnose the engine now (off the GUI thread)."""
        if self._probing or self._stopped:
            return
        self._probing = True
        self._probe.submit(self._diagnose_fn, self._on_diagnosis, self._on_diagnosis_failed)

    def _on_diagnosis_failed(self, error: EngineError) -> None:
        self._probing = False
        logger.warning("diagnosis failed: %s", error.message)
        self._schedule_retry()

    def _on_diagnosis(self, diagnosis: Diagnosis) -> None:
        self._probing = False
        if self._stopped:
            return
        self.diagnosis = diagnosis
        if diagnosis.usable:
            if self.engine is None or self.engine.endpoint != diagnosis.endpoint:
                self._connect(diagnosis)
        else:
            self._disconnect()
            self._schedule_retry()
        self.diagnosisChanged.emit(diagnosis)

    def _schedule_retry(self) -> None:
        if not self._stopped:
            self._retry.start()

    def _connect(self, diagnosis: Diagnosis) -> None:
        self._disconnect()
        self.engine = self._engine_factory(diagnosis)
        logger.info("connected to %s", diagnosis.endpoint.host)
        self._start_events()
        self.refresh()

    def _disconnect(self) -> None:
        self._stop_events()
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    @property
    def connected(self) -> bool:
        return self.engine is not None

    # Events --------------------------------------------------------------------------------------

    def _start_events(self) -> None:
        engine = self.engine
        assert engine is not None
        since = self._last_event_time
        self._events_started = time.monotonic()
        self._events = StreamWorker(lambda: engine.events(since=since), name="events", parent=self)
        self._events.batch.connect(self._on_events)
        self._events.ended.connect(self._on_events_ended)
        self._events.start()

    def _stop_events(self) -> None:
        if self._events is not None:
            worker, self._events = self._events, None
            worker.dispose()

    def _on_events(self, events: list[dict]) -> None:
        for event in events:
            self._last_event_time = event.get("time", self._last_event_time)
            self._note_death(event)
            self.eventReceived.emit(event)
        # The lists hold containers and images; other events are for their pages (eventReceived) alone.
        if not self._coalesce.isActive() and any(event.get("Type") in ("container", "image") for event in events):
            self._coalesce.start()

    def _note_death(self, event: dict) -> None:
        if event.get("Type") != "container":
            return
        container_id = event.get("id") or (event.get("Actor") or {}).get("ID")
        if not container_id:
            return
        if event.get("Action") == "die":
            self._died[container_id] = time.monotonic()
        elif event.get("Action") == "start":
            self._died.pop(container_id, None)

    def _wait_for_the_dead(self, snapshot: Snapshot) -> None:
        """Reads again soon while a container the engine said died is still listed as running."""
        now = time.monotonic()
        listed_running = {row.id for row in snapshot.containers if row.state == "running"}
        self._died = {cid: at for cid, at in self._died.items() if cid in listed_running and now - at < DIED_WAIT_S}
        if self._died:
            self._recheck.start()

    def _on_events_ended(self, error: EngineError | None) -> None:
        # The engine closed the stream: it stopped, restarted or went away. Find out which.
        logger.info("event stream ended: %s", error.message if error else "closed by the engine")
        if self._events is not None:
            self._events.deleteLater()
            self._events = None
        self._disconnect()
        if time.monotonic() - self._events_started < 1.0:
            self._schedule_retry()  # it failed at once: do not spin on an engine that refuses events
        else:
            self.check()

    # Lists ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the lists; while one read is in flight, at most one more follows it."""
        if self.engine is None:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        engine = self.engine
        self.tasks.submit(engine.snapshot, self._on_snapshot, self._on_refresh_failed)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self._refreshing = False
        if self._stopped:
            return  # a read that was in flight when the session stopped
        self.snapshot = snapshot
        self._wait_for_the_dead(snapshot)
        self.snapshotChanged.emit(snapshot)
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _on_refresh_failed(self, error: EngineError) -> None:
        self._refreshing = False
        if self._stopped:
            return
        if isinstance(error, EngineGone):
            self._disconnect()
            self.check()
        else:
            self.actionFailed.emit(error)

    # Actions -------------------------------------------------------------------------------------

    def perform(self, action: Action, on_done: OnDone | None = None, on_error: OnError | None = None) -> bool:
        """Runs an action and records its command for the learner. False when not connected."""
        engine = self.engine
        if engine is None:
            self.actionFailed.emit(
                EngineGone("Portside is not connected to the Docker engine. See the Engine page for what to do.")
            )
            return False
        self.commandIssued.emit(action.command, action.description)

        def done(result):
            if on_done:
                on_done(result)
            self.refresh()  # events refresh too; this covers engines that send none for the action

        self.tasks.submit(lambda: engine.perform(action), done, on_error)
        return True

    def run(
        self, fn: Callable[[Engine], object], on_done: OnDone | None = None, on_error: OnError | None = None
    ) -> bool:
        """Runs any other blocking engine call off the GUI thread."""
        engine = self.engine
        if engine is None:
            return False
        self.tasks.submit(lambda: fn(engine), on_done, on_error)
        return True

    def stop(self) -> None:
        """Ends the connection without waiting for anything (issue 15): the event stream is cancelled, a
        diagnosis or list read still in flight is abandoned (its late answer is dropped), and the engine's
        clients are closed. The actions' own answers still come, to whoever is left to show them."""
        self._stopped = True
        self._retry.stop()
        self._coalesce.stop()
        self._recheck.stop()
        self._died.clear()
        self._stop_events()
        self._probe.drop_pending()
        self._probing = False
        self._refreshing = self._refresh_again = False
        if self.engine is not None:
            self.engine.close()
            self.engine = None
