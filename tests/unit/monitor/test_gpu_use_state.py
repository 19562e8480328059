"""Does a container given a GPU use it: the grant read from inspect payloads, and the short state shown in its row,
its Usage page and the Monitor, from NVML's processes (through the fake NVML where they come from a sample)."""

from __future__ import annotations

import os

import pytest

from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import COMPUTE, GpuProcessUse
from gui.core.monitor.gpu_use import (
    CHECKING,
    GRACE_S,
    IDLE,
    NOT_USED,
    UNKNOWN,
    USING,
    GpuGrant,
    gpu_grant,
    gpu_use_state,
    used_since,
)
from gui.core.monitor.timeseries import Series

GiB = 1024**3
STARTED = "2024-05-01T12:00:00.123456789Z"
STARTED_AT = 1714564800.123456


def inspect(**host) -> dict:
    env = host.pop("env", [])
    return {"State": {"StartedAt": STARTED}, "HostConfig": host, "Config": {"Env": env}}


@pytest.mark.parametrize(
    ("payload", "what"),
    [
        pytest.param(
            inspect(DeviceRequests=[{"Driver": "", "Count": -1, "Capabilities": [["gpu"]]}]),
            "all GPUs",
            id="--gpus all",
        ),
        pytest.param(
            inspect(DeviceRequests=[{"Count": 2, "Capabilities": [["compute", "utility", "gpu"]]}]),
            "2 GPUs",
            id="--gpus 2",
        ),
        pytest.param(
            inspect(DeviceRequests=[{"DeviceIDs": ["0", "2"], "Capabilities": [["gpu"]]}]),
            "GPU 0, 2",
            id="--gpus device=0,2",
        ),
        pytest.param(
            inspect(DeviceRequests=[{"Driver": "cdi", "DeviceIDs": ["nvidia.com/gpu=all"]}]),
            "GPU nvidia.com/gpu=all",
            id="CDI",
        ),
        pytest.param(
            inspect(Runtime="nvidia", env=["NVIDIA_VISIBLE_DEVICES=all"]),
            "the nvidia runtime (NVIDIA_VISIBLE_DEVICES=all)",
            id="nvidia runtime",
        ),
        pytest.param(
            inspect(Devices=[{"PathOnHost": "/dev/nvidia1", "PathInContainer": "/dev/nvidia1"}]),
            "GPU 1 (as devices)",
            id="--device /dev/nvidia1",
        ),
    ],
)
def test_the_gpus_a_container_was_given(payload, what):
    assert gpu_grant(payload) == GpuGrant(what, STARTED_AT)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(inspect(), id="nothing"),
        pytest.param(inspect(DeviceRequests=None, Devices=None), id="nulls"),
        pytest.param(inspect(Runtime="nvidia", env=["NVIDIA_VISIBLE_DEVICES=void"]), id="runtime asking for none"),
        pytest.param(inspect(Devices=[{"PathOnHost": "/dev/nvidiactl"}]), id="control device only"),
        pytest.param(inspect(DeviceRequests=[{"Driver": "", "Capabilities": [["tpu"]]}]), id="another device"),
    ],
)
def test_containers_given_no_gpu(payload):
    assert gpu_grant(payload) is None


def process(pid: int, gpu: int, memory: int | None, sm: float | None) -> GpuProcessUse:
    return GpuProcessUse(pid, gpu, f"GPU-{gpu}", memory, COMPUTE, sm)


def use(*processes: GpuProcessUse) -> GpuUse:
    known = [p.sm_percent for p in processes if p.sm_percent is not None]
    return GpuUse("c" * 64, sum(p.used_memory or 0 for p in processes), processes, sum(known) if known else None)


GRANT = GpuGrant("all GPUs", 1000.0)


def test_a_container_on_a_gpu_says_which_how_much_and_how_busy():
    state = gpu_use_state(GRANT, use(process(7, 0, int(2.1 * GiB), 63.0)), 1001.0)
    assert (state.kind, state.text) == (USING, "on GPU 0: 2.1 GiB, 63 %")
    assert "PID 7 on GPU 0 (compute): 2.1 GiB, 63 % of its SM time" in state.tooltip


def test_using_needs_no_grant_and_names_each_gpu():
    two = use(process(7, 0, 2 * GiB, 60.0), process(8, 1, GiB, None), process(9, 0, GiB, 3.0))
    assert gpu_use_state(None, two, 0.0).text == "on GPU 0: 3.0 GiB, 63 %; GPU 1: 1.0 GiB"
    many = use(*(process(10 + i, i, GiB, None) for i in range(4)))
    assert gpu_use_state(None, many, 0.0).text == "on GPUs 0, 1, 2, 3: 4.0 GiB"


def test_given_and_unused_counts_down_the_grace_period_then_says_so():
    start = GRANT.started_at
    first = gpu_use_state(GRANT, None, start + 0.5)
    assert (first.kind, first.text, first.seconds_left) == (CHECKING, f"checking GPU use… ({GRACE_S:.0f} s)", 20)
    assert gpu_use_state(GRANT, None, start + 12.2).text == "checking GPU use… (8 s)"
    over = gpu_use_state(GRANT, None, start + GRACE_S + 0.1)
    assert (over.kind, over.text) == (NOT_USED, "GPU given, not used yet")
    assert "all GPUs" in over.tooltip and "Check inside" in over.tooltip


def test_given_used_before_and_idle_now():
    state = gpu_use_state(GRANT, None, GRANT.started_at + 300, used_before=True)
    assert (state.kind, state.text) == (IDLE, "GPU given, idle now")


def test_given_where_nvml_cannot_tell():
    reason = "No NVIDIA driver is installed, so there are no GPUs to show."
    state = gpu_use_state(GRANT, None, 2000.0, unavailable_reason=reason)
    assert (state.kind, state.text) == (UNKNOWN, "GPU given, use unknown") and reason in state.tooltip


def test_neither_given_nor_using_has_no_state():
    assert gpu_use_state(None, None, 0.0) is None


def test_used_since_reads_the_gpu_memory_history_after_the_start():
    series = Series()
    for t in range(100, 160):
        series.append(float(t), 2 * GiB if 120 <= t < 130 else 0.0)
    series.append(160.0, None)  # a gap is not use
    assert used_since(series, 100.0, 161.0)
    assert not used_since(series, 135.0, 161.0)  # started again after that use
    assert not used_since(None, 100.0, 161.0)


def test_states_from_a_real_sample_of_the_fake_driver(fake_nvml):
    """NVML's own answer, through pynvml and attribution: this test's own process on GPU 0 as the 'container'."""
    from gui.core.monitor.attribution import attribute
    from gui.core.monitor.gpu import sample_gpus
    from tests.fakes.fake_nvml import FakeGpu, ProcessSample

    pid = os.getpid()
    fake_nvml.set(
        gpus=[
            FakeGpu(
                memory_used=30 * GiB,
                processes=((pid, int(2.1 * GiB)),),
                process_utilization=(ProcessSample(pid=pid, sm=63),),
            )
        ]
    )
    snapshot = sample_gpus()
    (owner_use,) = attribute(snapshot).values()
    assert gpu_use_state(GRANT, owner_use, 1001.0).text == "on GPU 0: 2.1 GiB, 63 %"
    fake_nvml.set(gpus=[FakeGpu(memory_used=1 * GiB)])  # the process ended
    assert attribute(sample_gpus()) == {}
    assert gpu_use_state(GRANT, None, 1001.0).kind == CHECKING
