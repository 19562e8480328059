"""Swarm services and their tasks as plain rows, the swarm's state from `docker info`, and the actions on services
(create, scale, remove), each with its `docker service …` twin. No Qt.

A task names its node by id only; the node's hostname comes from the nodes list (GET /nodes), read with the tasks.
How many tasks run is counted from the tasks list (GET /tasks), as `docker service ls` does on engines older than
API 1.41, which have no ServiceStatus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gui.core.engine.actions import Action
from gui.core.engine.inspect_summary import parse_timestamp
from gui.core.errors import explain
from gui.core.swarm.service_spec import ServiceSpec

if TYPE_CHECKING:
    import docker

NOT_IN_SWARM = "This engine is not part of a swarm: docker swarm init makes it a single-node swarm."
NOT_A_MANAGER = (
    "This engine is a swarm worker: only a manager lists and changes services. Connect Portside to a manager "
    "(docker node ls there shows which nodes are managers)."
)


@dataclass(frozen=True)
class SwarmState:
    """Swarm.LocalNodeState and ControlAvailable from `docker info`."""

    local_node_state: str = "inactive"  # "inactive" | "pending" | "active" | "error" | "locked"
    control_available: bool = False  # a manager: may list and change services
    error: str = ""

    @property
    def manager(self) -> bool:
        return self.local_node_state == "active" and self.control_available

    def problem(self) -> str | None:
        """Why the services cannot be shown, as a sentence with what to do; None for a manager."""
        if self.manager:
            return None
        if self.local_node_state == "active":
            return NOT_A_MANAGER
        if self.local_node_state == "locked":
            return "This swarm is locked: docker swarm unlock with the unlock key opens it again."
        if self.local_node_state in ("pending", "error"):
            detail = f" ({self.error})" if self.error else ""
            return f"This engine is joining a swarm and not ready yet{detail}: wait, or see docker info."
        return NOT_IN_SWARM


def swarm_state(info: dict) -> SwarmState:
    swarm = (info or {}).get("Swarm") or {}
    return SwarmState(
        local_node_state=str(swarm.get("LocalNodeState") or "inactive"),
        control_available=bool(swarm.get("ControlAvailable")),
        error=str(swarm.get("Error") or ""),
    )


@dataclass(frozen=True)
class ServiceRow:
    id: str
    name: str
    image: str
    mode: str  # "replicated" | "global"
    running: int
    desired: int | None  # None for a global service: one per node
    ports: tuple[str, ...] = ()  # "8080->80/tcp (ingress)"
    updated: float | None = None

    @property
    def replicas(self) -> str:
        """As `docker service ls` writes it: "2/3", or "1/1 (global)"."""
        if self.desired is None:
            return f"{self.running} running (global)"
        return f"{self.running}/{self.desired}"


@dataclass(frozen=True)
class TaskRow:
    id: str
    service: str
    slot: int | None  # None for a global service's task
    node: str  # the node's hostname (its id when the nodes list did not name it)
    desired_state: str
    state: str
    error: str = ""
    ports: tuple[str, ...] = ()  # host-mode ports this task publishes on its node: "32768->80/tcp"
    updated: float | None = None

    @property
    def name(self) -> str:
        return f"{self.service}.{self.slot}" if self.slot is not None else f"{self.service}.{self.id[:12]}"


def _port_text(port: dict) -> str:
    published = port.get("PublishedPort")
    target = f"{port.get('TargetPort')}/{port.get('Protocol') or 'tcp'}"
    return f"{published}->{target}" if published else target


def _image(spec: dict) -> str:
    """The image as typed: the engine pins it with @sha256:…, which the list leaves out."""
    image = str((((spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")) or "")
    return image.split("@", 1)[0]


def service_rows(services_raw: list[dict], tasks_raw: list[dict]) -> list[ServiceRow]:
    running: dict[str, int] = {}
    for task in tasks_raw:
        if ((task.get("Status") or {}).get("State")) == "running" and task.get("DesiredState") == "running":
            running[task.get("ServiceID", "")] = running.get(task.get("ServiceID", ""), 0) + 1
    rows = []
    for raw in services_raw:
        spec = raw.get("Spec") or {}
        mode = spec.get("Mode") or {}
        desired = None if "Global" in mode else int((mode.get("Replicated") or {}).get("Replicas") or 0)
        ports = ((raw.get("Endpoint") or {}).get("Ports")) or ((spec.get("EndpointSpec") or {}).get("Ports")) or []
        rows.append(
            ServiceRow(
                id=str(raw.get("ID") or ""),
                name=str(spec.get("Name") or ""),
                image=_image(spec),
                mode="global" if desired is None else "replicated",
                running=running.get(raw.get("ID", ""), 0),
                desired=desired,
                ports=tuple(f"{_port_text(p)} ({p.get('PublishMode') or 'ingress'})" for p in ports),
                updated=parse_timestamp(raw.get("UpdatedAt")),
            )
        )
    return sorted(rows, key=lambda row: row.name)


def task_rows(tasks_raw: list[dict], nodes_raw: list[dict], service_name: str) -> list[TaskRow]:
    """The tasks of one service, newest first within each slot (as `docker service ps`), with node hostnames."""
    hostnames = {n.get("ID"): ((n.get("Description") or {}).get("Hostname") or n.get("ID")) for n in nodes_raw}
    rows = []
    for raw in tasks_raw:
        status = raw.get("Status") or {}
        node_id = str(raw.get("NodeID") or "")
        ports = ((status.get("PortStatus") or {}).get("Ports")) or []
        rows.append(
            TaskRow(
                id=str(raw.get("ID") or ""),
                service=service_name,
                slot=raw.get("Slot"),
                node=str(hostnames.get(node_id) or node_id or "-"),
                desired_state=str(raw.get("DesiredState") or ""),
                state=str(status.get("State") or ""),
                error=str(status.get("Err") or ""),
                ports=tuple(_port_text(p) for p in ports),
                updated=parse_timestamp(raw.get("UpdatedAt") or status.get("Timestamp")),
            )
        )
    return sorted(rows, key=lambda row: (row.slot or 0, -(row.updated or 0.0)))


@dataclass(frozen=True)
class SwarmServices:
    """What the Services page shows: the state, and the services when the engine is a manager."""

    state: SwarmState
    services: tuple[ServiceRow, ...] = ()


def read_services(api: docker.APIClient) -> SwarmServices:
    """`docker info`, then `docker service ls` when the engine is a manager (a worker's answer would be an error)."""
    try:
        state = swarm_state(api.info())
        if not state.manager:
            return SwarmServices(state)
        return SwarmServices(state, tuple(service_rows(api.services(), api.tasks())))
    except Exception as exc:
        raise explain(exc, "list the services") from exc


def read_tasks(api: docker.APIClient, service_name: str) -> list[TaskRow]:
    """`docker service ps NAME`: the service's tasks, with each node's hostname."""
    try:
        tasks = api.tasks(filters={"service": service_name})
        return task_rows(tasks, api.nodes(), service_name)
    except Exception as exc:
        raise explain(exc, f"list the tasks of {service_name}") from exc


# Actions ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateService(Action):
    """`docker service create …` from a ServiceSpec. Returns the service's id."""

    spec: ServiceSpec
    verb: ClassVar[str] = "create the service"

    def argv(self) -> list[str]:
        return self.spec.argv()

    def run(self, api: docker.APIClient) -> str:
        answer = api.create_service(**self.spec.create_kwargs())
        return str((answer or {}).get("ID") or "")


@dataclass(frozen=True)
class ScaleService(Action):
    """`docker service scale NAME=N`: the service's spec read and sent back with the new replica count."""

    name: str
    replicas: int
    verb: ClassVar[str] = "scale the service"

    def argv(self) -> list[str]:
        return ["docker", "service", "scale", f"{self.name}={self.replicas}"]

    def run(self, api: docker.APIClient) -> None:
        import docker.types  # here: docker-py is slow to import, and views import this module

        current = api.inspect_service(self.name)
        if "Global" in ((current.get("Spec") or {}).get("Mode") or {}):
            raise ValueError(f"{self.name} is a global service: it runs one task per node and cannot be scaled.")
        version = current["Version"]["Index"]
        mode = docker.types.ServiceMode("replicated", replicas=self.replicas)
        api.update_service(self.name, version, mode=mode, fetch_current_spec=True)


@dataclass(frozen=True)
class RemoveService(Action):
    """`docker service rm NAME`: its tasks stop and go with it."""

    name: str
    verb: ClassVar[str] = "remove the service"

    def argv(self) -> list[str]:
        return ["docker", "service", "rm", self.name]

    def run(self, api: docker.APIClient) -> None:
        api.remove_service(self.name)
