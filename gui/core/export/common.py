"""What every export format shares: the exported file (`Exported`) and the comparison of a spec with the spec
read back from that file (`differences`), in plain sentences. No Qt, no engine.

A secret variable is exported as a reference (`${HF_TOKEN}`), never with its value, so a read-back spec holds the
reference where the original held the value: the two agree.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from gui.core.run.from_inspect import size_text
from gui.core.run.spec import GpuMode, GpuSpec, PortSpec, RunSpec, host_address, host_port_text
from gui.core.run.values import parse_cpus, parse_size
from gui.core.secrets import is_secret

__all__ = ["Exported", "differences", "is_reference", "reference", "secret_env_names", "size_text"]

# The names `${NAME}` may hold in Compose (and in a shell): a letter or _, then letters, digits and _.
_REFERENCE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Exported:
    text: str  # the file's text
    file_name: str  # "compose.yaml", "web-k8s.yaml"
    command: str  # the command that uses it: "docker compose -f compose.yaml up -d"
    secrets: tuple[str, ...] = ()  # env names left as references (values never written)
    notes: tuple[str, ...] = ()  # plain sentences: what could not be expressed and why


def reference(name: str) -> str:
    """The reference a secret is written as: "${HF_TOKEN}"."""
    return f"${{{name}}}"


def is_reference(name: str, value: str) -> bool:
    return value == reference(name)


def can_reference(name: str) -> bool:
    """Whether `${name}` is a reference Compose and a shell can fill in (HF_TOKEN yes, "my.token" no)."""
    return _REFERENCE_NAME_RE.fullmatch(name) is not None


def secret_env_names(spec: RunSpec) -> tuple[str, ...]:
    """The names of the spec's variables whose values are secrets, in the spec's order, each once."""
    return tuple(dict.fromkeys(var.name for var in spec.env if is_secret(var.name, var.value)))


def differences(original: RunSpec, read_back: RunSpec) -> list[str]:
    """Plain sentences naming each setting `read_back` does not keep from `original`; [] when they agree.

    Settings are compared by what they do, not how they are typed: "512m" and "536870912" are the same memory
    limit, `-p 5000:80` rows in any order are the same ports, and a secret read back as `${NAME}` agrees with
    its value."""
    found: list[str] = []
    for label, before, after in _plain_settings(original, read_back):
        if before != after:
            found.append(f"{label}: {_shown(before)} became {_shown(after)}.")
    found += _port_differences(original.ports, read_back.ports)
    found += _env_differences(original, read_back)
    found += _mount_differences(original, read_back)
    if _gpus(original.gpus) != _gpus(read_back.gpus):
        found.append(f"GPUs: {_gpus_text(original.gpus)} became {_gpus_text(read_back.gpus)}.")
    found += _label_differences(original, read_back)
    return found


def _plain_settings(original: RunSpec, read_back: RunSpec) -> list[tuple[str, object, object]]:
    """(what the user calls it, the original's value, the read-back value), each normalised the way Docker
    reads it."""
    return [
        (label, getter(original), getter(read_back))
        for label, getter in (
            ("Image", lambda spec: spec.image.strip()),
            ("Container name", lambda spec: spec.name.strip()),
            ("Command", lambda spec: _words(spec.command)),
            ("Entrypoint", lambda spec: _words(spec.entrypoint)),
            ("Working folder", lambda spec: spec.workdir.strip()),
            ("User", lambda spec: spec.user.strip()),
            ("Restart policy", _restart),
            ("Memory limit", lambda spec: _size(spec.memory)),
            ("CPU limit", lambda spec: _cpus(spec.cpus)),
            ("Shared memory (/dev/shm)", lambda spec: _size(spec.shm_size)),
            ("Interactive terminal (-it)", lambda spec: spec.interactive_tty),
            ("Privileged", lambda spec: spec.privileged),
            ("Removed when it stops (--rm)", lambda spec: spec.auto_remove),
            ("Publish all exposed ports (-P)", lambda spec: spec.publish_all),
        )
    ]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        value = shlex.join(value)
    return f'"{value}"' if value not in ("", None) else "none"


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unmatched quote: compared as typed
        return text.split()


def _restart(spec: RunSpec) -> str:
    name = spec.restart.strip() or "no"
    if name == "on-failure" and spec.restart_max_retries:
        return f"{name}:{spec.restart_max_retries}"
    return name


def _size(text: str) -> str:
    """A size as Docker reads it ("512m" and "536870912" agree); text Docker would refuse is compared as typed."""
    size = parse_size(text) if text.strip() else 0
    return text.strip() if size is None else size_text(size)


def _cpus(text: str) -> str:
    """A CPU count as Docker reads it ("1.5" and "3/2" agree); "" for no limit."""
    nano = parse_cpus(text) if text.strip() else 0
    if nano is None:
        return text.strip()
    return format((Decimal(nano) / 10**9).normalize(), "f") if nano else ""


def _port_key(row: PortSpec) -> tuple[str, str, str, str]:
    """What a Ports row publishes: (address or "" for every interface, host port(s), container port(s),
    protocol)."""
    return host_address(row), host_port_text(row), row.container.strip(), row.protocol.strip().lower() or "tcp"


def _port_text(key: tuple[str, str, str, str]) -> str:
    address, host, container, protocol = key
    where = f"{address or 'every interface'}:{host or 'a random port'}"
    return f"{where} -> {container}/{protocol}"


def _port_differences(before: tuple[PortSpec, ...], after: tuple[PortSpec, ...]) -> list[str]:
    kept, read = Counter(map(_port_key, before)), Counter(map(_port_key, after))
    lost = [f"Port {_port_text(key)} is missing." for key in (kept - read).elements()]
    return lost + [f"Port {_port_text(key)} was not in the original." for key in (read - kept).elements()]


def _env_differences(original: RunSpec, read_back: RunSpec) -> list[str]:
    # As docker does: a name given twice takes its last value.
    before = {var.name: var.value for var in original.env}
    after = {var.name: var.value for var in read_back.env}
    found = [f"Environment variable {name} is missing." for name in before if name not in after]
    for name, value in before.items():
        if name not in after or after[name] == value:
            continue
        if is_secret(name, value):
            if not is_reference(name, after[name]):
                found.append(f"Environment variable {name} (a secret) does not read back as {reference(name)}.")
        else:
            found.append(f'Environment variable {name}: "{value}" became "{after[name]}".')
    return found + [f"Environment variable {name} was not in the original." for name in after if name not in before]


def _mount_key(mount) -> tuple[str, str, str, bool]:
    return mount.kind, mount.source.strip(), mount.target.strip().rstrip("/") or "/", mount.read_only


def _mount_text(key: tuple[str, str, str, bool]) -> str:
    kind, source, target, read_only = key
    what = f"volume {source}" if kind == "volume" and source else "an anonymous volume"
    if kind == "bind":
        what = f"folder {source}"
    return f"{what} at {target}{' (read-only)' if read_only else ''}"


def _mount_differences(original: RunSpec, read_back: RunSpec) -> list[str]:
    kept, read = Counter(map(_mount_key, original.mounts)), Counter(map(_mount_key, read_back.mounts))
    lost = [f"Mount of {_mount_text(key)} is missing." for key in (kept - read).elements()]
    return lost + [f"Mount of {_mount_text(key)} was not in the original." for key in (read - kept).elements()]


def _gpus(gpus: GpuSpec) -> tuple:
    if not gpus.requested:
        return (GpuMode.NONE,)
    which = {GpuMode.COUNT: gpus.count, GpuMode.CHOSEN: tuple(gpus.device_ids)}.get(gpus.mode)
    return gpus.mode, which, frozenset(gpus.capabilities)


def _gpus_text(gpus: GpuSpec) -> str:
    if not gpus.requested:
        return "none"
    which = {GpuMode.ALL: "all", GpuMode.COUNT: f"{gpus.count}"}.get(gpus.mode) or (
        f"devices {','.join(gpus.device_ids)}"
    )
    return f"{which} ({', '.join(gpus.capabilities)})"


def _label_differences(original: RunSpec, read_back: RunSpec) -> list[str]:
    before = {key.strip(): value for key, value in original.labels}
    after = {key.strip(): value for key, value in read_back.labels}
    found = [f"Label {key} is missing." for key in before if key not in after]
    found += [
        f"Label {key} has another value." for key, value in before.items() if key in after and after[key] != value
    ]
    return found + [f"Label {key} was not in the original." for key in after if key not in before]


def export_name(spec: RunSpec) -> str:
    """The name an export gives a run: the container's name, else the image's last path part ("user/app:1.0" ->
    "app"), as `docker compose` names a service after what it runs."""
    if spec.name.strip():
        return spec.name.strip()
    repository = spec.image.strip().split("@", 1)[0]
    last = repository.rsplit("/", 1)[-1]
    return last.split(":", 1)[0] or "app"
