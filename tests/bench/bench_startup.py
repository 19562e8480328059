"""Benchmark: start-up as a user waits for it (issue 17). Run by hand; prints numbers.

    .venv/bin/python -m tests.bench.bench_startup [--cold 3] [--warm 5] [--imports 15] [--no-cold]

1. Launch: `python -m gui --startup-report` (what the `portside` entry point runs), timed from the moment the
   process is spawned to its first painted window and to the engine's lists filled. Cold: each launch after this
   app's files (the venv, Python's own library, gui/, and every file the app maps, the Qt and system libraries
   included) are dropped from the page cache with posix_fadvise, as after a reboot; warm: one after another.
   Anchor: `docker ps -a` then `docker images`, the docker CLI's way to see the same two lists, timed the same
   way (cold: the docker binary dropped from the cache first).
2. The import-time top N (`python -X importtime`) of what the GUI thread imports before it builds the window, by
   each module's own time, with the import at the top of the chain that brought it in (the engine check's
   docker-py import runs on a worker thread meanwhile and is left out: the two would interleave).
3. The Monitor page's first visit: in the app as `portside` starts it, the longest GUI-thread stall (a 5 ms
   heartbeat) while the page opens, once with the app left idle for a few seconds after its lists arrive (as a user
   would look at them first) and once at the moment they arrive; and the longest stall in those first seconds.
Needs the engine; the app runs with scratch settings and data (never the user's own) and creates nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = [sys.executable, "-m", "gui", "--startup-report"]
FIRST_PAINT_GOAL_MS = 1000  # the goal: the first painted window within 1.0 s
STALL_GOAL_MS = 50  # a pause a user starts to notice
VISIT_IDLE_S = 3.0  # the app left alone this long after its lists arrive before the Monitor is opened
RESULT = "BENCH_RESULT "  # the visit child's JSON line starts with this
PYCACHE = Path(tempfile.gettempdir()) / "portside-bench-pycache"


# Launches ------------------------------------------------------------------------------------------------------


def scratch_env() -> dict[str, str]:
    """The environment of every child: offscreen, with settings, data and logs in a fresh folder, and Python's
    compiled modules kept (in PYCACHE, not beside the sources) as an installed app has them, even where this shell
    says PYTHONDONTWRITEBYTECODE: compiling gui/ from source costs some 200 ms that no user pays twice."""
    folder = Path(tempfile.mkdtemp(prefix="portside-bench-startup-"))
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    for kind in ("config", "data", "state", "cache"):
        env[f"XDG_{kind.upper()}_HOME"] = str(folder / kind)
    return env


def launch(env: dict[str, str], mapped: set[str] | None = None) -> dict[str, float]:
    """One start of the app: ms from the spawn to each milestone it prints (first_window, first_paint,
    lists_filled), and to its exit. `mapped` collects the files the running app maps, for evict()."""
    began = time.perf_counter()
    process = subprocess.Popen(
        APP, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1
    )
    times: dict[str, float] = {}
    try:
        for line in process.stdout:
            words = line.split()
            if len(words) >= 2 and words[0].endswith("_ms"):
                times[words[0].removesuffix("_ms")] = (time.perf_counter() - began) * 1000
                if words[0] == "lists_filled_ms" and mapped is not None:
                    mapped |= mapped_files(process.pid)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    times["exit"] = (time.perf_counter() - began) * 1000
    if "first_paint" not in times:
        raise RuntimeError(f"the app printed no first paint (exit code {process.returncode})")
    return times


def mapped_files(pid: int) -> set[str]:
    try:
        lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    except OSError:  # it quit already
        return set()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6 and "/" in line}


def evict(paths: set[str]) -> int:
    """Drops the files (and every file under the folders) from the page cache; returns how many."""
    count = 0
    for path in paths:
        files = [Path(path)] if os.path.isfile(path) else (p for p in Path(path).rglob("*") if p.is_file())
        for file in files:
            try:
                descriptor = os.open(file, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(descriptor)
    return count


def app_files(mapped: set[str]) -> set[str]:
    """What a cold start reads: the venv, Python's library, the app's code and the libraries it mapped."""
    stdlib = sysconfig.get_paths()["stdlib"]
    return {sys.prefix, stdlib, str(ROOT / "gui"), str(PYCACHE), *(path for path in mapped if os.path.isfile(path))}


def docker_lists_ms() -> float:
    """`docker ps -a` then `docker images`: ms from the first spawn to the second's exit."""
    began = time.perf_counter()
    for command in (["docker", "ps", "-a"], ["docker", "images"]):
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    return (time.perf_counter() - began) * 1000


