"""Benchmark: how long lint takes (Portside's rules and hadolint), the work behind the editor's live checks.

.venv/bin/python -m tests.bench.bench_lint
"""

from __future__ import annotations

import statistics
import time

from gui.core.dockerfile.hadolint import run_hadolint
from gui.core.dockerfile.recipe import AppKind, default_spec, render_dockerfile
from gui.core.dockerfile.rules import portside_rules


def big_dockerfile(lines=300):
    block = [
        "FROM python:3.12 AS build{n}",
        "WORKDIR /app",
        "COPY . .",
        "RUN apt-get update && apt-get install -y gcc \\",
        "    # compilers",
        "    && rm -rf /var/lib/apt/lists/*",
        "ENV A=1 HF_TOKEN=x",
        "RUN pip install -r requirements.txt",
        "EXPOSE 80",
        'CMD ["python", "app.py"]',
    ]
    out = []
    n = 0
    while len(out) < lines:
        out += [line.format(n=n) for line in block]
        n += 1
    return "\n".join(out[:lines]) + "\n"


def timed_ms(call, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure(rounds_scale: float = 1.0) -> dict[str, list[float]]:
    """ms per call of each lint, by name; `rounds_scale` < 1 for fewer rounds."""
    generated = render_dockerfile(default_spec(AppKind.HTTP_API))
    big = big_dockerfile()
    found = {}
    for name, call, rounds in (
        ("portside_rules, generated file", lambda: portside_rules(generated), 50),
        ("portside_rules, 300 lines", lambda: portside_rules(big), 20),
        ("hadolint, generated file", lambda: run_hadolint(generated), 10),
        ("hadolint, 300 lines", lambda: run_hadolint(big), 3),
    ):
        found[name] = timed_ms(call, max(2, round(rounds * rounds_scale)))
    return found


def metrics(quick: bool):
    """For `python -m tests.bench`: Portside's own rules against hadolint, the linter a user would run by hand."""
    from tests.bench.results import Metric

    found = {name: statistics.median(times) for name, times in measure(0.3 if quick else 1.0).items()}
    return [
        Metric(
            f"lint: Portside's rules, {what}",
            found[f"portside_rules, {what}"],
            found[f"hadolint, {what}"],
            "hadolint",
            beat_anchor=True,
        )
        for what in ("generated file", "300 lines")
    ]


def main() -> None:
    for name, times in measure().items():
        print(f"{name:32s} median {statistics.median(times):7.1f} ms  best {min(times):7.1f} ms")


if __name__ == "__main__":
    main()
