"""A single-node swarm for the fake engine (kept apart: fake_engine.py is near its size limit). `with_swarm(engine)`
gives the engine's fake API `docker info`'s Swarm part and services, tasks and nodes; a service gets one running task
per replica on the node "workstation", as a healthy one-node swarm does. Swarm actions performed run on it."""

from __future__ import annotations

import copy
import secrets

NODE = {"ID": "node1", "Description": {"Hostname": "workstation"}}


class FakeSwarmApi:
    """GET /info (Swarm only), /services, /tasks, /nodes; create, inspect, update (scale) and remove a service."""

    def info(self) -> dict:
        swarm = self.engine.swarm
        return {"Swarm": {"LocalNodeState": swarm["state"], "ControlAvailable": swarm["state"] == "active"}}

    def services(self, filters=None, status=None) -> list[dict]:
        return copy.deepcopy(self.engine.swarm["services"])

    def nodes(self, filters=None) -> list[dict]:
        return [copy.deepcopy(NODE)]

    def tasks(self, filters=None) -> list[dict]:
        wanted = (filters or {}).get("service")
        tasks = []
        for service in self.engine.swarm["services"]:
            if wanted not in (None, service["Spec"]["Name"], service["ID"]):
                continue
            for slot in range(1, service["Spec"]["Mode"]["Replicated"]["Replicas"] + 1):
                tasks.append(
                    {
                        "ID": f"{service['ID'][:8]}task{slot}",
                        "ServiceID": service["ID"],
                        "Slot": slot,
                        "NodeID": NODE["ID"],
                        "DesiredState": "running",
                        "UpdatedAt": "2026-12-07T10:00:00Z",
                        "Status": {"State": "running", "Err": ""},
                    }
                )
        return tasks

    def _service(self, name: str) -> dict:
        from tests.fakes.fake_engine import api_error

        found = next((s for s in self.engine.swarm["services"] if name in (s["ID"], s["Spec"]["Name"])), None)
        if found is None:
            raise api_error(404, f"service {name} not found")
        return found

    def create_service(self, task_template, name=None, mode=None, endpoint_spec=None, **_kwargs) -> dict:
        spec = {"Name": name or "random_name", "TaskTemplate": dict(task_template), "Mode": {"Replicated": {}}}
        spec["Mode"]["Replicated"]["Replicas"] = (mode or {}).get("replicated", {}).get("Replicas", 1)
        if endpoint_spec:
            spec["EndpointSpec"] = dict(endpoint_spec)
        service = {"ID": secrets.token_hex(12), "Version": {"Index": 1}, "Spec": spec}
        self.engine.swarm["services"].append(service)
        return {"ID": service["ID"]}

    def inspect_service(self, name: str) -> dict:
        return copy.deepcopy(self._service(name))

    def update_service(self, name, version, mode=None, fetch_current_spec=False, **_kwargs) -> None:
        service = self._service(name)
        service["Spec"]["Mode"]["Replicated"]["Replicas"] = mode["replicated"]["Replicas"]
        service["Version"]["Index"] = version + 1

    def remove_service(self, name: str) -> None:
        self.engine.swarm["services"].remove(self._service(name))


def with_swarm(engine, state: str = "active"):
    """The fake engine, a swarm manager (or, with state "inactive", not in a swarm), running swarm actions."""
    engine.swarm = {"state": state, "services": []}
    engine.api.__class__ = type("FakeApiWithSwarm", (FakeSwarmApi, type(engine.api)), {})
    plain_perform = engine.perform

    def perform(action):
        if type(action).__module__ != "gui.core.swarm.services":
            return plain_perform(action)
        engine.performed.append(action)
        result = action.run(engine.api)
        engine.emit_event({"Type": "service", "Action": "update", "time": 0})
        return result

    engine.perform = perform
    return engine
