"""What is wrong with a RunSpec, in the words the user sees next to the field. Pure: no Qt, no engine, no disk.

Errors are the rules Docker itself applies (so the user hears them before the engine refuses, and in plain
words); warnings are legal choices with a risk worth a sentence. Checks that need the engine or the host
(image present, name or port taken, GPUs there) live in gui.core.run.context.preflight; so does
resolved_bind_problems, which follows symlinks on the disk to find a bind that is really the engine's socket.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable

from gui.core.reference import reference_problem
from gui.core.run.entry_checks import env_problems, label_problems
from gui.core.run.spec import (
    GPU_CAPABILITIES,
    NAME_RE,
    RESTART_POLICIES,
    GpuMode,
    MountSpec,
    PortSpec,
    Problem,
    RunSpec,
    host_port_text,
    parse_cpus,
    parse_size,
    port_range,
    split_host,
)
from gui.core.run.values import NANO_CPUS_MAX, is_cpus_number, is_ip

MIN_MEMORY = 6 * 1024**2  # the engine refuses less: "Minimum memory limit allowed is 6MB"
DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
# Read-write, these let a container change or take over the host: /run and /var/run hold the sockets of the
# engine, containerd and systemd; /var/lib/docker is every container's and image's files.
SYSTEM_FOLDERS = (
    "/",
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/var",
    "/root",
    "/run",
    "/var/run",
    "/var/lib/docker",
)
VOLUME_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
PROTOCOLS = ("tcp", "udp", "sctp")
# What NVIDIA's container runtime offers; Docker passes any word on, and a container asking for another fails
# to start.
NVIDIA_CAPABILITIES = (*GPU_CAPABILITIES, "compat32", "display")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")

UNCLOSED_QUOTE = "has a quote (' or \") that is never closed. Close it, or put a \\ in front of it."
ALL_INTERFACES_RISK = "Docker publishes it past the host firewall: anyone on your network can reach it."


def spec_problems(spec: RunSpec, host_cpus: int | None) -> list[Problem]:
    """Errors and warnings; host_cpus None skips the CPU-count limit (the engine may be another machine)."""
    return [
        *_general(spec),
        *_ports(spec.ports, spec.publish_all),
        *env_problems(spec.env),
        *label_problems(spec.labels),
        *_mounts(spec.mounts),
        *_gpus(spec),
        *_resources(spec, host_cpus),
        *(
            [
                Problem(
                    "privileged",
                    "--privileged gives the container every device and capability of the host. "
                    "Use it only for a container you trust completely.",
                    warning=True,
                )
            ]
            if spec.privileged
            else []
        ),
    ]


# --- general --------------------------------------------------------------------------------------------


def _general(spec: RunSpec) -> list[Problem]:
    problems = []
    image_problem = reference_problem(spec.image)
    if image_problem:
        problems.append(Problem("image", image_problem))
    if spec.name and not NAME_RE.fullmatch(spec.name):
        problems.append(Problem("name", _name_problem(spec.name)))
    for field, text in (("command", spec.command), ("entrypoint", spec.entrypoint)):
        try:
            words = shlex.split(text)
        except ValueError:
            problems.append(Problem(field, f"The {field} {UNCLOSED_QUOTE}"))
            continue
        if field == "entrypoint" and len(words) > 1:
            problems.append(
                Problem(
                    "entrypoint",
                    f"The entrypoint is one program ({words[0]}). Move the rest "
                    f"({shlex.join(words[1:])}) to the start of Command.",
                )
            )
    if spec.workdir and not spec.workdir.startswith("/"):
        problems.append(
            Problem(
                "workdir",
                "The working directory must be an absolute path in the container, starting with / (for example /app).",
            )
        )
    if spec.user and (spec.user != spec.user.strip() or any(ch.isspace() for ch in spec.user)):
        # Docker takes any text here; the container then fails to start, as no user has spaces in its name.
        problems.append(
            Problem(
                "user",
                "The container will not start: no user name has spaces. Write a name or number, optionally "
                "with a group: for example app, 1000 or 1000:1000.",
                warning=True,
            )
        )
    problems += _restart(spec)
    return problems


def _name_problem(name: str) -> str:
    if any(ch.isspace() for ch in name):
        return "A container name cannot contain spaces. Use - or _ instead, like web-app."
    if not name[0].isascii() or not name[0].isalnum():
        return "A container name must start with a letter or a digit."
    if len(name) < 2:
        return "A container name needs at least two characters."
    return "A container name may use only letters, digits, _ . and -."


def _restart(spec: RunSpec) -> list[Problem]:
    if spec.restart not in RESTART_POLICIES:
        return [Problem("restart", "Choose a restart policy: no, on-failure, always or unless-stopped.")]
    problems = []
    if spec.auto_remove and spec.restart != "no":
        problems.append(
            Problem(
                "restart",
                "Docker cannot combine --rm with a restart policy: a container that is "
                "removed when it stops cannot be restarted. Turn one of them off.",
            )
        )
    if spec.restart_max_retries < 0:
        problems.append(Problem("restart", "The number of retries cannot be negative; 0 means retry for ever."))
    elif spec.restart_max_retries and spec.restart != "on-failure":
        problems.append(
            Problem(
                "restart",
                "A maximum number of retries works only with the on-failure policy. Set it to 0, or choose on-failure.",
            )
        )
    return problems


# --- ports ----------------------------------------------------------------------------------------------


def _ports(rows: tuple[PortSpec, ...], publish_all: bool) -> list[Problem]:
    problems = []
    seen: dict[tuple[int, str, str], int] = {}  # (host port, protocol, address) -> the row that takes it
    for row_index, row in enumerate(rows):
        problem = _port_row_problem(row)
        if problem:
            problems.append(Problem("ports", problem, row_index))
            continue
        if _address(row) in WILDCARD_ADDRESSES:
            port = host_port_text(row) or "(random)"
            problems.append(
                Problem(
                    "ports",
                    f"Host port {port} is published on all interfaces: {ALL_INTERFACES_RISK}",
                    row_index,
                    warning=True,
                )
            )
        if port_range(row.container) == (0, 0):
            problems.append(
                Problem(
                    "ports",
                    "Container port 0: nothing in the container listens there. Enter the port the app "
                    "listens on, like 80.",
                    row_index,
                    warning=True,
                )
            )
        for host_port in _host_ports(row):
            key = (host_port, row.protocol)
            clash = next(
                (
                    index
                    for (port, protocol, address), index in seen.items()
                    if (port, protocol) == key and _same_address(address, _address(row))
                ),
                None,
            )
            # Docker accepts it, then `docker run` fails to start: the second row cannot bind the port.
            if clash is not None:
                # Kept for the rows after it (10.0.0.2:5000 clashes with 0.0.0.0:5000, not 127.0.0.1:5000); an
                # address already taken keeps its first row.
                seen.setdefault((*key, _address(row)), row_index)
                problems.append(
                    Problem(
                        "ports",
                        f"Host port {host_port}/{row.protocol} is also used by row "
                        f"{clash + 1}. Give each row its own host port.",
                        row_index,
                    )
                )
                break
            seen[(*key, _address(row))] = row_index
    if publish_all:
        problems.append(
            Problem(
                "ports",
                f"-P publishes on all interfaces: every exposed port gets a random host "
                f"port, and {ALL_INTERFACES_RISK}",
                warning=True,
            )
        )
    return problems


def _address(row: PortSpec) -> str:
    address = split_host(row.host)[0]
    return ("" if row.all_interfaces else "127.0.0.1") if address is None else address


def _same_address(first: str, second: str) -> bool:
    """Whether two rows' addresses share a port: the same address, or one is every interface."""
    return first == second or first in WILDCARD_ADDRESSES or second in WILDCARD_ADDRESSES


