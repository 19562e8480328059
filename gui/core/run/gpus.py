"""Which NVIDIA GPUs this computer has, whether an image's CUDA fits the driver, and the Run dialog's GPU choices.

read_inventory blocks (NVML): call it from a worker. gpu_choices is pure: it joins the inventory with the Monitor's
latest GPU sample and attribution, so the dialog shows what is on each GPU without sampling NVML itself."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gui.core import log
from gui.core.format import human_bytes, short_id
from gui.core.monitor import nvml
from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import GpuProcessUse, GpuSnapshot

logger = log.get("gpus")

_REQUIRE_CUDA = re.compile(r"\bcuda>=(\d+)\.(\d+)")
_CUDA_VERSION = re.compile(r"^(\d+)\.(\d+)")


@dataclass(frozen=True)
class MigInfo:
    """A MIG instance: a slice of a GPU given to a container on its own, by its UUID."""

    slot: int
    name: str
    uuid: str  # "MIG-…": what `docker run --gpus device=` takes
    memory_total: int | None


@dataclass(frozen=True)
class GpuInfo:
    index: int  # NVML's index: what `docker run --gpus device=N` means
    name: str
    uuid: str
    memory_total: int | None  # bytes; None where the driver does not report it (some unified-memory boards)
    mig_enabled: bool = False  # split into MIG instances (below)
    mig: tuple[MigInfo, ...] = ()
    mig_problem: str | None = None  # MIG is on, but its instances could not be listed: why


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

    @property
    def device_ids(self) -> frozenset[str]:
        """What `--gpus device=` may name here: each GPU's index and UUID, and each MIG instance's UUID."""
        ids = {str(gpu.index) for gpu in self.gpus} | {gpu.uuid for gpu in self.gpus if gpu.uuid}
        return frozenset(ids | {mig.uuid for gpu in self.gpus for mig in gpu.mig if mig.uuid})


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
    mig_enabled = bool(nvml.mig_enabled(handle))
    mig: tuple[MigInfo, ...] = ()
    mig_problem = None
    if mig_enabled:
        try:
            mig = tuple(_read_mig(slot, instance) for slot, instance in nvml.mig_devices(handle))
        except (nvml.NvmlUnavailable, nvml.GpuLost):
            raise
        except nvml.NvmlError as exc:  # e.g. no permission to list them: the GPU itself still shows
            mig_problem = exc.reason
    return GpuInfo(
        index=index,
        name=nvml.device_name(handle) or f"GPU {index}",
        uuid=nvml.device_uuid(handle) or "",
        memory_total=memory.total if memory else None,
        mig_enabled=mig_enabled,
        mig=mig,
        mig_problem=mig_problem,
    )


def _read_mig(slot: int, handle) -> MigInfo:
    memory = nvml.memory_info(handle)
    return MigInfo(
        slot=slot,
        name=nvml.device_name(handle) or f"MIG {slot}",
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


# ---- the Run dialog's choices: each GPU (and MIG instance) with what is on it now ----------------------------------

OUTSIDE_CONTAINERS = "programs outside containers"


@dataclass(frozen=True)
class Holder:
    """Who holds GPU memory on one choice: a container, or (container_id None) the host's own programs."""

    container_id: str | None
    name: str  # the container's name ("" for the host's programs)
    memory: int  # bytes on this GPU or instance


def holder_name(holder: Holder) -> str:
    return holder.name or (short_id(holder.container_id) if holder.container_id else OUTSIDE_CONTAINERS)


