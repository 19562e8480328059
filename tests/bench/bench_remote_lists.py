"""Benchmark: one list refresh (Engine.snapshot: the containers and the images) over the local socket, over TLS and
over SSH. Run by hand; prints the median of 20 for each, with the rows each engine listed.

    .venv/bin/python -m tests.bench.bench_remote_lists [--runs 20]

The TLS engine is a private dockerd of its own (tests/engine/tls_engine.py, the busybox image loaded); the SSH engine
is a real sshd on 127.0.0.1 in front of the shared engine (tests/engine/ssh_engine.py), so SSH and local list the
same rows. Both are removed at the end.
"""

from __future__ import annotations

import argparse
import statistics
import time

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint, diagnose
from tests.engine import engine_helpers as eh
from tests.engine import images
from tests.engine.ssh_engine import SshEngine
from tests.engine.tls_engine import TlsEngine


def median_ms(endpoint: Endpoint, runs: int) -> tuple[float, str]:
    diagnosis = diagnose(endpoint)
    assert diagnosis.usable, diagnosis.detail
    engine = Engine.from_diagnosis(diagnosis)
    try:
        engine.snapshot()  # the first opens the connection; a refresh reuses it
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            snapshot = engine.snapshot()
            times.append((time.perf_counter() - began) * 1000)
    finally:
        engine.close()
    return statistics.median(times), f"{len(snapshot.containers)} containers, {len(snapshot.images)} image rows"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    client = eh.connect()
    tls, ssh = TlsEngine(), SshEngine()
    try:
        tls.start()
        tls.daemon.load_image(client, images.ensure_busybox_image(client))
        ssh.start()
        print(f"Engine.snapshot, median of {runs}:")
        for name, endpoint in (
            ("local socket", Endpoint(eh.engine_url(), "DOCKER_HOST")),
            ("TLS (private dockerd)", tls.endpoint()),
        ):
            ms, rows = median_ms(endpoint, runs)
            print(f"  {name:24} {ms:7.1f} ms  ({rows})")
        with ssh.profile("good"):
            ms, rows = median_ms(Endpoint(ssh.host, "DOCKER_HOST"), runs)
        print(f"  {'SSH (shared engine)':24} {ms:7.1f} ms  ({rows})")
    finally:
        ssh.destroy()
        tls.destroy()
        client.close()


if __name__ == "__main__":
    main()
