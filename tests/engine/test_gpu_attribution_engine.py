"""GPU use per container, with real container processes: the fake NVIDIA driver reports the host pids of processes
in two real busybox containers (and of this test itself), and attribution must name the right container for each."""

from __future__ import annotations

import os
import re
from pathlib import Path

from gui.core.monitor.attribution import attribute, container_of_pid
from gui.core.monitor.gpu import COMPUTE, GRAPHICS, sample_gpus
from tests.engine import engine_helpers as eh
from tests.fakes.fake_nvml import FakeGpu, GiB, ProcessSample


def _start_sleeper(docker_client, busybox_image, test_labels, name_hint: str):
    container = docker_client.containers.run(
        busybox_image,
        ["sleep", "300"],
        detach=True,
        labels=test_labels,
        name=f"portside-test-gpu-{name_hint}-{test_labels[eh.CASE_LABEL]}",
    )
    assert eh.wait_until(lambda: (container.reload() or container.status) == "running", deadline_s=30)
    return container


def _where_pytest_runs() -> str | None:
    """The container this test runs in, as its own cgroup file names it; None on the host. Also None in a container
    whose cgroup namespace shows its path as "/": from in here its processes are then the host's own, as far as
    anything can tell (and /proc is the container's own too)."""
    in_a_container = (
        Path("/.dockerenv").exists()  # Docker
        or Path("/run/.containerenv").exists()  # Podman
        or re.search(r"[0-9a-f]{64}", Path("/proc/1/cgroup").read_text()) is not None  # containerd, Kubernetes
    )
    if not in_a_container:
        return None
    ids = re.findall(r"[0-9a-f]{64}", Path("/proc/self/cgroup").read_text())
    return ids[-1] if ids else None  # nested engines: the innermost container comes last


def _host_pids(container) -> set[int]:
    """Host pids of every process in the container, as `docker top` lists them."""
    top = container.top()
    column = top["Titles"].index("PID")
    return {int(row[column]) for row in top["Processes"]}


def test_gpu_processes_in_real_containers_are_attributed_to_them(docker_client, busybox_image, test_labels, fake_nvml):
    trainer = _start_sleeper(docker_client, busybox_image, test_labels, "trainer")
    viewer = _start_sleeper(docker_client, busybox_image, test_labels, "viewer")
    trainer_pid, viewer_pid = trainer.attrs["State"]["Pid"], viewer.attrs["State"]["Pid"]
    assert trainer_pid > 0 and viewer_pid > 0

    # a second process in the trainer, started with `docker exec`: it is in the same container's cgroup
    trainer.exec_run(["sleep", "301"], detach=True)
    assert eh.wait_until(lambda: len(_host_pids(trainer)) == 2, deadline_s=30)
    (worker_pid,) = _host_pids(trainer) - {trainer_pid}
    own_pid, own_container = os.getpid(), _where_pytest_runs()

    fake_nvml.set(
        gpus=[
            FakeGpu(
                name="NVIDIA H100 80GB HBM3",
                uuid="GPU-0",
                memory_used=30 * GiB,
                processes=((trainer_pid, 20 * GiB), (own_pid, 1 * GiB)),
                process_utilization=(ProcessSample(pid=trainer_pid, sm=60), ProcessSample(pid=own_pid, sm=5)),
            ),
            FakeGpu(
                name="NVIDIA H100 80GB HBM3",
                uuid="GPU-1",
                memory_used=12 * GiB,
                processes=((worker_pid, 8 * GiB),),
                graphics_processes=((viewer_pid, 3 * GiB),),
                process_utilization=(ProcessSample(pid=worker_pid, sm=30),),
            ),
        ]
    )
    snapshot = sample_gpus()
    assert snapshot.available and len(snapshot.gpus) == 2
    uses = attribute(snapshot)

    assert set(uses) == {trainer.id, viewer.id, own_container}
    trainer_use = uses[trainer.id]
    assert trainer_use.container_id == trainer.id and len(trainer.id) == 64
    assert sorted((p.pid, p.gpu_uuid, p.kind) for p in trainer_use.processes) == sorted(
        [(trainer_pid, "GPU-0", COMPUTE), (worker_pid, "GPU-1", COMPUTE)]
    )
    assert trainer_use.gpu_memory == 28 * GiB
    assert trainer_use.sm_percent == 90.0

    viewer_use = uses[viewer.id]
    assert [(p.pid, p.kind, p.used_memory) for p in viewer_use.processes] == [(viewer_pid, GRAPHICS, 3 * GiB)]
    assert viewer_use.sm_percent == 0.0  # GPU 1 samples per process, and the viewer did no SM work

    own = uses[own_container]  # this test's own GPU use, wherever it runs
    assert [p.pid for p in own.processes] == [own_pid]
    assert (own.gpu_memory, own.sm_percent) == (1 * GiB, 5.0)


def test_a_container_process_is_found_through_this_engines_cgroup_paths(docker_client, busybox_image, test_labels):
    container = _start_sleeper(docker_client, busybox_image, test_labels, "cgroup")
    pid = container.attrs["State"]["Pid"]
    with open(f"/proc/{pid}/cgroup", encoding="utf-8") as cgroup:
        text = cgroup.read()
    assert container.id in text  # whatever the driver's path shape, the full id is in it
    assert container_of_pid(pid) == container.id
    container.kill()
    assert eh.wait_until(lambda: (container.reload() or container.status) != "running", deadline_s=30)
    assert container_of_pid(pid) != container.id  # gone (or, rarely, reused by another process)
