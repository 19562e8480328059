"""A run as a Swarm service: one frozen ServiceSpec made from a RunSpec plus replicas, placement and publish mode.

From the one spec come both docker-py's `create_service` arguments and the `docker service create …` line shown
to the learner, as RunSpec does for `docker run`. What a service cannot keep from the run (a --rm, a loopback-only
address, --privileged, the shared-memory size, all GPUs) is said in `notes`, never dropped in silence.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from gui.core.run.spec import (
    GpuMode,
    PortSpec,
    RunSpec,
    _expanded_bindings,
    host_address,
    host_port_text,
    parse_cpus,
    parse_size,
)
from gui.core.secrets import mask_text, masked_value

PUBLISH_MODES = ("ingress", "host")
# The generic resource name the NVIDIA GPUs of a node are advertised under (daemon.json node-generic-resources).
GPU_RESOURCE = "NVIDIA-GPU"
# docker service create --constraint: a field, == or !=, a value (swarmkit's constraint grammar).
_CONSTRAINT = re.compile(r"^\s*(?P<key>[A-Za-z0-9_.\-]+)\s*(?P<op>==|!=)\s*(?P<value>\S.*?)\s*$")
_FIELDS = ("node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch")
_LABEL_PREFIXES = ("node.labels.", "engine.labels.")
ROLES = ("manager", "worker")


def constraint_problem(text: str) -> str | None:
    """What is wrong with one placement row as typed, as a sentence; None when swarm accepts it."""
    text = text.strip()
    if not text:
        return None
    match = _CONSTRAINT.match(text)
    if match is None:
        return (
            f"{text!r} is not a placement rule: write a field, == or !=, and a value, for example "
            "node.role==manager or node.labels.gpu==true."
        )
    key, value = match["key"], match["value"]
    if key.startswith(_LABEL_PREFIXES):
        if key in _LABEL_PREFIXES or key.endswith("."):
            return f"Name the label after {key.rstrip('.')}., for example node.labels.gpu==true."
        return None
    if key not in _FIELDS:
        known = ", ".join((*_FIELDS, "node.labels.NAME", "engine.labels.NAME"))
        return f"Swarm does not know the field {key}: use one of {known}."
    if key == "node.role" and value not in ROLES:
        return f"A node's role is manager or worker, not {value!r}."
    return None


@dataclass(frozen=True)
class ServiceSpec:
    run: RunSpec
    replicas: int = 1
    constraints: tuple[str, ...] = ()  # "node.role==manager", "node.labels.gpu==true"
    publish_mode: str = "ingress"  # "ingress": the routing mesh, every node answers; "host": only the task's node
    global_mode: bool = False  # one task on every node that matches the placement (--mode global), no replica count

    @property
    def name(self) -> str:
        return self.run.name.strip()

    # --- checks ---

    def problems(self) -> list[str]:
        """Sentences for what stops the deploy; the run's own errors come first, with their field."""
        problems = [f"{p.field}: {p.message}" for p in self.run.errors]
        if self.replicas < 0:
            problems.append("Replicas cannot be fewer than 0 (0 keeps the service with no task running).")
        if self.publish_mode not in PUBLISH_MODES:
            problems.append(f"Publish mode is ingress or host, not {self.publish_mode!r}.")
        problems += [p for p in map(constraint_problem, self.constraints) if p]
        return problems

    def notes(self) -> list[str]:
        """What the service does differently from the run, each as a sentence."""
        run, notes = self.run, []
        if run.auto_remove:
            notes.append("--rm does not apply: swarm removes a service's stopped tasks itself (task history).")
        if run.restart == "no":
            notes.append("A service keeps its replicas running: a task that stops is replaced (restart condition any).")
        if any(host_address(row) not in ("", "0.0.0.0", "::") for row in run.ports):
            notes.append(
                "Swarm publishes on every interface of the node: a port's address (127.0.0.1) is not kept; "
                "a firewall decides who reaches it."
            )
        if (
            self.publish_mode == "host"
            and self.replicas > 1
            and not self.global_mode
            and any(host_port_text(row) for row in run.ports)
        ):
            notes.append(
                "In host mode a node runs only one task per published port: leave the host port empty so each task "
                "gets a port of its own, or publish through ingress."
            )
        if run.publish_all:
            notes.append("-P (publish every exposed port) has no service twin: publish each port in the list.")
        if run.privileged:
            notes.append("Swarm services cannot run --privileged: the service runs without it.")
        if run.shm_size:
            notes.append("docker service create has no --shm-size on this engine: /dev/shm keeps its 64 MB default.")
        if run.gpus.requested:
            notes.append(self._gpu_note())
        return notes

    def _gpu_note(self) -> str:
        if self.run.gpus.mode == GpuMode.ALL:
            return (
                "Swarm cannot ask for every GPU: no GPU is reserved. Ask for a number of GPUs instead, on nodes that "
                f"advertise {GPU_RESOURCE} (node-generic-resources in daemon.json)."
            )
        return (
            f"The GPUs are reserved as the generic resource {GPU_RESOURCE}: only nodes that advertise it "
            "(node-generic-resources in daemon.json, nvidia as the default runtime) can run the tasks."
        )

    def _gpu_count(self) -> int:
        gpus = self.run.gpus
        if gpus.mode == GpuMode.COUNT:
            return gpus.count
        return len(gpus.device_ids) if gpus.mode == GpuMode.CHOSEN else 0

    # --- docker-py ---

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for docker.APIClient.create_service. Raises ValueError with the problems."""
        import docker.types  # here: docker-py is slow to import, and views import this module

        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        run = self.run
        container = docker.types.ContainerSpec(
            run.image.strip(),
            command=shlex.split(run.entrypoint) or None,  # the service's Command is the run's entrypoint
            args=shlex.split(run.command) or None,
            env=[f"{var.name}={var.value}" for var in run.env] or None,
            workdir=run.workdir or None,
            user=run.user or None,
            labels={key.strip(): value for key, value in run.labels} or None,
            mounts=[
                docker.types.Mount(m.target, m.source or None, type=m.kind, read_only=m.read_only) for m in run.mounts
            ]
            or None,
            tty=run.interactive_tty or None,
            open_stdin=run.interactive_tty or None,
        )
        gpus = self._gpu_count()
        resources = docker.types.Resources(
            cpu_limit=parse_cpus(run.cpus) if run.cpus else None,
            mem_limit=parse_size(run.memory) if run.memory else None,
            generic_resources={GPU_RESOURCE: gpus} if gpus else None,
        )
        task = docker.types.TaskTemplate(
            container,
            resources=resources,
            restart_policy=self._restart_policy(),
            placement=docker.types.Placement(constraints=self._constraints()) if self._constraints() else None,
        )
        return {
            "task_template": task,
            "name": self.name or None,
            "mode": docker.types.ServiceMode("global")
            if self.global_mode
            else docker.types.ServiceMode("replicated", replicas=self.replicas),
            "endpoint_spec": docker.types.EndpointSpec(ports=self._ports()) if self._ports() else None,
        }

    def _constraints(self) -> list[str]:
        return [c.replace(" ", "") for c in self.constraints if c.strip()]

    def _restart_policy(self) -> dict[str, Any]:
        """A plain dict, as the CLI sends it: docker-py's RestartPolicy sends Delay 0, where the engine's default
        waits 5 s between restarts."""
        if self.run.restart == "on-failure":
            return {"Condition": "on-failure", "MaxAttempts": self.run.restart_max_retries}
        return {"Condition": "any"}

    def _ports(self) -> list[dict[str, Any]]:
        """The engine's PortConfig list; no PublishedPort when the host port was left empty (the engine picks)."""
        ports = []
        for row in self.run.ports:
            for target, protocol, published in _expanded_bindings(row):
                port = {"Protocol": protocol, "TargetPort": target, "PublishMode": self.publish_mode}
                if published:
                    port["PublishedPort"] = int(published)
                ports.append(port)
        return ports

    # --- the command line ---

    def argv(self, reveal_secrets: bool = False) -> list[str]:
        """`docker service create …`, the twin of create_kwargs. Never raises; secret values masked unless asked."""
        run = self.run
        args = ["docker", "service", "create"]
        if self.name:
            args += ["--name", self.name]
        args += ["--mode", "global"] if self.global_mode else ["--replicas", str(self.replicas)]
        for row in run.ports:
            args += ["--publish", self._publish_value(row)]
        for var in run.env:
            value = var.value if reveal_secrets else masked_value(var.name, var.value)
            args += ["--env", f"{var.name}={value}"]
        for mount in run.mounts:
            source = [f"source={mount.source}"] if mount.source else []
            fields = [
                f"type={mount.kind}",
                *source,
                f"target={mount.target}",
                *(["readonly"] if mount.read_only else []),
            ]
            args += ["--mount", ",".join(fields)]
        if run.memory:
            args += ["--limit-memory", run.memory.replace(" ", "")]
        if run.cpus:
            args += ["--limit-cpu", run.cpus.strip()]
        if self._gpu_count():
            args += ["--generic-resource", f"{GPU_RESOURCE}={self._gpu_count()}"]
        for constraint in self._constraints():
            args += ["--constraint", constraint]
        if run.restart == "on-failure":
            args += ["--restart-condition", "on-failure"]
            if run.restart_max_retries:
                args += ["--restart-max-attempts", str(run.restart_max_retries)]
        if run.workdir:
            args += ["--workdir", run.workdir]
        if run.user:
            args += ["--user", run.user]
        if run.interactive_tty:
            args.append("--tty")
        for key, value in run.labels:
            args += ["--container-label", f"{key.strip()}={value if reveal_secrets else masked_value(key, value)}"]
        if run.entrypoint:
            args += ["--entrypoint", run.entrypoint.strip()]
        words = _words(run.command)
        words = words if reveal_secrets else [mask_text(word) for word in words]
        return [*args, run.image.strip(), *words]

    @property
    def command_line(self) -> str:
        return shlex.join(self.argv())

    def _publish_value(self, row: PortSpec) -> str:
        published = host_port_text(row)
        fields = [f"published={published}"] if published else []
        fields.append(f"target={row.container.strip()}")
        if row.protocol != "tcp":
            fields.append(f"protocol={row.protocol}")
        if self.publish_mode == "host":
            fields.append("mode=host")
        return ",".join(fields)


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unmatched quote: shown as typed; the checks say what is wrong
        return text.split()
