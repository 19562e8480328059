"""A run as a Docker Compose file, and a Compose file read back into runs. No Qt, no engine.

`to_compose` writes one service per container (a selection shares one file) in the Compose Specification, the
format both `docker compose` (v2) and `docker-compose` 1.27+ read: image, command, ports (with their host
address: Portside publishes on 127.0.0.1 unless asked), environment, volumes, restart policy, GPUs as
`deploy.resources.reservations.devices`, limits under `deploy.resources.limits` (what `docker compose` v2 and
`docker stack deploy` apply; the older `mem_limit` and `cpus` keys are refused by `docker stack deploy`, and
docker-compose 1.x applies the deploy keys with --compatibility), and the rest the
Run dialog can set. Secrets are written as `${NAME}` references that Compose fills in from a `.env` file beside
compose.yaml; what Compose cannot express becomes a note, never a silent loss.

Compose reads `$` in any value as the start of a reference, so a literal `$` (a `sh -c 'echo $HOME'` command) is
written as `$$`, and read back as `$`.

`from_compose` reads such a file, or a reasonable hand-written one (short and long port and volume syntax, the
environment as a list or a mapping), back into RunSpecs; a file it cannot read raises ValueError with a sentence
naming the service and the key.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import yaml

from gui.core.export.common import Exported, can_reference, reference, size_text
from gui.core.run.spec import (
    GPU_CAPABILITIES,
    LOOPBACK,
    EnvVar,
    GpuMode,
    GpuSpec,
    MountSpec,
    PortSpec,
    RunSpec,
    host_address,
    host_port_text,
)
from gui.core.run.values import parse_cpus, parse_size
from gui.core.secrets import is_secret

__all__ = ["COMPOSE_FILE", "from_compose", "to_compose"]

COMPOSE_FILE = "compose.yaml"
DEFAULT_CAPABILITIES = GpuSpec.capabilities  # what `--gpus all` gives: written as plain [gpu]
_SERVICE_NAME_RE = re.compile(r"[^a-zA-Z0-9._-]+")

# --- writing -------------------------------------------------------------------------------------------------


def to_compose(services: Sequence[tuple[str, RunSpec]], project: str = "") -> Exported:
    """One compose.yaml for the (service name, spec) pairs. Names Compose would refuse are cleaned, each once."""
    body: dict[str, Any] = {}
    volumes: dict[str, dict[str, str]] = {}
    secrets: list[str] = []
    notes: list[str] = []
    for given, spec in services:
        name = _service_name(given, taken=body)
        if name != given:
            notes.append(f'The service for "{given}" is named "{name}": Compose allows letters, digits, ".", "_", "-".')
        body[name], service_notes = _service(spec, volumes, secrets)
        notes += [f"{name}: {note}" for note in service_notes]
    document: dict[str, Any] = {"services": body}
    if volumes:
        document["volumes"] = volumes
    if secrets:
        notes.append(
            f"Secrets are not written: {', '.join(secrets)} {'is' if len(secrets) == 1 else 'are'} read from a .env "
            f"file beside {COMPOSE_FILE} (one NAME=value a line), which docker compose reads when it starts."
        )
    project_flag = ["-p", project] if project else []
    command = shlex.join(["docker", "compose", *project_flag, "-f", COMPOSE_FILE, "up", "-d"])
    text = _header(command, secrets) + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
    return Exported(text, COMPOSE_FILE, command, tuple(secrets), tuple(notes))


def compose_view(spec: RunSpec) -> RunSpec:
    """The run as a compose file keeps it: what a read-back is compared with. Each setting dropped here has its
    note in `to_compose` (--rm, -P, a secret label, a secret whose name cannot be a ${...} reference)."""
    return replace(
        spec,
        auto_remove=False,
        publish_all=False,
        env=tuple(var for var in spec.env if not is_secret(var.name, var.value) or can_reference(var.name)),
        labels=tuple((key, value) for key, value in spec.labels if not is_secret(key, value)),
    )


def _header(command: str, secrets: list[str]) -> str:
    lines = [f"# Written by Portside. Start it with: {command}"]
    if secrets:
        lines.append(f"# Put {', '.join(f'{name}=...' for name in secrets)} in a .env file beside this one.")
    return "".join(f"{line}\n" for line in lines)


def _service_name(given: str, taken: dict[str, Any]) -> str:
    stem = _SERVICE_NAME_RE.sub("-", given.strip()).strip("-") or "service"
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}-{number}", number + 1
    return name


def _literal(text: str) -> str:
    """Text Compose must not fill in: every `$` doubled."""
    return text.replace("$", "$$")


def _service(spec: RunSpec, volumes: dict[str, dict[str, str]], secrets: list[str]) -> tuple[dict, list[str]]:
    """The service's mapping (keys in the order a person reads them) and the notes on what it leaves out."""
    service: dict[str, Any] = {"image": _literal(spec.image.strip())}
    notes: list[str] = []
    if spec.name:
        service["container_name"] = spec.name.strip()
    if spec.entrypoint.strip():
        service["entrypoint"] = [_literal(word) for word in _words(spec.entrypoint)]
    if spec.command.strip():
        service["command"] = [_literal(word) for word in _words(spec.command)]
    if spec.workdir.strip():
        service["working_dir"] = _literal(spec.workdir.strip())
    if spec.user.strip():
        service["user"] = _literal(spec.user.strip())
    if spec.ports:
        service["ports"] = [_port(row) for row in spec.ports]
    if spec.env:
        service["environment"] = _environment(spec, secrets, notes)
    if spec.mounts:
        service["volumes"] = [_mount(mount, volumes) for mount in spec.mounts]
    service["restart"] = _restart(spec)
    resources: dict[str, Any] = {}
    limits = {
        **({"cpus": str(_cpus(spec.cpus))} if spec.cpus.strip() else {}),
        **({"memory": _size(spec.memory)} if spec.memory.strip() else {}),
    }
    if limits:
        resources["limits"] = limits
    if spec.gpus.requested:
        resources["reservations"] = {"devices": [_gpu_device(spec.gpus)]}
    if resources:
        service["deploy"] = {"resources": resources}
    if spec.shm_size.strip():
        service["shm_size"] = _size(spec.shm_size)
    if spec.interactive_tty:
        service["tty"] = service["stdin_open"] = True
    if spec.privileged:
        service["privileged"] = True
    if spec.labels:
        service["labels"] = _labels(spec, notes)
    if spec.auto_remove:
        notes.append(
            "Removed when it stops (--rm) is not exported: Compose has no setting for it; "
            "docker compose down removes the containers instead."
        )
    if spec.publish_all:
        notes.append(
            "Publish all exposed ports (-P) is not exported: Compose has no setting for it; "
            "list each port under ports instead."
        )
    return service, notes


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unmatched quote: written as typed; the Run dialog's checks say what is wrong
        return text.split()


