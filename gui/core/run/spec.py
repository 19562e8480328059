"""What the user asks `docker run` to do, as one frozen spec. No Qt, no engine.

The single source of truth for a run: the Run dialog edits a RunSpec, the checks in gui.core.run.checks say
what is wrong with it, and from the same spec come both the docker-py calls (create_kwargs and
host_config_kwargs) and the `docker run` command line shown to the learner (argv). The engine test
tests/engine/test_run_agreement.py holds the two outputs to the same containers.
"""

from __future__ import annotations

import csv
import enum
import io
import os
import re
import shlex
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar

from gui.core.engine.actions import Action
from gui.core.errors import EngineError, explain
from gui.core.run.values import (  # noqa: F401 (the CPU and size readers are imported from here)
    NANO_CPUS_MAX,
    SIZE_UNITS,
    is_cpus_number,
    parse_cpus,
    parse_size,
    split_host,
)
from gui.core.secrets import is_secret, mask_text, masked_value

RESTART_POLICIES = ("no", "on-failure", "always", "unless-stopped")
GPU_CAPABILITIES = ("compute", "utility", "graphics", "video")
NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")

LOOPBACK = "127.0.0.1"
DEFAULT_SHM_SIZE = 64 * 1024**2  # what the engine stores when no --shm-size is given


# --- the spec ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortSpec:
    """One row of the Ports table, as typed."""

    container: str  # "80", "8000-8010"
    # "" -> the engine picks a free host port; "5000"; "5000-5010". An address may come first, as in `-p`:
    # "192.168.1.5:5000", "[::1]:8080", or an address alone ("::1", "[::1]") for a random port on it.
    host: str = ""
    protocol: str = "tcp"  # "tcp" | "udp" | "sctp"
    all_interfaces: bool = False  # False -> bound to 127.0.0.1 (safe default); True -> every interface


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str  # "" sets the variable to empty


@dataclass(frozen=True)
class MountSpec:
    kind: str  # "bind" | "volume"
    source: str  # absolute host folder/file (bind) or volume name (volume)
    target: str  # absolute path in the container
    read_only: bool = False


class GpuMode(enum.StrEnum):
    NONE = "none"
    ALL = "all"
    COUNT = "count"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class GpuSpec:
    mode: GpuMode = GpuMode.NONE
    count: int = 1  # for COUNT
    device_ids: tuple[str, ...] = ()  # for CHOSEN: NVML indexes ("0") or UUIDs ("GPU-...")
    capabilities: tuple[str, ...] = ("compute", "utility")

    @property
    def requested(self) -> bool:
        return self.mode != GpuMode.NONE


@dataclass(frozen=True)
class Problem:
    field: str  # "image", "name", "ports", ... (the RunSpec field it belongs to)
    message: str  # a plain sentence the user sees next to the field
    row: int | None = None  # the table row, for ports / env / mounts
    warning: bool = False  # True: shown, does not block Run


