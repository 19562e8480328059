"""Proving a container uses its GPU: which running containers were given GPUs, their GPU-use state, the Monitor's
per-GPU timeline, and "Check inside".

- Grants: every running container is inspected once (and again when it starts anew), on the session's task
  threads, for the GPUs it was given (gui.core.monitor.gpu_use.gpu_grant); `changed` says when that is known.
- States: `state(id)` combines the grant, the Monitor service's attribution and history, and the clock.
- Timeline: each GPU sample of the Monitor service (its `gpuSnapshot` signal) is recorded into `timeline`, so the
  history fills whether or not the Monitor page is on screen.
- Check inside: `check_inside` shows its `docker exec` in the Commands panel and runs it on a task thread with a time
  limit (gui.core.engine.gpu_check); its answer, or an EngineError, comes back to the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from gui.core import log
from gui.core.engine.gpu_check import CheckReport, GpuCheck
from gui.core.errors import EngineError
from gui.core.monitor.gpu_timeline import GpuTimeline
from gui.core.monitor.gpu_use import GpuGrant, GpuUseState, gpu_grant, gpu_use_state, used_since
from gui.core.monitor.keys import ContainerKey

if TYPE_CHECKING:
    from gui.core.engine.client import Engine, Snapshot
    from gui.core.engine.rows import ContainerRow
    from gui.workers.session import EngineSession

logger = log.get("monitor")


def _inspect_grants(engine: Engine, container_ids: list[str]) -> dict[str, GpuGrant | None]:
    """On a task thread: the GPU grant of each container; one that vanished meanwhile is left out."""
    grants: dict[str, GpuGrant | None] = {}
    for container_id in container_ids:
        try:
            grant = gpu_grant(engine.inspect_container(container_id))
        except Exception as exc:  # gone between the list and the inspect, most likely
            logger.debug("no GPU grant for %s: %s", container_id[:12], exc)
            continue
        if grant is not None and grant.started_at is None:  # an engine that did not say: count from now
            grant = replace(grant, started_at=time.time())
        grants[container_id] = grant
    return grants


class GpuWatch(QObject):
    """ONE per app, beside the Monitor service (`monitor`: its `gpu_use`, `gpus`, `book` and `gpuSnapshot`)."""

    changed = Signal()  # grants learnt or forgotten

    def __init__(self, session: EngineSession, monitor, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.monitor = monitor
        self.grants: dict[str, GpuGrant | None] = {}  # running containers inspected: their grant, None for none
        self.names: dict[str, str] = {}  # container id -> name, kept after removal for the timeline's legend
        self.timeline = GpuTimeline()
        self._asking: set[str] = set()  # ids being inspected now
        session.snapshotChanged.connect(self._on_snapshot)
        session.eventReceived.connect(self._on_event)
        monitor.gpuSnapshot.connect(self._on_gpus)
        if session.snapshot is not None:
            self._on_snapshot(session.snapshot)

    # Grants --------------------------------------------------------------------------------------

    def grant(self, container_id: str) -> GpuGrant | None:
        return self.grants.get(container_id)

    def _on_event(self, event: dict) -> None:
        if event.get("Type") == "container" and event.get("Action") in ("start", "restart", "die", "destroy"):
            container_id = event.get("id") or (event.get("Actor") or {}).get("ID")
            if container_id in self.grants:  # its start time changes: inspect it anew
                del self.grants[container_id]
                self.changed.emit()

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        running = {row.id for row in snapshot.containers if row.state == "running"}
        self.names.update({row.id: row.name for row in snapshot.containers})
        gone = [container_id for container_id in self.grants if container_id not in running]
        for container_id in gone:
            del self.grants[container_id]
        wanted = sorted(running - set(self.grants) - self._asking)
        if gone:
            self.changed.emit()
        if not wanted:
            return
        self._asking.update(wanted)
        started = self.session.run(
            lambda engine: _inspect_grants(engine, wanted),
            lambda grants: self._learnt(wanted, grants),
            lambda error: self._not_learnt(wanted, error),
        )
        if not started:
            self._asking.difference_update(wanted)

    def _learnt(self, asked: list[str], grants: dict[str, GpuGrant | None]) -> None:
        self._asking.difference_update(asked)
        self.grants.update(grants)
        self.changed.emit()

    def _not_learnt(self, asked: list[str], error: EngineError) -> None:
        self._asking.difference_update(asked)  # the next list asks again
        logger.info("could not read which containers were given GPUs: %s", error.message)

    # States and history --------------------------------------------------------------------------

    def state(self, container_id: str, now: float | None = None) -> GpuUseState | None:
        """The GPU-use state of a running container; None for one neither given a GPU nor using one."""
        now = time.time() if now is None else now
        monitor = self.monitor
        grant = self.grants.get(container_id)
        gpus = monitor.gpus
        if gpus is None:
            reason = None if grant is None else "Portside has not sampled the GPUs yet."
        else:
            reason = gpus.unavailable_reason or (None if gpus.gpus else "This computer has no NVIDIA GPU.")
        history = monitor.book.get(ContainerKey(container_id), "gpu_memory")
        used = grant is not None and used_since(history, grant.started_at, now)
        return gpu_use_state(grant, monitor.gpu_use.get(container_id), now, used_before=used, unavailable_reason=reason)

    def _on_gpus(self, snapshot) -> None:
        if snapshot.gpus:
            self.timeline.record(snapshot, self.monitor.gpu_use)

    # Check inside --------------------------------------------------------------------------------

    def check_inside(
        self, row: ContainerRow, on_done: Callable[[CheckReport], None], on_error: Callable[[EngineError], None]
    ) -> bool:
        """Runs the check in the container (its command shown first); False when not connected."""
        if self.session.engine is None:
            return False
        check = GpuCheck(row.name)
        gpus = self.monitor.gpus
        driver_cuda = gpus.cuda_version if gpus is not None else None
        self.session.commandIssued.emit(check.command, check.description)
        return self.session.run(lambda engine: check.run(engine, driver_cuda), on_done, on_error)