def _address_problem(address: str | None) -> str | None:
    if address is None:
        return None
    if address and "%" not in address and is_ip(address):
        return None
    return (
        f'"{address}" is not an IP address. Write one like 192.168.1.5, or an IPv6 address in brackets '
        "like [::1]:8080, or leave only the port."
    )


def _port_row_problem(row: PortSpec) -> str | None:
    if row.protocol not in PROTOCOLS:
        return "The protocol must be tcp, udp or sctp."
    if not row.container.strip():
        return "Enter the container port, like 80."
    problem = _address_problem(split_host(row.host)[0])
    if problem:
        return problem
    host_text = host_port_text(row)
    for text in (row.container, host_text):
        if text.strip():
            problem = _port_text_problem(text.strip())
            if problem:
                return problem
    container = port_range(row.container)
    host = port_range(host_text) if host_text else None
    if host is None or container[0] == container[1]:
        return None  # a random host port, or one container port on a host port or range: the engine picks one
    if host[0] == host[1]:
        return (
            f"A range of container ports ({row.container.strip()}) needs a host range of the same length, "
            "or leave the host port empty to let Docker pick free ones."
        )
    if host[1] - host[0] != container[1] - container[0]:
        return (
            f"The host range {row.host.strip()} has {host[1] - host[0] + 1} ports but the container range "
            f"{row.container.strip()} has {container[1] - container[0] + 1}. Make them the same length."
        )
    return None


