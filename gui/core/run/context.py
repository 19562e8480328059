"""What the Run dialog needs to know about the engine and the host, and the checks that need it. No Qt.

RunSpec.problems() checks a spec on its own; preflight() adds what only the engine and the host can say:
the image is missing, the name or a host port is taken, the GPUs asked for are not there.
load_context() blocks (engine calls, the host's sockets, NVML): a worker runs it.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from gui.core.engine import help as engine_help
from gui.core.run.checks import resolved_bind_problems
from gui.core.run.gpus import GpuInventory, cuda_problem, read_inventory, required_cuda
from gui.core.run.ports import PortUse, host_ports_in_use, port_is_free, suggest_free_port
from gui.core.run.spec import (
    EnvVar,
    GpuMode,
    PortSpec,
    Problem,
    RunSpec,
    host_address,
    host_port_text,
    port_range,
    suggest_name,
)
from gui.core.secrets import RUN_ENV_LABEL

PRIVILEGED_PORT_LIMIT = 1024  # below it, binding needs root: such container ports get host ports from 5000
FIRST_UNPRIVILEGED_CHOICE = 5000
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
REMOTE_GPUS = (
    "The engine runs on another computer, so Portside cannot list its GPUs. You can still ask for "
    "all GPUs or a number of them."
)


@dataclass(frozen=True)
class RunContext:
    image: str
    image_inspect: dict | None  # None when the image is not on the engine
    container_names: frozenset[str]
    ports_in_use: dict[tuple[int, str], PortUse]
    host_cpus: int
    gpu_support: str | None  # Diagnosis.info.gpu_support ("nvidia runtime", "CDI devices")
    gpus: GpuInventory
    host_is_local: bool = True  # False for an engine on another computer (ssh://, tcp://):
    # then this computer's sockets and GPUs say nothing about it

    @property
    def exposed_ports(self) -> list[tuple[int, str]]:
        """The image's EXPOSE ports as (port, protocol), sorted; only tcp and udp, which the form offers."""
        raw = ((self.image_inspect or {}).get("Config") or {}).get("ExposedPorts") or {}
        found = set()
        for key in raw:
            number, _, protocol = str(key).partition("/")
            protocol = protocol or "tcp"
            if number.isdigit() and protocol in ("tcp", "udp"):
                found.add((int(number), protocol))
        return sorted(found)

    @property
    def image_defaults(self) -> dict[str, str]:
        """What the image does when a field is left empty, for the form's placeholders."""
        config = (self.image_inspect or {}).get("Config") or {}
        return {
            "command": _joined(config.get("Cmd")),
            "entrypoint": _joined(config.get("Entrypoint")),
            "workdir": config.get("WorkingDir") or "",
            "user": config.get("User") or "",
        }


def load_context(engine, image: str, gpu_support: str | None) -> RunContext:
    """Blocking: call from a worker. Engine errors other than "no such image" propagate."""
    import docker.errors  # here: keeps docker-py off core's import path

    try:
        image_inspect = engine.api.inspect_image(image)
    except docker.errors.APIError as exc:
        if exc.status_code != 404:
            raise
        image_inspect = None
    containers = engine.containers()
    local = engine_is_local(engine)
    if local:
        host_cpus = os.cpu_count() or 1
        gpus = read_inventory()
    else:
        host_cpus = int(engine.api.info().get("NCPU") or 0) or (os.cpu_count() or 1)
        gpus = GpuInventory(gpus=(), driver_version=None, cuda_version=None, unavailable_reason=REMOTE_GPUS)
    return RunContext(
        image=image,
        image_inspect=image_inspect,
        container_names=frozenset(row.name for row in containers),
        ports_in_use=host_ports_in_use(containers, listeners=local),
        host_cpus=host_cpus,
        gpu_support=gpu_support,
        gpus=gpus,
        host_is_local=local,
    )


def engine_is_local(engine) -> bool:
    """Whether published ports land on this computer: a unix socket or named pipe (Docker Desktop's too),
    or tcp:// to this computer."""
    endpoint = getattr(engine, "endpoint", None)
    host = getattr(endpoint, "host", "") or ""
    if not host or host.startswith(("unix://", "npipe://")):
        return True
    return (urlsplit(host).hostname or "") in _LOCAL_HOSTS


