"""The kernel reader (gui.workers.monitor.kernel_stats) with many containers added at once, as when the Monitor opens on
them (issue 23): each one's starting point is handed over first, their first payloads follow in a single round
measured from those starting points, each round ends with one on_round, and the mount table is read once for all."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from gui.workers.monitor.kernel_stats import INSPECT_THREADS, KernelStats
from tests.fakes.cgroup_trees import build
from tests.fakes.cgroup_trees.engine import TreeEngine
from tests.polling import wait_for

COUNT = 2 * INSPECT_THREADS + 2  # enough for the inspects to be asked side by side
IDS = [f"{i:02x}" * 32 for i in range(COUNT)]


class CountingPath(type(Path())):
    """A path whose reads are counted: the mount table."""

    reads = 0

    def read_text(self, *args, **kwargs):
        CountingPath.reads += 1
        return super().read_text(*args, **kwargs)


@pytest.fixture
def trees(tmp_path):
    return {cid: build(tmp_path, "v1-cgroupfs", container_id=cid, pid=300 + i) for i, cid in enumerate(IDS)}


def test_many_added_at_once_come_in_one_first_round_measured_from_their_starting_points(trees):
    CountingPath.reads = 0
    files = dataclasses.replace(trees[IDS[0]].files, mountinfo=CountingPath(trees[IDS[0]].files.mountinfo))
    events: list[tuple] = []
    reader = KernelStats(
        TreeEngine(*trees.values()),
        lambda context, payload, source: events.append(("payload", context, payload)),
        lambda context, reason: events.append(("refused", context, reason)),
        lambda context, reason: events.append(("ended", context, reason)),
        interval_s=60.0,  # no regular round meanwhile: what comes is the first round
        files=files,
        on_start=lambda context, payload: events.append(("start", context, payload)),
        on_round=lambda: events.append(("round",)),
    )
    reader.start()
    try:
        for cid in IDS:
            reader.add(cid, cid)
        wait_for(lambda: ("round",) in events)
    finally:
        reader.stop()
        assert reader.wait()
    kinds = [event[0] for event in events]
    assert kinds == ["start"] * COUNT + ["payload"] * COUNT + ["round"]
    starts = {context: payload for _, context, payload in events[:COUNT]}
    for _, context, payload in events[COUNT : 2 * COUNT]:
        assert payload["preread"] == starts[context]["read"]  # measured from its own starting point
        assert payload["precpu_stats"] == starts[context]["cpu_stats"]
        assert payload["networks"]["eth0"]["rx_bytes"] == starts[context]["networks"]["eth0"]["rx_bytes"]
    assert CountingPath.reads == 1  # the mount table once for all of them, not once each
    wait_for(lambda: not [t for t in threading.enumerate() if t.name.startswith("kernel stats inspect")])
