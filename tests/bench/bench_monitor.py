"""Benchmark: the whole app monitoring many containers on the real engine, as the issue measures it.

    .venv/bin/python -m tests.bench.bench_monitor [--first 50] [--steady 100] [--minutes 10] [--page monitor]
                                                  [--probe] [--floor]

1. Time to the first complete set of container stats (every one of --first containers has a CPU %), from the
   moment the engine answers, against `docker stats --no-stream` timed in the same run.
2. Steady state with --steady containers at 1 Hz for --minutes, with the chosen page on screen: the app's own
   CPU use (% of one core), its resident memory at the end, and the longest GUI stall (5 ms heartbeat).
Containers run busybox `sleep`, carry the label io.portside.bench=monitor and are removed at the end.

    .venv/bin/python -m tests.bench.bench_monitor --side-by-side [--containers 100] [--warmup 20] [--window 60]
                                                  [--floor]

3. Side by side (issue 23): the docker CLI's `docker stats` (streaming, to /dev/null) and the real app on its
   Monitor page (gui.app.main offscreen, in a child process) in turn on the same --containers, between two idle
   phases with no client at all. Each phase gets its own window: the client's CPU and resident memory, and the
   engine's CPU (dockerd + containerd; the bench containers' containerd-shims apart), all read from /proc; the
   app's GUI stalls and first complete frame from hooks added to its event loop; then the issue's goals, pass or
   fail. The engine is the whole daemon: others using it meanwhile show up there (and in both idle phases). With
   --floor, an idle Qt app (bench_floor.py) runs through Portside's window too: the stalls it also saw were the
   machine's (other work on the same cores), not Portside's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
LABEL = "io.portside.bench=monitor"


def start_containers(client, image: str, count: int) -> list[str]:
    key, value = LABEL.split("=")
    ids = []
    for _ in range(count):
        container = client.api.create_container(
            image, "sleep 3600", labels={key: value}, host_config=client.api.create_host_config(auto_remove=False)
        )
        client.api.start(container["Id"])
        ids.append(container["Id"])
    return ids


def remove_containers(client) -> None:
    import docker.errors

    for container in client.api.containers(all=True, filters={"label": LABEL}):
        try:
            client.api.remove_container(container["Id"], force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # an earlier run still removing it: wait for that
            if exc.status_code != 409:
                raise
    while client.api.containers(all=True, filters={"label": LABEL}):
        time.sleep(0.5)


def cli_no_stream_seconds() -> float:
    began = time.perf_counter()
    subprocess.run(["docker", "stats", "--no-stream"], check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side-by-side", action="store_true", help="docker stats and Portside in turn (issue 23)")
    parser.add_argument("--containers", type=int, default=100, help="side by side: how many containers")
    parser.add_argument("--warmup", type=float, default=20, help="side by side: seconds before each window")
    parser.add_argument("--window", type=float, default=60, help="side by side: seconds measured per phase")
    parser.add_argument(
        "--app-window", type=float, help="side by side: seconds Portside is measured (default: --window)"
    )
    # Side by side's own children: the app on its Monitor page, and what the heartbeat alone costs.
    parser.add_argument("--portside-child", metavar="IDS_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--window-start", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--window-end", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--heartbeat-cost", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--steady", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--page", default="monitor", help="page on screen during the steady state")
    parser.add_argument("--probe", action="store_true", help="also say what the GUI thread did when it stalled")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run bench_floor.py beside it: the stalls an idle app sees on this machine",
    )
    parser.add_argument(
        "--switch-ms",
        type=float,
        default=1.0,
        help="Python's GIL switch interval; 1 ms as the app sets it (gui/app.py), Python's own is 5",
    )
    args = parser.parse_args()
    if args.portside_child:
        portside_child(args)
    elif args.heartbeat_cost:
        heartbeat_cost_child()
    elif args.side_by_side:
        side_by_side(args)
    else:
        steady_state(args)


def steady_state(args: argparse.Namespace) -> None:
    import psutil
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.core.build.history import BuildHistory
    from gui.core.run.memory import RunMemory
    from gui.views.main_window import MainWindow
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat, StallProbe, wait
    from tests.engine import engine_helpers as eh
    from tests.engine import images

    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)
    client = eh.connect()
    image = images.ensure_busybox_image(client)
    remove_containers(client)
    app = QApplication.instance() or QApplication([])
    MainThreadGarbageCollector(app).start()  # as the app does (gui/app.py)
    me = psutil.Process()
    try:
        ids = start_containers(client, image, args.first)
        print(f"docker stats --no-stream, {args.first} containers: {cli_no_stream_seconds():.2f} s")

        folder = Path(tempfile.mkdtemp())
        session = EngineSession()
        window = MainWindow(
            session,
            QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat),
            BuildHistory(folder / "builds"),
            RunMemory(folder / "run.json"),
        )
        window.resize(window.sizeHint())
        window.show()
        session.start()
        wait(app, lambda: session.diagnosis is not None and session.diagnosis.usable)
        connected = time.perf_counter()
        window.show_page(args.page)
        wait(
            app,
            lambda: all(
                (window.monitor.containers.get(i) is not None and window.monitor.containers[i].cpu_percent is not None)
                for i in ids
            ),
            60,
        )
        print(
            f"first complete set, {args.first} containers: {time.perf_counter() - connected:.2f} s "
            "(from the engine answering)"
        )

        ids += start_containers(client, image, max(0, args.steady - args.first))
        wait(app, lambda: all(i in window.monitor.containers for i in ids), 60)
        print(f"steady state: {len(ids)} containers, page {args.page}, {args.minutes:g} minutes")

        heartbeat = Heartbeat()
        wait(app, lambda: True, settle_s=3)  # let the first charts build before measuring stalls
        cpu_before, wall_before = sum(me.cpu_times()[:2]), time.perf_counter()
        heartbeat.start()
        floor = (
            subprocess.Popen(
                [sys.executable, "-m", "tests.bench.bench_floor", "--minutes", str(args.minutes)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            if args.floor
            else None
        )
        probe = StallProbe() if args.probe else None
        if probe:
            probe.start()
        report = QTimer(
            interval=60_000,
            timeout=lambda: print(
                f"  rss {me.memory_info().rss / 2**20:.0f} MiB, longest stall so far {heartbeat.longest} ms, "
                f"{heartbeat.over_50ms} over 50 ms",
                flush=True,
            ),
        )
        report.start()
        QTimer.singleShot(int(args.minutes * 60_000), app.quit)
        app.exec()  # the real event loop: the CPU measured is the app's own
        report.stop()
        heartbeat.stop()
        if probe:
            probe.stop()
            print(probe.report())
        cpu = (sum(me.cpu_times()[:2]) - cpu_before) / (time.perf_counter() - wall_before) * 100
        print(f"app CPU                 {cpu:.1f} % of one core")
        print(f"resident memory         {me.memory_info().rss / 2**20:.0f} MiB")
        print(f"longest GUI stall       {heartbeat.longest} ms ({heartbeat.over_50ms} stalls over 50 ms)")
        if heartbeat.stalls:
            print(f"  at {heartbeat.stall_times()}")
        if floor:
            print(floor.communicate()[0].strip())
        window.close()
        session.stop()
    finally:
        remove_containers(client)


# Side by side (issue 23) ---------------------------------------------------------------------------------------

# What "complete" means for the first frame: every container has all of these (memory, network and disk as rates).
COMPLETE_FIELDS = ("cpu_percent", "memory_used", "net_rx_rate", "net_tx_rate", "block_read_rate", "block_write_rate")
NOTE_STALLS_OVER_MS = 10  # the heartbeat notes every gap above this, so the longest inside the window is known
RSS_FLAT_AFTER_S = 60  # "flat after the first minute" of the app's life ...
RSS_FLAT_MIB = 4  # ... means it grows by at most this much from then to the end
RESULT = "BENCH_RESULT "  # the children's JSON line starts with this


def _complete(stats) -> bool:
    return stats is not None and all(getattr(stats, name, None) is not None for name in COMPLETE_FIELDS)


def portside_child(args: argparse.Namespace) -> None:
    """The real app, as `portside` starts it (gui.app.main), with its settings, data and logs in a scratch folder
    where the Monitor page is saved as the page to open. Once its event loop runs, the bench hooks in: a heartbeat
    in the GUI thread, the page opening, the first complete frame. The app closes its window a second after
    --window-end, and this prints one JSON line. The parent reads CPU and memory from /proc."""
    import json

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui import app as portside
    from gui.views.main_window import MainWindow
    from tests.bench.benchkit import Heartbeat

    ids = set(Path(args.portside_child).read_text().split())
    folder = Path(tempfile.mkdtemp(prefix="portside-bench-"))  # never the user's own settings, history or logs
    for kind in ("config", "data", "state", "cache"):
        os.environ[f"XDG_{kind.upper()}_HOME"] = str(folder / kind)
    (folder / "config" / "portside").mkdir(parents=True)
    (folder / "config" / "portside" / "portside.conf").write_text("[window]\npage=monitor\n")
    app = QApplication(sys.argv[:1])  # the app's own start-up takes this one (gui.app.run_gui)
    heartbeat = Heartbeat(note_over_ms=NOTE_STALLS_OVER_MS)
    result: dict = {"first_frame_ms": None, "opened_by": None, "opened_at": 0.0, "fields_ms": {}}
    opened: list[float] = []  # when the Monitor page came on screen (perf_counter)
    complete: list[bool] = []

    def hook() -> None:
        window = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)
        if window is None:
            QTimer.singleShot(10, hook)
            return
        heartbeat.start()

        def page_changed(_index: int = 0) -> None:
            if not opened and window.stack.currentWidget() is window.monitor_page:
                opened.append(time.perf_counter())
                result["opened_at"] = time.time()
                result["opened_by"] = result["opened_by"] or "the app (the page saved at quitting)"

        def open_page() -> None:
            if not opened:
                result["opened_by"] = "the bench (the app did not open the saved page)"
                window.show_page("monitor")

        def engine_answered(diagnosis) -> None:  # should the saved page not be honoured, the bench opens it
            if diagnosis.usable and not opened:
                QTimer.singleShot(500, open_page)

        def painted() -> None:
            result["first_frame_ms"] = (time.perf_counter() - opened[0]) * 1000

        def updated() -> None:  # connected after the page's own slot: the page has shown this tick already
            if not opened or complete:
                return
            shown = window.monitor.containers
            for name in COMPLETE_FIELDS:  # when each field had a value for every container: which came last
                if name not in result["fields_ms"] and all(getattr(shown.get(i), name, None) is not None for i in ids):
                    result["fields_ms"][name] = round((time.perf_counter() - opened[0]) * 1000)
            if all(_complete(shown.get(i)) for i in ids):
                complete.append(True)
                QTimer.singleShot(0, painted)  # the time once the event loop has painted it

        if window.stack.currentWidget() is window.monitor_page:
            result["opened_by"] = "the app, before the bench could look (the time is late)"
            page_changed()
        window.stack.currentChanged.connect(page_changed)
        window.session.diagnosisChanged.connect(engine_answered)
        window.monitor.updated.connect(updated)

    QTimer.singleShot(0, hook)  # runs once the app's event loop does: its window is built by then
    portside.main(["--quit-after", str(int(max(0.0, args.window_end + 1 - time.time()) * 1000))])
    heartbeat.stop()
    inside = [gap for at, gap in heartbeat.stalls if args.window_start <= at <= args.window_end]
    before = [gap for at, gap in heartbeat.stalls if result["opened_at"] < at < args.window_start]
    result.update(
        longest_stall_ms=max(inside, default=None),
        stalls_over_50ms=sum(gap > 50 for gap in inside),
        longest_stall_warmup_ms=max(before, default=None),
    )
    print(RESULT + json.dumps(result), flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(0)  # the app has quit; nothing left worth waiting for


def heartbeat_cost_child(seconds: float = 3.0) -> None:
    """The heartbeat's own CPU (% of one core): an empty event loop with it and without it."""
    import json

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from tests.bench.benchkit import Heartbeat

    app = QApplication([])

    def spin(beating: bool) -> float:
        heartbeat, loop = Heartbeat(), QEventLoop()
        if beating:
            heartbeat.start()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        cpu, wall = time.process_time(), time.perf_counter()
        loop.exec()
        heartbeat.stop()
        return (time.process_time() - cpu) / (time.perf_counter() - wall) * 100

    quiet = spin(False)
    print(RESULT + json.dumps({"percent": max(0.0, spin(True) - quiet)}), flush=True)
    app.quit()


