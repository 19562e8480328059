"""Every benchmark in one run, one table: metric, Portside, the anchor measured in the same run (the docker CLI
doing the same thing, where there is one), their ratio, the goal, pass or fail (issue 17).

    .venv/bin/python -m tests.bench [--quick] [--only NAME ...] [--json FILE] [--baseline FILE]
                                    [--save-baseline FILE] [--list]

--quick       small sizes and few rounds: a smoke check of a few minutes, not numbers to quote
--only NAME   these benchmarks only (names from --list; repeatable, or comma-separated)
--json FILE   the table as JSON too, with the machine it ran on, to compare two runs
--baseline F  compare with a saved run: a metric more than 20 % worse is flagged, and the exit code is 1
--save-baseline F   save this run as the baseline to compare later runs with
--logs DIR    where each benchmark's own printout goes (NAME.log; default $TMPDIR/portside-bench-logs)

Each benchmark runs in a process of its own (a Qt app each, no state carried between them) and creates and removes
its own containers, labelled io.portside.bench=…; a benchmark stopped at its time limit gets Ctrl+C first, so its
clean-up runs. Benchmarks that need the engine are skipped, and said so, when none answers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import results
from tests.bench.results import Metric

ROOT = Path(__file__).resolve().parents[2]

# name: (module under tests/bench, or "adapters.function", needs the engine, time limit in s (full run)). Any other
# tests/bench/bench_*.py that has a `metrics(quick)` runs too, after these (discovered); an adapter gives way to
# its benchmark's own `metrics()` once that exists.
BENCHMARKS: dict[str, tuple[str, bool, int]] = {
    "floor": ("bench_floor", False, 120),  # first: the machine's own stalls, to read the others against
    "startup": ("bench_startup", True, 400),
    "run_dialog": ("bench_run_dialog", True, 300),
    "paste_command": ("bench_paste_command", False, 300),
    "gpu_choice": ("bench_gpu_choice", False, 300),
    "build_log": ("adapters.build_log", False, 300),
    "big_dockerfile": ("bench_big_dockerfile", False, 600),
    "lint": ("bench_lint", False, 120),
    "charts": ("bench_charts", False, 120),
    "stats_collection": ("bench_stats_collection", True, 400),
    "lists": ("bench_lists", True, 1500),  # 1,000 containers and image rows made on a private dockerd first
    "monitor": ("bench_monitor", True, 1200),  # side by side with docker stats (issue 23), Portside for 10 minutes
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check")
    parser.add_argument("--only", action="append", metavar="NAME", help="these benchmarks only (see --list)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the table as JSON")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="flag regressions of more than 20 %% against it")
    parser.add_argument("--save-baseline", type=Path, metavar="FILE", help="save this run as a baseline")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--logs", type=Path, default=Path(tempfile.gettempdir()) / "portside-bench-logs", help="each one's printout"
    )
    parser.add_argument("--child", metavar="NAME", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    discover()
    if args.child:
        return child(args.child, args.quick, args.out)
    if args.list:
        for name, (module, engine, _limit) in BENCHMARKS.items():
            print(f"{name:18s} {module}{'  (needs the engine)' if engine else ''}")
        return 0
    names = chosen(args.only)
    args.logs.mkdir(parents=True, exist_ok=True)
    baseline = None
    if args.baseline:
        _about, saved = results.load(args.baseline)
        baseline = {metric.name: metric for metric in saved}

    about = machine()
    print(f"{about['machine']}; load average at start {about['load_start']}", flush=True)
    engine = engine_version()
    about["engine"] = engine or "none"
    metrics: list[Metric] = []
    for name in names:
        module, needs_engine, limit = BENCHMARKS[name]
        if needs_engine and engine is None:
            metrics.append(Metric(f"{name}: skipped", None, note="no engine answered"))
            continue
        if needs_engine and running_elsewhere(name):
            # Its containers carry a label of its own, and each run removes all of that label's first and last.
            metrics.append(Metric(f"{name}: skipped", None, note=f"bench_{name} is running already on this engine"))
            continue
        print(f"running {name} ...", flush=True)
        began = time.monotonic()
        log = args.logs / f"{name}.log"
        found = run_child(name, args.quick, limit if not args.quick else max(120, limit // 2), log)
        print(f"  {name}: {len(found)} metrics in {time.monotonic() - began:.0f} s", flush=True)
        metrics += found
    about["load_end"] = load_average()
    about["mode"] = "quick" if args.quick else "full"

    print()
    print(results.table(metrics, baseline))
    print(f"\n{about['machine']}; load average {about['load_start']} at start, {about['load_end']} at the end")
    print(f"each benchmark's own printout: {args.logs}/NAME.log")
    if args.json:
        results.save(args.json, metrics, about)
    if args.save_baseline:
        results.save(args.save_baseline, metrics, about)
    regressions = [m.name for m in metrics if baseline and m.name in baseline and m.regressed(baseline[m.name])]
    failed_runs = [m.name for m in metrics if m.name.endswith(": failed")]
    if regressions:
        print(f"REGRESSIONS (more than {results.REGRESSION:.0%} worse than {args.baseline}): " + ", ".join(regressions))
    if failed_runs:
        print("benchmarks that did not finish: " + ", ".join(failed_runs))
    return 1 if regressions or failed_runs else 0


def discover() -> None:
    """Adds every bench_*.py with a metrics() to BENCHMARKS, and lets a benchmark's own metrics() replace its
    adapter (read from the text: importing them all would start their engines and Qt apps here)."""
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if "\ndef metrics(" not in path.read_text(encoding="utf-8"):
            continue
        name = path.stem.removeprefix("bench_")
        _target, engine, limit = BENCHMARKS.get(name, (path.stem, True, 600))
        BENCHMARKS[name] = (path.stem, engine, limit)


def chosen(only: list[str] | None) -> list[str]:
    if not only:
        return list(BENCHMARKS)
    names = [name.strip() for item in only for name in item.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return names


# One benchmark in a process of its own ---------------------------------------------------------------------------


def run_child(name: str, quick: bool, limit_s: int, log: Path) -> list[Metric]:
    """Runs `name` in a child process, its printout in `log`; its metrics, or one that says why there are none."""
    with tempfile.TemporaryDirectory(prefix="portside-bench-") as folder, log.open("w") as output:
        out = Path(folder) / "metrics.json"
        command = [sys.executable, "-m", "tests.bench", "--child", name, "--out", str(out)]
        process = subprocess.Popen(
            command + (["--quick"] if quick else []),
            cwd=ROOT,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            process.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)  # KeyboardInterrupt: the benchmark's own clean-up runs
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return [Metric(f"{name}: failed", None, note=f"stopped after {limit_s} s")]
        if process.returncode != 0 or not out.exists():
            lines = log.read_text(errors="replace").strip().splitlines()
            last = lines[-1] if lines else f"exit code {process.returncode}"
            return [Metric(f"{name}: failed", None, note=last[:100] + ("…" if len(last) > 100 else ""))]
        return [Metric.from_json(item) for item in json.loads(out.read_text())]


def child(name: str, quick: bool, out: Path) -> int:
    import importlib

    module_name, _, function = BENCHMARKS[name][0].partition(".")
    module = importlib.import_module(f"tests.bench.{module_name}")
    found = getattr(module, function or "metrics")(quick)
    out.write_text(json.dumps([metric.to_json() for metric in found]))
    sys.stdout.flush()
    os._exit(0)  # a Qt app's threads and windows are not worth waiting for


def running_elsewhere(name: str) -> bool:
    """Whether another process (not this run's) is running tests.bench.bench_NAME."""
    import psutil

    mine = {os.getpid(), *(child.pid for child in psutil.Process().children(recursive=True))}
    wanted = f"tests.bench.bench_{name}"
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.info["pid"] not in mine and wanted in (process.info["cmdline"] or []):
            return True
    return False


# The machine ---------------------------------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kib = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    described = f"{os.cpu_count()} CPUs ({model}), {memory_kib / 2**20:.0f} GiB, Linux {platform.release()}"
    return {
        "machine": described,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "commit": git_commit(),
        "load_start": load_average(),
    }


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def engine_version() -> str | None:
    try:
        done = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


if __name__ == "__main__":
    raise SystemExit(main())
