"""The numbers of every container of an engine on this computer, read from the kernel on one thread (issue 23).

Why: a stats stream per container makes the engine read each container's cgroup files, build a JSON document and
send it, every second: with many containers the engine spent three times the CPU Portside did. This thread reads
the same files itself (gui.core.monitor.kernel_stats), once per interval for all containers, and hands each
container's payload, in the engine's shape, to the same callback the streams feed; the engine is asked only once
per container (inspect: its main PID, cgroup parent and network) and once per engine (`docker info`).

Per container, whichever way its numbers come:
- added from the engine's list (its name and network mode known): its files found by Docker's rule and its
  starting point read at once, handed to on_start; its inspect, asked meanwhile on a pool thread, then confirms
  those files or names others, read from a new starting point. Added from an event: found once its inspect is back.
  Its first payload follows FIRST_WINDOW_S after its starting point, so its first sample has CPU % and the network
  and disk rates measured over that short span (the Monitor's first complete frame, issue 23); then one payload per
  interval;
- refused (on_refused with the reason, a sentence): its files cannot be read here (permission, another PID
  namespace, a VM, a cgroup where Docker's rule and the kernel do not put it); the collector opens the engine's
  stream for that container alone;
- held (its "die" event): not read until it starts again; restarted (its "start" event): inspected again for its new
  PID, and read on from a new starting point, into the same chart line;
- a read that fails (it stopped while read) gives no payload; at the next tick it is inspected again: stopped for
  good means on_end(context, None), as a stream's end.
Callbacks run on this thread, which never waits for an inspect (a slow engine holds up no other container's round).
add/remove/hold/restarted/set_interval/stop from any thread; stop waits for nothing.

Many containers at once (the Monitor opening on 100 of them): the adds that come together are found together, the
mount table read once for all of them and the engine's inspects asked INSPECT_THREADS at a time, and their first
payloads are read in one round, so the whole first frame is one batch: on_round follows every round that handed
over payloads, the collector's cue to turn them into samples at once.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from gui.core import log
from gui.core.errors import NotFound, explain
from gui.core.monitor.cgroup import LIVE, KernelFiles
from gui.core.monitor.cgroup_paths import (
    ContainerFacts,
    EngineFacts,
    Mount,
    NotReadable,
    container_facts,
    engine_facts,
    listed_place,
    read_mounts,
)
from gui.core.monitor.kernel_stats import HostCpu, KernelTarget, host_cpu, machine_limit, open_target, read_payload

if TYPE_CHECKING:
    from gui.core.engine.client import Engine

logger = log.get("workers")

# A container's first payload comes this long after its starting point. /proc/stat counts the host's CPU time in
# 10 ms ticks, so over 0.1 s on 2 CPUs a first CPU % is within 5 % of itself (a busy loop reads 95 to 105 %); the
# next payload, a whole interval later, is exact again.
FIRST_WINDOW_S = 0.1
# A starting point's host CPU time may be this old: a container's first CPU % is its CPU time over the host's, from
# one starting point to the first payload, so both must be read at the same moment, give or take what /proc/stat's
# 10 ms ticks blur anyway.
HOST_FRESH_S = 0.002
# Containers started one after another join the first round of those still waiting for theirs, for at most this long.
FIRST_WAIT_S = 1.0
# The engine's inspects, asked side by side: 100 of them took 82 ms one after another here, 103 ms four at a time (the
# engine is the limit), and every answer is parsed in Python, beside the kernel reads and the GUI thread.
INSPECT_THREADS = 2

Listed = tuple[str, str]  # (name, network mode): what the engine's container list says of a running container
OnKernelPayload = Callable[[Any, dict, str], None]  # (context, payload, where its numbers come from)
OnStart = Callable[[Any, dict], None]  # (context, payload): its starting point, which its first payload follows
OnRound = Callable[[], None]  # a round handed over its payloads
OnRefused = Callable[[Any, str], None]  # (context, why the kernel cannot be read for it)
OnEnd = Callable[[Any, "str | None"], None]  # (context, None): it stopped for good


def _kept(payload: dict) -> dict:
    """What the next payload needs of this one: a payload is a few dozen objects, kept for 100 containers between
    rounds the garbage collector would walk them again and again (see gui.core.monitor.stats.StatsReading)."""
    return {"read": payload["read"], "cpu_stats": payload["cpu_stats"]}


def _same_place(listed: ContainerFacts, inspected: ContainerFacts) -> bool:
    """Whether the inspect confirms where a container read from the list's word was read: the same main process,
    Docker's default cgroup parent (the one the list's word was read by) and the same network."""
    return inspected.pid == listed.pid and not inspected.cgroup_parent and inspected.network_mode == listed.network_mode


class _Entry:
    def __init__(self, container_id: str, context: Any, listed: Listed | None = None):
        self.container_id = container_id
        self.context = context
        self.listed = listed  # what the engine's list said of it, if it came from the list
        self.target: KernelTarget | None = None
        self.started_at = 0.0  # monotonic time its starting point was read
        self.finding: object | None = None  # the find its inspect answers (a later find makes an earlier answer stale)
        self.previous: dict | None = None  # of the last payload read: its time and CPU (the next one's precpu)
        self.first_due: float | None = None  # monotonic time of its first payload
        self.held = False
        self.failed = False  # its last read failed: inspect it again at the next tick


class KernelStats:
    def __init__(
        self,
        engine: Engine,
        on_payload: OnKernelPayload,
        on_refused: OnRefused,
        on_end: OnEnd,
        interval_s: float = 1.0,
        files: KernelFiles = LIVE,
        name: str = "kernel stats",
        *,
        on_start: OnStart | None = None,
        on_round: OnRound | None = None,
    ):
        self._engine = engine
        self._on_payload = on_payload
        self._on_start = on_start
        self._on_round = on_round
        self._on_refused = on_refused
        self._on_end = on_end
        self._files = files
        self._inspectors: ThreadPoolExecutor | None = None  # made for the first burst of adds
        self._interval_s = interval_s
        self._lock = threading.Condition()
        self._requests: list[tuple] = []  # under the lock
        self._stopping = False
        self._entries: dict[str, _Entry] = {}  # this thread only
        self._following: frozenset[str] = frozenset()  # a copy for other threads
        self._facts: EngineFacts | NotReadable | None = None
        self._machine: int | None = None
        self._mounts: list[Mount] | None = None  # the cgroup mounts, read once per batch of containers found
        self._started: list[_Entry] = []  # started since the last _first_round, this thread only
        self._host: tuple[float, HostCpu | None] = (0.0, None)  # (monotonic time, host CPU time) of _host_now
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # Any thread ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def add(self, container_id: str, context: Any, listed: Listed | None = None) -> None:
        """Reads it from now on. `listed`: its name and network mode from the engine's list, which let its files be
        read before its inspect is back."""
        self._request("add", container_id, context, listed)

    def remove(self, container_id: str) -> None:
        """Stops reading a container; no callback follows. `following` leaves it out at once."""
        with self._lock:
            self._requests.append(("remove", container_id))
            self._following = self._following - {container_id}
            self._lock.notify()

    def hold(self, container_id: str) -> None:
        """It died: read nothing until `restarted`."""
        self._request("hold", container_id)

    def restarted(self, container_id: str) -> None:
        """It runs again: find its new main process and read on."""
        self._request("restarted", container_id)

    def set_interval(self, seconds: float) -> None:
        with self._lock:
            self._interval_s = seconds
            self._lock.notify()

    def stop(self) -> None:
        """Ends the thread without waiting for it (a call to a hung engine may hold it: a daemon, it never holds up
        quitting). Safe to call twice."""
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._inspectors is not None:
            self._inspectors.shutdown(wait=False, cancel_futures=True)

    def wait(self, timeout_s: float = 5.0) -> bool:
        """Tests only: blocks until the thread is gone."""
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def following(self) -> frozenset[str]:
        """The containers read from the kernel now."""
        return self._following

    def _publish_following(self) -> None:
        """The containers read now, for other threads: those asked to be removed are left out already."""
        with self._lock:
            removing = {request[1] for request in self._requests if request[0] == "remove"}
            self._following = frozenset(self._entries).difference(removing)

    def _request(self, *request) -> None:
        with self._lock:
            self._requests.append(request)
            self._lock.notify()

    # The thread ----------------------------------------------------------------------------------

    def _run(self) -> None:
        next_tick = time.monotonic()
        while True:
            with self._lock:
                while not self._stopping and not self._requests:
                    wait = self._next_due(next_tick) - time.monotonic()
                    if wait <= 0:
                        break
                    self._lock.wait(wait)
                if self._stopping:
                    return
                interval = self._interval_s
            self._call(self._handle_requests)
            now = time.monotonic()
            if now >= next_tick:
                next_tick = max(next_tick + interval, now + interval / 2)  # no burst of ticks after a long stall
                self._call(self._tick, now, True)
            elif any(entry.first_due is not None and entry.first_due <= now for entry in self._entries.values()):
                self._call(self._tick, now, False)
            self._first_round()

    def _next_due(self, next_tick: float) -> float:
        firsts = [entry.first_due for entry in self._entries.values() if entry.first_due is not None]
        return min([next_tick, *firsts])

    def _take_requests(self) -> list[tuple]:
        with self._lock:
            requests, self._requests = self._requests, []
        return requests

    def _handle_requests(self) -> None:
        """Every request waiting, and those that come while the containers added are found: the adds that come
        together are found together (one read of the mount table, their inspects asked side by side)."""
        while requests := self._take_requests():
            to_find: list[_Entry] = []
            for request in requests:
                if request[0] == "inspected":
                    self._inspected(*request[1:])
                else:
                    self._handle(to_find, *request)
            self._find([entry for entry in dict.fromkeys(to_find) if self._is_current(entry)])

    def _first_round(self) -> None:
        """The first payloads of the containers started since the last call, in one round with those still waiting
        for theirs: once the last starting point read is FIRST_WINDOW_S old. A first round is put off this way for
        at most FIRST_WAIT_S, so that containers started one after another do not hold it up for good."""
        started, self._started = self._started, []
        started = [entry for entry in started if entry.target is not None and self._is_current(entry)]
        if not started:
            return
        due = max(entry.started_at for entry in started) + FIRST_WINDOW_S
        waiting = [entry for entry in self._entries.values() if entry.first_due is not None]
        for entry in [*started, *waiting]:
            if entry.first_due is None or entry.started_at + FIRST_WAIT_S >= due:
                entry.first_due = due

    def _is_current(self, entry: _Entry) -> bool:
        return self._entries.get(entry.container_id) is entry

    def _handle(
        self, to_find: list[_Entry], action: str, container_id: str, context: Any = None, listed: Listed | None = None
    ) -> None:
        entry = self._entries.get(container_id)
        if action == "add" and entry is None:
            entry = _Entry(container_id, context, listed)
            self._entries[container_id] = entry
            self._publish_following()
            to_find.append(entry)
        elif action == "remove" and entry is not None:
            del self._entries[container_id]
            self._publish_following()
        elif action == "hold" and entry is not None:
            entry.held, entry.target, entry.first_due = True, None, None
        elif action == "restarted" and entry is not None:
            entry.held = False
            to_find.append(entry)

    def _find(self, entries: list[_Entry]) -> None:
        """Asks the engine to inspect the containers, and reads at once those the engine's list told of (see
        cgroup_paths.listed_place). The inspects are answered on the pool's threads, each handed back to this thread
        as a request ("inspected"): it confirms the files read, or names others, read from a new starting point.
        This thread never waits for an inspect: a slow engine holds up no round."""
        if not entries:
            return
        for entry in entries:
            entry.target, entry.previous, entry.first_due, entry.failed = None, None, None, False
            entry.finding = object()
        try:
            self._mounts = read_mounts(self._files)
        except NotReadable:
            self._mounts = None  # each container is refused with the reason, by locate
        # Read first, asked after: the inspects' answers, parsed on the pool's threads, would slow these reads down.
        self._open_listed(entries, self._mounts)
        if self._inspectors is None:
            self._inspectors = ThreadPoolExecutor(INSPECT_THREADS, thread_name_prefix="kernel stats inspect")
        try:
            for entry in entries:
                self._inspectors.submit(self._inspect, entry.container_id).add_done_callback(
                    lambda done, entry=entry, finding=entry.finding: self._hand_back(done, entry, finding)
                )
        except RuntimeError:  # stopped meanwhile: the pool takes no more
            pass

    def _hand_back(self, done: Future, entry: _Entry, finding: object) -> None:
        """A pool thread: an inspect's answer, for this thread to act on."""
        try:
            self._request("inspected", entry, finding, done.result())
        except CancelledError:
            pass  # stopped meanwhile

    def _inspected(self, entry: _Entry, finding: object, facts: ContainerFacts | Exception) -> None:
        if entry.finding is finding:  # not found again since (a restart) nor removed
            entry.finding = None
            self._open(entry, facts, self._mounts)

    def _inspect(self, container_id: str) -> ContainerFacts | Exception:
        """Any thread (each has its own client: Engine.api)."""
        try:
            return container_facts(self._engine.inspect_container(container_id))
        except Exception as exc:
            return exc

    def _open(self, entry: _Entry, facts: ContainerFacts | Exception, mounts: list[Mount] | None) -> bool:
        """Its files, checked, and its starting point read; False (and the collector told) when it cannot be."""
        if self._stopping or not self._is_current(entry) or entry.held:
            return False  # stopped, removed, or died, while it was inspected
        if isinstance(facts, Exception):
            error = explain(facts, "look up the container")
            if isinstance(error, NotFound):
                self._forget(entry, None)
            else:
                self._refuse(entry, f"the engine did not say where its files are ({error.message})")
            return False
        if not facts.running:
            self._forget(entry, None)
            return False
        if entry.target is not None and _same_place(entry.target.facts, facts):
            entry.target = dataclasses.replace(entry.target, facts=facts)  # read from the list's word: confirmed
            return True
        try:
            target = open_target(facts, self._engine_facts(), self._files, mounts)
        except NotReadable as reason:
            self._refuse(entry, str(reason))
            return False
        if entry.target is not None and entry.target.files == target.files:
            entry.target = target  # read from the list's word already, the same files: its starting point stands
            return True
        if not self._start(entry, target):
            self._refuse(entry, "its counters could not be read")
            return False
        return True

    def _open_listed(self, entries: list[_Entry], mounts: list[Mount] | None) -> None:
        """The starting points of the containers the engine's list told of, read before their inspects are back."""
        try:
            engine = self._engine_facts() if mounts is not None else None
        except NotReadable:
            engine = None  # said for each container once its inspect is back
        if engine is None:
            return
        for entry in entries:
            place = listed_place(entry.container_id, *entry.listed, engine, mounts) if entry.listed else None
            if place is None:
                continue
            try:
                target = open_target(place.facts, engine, self._files, mounts, place.folders)
            except NotReadable:
                continue  # its inspect says where its files are, or why they cannot be read
            self._start(entry, target)

    def _start(self, entry: _Entry, target: KernelTarget) -> bool:
        """Reads its starting point, which its first payload is measured from; False when it cannot be read."""
        host = self._host_now()
        baseline = read_payload(target, host, self._machine) if host is not None else None
        if baseline is None:
            return False
        entry.target, entry.previous, entry.started_at = target, _kept(baseline), time.monotonic()
        self._started.append(entry)
        if self._on_start is not None:
            self._on_start(entry.context, baseline)
        return True

    def _host_now(self) -> HostCpu | None:
        """The host's CPU time for a starting point: the one read within HOST_FRESH_S, else read anew (100 starting
        points read one after another share a few; /proc/stat counts in 10 ms ticks anyway)."""
        now = time.monotonic()
        read_at, host = self._host
        if host is None or now - read_at > HOST_FRESH_S:
            host = host_cpu(self._files)
            self._host = (now, host)
        return host

    def _engine_facts(self) -> EngineFacts:
        if self._facts is None:
            try:
                self._facts = engine_facts(self._engine.api.info(), self._engine.stats_socket())
                self._machine = machine_limit(self._files)
            except Exception as exc:
                self._facts = NotReadable(f"the engine did not say how it runs containers ({explain(exc).message})")
        if isinstance(self._facts, NotReadable):
            raise self._facts
        return self._facts

    def _tick(self, now: float, everyone: bool) -> None:
        """One round: the host's CPU time once, then each container due. A container whose last read failed is
        inspected again instead (it stopped, or restarted with a new PID and no event reached us)."""
        host = host_cpu(self._files)
        again, handed = [], False
        for entry in list(self._entries.values()):
            if entry.held:
                continue
            if entry.failed:
                if everyone:
                    again.append(entry)
                continue
            first = entry.first_due is not None
            if entry.target is None or host is None or not (everyone or first) or (first and entry.first_due > now):
                continue
            payload = read_payload(entry.target, host, self._machine, entry.previous)
            if payload is None:
                entry.failed = True
                continue
            entry.previous, entry.first_due = _kept(payload), None
            self._on_payload(entry.context, payload, entry.target.source)
            handed = True
        if handed and self._on_round is not None:
            self._on_round()
        self._find(again)

    def _refuse(self, entry: _Entry, reason: str) -> None:
        logger.info("reading %s's numbers from the engine instead of the kernel: %s", entry.container_id[:12], reason)
        self._forget(entry, reason, refused=True)

    def _forget(self, entry: _Entry, reason: str | None, refused: bool = False) -> None:
        if self._is_current(entry):
            del self._entries[entry.container_id]
            self._publish_following()
        if refused:
            self._on_refused(entry.context, reason or "")
        else:
            self._on_end(entry.context, None)

    @staticmethod
    def _call(fn: Callable, *args) -> None:
        """A mistake in one round is logged; the next round goes on."""
        try:
            fn(*args)
        except Exception:
            logger.exception("reading containers' numbers from the kernel failed")
