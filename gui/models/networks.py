"""The Networks table: which columns, how each cell reads, and headers that explain the words. Presentation only."""

from __future__ import annotations

from gui.core.engine.networks import NetworkRow
from gui.core.format import local_time, relative_time
from gui.models.lists import ExplainedHeaders
from gui.models.table import Column, RowTableModel

NETWORK_HEADER_TIPS = {
    "Name": "A network joins containers: containers on the same network reach each other by name (a container "
    "named db is found at the address db). bridge, host and none are the engine's own networks.",
    "Driver": "How the network is made: bridge is a private network on this computer; host shares this computer's "
    "network with no separation; null (the none network) means no network at all.",
    "Subnet": "The range of addresses the engine hands to containers on this network, in CIDR form "
    "(172.28.0.0/16 holds 172.28.0.1 to 172.28.255.254).",
    "Containers": "The containers, running or stopped, attached to this network; a network with containers "
    "attached cannot be removed until they are disconnected or removed.",
    "Created": "When the network was made (docker network create, or by the engine itself).",
}


def _name_tooltip(row: NetworkRow) -> str:
    kind = "The engine's own network: it cannot be removed." if row.builtin else "Made by a user or a compose file."
    internal = "Internal: no way out to the internet." if row.internal else ""
    labels = "\n".join(f"{key}={value}" for key, value in row.labels)
    return "\n".join(part for part in (row.name, kind, internal, labels) if part)


def _containers_tooltip(row: NetworkRow) -> str:
    if not row.attached:
        return "No container is attached to this network."
    return "Attached: " + ", ".join(row.attached) + ". They reach each other here by name."


NETWORK_COLUMNS = [
    Column("Name", lambda r: r.name, tooltip=_name_tooltip),
    Column("Driver", lambda r: r.driver),
    Column("Subnet", lambda r: ", ".join(r.subnets) or "-"),
    Column(
        "Containers",
        lambda r: ", ".join(r.attached) or "-",
        sort_key=lambda r: (len(r.attached), r.attached),
        tooltip=_containers_tooltip,
    ),
    Column(
        "Created",
        lambda r: relative_time(r.created) if r.created else "-",
        sort_key=lambda r: r.created or 0.0,
        tooltip=lambda r: local_time(r.created) if r.created else "The engine did not say.",
    ),
]
NETWORK_CREATED_COLUMN = 4


def networks_model(parent=None) -> RowTableModel[NetworkRow]:
    return ExplainedHeaders(NETWORK_COLUMNS, lambda row: row.name, NETWORK_HEADER_TIPS, parent=parent)