def _spawn(command: list[str]) -> subprocess.Popen:
    """A child whose output goes to a file: a pipe nobody reads while it runs would fill up and block it."""
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (lives as long as the child; closed with the process)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log  # type: ignore[attr-defined]
    return process


def _output(process: subprocess.Popen) -> str:
    process.log.seek(0)  # type: ignore[attr-defined]
    return process.log.read()  # type: ignore[attr-defined]


def _child_result(process: subprocess.Popen, timeout_s: float = 60) -> dict:
    import json

    process.wait(timeout_s)
    out = _output(process)
    for line in out.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise RuntimeError(f"the child printed no result (exit {process.returncode}): {out.strip()[-2000:]}")


def _usage(client_pid: int | None, engine: list[int], shims: list[int]) -> dict:
    from tests.bench import proc_usage as pu

    return {
        "client": pu.CpuSample.of([client_pid]) if client_pid else None,
        "engine": pu.CpuSample.of(engine),
        "shims": pu.CpuSample.of(shims),
        "machine": pu.machine_cpu(),
    }


def _watch_phase(name, process, started: float, warmup: float, window: float, engine, shims) -> dict:
    """Waits out the warm-up, then the window, reading the client's memory every second; the CPU of the client,
    the engine and the machine over the window."""
    from tests.bench import proc_usage as pu

    rss: list[tuple[float, int]] = []  # (seconds since the client started, bytes)

    def until(deadline: float) -> None:
        while (now := time.monotonic()) < deadline:
            if process is not None:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} ended early: {_output(process).strip()[-2000:]}")
                value = pu.rss_bytes(process.pid)
                if value:
                    rss.append((now - started, value))
            time.sleep(min(1.0, deadline - now))

    pid = process.pid if process is not None else None
    until(started + warmup)
    before = _usage(pid, engine, shims)
    window_from = len(rss)
    until(started + warmup + window)
    after = _usage(pid, engine, shims)
    client = pu.percent_between(before["client"], after["client"]) if pid else None
    engine_cpu = pu.percent_between(before["engine"], after["engine"])
    shim_cpu = pu.percent_between(before["shims"], after["shims"])
    machine = pu.machine_percent(before["machine"], after["machine"])
    late = [value for at, value in rss if at >= RSS_FLAT_AFTER_S]
    return {
        "name": name,
        "client": client,
        "engine": engine_cpu,
        "shims": shim_cpu,
        "rest": machine - (client or 0) - engine_cpu - shim_cpu,
        "rss": rss[-1][1] / 2**20 if rss else None,
        "rss_peak": max((value for _at, value in rss[window_from:]), default=0) / 2**20 if rss else None,
        "rss_growth": (late[-1] - late[0]) / 2**20 if len(late) >= 10 else None,
        "load": pu.load_average(),
    }


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def side_by_side(args: argparse.Namespace) -> dict:
    """Runs the four phases, prints the table and the goals; the summary (see _summary)."""
    from tests.bench import proc_usage as pu
    from tests.engine import engine_helpers as eh
    from tests.engine import images

    client = eh.connect()
    image = images.ensure_busybox_image(client)
    remove_containers(client)
    engine = pu.pids_named("dockerd", "containerd")
    settle_s = 5
    app_window = getattr(args, "app_window", None) or args.window  # issue 17 watches the app for 10 minutes
    try:
        ids = start_containers(client, image, args.containers)
        shims = pu.shim_pids(set(ids))
        running = len(client.api.containers())
        print(
            f"side by side: {args.containers} containers ({running} running on the engine in all), warm-up "
            f"{args.warmup:g} s, window {args.window:g} s (Portside's {app_window:g} s), {os.cpu_count()} cores, "
            f"load average {pu.load_average()}",
            flush=True,
        )
        # The heartbeat's own cost, taken off the app's CPU; meanwhile the engine settles after the starts.
        cost = _child_result(_spawn([sys.executable, "-m", "tests.bench.bench_monitor", "--heartbeat-cost"]))["percent"]
        time.sleep(settle_s)
        phases = [_watch_phase("idle (no client)", None, time.monotonic(), 0, args.window, engine, shims)]
        print(f"  idle done, load average {pu.load_average()}", flush=True)

        cli = _spawn(["sh", "-c", "exec docker stats >/dev/null"])  # its errors still reach the log
        try:
            phases.append(_watch_phase("docker stats", cli, time.monotonic(), args.warmup, args.window, engine, shims))
        finally:
            _stop(cli)
        print(f"  docker stats done, load average {pu.load_average()}", flush=True)
        time.sleep(settle_s)  # the engine closes the CLI's streams

        with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as listed:
            listed.write("\n".join(ids))
        window_start = time.time() + args.warmup
        started = time.monotonic()
        floor: list[subprocess.Popen] = []  # the idle app, through Portside's window
        floor_timer = threading.Timer(
            args.warmup,
            lambda: floor.append(
                _spawn([sys.executable, "-m", "tests.bench.bench_floor", "--minutes", str(app_window / 60)])
            ),
        )
        if args.floor:
            floor_timer.start()
        app = _spawn(
            [sys.executable, "-m", "tests.bench.bench_monitor", "--portside-child", listed.name]
            + ["--window-start", str(window_start), "--window-end", str(window_start + app_window)]
        )  # offscreen: this module sets QT_QPA_PLATFORM, and the child inherits it
        try:
            portside = _watch_phase("Portside Monitor", app, started, args.warmup, app_window, engine, shims)
            portside.update(_child_result(app))
            if floor:
                floor[0].wait(60)
                said = [line for line in _output(floor[0]).splitlines() if line.startswith("idle app beside it")]
                portside["floor"] = said[0] if said else None
        finally:
            floor_timer.cancel()
            for process in (app, *floor):
                _stop(process)
            os.unlink(listed.name)
        portside["client_raw"] = portside["client"]
        portside["client"] = max(0.0, portside["client"] - cost)
        phases.append(portside)
        print(f"  Portside done, load average {pu.load_average()}", flush=True)
        # Others may use the same engine meanwhile (tests, builds): a second idle phase shows how far its
        # background moved while the bench ran.
        time.sleep(settle_s)
        phases.append(_watch_phase("idle again", None, time.monotonic(), 0, args.window, engine, shims))
        return _report(phases, args.containers, cost)
    finally:
        remove_containers(client)


