"""Host ports in use: real listeners opened on 127.0.0.1 by the test, and the engine's published ports."""

from __future__ import annotations

import os
import socket

import psutil
import pytest

from gui.core.engine.rows import ContainerRow, PublishedPort
from gui.core.run import ports
from gui.core.run.ports import PortUse, host_ports_in_use, port_is_free, suggest_free_port


@pytest.fixture
def udp_socket():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def free_port_number(protocol: str = "tcp") -> int:
    kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def container(name: str, *published: PublishedPort) -> ContainerRow:
    return ContainerRow(
        id=f"{name}-id",
        name=name,
        image="img",
        image_id="sha256:1",
        command="",
        state="running",
        status="Up",
        created=0.0,
        ports=published,
    )


def this_process() -> str:
    return f"{psutil.Process().name()} (pid {os.getpid()})"


def test_a_tcp_listener_is_in_use_with_its_program_and_pid(tcp_listener):
    used = host_ports_in_use()
    assert used[(tcp_listener, "tcp")] == PortUse(tcp_listener, "tcp", this_process())


def test_a_bound_udp_socket_is_in_use(udp_socket):
    used = host_ports_in_use()
    assert used[(udp_socket, "udp")] == PortUse(udp_socket, "udp", this_process())


def test_a_tcp_connection_is_not_a_listener(tcp_listener):
    with socket.create_connection(("127.0.0.1", tcp_listener)) as client:
        client_port = client.getsockname()[1]
        used = host_ports_in_use()
    assert (tcp_listener, "tcp") in used
    assert (client_port, "tcp") not in used


def test_published_ports_name_the_container_and_win_over_the_process(tcp_listener):
    row = container(
        "web", PublishedPort(tcp_listener, 80, "tcp", "127.0.0.1"), PublishedPort(5353, 53, "udp", "0.0.0.0")
    )
    used = host_ports_in_use([row])
    assert used[(tcp_listener, "tcp")].owner == "container web"
    assert used[(5353, "udp")] == PortUse(5353, "udp", "container web")


def test_listeners_can_be_left_out_for_an_engine_on_another_computer(tcp_listener):
    used = host_ports_in_use([container("db", PublishedPort(5432, 5432))], listeners=False)
    assert used == {(5432, "tcp"): PortUse(5432, "tcp", "container db")}


def test_when_the_os_refuses_the_list_only_containers_count(monkeypatch, tcp_listener):
    def refuse(kind):
        raise psutil.AccessDenied()

    monkeypatch.setattr(ports.psutil, "net_connections", refuse)
    used = host_ports_in_use([container("web", PublishedPort(8080, 80))])
    assert set(used) == {(8080, "tcp")}
    # ...and the bind probe still sees the listener.
    assert not port_is_free(tcp_listener)


def test_port_is_free_probes_tcp_and_udp_separately(tcp_listener, udp_socket):
    assert not port_is_free(tcp_listener, "tcp")
    assert not port_is_free(udp_socket, "udp")
    unused = free_port_number()
    assert port_is_free(unused, "tcp", "127.0.0.1")


def test_a_wildcard_probe_sees_a_loopback_listener(tcp_listener):
    # Publishing on all interfaces needs the port free on every address, loopback included.
    assert not port_is_free(tcp_listener, "tcp", "0.0.0.0")


def test_suggest_keeps_the_preferred_port_when_free():
    preferred = free_port_number()
    assert suggest_free_port(preferred, taken=()) == preferred


def test_suggest_skips_taken_and_bound_ports(tcp_listener):
    # The listener's port is bound; the next one is "taken" (say, by a container): the one after is offered
    # unless something else holds it, in which case a later one.
    suggestion = suggest_free_port(tcp_listener, taken={tcp_listener + 1})
    assert suggestion not in (tcp_listener, tcp_listener + 1)
    assert tcp_listener < suggestion <= tcp_listener + ports.SEARCH_SPAN
    assert port_is_free(suggestion)


def test_suggest_falls_back_to_a_port_the_os_picks(monkeypatch):
    monkeypatch.setattr(ports, "SEARCH_SPAN", 3)
    taken = set(range(6000, 6004))
    suggestion = suggest_free_port(6000, taken)
    assert suggestion not in taken and 1 <= suggestion <= 65535
    assert port_is_free(suggestion)


def test_suggest_stays_within_valid_ports():
    suggestion = suggest_free_port(65535, taken={65535})
    assert suggestion != 65535 and 1 <= suggestion <= 65535


def test_udp_suggestion_probes_udp(udp_socket):
    assert suggest_free_port(udp_socket, taken=(), protocol="udp") != udp_socket
