"""Benchmark: the Containers and Images lists with many rows (issue 17), side by side with the docker CLI.
Run by hand; prints numbers.

    .venv/bin/python -m tests.bench.bench_lists [--containers 1000] [--images 1000] [--distinct 100]
        [--shared] [--startup] [--probe] [--profile]

On a private dockerd of its own (tests/engine's PrivateDockerd; --shared: the engine the tests use), it creates the
containers (`docker create`, busybox, labelled io.portside.bench=lists) and the image rows (`--distinct` images made
by `docker commit`, labelled, tagged until `docker images` has `--images` rows), opens the real main window on that
engine and measures, each with the longest gap of the GUI thread (a 5 ms heartbeat) while it ran:
- the anchors: `docker ps -a --no-trunc` and `docker images`, the CLI run the same way a user would;
- the first fill: the engine read (in the worker), the GUI thread applying it, and request to rows in the model;
- full refreshes as the app runs them (engine read and apply), and one applied with every row changed;
- a burst of 200 engine events from outside (start, rename, kill), until the page equals the engine again;
- sorting by each column, both ways, and typing into the filter boxes;
- event latency: `docker create` from outside until the row is in the model.
--startup adds process start to first window and to filled lists (5 runs); --probe says what the GUI thread was
doing when it stalled; --profile prints a cProfile of the GUI thread over the whole run.
Everything made is removed at the end, by label and by repository (the private dockerd is destroyed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import docker

LABEL_KEY = "io.portside.bench"
LABEL = {LABEL_KEY: "lists"}
LABEL_FILTER = f"{LABEL_KEY}=lists"
REPOSITORY = "portside-bench-lists"  # every image row made here is in a repository under it
BASE = f"{REPOSITORY}/busybox:base"
NAME_PREFIX = "bench-lists-"
SLEEP = ["/bin/busybox", "sleep", "3600"]
BURST_EVENTS = 200


# The objects -------------------------------------------------------------------------------------------------------


def build_base(client: docker.DockerClient) -> None:
    from tests.engine.images import BUSYBOX_BINARY

    context = Path(tempfile.mkdtemp())
    (context / "busybox").write_bytes(BUSYBOX_BINARY.read_bytes())
    (context / "busybox").chmod(0o755)
    (context / "Dockerfile").write_text('FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "true"]\n')
    client.images.build(path=str(context), tag=BASE, labels=LABEL, rm=True)


def make_objects(client: docker.DockerClient, containers: int, images: int, distinct: int) -> None:
    build_base(client)
    api = client.api
    first = api.create_container(BASE, SLEEP, name=f"{NAME_PREFIX}0", labels=LABEL)["Id"]
    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(
                lambda i: api.create_container(BASE, SLEEP, name=f"{NAME_PREFIX}{i}", labels=LABEL),
                range(1, containers),
            )
        )
    # Distinct images (a commit of a created container is quick), then more tags of them: `images` rows in all.
    distinct = max(1, min(distinct, images))
    ids = [
        api.commit(first, f"{REPOSITORY}/img{i:04d}", "d", changes=f"LABEL {LABEL_KEY}=lists n={i}")["Id"]
        for i in range(distinct)
    ]
    rows_now = 1 + distinct  # the base, and each image once
    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(
                lambda i: api.tag(ids[i % distinct], f"{REPOSITORY}/img{i % distinct:04d}", f"t{i}"),
                range(max(0, images - rows_now)),
            )
        )


def cleanup(client: docker.DockerClient) -> None:
    """Removes every container and image this benchmark made: by label, then any image row left in its repository
    (a tag of a removed image goes with it; one made by hand or by an older run is caught by name)."""
    api = client.api
    for container in api.containers(all=True, filters={"label": LABEL_FILTER}):
        api.remove_container(container["Id"], force=True)
    for image in api.images(filters={"label": LABEL_FILTER}):
        try:
            api.remove_image(image["Id"], force=True)
        except docker.errors.APIError:
            pass
    for image in api.images():
        if any(tag.startswith(f"{REPOSITORY}/") for tag in image.get("RepoTags") or []):
            try:
                api.remove_image(image["Id"], force=True)
            except docker.errors.APIError:
                pass


# The anchors -------------------------------------------------------------------------------------------------------


def cli_ms(host: str, *args: str, runs: int = 5) -> list[float]:
    from tests.engine import cli_env

    times = []
    for _ in range(runs):
        began = time.perf_counter()
        cli_env.docker_cli(*args, host=host, timeout=120)
        times.append((time.perf_counter() - began) * 1000)
    return times


def startup_runs(host: str, runs: int = 5) -> list[tuple[float, float, float]]:
    results = []
    for _ in range(runs):
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "gui", "--startup-report"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "DOCKER_HOST": host},
        ).stdout
        wall = (time.perf_counter() - began) * 1000
        values = dict(line.split()[:2] for line in out.splitlines() if line.endswith(tuple("0123456789")))
        results.append((float(values["first_window_ms"]), float(values["lists_filled_ms"]), wall))
    return results


# The burst, in a process of its own: its threads do not take the GUI thread's turn at the interpreter lock. ----------


def burst(host: str, names: list[str], result) -> None:
    """Starts `names`, renames them, then kills half of them: two events per name, and two per kill (kill, die)."""
    client = docker.APIClient(base_url=host, version="auto", timeout=60)
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(client.start, names))
            list(pool.map(lambda name: client.rename(name, f"{name}-renamed"), names))
            list(pool.map(lambda name: client.kill(f"{name}-renamed"), names[: len(names) // 2]))
        result.value = time.time()
    finally:
        client.close()


# In the app --------------------------------------------------------------------------------------------------------


def working_heartbeat():
    """benchkit's Heartbeat, also saying how much of its longest gap the GUI thread worked (its CPU time) and the
    app's other threads worked: the rest of the gap the GUI thread waited for a CPU (other processes: the engine,
    containers starting) or for the interpreter lock."""
    from tests.bench.benchkit import Heartbeat

    class WorkingHeartbeat(Heartbeat):
        def start(self) -> None:
            super().start()
            self.busy_ms = self.others_ms = 0.0
            self._cpu, self._process = time.thread_time(), time.process_time()

        def _beat(self) -> None:
            gap = self._clock.elapsed()
            cpu, process = time.thread_time(), time.process_time()
            if gap >= self.longest:
                self.busy_ms = (cpu - self._cpu) * 1000
                self.others_ms = (process - self._process) * 1000 - self.busy_ms
            self._cpu, self._process = cpu, process
            super()._beat()

    return WorkingHeartbeat()


class Phase:
    """One measured phase: wall time, and the GUI thread's longest gap and gaps over 50 ms while it ran."""

    def __init__(self, heartbeat):
        self.heartbeat = heartbeat

    def __enter__(self):
        import psutil

        psutil.cpu_percent()  # from now
        self.heartbeat.start()
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc):
        import psutil

        self.machine_busy = psutil.cpu_percent()  # every CPU of the machine, all processes: the engine's too
        self.ms = (time.perf_counter() - self.began) * 1000
        self.heartbeat.stop()
        self.stall = self.heartbeat.longest
        self.over_50 = self.heartbeat.over_50ms
        self.busy_ms, self.others_ms = self.heartbeat.busy_ms, self.heartbeat.others_ms


