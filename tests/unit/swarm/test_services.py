"""Services and tasks read into rows (replicas counted from running tasks, node ids named by hostname), the swarm's
state from `docker info` as a sentence, and the scale and remove actions with their twins."""

from __future__ import annotations

from gui.core.swarm.services import (
    NOT_IN_SWARM,
    RemoveService,
    ScaleService,
    service_rows,
    swarm_state,
    task_rows,
)

SERVICES = [
    {
        "ID": "svc1",
        "UpdatedAt": "2026-12-07T10:00:00Z",
        "Spec": {
            "Name": "web",
            "Mode": {"Replicated": {"Replicas": 3}},
            "TaskTemplate": {"ContainerSpec": {"Image": "lab/web:1@sha256:abc"}},
        },
        "Endpoint": {"Ports": [{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}]},
    },
    {
        "ID": "svc2",
        "Spec": {"Name": "agent", "Mode": {"Global": {}}, "TaskTemplate": {"ContainerSpec": {"Image": "a"}}},
    },
]
NODES = [{"ID": "node1", "Description": {"Hostname": "workstation"}}]


def task(slot, state, desired="running", service="svc1", node="node1", err="", updated="2026-12-07T10:00:00Z"):
    return {
        "ID": f"t{slot}{state}",
        "ServiceID": service,
        "Slot": slot,
        "NodeID": node,
        "DesiredState": desired,
        "UpdatedAt": updated,
        "Status": {"State": state, "Err": err, "PortStatus": {"Ports": [{"TargetPort": 80, "PublishedPort": 30001}]}},
    }


TASKS = [
    task(1, "running"),
    task(2, "running"),
    task(3, "pending", err="no suitable node"),
    task(1, "shutdown", "shutdown"),
]


def test_service_rows_count_running_tasks_against_the_desired():
    web, agent = sorted(service_rows(SERVICES, TASKS), key=lambda r: r.name, reverse=True)
    assert (web.name, web.image, web.replicas) == ("web", "lab/web:1", "2/3")
    assert web.ports == ("8080->80/tcp (ingress)",)
    assert agent.mode == "global" and agent.replicas == "0 running (global)"


def test_task_rows_name_the_node_by_hostname_and_keep_the_error():
    rows = task_rows(TASKS, NODES, "web")
    assert [r.name for r in rows][:2] == ["web.1", "web.1"]
    assert {r.node for r in rows} == {"workstation"}
    pending = next(r for r in rows if r.state == "pending")
    assert pending.error == "no suitable node" and pending.ports == ("30001->80/tcp",)
    unknown = task_rows([task(1, "running", node="gone")], NODES, "web")[0]
    assert unknown.node == "gone"


def test_swarm_state_says_what_to_do_when_not_a_manager():
    assert swarm_state({"Swarm": {"LocalNodeState": "inactive"}}).problem() == NOT_IN_SWARM
    assert swarm_state({}).problem() == NOT_IN_SWARM
    assert "worker" in swarm_state({"Swarm": {"LocalNodeState": "active", "ControlAvailable": False}}).problem()
    assert "unlock" in swarm_state({"Swarm": {"LocalNodeState": "locked"}}).problem()
    assert swarm_state({"Swarm": {"LocalNodeState": "active", "ControlAvailable": True}}).problem() is None


def test_scale_and_remove_twins():
    assert ScaleService("web", 3).command == "docker service scale web=3"
    assert RemoveService("web").command == "docker service rm web"
