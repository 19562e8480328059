"""The one Monitor service of the app: samples containers, the host and the GPUs, keeps their history, and tells
the Monitor page, the container page and the list columns once per tick that there is something new.

Where the work happens:
- containers: ContainerStatsCollector (its own threads) hands over a batch of samples per interval; each batch is
  recorded into the history at once, on the GUI thread (about a millisecond for 100 containers). For an engine on
  this computer it reads the containers' numbers from the kernel (issue 23: no stats stream, so the engine spends
  nothing on them), each container's sample saying where its numbers came from;
- host and GPUs: one TaskRunner job per tick (sample_host, sample_gpus, attribute) on a single pool thread; a tick
  that comes while the previous job still runs is skipped, so work never piles up behind a slow GPU driver; a job
  that hangs (a GPU that stopped answering) holds back nothing for longer than STALLED_SYSTEM_MS: after that the
  ticks go on with the containers alone;
- GPU memory per image: the same job keeps, in `gpu_needs`, the most GPU memory each image's containers held (the
  Run dialog's "Needs about N GiB"), so that file is written off the GUI thread too;
- `updated` is emitted once per tick, after that tick's host and GPU samples are recorded; container batches
  recorded since the previous tick are part of it. A batch that brings containers not shown before brings the tick
  forward to now: their first numbers show within a tenth of a second or so of their start (or of the Monitor
  opening on them), not up to an interval later.

Costs by state:
- shown (the default): everything at the refresh interval;
- hidden (`set_hidden(True)`, the Monitor page is not on screen): containers keep the interval, since the
  Containers list shows their CPU and memory sparklines, and `updated` keeps coming for it; host and GPUs are
  sampled every HIDDEN_SYSTEM_INTERVAL_MS only, so their history still fills, at a fifth of the cost;
- paused: nothing is sampled, no thread runs; the history keeps what it has, with a break in the lines;
- no NVIDIA driver (or no GPU): NVML is asked again every GPU_RETRY_MS only, so installing or loading the driver
  is noticed without a restart.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.monitor.attribution import GpuUse, attribute
from gui.core.monitor.cgroup import LIVE
from gui.core.monitor.gpu import GpuSnapshot, sample_gpus
from gui.core.monitor.host import HostSample, sample_host
from gui.core.monitor.keys import HOST, ContainerKey, GpuKey
from gui.core.monitor.timeseries import SeriesBook
from gui.core.run.gpu_need import GpuNeeds
from gui.workers.monitor.container_stats import ContainerStatsCollector
from gui.workers.tasks import TaskRunner

if TYPE_CHECKING:
    from gui.core.engine.client import Snapshot
    from gui.core.errors import EngineError
    from gui.core.monitor.stats import ContainerStats
    from gui.workers.session import EngineSession

logger = log.get("monitor")

MIN_INTERVAL_MS = 250
HIDDEN_SYSTEM_INTERVAL_MS = 5000
GPU_RETRY_MS = 10_000
STALLED_SYSTEM_MS = 2000  # a host/GPU job running longer than this no longer holds back the container updates
DESTROYED_MEMORY = 1000  # destroyed container ids remembered, to drop their late samples

# Each container's history: what its charts and the lists' sparklines draw, and nothing more (a series is 20 KB at
# full length: 100 containers, 12 MB; memory % has no chart, so no series).
CONTAINER_METRICS = ("cpu", "memory", "net_rx", "net_tx", "block_read", "block_write")
HOST_METRICS = ("cpu", "memory_percent", "swap_percent", "load1")
GPU_METRICS = ("util", "memory_used", "memory_percent", "temperature", "power")


def _container_values(stats: ContainerStats) -> dict[str, float | None]:
    return {
        "cpu": stats.cpu_percent,
        "memory": stats.memory_used,
        "net_rx": stats.net_rx_rate,
        "net_tx": stats.net_tx_rate,
        "block_read": stats.block_read_rate,
        "block_write": stats.block_write_rate,
    }


def _host_values(host: HostSample) -> dict[str, float | None]:
    return {
        "cpu": host.cpu_percent,
        "memory_percent": host.memory_percent,
        "swap_percent": host.swap_percent,
        "load1": host.load[0] if host.load else None,
    }


def _gpu_values(gpu) -> dict[str, float | None]:
    if gpu.lost:
        return dict.fromkeys(GPU_METRICS)
    memory_percent = (
        gpu.memory_used / gpu.memory_total * 100.0 if gpu.memory_used is not None and gpu.memory_total else None
    )
    return {
        "util": gpu.utilization,
        "memory_used": gpu.memory_used,
        "memory_percent": memory_percent,
        "temperature": gpu.temperature,
        "power": gpu.power_draw,
    }


def _sample_system(data_root: str | None, want_host: bool, want_gpus: bool, remember_use=None):
    """Runs on the pool thread: everything blocking of one tick. `remember_use(use)` records GPU memory per image."""
    host = sample_host(data_root) if want_host else None
    gpus = sample_gpus() if want_gpus else None
    use = attribute(gpus) if gpus is not None and gpus.gpus else {}
    if use and remember_use is not None:
        remember_use(use)
    return host, gpus, use


class MonitorService(QObject):
    """ONE per app. Read `book` (history, by gui.core.monitor.keys), `containers`, `gpu_use`, `host`, `gpus` after
    `updated`."""

    updated = Signal()  # once per tick, after all of the tick's samples are recorded
    gpuSnapshot = Signal(object)  # GpuSnapshot, each time the GPUs were sampled

    def __init__(
        self,
        session: EngineSession,
        interval_ms: int = 1000,
        parent: QObject | None = None,
        *,
        collector: ContainerStatsCollector | None = None,
        gpu_needs: GpuNeeds | None = None,
    ):
        super().__init__(parent)
        self._session = session
        self._interval_ms = max(MIN_INTERVAL_MS, int(interval_ms))
        self.book = SeriesBook()
        self.containers: dict[str, ContainerStats] = {}
        self.gpu_use: dict[str | None, GpuUse] = {}
        self.host: HostSample | None = None
        self.gpus: GpuSnapshot | None = None
        self.gpu_needs = gpu_needs if gpu_needs is not None else GpuNeeds()  # GPU memory per image, for Run
        self._collector = collector or ContainerStatsCollector(session, self._interval_ms, parent=self, kernel=LIVE)
        self._collector.sampled.connect(self._on_containers_sampled)
        self._recorded: dict[str, ContainerStats] = {}  # the sample last recorded per container
        # Destroyed containers (ids are never reused): a sample of one still on its way is not recorded again.
        self._destroyed: dict[str, None] = {}
        self._gpu_memory_keys: set[ContainerKey] = set()  # containers that have a GPU memory history
        self._gpu_keys: set[GpuKey] = set()  # GPUs recorded at the last GPU sample
        self._system = TaskRunner(self, max_threads=1)
        self._system_busy = False
        self._system_started = 0.0
        self._last_host = -float("inf")  # monotonic times of the last samples taken
        self._last_gpus = -float("inf")
        self._generation = 0  # results of an older generation (before a pause) are dropped
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval_ms)
        self._timer.timeout.connect(self._tick)
        self._running = False
        self._paused = False
        self._hidden = False
        session.eventReceived.connect(self._on_event)
        session.snapshotChanged.connect(self._on_snapshot)

    # Control -------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        if not self._paused:
            self._resume()

    def stop(self) -> None:
        """Ends every worker without waiting for any (issue 15); safe to call twice. A host/GPU job still in flight
        (a GPU that stopped answering) is abandoned: its result is dropped when it comes."""
        self._running = False
        self._suspend()
        self._system.drop_pending()

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    def set_interval(self, ms: int) -> None:
        self._interval_ms = max(MIN_INTERVAL_MS, int(ms))
        self._timer.setInterval(self._interval_ms)
        self._collector.set_interval(self._interval_ms)

    @property
    def paused(self) -> bool:
        return self._paused

    def set_paused(self, paused: bool) -> None:
        """Paused: no sampling at all; the history keeps what it has (the lines break where the pause was)."""
        if paused == self._paused:
            return
        self._paused = paused
        if not self._running:
            return
        if paused:
            self._suspend()
            self._mark_gaps(time.time())
            self.updated.emit()
        else:
            self._resume()

    @property
    def hidden(self) -> bool:
        return self._hidden

    def set_hidden(self, hidden: bool) -> None:
        """The Monitor page is off screen: host and GPUs every HIDDEN_SYSTEM_INTERVAL_MS, containers unchanged."""
        if hidden == self._hidden:
            return
        self._hidden = hidden
        if not hidden and self._running and not self._paused:
            self._tick()  # the page comes back: fresh host and GPU numbers now, not in up to five seconds

    def _resume(self) -> None:
        self._generation += 1
        self._last_host = self._last_gpus = -float("inf")
        self._collector.start()
        self._timer.start()
        self._tick()

    def _suspend(self) -> None:
        self._generation += 1
        self._timer.stop()
        self._collector.stop()
        self._system_busy = False

    # Ticks ---------------------------------------------------------------------------------------

    def _tick(self) -> None:
        now = time.monotonic()
        if self._system_busy:
            # The previous host/GPU job still runs: no second one queued behind it. Should it hang (a GPU that
            # stopped answering can take seconds per call), container updates go on without it.
            if now - self._system_started >= max(STALLED_SYSTEM_MS, 2 * self._interval_ms) / 1000:
                self._finish_tick(None, None, None)
            return
        host_every = HIDDEN_SYSTEM_INTERVAL_MS / 1000 if self._hidden else 0.0
        gpus_every = max(host_every, GPU_RETRY_MS / 1000 if self._gpus_unavailable else 0.0)
        # A little slack, so a tick that comes a few milliseconds early still counts as due.
        slack = self._interval_ms / 2000
        want_host = now - self._last_host >= host_every - slack
        want_gpus = now - self._last_gpus >= gpus_every - slack
        if not (want_host or want_gpus):
            self._finish_tick(None, None, None)
            return
        if want_host:
            self._last_host = now
        if want_gpus:
            self._last_gpus = now
        data_root = self._local_data_root()
        remember_use = self._use_recorder() if want_gpus else None
        generation = self._generation
        self._system_busy = True
        self._system_started = now
        self._system.submit(
            lambda: _sample_system(data_root, want_host, want_gpus, remember_use),
            lambda result: self._on_system(generation, result),
            lambda error: self._on_system_failed(generation, error),
        )

    def _use_recorder(self):
        """What the pool thread calls with the tick's attribution: each container's GPU memory, kept per image."""
        snapshot, needs = self._session.snapshot, self.gpu_needs
        if snapshot is None:
            return None
        return lambda use: needs.record(use, {row.id: row.image for row in snapshot.containers if row.id in use})

    @property
    def _gpus_unavailable(self) -> bool:
        return self.gpus is not None and (self.gpus.unavailable_reason is not None or not self.gpus.gpus)

    def _local_data_root(self) -> str | None:
        diagnosis = self._session.diagnosis
        if diagnosis is None or diagnosis.info is None or not diagnosis.endpoint.socket_path:
            return None  # a remote engine's disk is not on this computer
        return diagnosis.info.data_root or None

    def _on_system(self, generation: int, result) -> None:
        if generation != self._generation:
            return  # paused or stopped since: a sample from before the break
        self._system_busy = False
        self._finish_tick(*result)

    def _on_system_failed(self, generation: int, error: EngineError) -> None:
        if generation != self._generation:
            return
        self._system_busy = False
        logger.info("host/GPU sample failed: %s", error.message)
        self._finish_tick(None, None, None)

    def _finish_tick(
        self, host: HostSample | None, gpus: GpuSnapshot | None, use: dict[str | None, GpuUse] | None
    ) -> None:
        t = time.time()
        if host is not None:
            self.host = host
            self.book.record(HOST, t, _host_values(host))
        if gpus is not None:
            self._record_gpus(t, gpus, use or {})
        self._check_vanished(t, set(self._collector.latest))
        if gpus is not None:
            self.gpuSnapshot.emit(gpus)
        self.updated.emit()

    def _record_gpus(self, t: float, gpus: GpuSnapshot, use: dict[str | None, GpuUse]) -> None:
        self.gpus = gpus
        self.gpu_use = use
        keys: set[GpuKey] = set()
        for gpu in gpus.gpus:
            key = GpuKey(gpu.index)
            keys.add(key)
            self.book.record(key, t, _gpu_values(gpu))
        for key in self._gpu_keys - keys:  # GPUs gone (driver unloaded): end their lines
            self.book.record(key, t, dict.fromkeys(GPU_METRICS))
        self._gpu_keys = keys
        # GPU memory is charted for containers that used a GPU at some point: 0 once they stop, nothing for the
        # many containers that never touch one.
        for container_id in use:
            if container_id is not None:
                self._gpu_memory_keys.add(ContainerKey(container_id))
        for key in list(self._gpu_memory_keys):
            if key not in self.book and key.container_id not in use:
                self._gpu_memory_keys.discard(key)  # forgotten (destroyed) meanwhile
                continue
            container_use = use.get(key.container_id)
            self.book.record(key, t, {"gpu_memory": container_use.gpu_memory if container_use else 0})

    def _on_containers_sampled(self, samples: dict[str, ContainerStats]) -> None:
        if self._paused or not self._running:
            return
        t = time.time()
        if self._destroyed:
            samples = {cid: stats for cid, stats in samples.items() if cid not in self._destroyed}
        new = any(container_id not in self.containers for container_id in samples)
        for container_id, stats in samples.items():
            if self._recorded.get(container_id) is not stats:  # a batch may repeat a sample not yet renewed
                self._recorded[container_id] = stats
                self.book.record(ContainerKey(container_id), t, _container_values(stats))
        self._check_vanished(t, set(samples))
        self.containers = dict(samples)
        if new and self._running and not self._paused:
            self._timer.start()  # the next tick a whole interval after this one
            self._tick()

    def _check_vanished(self, t: float, current: set[str]) -> None:
        """Containers that stopped being sampled (stopped, engine gone) get a break at the end of their lines."""
        for container_id in [cid for cid in self._recorded if cid not in current]:
            del self._recorded[container_id]
            self.containers.pop(container_id, None)
            key = ContainerKey(container_id)
            if key in self.book:
                self.book.record(key, t, dict.fromkeys(CONTAINER_METRICS))

    def _mark_gaps(self, t: float) -> None:
        """A break in every live line (pausing): points after the pause are not joined to those before it."""
        for container_id in self._recorded:
            self.book.record(ContainerKey(container_id), t, dict.fromkeys(CONTAINER_METRICS))
        self._recorded.clear()
        if self.host is not None:
            self.book.record(HOST, t, dict.fromkeys(HOST_METRICS))
        for key in self._gpu_keys:
            self.book.record(key, t, dict.fromkeys(GPU_METRICS))

    # Containers that no longer exist -------------------------------------------------------------

    def _on_event(self, event: dict) -> None:
        if event.get("Type") == "container" and event.get("Action") == "destroy":
            container_id = event.get("id") or event.get("Actor", {}).get("ID")
            if container_id:
                self._destroyed[container_id] = None
                if len(self._destroyed) > DESTROYED_MEMORY:
                    del self._destroyed[next(iter(self._destroyed))]
                self._forget(container_id)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        # Destroy events missed while the engine was away: anything not in the list any more goes.
        existing = {row.id for row in snapshot.containers}
        for key in self.book:
            if isinstance(key, ContainerKey):
                container_id = key.container_id
                if container_id not in existing and container_id not in self.containers:
                    self._forget(container_id)

    def _forget(self, container_id: str) -> None:
        key = ContainerKey(container_id)
        self.book.forget(key)
        self._gpu_memory_keys.discard(key)
        self._recorded.pop(container_id, None)
        self.containers.pop(container_id, None)