def default_spec(image: str, context: RunContext) -> RunSpec:
    """The seed's way: every exposed port published on 127.0.0.1, on the same host port when it is 1024 or
    more and free, privileged ones (< 1024) on 5000 and up like `-p 5000:80`, the next free port when taken.
    Ports that can keep their number choose first, so an image exposing 80 and 5000 gets 5000 on 5000."""
    chosen: dict[str, set[int]] = {"tcp": set(), "udp": set()}
    hosts: dict[tuple[int, str], int] = {}
    exposed = context.exposed_ports
    for port, protocol in sorted(exposed, key=lambda pair: pair[0] < PRIVILEGED_PORT_LIMIT):
        preferred = port if port >= PRIVILEGED_PORT_LIMIT else FIRST_UNPRIVILEGED_CHOICE
        host = _free_port(preferred, _taken(context, protocol) | chosen[protocol], protocol, context.host_is_local)
        chosen[protocol].add(host)
        hosts[(port, protocol)] = host
    rows = [
        PortSpec(container=str(port), host=str(hosts[(port, protocol)]), protocol=protocol)
        for port, protocol in exposed
    ]
    # Variables the image asks for at run time (secrets the wizard kept out of it): rows waiting for values.
    asked = tuple(EnvVar(name, "") for name in run_time_env_names(context.image_inspect))
    return RunSpec(image=image, ports=tuple(rows), env=asked)


def run_time_env_names(image_inspect: dict | None) -> list[str]:
    """The names in the image's run-env label (written by the Dockerfile wizard), in order."""
    labels = ((image_inspect or {}).get("Config") or {}).get("Labels") or {}
    return [name.strip() for name in labels.get(RUN_ENV_LABEL, "").split(",") if name.strip()]


def preflight(spec: RunSpec, context: RunContext) -> list[Problem]:
    """The checks that need the engine or the host; spec.problems() covers the rest."""
    problems: list[Problem] = []
    if context.image_inspect is None and spec.image.strip() == context.image.strip():
        problems.append(
            Problem("image", f"{spec.image} is not on this engine. Pull it first (Images > Pull) or build it.")
        )
    name = spec.name.strip()
    if name and name in context.container_names:
        problems.append(
            Problem("name", f"{name} is taken by another container. Try {suggest_name(name, context.container_names)}.")
        )
    problems += _port_problems(spec, context)
    problems += _gpu_problems(spec, context)
    if context.host_is_local:  # binds name paths on the engine's computer; links are followed on this one
        problems += resolved_bind_problems(spec.mounts)
    given = {var.name for var in spec.env if var.value}
    for name in run_time_env_names(context.image_inspect):
        if name not in given:
            problems.append(
                Problem(
                    "env",
                    f"The image expects {name} when it starts (its Dockerfile says so). "
                    "Give it a value in Environment.",
                    warning=True,
                )
            )
    return problems


def gpu_unavailable_reason(context: RunContext) -> str | None:
    """Why the GPU choice is disabled, in plain words with the fix; None when GPUs can be given."""
    if context.host_is_local:
        if not context.gpus.available:
            return context.gpus.unavailable_reason
        if not context.gpus.gpus:
            return "The NVIDIA driver reports no GPUs on this computer, so there are none to give to containers."
    if context.gpu_support is None:
        return (
            "Docker cannot give GPUs to containers yet: the NVIDIA Container Toolkit is not set up.\n"
            + engine_help.GPU_TOOLKIT_STEPS
        )
    return None


# --- ports ---------------------------------------------------------------------------------------------------


def _taken(context: RunContext, protocol: str) -> set[int]:
    return {port for port, used_protocol in context.ports_in_use if used_protocol == protocol}


def _free_port(preferred: int, taken: set[int], protocol: str, probe: bool) -> int:
    if probe:
        return suggest_free_port(preferred, taken, protocol)
    # The engine's host is another computer: only what the engine reports can be known.
    return next((port for port in range(preferred, 65536) if port not in taken), preferred)


