"""Networks: the engine's private networks (containers on one reach each other by name), which containers are on
each, and the actions on them, each with its `docker network …` twin. No Qt.

Which containers are on a network comes from the container list (GET /containers/json?all=1), whose
`NetworkSettings.Networks` names each network a container is attached to: GET /networks does not list them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gui.core.engine.actions import Action
from gui.core.engine.inspect_summary import parse_timestamp

if TYPE_CHECKING:
    import docker

# Docker's rule for a network's name (daemon/names.RestrictedNamePattern, one character allowed).
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
# The networks every engine makes itself; the engine refuses to remove them.
BUILTIN = frozenset({"bridge", "host", "none"})


@dataclass(frozen=True)
class NetworkRow:
    id: str
    name: str
    driver: str
    scope: str = "local"
    subnets: tuple[str, ...] = ()  # from IPAM.Config[].Subnet
    internal: bool = False  # no way out to the internet
    builtin: bool = False  # bridge, host or none: made by the engine, cannot be removed
    attached: tuple[str, ...] = ()  # the containers (running or stopped) on it, by name
    created: float | None = None  # seconds since the epoch; None when the engine did not say
    labels: tuple[tuple[str, str], ...] = ()

    def removal_problem(self) -> str | None:
        """Why Remove cannot go ahead now, and what to do; None when it can."""
        if self.builtin:
            return f"{self.name} is one of the engine's own networks: it cannot be removed."
        if self.attached:
            who = ", ".join(self.attached)
            first = self.attached[0]
            return (
                f"{who} {'is' if len(self.attached) == 1 else 'are'} attached to this network: disconnect "
                f"{'it' if len(self.attached) == 1 else 'them'} first (docker network disconnect {self.name} {first}), "
                "or remove the container, then the network."
            )
        return None


def _attached(containers_raw: list[dict]) -> dict[str, list[str]]:
    """Network name: the names of the containers attached to it, from each container's NetworkSettings.Networks."""
    attached: dict[str, list[str]] = {}
    for raw in containers_raw:
        names = raw.get("Names") or []
        container = names[0].lstrip("/") if names else str(raw.get("Id", ""))[:12]
        networks = (raw.get("NetworkSettings") or {}).get("Networks") or {}
        for network in networks:
            attached.setdefault(network, []).append(container)
    return attached


def network_rows(raw_networks: list[dict], containers_raw: list[dict]) -> list[NetworkRow]:
    """Rows from GET /networks and the container list (which says who is attached where)."""
    attached = _attached(containers_raw)
    rows = []
    for raw in raw_networks:
        name = raw.get("Name") or ""
        configs = (raw.get("IPAM") or {}).get("Config") or []
        rows.append(
            NetworkRow(
                id=str(raw.get("Id") or ""),
                name=name,
                driver=raw.get("Driver") or "",
                scope=raw.get("Scope") or "",
                subnets=tuple(config["Subnet"] for config in configs if config.get("Subnet")),
                internal=bool(raw.get("Internal")),
                builtin=name in BUILTIN,
                attached=tuple(sorted(set(attached.get(name, ())))),
                created=parse_timestamp(raw.get("Created")),
                labels=tuple(sorted((raw.get("Labels") or {}).items())),
            )
        )
    return rows


def name_problem(name: str) -> str | None:
    """What is wrong with a name typed for a new network, as a sentence; None when it is fine."""
    name = name.strip()
    if not name:
        return "Give the network a name, for example lab-net."
    if _NAME.fullmatch(name):
        return None
    if not name[0].isascii() or not name[0].isalnum():
        return f"A network name must start with a letter or a digit, not {name[0]!r}."
    bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "_.-"))})
    return f"A network name may hold only letters, digits, _ . and -, not {' '.join(repr(c) for c in bad)}."


def subnet_problem(subnet: str) -> str | None:
    """What is wrong with a typed subnet, as a sentence; None when it is fine (empty is fine: the engine picks)."""
    subnet = subnet.strip()
    if not subnet:
        return None
    if "/" not in subnet:
        return f"Write the subnet with its size, for example {subnet}/16 (CIDR form)."
    try:
        ipaddress.ip_network(subnet)
    except ValueError:
        try:
            host = ipaddress.ip_interface(subnet)
        except ValueError:
            return f"{subnet} is not a subnet: write one in CIDR form, for example 172.28.0.0/16."
        return f"{subnet} is an address inside a subnet, not the subnet itself: write {host.network}."
    return None


# Actions ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateNetwork(Action):
    """`docker network create [--subnet S] NAME`, a bridge network. Returns the network's id."""

    name: str
    subnet: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    verb: ClassVar[str] = "create the network"

    def argv(self) -> list[str]:
        label_flags = [part for key, value in self.labels for part in ("--label", f"{key}={value}")]
        subnet = ["--subnet", self.subnet] if self.subnet else []
        return ["docker", "network", "create", *subnet, *label_flags, self.name]

    def run(self, api: docker.APIClient) -> str:
        import docker.types  # here: docker-py is slow to import, and views import this module

        ipam = None
        if self.subnet:
            ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=self.subnet)])
        answer = api.create_network(self.name, driver="bridge", ipam=ipam, labels=dict(self.labels) or None)
        return str((answer or {}).get("Id") or "")


@dataclass(frozen=True)
class RemoveNetwork(Action):
    """`docker network rm NAME`: the engine refuses while containers are attached."""

    name: str
    verb: ClassVar[str] = "remove the network"

    def argv(self) -> list[str]:
        return ["docker", "network", "rm", self.name]

    def run(self, api) -> None:
        api.remove_network(self.name)


@dataclass(frozen=True)
class ConnectContainer(Action):
    network: str
    container: str
    verb: ClassVar[str] = "connect the container to the network"

    def argv(self) -> list[str]:
        return ["docker", "network", "connect", self.network, self.container]

    def run(self, api) -> None:
        api.connect_container_to_network(self.container, self.network)


@dataclass(frozen=True)
class DisconnectContainer(Action):
    network: str
    container: str
    verb: ClassVar[str] = "disconnect the container from the network"

    def argv(self) -> list[str]:
        return ["docker", "network", "disconnect", self.network, self.container]

    def run(self, api) -> None:
        api.disconnect_container_from_network(self.container, self.network)


@dataclass(frozen=True)
class InspectNetwork(Action):
    name: str
    verb: ClassVar[str] = "inspect the network"

    def argv(self) -> list[str]:
        return ["docker", "network", "inspect", self.name]

    def run(self, api) -> dict:
        return api.inspect_network(self.name)
