"""Live numbers of every NVIDIA GPU and of the processes on it: one snapshot per call, for the Monitor page.

Blocking (a stuck GPU can take seconds): a worker calls `sample_gpus` once per tick, never the GUI thread. It never
raises for NVML problems:
- no driver, driver not loaded, no permission -> an empty snapshot whose `unavailable_reason` says so in one
  sentence; gui.core.monitor.nvml initialises again on the next call, so a driver that comes back (a reload, an install)
  shows up on a later tick without a restart;
- a GPU that fell off the bus -> its sample has `lost=True`, its name and UUID from the last good sample, and every
  value None; the other GPUs are sampled as usual;
- a value a GPU does not have (fan of a passively cooled card, per-process utilisation on many cards) -> None.

MIG: a GPU split into instances lists each (`GpuSample.mig`) with its own UUID, memory and processes; the GPU's
own process list gets the instances' processes it lacks (NVML lists them there for privileged callers only), so a
container on an instance is attributed either way.

Per-process utilisation: NVML keeps a buffer of samples; we ask for those newer than the last one we saw on that GPU
(its lastSeenTimeStamp). A process with no new sample keeps its last value for `_HOLD_CALLS` more calls (the
driver's sample period and ours do not line up, and a value flickering to 0 would mislead), then counts as 0 %.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from gui.core import log
from gui.core.monitor import nvml

logger = log.get("gpu_stats")
T = TypeVar("T")

COMPUTE = "compute"  # CUDA (and other compute API) processes
GRAPHICS = "graphics"  # OpenGL / Vulkan / display processes
_HOLD_CALLS = 2


@dataclass(frozen=True)
class GpuProcessUse:
    pid: int  # as the host sees it (map it to a container with gpu_attribution)
    gpu_index: int
    gpu_uuid: str
    used_memory: int | None  # bytes; None where the driver cannot tell
    kind: str  # COMPUTE or GRAPHICS; a process in both lists is listed once, as COMPUTE
    sm_percent: float | None  # its share of the GPU's SM time; None when the GPU does not sample per process


@dataclass(frozen=True)
class MigSample:
    """One MIG instance: a slice of a GPU that `docker run --gpus device=<uuid>` gives on its own."""

    slot: int  # its place on the GPU (NVML's MIG device index)
    name: str  # "NVIDIA A100-SXM4-40GB MIG 3g.20gb"
    uuid: str  # "MIG-…"
    memory_used: int | None  # bytes
    memory_total: int | None
    processes: tuple[GpuProcessUse, ...]  # gpu_index is its GPU's, gpu_uuid its own


@dataclass(frozen=True)
class GpuSample:
    index: int  # NVML's index: what `docker run --gpus device=N` means
    name: str
    uuid: str
    utilization: float | None  # percent of time a kernel ran
    memory_utilization: float | None  # percent of time memory was read or written
    memory_used: int | None  # bytes
    memory_total: int | None
    temperature: int | None  # degrees Celsius
    power_draw: float | None  # watts
    power_limit: float | None  # watts
    fan: int | None  # percent
    sm_clock: int | None  # MHz
    memory_clock: int | None  # MHz
    processes: tuple[GpuProcessUse, ...]
    lost: bool = False  # fell off the bus / GPU lost: shown as such, the values above are None
    problem: str | None = None  # why this GPU could not be read (lost, or another error), for a tooltip
    mig_enabled: bool = False  # split into MIG instances: containers get those, by their UUIDs
    mig: tuple[MigSample, ...] = ()
    mig_problem: str | None = None  # MIG is on but its instances could not be listed, and why

    @property
    def memory_percent(self) -> float | None:
        if self.memory_used is None or not self.memory_total:
            return None
        return 100.0 * self.memory_used / self.memory_total


@dataclass(frozen=True)
class GpuSnapshot:
    gpus: tuple[GpuSample, ...]
    driver_version: str | None
    cuda_version: tuple[int, int] | None  # the newest CUDA the driver supports
    unavailable_reason: str | None  # one calm sentence when NVML cannot be used; None when fine
    time: float  # epoch seconds when sampling began

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None


# State kept between calls, under _sampling (a worker may be replaced while a sample is still running).
_sampling = threading.Lock()
_identities: dict[int, tuple[str, str]] = {}  # index -> (name, uuid) of the last good sample
_last_seen: dict[str, int] = {}  # uuid -> newest process sample time stamp (microseconds)
_recent_sm: dict[str, dict[int, tuple[float, int]]] = {}  # uuid -> pid -> (SM %, calls without a new sample)
_problems: dict[int, str] = {}  # index -> why it could not be read, logged once per change


def sample_gpus() -> GpuSnapshot:
    """Every GPU's numbers now. Never raises for NVML problems (see the module docstring)."""
    started = time.time()
    with _sampling:
        try:
            driver = nvml.driver_version()
            cuda = nvml.cuda_driver_version()
            gpus = tuple(_sample_gpu(index) for index in range(nvml.device_count()))
        except nvml.NvmlError as exc:  # NVML unusable, or a system-wide call failed: nothing to show
            return GpuSnapshot(
                gpus=(), driver_version=None, cuda_version=None, unavailable_reason=exc.reason, time=started
            )
        _forget_gpus_except({gpu.uuid for gpu in gpus if not gpu.lost})
        return GpuSnapshot(gpus=gpus, driver_version=driver, cuda_version=cuda, unavailable_reason=None, time=started)