def _total(phase: dict, shims: bool = True) -> float:
    """A phase's CPU: the client (if any), the engine, and the bench containers' shims unless left out."""
    return (phase["client"] or 0) + phase["engine"] + (phase["shims"] if shims else 0)


def _summary(phases: list[dict]) -> dict:
    """The numbers the goals are about."""
    idle, cli, app, idle_again = phases
    # Others' work on the engine only ever adds: the quieter idle phase is the closer to its own idle.
    idles = sorted((idle["engine"] + idle["shims"], idle_again["engine"] + idle_again["shims"]))
    return {
        "ratio": _total(app) / max(_total(cli), 1e-9),
        "app_total": _total(app),
        "cli_total": _total(cli),
        "app_cpu": app["client"],
        "cli_cpu": cli["client"],
        "engine_now": app["engine"] + app["shims"],
        "engine_idle": idles[0],
        "idle_spread": idles[1] - idles[0],
        "rss_peak": app["rss_peak"],
        "rss_growth": app["rss_growth"],
        "first_frame_ms": app["first_frame_ms"],
        "longest_stall_ms": app["longest_stall_ms"],  # None: none over NOTE_STALLS_OVER_MS
        "stalls_over_50ms": app["stalls_over_50ms"],
    }


def metrics(quick: bool):
    """For `python -m tests.bench`: the side-by-side run (issue 23), 100 containers (10 with --quick); Portside's
    window is 10 minutes, as issue 17 watches the Monitor (docker stats and the idle engine: 60 s each)."""
    from tests.bench.results import Metric

    count, warmup, window, app_window = (10, 5.0, 10.0, 10.0) if quick else (100, 20.0, 60.0, 600.0)
    found = side_by_side(
        argparse.Namespace(containers=count, warmup=warmup, window=window, app_window=app_window, floor=False)
    )
    stall = found["longest_stall_ms"] if found["longest_stall_ms"] is not None else NOTE_STALLS_OVER_MS
    minutes = f"{app_window / 60:g} min"
    return [
        Metric(
            f"Monitor, {count} containers: app + engine CPU",
            found["app_total"],
            found["cli_total"],
            "docker stats + engine",
            unit="% core",
            goal=found["cli_total"] / 2,  # the goal: at most half of docker stats and its engine
        ),
        Metric(
            f"Monitor, {count} containers: app CPU over {minutes}",
            found["app_cpu"],
            found["cli_cpu"],
            "docker stats",
            unit="% core",
            goal=3 * found["cli_cpu"],  # issue 17: at most 3 times the CLI streaming the same containers
        ),
        Metric(
            f"Monitor, {count} containers: engine over its idle",
            found["engine_now"] - found["engine_idle"],
            unit="points",
            goal=1.0,
        ),
        Metric(f"Monitor, {count} containers: app RSS", found["rss_peak"], unit="MiB", goal=120),
        Metric(
            f"Monitor, {count} containers: app RSS growth after 1 min",
            found["rss_growth"],
            unit="MiB",
            goal=RSS_FLAT_MIB if found["rss_growth"] is not None else None,
            note="" if found["rss_growth"] is not None else "the window is too short to tell",
        ),
        Metric(f"Monitor, {count} containers: first complete frame", found["first_frame_ms"], goal=300),
        Metric(f"Monitor, {count} containers: longest GUI stall over {minutes}", stall, goal=50),
    ]