def _port(row: PortSpec) -> str:
    """`-p`'s own text, with the address kept: "127.0.0.1:5000:80", "127.0.0.1::80/udp", "8000-8010:8000-8010"."""
    address, host, container = host_address(row), host_port_text(row), row.container.strip()
    suffix = "" if row.protocol == "tcp" else f"/{row.protocol}"
    if address:
        shown = f"[{address}]" if ":" in address else address
        return f"{shown}:{host}:{container}{suffix}"
    return f"{host}:{container}{suffix}" if host else f"{container}{suffix}"


def _environment(spec: RunSpec, secrets: list[str], notes: list[str]) -> dict[str, str]:
    environment: dict[str, str] = {}
    for var in spec.env:
        if not is_secret(var.name, var.value):
            environment[var.name] = _literal(var.value)
        elif can_reference(var.name):
            environment[var.name] = reference(var.name)
            secrets.extend([var.name] if var.name not in secrets else [])
        else:
            notes.append(
                f"The secret variable {var.name} is left out: its name cannot be a ${{...}} reference; "
                "rename it with letters, digits and _ only, or add it by hand."
            )
    return environment


def _mount(mount: MountSpec, volumes: dict[str, dict[str, str]]) -> str | dict[str, Any]:
    """Short syntax ("models:/models:ro", "/home/me/data:/data") where it reads back the same; the long one for
    an anonymous read-only volume or a path with a ":" in it."""
    source, target = mount.source.strip(), mount.target.strip()
    if mount.kind == "volume" and source:
        # Named as it is on the engine: Compose would otherwise put the project's name in front of it.
        volumes[source] = {"name": source}
    short_ok = ":" not in source + target and (mount.kind == "volume" or source.startswith("/"))
    if short_ok and (source or not mount.read_only):
        parts = [source] if source else []
        return _literal(":".join([*parts, target, *(["ro"] if mount.read_only else [])]))
    long: dict[str, Any] = {"type": mount.kind}
    if source:
        long["source"] = _literal(source)
    long["target"] = _literal(target)
    if mount.read_only:
        long["read_only"] = True
    return long


