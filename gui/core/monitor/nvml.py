"""The one place that talks to the NVIDIA driver (NVML, through pynvml), in nvitop's manner.

Every call goes through `query`: NVML is initialised lazily on the first call, shut down at exit, and calls are
serialised by a lock (NVML is thread-safe, but init/shutdown and our own state are not). Situations are kept apart
on purpose:
- a value the GPU does not have (NVML "not supported", or a driver too old for the call) -> None, shown as "n/a";
- no driver installed, driver not loaded, no permission, driver/library mismatch -> NvmlUnavailable(reason);
  NVML is retried on the next call, so installing or loading the driver needs no restart of Portside;
- a GPU that stopped answering -> GpuLost(reason), for that GPU only;
- anything else -> NvmlError(reason).
Calls block (a stuck GPU can take seconds): run them in a worker, never on the GUI thread.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pynvml

from gui.core import log

logger = log.get("nvml")
T = TypeVar("T")

NO_DRIVER = (
    "No NVIDIA driver is installed on this computer, so there are no GPUs to give to containers. "
    "If it has an NVIDIA GPU, install the NVIDIA driver and open this again."
)
DRIVER_NOT_LOADED = (
    "The NVIDIA driver is installed but not running, so Portside cannot see the GPUs. Restart the "
    "computer; if that does not help, reinstall the driver (a kernel update can leave it unbuilt)."
)
NO_PERMISSION = (
    "This user is not allowed to talk to the NVIDIA driver, so Portside cannot see the GPUs. Ask an "
    "administrator to give your user access to the /dev/nvidia* devices."
)
VERSION_MISMATCH = (
    "The NVIDIA driver was updated but the old one is still running. Restart the computer to finish the update."
)
VALUE_NOT_PERMITTED = (
    "This user is not allowed to read this value from the NVIDIA driver. Ask an administrator "
    "for access to the /dev/nvidia* devices."
)
GPU_LOST = (
    'The GPU stopped answering the driver (NVIDIA calls this "GPU is lost"). Restart the computer; if it '
    "happens again, check the card's power and cooling."
)

# Codes that mean NVML cannot be used at all (nvml.h).
_UNAVAILABLE = {
    pynvml.NVML_ERROR_LIBRARY_NOT_FOUND: NO_DRIVER,
    pynvml.NVML_ERROR_DRIVER_NOT_LOADED: DRIVER_NOT_LOADED,
    pynvml.NVML_ERROR_NO_PERMISSION: NO_PERMISSION,
    pynvml.NVML_ERROR_LIB_RM_VERSION_MISMATCH: VERSION_MISMATCH,
    pynvml.NVML_ERROR_UNINITIALIZED: DRIVER_NOT_LOADED,
}
# Codes that mean "this GPU has no such value": the caller shows "n/a".
_NO_VALUE = {pynvml.NVML_ERROR_NOT_SUPPORTED, pynvml.NVML_ERROR_FUNCTION_NOT_FOUND}


class NvmlError(Exception):
    """An NVML call failed; `reason` is a plain sentence for the user, `code` the NVML code (None if unknown)."""

    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class NvmlUnavailable(NvmlError):
    """NVML cannot be used at all: no driver, driver not loaded, no permission, ..."""


class GpuLost(NvmlError):
    """One GPU stopped answering; the others may still work."""


def _unexpected(code: int | None, detail: str) -> str:
    return (
        f"The NVIDIA driver gave an unexpected answer ({detail}, NVML code {code}). Restart the computer if "
        "the GPUs do not show up."
    )


def _translate(exc: pynvml.NVMLError, during_init: bool) -> NvmlError:
    code = getattr(exc, "value", None)
    if code == pynvml.NVML_ERROR_NO_PERMISSION and not during_init:  # one call needs more rights; others work
        return NvmlError(VALUE_NOT_PERMITTED, code)
    if code in _UNAVAILABLE:
        return NvmlUnavailable(_UNAVAILABLE[code], code)
    if during_init:  # whatever the cause, nothing works until an init succeeds
        return NvmlUnavailable(GPU_LOST if code == pynvml.NVML_ERROR_GPU_IS_LOST else _unexpected(code, str(exc)), code)
    if code == pynvml.NVML_ERROR_GPU_IS_LOST:
        return GpuLost(GPU_LOST, code)
    return NvmlError(_unexpected(code, str(exc)), code)


_lock = threading.RLock()
_initialised = False
_atexit_registered = False
_last_unavailable: str | None = None  # what was last logged about NVML not being usable


def _ensure_initialised() -> None:
    global _initialised, _atexit_registered
    if _initialised:
        return
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        reason = _translate(exc, during_init=True)
        _log_unavailable(f"{exc} ({type(exc).__name__})")
        raise reason from exc
    except OSError as exc:  # a broken library file: found, but not loadable
        _log_unavailable(str(exc))
        raise NvmlUnavailable(_unexpected(None, str(exc))) from exc
    _initialised = True
    _log_unavailable(None)
    if not _atexit_registered:
        atexit.register(shutdown)
        _atexit_registered = True


def _log_unavailable(detail: str | None) -> None:
    """Logs why NVML cannot be used when that changes: a monitor retries every second, the log needs it once."""
    global _last_unavailable
    if detail != _last_unavailable and detail is not None:
        logger.info("NVML is not available: %s", detail)
    elif detail is None and _last_unavailable is not None:
        logger.info("NVML answers again")
    _last_unavailable = detail


def _forget_initialisation() -> None:
    """The driver went away under us: drop our state so the next call initialises again."""
    global _initialised
    if _initialised:
        try:
            pynvml.nvmlShutdown()
        except pynvml.NVMLError:
            pass  # it is gone already; nothing to release
        _initialised = False


def query(fn: Callable[..., T] | str, *args: Any) -> T | None:
    """Calls a pynvml function (or one named like "nvmlDeviceGetName"); None when the GPU lacks the value.

    Raises NvmlUnavailable, GpuLost or NvmlError, each with a reason for the user.
    """
    function = getattr(pynvml, fn) if isinstance(fn, str) else fn
    with _lock:
        _ensure_initialised()
        try:
            return function(*args)
        except pynvml.NVMLLibraryMismatchError:
            return None  # an unversioned call this driver does not have: same as "not supported"
        except pynvml.NVMLError as exc:
            if getattr(exc, "value", None) in _NO_VALUE:
                return None
            error = _translate(exc, during_init=False)
            if isinstance(error, NvmlUnavailable):
                _forget_initialisation()
            raise error from exc


def available() -> bool:
    """True when NVML answers (a driver is installed and running); never raises."""
    return unavailable_reason() is None


def unavailable_reason() -> str | None:
    """Why NVML cannot be used, as a plain sentence, or None when it answers."""
    with _lock:
        try:
            _ensure_initialised()
        except NvmlUnavailable as exc:
            return exc.reason
    return None


def shutdown() -> None:
    """Releases NVML (at exit, and in tests); the next query initialises again, and logs afresh."""
    global _last_unavailable
    with _lock:
        _forget_initialisation()
        _last_unavailable = None


# ---- explicit calls (nvitop's habit, without its metaprogramming) ----


@dataclass(frozen=True)
class MemoryInfo:
    total: int  # bytes
    used: int  # bytes the processes use (the driver's reserved part left out, where NVML can tell)
    free: int


@dataclass(frozen=True)
class Utilization:
    gpu: int  # percent of time a kernel ran over the last sample period
    memory: int  # percent of time memory was read or written


@dataclass(frozen=True)
class GpuProcess:
    pid: int
    used_memory: int | None  # bytes; None where the driver cannot tell (Windows WDDM)


def driver_version() -> str | None:
    return query(pynvml.nvmlSystemGetDriverVersion)


def cuda_driver_version() -> tuple[int, int] | None:
    """The newest CUDA the driver supports: 12020 -> (12, 2)."""
    version = query(pynvml.nvmlSystemGetCudaDriverVersion_v2)
    if version is None:
        version = query(pynvml.nvmlSystemGetCudaDriverVersion)
    return cuda_version_tuple(version)


def cuda_version_tuple(version: int | None) -> tuple[int, int] | None:
    """NVML's CUDA number (1000 * major + 10 * minor) as (major, minor)."""
    if not version or version <= 0:
        return None
    return version // 1000, (version % 1000) // 10


