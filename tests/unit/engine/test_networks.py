"""Networks: rows from the engine's payloads, who is attached to each, the form checks and the CLI twins."""

from __future__ import annotations

import pytest

from gui.core.engine.networks import (
    ConnectContainer,
    CreateNetwork,
    DisconnectContainer,
    InspectNetwork,
    RemoveNetwork,
    name_problem,
    network_rows,
    subnet_problem,
)
from gui.core.errors import explain
from tests.fakes.fake_engine import api_error

RAW_NETWORKS = [
    {
        "Name": "bridge",
        "Id": "b" * 64,
        "Created": "2026-11-30T10:00:00.123456789Z",
        "Scope": "local",
        "Driver": "bridge",
        "IPAM": {"Driver": "default", "Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]},
        "Internal": False,
        "Labels": {},
    },
    {"Name": "host", "Id": "h" * 64, "Driver": "host", "Scope": "local", "IPAM": {"Config": []}},
    {"Name": "none", "Id": "n" * 64, "Driver": "null", "Scope": "local", "IPAM": {"Config": None}},
    {
        "Name": "lab-net",
        "Id": "1" * 64,
        "Created": "2026-11-30T11:00:00+01:00",
        "Driver": "bridge",
        "Scope": "local",
        "IPAM": {"Config": [{"Subnet": "172.28.0.0/16"}, {"Subnet": "fd00:28::/64"}]},
        "Internal": True,
        "Labels": {"project": "lab"},
    },
]
CONTAINERS = [
    {"Id": "a" * 64, "Names": ["/web"], "NetworkSettings": {"Networks": {"bridge": {}, "lab-net": {}}}},
    {"Id": "c" * 64, "Names": ["/trainer"], "NetworkSettings": {"Networks": {"lab-net": {}}}},
    {"Id": "d" * 64, "Names": ["/isolated"], "NetworkSettings": {"Networks": {"none": {}}}},
    {"Id": "e" * 64, "Names": [], "NetworkSettings": None},
]


def rows_by_name():
    return {row.name: row for row in network_rows(RAW_NETWORKS, CONTAINERS)}


def test_rows_carry_driver_subnets_and_the_attached_containers():
    rows = rows_by_name()
    assert rows["lab-net"].subnets == ("172.28.0.0/16", "fd00:28::/64")
    assert rows["lab-net"].attached == ("trainer", "web")
    assert rows["lab-net"].internal and not rows["lab-net"].builtin
    assert rows["lab-net"].labels == (("project", "lab"),)
    assert rows["lab-net"].created is not None
    assert rows["bridge"].attached == ("web",) and rows["bridge"].subnets == ("172.17.0.0/16",)
    assert rows["host"].attached == () and rows["host"].subnets == () and rows["none"].subnets == ()
    assert rows["none"].driver == "null"


def test_the_engines_own_networks_are_builtin_and_refused_with_a_reason():
    rows = rows_by_name()
    assert {name for name, row in rows.items() if row.builtin} == {"bridge", "host", "none"}
    assert "cannot be removed" in rows["host"].removal_problem()


def test_a_network_with_containers_attached_says_how_to_free_it():
    problem = rows_by_name()["lab-net"].removal_problem()
    assert problem.startswith("trainer, web are attached to this network")
    assert "docker network disconnect lab-net trainer" in problem


def test_a_free_network_can_be_removed():
    free = network_rows([{"Name": "spare", "Id": "9" * 64, "Driver": "bridge"}], CONTAINERS)[0]
    assert free.removal_problem() is None and free.attached == () and free.created is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lab-net", None),
        ("a", None),
        ("net_1.x", None),
        ("", "Give the network a name"),
        ("-net", "must start with a letter or a digit, not '-'"),
        ("my net", "not ' '"),
    ],
)
def test_name_problem(name, expected):
    problem = name_problem(name)
    assert problem is None if expected is None else expected in problem


@pytest.mark.parametrize(
    ("subnet", "expected"),
    [
        ("", None),
        ("172.28.0.0/16", None),
        ("fd00:28::/64", None),
        ("172.28.0.1/16", "not the subnet itself: write 172.28.0.0/16"),
        ("172.28.0.0", "172.28.0.0/16"),
        ("172.300.0.0/16", "is not a subnet"),
        ("lab", "CIDR"),
    ],
)
def test_subnet_problem(subnet, expected):
    problem = subnet_problem(subnet)
    assert problem is None if expected is None else expected in problem


def test_cli_twins():
    assert CreateNetwork("lab-net").command == "docker network create lab-net"
    assert (
        CreateNetwork("lab-net", "172.28.0.0/16", (("k", "v"),)).command
        == "docker network create --subnet 172.28.0.0/16 --label k=v lab-net"
    )
    assert RemoveNetwork("lab-net").command == "docker network rm lab-net"
    assert ConnectContainer("lab-net", "web").command == "docker network connect lab-net web"
    assert DisconnectContainer("lab-net", "web").command == "docker network disconnect lab-net web"
    assert InspectNetwork("lab-net").command == "docker network inspect lab-net"


class RecordingApi:
    def __init__(self):
        self.calls = []

    def create_network(self, name, **kwargs):
        self.calls.append(("create", name, kwargs))
        return {"Id": "f" * 64}

    def connect_container_to_network(self, container, net_id):
        self.calls.append(("connect", container, net_id))

    def disconnect_container_from_network(self, container, net_id):
        self.calls.append(("disconnect", container, net_id))


def test_create_asks_for_a_bridge_with_the_subnet():
    api = RecordingApi()
    assert CreateNetwork("lab-net", "172.28.0.0/16").run(api) == "f" * 64
    _, name, kwargs = api.calls[0]
    assert name == "lab-net" and kwargs["driver"] == "bridge"
    assert [pool["Subnet"] for pool in kwargs["ipam"]["Config"]] == ["172.28.0.0/16"]
    CreateNetwork("plain").run(api)
    assert api.calls[1][2]["ipam"] is None


def test_connect_and_disconnect_name_the_container_and_the_network():
    api = RecordingApi()
    ConnectContainer("lab-net", "web").run(api)
    DisconnectContainer("lab-net", "web").run(api)
    assert api.calls == [("connect", "web", "lab-net"), ("disconnect", "web", "lab-net")]


def test_the_engines_refusal_to_remove_a_network_in_use_reads_as_what_to_do():
    exc = api_error(403, f"error while removing network: network lab-net id {'1' * 64} has active endpoints")
    message = explain(exc, "remove the network").message
    assert message.startswith("Could not remove the network: containers are still attached to this network.")
    assert "docker network disconnect" in message
