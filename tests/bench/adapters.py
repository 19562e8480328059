"""The runner's stand-ins for benchmarks that have no `metrics()` of their own yet: each runs the benchmark's own
command line with small or full sizes and reads the numbers it prints. Once a benchmark offers `metrics(quick)`,
the runner uses that instead (tests/bench/__main__.py), and its adapter here can go.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.bench.results import Metric

ROOT = Path(__file__).resolve().parents[2]
STALL_GOAL_MS = 50


def run_cli(module: str, *arguments: str, timeout_s: int = 900) -> str:
    """The benchmark's printout; an exit code other than 0 raises with its last lines."""
    done = subprocess.run(
        [sys.executable, "-m", f"tests.bench.{module}", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} exited with {done.returncode}: {(done.stderr or done.stdout)[-500:]}")
    return done.stdout


def number(text: str, pattern: str) -> float | None:
    """The first number after `pattern` (a regular expression) in `text`, thousands separators allowed."""
    found = re.search(pattern + r"\s*([0-9][0-9,]*\.?[0-9]*)", text)
    return float(found.group(1).replace(",", "")) if found else None


def build_log(quick: bool) -> list[Metric]:
    """bench_build_log: a build printing N lines through the fake engine into the Build dialog."""
    lines = 20_000 if quick else 200_000
    out = run_cli("bench_build_log", "--lines", str(lines))
    return [
        Metric(
            f"build log: lines shown per second ({lines:,} lines)",
            number(out, "lines per second"),
            unit="lines/s",
            lower_is_better=False,
        ),
        Metric("build log: longest GUI stall", number(out, r"longest GUI stall \(ms\)"), goal=STALL_GOAL_MS),
    ]
