"""Swarm services on a private dockerd made a single-node swarm (the shared engine never joins one: other tests run
on it): a busybox httpd service with 2 replicas, a memory limit and a published port, scaled to 3 with each task on
the node's hostname, removed; then `docker stack deploy` of the compose.yaml Portside exports, seen in the services
list. The swarm is left at the end.

The routing mesh (ingress) needs the engine's iptables rules, which the private dockerd runs without
(--iptables=false, so the shared engine's rules stay untouched): the service publishes in host mode, each task on a
port of its own, and the test reads each task's port from its status.
"""

from __future__ import annotations

import contextlib
import random
import socket
import urllib.request

import pytest

from gui.core.export.compose import to_compose
from gui.core.run.spec import PortSpec, RunSpec
from gui.core.swarm.service_spec import ServiceSpec
from gui.core.swarm.services import (
    NOT_IN_SWARM,
    CreateService,
    RemoveService,
    ScaleService,
    read_services,
    read_tasks,
)
from tests.engine import engine_helpers as eh
from tests.engine import private_engine

HTTPD = "sh -c 'mkdir -p /www && echo swarm-page > /www/index.html && exec httpd -f -p 80 -h /www'"
DEADLINE_S = 90


def free_data_path_port() -> int:
    """A free UDP port in the range swarm accepts for its data path (1024-49151: below the ephemeral ports)."""
    for port in random.sample(range(20000, 49152), 200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free UDP port for the swarm's data path")


@pytest.fixture
def swarm_engine(docker_client, busybox_image):
    """A private dockerd with the busybox image, made a single-node swarm on 127.0.0.1 (free ports for the
    managers' listener and the data path), left and destroyed at the end."""
    daemon = private_engine.PrivateDockerd()
    try:
        daemon.start()
        daemon.load_image(docker_client, busybox_image)
        client = daemon.client()
        assert read_services(client.api).state.problem() == NOT_IN_SWARM
        client.swarm.init(
            advertise_addr="127.0.0.1",
            listen_addr=f"127.0.0.1:{eh.free_port()}",
            data_path_port=free_data_path_port(),
        )
        yield daemon, client
        client.swarm.leave(force=True)
        assert read_services(client.api).state.problem() == NOT_IN_SWARM
    finally:
        with contextlib.suppress(Exception):
            daemon.client().swarm.leave(force=True)
        daemon.destroy()


def page(port: int) -> str:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=3).read().decode().strip()
    except OSError:
        return ""


def running_tasks(api, name: str) -> list:
    return [t for t in read_tasks(api, name) if t.state == "running" and t.desired_state == "running"]


def test_deploy_scale_and_remove_a_service(swarm_engine, busybox_image):
    _daemon, client = swarm_engine
    api = client.api
    hostname = client.info()["Name"]
    run = RunSpec(busybox_image, name="portside-web", command=HTTPD, ports=(PortSpec("80"),), memory="64m")
    spec = ServiceSpec(run, replicas=2, constraints=("node.role==manager",), publish_mode="host")
    action = CreateService(spec)
    assert "--limit-memory 64m" in action.command and "--publish target=80,mode=host" in action.command
    assert action.run(api)

    assert eh.wait_until(lambda: len(running_tasks(api, "portside-web")) == 2, DEADLINE_S)
    (row,) = read_services(api).services
    assert (row.name, row.replicas, row.image) == ("portside-web", "2/2", busybox_image)
    inspect = api.inspect_service("portside-web")["Spec"]["TaskTemplate"]
    assert inspect["Resources"]["Limits"]["MemoryBytes"] == 64 * 1024**2
    assert inspect["Placement"]["Constraints"] == ["node.role==manager"]
    ports = [int(t.ports[0].split("->")[0]) for t in running_tasks(api, "portside-web")]
    assert len(set(ports)) == 2  # host mode: each task on a port of its own
    for port in ports:
        assert eh.wait_until(lambda port=port: page(port) == "swarm-page", DEADLINE_S)

    ScaleService("portside-web", 3).run(api)
    assert eh.wait_until(lambda: len(running_tasks(api, "portside-web")) == 3, DEADLINE_S)
    tasks = running_tasks(api, "portside-web")
    assert {t.node for t in tasks} == {hostname} and sorted(t.slot for t in tasks) == [1, 2, 3]
    assert eh.wait_until(lambda: read_services(api).services[0].replicas == "3/3", DEADLINE_S)

    RemoveService("portside-web").run(api)
    assert eh.wait_until(lambda: read_services(api).services == (), DEADLINE_S)


def test_stack_deploy_of_the_exported_compose_file(swarm_engine, busybox_image, docker_cli, tmp_path):
    daemon, client = swarm_engine
    # No limits: the export writes them as mem_limit/cpus, which `docker stack deploy` refuses ("Compose file contains
    # unsupported options: mem_limit: Set resource limits using deploy.resources"); see the report of issue 19.
    run = RunSpec(busybox_image, name="web", command=HTTPD)
    exported = to_compose([("web", run)])
    (tmp_path / exported.file_name).write_text(exported.text)
    docker_cli(
        "--host", daemon.host, "stack", "deploy", "-c", str(tmp_path / exported.file_name), "lab", host=daemon.host
    )

    assert eh.wait_until(lambda: [s.name for s in read_services(client.api).services] == ["lab_web"], DEADLINE_S)
    assert eh.wait_until(lambda: len(running_tasks(client.api, "lab_web")) == 1, DEADLINE_S)
    docker_cli("--host", daemon.host, "stack", "rm", "lab", host=daemon.host)