def turn(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)


class Applies:
    """Times the GUI thread's handling of each new snapshot: a slot connected before every other one and one
    connected after them (direct connections run in the order made), and the engine read in the worker."""

    def __init__(self):
        self.began = self.began_cpu = 0.0
        self.apply_ms: list[float] = []
        self.apply_cpu_ms: list[float] = []  # the GUI thread's CPU time in it: without waits for a CPU or the lock
        self.read_ms: list[float] = []
        self.requested: list[float] = []
        self.applied: list[float] = []

    def first(self, _snapshot) -> None:
        self.began, self.began_cpu = time.perf_counter(), time.thread_time()

    def last(self, _snapshot) -> None:
        now = time.perf_counter()
        self.apply_cpu_ms.append((time.thread_time() - self.began_cpu) * 1000)
        self.apply_ms.append((now - self.began) * 1000)
        self.applied.append(now)

    def timed_engine(self, engine):
        read = engine.snapshot

        def snapshot():
            began = time.perf_counter()
            try:
                return read()
            finally:
                self.read_ms.append((time.perf_counter() - began) * 1000)

        engine.snapshot = snapshot
        return engine


def in_process(host: str, args, report: dict[str, str]) -> None:
    import multiprocessing
    from dataclasses import replace

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from gui.core.build.history import BuildHistory
    from gui.core.engine.client import Engine
    from gui.core.engine.connection import Endpoint, diagnose
    from gui.views.main_window import MainWindow
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import StallProbe, wait

    app = QApplication.instance() or QApplication([])
    MainThreadGarbageCollector(app).start()  # as the app does (gui/app.py)
    endpoint = Endpoint(host, "DOCKER_HOST")
    applies = Applies()
    session = EngineSession(
        diagnose_fn=lambda: diagnose(endpoint),
        engine_factory=lambda diagnosis: applies.timed_engine(Engine.from_diagnosis(diagnosis)),
    )
    session.snapshotChanged.connect(applies.first)  # before the pages' own slots
    folder = Path(tempfile.mkdtemp(prefix="psbench-"))
    window = MainWindow(
        session, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), BuildHistory(folder / "builds")
    )
    session.snapshotChanged.connect(applies.last)
    window.resize(1400, 900)
    window.show()
    window.show_page("containers")  # a first start opens on Learn: the list must be on screen, painted
    turn(app, 0.5)
    containers, images = window.containers_page, window.images_page
    heartbeat = working_heartbeat()
    probe = StallProbe(threshold_ms=50) if args.probe else None
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    if probe:
        probe.start()
    client = docker.from_env(version="auto") if args.shared else docker.DockerClient(base_url=host, version="auto")

    def line(name: str, text: str) -> None:
        report[name] = text
        print(f"{name:34s} {text}", flush=True)

    def stall(phase: Phase) -> str:
        return (
            f"longest GUI gap {phase.stall:4d} ms (GUI thread working {phase.busy_ms:3.0f} ms of it, other threads "
            f"{phase.others_ms:3.0f} ms; {phase.over_50} gaps over 50 ms; the machine's CPUs "
            f"{phase.machine_busy:.0f} % busy)"
        )

    try:
        original_refresh = session.refresh

        def refresh() -> None:
            applies.requested.append(time.perf_counter())
            original_refresh()

        session.refresh = refresh
        with Phase(heartbeat) as fill:
            session.start()
            wait(app, lambda: containers.model.rowCount() >= args.containers and images.model.rowCount() >= args.images)
            turn(app, 0.5)  # the deferred work: fitting columns, painting
        line(
            "first fill",
            f"engine read {applies.read_ms[0]:6.0f} ms, GUI apply {applies.apply_ms[0]:5.1f} ms, request to rows "
            f"{(applies.applied[0] - applies.requested[0]) * 1000:6.0f} ms; {stall(fill)}",
        )
        line("rows", f"{containers.model.rowCount()} containers, {images.model.rowCount()} images")

        # Full refreshes as the app makes them after an event, one at a time.
        first, asked = len(applies.apply_ms), len(applies.requested)
        with Phase(heartbeat) as refreshes:
            for _ in range(5):
                count = len(applies.apply_ms)
                session.refresh()
                wait(app, lambda count=count: len(applies.apply_ms) > count, timeout_s=60)
                turn(app, 0.2)
        reads = applies.read_ms[first:]
        apply_ms = applies.apply_ms[first:]
        totals = [(a - r) * 1000 for a, r in zip(applies.applied[first:], applies.requested[asked:])]
        line(
            "full refresh (5)",
            f"engine read median {statistics.median(reads):6.0f} ms, GUI apply max {max(apply_ms):5.1f} ms (working "
            f"{max(applies.apply_cpu_ms[first:]):4.1f} ms), request "
            f"to rows median {statistics.median(totals):6.0f} max {max(totals):6.0f} ms; {stall(refreshes)}",
        )
        # The same lists with every row changed, as after an hour away ("Up 5 minutes" to "Up About an hour").
        snapshot = session.snapshot
        changed = replace(
            snapshot,
            containers=[replace(row, status=row.status + " ") for row in snapshot.containers],
            images=[replace(row, size=row.size + 1) for row in snapshot.images],
        )
        with Phase(heartbeat) as every_row:
            session.snapshotChanged.emit(changed)
            turn(app, 0.5)
            session.snapshotChanged.emit(snapshot)
            turn(app, 0.5)
        line(
            "every row changed (twice)",
            f"GUI apply {applies.apply_ms[-2]:5.1f} and {applies.apply_ms[-1]:5.1f} ms; {stall(every_row)}",
        )

        # A burst of events from outside, with rows selected that the burst leaves alone.
        untouched = {f"{NAME_PREFIX}{args.containers - 1}", f"{NAME_PREFIX}{args.containers - 2}"}
        keep = {row.id for row in containers.model.rows if row.name in untouched}
        containers.select_keys(keep, lambda row: row.id)
        events = [0]
        session.eventReceived.connect(lambda _event: events.__setitem__(0, events[0] + 1))
        names = [f"{NAME_PREFIX}{i}" for i in range(1, min(args.containers - 2, 1 + BURST_EVENTS * 2 // 6 + 1))]
        done = multiprocessing.get_context("spawn").Value("d", 0.0)
        driver = multiprocessing.get_context("spawn").Process(target=burst, args=(host, names, done), daemon=True)
        applied_before = len(applies.apply_ms)
        with Phase(heartbeat) as burst_phase:
            driver.start()
            wait(app, lambda: done.value > 0 or not driver.is_alive(), timeout_s=300)
            if done.value == 0:
                raise RuntimeError("the burst failed: see its error above")
            converged = wait_for_engine(app, client, containers, timeout_s=120)
        driver.join(30)
        kept = {row.id for row in containers.selected_rows()}
        burst_applies = applies.apply_ms[applied_before:]
        burst_cpu = applies.apply_cpu_ms[applied_before:]
        line(
            f"burst of {events[0]} events",
            f"page equal to the engine {converged:5.0f} ms after the last operation, {len(burst_applies)} refreshes "
            f"(GUI apply max {max(burst_applies, default=0):4.1f} ms, working {max(burst_cpu, default=0):4.1f} ms); "
            f"selection kept {len(kept & keep)}/{len(keep)}; "
            f"{stall(burst_phase)}",
        )

        # Sorting by each column, both ways; then typing into the filter boxes.
        for page, name in ((containers, "containers"), (images, "images")):
            window.show_page(name)
            turn(app, 0.3)
            calls = []
            with Phase(heartbeat) as sorting:
                for column in range(page.model.columnCount()):
                    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                        began = time.perf_counter()
                        page.table.sortByColumn(column, order)
                        calls.append(((time.perf_counter() - began) * 1000, column))
                        turn(app, 0.1)
            slowest = max(calls)
            line(
                f"sort {name} ({len(calls)} sorts)",
                f"median {statistics.median(c for c, _ in calls):5.1f} ms, slowest {slowest[0]:5.1f} ms "
                f"(column {slowest[1]}); {stall(sorting)}",
            )
            page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
            text = NAME_PREFIX + "12" if page is containers else f"{REPOSITORY}/img001"
            keys = []
            with Phase(heartbeat) as filtering:
                for end in [*range(1, len(text) + 1), 0]:
                    began = time.perf_counter()
                    page.filter_edit.setText(text[:end])
                    keys.append((time.perf_counter() - began) * 1000)
                    turn(app, 0.05)
            line(
                f"filter {name} ({len(keys)} keys)",
                f"median {statistics.median(keys):5.1f} ms, slowest {max(keys):5.1f} ms; {stall(filtering)}",
            )
        window.show_page("containers")

        # Event latency: `docker create` from another thread, as a terminal would, until the row is in the model.
        requested: dict[str, float] = {}
        shown: dict[str, float] = {}
        model = containers.model

        def on_rows_inserted(_parent, first_row, last_row):
            for position in range(first_row, last_row + 1):
                shown.setdefault(model.row_at(position).name, time.perf_counter())

        model.rowsInserted.connect(on_rows_inserted)

        def create_containers():
            for i in range(10):
                name = f"{NAME_PREFIX}event-{i}"
                requested[name] = time.perf_counter()
                client.api.create_container(BASE, SLEEP, name=name, labels=LABEL)
                time.sleep(0.3)

        creator = threading.Thread(target=create_containers)
        with Phase(heartbeat) as latency:
            creator.start()
            wait(app, lambda: not creator.is_alive() and len(shown.keys() & requested.keys()) == 10, timeout_s=60)
        creator.join()
        latencies = [(shown[name] - requested[name]) * 1000 for name in requested]
        line(
            "event to row (10 creates)",
            f"median {statistics.median(latencies):5.0f} ms, max {max(latencies):5.0f} ms; {stall(latency)}",
        )
    finally:
        if probe:
            probe.stop()
            print(probe.report())
        if profile is not None:
            import pstats

            profile.disable()
            stats = pstats.Stats(profile)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats("gui/", 40)
        window.close()
        session.stop()
        client.close()


def wait_for_engine(app, client: docker.DockerClient, page, timeout_s: float) -> float:
    """Milliseconds until the page's rows (names and states) equal the engine's, read in a thread meanwhile."""
    began = time.perf_counter()
    latest: list[dict[str, str] | None] = [None]

    def read() -> None:
        latest[0] = {
            container["Names"][0].lstrip("/"): container["State"] for container in client.api.containers(all=True)
        }

    reader: threading.Thread | None = None
    while time.perf_counter() - began < timeout_s:
        if reader is None or not reader.is_alive():
            if latest[0] is not None and latest[0] == {row.name: row.state for row in page.model.rows}:
                return (time.perf_counter() - began) * 1000
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
        app.processEvents()
        time.sleep(0.002)
    shown = {row.name: row.state for row in page.model.rows}
    engine = latest[0] or {}
    differ = sorted(
        (name, shown.get(name), engine.get(name))
        for name in shown.keys() | engine.keys()
        if shown.get(name) != engine.get(name)
    )
    print(f"  NOT EQUAL after {timeout_s:.0f} s: {len(differ)} rows differ (name, page, engine), e.g. {differ[:6]}")
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--containers", type=int, default=1000)
    parser.add_argument("--images", type=int, default=1000, help="rows of docker images")
    parser.add_argument("--distinct", type=int, default=100, help="distinct images among them (the rest are tags)")
    parser.add_argument("--shared", action="store_true", help="the engine the tests use, not a private dockerd")
    parser.add_argument("--startup", action="store_true", help="also time start-up in a process of its own")
    parser.add_argument("--probe", action="store_true", help="say what the GUI thread did when it stalled")
    parser.add_argument("--profile", action="store_true", help="cProfile the GUI thread")
    args = parser.parse_args()

    from tests.engine import engine_helpers as eh
    from tests.engine import private_engine

    dockerd = None
    if args.shared:
        host = eh.engine_url()
        client = eh.connect(host)
    else:
        dockerd = private_engine.PrivateDockerd()
        dockerd.start()
        host = dockerd.host
        client = dockerd.client()
    try:
        cleanup(client)
        began = time.perf_counter()
        make_objects(client, args.containers, args.images, args.distinct)
        print(
            f"made {args.containers} containers and {args.images} image rows in {time.perf_counter() - began:.0f} s "
            f"on {'the shared engine' if args.shared else 'a private dockerd'}: the engine lists "
            f"{len(client.api.containers(all=True))} containers, `docker images` "
            f"{len(cli_ms_lines(host, 'images'))} rows",
            flush=True,
        )
        for args_cli in (("ps", "-a", "--no-trunc"), ("images",)):
            times = cli_ms(host, *args_cli)
            print(
                f"anchor docker {' '.join(args_cli):17s} median {statistics.median(times):6.0f} ms  "
                f"max {max(times):6.0f} ms",
                flush=True,
            )
        if args.startup:
            runs = startup_runs(host)
            for label, index in (("first window", 0), ("lists filled", 1), ("process wall", 2)):
                values = [run[index] for run in runs]
                print(f"startup {label:13s} median {statistics.median(values):7.0f} ms  max {max(values):7.0f} ms")
        in_process(host, args, {})
    finally:
        if dockerd is not None:
            dockerd.destroy()  # everything on it goes
        else:
            cleanup(client)
            client.close()


def cli_ms_lines(host: str, *args: str) -> list[str]:
    from tests.engine import cli_env

    return cli_env.docker_cli(*args, host=host, timeout=120).stdout.splitlines()[1:]


if __name__ == "__main__":
    main()


def metrics(quick: bool):
    """For `python -m tests.bench`: this benchmark on a private dockerd, its printout read back."""
    import re

    from tests.bench.adapters import number, run_cli
    from tests.bench.results import Metric

    count = 100 if quick else 1000
    out = run_cli("bench_lists", "--containers", str(count), "--images", str(count), timeout_s=1500)
    print(out)  # the runner keeps it in NAME.log

    def after(label: str, pattern: str) -> float | None:
        line = next((line for line in out.splitlines() if line.startswith(label)), "")
        return number(line, pattern)

    cli_ps = number(out, r"anchor docker ps -a --no-trunc\s+median")
    cli_images = number(out, r"anchor docker images\s+median")
    anchor = cli_ps + cli_images if cli_ps is not None and cli_images is not None else None
    # The burst's driver (a process of its own) and the engine busy both CPUs of a small machine: its longest gap is
    # reported apart, with the GUI thread's own share of it.
    gaps = [
        int(gap)
        for line in out.splitlines()
        if not line.startswith("burst of")
        for gap in re.findall(r"longest GUI gap\s+([0-9]+) ms", line)
    ]
    return [
        Metric(
            f"lists, {count} containers and {count} image rows: first fill",
            after("first fill", "request to rows"),
            anchor,
            "docker ps -a + docker images",
            goal=100,
        ),
        Metric("lists: a full refresh", after("full refresh", "request to rows median"), goal=100),
        Metric("lists: a burst of events, until equal to the engine", after("burst of", "page equal to the engine")),
        Metric("lists: sort the containers", after("sort containers", "median"), goal=50),
        Metric("lists: filter the containers, a key", after("filter containers", "median"), goal=50),
        Metric("lists: a container created outside, to its row", after("event to row", "median")),
        Metric("lists: longest GUI stall, but for the burst", max(gaps, default=None), goal=50),
        Metric("lists: burst, longest GUI stall", after("burst of", "longest GUI gap")),
        Metric("lists: burst, GUI thread working in it", after("burst of", "GUI thread working"), goal=50),
    ]
