"""Who took my GPU, and when: the per-GPU history split by container, stacked on the GPU's sample times, with gaps
where nothing was sampled and owners dropped an hour after their last use."""

from __future__ import annotations

import math

from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import COMPUTE, GpuProcessUse, GpuSample, GpuSnapshot
from gui.core.monitor.gpu_timeline import FORGET_AFTER_S, GpuShareKey, GpuTimeline

GiB = 1024**3
TRAINER, WEB = "t" * 64, "w" * 64


def sample(t: float, owners: dict[str | None, dict[int, int]], used: dict[int, int] | None = None, lost=()):
    """A snapshot of two GPUs at time t; owners: owner -> {gpu index: bytes}."""
    gpus = []
    for index in (0, 1):
        total = (used or {}).get(index, sum(o.get(index, 0) for o in owners.values()) + GiB // 2)
        gpus.append(
            GpuSample(
                index, f"GPU {index}", f"GPU-{index}", 10.0, 5.0, None if index in lost else total, 80 * GiB,
                None, None, None, None, None, None, (), lost=index in lost,
            )
        )  # fmt: skip
    use = {}
    for pid, (owner, per_gpu) in enumerate(owners.items(), start=100):
        processes = tuple(GpuProcessUse(pid, i, f"GPU-{i}", b, COMPUTE, None) for i, b in per_gpu.items())
        use[owner] = GpuUse(owner, sum(per_gpu.values()), processes, None)
    return GpuSnapshot(tuple(gpus), "550", (12, 4), None, t), use


def test_each_gpu_is_stacked_by_owner_biggest_first():
    timeline = GpuTimeline()
    for t in range(1000, 1060):
        owners = {TRAINER: {0: 8 * GiB}}
        if t >= 1030:
            owners[WEB] = {0: 1 * GiB, 1: 2 * GiB}  # came later, on both GPUs
        timeline.record(*sample(float(t), owners))
    assert timeline.gpus() == [0, 1]
    stack = timeline.stack(0, 60, 1060.0)
    assert [layer.owner for layer in stack.layers] == [TRAINER, WEB]
    trainer, web = stack.layers
    assert len(stack.times) == len(trainer.values) == len(web.values) == 60
    assert trainer.peak == 8 * GiB and web.last == 1 * GiB
    assert list(web.values[:30]) == [0.0] * 30 and list(web.values[30:]) == [GiB] * 30  # 0 before it came
    assert stack.total[-1] == 9 * GiB + GiB // 2  # NVML's whole-card figure, more than its processes
    (only,) = timeline.stack(1, 60, 1060.0).layers
    assert only.owner == WEB and only.peak == 2 * GiB


def test_an_owner_that_stops_reads_zero_and_leaves_after_an_hour():
    timeline = GpuTimeline()
    timeline.record(*sample(1000.0, {TRAINER: {0: 4 * GiB}}))
    timeline.record(*sample(1001.0, {}))
    stack = timeline.stack(0, 60, 1002.0)
    assert list(stack.layers[0].values) == [4 * GiB, 0.0] and stack.layers[0].last == 0.0
    later = 1001.0 + FORGET_AFTER_S + 10
    for t in (later, later + 1):
        timeline.record(*sample(t, {}))
    assert timeline.stack(0, 60, later + 2).layers == ()  # nothing in the window
    timeline.book.prune(later + 4000)
    assert GpuShareKey(0, TRAINER) not in timeline.book  # no new points since: dropped


def test_host_processes_are_an_owner_of_their_own():
    timeline = GpuTimeline()
    timeline.record(*sample(1000.0, {None: {1: GiB}}))
    (layer,) = timeline.stack(1, 60, 1001.0).layers
    assert layer.owner is None and layer.peak == GiB


def test_a_pause_in_sampling_breaks_the_lines_and_a_lost_gpu_has_no_values():
    timeline = GpuTimeline()
    timeline.record(*sample(1000.0, {TRAINER: {0: GiB}}))
    timeline.record(*sample(1100.0, {TRAINER: {0: GiB}}))  # 100 s later: paused in between
    stack = timeline.stack(0, 300, 1101.0)
    assert [math.isnan(v) for v in stack.total] == [False, True, False]
    assert math.isnan(stack.layers[0].values[1])
    timeline.record(*sample(1101.0, {TRAINER: {0: GiB}}, lost=(0,)))
    assert math.isnan(timeline.stack(0, 300, 1102.0).total[-1])


def test_a_gpu_never_sampled_has_an_empty_stack():
    stack = GpuTimeline().stack(3, 60, 1000.0)
    assert len(stack.times) == 0 and stack.layers == ()
