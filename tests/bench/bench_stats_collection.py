"""Benchmark: ways to collect container stats at 1 Hz (run by hand, prints numbers).

    .venv/bin/python -m tests.bench.bench_stats_collection [--counts 20 50] [--seconds 10] [--collector]

Starts N busybox containers (`sleep`, label io.portside.bench=stats-collection, removed at the end), then for each
way of collecting:
- stream: one streaming stats connection per container, in a thread each (what the docker CLI does);
- pool-K: one-shot requests (`one-shot=true`, no 1 s wait in the engine) for every container each second, on a
  pool of K threads, with CPU % from our own previous payload;
- collector (--collector): the app's ContainerStatsCollector on a real EngineSession, in a Qt event loop, with the
  GUI thread's longest stall.
it measures the time until every container has a first payload and until every one has a CPU %, and in steady
state this process's CPU time and the engine's (dockerd, containerd and the shims) per second of wall time,
as % of one core. For reference, `docker stats --no-stream` on the same containers, wall time (median of 3).
Other load on the machine shows in the numbers: compare the rows of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import docker
import psutil

from gui.core.engine.client import Engine
from gui.core.engine.connection import diagnose
from gui.core.monitor.stats import container_stats

LABEL = {"io.portside.bench": "stats-collection"}
LABEL_FILTER = "io.portside.bench=stats-collection"
IMAGE = "portside-test/busybox:1"
ENGINE_PROCESSES = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2")


# Set-up ------------------------------------------------------------------------------------------


def start_containers(client: docker.DockerClient, count: int) -> list[str]:
    ids = [
        client.containers.run(IMAGE, ["sleep", "3600"], name=f"bench-stats-{i}", labels=LABEL, detach=True).id
        for i in range(count)
    ]
    return ids


def cleanup(client: docker.DockerClient) -> None:
    for container in client.containers.list(all=True, filters={"label": LABEL_FILTER}):
        container.remove(force=True)


class CpuMeter:
    """CPU seconds of this process and of the engine's processes, between start() and stop()."""

    def __init__(self):
        self._me = psutil.Process()

    @staticmethod
    def _engine_seconds() -> float:
        total = 0.0
        for process in psutil.process_iter(["name", "cpu_times"]):
            if process.info["name"] in ENGINE_PROCESSES and process.info["cpu_times"] is not None:
                times = process.info["cpu_times"]
                total += times.user + times.system
        return total

    def _own_seconds(self) -> float:
        times = self._me.cpu_times()
        return times.user + times.system

    def start(self) -> None:
        self._wall, self._own, self._engine = time.monotonic(), self._own_seconds(), self._engine_seconds()

    def stop(self) -> tuple[float, float]:
        """(own %, engine %) of one core."""
        wall = time.monotonic() - self._wall
        return ((self._own_seconds() - self._own) / wall * 100, (self._engine_seconds() - self._engine) / wall * 100)


class Tally:
    """What a strategy has collected: payload counts, the first payload and the first CPU % per container."""

    def __init__(self, ids: list[str]):
        self.ids = ids
        self.lock = threading.Lock()
        self.previous: dict[str, dict] = {}
        self.count = dict.fromkeys(ids, 0)
        self.first_payload: dict[str, float] = {}
        self.first_cpu: dict[str, float] = {}
        self.began = time.monotonic()

    def record(self, container_id: str, payload: dict, use_previous: bool) -> None:
        with self.lock:
            previous = self.previous.get(container_id) if use_previous else None
            sample = container_stats(payload, previous, container_id)
            self.previous[container_id] = payload
            self.count[container_id] += 1
            now = time.monotonic() - self.began
            self.first_payload.setdefault(container_id, now)
            if sample.cpu_percent is not None:
                self.first_cpu.setdefault(container_id, now)

    def complete(self, which: dict) -> float | None:
        with self.lock:
            return max(which.values()) if len(which) == len(self.ids) else None

    def total(self) -> int:
        with self.lock:
            return sum(self.count.values())


# Strategies --------------------------------------------------------------------------------------


