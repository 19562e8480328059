"""Copying a big file into a container and out of it: Portside's Files core against `docker cp`, same engine, same
file, same run. Speed in MB/s and the most each process's resident memory grew while copying.

    .venv/bin/python -m tests.bench.bench_files [--mib 1024]

The host file is sparse (made with truncate), so reading it costs no disk; both sides write the same bytes into
a created (never started) busybox container's layer and back into a temporary folder. Everything it makes is
labelled io.portside.bench=files and removed at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
import time
from pathlib import Path

BENCH_LABEL = {"io.portside.bench": "files"}


class PeakRss:
    """A process's resident memory sampled on a thread: the most it grew above where it started."""

    def __init__(self, pid: int | None = None):
        import psutil

        self._process = psutil.Process(pid)
        self._start = 0 if pid else self._process.memory_info().rss  # a child's whole RSS is what it cost
        self.peak = self._start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, self._process.memory_info().rss)
            except Exception:  # the child ended
                return

    def growth_mib(self) -> float:
        self._stop.set()
        self._thread.join()
        return (self.peak - self._start) / 2**20


def measure(mib: int) -> dict[str, tuple[float, float]]:
    """{"upload" | "download": ((Portside's MB/s, its RSS growth in MiB), (docker cp's MB/s, its peak RSS))}."""
    import docker

    from gui.core.engine.client import Engine
    from gui.core.engine.connection import Endpoint
    from gui.core.files.backend import ContainerFiles
    from tests.engine import engine_helpers as eh
    from tests.engine import images

    client = docker.DockerClient(base_url=eh.engine_url())
    engine = Engine(Endpoint(eh.engine_url(), "DOCKER_HOST"), client.api.api_version)
    busybox = images.ensure_busybox_image(client)
    ours = client.containers.create(busybox, ["true"], labels=BENCH_LABEL, network_mode="none")
    theirs = client.containers.create(busybox, ["true"], labels=BENCH_LABEL, network_mode="none")
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="portside-bench-files-") as folder:
            root = Path(folder)
            big = root / "big.bin"
            with open(big, "wb") as out:
                out.truncate(mib * 2**20)
            size_mb = mib * 2**20 / 1e6
            files = ContainerFiles(engine, ours.id, ours.name, running=False)
            cancel = threading.Event()

            results["upload"] = (
                _timed(lambda: files.upload([big], "/tmp", lambda *_: None, cancel), size_mb),
                _timed_cli(["docker", "cp", str(big), f"{theirs.id}:/tmp"], size_mb),
            )
            for side in ("ours", "cli"):
                (root / side).mkdir()
            results["download"] = (
                _timed(lambda: files.download("/tmp/big.bin", root / "ours", lambda *_: None, cancel), size_mb),
                _timed_cli(["docker", "cp", f"{theirs.id}:/tmp/big.bin", str(root / "cli")], size_mb),
            )
    finally:
        eh.remove_labelled(client, "io.portside.bench=files")
        engine.close()
        client.close()
    return results


def _timed(call, size_mb: float) -> tuple[float, float]:
    memory = PeakRss()
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    return size_mb / seconds, memory.growth_mib()


def _timed_cli(argv: list[str], size_mb: float) -> tuple[float, float]:
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakRss(child.pid)
    _, errors = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed: {errors.decode(errors='replace')}")
    return size_mb / seconds, memory.growth_mib()


def metrics(quick: bool):
    """For `python -m tests.bench`: MB/s each way and the memory Portside's process grew by, docker cp beside."""
    return metrics_for(128 if quick else 1024)


def metrics_for(mib: int):
    from tests.bench.results import Metric

    results = measure(mib)
    found = []
    for way in ("upload", "download"):
        (ours_speed, ours_rss), (cli_speed, cli_rss) = results[way]
        found.append(
            Metric(f"files: {way} of {mib} MiB", ours_speed, cli_speed, "docker cp", "MB/s", lower_is_better=False)
        )
        found.append(
            Metric(f"files: {way} of {mib} MiB, peak RSS growth", ours_rss, cli_rss, "docker cp's RSS", "MiB", goal=100)
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024, help="size of the file copied each way")
    args = parser.parse_args()
    from tests.bench.results import table

    print(table(metrics_for(args.mib)))


if __name__ == "__main__":
    main()
