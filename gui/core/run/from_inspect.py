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


def read_spec(api, container_id: str) -> RunSpec:
    """A container's settings as a RunSpec, read from the engine (blocking: call it in a worker); the image's own
    settings are told apart when the image is still there."""
    inspected = api.inspect_container(container_id)
    try:
        image = api.inspect_image(inspected["Image"])
    except Exception:  # the image is gone: what came from it cannot be told apart, and nothing else is lost
        image = None
    return spec_from_inspect(inspected, image)


def spec_from_inspect(container: dict, image: dict | None = None) -> RunSpec:
    """Never raises on odd data (an engine of another version, a hand-made payload): a part it cannot read is
    left at its default, and a value it reads but Docker would refuse is kept, so the form's checks show it."""
    container = _dict(container)
    config, host = _dict(container.get("Config")), _dict(container.get("HostConfig"))
    image_config = _dict(_dict(image).get("Config"))
    image_env = {entry for entry in _list(image_config.get("Env")) if isinstance(entry, str)}
    image_labels = _dict(image_config.get("Labels"))
    entrypoint, command = _program_and_arguments(config, image_config)
    policy = _dict(host.get("RestartPolicy"))
    return RunSpec(
        image=str(config.get("Image") or container.get("Image") or ""),
        name=str(container.get("Name") or "").lstrip("/"),
        command=command,
        entrypoint=entrypoint,
        workdir=_unless_default(config.get("WorkingDir"), image_config.get("WorkingDir")),
        user=_unless_default(config.get("User"), image_config.get("User")),
        auto_remove=bool(host.get("AutoRemove")),
        restart=str(policy.get("Name") or "no"),
        restart_max_retries=_int(policy.get("MaximumRetryCount")),
        interactive_tty=bool(config.get("Tty") and config.get("OpenStdin")),
        ports=_ports_from_bindings(_dict(host.get("PortBindings"))),
        publish_all=bool(host.get("PublishAllPorts")),
        env=tuple(
            EnvVar(*entry.partition("=")[::2])
            for entry in _list(config.get("Env"))
            if isinstance(entry, str) and entry not in image_env
        ),
        mounts=_mounts_from_host_config(host),
        gpus=_gpus_from_requests(_list(host.get("DeviceRequests"))),
        memory=size_text(_int(host.get("Memory"))),
        cpus=_cpus_text(_int(host.get("NanoCpus"))),
        # The engine stores its 64 MB default even when none was asked for.
        shm_size="" if _int(host.get("ShmSize")) in (0, DEFAULT_SHM_SIZE) else size_text(_int(host["ShmSize"])),
        privileged=bool(host.get("Privileged")),
        labels=tuple(
            (str(key), str(value))
            for key, value in _dict(config.get("Labels")).items()
            if not str(key).startswith("org.opencontainers.") and image_labels.get(key) != value
        ),
    )


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _int(value: Any) -> int:
    """A whole number from the payload; 0 for anything else (an engine field that is not one)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def _unless_default(value: Any, default: Any) -> str:
    return "" if not value or value == default else str(value)


def _program_and_arguments(config: dict, image_config: dict) -> tuple[str, str]:
    """(entrypoint, command) as the form holds them. The form's entrypoint is one program, so the further
    words of a longer one go in front of the command: the container still runs the same words."""
    entrypoint = [str(word) for word in _list(config.get("Entrypoint"))]
    command = [str(word) for word in _list(config.get("Cmd"))]
    if entrypoint == [str(word) for word in _list(image_config.get("Entrypoint"))]:
        return "", "" if command == [str(word) for word in _list(image_config.get("Cmd"))] else shlex.join(command)
    # A new entrypoint drops the image's CMD, so whatever Cmd holds now is the user's.
    return shlex.join(entrypoint[:1]), shlex.join(entrypoint[1:] + command)


def _ports_from_bindings(bindings: dict) -> tuple[PortSpec, ...]:
    """Table rows from PortBindings. The engine stores a range port by port; runs of consecutive ports are
    joined back into one row ("8000-8010"), as the user most likely typed them."""
    published = []
    for key, host_bindings in bindings.items():
        port, _, protocol = str(key).partition("/")
        if not port.isdigit():
            continue  # not a port the engine would store
        for binding in _list(host_bindings):
            if not isinstance(binding, dict):
                continue
            address = str(binding.get("HostIp") or "")
            # A particular address (not loopback, not every interface) goes in the host field, as `-p` has it.
            where = "" if address in ("", "0.0.0.0", "::", "127.0.0.1") else address
            host_port = str(binding.get("HostPort") or "")
            published.append((protocol or "tcp", (address in ("", "0.0.0.0", "::"), where), int(port), host_port))
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
        PortSpec(_span(first, last), _with_address(where, _span(host_first, host_last)), protocol, all_interfaces)
        for protocol, (all_interfaces, where), first, last, host_first, host_last in runs
    )


def _with_address(address: str, host: str) -> str:
    if not address:
        return host
    shown = f"[{address}]" if ":" in address else address
    return f"{shown}:{host}" if host else shown


def _follows(host: str, previous: str) -> bool:
    """True when `host` continues a run ending at `previous`: both random, or the next port number."""
    if not host or not previous:
        return host == previous
    return host.isdigit() and previous.isdigit() and int(host) == int(previous) + 1


def _span(first: int | str, last: int | str) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _mounts_from_host_config(host: dict) -> tuple[MountSpec, ...]:
    mounts = [
        MountSpec(
            mount["Type"], str(mount.get("Source") or ""), str(mount.get("Target") or ""), bool(mount.get("ReadOnly"))
        )
        for mount in map(_dict, _list(host.get("Mounts")))
        if mount.get("Type") in ("bind", "volume")
    ]
    for bind in _list(host.get("Binds")):  # from `docker run -v source:target[:options]`
        if not isinstance(bind, str):
            continue
        source, _, rest = bind.partition(":")
        target, _, options = rest.partition(":")
        mounts.append(
            MountSpec("bind" if source.startswith("/") else "volume", source, target, "ro" in options.split(","))
        )
    return tuple(mounts)


def _gpus_from_requests(requests: Any) -> GpuSpec:
    for request in map(_dict, requests):
        groups = [_list(group) for group in _list(request.get("Capabilities"))]
        if not any("gpu" in group for group in groups) and request.get("Driver") != "nvidia":
            continue
        chosen = tuple(cap for cap in GPU_CAPABILITIES if any(cap in group for group in groups))
        capabilities = chosen or GpuSpec.capabilities  # a plain `--gpus all`: NVIDIA's usual default
        if _list(request.get("DeviceIDs")):
            return GpuSpec(GpuMode.CHOSEN, device_ids=tuple(map(str, request["DeviceIDs"])), capabilities=capabilities)
        count = _int(request.get("Count"))
        if count < 0:
            return GpuSpec(GpuMode.ALL, capabilities=capabilities)
        return GpuSpec(GpuMode.COUNT, count=count or 1, capabilities=capabilities)
    return GpuSpec()


def size_text(size: int) -> str:
    """Bytes as --memory takes them, in the largest whole unit: 536870912 -> "512m"."""
    if size <= 0:
        return ""
    for suffix in ("t", "g", "m", "k"):
        if size % SIZE_UNITS[suffix] == 0:
            return f"{size // SIZE_UNITS[suffix]}{suffix}"
    return str(size)


def _cpus_text(nano_cpus: int) -> str:
    return format((Decimal(nano_cpus) / 10**9).normalize(), "f") if nano_cpus > 0 else ""
