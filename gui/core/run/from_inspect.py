"""Run again with changes: a RunSpec read back from `docker container inspect` data. No Qt, no engine.

What equals the image's own defaults (its Env entries, Cmd, Entrypoint, WorkingDir, User, labels) is left out,
so the Run dialog shows only what the user chose.
"""

from __future__ import annotations

import shlex
from decimal import Decimal
from typing import Any

from gui.core.run.spec import (
    DEFAULT_SHM_SIZE,
    GPU_CAPABILITIES,
    SIZE_UNITS,
    EnvVar,
    GpuMode,
    GpuSpec,
    MountSpec,
    PortSpec,
    RunSpec,
)


def spec_from_inspect(container: dict, image: dict | None = None) -> RunSpec:
    config, host = container.get("Config") or {}, container.get("HostConfig") or {}
    image_config = (image or {}).get("Config") or {}
    image_env = set(image_config.get("Env") or ())
    image_labels = image_config.get("Labels") or {}
    entrypoint, command = _program_and_arguments(config, image_config)
    policy = host.get("RestartPolicy") or {}
    return RunSpec(
        image=config.get("Image") or container.get("Image") or "",
        name=(container.get("Name") or "").lstrip("/"),
        command=command,
        entrypoint=entrypoint,
        workdir=_unless_default(config.get("WorkingDir"), image_config.get("WorkingDir")),
        user=_unless_default(config.get("User"), image_config.get("User")),
        auto_remove=bool(host.get("AutoRemove")),
        restart=policy.get("Name") or "no",
        restart_max_retries=int(policy.get("MaximumRetryCount") or 0),
        interactive_tty=bool(config.get("Tty") and config.get("OpenStdin")),
        ports=_ports_from_bindings(host.get("PortBindings") or {}),
        publish_all=bool(host.get("PublishAllPorts")),
        env=tuple(EnvVar(*entry.partition("=")[::2]) for entry in config.get("Env") or () if entry not in image_env),
        mounts=_mounts_from_host_config(host),
        gpus=_gpus_from_requests(host.get("DeviceRequests") or ()),
        memory=_size_text(host.get("Memory") or 0),
        cpus=_cpus_text(host.get("NanoCpus") or 0),
        # The engine stores its 64 MB default even when none was asked for.
        shm_size="" if host.get("ShmSize") in (None, 0, DEFAULT_SHM_SIZE) else _size_text(host["ShmSize"]),
        privileged=bool(host.get("Privileged")),
        labels=tuple(
            (key, value)
            for key, value in (config.get("Labels") or {}).items()
            if not key.startswith("org.opencontainers.") and image_labels.get(key) != value
        ),
    )


def _unless_default(value: Any, default: Any) -> str:
    return "" if not value or value == default else str(value)


def _program_and_arguments(config: dict, image_config: dict) -> tuple[str, str]:
    """(entrypoint, command) as the form holds them. The form's entrypoint is one program, so the further
    words of a longer one go in front of the command: the container still runs the same words."""
    entrypoint = list(config.get("Entrypoint") or ())
    command = list(config.get("Cmd") or ())
    if entrypoint == list(image_config.get("Entrypoint") or ()):
        return "", "" if command == list(image_config.get("Cmd") or ()) else shlex.join(command)
    # A new entrypoint drops the image's CMD, so whatever Cmd holds now is the user's.
    return shlex.join(entrypoint[:1]), shlex.join(entrypoint[1:] + command)


def _ports_from_bindings(bindings: dict) -> tuple[PortSpec, ...]:
    """Table rows from PortBindings. The engine stores a range port by port; runs of consecutive ports are
    joined back into one row ("8000-8010"), as the user most likely typed them."""
    published = []
    for key, host_bindings in bindings.items():
        port, _, protocol = key.partition("/")
        for binding in host_bindings or ():
            all_interfaces = (binding.get("HostIp") or "") in ("", "0.0.0.0", "::")
            published.append((protocol or "tcp", all_interfaces, int(port), binding.get("HostPort") or ""))
    published.sort(
        key=lambda item: (item[0], item[1], item[2], item[3].isdigit(), int(item[3] or 0) if item[3].isdigit() else 0)
    )
    runs: list[list] = []  # [protocol, all interfaces, first port, last port, first host port, last host port]
    for protocol, all_interfaces, port, host in published:
        last = runs[-1] if runs else None
        if last and last[:2] == [protocol, all_interfaces] and port == last[3] + 1 and _follows(host, last[5]):
            last[3], last[5] = port, host
        else:
            runs.append([protocol, all_interfaces, port, port, host, host])
    return tuple(
        PortSpec(_span(first, last), _span(host_first, host_last), protocol, all_interfaces)
        for protocol, all_interfaces, first, last, host_first, host_last in runs
    )


def _follows(host: str, previous: str) -> bool:
    """True when `host` continues a run ending at `previous`: both random, or the next port number."""
    if not host or not previous:
        return host == previous
    return host.isdigit() and previous.isdigit() and int(host) == int(previous) + 1


def _span(first: int | str, last: int | str) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _mounts_from_host_config(host: dict) -> tuple[MountSpec, ...]:
    mounts = [
        MountSpec(mount["Type"], mount.get("Source") or "", mount.get("Target") or "", bool(mount.get("ReadOnly")))
        for mount in host.get("Mounts") or ()
        if mount.get("Type") in ("bind", "volume")
    ]
    for bind in host.get("Binds") or ():  # from `docker run -v source:target[:options]`
        source, _, rest = bind.partition(":")
        target, _, options = rest.partition(":")
        mounts.append(
            MountSpec("bind" if source.startswith("/") else "volume", source, target, "ro" in options.split(","))
        )
    return tuple(mounts)


def _gpus_from_requests(requests: Any) -> GpuSpec:
    for request in requests:
        groups = request.get("Capabilities") or []
        if not any("gpu" in group for group in groups) and request.get("Driver") != "nvidia":
            continue
        chosen = tuple(cap for cap in GPU_CAPABILITIES if any(cap in group for group in groups))
        capabilities = chosen or GpuSpec.capabilities  # a plain `--gpus all`: NVIDIA's usual default
        if request.get("DeviceIDs"):
            return GpuSpec(GpuMode.CHOSEN, device_ids=tuple(request["DeviceIDs"]), capabilities=capabilities)
        count = request.get("Count") or 0
        if count < 0:
            return GpuSpec(GpuMode.ALL, capabilities=capabilities)
        return GpuSpec(GpuMode.COUNT, count=count or 1, capabilities=capabilities)
    return GpuSpec()


def _size_text(size: int) -> str:
    """Bytes as --memory takes them, in the largest whole unit: 536870912 -> "512m"."""
    if size <= 0:
        return ""
    for suffix in ("t", "g", "m", "k"):
        if size % SIZE_UNITS[suffix] == 0:
            return f"{size // SIZE_UNITS[suffix]}{suffix}"
    return str(size)


def _cpus_text(nano_cpus: int) -> str:
    return format((Decimal(nano_cpus) / 10**9).normalize(), "f") if nano_cpus > 0 else ""
