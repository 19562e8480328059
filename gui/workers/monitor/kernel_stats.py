"""The numbers of every container of an engine on this computer, read from the kernel on one thread (issue 23).

Why: a stats stream per container makes the engine read each container's cgroup files, build a JSON document and
send it, every second: with many containers the engine spent three times the CPU Portside did. This thread reads
the same files itself (gui.core.monitor.kernel_stats), once per interval for all containers, and hands each
container's payload, in the engine's shape, to the same callback the streams feed; the engine is asked only once
per container (inspect: its main PID, cgroup parent and network) and once per engine (`docker info`).

Per container, whichever way its numbers come:
- added: inspected, its files found and read at once: its starting point, handed to on_start; its first payload
  follows FIRST_WINDOW_S later, so its first sample has CPU % and the network and disk rates measured over that
  short span (the Monitor's first complete frame, issue 23); then one payload per interval;
- refused (on_refused with the reason, a sentence): its files cannot be read here (permission, another PID
  namespace, a VM, a cgroup where Docker's rule and the kernel do not put it); the collector opens the engine's
  stream for that container alone;
- held (its "die" event): not read until it starts again; restarted (its "start" event): inspected again for its new
  PID, and read on from a new starting point, into the same chart line;
- a read that fails (it stopped while read) gives no payload; at the next tick it is inspected again: stopped for
  good means on_end(context, None), as a stream's end.
Callbacks run on this thread. add/remove/hold/restarted/set_interval/stop from any thread; stop waits for nothing.

Many containers at once (the Monitor opening on 100 of them): the adds that come together are found together, the
mount table read once for all of them and the engine's inspects asked INSPECT_THREADS at a time, and their first
payloads are read in one round, so the whole first frame is one batch: on_round follows every round that handed
over payloads, the collector's cue to turn them into samples at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ThreadPoolExecutor
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
    read_mounts,
)
from gui.core.monitor.kernel_stats import KernelTarget, host_cpu, machine_limit, open_target, read_payload

if TYPE_CHECKING:
    from gui.core.engine.client import Engine

logger = log.get("workers")

# A container's first payload comes this long after its starting point. /proc/stat counts the host's CPU time in
# 10 ms ticks, so over 0.1 s on 2 CPUs a first CPU % is within 5 % of itself (a busy loop reads 95 to 105 %); the
# next payload, a whole interval later, is exact again.
FIRST_WINDOW_S = 0.1
# The engine answers inspects side by side: 100 of them took 156 ms one after another here, 98 ms four at a time.
INSPECT_THREADS = 4

OnKernelPayload = Callable[[Any, dict, str], None]  # (context, payload, where its numbers come from)
OnStart = Callable[[Any, dict], None]  # (context, payload): its starting point, which its first payload follows
OnRound = Callable[[], None]  # a round handed over its payloads
OnRefused = Callable[[Any, str], None]  # (context, why the kernel cannot be read for it)
OnEnd = Callable[[Any, "str | None"], None]  # (context, None): it stopped for good


def _kept(payload: dict) -> dict:
    """What the next payload needs of this one: a payload is a few dozen objects, kept for 100 containers between
    rounds the garbage collector would walk them again and again (see gui.core.monitor.stats.StatsReading)."""
    return {"read": payload["read"], "cpu_stats": payload["cpu_stats"]}


class _Entry:
    def __init__(self, container_id: str, context: Any):
        self.container_id = container_id
        self.context = context
        self.target: KernelTarget | None = None
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
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # Any thread ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def add(self, container_id: str, context: Any) -> None:
        self._request("add", container_id, context)

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

    def _next_due(self, next_tick: float) -> float:
        firsts = [entry.first_due for entry in self._entries.values() if entry.first_due is not None]
        return min([next_tick, *firsts])

    def _take_requests(self) -> list[tuple]:
        with self._lock:
            requests, self._requests = self._requests, []
        return requests

    def _handle_requests(self) -> None:
        """Every request waiting, and those that come while the containers added are found: they are found together
        (one read of the mount table, inspects side by side) and get one starting time, so their first payloads are
        read in one round."""
        found: list[_Entry] = []
        while requests := self._take_requests():
            to_find: list[_Entry] = []
            for request in requests:
                self._handle(to_find, *request)
            found += self._find(
                [entry for entry in dict.fromkeys(to_find) if self._entries.get(entry.container_id) is entry]
            )
        if found:
            first_due = time.monotonic() + FIRST_WINDOW_S
            for entry in found:
                if entry.target is not None and self._entries.get(entry.container_id) is entry:
                    entry.first_due = first_due

    def _handle(self, to_find: list[_Entry], action: str, container_id: str, context: Any = None) -> None:
        entry = self._entries.get(container_id)
        if action == "add" and entry is None:
            entry = _Entry(container_id, context)
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

    def _find(self, entries: list[_Entry]) -> list[_Entry]:
        """Inspect the containers and find their files; each one's starting point is read as soon as its inspect is
        back (the next ones are still being asked meanwhile). The ones found."""
        for entry in entries:
            entry.target, entry.previous, entry.first_due, entry.failed = None, None, None, False
        if not entries:
            return []
        container_ids = [entry.container_id for entry in entries]
        if len(entries) < 2 * INSPECT_THREADS:
            inspected: Iterator[ContainerFacts | Exception] = map(self._inspect, container_ids)
        else:
            if self._inspectors is None:
                self._inspectors = ThreadPoolExecutor(INSPECT_THREADS, thread_name_prefix="kernel stats inspect")
            try:
                facts = self._inspectors.submit(self._engine_facts_quietly) if self._facts is None else None
                inspected = self._inspectors.map(self._inspect, container_ids)  # all asked now, answered in order
            except RuntimeError:  # stopped meanwhile: the pool takes no more
                return []
            if facts is not None:
                facts.result()  # `docker info` beside the first inspects, not after them
        try:
            mounts: list[Mount] | None = read_mounts(self._files)
        except NotReadable:
            mounts = None  # each container is refused with the reason, by locate
        found = []
        try:
            for entry, container in zip(entries, inspected):
                if self._open(entry, container, mounts):
                    found.append(entry)
        except CancelledError:  # stopped meanwhile
            pass
        return found

    def _engine_facts_quietly(self) -> None:
        try:
            self._engine_facts()
        except NotReadable:
            pass  # said for each container, by _open

    def _inspect(self, container_id: str) -> ContainerFacts | Exception:
        """Any thread (each has its own client: Engine.api)."""
        try:
            return container_facts(self._engine.api.inspect_container(container_id))
        except Exception as exc:
            return exc

    def _open(self, entry: _Entry, facts: ContainerFacts | Exception, mounts: list[Mount] | None) -> bool:
        """Its files, checked, and its starting point read; False (and the collector told) when it cannot be."""
        if self._stopping or self._entries.get(entry.container_id) is not entry or entry.held:
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
        try:
            target = open_target(facts, self._engine_facts(), self._files, mounts)
        except NotReadable as reason:
            self._refuse(entry, str(reason))
            return False
        host = host_cpu(self._files)
        baseline = read_payload(target, host, self._machine) if host is not None else None
        if baseline is None:
            self._refuse(entry, "its counters could not be read")
            return False
        entry.target, entry.previous = target, _kept(baseline)
        if self._on_start is not None:
            self._on_start(entry.context, baseline)
        return True

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
        if again:
            first_due = time.monotonic() + FIRST_WINDOW_S
            for entry in self._find(again):
                entry.first_due = first_due

    def _refuse(self, entry: _Entry, reason: str) -> None:
        logger.info("reading %s's numbers from the engine instead of the kernel: %s", entry.container_id[:12], reason)
        self._forget(entry, reason, refused=True)

    def _forget(self, entry: _Entry, reason: str | None, refused: bool = False) -> None:
        if self._entries.get(entry.container_id) is entry:
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
