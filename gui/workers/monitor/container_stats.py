"""Live stats of every running container, one batch per interval: read from the kernel for an engine on this
computer, from one streaming stats connection per container otherwise.

The kernel (issue 23): for an engine on this computer (and `kernel` given, as the Monitor service does) each
container's numbers are read where the engine reads them (gui.workers.monitor.kernel_stats), and no stats stream is
opened at all: the engine then spends nothing on Portside's Monitor. A container whose files cannot be read here
(permission, another PID namespace, a VM) gets its engine stream alone, and its sample says which source its
numbers come from (ContainerStats.source, the Monitor's tooltip). A container read from the kernel that dies is
held for RESTART_GRACE_MS: started again within it (a restart, a restart policy), it is read on at its new PID
and its chart line goes on without a break. The kernel's reader hands over each container's starting point and then
its payloads, a round at a time; each round is one cue to the GUI thread, which turns the round into samples at once
(its first sample measured from the starting point, so CPU %, memory, network and disk rates all come together, a
tenth of a second after the container is added). Everything below describes the streams, which remote engines, the
fallback and the collector without `kernel` use.

How it collects, and why (tests/bench/bench_stats_collection.py, this engine: dockerd 20.10, API 1.41, cgroup v1,
2 CPUs shared with other work; CPU as % of one core; engine = dockerd + containerd + shims):

    N   way                         1st payload  1st CPU %  own CPU  engine CPU  samples/s per container
    20  stream per container          0.57 s     1.64 s     0.7 %     7.6 %     1.00
    20  one-shot, pool of 4           4.63 s     9.70 s     0.8 %     2.3 %     0.20   (a round takes 5.1 s)
    20  one-shot, pool of 8           3.08 s     6.14 s     1.6 %     4.0 %     0.34   (3.1 s)
    20  one-shot, pool of 16          2.10 s     4.19 s     2.2 %     5.0 %     0.50   (2.1 s)
    50  stream per container          0.70 s     1.89 s     2.0 %    21.1 %     0.90
    50  one-shot, pool of 4          12.78 s    26.05 s     1.0 %     4.9 %     0.07   (13.2 s)
    50  one-shot, pool of 8           7.23 s    14.46 s     2.1 %     6.2 %     0.15   (7.2 s)
    50  one-shot, pool of 16          4.20 s     8.37 s     2.9 %     8.2 %     0.26   (4.2 s)
    `docker stats --no-stream`: 2.13 s (N = 20), 2.37 s (N = 50)

One-shot requests do not come back at once on this engine: it collects stats for all watched containers in one
loop that sleeps a second between rounds, and a one-shot request waits for the next round (0 to 1 s). A bounded
pool of K threads therefore needs about N / K seconds per round and cannot keep 1 Hz. A stream per container
rides the same loop, gets every round, and costs this process little (the reader threads sleep on their
sockets). The engine's cost is per sample, whichever way they are asked for. So: streams.

This collector itself, end to end on a real EngineSession (from session start, so the first times include
connecting and the first list), in a Qt event loop:

    N    1st payload  1st CPU %  own CPU  engine CPU  longest GUI stall   `docker stats --no-stream`
    20     1.05 s      2.10 s     1.9 %     6.5 %         3 ms               2.12 s
    50     0.98 s      1.98 s     5.5 %    22.5 %        13 ms               2.54 s
    100    0.96 s      2.86 s     7.0 %    36.7 %        19 ms               2.83 s
    (this process idles at 0.7 to 1.6 % with nothing collecting)

The engine's first payload for a stream comes with its next collection round (0 to 1 s, and later with many
containers, which it collects one after another) and has no previous CPU reading, so from the engine alone CPU %
comes one round later still (the CLI waits for the same two rounds, plus its own start). For an engine on this
computer the collector reads the kernel's counters that the engine reads (gui.core.monitor.cgroup) when a stream
opens and a quarter of a second later: that gives the first sample (CPU %, memory, processes) without waiting for
the engine, and the engine's payloads carry on from it. tests/bench/bench_monitor.py --first 50 measured the
first complete set (CPU % and memory of all 50) at 0.62 to 0.80 s, against 2.9 to 3.7 s at first (both from the
engine) and 2.8 s for `docker stats --no-stream`. A busy loop read 98 % first and 99 to 101 % after; an idle
container 0 %.

Design: the streams of an engine on this computer are read on one thread (gui.workers.monitor.local_stats: a thread per
stream made the GUI thread wait for the interpreter lock behind 100 threads waking at once); those of an engine
elsewhere with a thread each (gui.workers.monitor.threaded_stats). Either way only the newest payload of each container
is kept, as a reading (no signal per payload); one GUI-thread timer per interval turns the new readings into
ContainerStats, each against the reading used at the previous tick (so CPU % and rates cover the whole interval,
also at 2 or 5 s), and emits one `sampled` batch.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.monitor.cgroup import KernelFiles, kernel_reading, read_cpu
from gui.core.monitor.kernel_stats import stream_source
from gui.core.monitor.stats import ContainerStats, StatsReading, stats_between, stats_reading
from gui.workers.monitor.kernel_stats import KernelStats, Listed
from gui.workers.monitor.local_stats import StatsStreams
from gui.workers.monitor.threaded_stats import ThreadedStatsStreams

if TYPE_CHECKING:
    from gui.core.engine.client import Engine, Snapshot
    from gui.workers.session import EngineSession

logger = log.get("workers")

# Events that mean a container now runs (collect) or no longer does (stop collecting and forget its sample).
# A paused container keeps its stream: the engine still reports its memory, as `docker stats` shows it.
_RUNS = {"start", "unpause", "restart"}
_ENDS = {"die", "destroy"}  # not "kill" or "oom": a signal or a killed child process may leave it running
# Opening a stream costs the GUI thread a little (a thread and a client for an engine elsewhere): with 100
# containers running at start-up, opening them all at once froze the window for 0.35 s. A few per turn instead;
# a container read from the kernel costs a request to its thread only, and does not count.
FOLLOWS_PER_TURN = 8
STATS_PER_TURN = 25
# The first sample of a local container comes from two kernel readings (gui.core.monitor.cgroup) this far apart:
# /proc/stat counts in 10 ms ticks, so a shorter window would give a coarse CPU %.
FIRST_CPU_WINDOW_S = 0.25
# A container's first reading brings the next tick this close, so its numbers show without waiting out the interval.
FIRST_TICK_DELAY_MS = 50
# A container read from the kernel that dies keeps its place this long: started again meanwhile (docker restart, a
# restart policy), its line goes on without a break.
RESTART_GRACE_MS = 3000
REMOTE_SOURCE = stream_source("the engine runs on another computer, whose kernel Portside cannot read")


class _Follow:
    """One container followed: the newest reading its stream left, and the one last used."""

    def __init__(self, container_id: str, name: str):
        self.container_id = container_id
        self.name = name
        # Readings, not payloads (see gui.core.monitor.stats.StatsReading): the stream's thread turns each payload into one.
        self.newest: StatsReading | None = None  # written by the stream's thread, under the collector's lock
        self.used: StatsReading | None = None  # the reading of the last emitted sample (GUI thread only)
        # Under the collector's lock: the first reading from the kernel (gui.core.monitor.cgroup), if there was one;
        # whether a payload of the engine had CPU % of its own (the second of a stream; or the first may come
        # before the kernel's reading, without CPU %, and then the kernel's still gives it); whether a first reading
        # was announced to the GUI thread; whether the container is no longer followed.
        self.from_kernel: StatsReading | None = None
        self.engine_gave_cpu = False
        # Under the lock: the kernel reader's starting point (added, or started again), which the next sample is
        # measured from instead of `used`: its first sample then has CPU % and rates.
        self.start: StatsReading | None = None
        self.announced = False
        self.dropped = False
        # GUI thread: read from the kernel (not a stream); died and waiting to start again. `source`: where its
        # numbers come from, for the Monitor's tooltip (written by the kernel's thread under the lock, too).
        self.kernel = False
        self.held = False
        self.source = ""


class ContainerStatsCollector(QObject):
    """Follows the session's running containers and emits the latest sample of each, once per interval."""

    sampled = Signal(object)  # dict[str, ContainerStats]: every running container's latest sample
    _firstReading = Signal()  # from the streams' threads: a container's first reading is in
    _streamEnded = Signal(object, object)  # from any thread: (_Follow, reason or None)
    _kernelRefused = Signal(object, str)  # from the kernel's thread: (_Follow, why its files cannot be read)
    _kernelRound = Signal()  # from the kernel's thread: a round of payloads is in

    def __init__(
        self,
        session: EngineSession,
        interval_ms: int = 1000,
        parent: QObject | None = None,
        *,
        kernel: KernelFiles | None = None,
    ):
        """kernel: read a local engine's containers from these kernel files (gui.core.monitor.cgroup.LIVE) instead
        of opening stats streams; None: streams only."""
        super().__init__(parent)
        self._session = session
        self._kernel_files = kernel
        self._lock = threading.Lock()
        self._follows: dict[str, _Follow] = {}
        self._streams: StatsStreams | ThreadedStatsStreams | None = None
        self._kernel: KernelStats | None = None
        self._streams_engine: Engine | None = None  # the engine the streams and the kernel reader belong to
        self._latest: dict[str, ContainerStats] = {}
        self._changed = False
        self._started = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._to_follow: dict[str, Listed] = {}  # id -> its name and network mode, waiting for their turn
        self._pending: list = []  # this tick's readings not yet turned into samples
        self._kernel_round: list = []  # the kernel thread's round so far: (_Follow, reading, source); that thread only
        self._follow_timer = QTimer(self, interval=0, timeout=self._follow_some)
        self._first_tick = QTimer(self, singleShot=True, interval=FIRST_TICK_DELAY_MS, timeout=self._tick)
        self._firstReading.connect(self._on_first_reading)
        self._streamEnded.connect(self._on_ended)
        self._kernelRefused.connect(self._on_kernel_refused)
        self._kernelRound.connect(self._on_kernel_round)

    @property
    def latest(self) -> dict[str, ContainerStats]:
        return dict(self._latest)

    @property
    def open_streams(self) -> frozenset[str]:
        """The containers whose stats streams are open now."""
        return self._streams.open_streams if self._streams is not None else frozenset()

    @property
    def kernel_follows(self) -> frozenset[str]:
        """The containers whose numbers are read from the kernel now."""
        return self._kernel.following if self._kernel is not None else frozenset()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(max(50, int(ms)))
        if self._kernel is not None:
            self._kernel.set_interval(self._timer.interval() / 1000)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._session.snapshotChanged.connect(self._on_snapshot)
        self._session.eventReceived.connect(self._on_event)
        self._timer.start()
        if self._session.snapshot is not None:
            self._on_snapshot(self._session.snapshot)

    def stop(self) -> None:
        """Ends every stream; safe to call twice. Waits for no engine: a reader stuck on one is left to end by
        itself (gui.workers.streams, StatsStreams.stop)."""
        if self._started:
            self._started = False
            self._session.snapshotChanged.disconnect(self._on_snapshot)
            self._session.eventReceived.disconnect(self._on_event)
        self._timer.stop()
        self._follow_timer.stop()
        self._first_tick.stop()
        self._to_follow.clear()
        self._pending = []
        self._drop_streams()
        self._latest.clear()

    # Following the session ---------------------------------------------------------------------

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        running = {row.id: (row.name, row.network_mode) for row in snapshot.containers if row.running}
        for container_id, follow in list(self._follows.items()):
            if container_id not in running and not follow.held:  # a held one has its grace
                self._unfollow(container_id)
        for container_id, listed in running.items():
            if container_id not in self._follows:
                self._to_follow[container_id] = listed
        if self._to_follow:
            self._follow_timer.start()

    def _follow_some(self) -> None:
        streams = 0
        while self._to_follow and streams < FOLLOWS_PER_TURN:
            container_id = next(iter(self._to_follow))
            follow = self._follow(container_id, *self._to_follow.pop(container_id))
            streams += follow is not None and not follow.kernel
        if not self._to_follow:
            self._follow_timer.stop()

    def _on_event(self, event: dict) -> None:
        if event.get("Type", "container") != "container":
            return
        action = str(event.get("Action") or event.get("status") or "")
        container_id = str(event.get("id") or (event.get("Actor") or {}).get("ID") or "")
        if not container_id:
            return
        follow = self._follows.get(container_id)
        if action == "die" and follow is not None and follow.kernel:
            self._hold(follow)
        elif action in _ENDS:
            self._unfollow(container_id)
        elif action in _RUNS:
            name = str(((event.get("Actor") or {}).get("Attributes") or {}).get("name") or "")
            self._follow(container_id, name)

    def _follow(self, container_id: str, name: str, network_mode: str | None = None) -> _Follow | None:
        """Follows it (unless it is already); the new follow, if there is one. `network_mode`: from the engine's list
        (an event does not say it)."""
        if not self._started:
            return None
        follow = self._follows.get(container_id)
        if follow is not None:
            if follow.held:  # started again within its grace: read on at its new PID
                self._resume(follow)
            return None
        engine = self._session.engine
        if engine is None:
            return None
        if engine is not self._streams_engine:  # a new engine (the old one went away) starts afresh
            self._drop_streams()
            self._streams_engine = engine
        follow = _Follow(container_id, name)
        self._follows[container_id] = follow
        kernel = self._kernel_reader(engine)
        if kernel is not None:
            follow.kernel = True
            kernel.add(container_id, follow, (name, network_mode) if network_mode is not None else None)
        else:
            self._open_stream(follow, "" if engine.stats_socket() else REMOTE_SOURCE)
        return follow

    def _open_stream(self, follow: _Follow, source: str) -> None:
        streams = self._streams_for(self._streams_engine)
        follow.source = source
        streams.open(follow.container_id, follow)
        if isinstance(streams, StatsStreams):  # on this computer: the first sample from the kernel
            streams.call_later(0, lambda: self._first_from_kernel(streams, follow))

    def _unfollow(self, container_id: str) -> None:
        self._to_follow.pop(container_id, None)
        follow = self._follows.pop(container_id, None)
        if follow is not None:
            with self._lock:
                follow.dropped = True
            if self._kernel is not None:
                self._kernel.remove(container_id)
            if self._streams is not None:
                self._streams.close(container_id)
        if self._latest.pop(container_id, None) is not None:
            self._changed = True

    def _hold(self, follow: _Follow) -> None:
        """A container read from the kernel died: its last sample stays for RESTART_GRACE_MS, in case it starts
        again; after that it goes, as a stopped container's does."""
        follow.held = True
        if self._kernel is not None:
            self._kernel.hold(follow.container_id)
        QTimer.singleShot(RESTART_GRACE_MS, self, lambda: self._hold_expired(follow))

    def _hold_expired(self, follow: _Follow) -> None:
        if follow.held and self._follows.get(follow.container_id) is follow:
            self._unfollow(follow.container_id)

    def _resume(self, follow: _Follow) -> None:
        follow.held = False
        follow.used = None  # fresh counters: its next CPU % from its own new starting point
        if self._kernel is not None:
            self._kernel.restarted(follow.container_id)

    def _kernel_reader(self, engine: Engine) -> KernelStats | None:
        """The kernel reader of an engine on this computer, when this collector reads the kernel."""
        if self._kernel_files is None or not engine.stats_socket():
            return None
        if self._kernel is None:
            self._kernel = KernelStats(
                engine,
                self._keep_from_kernel,
                self._kernelRefused.emit,
                self._streamEnded.emit,
                self._timer.interval() / 1000,
                self._kernel_files,
                on_start=self._start_from_kernel,
                on_round=self._end_kernel_round,
            )
            self._kernel.start()
        return self._kernel

    def _streams_for(self, engine: Engine) -> StatsStreams | ThreadedStatsStreams:
        """The streams of the session's engine, opened with the first stream it needs."""
        if self._streams is None:
            socket_path = engine.stats_socket()
            if socket_path:
                self._streams = StatsStreams(socket_path, engine.api_version, self._keep, self._streamEnded.emit)
            else:
                self._streams = ThreadedStatsStreams(engine, self._keep, self._streamEnded.emit, parent=self)
            self._streams.start()
        return self._streams

    def _drop_streams(self) -> None:
        """Ends every stream and the kernel reader, and forgets every container (the engine went away)."""
        streams, self._streams, self._streams_engine = self._streams, None, None
        kernel, self._kernel = self._kernel, None
        # Dropped first: a reading the streams' thread is still handling is then thrown away, not announced.
        for container_id in list(self._follows):
            self._unfollow(container_id)
        if kernel is not None:
            kernel.stop()  # waits for nothing
        if streams is not None:
            streams.stop()  # waits for no engine (see each kind's stop)
            if isinstance(streams, QObject):
                streams.deleteLater()

    def _on_kernel_refused(self, follow: _Follow, reason: str) -> None:
        """Its files cannot be read here: this container alone gets the engine's stream."""
        if self._follows.get(follow.container_id) is follow and self._streams_engine is not None:
            follow.kernel = False
            self._open_stream(follow, stream_source(reason))

    # The streams' threads --------------------------------------------------------------------------

    def _first_from_kernel(self, streams: StatsStreams, follow: _Follow) -> None:
        """The container's CPU counters now, and a quarter of a second later its first sample from the kernel."""
        before = read_cpu(follow.container_id)
        if before is None:
            return  # not where Docker puts cgroups on this computer: the engine's payloads will do

        def first_sample() -> None:
            reading = kernel_reading(follow.container_id, before)
            if reading is not None:
                self._put(follow, reading, from_kernel=True)

        streams.call_later(FIRST_CPU_WINDOW_S, first_sample)

    def _keep(self, follow: _Follow, payload: dict) -> None:
        """Keep only the newest payload, as a reading; the tick takes it."""
        self._put(follow, stats_reading(payload))

    def _start_from_kernel(self, follow: _Follow, payload: dict) -> None:
        """The kernel reader's starting point for it: its next sample is measured from this reading."""
        reading = stats_reading(payload)
        with self._lock:
            if not follow.dropped:
                follow.start, follow.newest = reading, None  # a reading before a restart has the old counters

    def _keep_from_kernel(self, follow: _Follow, payload: dict, source: str) -> None:
        """A payload of the kernel's round, as a reading: kept aside until the round ends."""
        self._kernel_round.append((follow, stats_reading(payload), source))

    def _end_kernel_round(self) -> None:
        """The round's readings become the newest all at once, and one cue brings the tick: a tick never finds half a
        round (a timer tick in the middle of one made a first frame of 37 containers out of 100)."""
        readings, self._kernel_round = self._kernel_round, []
        with self._lock:
            for follow, reading, source in readings:
                if not follow.dropped:
                    follow.source, follow.newest = source, reading
        self._kernelRound.emit()

    def _put(self, follow: _Follow, reading: StatsReading, from_kernel: bool = False) -> None:
        with self._lock:
            if follow.dropped or (from_kernel and follow.engine_gave_cpu):
                return  # no longer followed; or the engine's payloads already carry CPU %
            if from_kernel:
                follow.from_kernel = reading
            elif reading.pre_system_cpu is not None:
                follow.engine_gave_cpu = True
            elif follow.from_kernel is not None:
                # The engine's first payload has no previous CPU reading; the kernel's is one of the same counters,
                # for when this payload replaces it before a tick used it.
                reading = reading._replace(
                    pre_cpu_total=follow.from_kernel.cpu_total, pre_system_cpu=follow.from_kernel.system_cpu
                )
            follow.newest = reading
            soon, follow.announced = from_kernel or not follow.announced, True
        if soon:
            self._firstReading.emit()

    # Back on the GUI thread ------------------------------------------------------------------------

    def _on_kernel_round(self) -> None:
        if self._started:
            self._tick()

    def _on_first_reading(self) -> None:
        if self._started and not self._first_tick.isActive():
            self._first_tick.start()

    def _on_ended(self, follow: _Follow, reason: str | None) -> None:
        # The container stopped, was removed, or the engine went away: drop it quietly. The next snapshot
        # starts it again if it runs.
        if follow.held:
            return  # died, and its grace decides
        if self._follows.get(follow.container_id) is follow:
            self._unfollow(follow.container_id)
        if reason is not None:
            logger.info("stats of %s ended: %s", follow.name or follow.container_id[:12], reason)

    # The tick ------------------------------------------------------------------------------------

    def _tick(self) -> None:
        with self._lock:
            fresh = [
                (container_id, follow, follow.newest, follow.start)
                for container_id, follow in self._follows.items()
                if follow.newest is not None
            ]
            for _, follow, _, _ in fresh:
                follow.newest = follow.start = None
        computing = bool(self._pending)  # a tick's slices still to come: these join them
        self._pending += fresh
        if not computing:
            self._compute_some()

    def _compute_some(self) -> None:
        """A slice of the tick's samples per event-loop turn: 100 containers at once kept the window still for
        up to 37 ms; slices keep each turn short. One `sampled` batch once all are done."""
        batch, self._pending = self._pending[:STATS_PER_TURN], self._pending[STATS_PER_TURN:]
        for container_id, follow, reading, start in batch:
            if self._follows.get(container_id) is not follow:
                continue  # its stream ended meanwhile
            previous = start if start is not None else follow.used
            self._latest[container_id] = stats_between(reading, previous, container_id, follow.name, follow.source)
            follow.used = reading
        if self._pending:
            QTimer.singleShot(0, self, self._compute_some)
            return
        if batch or self._changed:
            self._changed = False
            self.sampled.emit(dict(self._latest))
