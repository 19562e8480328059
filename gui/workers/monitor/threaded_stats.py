"""Stats streams with a thread each, for an engine that one socket loop cannot reach (TCP, TLS, SSH).

The same calls as gui.workers.monitor.local_stats.StatsStreams, which reads an engine on this computer on one thread;
here each stream is a StreamWorker on a client of its own, as docker-py reads it. `on_payload` runs on the
stream's thread, `on_end` on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from gui.workers.streams import StreamWorker

if TYPE_CHECKING:
    from gui.core.engine.client import Engine
    from gui.workers.monitor.local_stats import OnEnd, OnPayload

# The reader threads only need their end noticed; no items pass through the workers' own drain timers.
_WORKER_DRAIN_MS = 1000


class ThreadedStatsStreams(QObject):
    def __init__(self, engine: Engine, on_payload: OnPayload, on_end: OnEnd, parent: QObject | None = None):
        super().__init__(parent)
        self._engine = engine
        self._on_payload = on_payload
        self._on_end = on_end
        self._workers: dict[str, StreamWorker] = {}
        self._ending: set[StreamWorker] = set()  # cancelled, their threads not yet gone

    @property
    def open_streams(self) -> frozenset[str]:
        return frozenset(self._workers)

    def start(self) -> None:
        pass  # each stream starts its own thread

    def open(self, container_id: str, context: Any) -> None:
        if container_id in self._workers:
            return
        engine = self._engine
        worker = StreamWorker(
            lambda: engine.stats_stream(container_id),
            lambda payload: self._on_payload(context, payload) or (),
            interval_ms=_WORKER_DRAIN_MS,
            name=f"stats {container_id[:12]}",
            parent=self,
        )
        worker.ended.connect(lambda error: self._ended(container_id, worker, context, error))
        self._workers[container_id] = worker
        worker.start()

    def close(self, container_id: str) -> None:
        """Ends a container's stream; no on_end follows. The thread goes in its own time."""
        worker = self._workers.pop(container_id, None)
        if worker is not None:
            self._ending.add(worker)
            worker.cancel()

    def stop(self) -> None:
        """Ends every stream without waiting for its thread (gui.workers.streams); safe to call twice."""
        workers = list(self._workers.values()) + list(self._ending)
        self._workers.clear()
        self._ending.clear()
        for worker in workers:  # cancel all first: the threads then end side by side
            worker.cancel()
        for worker in workers:
            worker.dispose()

    def _ended(self, container_id: str, worker: StreamWorker, context: Any, error) -> None:
        self._ending.discard(worker)
        worker.deleteLater()
        if self._workers.get(container_id) is worker:
            del self._workers[container_id]
            self._on_end(context, error.message if error is not None else None)