@dataclass(frozen=True)
class RunSpec:
    image: str
    name: str = ""  # "" -> the engine picks a name
    command: str = ""  # shell words, split with shlex; "" -> the image's CMD
    entrypoint: str = ""  # ONE program ("" -> the image's ENTRYPOINT); its arguments go in command
    workdir: str = ""
    user: str = ""
    auto_remove: bool = False  # --rm
    restart: str = "no"
    restart_max_retries: int = 0  # only with on-failure (0 = unlimited)
    interactive_tty: bool = False  # -it (stdin_open + tty)
    ports: tuple[PortSpec, ...] = ()
    publish_all: bool = False  # -P
    env: tuple[EnvVar, ...] = ()
    mounts: tuple[MountSpec, ...] = ()
    gpus: GpuSpec = GpuSpec()
    memory: str = ""  # "512m", "2g", "1073741824"; "" -> no limit
    cpus: str = ""  # "1.5"; "" -> no limit
    shm_size: str = ""  # "1g"; "" -> the engine's default (64 MB)
    privileged: bool = False
    labels: tuple[tuple[str, str], ...] = ()

    # --- checks ---

    def problems(self, host_cpus: int | None = None) -> list[Problem]:
        """Errors and warnings, each with the sentence the user sees. Pure: no engine, no disk.
        host_cpus None: this computer's count."""
        from gui.core.run.checks import spec_problems  # run_checks imports this module

        return spec_problems(self, host_cpus if host_cpus is not None else os.cpu_count() or 1)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems() if not problem.warning]

    def _require_valid(self) -> None:
        from gui.core.run.checks import spec_problems

        # No CPU-count limit here: the engine may run on another machine, and it enforces its own.
        errors = [problem for problem in spec_problems(self, None) if not problem.warning]
        if errors:
            raise ValueError("; ".join(f"{problem.field}: {problem.message}" for problem in errors))

    # --- docker-py ---

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for docker.APIClient.create_container, without host_config."""
        self._require_valid()
        exposed = _unique(port for row in self.ports for port in _expanded_container_ports(row))
        return {
            "image": self.image.strip(),
            "command": shlex.split(self.command) or None,
            "entrypoint": shlex.split(self.entrypoint) or None,
            "name": self.name or None,
            "working_dir": self.workdir or None,
            "user": self.user or None,
            "environment": [f"{var.name}={var.value}" for var in self.env] or None,
            "ports": exposed or None,
            # The CLI trims spaces around a label's key; the same here, so both make the same container.
            "labels": {key.strip(): value for key, value in self.labels} or None,
            "detach": True,
            "stdin_open": self.interactive_tty,
            "tty": self.interactive_tty,
        }

    def host_config_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for docker.APIClient.create_host_config. Plain dicts only: docker-py passes
        them through, and core stays free of docker imports."""
        self._require_valid()
        kwargs: dict[str, Any] = {
            # Always sent: the CLI sends {"Name": "no"} too, and the engine stores what it is given.
            "restart_policy": {
                "Name": self.restart,
                "MaximumRetryCount": self.restart_max_retries if self.restart == "on-failure" else 0,
            },
        }
        bindings: dict[str, list[dict[str, str]]] = {}
        for row in self.ports:
            for port, protocol, host_port in _expanded_bindings(row):
                address = host_address(row)  # "" is what `-p 5000:80` sends
                bindings.setdefault(f"{port}/{protocol}", []).append({"HostIp": address, "HostPort": host_port})
        kwargs["port_bindings"] = bindings  # {} when none, as the CLI sends it
        if self.publish_all:
            kwargs["publish_all_ports"] = True
        if self.mounts:
            # A volume with no source is an anonymous one, as `-v /data` makes.
            kwargs["mounts"] = [
                {"Type": mount.kind, "Source": mount.source, "Target": mount.target, "ReadOnly": mount.read_only}
                for mount in self.mounts
            ]
        if self.auto_remove:
            kwargs["auto_remove"] = True
        if self.gpus.requested:
            kwargs["device_requests"] = [_device_request(self.gpus)]
        if self.memory:
            kwargs["mem_limit"] = parse_size(self.memory)
        if self.cpus:
            kwargs["nano_cpus"] = parse_cpus(self.cpus)
        if self.shm_size:
            kwargs["shm_size"] = parse_size(self.shm_size)
        if self.privileged:
            kwargs["privileged"] = True
        return kwargs

    # --- the command line ---

    def argv(self, reveal_secrets: bool = False) -> list[str]:
        """The equivalent `docker run` command. Never raises: the dialog previews it while the user types, so
        parts that are still invalid are written as typed. Secret-looking values are masked unless asked."""
        args = ["docker", "run", "--detach"]
        if self.name:
            args += ["--name", self.name]
        if self.auto_remove:
            args.append("--rm")
        if self.interactive_tty:
            args += ["--interactive", "--tty"]
        if self.restart != "no":
            with_retries = self.restart == "on-failure" and self.restart_max_retries
            args += ["--restart", f"{self.restart}:{self.restart_max_retries}" if with_retries else self.restart]
        if self.workdir:
            args += ["--workdir", self.workdir]
        if self.user:
            args += ["--user", self.user]
        if self.entrypoint:
            args += ["--entrypoint", " ".join(_words(self.entrypoint))]
        for row in self.ports:
            args += ["-p", _publish_value(row)]
        if self.publish_all:
            args.append("-P")
        for var in self.env:
            value = var.value if reveal_secrets else masked_value(var.name, var.value)
            args += ["-e", f"{var.name}={value}"]
        for mount in self.mounts:
            args += ["--mount", _mount_value(mount)]
        if self.gpus.requested:
            args += ["--gpus", _gpus_value(self.gpus)]
        if self.memory:
            args += ["--memory", self.memory.replace(" ", "")]
        if self.cpus:
            args += ["--cpus", self.cpus.strip()]
        if self.shm_size:
            args += ["--shm-size", self.shm_size.replace(" ", "")]
        if self.privileged:
            args.append("--privileged")
        for key, value in self.labels:
            args += ["--label", f"{key.strip()}={value if reveal_secrets else masked_value(key, value)}"]
        # A token given as an argument (--token ghp_…) is masked too; only its secret part.
        words = _words(self.command) if reveal_secrets else [mask_text(word) for word in _words(self.command)]
        return [*args, self.image.strip(), *words]

    @property
    def command_line(self) -> str:
        """The masked command, as the preview shows it."""
        return shlex.join(self.argv())

    # --- remembering ---

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: lists and plain values only."""
        data = asdict(self)
        data["gpus"]["mode"] = self.gpus.mode.value
        data["gpus"]["device_ids"] = list(self.gpus.device_ids)
        data["gpus"]["capabilities"] = list(self.gpus.capabilities)
        data["ports"] = [asdict(row) for row in self.ports]
        data["env"] = [asdict(var) for var in self.env]
        data["mounts"] = [asdict(mount) for mount in self.mounts]
        data["labels"] = [list(pair) for pair in self.labels]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSpec:
        """The inverse of to_dict. Unknown keys are ignored and missing ones take their defaults, so settings
        saved by an older or newer Portside still load."""
        plain = {
            key: data[key]
            for key in (
                "image",
                "name",
                "command",
                "entrypoint",
                "workdir",
                "user",
                "restart",
                "memory",
                "cpus",
                "shm_size",
            )
            if isinstance(data.get(key), str)
        }
        # A number written by hand ("memory": 512) is kept as typed text, so the checks can say what it means.
        plain |= {
            key: str(value)
            for key in ("memory", "cpus", "shm_size", "user")
            if isinstance(value := data.get(key), (int, float)) and not isinstance(value, bool)
        }
        flags = {
            key: bool(data[key])
            for key in ("auto_remove", "interactive_tty", "publish_all", "privileged")
            if key in data
        }
        retries = data.get("restart_max_retries")
        if isinstance(retries, int) and not isinstance(retries, bool):
            flags["restart_max_retries"] = retries
        return cls(
            **{"image": "", **plain},
            **flags,
            ports=tuple(_rows(data.get("ports"), PortSpec)),
            env=tuple(_rows(data.get("env"), EnvVar)),
            mounts=tuple(_rows(data.get("mounts"), MountSpec)),
            gpus=_gpus_from_dict(data.get("gpus")),
            labels=tuple(
                (str(pair[0]), str(pair[1]))
                for pair in _list(data.get("labels"))
                if isinstance(pair, (list, tuple)) and len(pair) == 2
            ),
        )

    def without_secret_values(self) -> RunSpec:
        """This spec with secret values (by name or by shape) emptied."""
        return replace(
            self, env=tuple(EnvVar(var.name, "") if is_secret(var.name, var.value) else var for var in self.env)
        )

    # --- run again with changes ---

    @classmethod
    def from_inspect(cls, container: dict, image: dict | None = None) -> RunSpec:
        """A spec from `docker container inspect` data. What equals the image's defaults is left out, so the
        form shows only what the user chose."""
        # run_inspect imports this module, so it is imported here, not at the top.
        from gui.core.run.from_inspect import spec_from_inspect

        return spec_from_inspect(container, image)


# --- the action -------------------------------------------------------------------------------------------


class RunFailed(EngineError):
    """The container was created, then failed to start. The message says whether it was removed."""

    def __init__(self, message: str, detail: str = "", container_id: str = "", kept: bool = False):
        super().__init__(message, detail)
        self.container_id = container_id
        self.kept = kept


@dataclass(frozen=True)
class RunContainer(Action):
    spec: RunSpec
    keep_failed: bool = False  # keep a container that was created but failed to start
    verb: ClassVar[str] = "run the container"

    def argv(self) -> list[str]:
        return self.spec.argv()  # masked: this is what the user sees and what goes to the log

    def run(self, api) -> str:
        """Creates and starts the container; returns its id. A container that cannot start is removed
        (unless keep_failed), so nothing half-made is left behind."""
        host_config = api.create_host_config(**self.spec.host_config_kwargs())
        container_id = api.create_container(**self.spec.create_kwargs(), host_config=host_config)["Id"]
        try:
            api.start(container_id)
        except Exception as exc:
            reason = explain(exc, "start the container")
            raise RunFailed(
                f"{reason.message} {self._clean_up(api, container_id)}",
                reason.detail,
                container_id=container_id,
                kept=self.keep_failed,
            ) from exc
        return container_id

    def _clean_up(self, api, container_id: str) -> str:
        """Removes the failed container unless asked to keep it; says what happened to it."""
        if self.keep_failed:
            return f"The container {container_id[:12]} is kept, stopped, so you can inspect it."
        try:
            api.remove_container(container_id, force=True)
        except Exception:
            return (
                f"Portside could not remove the container it had created ({container_id[:12]}); "
                "remove it from Containers."
            )
        return "Portside removed the container it had created."


# --- parsing and naming -----------------------------------------------------------------------------------


def suggest_name(base: str, taken: Collection[str]) -> str:
    """A container name like `base` that is valid and not taken: "web" -> "web" when free, else "web-2",
    "web-3"..."""
    taken = {name.lstrip("/") for name in taken}
    stem = re.sub(r"[^a-zA-Z0-9_.-]+", "-", base.strip()).lstrip("_.-") or "container"
    if len(stem) < 2:
        stem = f"{stem}-container"
    if stem not in taken:
        return stem
    stem = re.sub(r"-\d+$", "", stem) or stem  # "web-2" taken -> "web-3", not "web-2-2"
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


# --- helpers for the outputs (the spec is valid when these run, except in argv) ---------------------------


def port_range(text: str) -> tuple[int, int] | None:
    """ "80" -> (80, 80), "8000-8010" -> (8000, 8010); None when not numbers (no range checks here)."""
    low, dash, high = text.strip().partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        return None
    return int(low), int(high if dash else low)


def _expanded_container_ports(row: PortSpec) -> list[tuple[int, str]]:
    low, high = port_range(row.container) or (0, -1)
    return [(port, row.protocol) for port in range(low, high + 1)]


def _expanded_bindings(row: PortSpec) -> list[tuple[int, str, str]]:
    """(container port, protocol, host port text) per published port, as the CLI expands `-p`: a container
    range maps port by port onto an equal host range, or each to a random port when the host is empty; one
    container port with a host range takes whichever port of the range is free, so the range goes as is."""
    c_low, c_high = port_range(row.container) or (0, -1)
    host = host_port_text(row)
    if not host:
        return [(port, row.protocol, "") for port in range(c_low, c_high + 1)]
    host_low = (port_range(host) or (0, 0))[0]
    if c_low == c_high:
        return [(c_low, row.protocol, host)]
    return [(port, row.protocol, str(host_low + port - c_low)) for port in range(c_low, c_high + 1)]


def host_address(row: PortSpec) -> str:
    """The address a row publishes on, as the engine stores it: the one typed in the host field, else
    127.0.0.1, or "" (every interface) when the row says so."""
    address = split_host(row.host)[0]
    if address is not None:
        return address
    return "" if row.all_interfaces else LOOPBACK


def host_port_text(row: PortSpec) -> str:
    """The host field without its address: "5000", "5000-5010" or "" (random)."""
    return split_host(row.host)[1].strip()


def _publish_value(row: PortSpec) -> str:
    address = host_address(row)
    host = host_port_text(row)
    suffix = "" if row.protocol == "tcp" else f"/{row.protocol}"
    if address:
        shown = f"[{address}]" if ":" in address else address
        return f"{shown}:{host}:{row.container.strip()}{suffix}"
    return f"{host}:{row.container.strip()}{suffix}" if host else f"{row.container.strip()}{suffix}"


def _csv(*fields: str) -> str:
    """Fields joined the way the CLI's csv reader splits --mount and --gpus: quoted when they hold , or "."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def _mount_value(mount: MountSpec) -> str:
    source = [f"source={mount.source}"] if mount.source else []  # none: an anonymous volume
    fields = [f"type={mount.kind}", *source, f"target={mount.target}"]
    return _csv(*fields, *(["readonly"] if mount.read_only else []))


