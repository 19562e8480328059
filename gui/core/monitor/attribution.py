"""Which container each GPU process belongs to: NVML gives host pids, /proc/PID/cgroup names the container.

A process in a container sits in a cgroup whose path carries the container's full id, in one of a few shapes:
- Docker, cgroupfs driver:   "12:memory:/docker/<id>" (cgroup v1) or "0::/docker/<id>" (v2)
- Docker, systemd driver:    "…:/system.slice/docker-<id>.scope"
- containerd / Kubernetes:   "…/kubepods-besteffort-pod<uid>.slice/cri-containerd-<id>.scope", "…/kubepods/…/<id>"
- CRI-O and Podman:          "…/crio-<id>.scope", "…/libpod-<id>.scope" (Podman's are containers too)
Nested engines (Docker in Docker, kind) stack these; the innermost id is the container the process runs in.
Reading /proc is cheap and does not block: callers run it next to sample_gpus in the same worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gui.core.monitor.gpu import GpuProcessUse, GpuSnapshot

# One path segment that names a container: a bare 64-hex id, or an engine's scope around it. The monitors that sit
# next to containers ("libpod-conmon-<id>.scope", "crio-conmon-<id>.scope") do not match, on purpose.
_CONTAINER_SEGMENT = re.compile(r"^(?:(?:docker|cri-containerd|crio|libpod)-)?([0-9a-f]{64})(?:\.scope)?$")


def container_id_from_cgroup(text: str) -> str | None:
    """The full container id in /proc/PID/cgroup content, or None for a process outside any container."""
    best: list[str] = []
    for line in text.splitlines():
        parts = line.strip().split(":", 2)  # hierarchy-ID:controllers:path
        if len(parts) != 3:
            continue
        ids = [match.group(1) for match in map(_CONTAINER_SEGMENT.match, parts[2].split("/")) if match]
        if len(ids) > len(best):  # the most deeply nested path wins; its last id is the innermost container
            best = ids
    return best[-1] if best else None


def container_of_pid(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The container id of a host pid; None for a host process, or a pid that is gone or not ours to read."""
    if pid <= 0:
        return None
    try:
        text = (Path(proc) / str(pid) / "cgroup").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return container_id_from_cgroup(text)


@dataclass(frozen=True)
class GpuUse:
    """GPU use of one container (or of the host's own processes, container_id None), over every GPU."""

    container_id: str | None
    gpu_memory: int  # bytes, summed over its processes on every GPU (unknown counts as 0)
    processes: tuple[GpuProcessUse, ...]
    sm_percent: float | None  # summed like CPU %: two GPUs fully busy is 200; None when unknown


def attribute(snapshot: GpuSnapshot, proc: Path = Path("/proc")) -> dict[str | None, GpuUse]:
    """GPU processes grouped by full container id; the key None holds host processes (not in any container)."""
    owners: dict[int, str | None] = {}  # a process on two GPUs is looked up once
    grouped: dict[str | None, list[GpuProcessUse]] = {}
    for gpu in snapshot.gpus:
        for process in gpu.processes:
            if process.pid not in owners:
                owners[process.pid] = container_of_pid(process.pid, proc)
            grouped.setdefault(owners[process.pid], []).append(process)
    return {owner: _use(owner, processes) for owner, processes in grouped.items()}


def _use(owner: str | None, processes: list[GpuProcessUse]) -> GpuUse:
    known_sm = [p.sm_percent for p in processes if p.sm_percent is not None]
    return GpuUse(
        container_id=owner,
        gpu_memory=sum(p.used_memory or 0 for p in processes),
        processes=tuple(processes),
        sm_percent=sum(known_sm) if known_sm else None,
    )
