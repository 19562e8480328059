"""Which NVIDIA GPUs this computer has, and whether an image's CUDA fits the driver. Blocking: call from a worker."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gui.core import log
from gui.core.format import human_bytes
from gui.core.monitor import nvml

logger = log.get("gpus")

_REQUIRE_CUDA = re.compile(r"\bcuda>=(\d+)\.(\d+)")
_CUDA_VERSION = re.compile(r"^(\d+)\.(\d+)")


@dataclass(frozen=True)
class GpuInfo:
    index: int  # NVML's index: what `docker run --gpus device=N` means
    name: str
    uuid: str
    memory_total: int | None  # bytes; None where the driver does not report it (some unified-memory boards)


@dataclass(frozen=True)
class GpuInventory:
    gpus: tuple[GpuInfo, ...]
    driver_version: str | None
    cuda_version: tuple[int, int] | None  # the newest CUDA the driver supports
    unavailable_reason: str | None  # None when NVML answered
    notes: tuple[str, ...] = ()  # GPUs left out of the list, and why ("GPU 1: ...")

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None


def read_inventory() -> GpuInventory:
    """The GPUs as NVML sees them. Never raises for NVML problems: they end up in unavailable_reason or notes."""
    try:
        driver = nvml.driver_version()
        cuda = nvml.cuda_driver_version()
        gpus: list[GpuInfo] = []
        notes: list[str] = []
        for index in range(nvml.device_count()):
            try:
                gpus.append(_read_gpu(index))
            except nvml.NvmlUnavailable:
                raise
            except nvml.NvmlError as exc:  # one bad GPU does not hide the others
                logger.info("GPU %d left out: %s", index, exc.reason)
                notes.append(f"GPU {index}: {exc.reason}")
    except nvml.NvmlUnavailable as exc:
        return GpuInventory(gpus=(), driver_version=None, cuda_version=None, unavailable_reason=exc.reason)
    except nvml.NvmlError as exc:
        return GpuInventory(gpus=(), driver_version=None, cuda_version=None, unavailable_reason=exc.reason)
    return GpuInventory(
        gpus=tuple(gpus), driver_version=driver, cuda_version=cuda, unavailable_reason=None, notes=tuple(notes)
    )


def _read_gpu(index: int) -> GpuInfo:
    handle = nvml.device_handle(index)
    memory = nvml.memory_info(handle)
    return GpuInfo(
        index=index,
        name=nvml.device_name(handle) or f"GPU {index}",
        uuid=nvml.device_uuid(handle) or "",
        memory_total=memory.total if memory else None,
    )


def _image_env(image_inspect: dict | None) -> dict[str, str]:
    config = (image_inspect or {}).get("Config") or {}
    pairs = (entry.partition("=") for entry in config.get("Env") or ())
    return {name: value for name, _, value in pairs}


def required_cuda(image_inspect: dict | None) -> tuple[int, int] | None:
    """The CUDA an image needs: NVIDIA_REQUIRE_CUDA ("cuda>=12.1 brand=...") first, else CUDA_VERSION ("12.1.0")."""
    env = _image_env(image_inspect)
    match = _REQUIRE_CUDA.search(env.get("NVIDIA_REQUIRE_CUDA", ""))
    if match is None:
        match = _CUDA_VERSION.match(env.get("CUDA_VERSION", "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def cuda_problem(required: tuple[int, int] | None, inventory: GpuInventory) -> str | None:
    """A warning when the driver's newest CUDA is older than the image needs; None when fine or unknown."""
    if required is None or inventory.cuda_version is None or inventory.cuda_version >= required:
        return None
    need = f"{required[0]}.{required[1]}"
    have = f"{inventory.cuda_version[0]}.{inventory.cuda_version[1]}"
    driver = f"the NVIDIA driver ({inventory.driver_version})" if inventory.driver_version else "the NVIDIA driver"
    return (
        f"This image needs CUDA {need}, but {driver} supports CUDA up to {have}. Update the driver, or pick an "
        f"image built for CUDA {have} or older."
    )


def describe(gpu: GpuInfo) -> str:
    """One line for a list: "0 · NVIDIA H100 80GB HBM3 · 79.6 GiB"."""
    return f"{gpu.index} · {gpu.name} · {human_bytes(gpu.memory_total)}"