def _gpus_value(gpus: GpuSpec) -> str:
    """--gpus in the CLI's csv syntax: all,"capabilities=compute,utility" | 2,... | "device=0,1",..."""
    which = {GpuMode.ALL: "all", GpuMode.COUNT: str(gpus.count)}.get(gpus.mode)
    if which is None:
        which = f"device={','.join(gpus.device_ids)}"
    return _csv(which, f"capabilities={','.join(gpus.capabilities)}")


def _device_request(gpus: GpuSpec) -> dict[str, Any]:
    # The CLI appends "gpu" after the capabilities it was given: the same order here, so both agree.
    request: dict[str, Any] = {"Driver": "", "Count": 0, "Capabilities": [[*gpus.capabilities, "gpu"]]}
    if gpus.mode == GpuMode.ALL:
        request["Count"] = -1
    elif gpus.mode == GpuMode.COUNT:
        request["Count"] = gpus.count
    else:
        request["DeviceIDs"] = list(gpus.device_ids)
    return request


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unmatched quote: argv shows what was typed; the checks say what is wrong
        return text.split()


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _rows(items: Any, kind: type) -> list:
    """Table rows from to_dict's lists; rows that do not fit `kind` are skipped, not fatal."""
    rows = []
    for item in _list(items):
        if not isinstance(item, dict):
            continue
        fields = kind.__dataclass_fields__
        known = {
            key: bool(value) if fields[key].type == "bool" else str(value)
            for key, value in item.items()
            if key in fields
        }
        try:
            rows.append(kind(**known))
        except TypeError:  # a required field is missing
            continue
    return rows


def _gpus_from_dict(data: Any) -> GpuSpec:
    if not isinstance(data, dict):
        return GpuSpec()
    try:
        mode = GpuMode(str(data.get("mode", "none")))
    except ValueError:
        mode = GpuMode.NONE
    count = data.get("count", 1)
    capabilities = data.get("capabilities", GpuSpec.capabilities)
    return GpuSpec(
        mode=mode,
        count=count if isinstance(count, int) and not isinstance(count, bool) else 1,
        device_ids=tuple(str(item) for item in _list(data.get("device_ids"))),
        capabilities=tuple(str(item) for item in _list(capabilities)),
    )


def _list(value: Any) -> list:
    """A list from saved data; anything else (a number, a string, an object) is read as empty."""
    return list(value) if isinstance(value, (list, tuple)) else []
