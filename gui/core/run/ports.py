"""Which host ports are taken, by whom, and which free one to offer instead. No Qt.

Two sources, because neither sees everything: the host's own sockets (psutil), and the ports the engine
publishes for containers (the engine may publish without a listening process, with the userland proxy off).
A bind probe settles the rest, for example on macOS where psutil may not list other users' sockets.
Blocking but fast; the Run dialog calls it from a worker.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import psutil

from gui.core import log
from gui.core.engine.rows import ContainerRow

logger = log.get("ports")

PROTOCOLS = ("tcp", "udp")
MAX_PORT = 65535
SEARCH_SPAN = 100  # how far past the preferred port suggest_free_port looks before letting the OS choose
ANOTHER_PROGRAM = "another program"


@dataclass(frozen=True)
class PortUse:
    port: int
    protocol: str  # "tcp" | "udp"
    owner: str  # "container web", "python3 (pid 4242)", "another program"


def host_ports_in_use(
    containers: Iterable[ContainerRow] = (), listeners: bool = True
) -> dict[tuple[int, str], PortUse]:
    """(port, protocol) -> who holds it: the host's listening TCP and bound UDP sockets on any local address
    (when `listeners`; pass False for an engine on another computer), then the containers' published ports,
    which win because "container web" says more than "docker-proxy (pid 812)"."""
    used = _listening_sockets() if listeners else {}
    for row in containers:
        for published in row.ports:
            key = (published.host_port, published.protocol)
            used[key] = PortUse(published.host_port, published.protocol, f"container {row.name}")
    return used


def port_is_free(port: int, protocol: str = "tcp", address: str = "127.0.0.1") -> bool:
    """Whether a socket could be bound to address:port now (what the engine will try). A moment later it
    may not be: the engine's answer at run time is the final word."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
    with socket.socket(family, kind) as probe:
        if kind == socket.SOCK_STREAM and sys.platform != "win32":
            # As the engine (Go) does: a port whose old connections linger in TIME_WAIT is still usable.
            # (On Windows this option would let the probe share a port that is in use, so not there.)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


def suggest_free_port(preferred: int, taken: Collection[int], protocol: str = "tcp") -> int:
    """The first port from `preferred` up to `preferred` + 100 that is neither in `taken` nor bound on
    127.0.0.1; failing that, one the operating system picks."""
    for candidate in range(max(preferred, 1), min(preferred + SEARCH_SPAN, MAX_PORT) + 1):
        if candidate not in taken and port_is_free(candidate, protocol):
            return candidate
    for _ in range(20):
        candidate = _os_picked_port(protocol)
        if candidate not in taken:
            return candidate
    return _os_picked_port(protocol)


def _os_picked_port(protocol: str) -> int:
    kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening_sockets() -> dict[tuple[int, str], PortUse]:
    try:
        connections = psutil.net_connections("inet")
    except (psutil.AccessDenied, PermissionError, OSError) as exc:
        # macOS without root: no list at all. The bind probes still catch conflicts on loopback.
        logger.info("cannot list the host's sockets (%s); relying on bind probes", exc)
        return {}
    used: dict[tuple[int, str], PortUse] = {}
    names: dict[int, str] = {}
    for conn in connections:
        if not conn.laddr:
            continue
        if conn.type == socket.SOCK_STREAM:
            if conn.status != psutil.CONN_LISTEN:
                continue  # connections, not listeners: their local port is not a host port to publish on
            protocol = "tcp"
        elif conn.type == socket.SOCK_DGRAM:
            protocol = "udp"  # a bound UDP socket holds its port whatever its "status"
        else:
            continue
        port = conn.laddr.port
        if (port, protocol) not in used:
            used[(port, protocol)] = PortUse(port, protocol, _owner(conn.pid, names))
    return used


def _owner(pid: int | None, names: dict[int, str]) -> str:
    # Another user's socket comes without a pid unless Portside runs as root.
    if not pid:
        return ANOTHER_PROGRAM
    if pid not in names:
        try:
            names[pid] = f"{psutil.Process(pid).name()} (pid {pid})"
        except (psutil.Error, OSError):
            names[pid] = f"a program (pid {pid})"
    return names[pid]