def _port_text_problem(text: str) -> str | None:
    parsed = port_range(text)
    if parsed is None:
        return f'"{text}" is not a port. Enter a number like 80, or a range like 8000-8010.'
    for port in parsed:
        if port > 65535:
            return f"Port {port} is too high. Ports go from 1 to 65535."
    if parsed[0] > parsed[1]:
        return f"The range {text} goes backwards. Write the lower port first: {parsed[1]}-{parsed[0]}."
    return None


def _host_ports(row: PortSpec) -> range:
    """The host ports a valid row takes; none for a random port (the engine picks a free one)."""
    host = host_port_text(row)
    if not host or port_range(host) == (0, 0):  # 0: the engine picks a free port, as for an empty one
        return range(0)
    low, high = port_range(host)
    container_low, container_high = port_range(row.container)
    if container_low == container_high:
        return range(low, high + 1) if low == high else range(0)  # from a host range, the engine picks one
    return range(low, high + 1)


# --- mounts ---------------------------------------------------------------------------------------------


def _mounts(mounts: tuple[MountSpec, ...]) -> list[Problem]:
    problems = []
    first_row: dict[str, int] = {}
    for row_index, mount in enumerate(mounts):
        message = _mount_source_problem(mount) or _mount_target_problem(mount)
        target = posixpath.normpath(mount.target) if mount.target.startswith("/") else mount.target
        if message is None and target in first_row:
            message = (
                f"{mount.target} is mounted twice (also in row {first_row[target] + 1}). Give each mount "
                "its own container path."
            )
        if message:
            problems.append(Problem("mounts", message, row_index))
            continue
        first_row[target] = row_index
        if mount.kind == "bind":
            problems += [Problem("mounts", warning, row_index, warning=True) for warning in _bind_warnings(mount)]
    return problems


def _mount_source_problem(mount: MountSpec) -> str | None:
    source = mount.source
    if mount.kind == "bind":
        if not source:
            return "Choose the host folder or file to mount."
        if not source.startswith("/"):
            return f"The host path {source} is relative. Use an absolute path, starting with / (like /home/you/data)."
        return None
    if mount.kind == "volume":
        if not source:
            return None  # an anonymous volume, as `-v /data` makes: Docker names it
        if source.startswith("/"):
            return f"{source} looks like a host folder. Choose bind to mount a folder; volume is for Docker volumes."
        if not VOLUME_NAME_RE.fullmatch(source):
            return (
                f'"{source}" is not a valid volume name. Use letters, digits, _ . and -, starting with a '
                "letter or digit, at least two characters."
            )
        return None
    return "Choose bind (a host folder or file) or volume (a Docker volume)."


def _mount_target_problem(mount: MountSpec) -> str | None:
    target = mount.target
    if not target:
        return "Enter where it appears in the container, like /data."
    if not target.startswith("/"):
        return f"The container path {target} must be absolute, starting with / (like /data)."
    if posixpath.normpath(target) in ("/", "//"):
        return "A mount cannot replace / (the container's whole file system). Choose a folder, like /data."
    return None


def engine_sockets(docker_host: str | None = None) -> tuple[str, ...]:
    """The paths of the engine's socket: the usual ones and the one DOCKER_HOST names (unix:///run/user/1000/
    docker.sock for a rootless engine). docker_host None: this process's DOCKER_HOST."""
    host = os.environ.get("DOCKER_HOST", "") if docker_host is None else docker_host
    named = [posixpath.normpath(host[len("unix://") :])] if host.startswith("unix://") and len(host) > 7 else []
    return tuple(dict.fromkeys([*DOCKER_SOCKETS, *named]))


def _bind_risk(source: str, read_only: bool, sockets: Iterable[str], shown: str | None = None) -> str | None:
    """The warning for binding the host path `source` (already normalised), or None. `shown` names the path as
    typed when `source` is where a link leads."""
    via = f"{shown} leads to {source}: " if shown else ""
    for socket in sockets:
        if source == socket or socket.startswith(source.rstrip("/") + "/"):
            what = "the Docker engine's socket" if source == socket else f"the Docker engine's socket ({socket})"
            return (
                f"{via}Mounting {what} gives the container full control of the engine, like root on this "
                "machine, even read-only. Do it only for a tool you trust."
            )
    if source in SYSTEM_FOLDERS and not read_only:
        return (
            f"{via}{source} is a system folder, mounted read-write: the container can change or break this "
            "computer. Tick read-only unless it must write there."
        )
    return None


def _bind_warnings(mount: MountSpec) -> list[str]:
    warning = _bind_risk(posixpath.normpath(mount.source), mount.read_only, engine_sockets())
    return [warning] if warning else []