def launches(cold_runs: int, warm_runs: int) -> dict[str, list[float]]:
    env = scratch_env()
    mapped: set[str] = set()
    launch(env, mapped)  # learns what the app maps, and warms the cache for the warm runs
    docker_lists_ms()
    found: dict[str, list[float]] = {}
    for _ in range(cold_runs):
        evict(app_files(mapped))
        for name, ms in launch(env).items():
            found.setdefault(f"cold_{name}", []).append(ms)
        evict({shutil.which("docker") or "/usr/bin/docker"})
        found.setdefault("cold_docker", []).append(docker_lists_ms())
    for _ in range(warm_runs):
        for name, ms in launch(env).items():
            found.setdefault(f"warm_{name}", []).append(ms)
        found.setdefault("warm_docker", []).append(docker_lists_ms())
    return found


# Import time ---------------------------------------------------------------------------------------------------


# What the GUI thread imports before it builds the window, as gui.app.run_gui does it (the engine check imports
# docker-py on a worker thread meanwhile: -X importtime would interleave the two and blur both).
GUI_IMPORTS = (
    "import PySide6.QtCore; import gui.app; gui.app._skip_pyside_source_scan(); "
    "import PySide6.QtWidgets, gui.views.crash, gui.views.main_window, gui.workers.session"
)


def import_times() -> list[tuple[str, float, float, str]]:
    """(module, own ms, cumulative ms, the top-level import that brought it in) of the GUI thread's imports before
    the first window, most own time first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", GUI_IMPORTS],
        cwd=ROOT,
        env=scratch_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = []  # (depth, module, own ms, cumulative ms) in the order -X importtime prints them: children first
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2  # one space, then two more per level
        rows.append((depth, name.strip(), int(own) / 1000, int(cumulative) / 1000))
    found = []
    for index, (depth, name, own, cumulative) in enumerate(rows):
        top = name
        for later_depth, later_name, _, _ in rows[index + 1 :]:  # a parent follows its children
            if later_depth == 0:
                top = later_name
                break
        found.append((name, own, cumulative, "" if depth == 0 else top))
    return sorted(found, key=lambda row: -row[1])


# The Monitor page's first visit ---------------------------------------------------------------------------------


def visit(idle_s: float) -> dict:
    """Runs the app in a child (visit_child) and returns its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_startup", "--visit-child", str(idle_s)],
        cwd=ROOT,
        env=scratch_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line.removeprefix(RESULT))
    raise RuntimeError(f"the visit child said nothing (exit code {done.returncode}):\n{done.stderr[-2000:]}")