def run_streams(engine: Engine, ids: list[str], seconds: float, warmup: float) -> dict:
    tally = Tally(ids)
    streams = []
    lock = threading.Lock()

    def follow(container_id: str) -> None:
        stream = engine.stats_stream(container_id)
        with lock:
            streams.append(stream)
        for payload in stream:
            tally.record(container_id, payload, use_previous=False)

    threads = [threading.Thread(target=follow, args=(cid,), daemon=True) for cid in ids]
    for thread in threads:
        thread.start()
    result = measure(tally, seconds, warmup)
    with lock:
        for stream in streams:
            stream.close()
    for thread in threads:
        thread.join(5)
    return result


def run_pool(engine: Engine, ids: list[str], seconds: float, warmup: float, threads: int) -> dict:
    tally = Tally(ids)
    stop = threading.Event()
    round_times: list[float] = []

    def one(container_id: str) -> None:
        tally.record(container_id, engine.stats_once(container_id), use_previous=True)

    def ticker() -> None:
        with ThreadPoolExecutor(threads) as pool:
            next_tick = time.monotonic()
            while not stop.is_set():
                began = time.monotonic()
                list(pool.map(one, ids))
                round_times.append(time.monotonic() - began)
                next_tick += 1.0
                stop.wait(max(0.0, next_tick - time.monotonic()))

    thread = threading.Thread(target=ticker, daemon=True)
    thread.start()
    result = measure(tally, seconds, warmup)
    stop.set()
    thread.join(10)
    result["round_s"] = (statistics.median(round_times), max(round_times))
    return result


