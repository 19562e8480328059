"""Which container a GPU process belongs to: /proc/PID/cgroup parsing, and grouping a snapshot's processes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gui.core.monitor.attribution import GpuUse, attribute, container_id_from_cgroup, container_of_pid
from gui.core.monitor.gpu import COMPUTE, GRAPHICS, GpuProcessUse, GpuSample, GpuSnapshot, sample_gpus
from tests.fakes.fake_nvml import FakeGpu, GiB, ProcessSample

A = "a" * 64
B = "0123456789abcdef" * 4
C = "c0ffee" + "0" * 58

V1_CGROUPFS = f"""12:memory:/docker/{A}
11:devices:/docker/{A}
3:cpu,cpuacct:/docker/{A}
1:name=systemd:/docker/{A}
0::/
"""
V1_SYSTEMD = f"""12:pids:/system.slice/docker-{A}.scope
4:memory:/system.slice/docker-{A}.scope
1:name=systemd:/system.slice/docker-{A}.scope
"""
HOST_V1 = """12:memory:/user.slice/user-1000.slice/session-2.scope
1:name=systemd:/user.slice/user-1000.slice/session-2.scope
0::/user.slice/user-1000.slice/session-2.scope
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(V1_CGROUPFS, A, id="v1 cgroupfs"),
        pytest.param(V1_SYSTEMD, A, id="v1 systemd"),
        pytest.param(f"0::/docker/{A}\n", A, id="v2 cgroupfs"),
        pytest.param(f"0::/system.slice/docker-{A}.scope\n", A, id="v2 systemd"),
        pytest.param(
            f"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1b2c3d4e_0000_1111_2222_"
            f"333344445555.slice/cri-containerd-{B}.scope\n",
            B,
            id="containerd systemd",
        ),
        pytest.param(
            f"0::/kubepods/burstable/pod1b2c3d4e-0000-1111-2222-333344445555/{B}\n", B, id="kubepods cgroupfs"
        ),
        pytest.param(
            f"5:memory:/kubepods/besteffort/pod1b2c3d4e-0000-1111-2222-333344445555/{B}\n", B, id="kubepods v1"
        ),
        pytest.param(f"0::/kubepods.slice/kubepods-pod1.slice/crio-{B}.scope\n", B, id="cri-o"),
        pytest.param(f"0::/machine.slice/libpod-{C}.scope/container\n", C, id="podman"),
        pytest.param(
            f"0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{C}.scope\n", C, id="rootless podman"
        ),
        pytest.param(f"0::/machine.slice/libpod-conmon-{C}.scope\n", None, id="podman's monitor is not the container"),
        pytest.param(f"0::/docker/{A}/docker/{B}\n", B, id="docker in docker"),
        pytest.param(
            f"0::/system.slice/docker-{A}.scope/kubelet.slice/kubelet-kubepods.slice/"
            f"kubelet-kubepods-besteffort.slice/cri-containerd-{B}.scope\n",
            B,
            id="kind node",
        ),
        pytest.param(f"4:memory:/docker/{A}\n3:cpu:/docker/{A}/docker/{B}\n", B, id="the deepest line wins"),
        pytest.param(HOST_V1, None, id="host process v1"),
        pytest.param("0::/user.slice/user-1000.slice/session-2.scope\n", None, id="host process v2"),
        pytest.param("0::/init.scope\n", None, id="init"),
        pytest.param("0::/\n", None, id="root"),
        pytest.param("4:memory:/process_api/66a9f10ddaf70b101676863434ded080\n", None, id="32-hex is no container id"),
        pytest.param(f"0::/docker/{A.upper()}\n", None, id="upper case is not an id"),
        pytest.param(f"0::/docker/{A}0\n", None, id="65 hex digits"),
        pytest.param("", None, id="empty"),
        pytest.param("garbage without colons\n", None, id="garbage"),
        pytest.param(f"garbage\n0::/docker/{A}\n", A, id="a stray line is skipped, not the end"),
        pytest.param(f"0::/machine.slice/vm:1.scope/docker/{A}\n", A, id="a colon inside the path"),
        pytest.param(f"0::/system.slice/docker-{A}.scope/system.slice/app:1.service\n", A, id="a colon after the id"),
    ],
)
def test_container_id_from_cgroup(text, expected):
    assert container_id_from_cgroup(text) == expected


def _proc(root: Path, pids: dict[int, str]) -> Path:
    for pid, text in pids.items():
        (root / str(pid)).mkdir(parents=True)
        (root / str(pid) / "cgroup").write_text(text)
    return root


def test_container_of_pid_reads_proc(tmp_path):
    proc = _proc(tmp_path, {100: V1_CGROUPFS, 200: HOST_V1})
    assert container_of_pid(100, proc) == A
    assert container_of_pid(200, proc) is None
    assert container_of_pid(300, proc) is None  # gone
    assert container_of_pid(0, proc) is None


