"""The values of `docker run` options, read the way the docker CLI reads them into the Run form's rows:
-p, -v, --mount, --gpus and --restart. No Qt, no engine, no disk.

Each reader returns the form's value and sentences for the parts the form has no field for; a value the CLI
itself would refuse raises Refused with a sentence saying why. command_line says which word it was.
"""

from __future__ import annotations

import csv
import posixpath
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from gui.core.run.spec import GPU_CAPABILITIES, GpuMode, GpuSpec, MountSpec, PortSpec
from gui.core.secrets import mask_text

SHOWN_MAX = 60  # longer values are cut in sentences
MOUNT_KEYS_LEFT_OUT = (
    "bind-propagation",
    "bind-nonrecursive",
    "bind-recursive",
    "consistency",
    "volume-nocopy",
    "volume-subpath",
    "volume-driver",
    "volume-label",
    "volume-opt",
    "tmpfs-size",
    "tmpfs-mode",
    "image-path",
)
GPU_QUOTES = "To name several devices, quote them for --gpus: --gpus '\"device=0,1\"'."
DEFAULT_CAPABILITIES = (
    "{spelled} {value} names no capabilities, so Docker would give what the image asks for; the form asks for "
    "compute and utility, what CUDA programs need. Tick more on the GPUs tab if the image needs them."
)

LINE_BREAK = "It has a line break in it: most likely a quote was left open across lines. Close it on its line."

T = TypeVar("T")


class Refused(ValueError):
    """A value docker would refuse; the message says why and what to write instead."""


@dataclass
class Read(Generic[T]):
    value: T
    dropped: list[str] = field(default_factory=list)  # the parts the form has no field for, as sentences
    notes: list[str] = field(default_factory=list)


def shown(text: str) -> str:
    """A value as a sentence shows it: secrets masked, long ones cut."""
    text = mask_text(text)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def csv_fields(value: str) -> list[str]:
    """The fields of a --mount, --gpus or long -p value: as the CLI's Go csv reader splits them."""
    if "\n" in value or "\r" in value:
        raise Refused(LINE_BREAK)
    try:
        return next(csv.reader([value]), [])
    except csv.Error as exc:
        raise Refused(f"Its quotes do not pair up ({exc}).") from exc


def port_rows(value: str) -> list[PortSpec]:
    """-p [IP:][HOST:]CONTAINER[/PROTOCOL] (go-connections' nat.ParsePortSpec), or target=…,published=…"""
    if "=" in value:
        fields = dict(item.partition("=")[::2] for item in csv_fields(value))
        unknown = set(fields) - {"target", "published", "protocol", "mode"}
        if unknown:
            raise Refused(f'-p has no setting "{sorted(unknown)[0]}". Use target, published and protocol.')
        return [PortSpec(fields.get("target", ""), fields.get("published", ""), fields.get("protocol") or "tcp", True)]
    if any(ch.isspace() for ch in value):
        raise Refused("-p takes ports without spaces, like 8080:80.")
    parts = value.split(":")
    container, _, protocol = parts[-1].partition("/")
    host = parts[-2] if len(parts) > 1 else ""
    if host and not re.fullmatch(r"\d+(-\d+)?", host):
        raise Refused(f'"{host}" is not a host port. Write HOST:CONTAINER like 8080:80, or IP:HOST:CONTAINER.')
    address = ":".join(parts[:-2]) if len(parts) > 2 else ""
    protocol = protocol.lower() or "tcp"
    if not address:
        return [PortSpec(container, host, protocol, all_interfaces=True)]  # the CLI's -p publishes everywhere
    address = address[1:-1] if address.startswith("[") and address.endswith("]") else address
    if address == "127.0.0.1":
        return [PortSpec(container, host, protocol)]  # the form's own default: this computer only
    where = f"[{address}]" if ":" in address else address
    return [PortSpec(container, f"{where}:{host}" if host else where, protocol)]


def volume(value: str, folder: str | None) -> Read[MountSpec]:
    """-v SOURCE:TARGET[:OPTIONS] or -v TARGET (an anonymous volume). A source starting with / . or ~ is a host
    path; the CLI makes one starting with . absolute from the folder it runs in."""
    if "\n" in value or "\r" in value:
        raise Refused(LINE_BREAK)
    if re.match(r"[A-Za-z]:[\\/]", value):
        raise Refused("A Windows path is not a folder on this engine's computer. Write a path like /data.")
    parts = value.split(":")
    if len(parts) > 3:
        raise Refused("-v takes SOURCE:TARGET or SOURCE:TARGET:OPTIONS; this has more parts.")
    if len(parts) == 1:
        return Read(MountSpec("volume", "", value))
    source, target, options = (*parts, "")[:3]
    if not source:
        raise Refused("The host folder or volume name before the first : is empty. Write one, like /data:/data.")
    read = Read(MountSpec("bind" if source.startswith(("/", ".", "~")) else "volume", source, target))
    if source.startswith(".") and folder is not None:
        absolute = posixpath.normpath(posixpath.join(folder, source))
        read.notes.append(f"{source} is a folder relative to where the command runs; Portside read it as {absolute}.")
        source = absolute
    read_only = False
    for mode in filter(None, options.split(",")):
        if mode in ("ro", "rw"):
            read_only = mode == "ro"
        else:
            read.dropped.append(f"The :{mode} option of -v {shown(value)} is left out: Portside has no field for it.")
    read.value = MountSpec(read.value.kind, source, target, read_only)
    return read