def visit_child(idle_s: float) -> None:
    """The app as `portside` starts it (gui.app.main). Once its event loop runs, a heartbeat starts; `idle_s` after
    the lists arrive the Monitor page is opened as a click would, and the longest gap of the next 1.5 s is its
    stall. Prints one JSON line."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui import app as portside
    from gui.views.main_window import MainWindow
    from tests.bench.benchkit import Heartbeat, StallProbe

    app = QApplication(sys.argv[:1])  # the app's own start-up takes this one (gui.app.run_gui)
    result: dict = {}
    heartbeat = Heartbeat()
    probe = StallProbe(threshold_ms=STALL_GOAL_MS) if os.environ.get("BENCH_STARTUP_PROBE") else None

    def hook() -> None:
        window = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)
        if window is None:
            QTimer.singleShot(10, hook)
            return
        portside._after_first_paint(window, heartbeat.start)  # from the first paint on: what the user sees
        if probe is not None:
            probe.start()

        def lists_filled(_snapshot) -> None:
            window.session.snapshotChanged.disconnect(lists_filled)
            QTimer.singleShot(int(idle_s * 1000), open_monitor)

        def open_monitor() -> None:
            result["start_stall_ms"] = heartbeat.longest  # the first seconds: lists, warm-up, the first samples
            heartbeat.start()
            began = time.perf_counter()
            window.show_page("monitor")
            result["show_page_ms"] = (time.perf_counter() - began) * 1000
            QTimer.singleShot(1500, done)

        def done() -> None:
            result["visit_stall_ms"] = heartbeat.longest
            heartbeat.stop()
            window.close()

        if window.session.snapshot is not None:
            lists_filled(window.session.snapshot)
        else:
            window.session.snapshotChanged.connect(lists_filled)

    QTimer.singleShot(0, hook)
    portside.main(["--quit-after", "60000"])
    if probe is not None:
        probe.stop()
        print(probe.report(), file=sys.stderr)
    print(RESULT + json.dumps(result), flush=True)
    os._exit(0)  # the app has quit; nothing left worth waiting for


# Report --------------------------------------------------------------------------------------------------------


def measure(cold_runs: int, warm_runs: int, visits: int) -> dict[str, float]:
    """Medians of every number the metrics and the printout use."""
    found = {name: statistics.median(values) for name, values in launches(cold_runs, warm_runs).items()}
    for idle, label in ((VISIT_IDLE_S, "idle"), (0.0, "at_once")):
        results = [visit(idle) for _ in range(visits)]
        for key in results[0]:
            found[f"visit_{label}_{key}"] = statistics.median(result[key] for result in results)
    return found


def metrics(quick: bool):
    """For `python -m tests.bench`: start-up against the docker CLI listing the same things."""
    from tests.bench.results import Metric

    found = measure(cold_runs=1 if quick else 3, warm_runs=3 if quick else 5, visits=1 if quick else 3)
    anchor = "docker ps -a + docker images"
    rows = []
    for kind in ("warm", "cold"):
        if f"{kind}_first_paint" in found:
            rows.append(
                Metric(f"start: first painted window, {kind}", found[f"{kind}_first_paint"], goal=FIRST_PAINT_GOAL_MS)
            )
    for kind in ("warm", "cold"):
        if f"{kind}_lists_filled" in found:
            lists = found[f"{kind}_lists_filled"]
            rows.append(Metric(f"start: lists filled, {kind}", lists, found[f"{kind}_docker"], anchor))
    rows += [
        Metric("start: longest stall, first seconds", found["visit_idle_start_stall_ms"], goal=STALL_GOAL_MS),
        Metric("Monitor first visit: longest stall", found["visit_idle_visit_stall_ms"], goal=STALL_GOAL_MS),
        Metric("Monitor visit as lists arrive: stall", found["visit_at_once_visit_stall_ms"], goal=STALL_GOAL_MS),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=3, help="cold launches (each after dropping the cache)")
    parser.add_argument("--warm", type=int, default=5, help="warm launches")
    parser.add_argument("--visits", type=int, default=3, help="Monitor first visits, each in a fresh app")
    parser.add_argument("--imports", type=int, default=15, help="how many of the slowest imports to list")
    parser.add_argument("--no-cold", action="store_true", help="warm launches only (leaves the page cache alone)")
    parser.add_argument("--visit-child", type=float, metavar="IDLE_S", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.visit_child is not None:
        visit_child(args.visit_child)
        return

    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; ms from the spawn, medians")
    found = measure(0 if args.no_cold else args.cold, args.warm, args.visits)
    print(f"{'launch':6s} {'first window':>12s} {'first paint':>12s} {'lists filled':>12s} {'exit':>8s}  anchor")
    for kind in ("cold", "warm"):
        if f"{kind}_first_paint" in found:
            print(
                f"{kind:6s} {found[f'{kind}_first_window']:12.0f} {found[f'{kind}_first_paint']:12.0f} "
                f"{found[f'{kind}_lists_filled']:12.0f} {found[f'{kind}_exit']:8.0f}  "
                f"docker ps -a + docker images {found[f'{kind}_docker']:.0f} ms"
            )
    print(f"goal: the first painted window within {FIRST_PAINT_GOAL_MS} ms")
    for label, name in ((f"after {VISIT_IDLE_S:g} s idle", "idle"), ("as the lists arrive", "at_once")):
        print(
            f"Monitor first visit {label:20s}: show_page {found[f'visit_{name}_show_page_ms']:6.0f} ms, "
            f"longest stall {found[f'visit_{name}_visit_stall_ms']:4.0f} ms "
            f"(before it: {found[f'visit_{name}_start_stall_ms']:.0f} ms); goal {STALL_GOAL_MS} ms"
        )
    rows = import_times()
    total = sum(row[1] for row in rows)
    print(
        f"\nGUI thread's imports before the window: {len(rows)} modules, {total:.0f} ms; top {args.imports} by own time:"
    )
    print(f"  {'module':44s} {'own':>7s} {'cumul.':>7s}  brought in by")
    for name, own, cumulative, top in rows[: args.imports]:
        print(f"  {name:44s} {own:7.1f} {cumulative:7.1f}  {top}")


if __name__ == "__main__":
    main()