def device_count() -> int:
    return query(pynvml.nvmlDeviceGetCount) or 0


def device_handle(index: int) -> Any:
    """An opaque handle for the GPU with this NVML index (the index `docker run --gpus device=N` uses)."""
    handle = query(pynvml.nvmlDeviceGetHandleByIndex, index)
    if handle is None:
        raise NvmlError(_unexpected(pynvml.NVML_ERROR_NOT_SUPPORTED, f"no handle for GPU {index}"))
    return handle


def device_name(handle: Any) -> str | None:
    return query(pynvml.nvmlDeviceGetName, handle)


def device_uuid(handle: Any) -> str | None:
    return query(pynvml.nvmlDeviceGetUUID, handle)


def memory_info(handle: Any) -> MemoryInfo | None:
    """The _v2 call first (its "used" leaves out what the driver reserves), else the original one."""
    memory = None
    version = getattr(pynvml, "nvmlMemory_v2", None)  # pynvml before 12.535.77 has only the original call
    if version is not None:
        try:
            memory = query(pynvml.nvmlDeviceGetMemoryInfo, handle, version)
        except NvmlError as exc:
            if exc.code != pynvml.NVML_ERROR_ARGUMENT_VERSION_MISMATCH:
                raise
    if memory is None:
        memory = query(pynvml.nvmlDeviceGetMemoryInfo, handle)
    if memory is None:
        return None
    return MemoryInfo(total=memory.total, used=memory.used, free=memory.free)