def resolved_bind_problems(
    mounts: Iterable[MountSpec],
    docker_host: str | None = None,
    resolve: Callable[[str], str] = os.path.realpath,
) -> list[Problem]:
    """Warnings for binds that reach the engine's socket or a system folder only through a symlink (a link to
    /var/run/docker.sock, a folder that links to /run). Reads the disk: call from a worker, for an engine on
    this computer. Binds that spec_problems already warns about are left to it."""
    sockets = engine_sockets(docker_host)
    real_sockets = tuple(dict.fromkeys([*sockets, *(resolve(socket) for socket in sockets)]))
    problems = []
    for row_index, mount in enumerate(mounts):
        if mount.kind != "bind" or not mount.source.startswith("/"):
            continue
        source = posixpath.normpath(mount.source)
        real = posixpath.normpath(resolve(source))
        if real == source or _bind_risk(source, mount.read_only, sockets):
            continue
        warning = _bind_risk(real, mount.read_only, real_sockets, shown=source)
        if warning:
            problems.append(Problem("mounts", warning, row_index, warning=True))
    return problems


# --- GPUs and resources ---------------------------------------------------------------------------------


def _gpus(spec: RunSpec) -> list[Problem]:
    gpus = spec.gpus
    if not gpus.requested:
        return []
    # Docker creates the container whatever is asked here; these are the requests that then fail to start or
    # give no GPU at all, so they are warnings with the reason.
    problems = []
    if gpus.mode == GpuMode.COUNT and gpus.count < 1:
        problems.append(
            Problem(
                "gpus", "With 0 GPUs the container gets none. Ask for at least 1, or choose all GPUs.", warning=True
            )
        )
    if gpus.mode == GpuMode.CHOSEN and not [gpu for gpu in gpus.device_ids if gpu.strip()]:
        problems.append(Problem("gpus", "No GPU is chosen: choose at least one from the list.", warning=True))
    unknown = [cap for cap in gpus.capabilities if cap not in NVIDIA_CAPABILITIES]
    if unknown:
        problems.append(
            Problem(
                "gpus",
                f'"{unknown[0]}" is not a GPU capability, so the container will not start. '
                "Use compute, utility, graphics or video.",
                warning=True,
            )
        )
    elif not gpus.capabilities:
        problems.append(
            Problem(
                "gpus",
                "No GPU capability is chosen: compute and utility are what CUDA programs need.",
                warning=True,
            )
        )
    if not parse_size(spec.shm_size or "0"):
        problems.append(
            Problem(
                "shm_size",
                "PyTorch DataLoader workers share memory through /dev/shm; Docker's "
                "64 MB default is often too small: try 1g or more.",
                warning=True,
            )
        )
    return problems


def _resources(spec: RunSpec, host_cpus: int | None) -> list[Problem]:
    """The CLI's parsing, then the engine's limits. 0 means no limit (memory, CPUs) or the default (/dev/shm)."""
    problems = []
    if spec.memory:
        problem = _size_problem(spec.memory, "memory limit", "512m or 2g")
        if problem is None and 0 < parse_size(spec.memory) < MIN_MEMORY:
            problem = (
                "Docker needs at least 6 MB of memory for a container. Enter 6m or more, or leave it empty "
                "for no limit."
            )
        if problem:
            problems.append(Problem("memory", problem))
    if spec.cpus:
        problem = _cpus_problem(spec.cpus.strip(), host_cpus)
        if problem:
            problems.append(Problem("cpus", problem))
    if spec.shm_size:
        problem = _size_problem(spec.shm_size, "shared memory size", "1g or 512m")
        if problem:
            problems.append(Problem("shm_size", problem))
    return problems


def _size_problem(text: str, what: str, example: str) -> str | None:
    if parse_size(text) is None:
        if text.strip().startswith("-"):
            return f"A {what} cannot be negative. Enter a size like {example}."
        return f'"{text}" is not a size Docker understands. Write a number and a unit, like {example}.'
    return None


def _cpus_problem(text: str, host_cpus: int | None) -> str | None:
    if not is_cpus_number(text):
        return f'"{text}" is not a number of CPUs. Enter a number like 1.5, or leave it empty for no limit.'
    nano = parse_cpus(text)
    if nano is None:
        return "Docker counts CPUs in billionths: use at most nine decimals, like 0.25."
    if nano < 0:
        return "The CPU limit cannot be negative. Enter a number like 1.5, or leave it empty for no limit."
    if host_cpus is not None and nano > host_cpus * 10**9:
        return f"This computer has {host_cpus} CPUs, so the limit can be at most {host_cpus}."
    if nano > NANO_CPUS_MAX:  # the engine's count is unknown (a remote engine); the CLI would wrap this round
        return "That is more CPUs than Docker can count. Enter a number like 1.5, or leave it empty for no limit."
    return None
