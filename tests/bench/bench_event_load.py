"""Benchmark: the Containers list under a steady stream of lifecycle events, across one engine restart (issue 15).
Run by hand; prints numbers.

    .venv/bin/python -m tests.bench.bench_event_load [--containers 100] [--rate 10] [--minutes 1] [--max-running 40]

The issue's load is --containers 500 --rate 10 --minutes 10. On a private dockerd of its own (tests/engine's
PrivateDockerd, so the shared engine stays up), it creates the containers (busybox, labelled io.portside.bench=1),
opens the real main window on that engine, and starts, kills, pauses and unpauses them at `rate` operations a
second. Halfway, it kills dockerd with SIGKILL and starts it again. Then it prints:
- the Containers page's rows against `docker ps -a` (names and states), compared exactly, after the restart and at
  the end;
- how long the page took to match `docker ps -a` once the engine answered again (the load waits meanwhile, so the
  two can be compared), and once the load stopped;
- the longest gap of the GUI thread (a 5 ms heartbeat), over the whole run and around the restart, and how much of
  it the GUI thread spent working (its CPU time; the rest it waited for a CPU or for the interpreter lock).
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LABEL = {"io.portside.bench": "1"}
WORKERS = 4  # threads running the operations: a start takes longer than 1/rate seconds
CONVERGE_TIMEOUT_S = 120


class Driver:
    """Starts, kills, pauses and unpauses random containers at `rate` operations a second, from a few threads, each
    with its own client. An operation that fails (the engine is down, the container changed meanwhile) is counted
    and skipped: the load goes on. Runs in a process of its own (drive()), so its threads do not take the GUI
    thread's turn at the interpreter lock and the GUI gaps measured are the app's own."""

    def __init__(self, host: str, names: list[str], rate: float, max_running: int, go, stop):
        self.host = host
        self.names = names
        self.rate = rate
        self.max_running = max_running
        self.state = dict.fromkeys(names, "created")  # what the driver believes, from its own operations
        self.busy: set[str] = set()
        self.lock = threading.Lock()
        self.done = 0
        self.failed = 0
        self.go = go  # cleared: the load waits (while the page is compared after the restart)
        self._stop = stop
        self._jobs: queue.Queue = queue.Queue(maxsize=WORKERS * 2)
        self._threads = [threading.Thread(target=self._tick, name="bench ticks", daemon=True)]
        self._threads += [threading.Thread(target=self._work, name="bench ops", daemon=True) for _ in range(WORKERS)]

    def run(self) -> tuple[int, int]:
        for thread in self._threads:
            thread.start()
        self._stop.wait()
        for thread in self._threads:
            thread.join(30)
        return self.done, self.failed

    def _tick(self) -> None:
        interval = 1 / self.rate
        due = time.monotonic()
        while not self._stop.is_set():
            self.go.wait()
            due = max(due + interval, time.monotonic() - 1)  # catch up a little, never in a burst
            time.sleep(max(0.0, due - time.monotonic()))
            job = self._pick()
            if job is not None:
                try:
                    self._jobs.put(job, timeout=1)
                except queue.Full:  # the engine is slower than the rate asked for: counted as failed
                    self._release(job[0], None)
                    with self.lock:
                        self.failed += 1

    def _pick(self) -> tuple[str, str] | None:
        with self.lock:
            free = [name for name in self.names if name not in self.busy]
            if not free:
                return None
            name = random.choice(free)
            running = sum(state == "running" for state in self.state.values())
            state = self.state[name]
            if state == "paused":
                operation = "unpause"
            elif state == "running":
                operation = "pause" if random.random() < 0.2 else "kill"
            elif running >= self.max_running:
                return None
            else:
                operation = "start"
            self.busy.add(name)
            return name, operation

    def _release(self, name: str, new_state: str | None) -> None:
        with self.lock:
            self.busy.discard(name)
            if new_state is not None:
                self.state[name] = new_state

    def _work(self) -> None:
        import docker

        client = docker.APIClient(base_url=self.host, version="auto", timeout=30)
        after = {"start": "running", "kill": "exited", "pause": "paused", "unpause": "running"}
        while not self._stop.is_set():
            try:
                name, operation = self._jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                getattr(client, operation)(name)
            except Exception:
                self._release(name, self._actual_state(client, name))
                with self.lock:
                    self.failed += 1
            else:
                self._release(name, after[operation])
                with self.lock:
                    self.done += 1
        client.close()

    @staticmethod
    def _actual_state(client, name: str) -> str | None:
        try:
            return client.inspect_container(name)["State"]["Status"]
        except Exception:
            return None  # the engine is down: keep what we believed


def drive(host: str, names: list[str], rate: float, max_running: int, go, stop, counts) -> None:
    """The load, in a child process: runs until `stop` is set, then leaves (done, failed) in `counts`."""
    counts[0], counts[1] = Driver(host, names, rate, max_running, go, stop).run()


class LoadProcess:
    """The Driver in a process of its own (spawned: the parent has Qt running), held and let go through `go`."""

    def __init__(self, host: str, names: list[str], rate: float, max_running: int):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.go, self._stop = context.Event(), context.Event()
        self.go.set()
        self._counts = context.Array("i", 2)
        self._process = context.Process(
            target=drive, args=(host, names, rate, max_running, self.go, self._stop, self._counts), daemon=True
        )
        self.done = self.failed = 0

    def start(self) -> None:
        self._process.start()

    def stop(self) -> None:
        if self._process.pid is None or self._stop.is_set():
            return
        self._stop.set()
        self.go.set()
        self._process.join(60)
        self.done, self.failed = self._counts[0], self._counts[1]


def docker_ps(host: str) -> dict[str, str]:
    """`docker ps -a`: name -> state, from the real CLI."""
    from tests.engine import cli_env

    out = cli_env.docker_cli("ps", "-a", "--format", "{{.Names}}\t{{.State}}", host=host, timeout=60).stdout
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def page_rows(window) -> dict[str, str]:
    return {row.name: row.state for row in window.containers_page.model.rows}


def compare(page: dict[str, str], ps: dict[str, str]) -> dict[str, list]:
    return {
        "missing from the page": sorted(set(ps) - set(page)),
        "on the page, not in docker ps -a": sorted(set(page) - set(ps)),
        "state differs (page, docker ps -a)": sorted(
            (name, page[name], ps[name]) for name in set(page) & set(ps) if page[name] != ps[name]
        ),
    }


def describe(page: dict[str, str], ps: dict[str, str]) -> str:
    differences = compare(page, ps)
    states = {state: list(ps.values()).count(state) for state in sorted(set(ps.values()))}
    lines = [f"  docker ps -a: {len(ps)} containers {states}; the Containers page: {len(page)} rows"]
    for what, items in differences.items():
        lines.append(f"  {what}: {len(items)}" + (f" e.g. {items[:5]}" if items else ""))
    lines.append("  EXACT MATCH" if not any(differences.values()) else "  NOT EQUAL")
    return "\n".join(lines)


class Comparer:
    """Reads `docker ps -a` in a thread (it blocks) while the GUI thread keeps turning; `matches(window)` is True once
    the page equals the latest reading taken after the page last changed."""

    def __init__(self, host: str):
        self.host = host
        self.latest: dict[str, str] | None = None
        self._thread: threading.Thread | None = None

    def poll(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()

    def _read(self) -> None:
        try:
            self.latest = docker_ps(self.host)
        except Exception:
            self.latest = None

    def wait_for_match(self, app, window, timeout_s: float) -> float | None:
        """Seconds until the page equals `docker ps -a`, or None after timeout_s."""
        began = time.monotonic()
        self.latest = None
        while time.monotonic() - began < timeout_s:
            self.poll()
            app.processEvents()
            time.sleep(0.005)
            if self.latest is not None and self.latest == page_rows(window):
                return time.monotonic() - began
        return None


def run_for(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10, help="lifecycle operations a second")
    parser.add_argument("--minutes", type=float, default=1)
    parser.add_argument("--max-running", type=int, default=40, help="at most this many running at once")
    parser.add_argument("--probe", action="store_true", help="also say what the GUI thread did when it stalled")
    args = parser.parse_args()

    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.core.build.history import BuildHistory
    from gui.core.engine.connection import Endpoint, diagnose
    from gui.views.main_window import MainWindow
    from gui.workers.session import EngineSession
    from tests.bench.bench_lists import working_heartbeat
    from tests.bench.benchkit import wait
    from tests.engine import engine_helpers as eh
    from tests.engine import images, private_engine

    main_client = eh.connect(eh.engine_url())
    busybox = images.ensure_busybox_image(main_client)
    dockerd = private_engine.PrivateDockerd()
    app = QApplication.instance() or QApplication([])
    window = session = driver = None
    try:
        dockerd.start()
        dockerd.load_image(main_client, busybox)
        client = dockerd.client()
        began = time.monotonic()
        names = [f"bench-load-{i}" for i in range(args.containers)]
        for name in names:
            client.api.create_container(busybox, ["sleep", "3600"], name=name, labels=LABEL)
        print(f"created {args.containers} containers in {time.monotonic() - began:.1f} s on a private dockerd")

        folder = Path(tempfile.mkdtemp(prefix="psbench-"))
        endpoint = Endpoint(dockerd.host, "DOCKER_HOST")
        session = EngineSession(diagnose_fn=lambda: diagnose(endpoint))
        window = MainWindow(
            session, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), BuildHistory(folder / "builds")
        )
        window.show()
        session.start()
        wait(app, lambda: len(window.containers_page.model.rows) == args.containers, timeout_s=60)
        events = [0]
        session.eventReceived.connect(lambda _event: events.__setitem__(0, events[0] + 1))
        heartbeat = working_heartbeat()
        comparer = Comparer(dockerd.host)
        driver = LoadProcess(dockerd.host, names, args.rate, args.max_running)

        total_s = args.minutes * 60
        probe = None
        if args.probe:
            from tests.bench.benchkit import StallProbe

            probe = StallProbe(threshold_ms=50)
            probe.start()
        heartbeat.start()
        driver.start()
        run_for(app, total_s / 2)
        before_restart, before_busy = heartbeat.longest, heartbeat.busy_ms

        # The engine crashes and comes back; the GUI keeps turning meanwhile.
        restart = {}

        def crash_and_restart() -> None:
            restart["killed"] = time.monotonic()
            dockerd.kill()
            dockerd.start()
            restart["up"] = time.monotonic()

        heartbeat.start()  # the longest gap around the restart alone
        threading.Thread(target=crash_and_restart, daemon=True).start()
        wait(app, lambda: "up" in restart, timeout_s=180)
        driver.go.clear()  # hold the load so the page and docker ps -a can be compared
        converged = comparer.wait_for_match(app, window, CONVERGE_TIMEOUT_S)
        after_restart_ps = comparer.latest or docker_ps(dockerd.host)
        after_restart_page = page_rows(window)
        around_restart = heartbeat.longest
        driver.go.set()
        heartbeat_rest = working_heartbeat()
        heartbeat_rest.start()
        run_for(app, max(0.0, total_s / 2 - (time.monotonic() - restart["up"])))
        heartbeat.stop()
        heartbeat_rest.stop()  # before the bench's own blocking calls (joining the load, docker ps -a)
        if probe is not None:
            probe.stop()
        driver.stop()
        settled = comparer.wait_for_match(app, window, CONVERGE_TIMEOUT_S)
        final_ps = docker_ps(dockerd.host)
        final_page = page_rows(window)

        print(
            f"load: {args.containers} containers, {args.rate:g} operations/s asked, {args.minutes:g} min; "
            f"{driver.done} operations done, {driver.failed} failed or skipped (most while the engine was down); "
            f"{events[0]} engine events reached the session"
        )
        print(
            f"engine restart: down to up {restart['up'] - restart['killed']:.1f} s (dockerd restoring its containers)"
        )
        print(
            "after the restart, the page matched docker ps -a in "
            + (f"{converged:.1f} s" if converged is not None else f"NOT within {CONVERGE_TIMEOUT_S} s")
            + " from the engine answering again:"
        )
        print(describe(after_restart_page, after_restart_ps))
        print(
            "at the end, once the load stopped, the page matched docker ps -a in "
            + (f"{settled:.1f} s:" if settled is not None else f"NOT within {CONVERGE_TIMEOUT_S} s:")
        )
        print(describe(final_page, final_ps))
        print(
            f"longest GUI-thread gap: {max(before_restart, around_restart, heartbeat_rest.longest)} ms "
            f"(before the restart {before_restart} ms, around it {around_restart} ms, after it "
            f"{heartbeat_rest.longest} ms); gaps over 50 ms after the restart: {heartbeat_rest.over_50ms}"
        )
        print(
            f"  of those longest gaps, the GUI thread worked {before_busy:.0f} ms before the restart and "
            f"{heartbeat_rest.busy_ms:.0f} ms after it; the rest it waited for a CPU or the interpreter lock"
        )
        if probe is not None:
            print(probe.report())
    finally:
        if driver is not None:
            driver.stop()
        if window is not None:
            window.close()
        if session is not None:
            session.stop()
        dockerd.destroy()
        main_client.close()


if __name__ == "__main__":
    main()