def utilization(handle: Any) -> Utilization | None:
    rates = query(pynvml.nvmlDeviceGetUtilizationRates, handle)
    return None if rates is None else Utilization(gpu=rates.gpu, memory=rates.memory)


def temperature(handle: Any) -> int | None:
    """Degrees Celsius of the GPU die."""
    return query(pynvml.nvmlDeviceGetTemperature, handle, pynvml.NVML_TEMPERATURE_GPU)


def power_usage(handle: Any) -> float | None:
    """Watts drawn now."""
    milliwatts = query(pynvml.nvmlDeviceGetPowerUsage, handle)
    return None if milliwatts is None else milliwatts / 1000


def power_limit(handle: Any) -> float | None:
    """Watts the card is allowed to draw."""
    milliwatts = query(pynvml.nvmlDeviceGetEnforcedPowerLimit, handle)
    return None if milliwatts is None else milliwatts / 1000


def compute_processes(handle: Any) -> list[GpuProcess] | None:
    """Processes running CUDA work on this GPU; pids are as the host sees them."""
    processes = query(pynvml.nvmlDeviceGetComputeRunningProcesses, handle)
    if processes is None:
        return None
    return [GpuProcess(pid=p.pid, used_memory=p.usedGpuMemory) for p in processes]


def fan_speed(handle: Any) -> int | None:
    """Percent of the fan's top speed the driver asks for (its first fan); None on passively cooled cards."""
    return query(pynvml.nvmlDeviceGetFanSpeed, handle)


def sm_clock(handle: Any) -> int | None:
    """MHz the streaming multiprocessors run at now."""
    return query(pynvml.nvmlDeviceGetClockInfo, handle, pynvml.NVML_CLOCK_SM)


def memory_clock(handle: Any) -> int | None:
    """MHz the GPU's memory runs at now."""
    return query(pynvml.nvmlDeviceGetClockInfo, handle, pynvml.NVML_CLOCK_MEM)


def graphics_processes(handle: Any) -> list[GpuProcess] | None:
    """Processes drawing on this GPU (OpenGL, Vulkan, a desktop session); pids are as the host sees them."""
    processes = query(pynvml.nvmlDeviceGetGraphicsRunningProcesses, handle)
    if processes is None:
        return None
    return [GpuProcess(pid=p.pid, used_memory=p.usedGpuMemory) for p in processes]


@dataclass(frozen=True)
class ProcessUtilization:
    pid: int
    timestamp: int  # microseconds, the driver's CPU time stamp of this sample
    sm: int  # percent of the GPU's SM time this process used over the sample period
    memory: int  # percent of memory-controller time
    encoder: int
    decoder: int


# NVML answers "not found" when no process ran since the time stamp given; pynvml raises code 0 when a driver
# answers "success, no samples" to its first (sizing) call. Both mean: nothing to report, and the GPU can tell.
_NO_SAMPLES = {pynvml.NVML_ERROR_NOT_FOUND, pynvml.NVML_SUCCESS}


def process_utilization(handle: Any, last_seen: int = 0) -> list[ProcessUtilization] | None:
    """Per-process utilisation samples newer than `last_seen` (microseconds; 0 = all the driver keeps).

    None when the GPU does not sample per process (many consumer and older cards); [] when nothing ran since."""
    try:
        samples = query(pynvml.nvmlDeviceGetProcessUtilization, handle, last_seen)
    except NvmlError as exc:
        if exc.code in _NO_SAMPLES:
            return []
        raise
    if samples is None:
        return None
    return [
        ProcessUtilization(
            pid=s.pid, timestamp=s.timeStamp, sm=s.smUtil, memory=s.memUtil, encoder=s.encUtil, decoder=s.decUtil
        )
        for s in samples
        if s.pid
    ]  # a driver may pad the array with empty entries


# ---- MIG: a GPU split into instances (A100, H100, ...), each given to a container by its own UUID ----


def mig_enabled(handle: Any) -> bool | None:
    """Whether the GPU is split into MIG instances now; None for a GPU without MIG."""
    modes = query(pynvml.nvmlDeviceGetMigMode, handle)
    return None if modes is None else modes[0] == pynvml.NVML_DEVICE_MIG_ENABLE


def mig_devices(handle: Any) -> list[tuple[int, Any]]:
    """The MIG instances of a GPU in MIG mode, as (slot, handle); empty slots are left out.

    An instance's handle answers device_name, device_uuid ("MIG-…", what `docker run --gpus device=` takes),
    memory_info and compute_processes for that instance alone."""
    found = []
    for slot in range(query(pynvml.nvmlDeviceGetMaxMigDeviceCount, handle) or 0):
        try:
            instance = query(pynvml.nvmlDeviceGetMigDeviceHandleByIndex, handle, slot)
        except NvmlError as exc:
            if exc.code == pynvml.NVML_ERROR_NOT_FOUND:
                continue  # no instance made in this slot
            raise
        if instance is not None:
            found.append((slot, instance))
    return found
