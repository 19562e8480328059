"""Readable summaries of `docker container inspect`, `docker image inspect`
and `docker history` payloads. No Qt.

Payloads differ between engine versions and between running and stopped
containers, so every lookup here tolerates missing keys and null values.
A summary is a list of sections: (title, [(field, value), ...]). Secrets are
masked in every field: environment values and labels by name and shape, the
command and the history's steps by shape (gui.core.secrets).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from gui.core.engine import exit_codes
from gui.core.format import exact_bytes, human_bytes, local_time, relative_time, short_id

# The secret helpers live in gui.core.secrets; these names stay importable from here.
from gui.core.secrets import MASK, is_secret_name, mask_env, mask_text, masked_payload
from gui.core.secrets import masked_value as _masked_value

__all__ = [
    "MASK",
    "NOT_SET",
    "HistoryRow",
    "Row",
    "Section",
    "container_summary",
    "history_rows",
    "history_sizes",
    "image_summary",
    "is_secret_name",
    "mask_env",
    "masked_payload",
    "parse_timestamp",
]

Row = tuple[str, str]
Section = tuple[str, list[Row]]

NOT_SET = "—"

# The legacy builder records Dockerfile steps as shell commands; these
# prefixes are noise to a reader.  The longer one must be tried first.
_HISTORY_PREFIXES = ("/bin/sh -c #(nop) ", "/bin/sh -c ")


# -- small readers ------------------------------------------------------------


def _get(payload: Any, *path: str) -> Any:
    """payload[a][b]..., or None when any step is missing or not a dict."""
    for key in path:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(key)
    return payload


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any, default: str = NOT_SET) -> str:
    return default if value in (None, "") else str(value)


def _command_text(value: Any) -> str:
    """Entrypoint/Cmd as one would type it; older engines give a plain string."""
    if isinstance(value, list) and value:
        return mask_text(shlex.join(str(part) for part in value))
    return mask_text(_text(value))


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds from an RFC 3339 string or a number; None for unset times.

    Docker writes "0001-01-01T00:00:00Z" for "never" (e.g. FinishedAt of a
    container that has not stopped yet).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value > 0 else None
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if moment.year <= 1 else moment.timestamp()


def _time_text(value: Any) -> str:
    timestamp = parse_timestamp(value)
    return NOT_SET if timestamp is None else local_time(timestamp)


def _size_text(count: Any) -> str:
    if not isinstance(count, int):
        return NOT_SET
    return f"{human_bytes(count)} ({exact_bytes(count)})"


def _env_rows(env: Any) -> list[Row]:
    rows = []
    for entry in _as_list(env):
        name, _, value = str(entry).partition("=")
        rows.append((name, _masked_value(name, value)))
    return rows


def _label_rows(labels: Any) -> list[Row]:
    return [(str(key), _masked_value(str(key), str(value))) for key, value in sorted(_as_dict(labels).items())]


def _port_sort_key(port: str) -> tuple[int, str]:
    number, _, protocol = port.partition("/")
    return (int(number) if number.isdigit() else 0, protocol)


# -- containers ---------------------------------------------------------------


def container_summary(inspect: dict) -> list[Section]:
    """Sections for `docker container inspect` output."""
    return [
        ("General", _container_general(inspect)),
        ("Command", _container_command(inspect)),
        ("Network", _container_network(inspect)),
        ("Mounts", _container_mounts(inspect)),
        ("Environment", _env_rows(_get(inspect, "Config", "Env"))),
        ("Resources", _container_resources(inspect)),
        ("Labels", _label_rows(_get(inspect, "Config", "Labels"))),
    ]


def _container_general(inspect: dict) -> list[Row]:
    state = _as_dict(inspect.get("State"))
    rows = [
        ("Name", _text(str(inspect.get("Name") or "").lstrip("/"))),
        ("ID", _text(short_id(str(inspect.get("Id") or "")))),
        ("Image", _text(_get(inspect, "Config", "Image") or short_id(str(inspect.get("Image") or "")))),
        ("Created", _time_text(inspect.get("Created"))),
        ("State", _state_text(state)),
        ("Started at", _time_text(state.get("StartedAt"))),
        ("Finished at", _time_text(state.get("FinishedAt"))),
        ("Restart count", _text(inspect.get("RestartCount"))),
    ]
    if state.get("OOMKilled"):
        rows.append(("Out of memory", "yes: the kernel killed it for using too much memory"))
    if state.get("Error"):
        rows.append(("Error", str(state["Error"])))
    return rows


def _state_text(state: dict) -> str:
    """The status, and for a stopped container what its exit code means: "Exited (137): stopped by force…"."""
    status = _text(state.get("Status"), "unknown")
    exit_code = state.get("ExitCode")
    # The exit code only means something once the container has stopped.
    if status in ("exited", "dead") and isinstance(exit_code, int) and not isinstance(exit_code, bool):
        explained = exit_codes.meaning(exit_code)
        return f"{status.capitalize()} ({exit_code}): {explained[:1].lower()}{explained[1:]}"
    return status


def _container_command(inspect: dict) -> list[Row]:
    config = _as_dict(inspect.get("Config"))
    return [
        ("Entrypoint", _command_text(config.get("Entrypoint"))),
        ("Command", _command_text(config.get("Cmd"))),
        ("Working dir", _text(config.get("WorkingDir"), "/ (default)")),
        ("User", _text(config.get("User"), "root (default)")),
    ]


def _container_network(inspect: dict) -> list[Row]:
    settings = _as_dict(inspect.get("NetworkSettings"))
    networks = _as_dict(settings.get("Networks"))
    rows = [("Published port", line) for line in _port_lines(inspect)]
    rows.append(("IP address", _text(settings.get("IPAddress") or _first_network_ip(networks))))
    rows.append(("Networks", _text(", ".join(sorted(networks)) or _get(inspect, "HostConfig", "NetworkMode"))))
    return rows


def _port_lines(inspect: dict) -> list[str]:
    # Live bindings exist only while the container runs; the configured ones
    # still tell a stopped container's story.
    ports = _as_dict(_get(inspect, "NetworkSettings", "Ports")) or _as_dict(_get(inspect, "HostConfig", "PortBindings"))
    lines = []
    for container_port in sorted(ports, key=_port_sort_key):
        bindings = _as_list(ports[container_port])
        if not bindings:
            lines.append(f"{container_port} (not published)")
        for binding in bindings:
            lines.append(f"{_host_address(_as_dict(binding))} -> {container_port}")
    return lines


def _host_address(binding: dict) -> str:
    host_ip = binding.get("HostIp") or "0.0.0.0"
    if ":" in host_ip:  # IPv6 needs brackets before the port
        host_ip = f"[{host_ip}]"
    return f"{host_ip}:{binding.get('HostPort') or '?'}"


def _first_network_ip(networks: dict) -> str:
    for network in networks.values():
        address = _as_dict(network).get("IPAddress")
        if address:
            return address
    return ""


def _container_mounts(inspect: dict) -> list[Row]:
    rows = []
    for mount in _as_list(inspect.get("Mounts")):
        mount = _as_dict(mount)
        mount_type = _text(mount.get("Type"), "mount")
        # A volume's Source is a path deep in /var/lib/docker; its name says more.
        source = mount.get("Name") if mount_type == "volume" else mount.get("Source")
        mode = "rw" if mount.get("RW", True) else "ro"
        rows.append((mount_type, f"{_text(source)} -> {_text(mount.get('Destination'))} ({mode})"))
    return rows


def _container_resources(inspect: dict) -> list[Row]:
    host = _as_dict(inspect.get("HostConfig"))
    return [
        ("Memory limit", _limit_text(host.get("Memory"), human_bytes)),
        ("CPUs", _limit_text(host.get("NanoCpus"), lambda nanos: f"{nanos / 1e9:g}")),
        ("Shared memory", _bytes_text(host.get("ShmSize"))),
        ("GPUs", _gpu_text(host.get("DeviceRequests"))),
        ("Restart policy", _restart_policy_text(_as_dict(host.get("RestartPolicy")))),
    ]


def _bytes_text(count: Any) -> str:
    return human_bytes(count) if isinstance(count, int) else NOT_SET


def _limit_text(value: Any, describe: Callable[[Any], str]) -> str:
    # Docker uses 0 for "no limit".
    return describe(value) if isinstance(value, (int, float)) and value > 0 else "no limit"


def _gpu_text(requests: Any) -> str:
    descriptions = [_device_request_text(_as_dict(request)) for request in _as_list(requests)]
    return ", ".join(descriptions) or "none"


def _device_request_text(request: dict) -> str:
    device_ids = _as_list(request.get("DeviceIDs"))
    count = request.get("Count")
    if device_ids:
        which = "devices " + ",".join(str(device) for device in device_ids)
    elif count == -1:
        which = "all"
    else:
        which = str(count or 0)
    driver = request.get("Driver")
    return f"{which} ({driver})" if driver else which


def _restart_policy_text(policy: dict) -> str:
    """The value one would pass to `--restart`."""
    name = policy.get("Name") or "no"
    retries = policy.get("MaximumRetryCount")
    return f"{name}:{retries}" if name == "on-failure" and retries else name


# -- images -------------------------------------------------------------------


def image_summary(inspect: dict) -> list[Section]:
    """Sections for `docker image inspect` output."""
    config = _as_dict(inspect.get("Config"))
    return [
        ("General", _image_general(inspect)),
        ("Config", _image_config(config)),
        ("Environment", _env_rows(config.get("Env"))),
        ("Labels", _label_rows(config.get("Labels"))),
    ]


def _image_general(inspect: dict) -> list[Row]:
    tags = [str(tag) for tag in _as_list(inspect.get("RepoTags"))]
    return [
        ("Tags", ", ".join(tags) or "<none>"),
        ("ID", _text(short_id(str(inspect.get("Id") or "")))),
        ("Created", _time_text(inspect.get("Created"))),
        ("Size", _size_text(inspect.get("Size"))),
        ("Platform", _platform_text(inspect)),
        ("Author", _text(inspect.get("Author"))),
    ]


def _platform_text(inspect: dict) -> str:
    parts = [inspect.get("Os"), inspect.get("Architecture"), inspect.get("Variant")]
    return "/".join(str(part) for part in parts if part) or NOT_SET


def _image_config(config: dict) -> list[Row]:
    exposed = sorted(_as_dict(config.get("ExposedPorts")), key=_port_sort_key)
    return [
        ("Entrypoint", _command_text(config.get("Entrypoint"))),
        ("Command", _command_text(config.get("Cmd"))),
        ("Working dir", _text(config.get("WorkingDir"), "/ (default)")),
        ("User", _text(config.get("User"), "root (default)")),
        ("Exposed ports", ", ".join(exposed) or "none"),
    ]


# -- history ------------------------------------------------------------------


class HistoryRow(NamedTuple):
    """One layer of `docker history`, as the Layers tab shows it."""

    created: str
    created_by: str
    size: str
    comment: str
    size_bytes: int | None  # exact, for the size's tooltip

    @property
    def cells(self) -> tuple[str, str, str, str]:
        return (self.created, self.created_by, self.size, self.comment)


def history_rows(history: list, now: float | None = None) -> list[HistoryRow]:
    """One row per layer, newest first as docker gives them.

    Rows that are already HistoryRows pass through unchanged: a caller that
    converts the payload and a widget that converts what it is given must not
    turn every row into an empty dict's "—" (the blank Layers tab of issue 14).
    """
    return [
        layer if isinstance(layer, HistoryRow) else _history_row(_as_dict(layer), now) for layer in _as_list(history)
    ]


def history_sizes(history: list) -> list[int | None]:
    """Exact size in bytes of each layer, in the same order as history_rows()."""
    return [row.size_bytes for row in history_rows(history)]


def _history_row(layer: dict, now: float | None) -> HistoryRow:
    created = parse_timestamp(layer.get("Created"))
    size = layer.get("Size")
    return HistoryRow(
        NOT_SET if created is None else relative_time(created, now),
        _clean_created_by(str(layer.get("CreatedBy") or "")),
        _bytes_text(size),
        str(layer.get("Comment") or ""),
        size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def _clean_created_by(command: str) -> str:
    """The step without its shell prefix, secrets masked: an ARG's value is recorded as |1 NAME=value."""
    for prefix in _HISTORY_PREFIXES:
        if command.startswith(prefix):
            return mask_text(command[len(prefix) :].strip())
    return mask_text(command.strip())