def reset() -> None:
    """Forgets what earlier samples left behind (tests; a new NVML session)."""
    with _sampling:
        _identities.clear()
        _problems.clear()
        _last_seen.clear()
        _recent_sm.clear()


def _read(function: Callable[..., T], *args: Any) -> T | None:
    """One value; None when the GPU lacks it or refuses it. A lost GPU or an unusable NVML still raises."""
    try:
        return function(*args)
    except (nvml.GpuLost, nvml.NvmlUnavailable):
        raise
    except nvml.NvmlError as exc:  # e.g. no permission for this one value: the rest of the card still shows
        logger.debug("%s failed: %s", getattr(function, "__name__", function), exc.reason)
        return None


def _sample_gpu(index: int) -> GpuSample:
    try:
        handle = nvml.device_handle(index)
        name = nvml.device_name(handle) or f"GPU {index}"
        uuid = nvml.device_uuid(handle) or ""
        _identities[index] = (name, uuid)
        if _problems.pop(index, None) is not None:
            logger.info("GPU %d answers again", index)
        memory = _read(nvml.memory_info, handle)
        rates = _read(nvml.utilization, handle)
        mig_enabled, instances, mig_problem = _mig(handle, index)
        return GpuSample(
            index=index,
            name=name,
            uuid=uuid,
            utilization=None if rates is None else float(rates.gpu),
            memory_utilization=None if rates is None else float(rates.memory),
            memory_used=None if memory is None else memory.used,
            memory_total=None if memory is None else memory.total,
            temperature=_read(nvml.temperature, handle),
            power_draw=_read(nvml.power_usage, handle),
            power_limit=_read(nvml.power_limit, handle),
            fan=_read(nvml.fan_speed, handle),
            sm_clock=_read(nvml.sm_clock, handle),
            memory_clock=_read(nvml.memory_clock, handle),
            processes=_with_instance_processes(_processes(handle, index, uuid), instances, uuid),
            mig_enabled=mig_enabled,
            mig=instances,
            mig_problem=mig_problem,
        )
    except nvml.NvmlUnavailable:
        raise
    except nvml.GpuLost as exc:
        return _unreadable(index, exc.reason, lost=True)
    except nvml.NvmlError as exc:  # no handle, no name: show the card, without numbers
        return _unreadable(index, exc.reason, lost=False)


def _unreadable(index: int, reason: str, lost: bool) -> GpuSample:
    if _problems.get(index) != reason:  # sampled every second: say it once
        logger.info("GPU %d %s: %s", index, "is lost" if lost else "could not be read", reason)
        _problems[index] = reason
    name, uuid = _identities.get(index, (f"GPU {index}", ""))
    return GpuSample(
        index=index,
        name=name,
        uuid=uuid,
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
        processes=(),
        lost=lost,
        problem=reason,
    )