def run_collector(ids: list[str], seconds: float, warmup: float) -> dict:
    """The app's collector in a Qt event loop, with a 5 ms heartbeat timer for the longest GUI stall."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.workers import streams
    from gui.workers.monitor.container_stats import ContainerStatsCollector
    from gui.workers.session import EngineSession

    app = QApplication.instance() or QApplication([])
    session = EngineSession()
    collector = ContainerStatsCollector(session)
    wanted = set(ids)
    first: dict[str, float] = {}
    first_cpu: dict[str, float] = {}
    ticks = [0]
    began = time.monotonic()

    def on_sampled(samples: dict) -> None:
        now = time.monotonic() - began
        ticks[0] += 1
        for container_id, sample in samples.items():
            if container_id in wanted:
                first.setdefault(container_id, now)
                if sample.cpu_percent is not None:
                    first_cpu.setdefault(container_id, now)

    collector.sampled.connect(on_sampled)
    stall = [0.0]
    clock = QElapsedTimer()
    heartbeat = QTimer(interval=5)

    def beat() -> None:
        if clock.isValid():
            stall[0] = max(stall[0], clock.elapsed() - 5)
        clock.restart()

    heartbeat.timeout.connect(beat)

    def wait_until(condition, limit: float) -> None:
        deadline = time.monotonic() + limit
        while not condition() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.002)

    session.start()
    collector.start()
    wait_until(lambda: len(first_cpu) == len(wanted), 30)
    meter = CpuMeter()
    wait_until(lambda: False, warmup)
    heartbeat.start()
    ticks[0], stall[0] = 0, 0.0
    meter.start()
    wait_until(lambda: False, seconds)
    own, engine_cpu = meter.stop()
    heartbeat.stop()
    collector.stop()
    session.stop()
    streams.stop_all()
    return {
        "first_payload_s": max(first.values()) if len(first) == len(wanted) else None,
        "first_cpu_s": max(first_cpu.values()) if len(first_cpu) == len(wanted) else None,
        "own_cpu": own,
        "engine_cpu": engine_cpu,
        "per_s": ticks[0] / seconds,
        "stall_ms": stall[0],
    }


def measure(tally: Tally, seconds: float, warmup: float) -> dict:
    deadline = time.monotonic() + 30
    while tally.complete(tally.first_cpu) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(warmup)
    meter = CpuMeter()
    meter.start()
    before = tally.total()
    time.sleep(seconds)
    own, engine_cpu = meter.stop()
    return {
        "first_payload_s": tally.complete(tally.first_payload),
        "first_cpu_s": tally.complete(tally.first_cpu),
        "own_cpu": own,
        "engine_cpu": engine_cpu,
        "per_s": (tally.total() - before) / seconds / len(tally.ids),
    }


def docker_stats_cli(ids: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run(["docker", "stats", "--no-stream", *ids], check=True, capture_output=True, timeout=120)
        times.append(time.monotonic() - began)
    return statistics.median(times)


def idle_cpu(seconds: float) -> tuple[float, float]:
    meter = CpuMeter()
    meter.start()
    time.sleep(seconds)
    return meter.stop()


def fmt(value: float | None, unit: str = "s") -> str:
    return "-" if value is None else f"{value:.2f}{unit}" if unit == "s" else f"{value:.1f}{unit}"


def metrics(quick: bool):
    """For `python -m tests.bench`: the app's collector on N running containers, its first CPU % for every one against
    `docker stats --no-stream` on the same containers, and its CPU use in steady state."""
    from tests.bench.results import Metric

    count, seconds = (10, 3.0) if quick else (50, 10.0)
    client = docker.DockerClient(
        base_url=os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock", version="auto"
    )
    cleanup(client)
    note = ""
    try:
        ids = start_containers(client, count)
        try:
            cli = docker_stats_cli(ids)
        except subprocess.CalledProcessError as error:  # said in the table rather than losing the whole run
            cli, note = None, f"docker stats failed: {(error.stderr or b'').decode(errors='replace').strip()[:80]}"
        row = run_collector(ids, seconds, warmup=2.0)
    finally:
        cleanup(client)
        client.close()
    return [
        Metric(
            f"stats: first CPU % of {count} containers",
            row["first_cpu_s"],
            cli,
            "docker stats --no-stream",
            unit="s",
            beat_anchor=True,
            note=note,
        ),
        Metric(f"stats: collector CPU, {count} containers", row["own_cpu"], unit="% core"),
        Metric(f"stats: longest GUI stall, {count} containers", row["stall_ms"], goal=50),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=10.0, help="steady-state measuring time per strategy")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--pools", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--collector", action="store_true", help="also measure the app's ContainerStatsCollector")
    parser.add_argument("--only-collector", action="store_true", help="measure the app's collector alone")
    args = parser.parse_args()

    client = docker.DockerClient(
        base_url=os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock", version="auto"
    )
    engine = Engine.from_diagnosis(diagnose())
    print(f"engine API {engine.api_version}, {psutil.cpu_count()} CPUs; CPU columns are % of one core")
    cleanup(client)
    try:
        for count in args.counts:
            ids = start_containers(client, count)
            own, engine_cpu = idle_cpu(3)
            print(
                f"\nN = {count} running containers. Idle (nothing collecting): this process {own:.1f} %, "
                f"engine {engine_cpu:.1f} %"
            )
            print(f"  docker stats --no-stream: {docker_stats_cli(ids):.2f}s (median of 3)")
            print(
                f"  {'strategy':<10} {'1st payload':>11} {'1st CPU %':>10} {'own CPU':>8} {'engine CPU':>10} "
                f"{'samples/s':>9}  extra"
            )
            rows = []
            if not args.only_collector:
                rows.append(("stream", run_streams(engine, ids, args.seconds, args.warmup)))
                for threads in args.pools:
                    rows.append((f"pool-{threads}", run_pool(engine, ids, args.seconds, args.warmup, threads)))
            if args.collector or args.only_collector:
                rows.append(("collector", run_collector(ids, args.seconds, args.warmup)))
            for name, row in rows:
                extra = ""
                if "round_s" in row:
                    extra = f"round median {row['round_s'][0]:.2f}s max {row['round_s'][1]:.2f}s"
                if "stall_ms" in row:
                    extra = f"longest GUI stall {row['stall_ms']:.0f} ms, sampled signals/s"
                print(
                    f"  {name:<10} {fmt(row['first_payload_s']):>11} {fmt(row['first_cpu_s']):>10} "
                    f"{fmt(row['own_cpu'], '%'):>8} {fmt(row['engine_cpu'], '%'):>10} {row['per_s']:>9.2f}  {extra}"
                )
            cleanup(client)
    finally:
        cleanup(client)
        engine.close()
        client.close()


if __name__ == "__main__":
    main()
