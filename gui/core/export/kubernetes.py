"""Kubernetes export: one run as a Deployment and a Service, in one multi-document YAML file. No Qt.

Kubernetes cannot say everything `docker run` can (a host address, `--gpus all`, "never restart"), so
kubernetes_view first works out the run as Kubernetes will keep it, with a plain note for each thing it changes,
and this module writes that view as it is: the file, the notes and the round-trip comparison cannot disagree.
`from_kubernetes` (kubernetes_read) reads such a file back: `differences(kubernetes_view(name, spec), read_back)`
is [] for every spec, and the view equals the spec itself wherever Kubernetes can say all of it.

Secrets are never written: an env var that holds one becomes a reference to the Secret NAME-secrets, and a note
gives the `kubectl create secret` command with a placeholder for the value. Likewise the image pull secret is only
named. `kube_contexts` and `find_kubeconfig` (kubeconfig) say where `kubectl apply` would send the file.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import yaml

from gui.core.export.common import Exported
from gui.core.export.kubeconfig import find_kubeconfig, kube_contexts
from gui.core.export.kubernetes_read import from_kubernetes
from gui.core.export.kubernetes_view import (
    APP_LABEL,
    SHM_VOLUME,
    cpu_quantity,
    dns_label,
    memory_quantity,
    plan,
)
from gui.core.run.spec import GpuMode, MountSpec, RunSpec, parse_cpus, parse_size
from gui.core.secrets import is_secret

__all__ = [
    "find_kubeconfig",
    "from_kubernetes",
    "kube_contexts",
    "kubernetes_view",
    "secret_name",
    "to_kubernetes",
]

_SECRET_KEY_RE = re.compile(r"[^-._a-zA-Z0-9]")
_REFERENCE_START_RE = re.compile(r"\$(?=[$(])")  # a $ that Kubernetes would read as an escape or a reference


def kubernetes_view(name: str, spec: RunSpec) -> RunSpec:
    """The run as Kubernetes keeps it: what `from_kubernetes(to_kubernetes(name, spec).text)` gives back."""
    return plan(name, spec).spec


def secret_name(name: str) -> str:
    """The Secret the env references point at: NAME-secrets."""
    return f"{name}-secrets"


def to_kubernetes(name: str, spec: RunSpec, pull_secret: str = "") -> Exported:
    """A Deployment (one replica) and, when ports are published, a ClusterIP Service, as one YAML file."""
    planned = plan(name, spec, pull_secret)
    view, name = planned.spec, planned.name
    secrets = tuple(var.name for var in view.env if is_secret(var.name, var.value))
    notes = list(planned.notes)
    if secrets:
        literals = " ".join(shlex.quote(f"--from-literal={_secret_key(key)}=...") for key in secrets)
        values = f"The value of {secrets[0]} is" if len(secrets) == 1 else f"The values of {', '.join(secrets)} are"
        notes.append(
            f"{values} not in the file: it refers to the Secret {secret_name(name)}. Create the Secret first, with "
            f"each ... replaced by the value: kubectl create secret generic {secret_name(name)} {literals}"
        )
    documents = [_deployment(name, view, planned.pull_secret)]
    if view.ports:
        documents.append(_service(name, view))
    text = yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False)
    file_name = f"{name}-k8s.yaml"
    return Exported(
        text=text,
        file_name=file_name,
        command=f"kubectl apply -f {file_name}",
        secrets=secrets,
        notes=tuple(notes),
    )


# --- the Deployment ---------------------------------------------------------------------------------------


def _deployment(name: str, view: RunSpec, pull_secret: str) -> dict[str, Any]:
    labels = {APP_LABEL: name}
    pod: dict[str, Any] = {}
    if pull_secret:
        pod["imagePullSecrets"] = [{"name": pull_secret}]  # a reference: the credentials stay in the cluster
    pod["containers"] = [_container(name, view)]
    volumes = _volumes(view)
    if volumes:
        pod["volumes"] = [volume for volume, _ in volumes]
    template: dict[str, Any] = {"metadata": {"labels": dict(labels)}}
    if view.labels:
        template["metadata"]["annotations"] = dict(view.labels)  # Docker labels: free text, as annotations are
    template["spec"] = pod
    deployment_spec: dict[str, Any] = {"replicas": 1, "selector": {"matchLabels": dict(labels)}}
    if view.gpus.requested or any(mount.kind == "volume" and mount.source for mount in view.mounts):
        # A rolling update starts the new pod before the old one stops: with one GPU or a volume only one pod may
        # hold, the new pod would wait for ever. Recreate stops first, as `docker run` after `docker rm` does.
        deployment_spec["strategy"] = {"type": "Recreate"}
    deployment_spec["template"] = template
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": deployment_spec,
    }


def _container(name: str, view: RunSpec) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": view.image.strip()}
    if view.entrypoint:
        container["command"] = [escape_references(word) for word in shlex.split(view.entrypoint)]
    if view.command:
        container["args"] = [escape_references(word) for word in shlex.split(view.command)]
    if view.workdir:
        container["workingDir"] = view.workdir
    if view.env:
        container["env"] = [_env_entry(name, var.name, var.value) for var in view.env]
    if view.ports:
        container["ports"] = _container_ports(view)
    resources = _limits(view)
    if resources:
        container["resources"] = {"limits": resources}  # requests default to the limits: none needed
    mounts = [mount for _, mounts in _volumes(view) for mount in mounts]
    if mounts:
        container["volumeMounts"] = mounts
    container |= _probes(view)
    security = _security_context(view)
    if security:
        container["securityContext"] = security
    if view.interactive_tty:
        container["stdin"] = True
        container["tty"] = True
    return container


def _env_entry(name: str, var_name: str, value: str) -> dict[str, Any]:
    if is_secret(var_name, value):
        reference = {"name": secret_name(name), "key": _secret_key(var_name)}
        return {"name": var_name, "valueFrom": {"secretKeyRef": reference}}
    return {"name": var_name, "value": escape_references(value)}


def escape_references(text: str) -> str:
    """Text Kubernetes passes on as it is. Kubernetes expands $(VAR) in env values, command and args with the
    container's variables and turns $$ into $, so `sh -c 'echo $$'` would lose a dollar: a $ before ( or $ is
    doubled, which Kubernetes turns back into the one that was written."""
    return _REFERENCE_START_RE.sub("$$", text)


def _secret_key(var_name: str) -> str:
    """A Secret's keys allow letters, digits, '-', '_' and '.': the variable's name, with anything else as '_'."""
    return _SECRET_KEY_RE.sub("_", var_name)


def _container_ports(view: RunSpec) -> list[dict[str, Any]]:
    ports: dict[tuple[int, str], dict[str, Any]] = {}
    for row in view.ports:
        key = (int(row.container), row.protocol)
        ports.setdefault(key, {"name": f"{row.protocol}-{key[0]}", "containerPort": key[0], "protocol": _proto(row)})
    return list(ports.values())


def _limits(view: RunSpec) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if view.cpus:
        limits["cpu"] = cpu_quantity(parse_cpus(view.cpus) or 0)
    if view.memory:
        limits["memory"] = memory_quantity(parse_size(view.memory) or 0)
    if view.gpus.mode == GpuMode.COUNT:
        limits["nvidia.com/gpu"] = view.gpus.count  # the view has only counts: Kubernetes picks the GPUs
    return limits


def _volumes(view: RunSpec) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(pod volume, its mounts in the container) in the order of the spec's mounts; a volume mounted twice is one
    pod volume with two mounts. The names are the pod's own, unique, never "dshm" (the shared memory's)."""
    volumes: dict[tuple[str, str], tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    taken = {SHM_VOLUME}
    for index, mount in enumerate(view.mounts, start=1):
        key = (mount.kind, mount.source) if mount.source else (mount.kind, f"#{index}")
        if key not in volumes:
            volume_name = _unique(_volume_base(mount, index), taken)
            volumes[key] = ({"name": volume_name, **_volume_source(mount)}, [])
        entry = {"name": volumes[key][0]["name"], "mountPath": mount.target}
        if mount.read_only:
            entry["readOnly"] = True
        volumes[key][1].append(entry)
    result = list(volumes.values())
    if view.shm_size:
        # Kubernetes has no --shm-size: a memory-backed emptyDir at /dev/shm is its way, limited to the same size.
        size = memory_quantity(parse_size(view.shm_size) or 0)
        result.append(
            (
                {"name": SHM_VOLUME, "emptyDir": {"medium": "Memory", "sizeLimit": size}},
                [{"name": SHM_VOLUME, "mountPath": "/dev/shm"}],
            )
        )
    return result


def _volume_base(mount: MountSpec, index: int) -> str:
    if mount.kind == "bind":
        return f"host-{index}"
    return dns_label(mount.source, fallback=f"scratch-{index}") if mount.source else f"scratch-{index}"


def _volume_source(mount: MountSpec) -> dict[str, Any]:
    if mount.kind == "bind":
        return {"hostPath": {"path": mount.source}}
    if mount.source:
        return {"persistentVolumeClaim": {"claimName": mount.source}}  # the view holds a valid claim name
    return {"emptyDir": {}}  # an anonymous volume: scratch space that lives as long as the pod


def _unique(base: str, taken: set[str]) -> str:
    name, number = base, 2
    while name in taken:
        suffix = f"-{number}"
        name, number = f"{base[: 63 - len(suffix)].rstrip('-')}{suffix}", number + 1
    taken.add(name)
    return name


def _probes(view: RunSpec) -> dict[str, Any]:
    """Readiness and liveness on the first published TCP port, plus a startup probe: AI images often load a model
    for minutes before they listen, and a liveness probe alone would restart them in a loop."""
    port = next((int(row.container) for row in view.ports if row.protocol == "tcp"), None)
    if port is None:
        return {}

    def check() -> dict[str, Any]:  # a new mapping each time: a shared one would be written as a YAML alias
        return {"tcpSocket": {"port": port}}

    return {
        "startupProbe": {**check(), "periodSeconds": 10, "failureThreshold": 60},  # up to 10 minutes to start
        "readinessProbe": {**check(), "periodSeconds": 10},
        "livenessProbe": {**check(), "periodSeconds": 20, "failureThreshold": 3},
    }


def _security_context(view: RunSpec) -> dict[str, Any]:
    security: dict[str, Any] = {}
    if view.user:
        user, _, group = view.user.partition(":")  # the view keeps numeric ids only
        security["runAsUser"] = int(user)
        if group:
            security["runAsGroup"] = int(group)
    if view.privileged:
        security["privileged"] = True
    return security


# --- the Service ------------------------------------------------------------------------------------------


def _service(name: str, view: RunSpec) -> dict[str, Any]:
    ports = [
        {
            "name": f"{row.protocol}-{row.host}",
            "protocol": _proto(row),
            "port": int(row.host),  # the view's host field holds the Service port: a number, no address
            "targetPort": int(row.container),
        }
        for row in view.ports
    ]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {APP_LABEL: name}},
        "spec": {"type": "ClusterIP", "selector": {APP_LABEL: name}, "ports": ports},
    }


def _proto(row) -> str:
    return row.protocol.upper()