def mount(value: str) -> Read[MountSpec | None]:
    """--mount type=bind,source=…,target=…,readonly (the CLI's MountOpt); None for a type the form lacks."""
    fields: dict[str, str] = {}
    read: Read[MountSpec | None] = Read(None)
    for item in csv_fields(value):
        key, equals, item_value = item.partition("=")
        key = key.strip().lower()
        if key in ("readonly", "ro"):
            item_value = item_value.lower() if equals else "true"
            if item_value not in ("true", "false", "1", "0"):
                raise Refused(f'readonly takes true or false, not "{item_value}".')
            fields["readonly"] = item_value
        elif key in ("type", "source", "src", "target", "destination", "dst"):
            fields[{"src": "source", "destination": "target", "dst": "target"}.get(key, key)] = item_value
        elif key in MOUNT_KEYS_LEFT_OUT:
            read.dropped.append(f"{key}={item_value} of --mount is left out: Portside has no field for it.")
        else:
            raise Refused(f'--mount has no setting "{key}". Use type, source, target and readonly.')
    kind = fields.get("type", "volume")
    if kind not in ("bind", "volume"):
        read.dropped = [f"--mount {shown(value)} is left out: the form mounts folders and volumes, not {kind}."]
        return read
    read.value = MountSpec(
        kind, fields.get("source", ""), fields.get("target", ""), fields.get("readonly") in ("true", "1")
    )
    return read


def gpus(value: str, spelled: str = "--gpus") -> Read[GpuSpec]:
    """--gpus as the CLI's GpuOpts reads it: all | N | count=N | device=0,1 | capabilities=… | driver=… |
    options=…; several devices need quotes inside, '"device=0,1"', or the csv reader splits them."""
    seen: dict[str, str] = {}
    for item in csv_fields(value):
        key, equals, item_value = item.partition("=")
        key, item_value = (key, item_value) if equals else ("count", key)
        if key in seen:
            raise Refused(f"--gpus names {key} twice. {GPU_QUOTES if key == 'count' else ''}".strip())
        if key not in ("count", "device", "capabilities", "driver", "options"):
            raise Refused(f'--gpus has no setting "{key}". Use all, a number, device=… or capabilities=….')
        seen[key] = item_value
    count = seen.get("count")
    if count is not None and count != "all" and not re.fullmatch(r"[+-]?\d+", count):
        raise Refused(f'"{count}" is not a number of GPUs. Write all, or a number like 2.')
    if count is not None and "device" in seen:
        raise Refused(f"--gpus asks for a number of GPUs and for devices at once. {GPU_QUOTES}")
    read = Read(GpuSpec())
    read.dropped += [
        f"{key}={seen[key]} of --gpus is left out: Docker picks NVIDIA's driver for GPUs."
        for key in ("driver", "options")
        if key in seen
    ]
    asked = tuple(seen["capabilities"].split(",")) if "capabilities" in seen else GpuSpec.capabilities
    capabilities = tuple(cap for cap in GPU_CAPABILITIES if cap in asked)  # in the order the GPUs tab has them
    read.dropped += [
        f"The GPU capability {other} is left out: the form offers {', '.join(GPU_CAPABILITIES)}."
        for other in dict.fromkeys(cap for cap in asked if cap not in GPU_CAPABILITIES)
    ]
    if "capabilities" not in seen:
        read.notes.append(DEFAULT_CAPABILITIES.format(spelled=spelled, value=shown(value)))
    if "device" in seen:
        read.value = GpuSpec(GpuMode.CHOSEN, device_ids=tuple(seen["device"].split(",")), capabilities=capabilities)
    elif count == "all":
        read.value = GpuSpec(GpuMode.ALL, capabilities=capabilities)
    else:
        read.value = GpuSpec(GpuMode.COUNT, count=int(count or 1), capabilities=capabilities)
    return read


def restart(value: str) -> tuple[str, int]:
    """--restart POLICY[:TRIES] -> (policy, tries); the policy itself is checked with the form's checks."""
    policy, colon, retries = value.partition(":")
    if colon and not re.fullmatch(r"[+-]?\d+", retries):
        raise Refused(f'"{retries}" is not a number of tries. Write {policy}:3, or {policy} alone for no limit.')
    return policy or "no", int(retries) if colon else 0