def test_pid_1_is_a_process_like_any_other(tmp_path):
    # A container's first process, seen from an engine's own pid namespace (Docker in Docker, kind).
    assert container_of_pid(1, _proc(tmp_path, {1: f"0::/docker/{B}\n"})) == B


def test_a_cgroup_named_in_bytes_that_are_not_utf8_is_still_read(tmp_path):
    for pid, path in ((100, f"/docker/{A}/\xff".encode("latin-1")), (200, b"/user.slice/\xfe\xff.scope")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "cgroup").write_bytes(b"0::" + path + b"\n")
    assert container_of_pid(100, tmp_path) == A
    assert container_of_pid(200, tmp_path) is None


def test_container_of_this_test_process_is_read_from_the_real_proc():
    # Worked out without the parser: a container's full id is 64 lower-case hex digits, the innermost one last.
    # (A process on the host has none; the 32-digit ids of other cgroup managers are not Docker's.)
    text = Path(f"/proc/{os.getpid()}/cgroup").read_text()
    ids = re.findall(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", text)
    assert container_of_pid(os.getpid()) == (ids[-1] if ids else None)


def _gpu(index: int, *processes: GpuProcessUse) -> GpuSample:
    return GpuSample(
        index=index,
        name=f"GPU {index}",
        uuid=f"GPU-{index}",
        utilization=None,
        memory_utilization=None,
        memory_used=None,
        memory_total=None,
        temperature=None,
        power_draw=None,
        power_limit=None,
        fan=None,
        sm_clock=None,
        memory_clock=None,
        processes=processes,
    )


def _use(pid: int, gpu: int, memory: int | None, sm: float | None, kind: str = COMPUTE) -> GpuProcessUse:
    return GpuProcessUse(pid=pid, gpu_index=gpu, gpu_uuid=f"GPU-{gpu}", used_memory=memory, kind=kind, sm_percent=sm)


def test_attribute_groups_processes_by_container_and_sums_them(tmp_path):
    proc = _proc(
        tmp_path,
        {100: V1_CGROUPFS, 101: f"0::/system.slice/docker-{A}.scope\n", 200: f"0::/docker/{B}\n", 300: HOST_V1},
    )
    on_0 = (_use(100, 0, 10 * GiB, 50.0), _use(200, 0, 1 * GiB, None), _use(300, 0, 256, None, GRAPHICS))
    on_1 = (_use(100, 1, 5 * GiB, 80.0), _use(101, 1, None, 10.0), _use(400, 1, 7, 1.5))  # 400 is gone
    snapshot = GpuSnapshot(
        gpus=(_gpu(0, *on_0), _gpu(1, *on_1)),
        driver_version="550.54.15",
        cuda_version=(12, 4),
        unavailable_reason=None,
        time=0.0,
    )
    uses = attribute(snapshot, proc)
    assert set(uses) == {A, B, None}
    assert uses[A] == GpuUse(
        container_id=A, gpu_memory=15 * GiB, processes=(on_0[0], on_1[0], on_1[1]), sm_percent=140.0
    )  # two GPUs' work adds up, like CPU %
    assert uses[B] == GpuUse(container_id=B, gpu_memory=1 * GiB, processes=(on_0[1],), sm_percent=None)
    assert uses[None] == GpuUse(container_id=None, gpu_memory=263, processes=(on_0[2], on_1[2]), sm_percent=1.5)


def test_attribute_of_an_empty_or_unavailable_snapshot_is_empty(tmp_path):
    empty = GpuSnapshot(gpus=(_gpu(0),), driver_version=None, cuda_version=None, unavailable_reason=None, time=0.0)
    unavailable = GpuSnapshot(gpus=(), driver_version=None, cuda_version=None, unavailable_reason="No.", time=0.0)
    assert attribute(empty, tmp_path) == {}
    assert attribute(unavailable, tmp_path) == {}


def test_attribute_a_sample_from_the_fake_driver(fake_nvml, tmp_path):
    proc = _proc(tmp_path, {100: f"0::/docker/{A}\n", 200: HOST_V1})
    fake_nvml.set(
        gpus=[FakeGpu(processes=((100, 3 * GiB), (200, 1 * GiB)), process_utilization=(ProcessSample(pid=100, sm=42),))]
    )
    uses = attribute(sample_gpus(), proc)
    assert (uses[A].gpu_memory, uses[A].sm_percent, [p.pid for p in uses[A].processes]) == (3 * GiB, 42.0, [100])
    assert (uses[None].gpu_memory, uses[None].sm_percent) == (1 * GiB, 0.0)