@dataclass(frozen=True)
class GpuChoice:
    """One line of the Run dialog's GPU list: a GPU, or one of its MIG instances."""

    device_id: str  # what `--gpus device=` gets: the GPU's index, or the MIG instance's UUID
    index: int  # the GPU's NVML index (an instance's: its GPU's)
    name: str
    uuid: str
    memory_total: int | None
    memory_used: int | None = None  # None until the Monitor has sampled it (or where NVML cannot tell)
    utilization: float | None = None  # percent
    temperature: int | None = None  # degrees Celsius
    holders: tuple[Holder, ...] = ()  # most memory first
    mig_slot: int | None = None  # set for a MIG instance
    mig_enabled: bool = False  # a GPU split into MIG instances: containers get the instances
    problem: str | None = None  # the GPU stopped answering, or its MIG instances could not be listed
    lost: bool = False  # the GPU stopped answering the driver: no numbers

    @property
    def memory_free(self) -> int | None:
        if self.memory_used is None or self.memory_total is None:
            return None
        return max(0, self.memory_total - self.memory_used)

    @property
    def label(self) -> str:
        """ "GPU 1", or "MIG 3g.40gb #2 on GPU 0" (an instance's profile, and its place: two may share a profile)"""
        if self.mig_slot is None:
            return f"GPU {self.index}"
        profile = f"MIG {self.name.rpartition('MIG ')[2]} " if "MIG " in self.name else "MIG "
        return f"{profile}#{self.mig_slot} on GPU {self.index}"


def gpu_choices(
    inventory: GpuInventory,
    snapshot: GpuSnapshot | None = None,
    use: Mapping[str | None, GpuUse] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[GpuChoice, ...]:
    """The GPUs and MIG instances to offer, with the Monitor's latest numbers where it has sampled them.

    The inventory (read when the dialog opened) says what is there; a sample of the same GPU (by UUID) adds memory
    used, utilisation, temperature and the containers on it (`use`: the Monitor's attribution; `names`: container
    id -> name)."""
    samples = {gpu.uuid: gpu for gpu in snapshot.gpus if gpu.uuid} if snapshot is not None else {}
    owners = {process.pid: owner for owner, found in (use or {}).items() for process in found.processes}
    names = names or {}
    choices: list[GpuChoice] = []
    for gpu in inventory.gpus:
        sample = samples.get(gpu.uuid)
        instances = {mig.uuid: mig for mig in sample.mig} if sample is not None else {}
        problem = sample.problem if sample is not None and sample.lost else mig_note(gpu)
        choices.append(
            GpuChoice(
                device_id=str(gpu.index),
                index=gpu.index,
                name=gpu.name,
                uuid=gpu.uuid,
                memory_total=gpu.memory_total,
                memory_used=sample.memory_used if sample is not None else None,
                utilization=sample.utilization if sample is not None else None,
                temperature=sample.temperature if sample is not None else None,
                holders=_holders(sample.processes, owners, names) if sample is not None else (),
                mig_enabled=gpu.mig_enabled,
                problem=problem,
                lost=sample is not None and sample.lost,
            )
        )
        for mig in gpu.mig:
            live = instances.get(mig.uuid)
            choices.append(
                GpuChoice(
                    device_id=mig.uuid,
                    index=gpu.index,
                    name=mig.name,
                    uuid=mig.uuid,
                    memory_total=mig.memory_total,
                    memory_used=live.memory_used if live is not None else None,
                    holders=_holders(live.processes, owners, names) if live is not None else (),
                    mig_slot=mig.slot,
                )
            )
    return tuple(choices)


def mig_note(gpu: GpuInfo) -> str | None:
    """A sentence when a GPU in MIG mode offers no instances; None when it is not in MIG mode or offers some."""
    if not gpu.mig_enabled or gpu.mig:
        return None
    if gpu.mig_problem:
        return (
            f"GPU {gpu.index} is split into MIG instances, but the NVIDIA driver would not list them, so they are "
            f"not offered here. {gpu.mig_problem}"
        )
    return (
        f"GPU {gpu.index} is in MIG mode but has no MIG instances yet, so containers cannot use it. An "
        "administrator makes them with nvidia-smi mig (for example: sudo nvidia-smi mig -cgi 9,9 -C)."
    )


def _holders(
    processes: tuple[GpuProcessUse, ...], owners: Mapping[int, str | None], names: Mapping[str, str]
) -> tuple[Holder, ...]:
    memory: dict[str | None, int] = {}
    for process in processes:
        owner = owners.get(process.pid)
        memory[owner] = memory.get(owner, 0) + (process.used_memory or 0)
    holders = [Holder(owner, names.get(owner, "") if owner else "", used) for owner, used in memory.items()]
    return tuple(sorted(holders, key=lambda holder: (-holder.memory, holder.container_id is None)))