def _port_problems(spec: RunSpec, context: RunContext) -> list[Problem]:
    problems = []
    for row_index, row in enumerate(spec.ports):
        span = port_range(host_port_text(row)) if host_port_text(row) else None
        if span is None or not 1 <= span[0] <= span[1] <= 65535:
            continue  # empty (the engine picks) or invalid (spec.problems() says so)
        in_use = _first_in_use(row, span, context)
        if in_use is None:
            continue
        # Other rows' host ports are not offered either.
        taken = _taken(context, row.protocol) | {
            port
            for index, other in enumerate(spec.ports)
            if index != row_index
            and other.protocol == row.protocol
            and (other_span := port_range(host_port_text(other)))
            for port in range(other_span[0], other_span[1] + 1)
        }
        taken.add(in_use.port)
        problems.append(Problem("ports", _port_message(in_use, span, taken, row.protocol, context), row=row_index))
    return problems


def _first_in_use(row: PortSpec, span: tuple[int, int], context: RunContext) -> PortUse | None:
    address = host_address(row) or "0.0.0.0"
    for port in range(span[0], span[1] + 1):
        known = context.ports_in_use.get((port, row.protocol))
        if known is not None:
            return known
        # A bind probe catches what the list missed (another user's socket on macOS, one opened since).
        if context.host_is_local and not port_is_free(port, row.protocol, address):
            return PortUse(port, row.protocol, "another program")
    return None


def _port_message(in_use: PortUse, span: tuple[int, int], taken: set[int], protocol: str, context: RunContext) -> str:
    suffix = "" if protocol == "tcp" else f" ({protocol.upper()})"
    used = f"Port {in_use.port}{suffix} is already used by {in_use.owner}."
    if span[0] == span[1]:
        free = _free_port(in_use.port, taken, protocol, context.host_is_local)
        return f"{used} Port {free} is free."
    length = span[1] - span[0] + 1
    start = _free_range(span[1] + 1, length, taken, protocol, context.host_is_local)
    hint = f" Try {start}-{start + length - 1}." if start else ""
    return f"{used} Pick another range for {span[0]}-{span[1]}.{hint}"


def _free_range(first: int, length: int, taken: set[int], protocol: str, probe: bool) -> int | None:
    def is_free(port: int) -> bool:
        return port not in taken and (not probe or port_is_free(port, protocol))

    start = first
    while start + length - 1 <= 65535 and start < first + 1000:
        blocked = next((port for port in range(start, start + length) if not is_free(port)), None)
        if blocked is None:
            return start
        start = blocked + 1
    return None


# --- GPUs ----------------------------------------------------------------------------------------------------


def _gpu_problems(spec: RunSpec, context: RunContext) -> list[Problem]:
    gpus = spec.gpus
    if gpus.mode == GpuMode.NONE:
        return []
    if context.gpu_support is None:
        first_step = engine_help.GPU_TOOLKIT_STEPS.splitlines()[0].rstrip(":")
        return [
            Problem(
                "gpus",
                "Docker on this computer cannot give GPUs to containers yet. "
                f"{first_step} (the Engine page has the commands), or run without GPUs.",
            )
        ]
    if not context.host_is_local:
        return []  # this computer's NVML knows nothing of the engine's GPUs
    inventory = context.gpus
    if not inventory.available:
        return [Problem("gpus", inventory.unavailable_reason or "", warning=True)]
    problems = []
    present = len(inventory.gpus)
    if gpus.mode == GpuMode.COUNT and gpus.count > present:
        problems.append(
            Problem("gpus", f"This computer has {_gpu_count(present)}. Ask for {present} or fewer, or choose all GPUs.")
        )
    if gpus.mode == GpuMode.CHOSEN:
        known = inventory.device_ids  # MIG instances' UUIDs too
        missing = [device for device in gpus.device_ids if device.strip() not in known]
        if missing:
            choices = ", ".join(str(gpu.index) for gpu in inventory.gpus) or "none"
            problems.append(
                Problem("gpus", f"There is no GPU {', '.join(missing)} on this computer. Choose from: {choices}.")
            )
    cuda = cuda_problem(required_cuda(context.image_inspect), inventory) if context.image_inspect else None
    if cuda:
        problems.append(Problem("gpus", cuda, warning=True))
    return problems


def _gpu_count(count: int) -> str:
    return "no GPU" if count == 0 else "1 GPU" if count == 1 else f"{count} GPUs"


def _joined(words) -> str:
    if isinstance(words, str):
        return words
    return shlex.join(str(word) for word in words) if words else ""