def _processes(handle: Any, index: int, uuid: str) -> tuple[GpuProcessUse, ...]:
    sm = _process_sm(handle, uuid)
    uses: dict[int, GpuProcessUse] = {}
    for kind, processes in (
        (COMPUTE, _read(nvml.compute_processes, handle)),
        (GRAPHICS, _read(nvml.graphics_processes, handle)),
    ):
        for process in processes or ():
            known = uses.get(process.pid)
            if known is not None:  # in both lists (CUDA and drawing): one entry, the larger memory figure
                memories = [m for m in (known.used_memory, process.used_memory) if m is not None]
                uses[process.pid] = replace(known, used_memory=max(memories) if memories else None)
                continue
            uses[process.pid] = GpuProcessUse(
                pid=process.pid,
                gpu_index=index,
                gpu_uuid=uuid,
                used_memory=process.used_memory,
                kind=kind,
                sm_percent=None if sm is None else sm.get(process.pid, 0.0),
            )
    return tuple(uses.values())


def _mig(handle: Any, index: int) -> tuple[bool, tuple[MigSample, ...], str | None]:
    """(in MIG mode, its instances, why they could not be listed); listing can fail on its own (no permission)."""
    if not _read(nvml.mig_enabled, handle):
        return False, (), None
    try:
        instances = tuple(_sample_instance(instance, index, slot) for slot, instance in nvml.mig_devices(handle))
    except (nvml.GpuLost, nvml.NvmlUnavailable):
        raise
    except nvml.NvmlError as exc:
        return True, (), exc.reason
    return True, instances, None


def _sample_instance(handle: Any, index: int, slot: int) -> MigSample:
    uuid = nvml.device_uuid(handle) or ""
    memory = _read(nvml.memory_info, handle)
    processes = tuple(
        GpuProcessUse(
            pid=process.pid,
            gpu_index=index,
            gpu_uuid=uuid,
            used_memory=process.used_memory,
            kind=COMPUTE,
            sm_percent=None,  # NVML samples utilisation per GPU, not per instance
        )
        for process in _read(nvml.compute_processes, handle) or ()
    )
    return MigSample(
        slot=slot,
        name=nvml.device_name(handle) or f"MIG {slot}",
        uuid=uuid,
        memory_used=None if memory is None else memory.used,
        memory_total=None if memory is None else memory.total,
        processes=processes,
    )


def _with_instance_processes(
    processes: tuple[GpuProcessUse, ...], instances: tuple[MigSample, ...], uuid: str
) -> tuple[GpuProcessUse, ...]:
    """The GPU's processes and those of its instances that it does not list (an unprivileged caller sees none)."""
    listed = {process.pid: process for process in processes}
    for instance in instances:
        for process in instance.processes:
            listed.setdefault(process.pid, replace(process, gpu_uuid=uuid))
    return tuple(listed.values())


def _process_sm(handle: Any, uuid: str) -> dict[int, float] | None:
    """pid -> SM % from the samples since the last call on this GPU; None when the GPU does not sample them."""
    samples = _read(nvml.process_utilization, handle, _last_seen.get(uuid, 0))
    if samples is None:
        _last_seen.pop(uuid, None)
        _recent_sm.pop(uuid, None)
        return None
    recent = {
        pid: (value, misses + 1) for pid, (value, misses) in _recent_sm.get(uuid, {}).items() if misses < _HOLD_CALLS
    }
    newest: dict[int, nvml.ProcessUtilization] = {}
    for sample in samples:
        if sample.pid not in newest or sample.timestamp > newest[sample.pid].timestamp:
            newest[sample.pid] = sample
    recent.update({pid: (float(sample.sm), 0) for pid, sample in newest.items()})
    if samples:
        _last_seen[uuid] = max(max(sample.timestamp for sample in samples), _last_seen.get(uuid, 0))
    _recent_sm[uuid] = recent
    return {pid: value for pid, (value, _misses) in recent.items()}


def _forget_gpus_except(uuids: set[str]) -> None:
    for state in (_last_seen, _recent_sm):
        for uuid in [uuid for uuid in state if uuid not in uuids]:
            del state[uuid]