def _report(phases: list[dict], containers: int, heartbeat_cost: float) -> dict:
    _idle, cli, app, _idle_again = phases
    summary = _summary(phases)
    total = _total

    def cell(value, form: str = "{:.1f}") -> str:
        return "-" if value is None else form.format(value)

    print()
    print("CPU in % of one core; engine = dockerd + containerd; shims = the bench containers' containerd-shims;")
    print("total = client + engine + shims; rest = everything else on the machine (other work sharing it)")
    head = ("phase", "client", "engine", "shims", "total", "vs docker stats", "client RSS MiB", "rest", "load avg")
    print("{:<18} {:>7} {:>7} {:>6} {:>7} {:>15} {:>14} {:>6}  {}".format(*head))
    for phase in phases:
        ratio = total(phase) / total(cli) if phase in (cli, app) and total(cli) else None
        print(
            f"{phase['name']:<18} {cell(phase['client']):>7} {phase['engine']:>7.1f} {phase['shims']:>6.1f} "
            f"{total(phase):>7.1f} {cell(ratio, '{:.2f}x'):>15} {cell(phase['rss'], '{:.0f}'):>14} "
            f"{phase['rest']:>6.1f}  {phase['load']}"
        )
    print(
        f"Portside's client CPU is net of the bench's 5 ms heartbeat: {app['client_raw']:.1f} % measured, "
        f"{heartbeat_cost:.1f} % the heartbeat alone; the Monitor page was opened by {app['opened_by']}"
    )
    print(
        f"without the shims (as measured before the issue): Portside {total(app, False):.1f} %, docker stats "
        f"{total(cli, False):.1f} %, ratio {total(app, False) / max(total(cli, False), 1e-9):.2f}x"
    )
    longest, warmup_longest = app["longest_stall_ms"], app["longest_stall_warmup_ms"]
    stall = f"{longest} ms" if longest is not None else f"under {NOTE_STALLS_OVER_MS} ms"
    print(
        f"GUI stalls in the window: longest {stall}, {app['stalls_over_50ms']} over 50 ms; between the page "
        f"opening and the window: longest {cell(warmup_longest, '{} ms')}"
    )
    if app.get("floor"):
        print(f"  the machine meanwhile, {app['floor']}")
    frame = app["first_frame_ms"]
    fields = ", ".join(f"{name} {app['fields_ms'].get(name, 'never')} ms" for name in COMPLETE_FIELDS)
    print(f"first value for every container, from the page opening: {fields}")

    def goal(text: str, passed: bool | None, measured: str) -> None:
        verdict = "n/a " if passed is None else ("PASS" if passed else "FAIL")
        print(f"  [{verdict}] {text}: {measured}")

    print()
    if containers >= 500:
        print(f"goals (set for 500 containers; measured with {containers}):")
        goal("app under 10 % of one core", app["client"] < 10, f"{app['client']:.1f} %")
        goal("no GUI stall over 50 ms", app["stalls_over_50ms"] == 0, stall)
        return summary
    print(f"goals (set for 100 containers; measured with {containers}):")
    ratio = summary["ratio"]
    goal("app + engine at most half of docker stats + engine", ratio <= 0.5, f"{ratio:.2f}x")
    engine_now, engine_idle = summary["engine_now"], summary["engine_idle"]
    goal(
        "engine within 1 point of idle while Portside monitors",
        abs(engine_now - engine_idle) <= 1,
        f"{engine_now:.1f} % against {engine_idle:.1f} % idle (the quieter idle phase)",
    )
    if summary["idle_spread"] > 1:
        print(
            f"  note: the idle phases differ by {summary['idle_spread']:.1f} points: something else used the engine "
            "during the run, so every engine figure above may carry some of it"
        )
    goal("app RSS at most 120 MiB", app["rss_peak"] <= 120, f"{app['rss_peak']:.0f} MiB at most in the window")
    growth = app["rss_growth"]
    goal(
        f"app RSS flat after the first minute (grows {RSS_FLAT_MIB} MiB at most)",
        None if growth is None else growth <= RSS_FLAT_MIB,
        "phase too short to tell" if growth is None else f"{growth:+.1f} MiB",
    )
    goal(
        "first complete frame within 300 ms of the page opening",
        frame is not None and frame <= 300,
        "never complete in the phase" if frame is None else f"{frame:.0f} ms",
    )
    goal("no GUI stall over 50 ms", app["stalls_over_50ms"] == 0, stall)
    return summary


if __name__ == "__main__":
    main()
