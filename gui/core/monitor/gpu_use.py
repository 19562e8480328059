"""Does a container given a GPU use it? One short state per container, for its row, its Usage page and the Monitor.

From what is known of the container (the GPUs it was given at start, in its inspect: HostConfig.DeviceRequests, the
nvidia runtime or /dev/nvidia* devices; and when it started) and what NVML sees now (attribution's GpuUse):
- "on GPU 0: 2.1 GiB, 63 %": a process of the container is on a GPU (its memory there and its share of the SM time);
- "checking GPU use… (12 s)": given a GPU, no GPU process yet, and still within GRACE_S of its start (a program
  loads its model before it touches the GPU);
- "GPU given, not used yet": the grace period is over and no process of it has used a GPU since it started;
- "GPU given, idle now": it used one since it started, and does not now;
- "GPU given, use unknown": NVML cannot tell (no driver here, say).
A container neither given a GPU nor using one has no state (None): most containers, and their rows stay quiet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gui.core.engine.inspect_summary import parse_timestamp
from gui.core.format import human_bytes

if TYPE_CHECKING:
    from gui.core.monitor.attribution import GpuUse
    from gui.core.monitor.timeseries import Series

GRACE_S = 20.0

USING = "using"
CHECKING = "checking"
NOT_USED = "not-used"
IDLE = "idle"
UNKNOWN = "unknown"

_NO_GPU_VALUES = ("", "void", "none")  # NVIDIA_VISIBLE_DEVICES values that ask for no GPU


@dataclass(frozen=True)
class GpuGrant:
    """The GPUs a container was given when it started."""

    what: str  # "all GPUs", "1 GPU", "GPU 0, 1", "the nvidia runtime (NVIDIA_VISIBLE_DEVICES=all)"
    started_at: float | None  # epoch seconds of its current run; None when the engine did not say


def gpu_grant(inspect: dict) -> GpuGrant | None:
    """The GPUs in a container's inspect payload; None when it was given none."""
    host = inspect.get("HostConfig") or {}
    started_at = parse_timestamp((inspect.get("State") or {}).get("StartedAt"))
    for request in host.get("DeviceRequests") or ():
        capabilities = {cap for caps in request.get("Capabilities") or () for cap in caps or ()}
        driver = request.get("Driver") or ""
        ids = [str(i) for i in request.get("DeviceIDs") or ()]
        if "gpu" in capabilities or driver == "nvidia" or any(i.startswith("nvidia.com/gpu") for i in ids):
            return GpuGrant(_requested(request.get("Count"), ids), started_at)
    env = dict(item.partition("=")[::2] for item in (inspect.get("Config") or {}).get("Env") or ())
    visible = env.get("NVIDIA_VISIBLE_DEVICES", "")
    if host.get("Runtime") == "nvidia" and visible not in _NO_GPU_VALUES:
        return GpuGrant(f"the nvidia runtime (NVIDIA_VISIBLE_DEVICES={visible})", started_at)
    devices = [d.get("PathOnHost", "") for d in host.get("Devices") or ()]
    gpus = [d.removeprefix("/dev/nvidia") for d in devices if d.removeprefix("/dev/nvidia").isdigit()]
    if gpus:
        return GpuGrant(f"GPU {', '.join(gpus)} (as devices)", started_at)
    return None


def _requested(count, ids: list[str]) -> str:
    if ids:
        return f"GPU {', '.join(ids)}"
    if count == -1 or not count:
        return "all GPUs"
    return f"{count} GPU{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class GpuUseState:
    kind: str  # USING, CHECKING, NOT_USED, IDLE or UNKNOWN
    text: str  # short, for a table cell
    tooltip: str  # the longer story
    seconds_left: int = 0  # CHECKING: whole seconds of the grace period left


def gpu_use_state(
    grant: GpuGrant | None,
    use: GpuUse | None,
    now: float,
    *,
    used_before: bool = False,
    unavailable_reason: str | None = None,
    grace_s: float | None = None,
) -> GpuUseState | None:
    """The state of one running container. used_before: one of its processes used a GPU since it started
    (`used_since`); unavailable_reason: why NVML cannot tell (None when it can); grace_s: GRACE_S unless given."""
    grace_s = GRACE_S if grace_s is None else grace_s
    if use is not None and (use.processes or use.gpu_memory):
        return _using(use)
    if grant is None:
        return None
    given = f"It was given {grant.what} when it started"
    if unavailable_reason is not None:
        return GpuUseState(UNKNOWN, "GPU given, use unknown", f"{given}. {unavailable_reason}")
    if used_before:
        return GpuUseState(IDLE, "GPU given, idle now", f"{given}, and used it since, but runs nothing on it now.")
    started = grant.started_at if grant.started_at is not None else now
    left = math.ceil(started + grace_s - now)
    if left > 0:
        return GpuUseState(
            CHECKING,
            f"checking GPU use… ({left} s)",
            f"{given}. A program often loads its data before it starts on the GPU, so Portside waits "
            f"{grace_s:.0f} seconds after the start before it calls the GPU unused.",
            seconds_left=left,
        )
    return GpuUseState(
        NOT_USED,
        "GPU given, not used yet",
        f"{given}, but none of its processes has used a GPU since. Use Check inside to find out why.",
    )


def _using(use: GpuUse) -> GpuUseState:
    per_gpu: dict[int, list] = {}
    for process in use.processes:
        per_gpu.setdefault(process.gpu_index, []).append(process)
    parts = []
    for index, processes in sorted(per_gpu.items()):
        memory = sum(p.used_memory or 0 for p in processes)
        known = [p.sm_percent for p in processes if p.sm_percent is not None]
        parts.append(f"GPU {index}: {human_bytes(memory)}" + (f", {sum(known):.0f} %" if known else ""))
    if not parts:  # NVML named no process (it only knew the memory)
        text = human_bytes(use.gpu_memory)
    elif len(parts) <= 2:
        text = "on " + "; ".join(parts)
    else:
        text = f"on GPUs {', '.join(str(i) for i in sorted(per_gpu))}: {human_bytes(use.gpu_memory)}"
    lines = [
        f"PID {p.pid} on GPU {p.gpu_index} ({p.kind}): {human_bytes(p.used_memory)}"
        + (f", {p.sm_percent:.0f} % of its SM time" if p.sm_percent is not None else "")
        for p in sorted(use.processes, key=lambda p: (p.gpu_index, p.pid))
    ]
    tooltip = "\n".join(["GPU memory and SM use of its processes (NVML):", *lines]) if lines else text
    return GpuUseState(USING, text, tooltip)


def used_since(gpu_memory: Series | None, since: float | None, now: float) -> bool:
    """Whether a container's GPU memory history (the Monitor's "gpu_memory" series) shows use since `since`."""
    if gpu_memory is None:
        return False
    seconds = now - since if since is not None else math.inf
    _times, values = gpu_memory.window(min(seconds, 3600.0) + 1.0, now)
    return any(value > 0 and math.isfinite(value) for value in values)
