"""`portside doctor`: the engine check as lines of text or JSON. No Qt."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict, dataclass

from gui.core.engine import help as engine_help
from gui.core.engine.connection import MIN_API_VERSION, Diagnosis, EngineState
from gui.core.format import LOW_DISK_BYTES, human_bytes
from gui.core.run.gpus import GpuInventory, describe


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    value: str
    fix: str = ""


def current_platform() -> str:
    if sys.platform == "darwin":
        return "macOS"
    if sys.platform == "win32":
        return "Windows"
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            text = handle.read().lower()
    except OSError:
        text = ""
    return "Fedora" if "fedora" in text or "rhel" in text else "Debian / Ubuntu"


def checks(diagnosis: Diagnosis, platform: str | None = None, gpus: GpuInventory | None = None) -> list[Check]:
    """The checks to print; `gpus` (from gpus.read_inventory) adds what the NVIDIA driver reports."""
    platform = platform or current_platform()
    advice = engine_help.advice(diagnosis)
    cli = shutil.which("docker")
    items = [
        Check(
            "docker command",
            bool(cli),
            cli or "not found",
            "" if cli else "Install the docker CLI to type the commands Portside shows you.",
        ),
        Check("engine address", True, f"{diagnosis.endpoint.host} (from {diagnosis.endpoint.source})"),
    ]
    host_gpus = [gpu_check(gpus)] if gpus is not None else []
    if not diagnosis.usable:
        fix = advice.steps.get(platform, "")
        if advice.warning:
            fix = f"{fix}\nWarning: {advice.warning}"
        items.append(
            Check(
                "engine", False, f"{advice.title}: {diagnosis.detail}".strip(": "), f"{advice.summary}\n{fix}".strip()
            )
        )
        return items + host_gpus
    info = diagnosis.info
    assert info is not None
    items += [
        Check("engine", True, f"Docker {info.engine_version} is running"),
        Check("API version", True, f"{info.api_version} (Portside needs {MIN_API_VERSION} or newer)"),
        Check("operating system", True, f"{info.os}, kernel {info.kernel}, {info.architecture}"),
        Check("CPUs and memory", True, f"{info.cpus} CPUs, {human_bytes(info.memory_bytes)}"),
        Check("storage driver", True, info.storage_driver),
    ]
    free = info.data_root_free_bytes
    low = free is not None and free < LOW_DISK_BYTES
    items.append(
        Check(
            "data-root free space",
            not low,
            f"{human_bytes(free)} free in {info.data_root}",
            "Free some space: remove unused images (Images > Remove dangling) or run `docker system prune`."
            if low
            else "",
        )
    )
    items.append(container_gpu_check(info.gpu_support, gpus))
    return items + host_gpus


def container_gpu_check(gpu_support: str | None, gpus: GpuInventory | None) -> Check:
    """Whether the engine can hand GPUs to containers. Without an NVIDIA driver there is nothing to hand over,
    so the missing toolkit is no problem then."""
    if gpu_support:
        return Check("GPUs for containers", True, f"yes, through the {gpu_support}")
    if gpus is not None and not gpus.available:
        return Check("GPUs for containers", True, "no (not needed: this computer has no NVIDIA driver)")
    return Check(
        "GPUs for containers",
        False,
        "no (no NVIDIA runtime or CDI devices in `docker info`, and no nvidia-container-runtime-hook where the "
        "engine looks)",
        engine_help.GPU_TOOLKIT_STEPS,
    )


def gpu_check(gpus: GpuInventory) -> Check:
    """The host's NVIDIA GPUs as NVML sees them. No GPU is fine: Portside and containers work without one."""
    if not gpus.available:
        return Check("NVIDIA GPUs", True, f"none: {gpus.unavailable_reason}")
    cuda = f", CUDA up to {gpus.cuda_version[0]}.{gpus.cuda_version[1]}" if gpus.cuda_version else ""
    listed = "; ".join(describe(gpu) for gpu in gpus.gpus) or "the driver reports no GPUs"
    return Check("NVIDIA GPUs", True, f"driver {gpus.driver_version or 'n/a'}{cuda}: {listed}")


def render_text(items: list[Check]) -> str:
    width = max(len(item.name) for item in items)
    lines = []
    for item in items:
        mark = "OK     " if item.ok else "PROBLEM"
        lines.append(f"{mark}  {item.name.ljust(width)}  {item.value}")
        for fix_line in item.fix.splitlines():
            lines.append(f"{'':7}  {'':{width}}    {fix_line}")
    return "\n".join(lines)


def render_json(diagnosis: Diagnosis, items: list[Check]) -> str:
    return json.dumps(
        {
            "state": diagnosis.state.value,
            "usable": diagnosis.usable,
            "endpoint": asdict(diagnosis.endpoint),
            "info": asdict(diagnosis.info) if diagnosis.info else None,
            "checks": [asdict(item) for item in items],
        },
        indent=2,
    )


def exit_code(diagnosis: Diagnosis) -> int:
    return 0 if diagnosis.state is EngineState.CONNECTED else 1