def _restart(spec: RunSpec) -> str:
    # "no" is written quoted by the YAML writer: a bare no would be read as false.
    if spec.restart == "on-failure" and spec.restart_max_retries:
        return f"on-failure:{spec.restart_max_retries}"
    return spec.restart or "no"


def _gpu_device(gpus: GpuSpec) -> dict[str, Any]:
    device: dict[str, Any] = {"driver": "nvidia"}
    if gpus.mode == GpuMode.ALL:
        device["count"] = "all"
    elif gpus.mode == GpuMode.COUNT:
        device["count"] = gpus.count
    else:
        device["device_ids"] = list(gpus.device_ids)
    extra = [] if tuple(gpus.capabilities) == DEFAULT_CAPABILITIES else list(gpus.capabilities)
    device["capabilities"] = ["gpu", *extra]
    return device


def _size(text: str) -> str | int:
    size = parse_size(text)
    return text.strip() if size is None else size_text(size) or 0


def _cpus(text: str) -> str | int | float:
    """A number, as both Compose versions take it: "3/2" -> 1.5."""
    nano = parse_cpus(text)
    if nano is None:
        return text.strip()
    count = Decimal(nano) / 10**9
    return int(count) if count == int(count) else float(count)


def _labels(spec: RunSpec, notes: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key, value in spec.labels:
        if is_secret(key, value):
            notes.append(f"The label {key.strip()} is left out: its value looks like a secret.")
        else:
            labels[key.strip()] = _literal(value)
    return labels


# --- reading -------------------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """A value a service holds that Portside cannot read: the key and a sentence on what was expected."""

    def __init__(self, key: str, sentence: str):
        super().__init__(sentence)
        self.key = key
        self.sentence = sentence


def from_compose(text: str) -> list[tuple[str, RunSpec]]:
    """(service name, spec) for each service, in the file's order. ValueError: a sentence saying what is wrong."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "it cannot be read"
        raise ValueError(f"The file is not valid YAML{where}: {problem}. Check the indentation there.") from exc
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        raise ValueError("The file has no services: a Compose file lists its containers under services:.")
    volume_names = _volume_names(document.get("volumes"))
    read = []
    for name, body in services.items():
        if not isinstance(body, dict):
            raise ValueError(f"The service {name} is not a mapping of settings (image:, ports:, ...).")
        try:
            read.append((str(name), _spec(body, volume_names)))
        except _Unreadable as problem:
            raise ValueError(f"The service {name}, {problem.key}: {problem.sentence}") from None
    return read


def _volume_names(section: Any) -> dict[str, str]:
    """The engine's name of each volume declared at the top level: its `name:` when it has one."""
    if not isinstance(section, dict):
        return {}
    return {
        str(key): str(value["name"]) if isinstance(value, dict) and value.get("name") else str(key)
        for key, value in section.items()
    }


def _spec(body: dict, volume_names: dict[str, str]) -> RunSpec:
    image = body.get("image")
    if not isinstance(image, str) or not image.strip():
        raise _Unreadable("image", "it has no image; Portside runs images, so build it first and name it there.")
    tty, stdin_open = _flag(body, "tty"), _flag(body, "stdin_open")
    restart, retries = _restart_policy(body.get("restart"))
    limits = _dict(_dict(_dict(body.get("deploy")).get("resources")).get("limits"))
    return RunSpec(
        image=_unescaped(image.strip()),
        name=_text(body, "container_name"),
        command=_program(body, "command"),
        entrypoint=_program(body, "entrypoint"),
        workdir=_text(body, "working_dir"),
        user=_text(body, "user"),
        restart=restart,
        restart_max_retries=retries,
        interactive_tty=tty and stdin_open,
        ports=tuple(_read_port(entry) for entry in _list(body, "ports")),
        env=_read_environment(body.get("environment")),
        mounts=tuple(_read_mount(entry, volume_names) for entry in _list(body, "volumes")),
        gpus=_read_gpus(body),
        memory=_text(body, "mem_limit") or _text(limits, "memory"),
        cpus=_text(body, "cpus") or _text(limits, "cpus"),
        shm_size=_text(body, "shm_size"),
        privileged=_flag(body, "privileged"),
        labels=_read_labels(body.get("labels")),
    )


def _unescaped(text: str) -> str:
    return text.replace("$$", "$")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _scalar(value: Any, key: str) -> str:
    """A number or text as text; a list or a mapping where one value belongs is refused."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return _unescaped(str(value))
    raise _Unreadable(key, f"expected one value, found {_kind(value)}.")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value), f'"{value}"')


def _text(body: dict, key: str) -> str:
    value = body.get(key)
    return "" if value is None else _scalar(value, key).strip()


def _flag(body: dict, key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise _Unreadable(key, f"expected true or false, found {_kind(value)}.")
    return value


def _list(body: dict, key: str) -> list:
    value = body.get(key) or []
    if not isinstance(value, list):
        raise _Unreadable(key, f"expected a list (one entry a line, each starting with -), found {_kind(value)}.")
    return value


def _program(body: dict, key: str) -> str:
    """A command as shell words: a list is joined with quotes where needed, a string is split as a shell would."""
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return shlex.join(_scalar(word, key) for word in value)
    text = _scalar(value, key)
    try:
        return shlex.join(shlex.split(text))
    except ValueError:
        raise _Unreadable(key, f"a quote is not closed in {text!r}.") from None


def _restart_policy(value: Any) -> tuple[str, int]:
    if value is None or value is False:  # a bare `no` is YAML's false
        return "no", 0
    name, _, retries = _scalar(value, "restart").strip().partition(":")
    if name not in ("no", "always", "on-failure", "unless-stopped") or (retries and not retries.isdigit()):
        raise _Unreadable(
            "restart", f'"{value}" is not a restart policy: use "no", always, on-failure[:N] or unless-stopped.'
        )
    if retries and name != "on-failure":
        raise _Unreadable("restart", f'"{value}": only on-failure takes a number of retries.')
    return name, int(retries or 0)


_PORTS_RE = re.compile(r"\d+(?:-\d+)?")  # "80", "8000-8010"


def _read_port(entry: Any) -> PortSpec:
    """Short syntax: [[address:]host:]container[/protocol], an IPv6 address in brackets; or the long one."""
    if isinstance(entry, dict):
        return _long_port(entry)
    text = _scalar(entry, "ports").strip()
    rest, _, protocol = text.partition("/")
    address = ""
    if rest.startswith("["):
        address, bracket, rest = rest[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            rest = "?"  # refused below
        rest = rest[1:]
    parts = rest.split(":")
    if len(parts) == 3 and not address:
        address = parts.pop(0)
    host, container = parts if len(parts) == 2 else ("", parts[0] if len(parts) == 1 else "?")
    readable = _PORTS_RE.fullmatch(container) and (not host or _PORTS_RE.fullmatch(host))
    if not readable or protocol not in ("", "tcp", "udp", "sctp") or (address and len(parts) != 2):
        raise _Unreadable("ports", f'"{text}" is not a port mapping like "127.0.0.1:5000:80" or "5000:80/udp".')
    return _port_spec(address, host, container, protocol)


def _long_port(entry: dict) -> PortSpec:
    if entry.get("target") is None:
        raise _Unreadable("ports", "a port in the long syntax needs target: (the container's port).")
    container = _scalar(entry["target"], "ports")
    host = "" if entry.get("published") is None else _scalar(entry["published"], "ports")
    address = "" if entry.get("host_ip") is None else _scalar(entry["host_ip"], "ports")
    if not re.fullmatch(r"\d+(-\d+)?", container) or (host and not re.fullmatch(r"\d+(-\d+)?", host)):
        raise _Unreadable("ports", f"target {container} and published {host or '-'} must be port numbers.")
    return _port_spec(address, host, container, _scalar(entry.get("protocol") or "tcp", "ports"))


def _port_spec(address: str, host: str, container: str, protocol: str | None) -> PortSpec:
    """A Ports row as the Run dialog holds it: 127.0.0.1 is its default (no address typed); no address in the
    file means every interface; any other address goes in the host field, as `-p` has it."""
    protocol = (protocol or "tcp").lower()
    if address == LOOPBACK:
        return PortSpec(container, host, protocol)
    if not address:
        return PortSpec(container, host, protocol, all_interfaces=True)
    shown = f"[{address}]" if ":" in address else address
    return PortSpec(container, f"{shown}:{host}" if host else shown, protocol)


def _read_environment(value: Any) -> tuple[EnvVar, ...]:
    """A mapping or a list of NAME=value; a name with no value takes it from where compose runs (read as the
    reference ${NAME}, which is what it means)."""
    if value is None:
        return ()
    if isinstance(value, dict):
        pairs = [(str(name), None if item is None else _scalar(item, "environment")) for name, item in value.items()]
    elif isinstance(value, list):
        entries = [_scalar(entry, "environment") for entry in value]
        pairs = [(name, text if sep else None) for name, sep, text in (entry.partition("=") for entry in entries)]
    else:
        raise _Unreadable("environment", f"expected NAME: value lines or a list of NAME=value, found {_kind(value)}.")
    return tuple(EnvVar(name, reference(name) if text is None else text) for name, text in pairs)


def _read_mount(entry: Any, volume_names: dict[str, str]) -> MountSpec:
    if isinstance(entry, dict):
        return _long_mount(entry, volume_names)
    parts = _scalar(entry, "volumes").split(":")
    if len(parts) == 1:
        return MountSpec("volume", "", parts[0])  # "/data": an anonymous volume
    source, target, *options = parts
    if len(options) > 1 or not target:
        raise _Unreadable("volumes", f'"{entry}" is not a mount like "models:/models" or "/home/me/data:/data:ro".')
    read_only = bool(options) and "ro" in options[0].split(",")
    if source.startswith(("/", ".", "~")):
        return MountSpec("bind", source, target, read_only)
    return MountSpec("volume", volume_names.get(source, source), target, read_only)


def _long_mount(entry: dict, volume_names: dict[str, str]) -> MountSpec:
    kind = entry.get("type") or "volume"
    if kind not in ("volume", "bind") or not entry.get("target"):
        raise _Unreadable("volumes", f"a mount needs type: volume or bind and a target: (found type {kind}).")
    source = "" if entry.get("source") is None else _scalar(entry["source"], "volumes")
    if kind == "volume":
        source = volume_names.get(source, source)
    read_only = entry.get("read_only", False)
    return MountSpec(kind, source, _scalar(entry["target"], "volumes"), read_only is True)


def _read_gpus(body: dict) -> GpuSpec:
    reservations = _dict(_dict(_dict(body.get("deploy")).get("resources")).get("reservations"))
    devices = reservations.get("devices") or []
    if not isinstance(devices, list):
        raise _Unreadable("deploy.resources.reservations.devices", f"expected a list, found {_kind(devices)}.")
    for device in map(_dict, devices):
        capabilities = [str(item) for item in device.get("capabilities") or []]
        if device.get("driver") != "nvidia" and "gpu" not in capabilities:
            continue  # another kind of device: not a GPU request
        chosen = tuple(cap for cap in capabilities if cap in GPU_CAPABILITIES) or DEFAULT_CAPABILITIES
        if device.get("device_ids"):
            ids = device["device_ids"]
            ids = ids if isinstance(ids, list) else [ids]
            return GpuSpec(GpuMode.CHOSEN, device_ids=tuple(map(str, ids)), capabilities=chosen)
        count = device.get("count", "all")
        if count == "all" or count == -1:
            return GpuSpec(GpuMode.ALL, capabilities=chosen)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _Unreadable("deploy.resources.reservations.devices", f'count "{count}" is not all or a number.')
        return GpuSpec(GpuMode.COUNT, count=count, capabilities=chosen)
    return GpuSpec()


def _read_labels(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple((str(key), "" if item is None else _scalar(item, "labels")) for key, item in value.items())
    if isinstance(value, list):
        return tuple((key, text) for key, _, text in (_scalar(entry, "labels").partition("=") for entry in value))
    raise _Unreadable("labels", f"expected key: value lines or a list of key=value, found {_kind(value)}.")
