"""A Kubernetes file read back into a RunSpec: the Deployment's first container and the Service. No Qt.

Reads what the Kubernetes export writes, and reasonable hand-written files too (quantities in any unit Kubernetes
accepts, named target ports, env from any reference). Kubernetes has no host address: a Service port reads back
as a port published on 127.0.0.1, the address `kubectl port-forward` listens on. A file it cannot read raises
ValueError with a sentence that names the document and the key.
"""

from __future__ import annotations

import re
import shlex
from fractions import Fraction
from typing import Any

import yaml

from gui.core.export.common import reference, size_text
from gui.core.export.kubernetes_view import SHM_VOLUME, cpus_text
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec

_QUANTITY_RE = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?")
_SUFFIXES = {
    "": Fraction(1),
    **{suffix: Fraction(1024) ** power for power, suffix in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"), start=1)},
    **{suffix: Fraction(1000) ** power for power, suffix in enumerate(("k", "M", "G", "T", "P", "E"), start=1)},
    "m": Fraction(1, 1000),
    "u": Fraction(1, 10**6),
    "n": Fraction(1, 10**9),
}


def parse_quantity(value: Any, where: str) -> Fraction:
    """A Kubernetes quantity ("1500m", "2Gi", "1.5", "1e9", 2) as an exact number; ValueError naming `where`."""
    text = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    match = _QUANTITY_RE.fullmatch(text)
    if not match:
        raise ValueError(f'{where} is "{value}", which is not a Kubernetes quantity (like 1500m, 2Gi or 4).')
    number, suffix = Fraction(match.group(1)), match.group(2) or ""
    if suffix[:1] in ("e", "E"):
        return number * Fraction(10) ** int(suffix[1:])
    return number * _SUFFIXES[suffix]


def from_kubernetes(text: str) -> RunSpec:
    """The run a Kubernetes file describes: its Deployment's first container, published on its Service's ports."""
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" near line {where.line + 1}" if where is not None else ""
        raise ValueError(f"The file is not valid YAML{line}: fix the YAML, or export again.") from exc
    if any(not isinstance(doc, dict) for doc in documents):
        raise ValueError("Each document in the file must be a Kubernetes object (a mapping with a kind).")
    deployment = next((doc for doc in documents if doc.get("kind") == "Deployment"), None)
    if deployment is None:
        raise ValueError("The file has no Deployment: Portside reads a run from a Deployment and its Service.")
    name = str(_mapping(deployment.get("metadata"), "The Deployment's metadata").get("name") or "")
    template = _mapping(_mapping(deployment.get("spec"), "The Deployment's spec").get("template"), "Its template")
    service = _service_of(documents, _mapping(template.get("metadata"), "The pod template's metadata"))
    pod = _mapping(template.get("spec"), "The Deployment's pod spec")
    containers = _list(pod.get("containers"), "The Deployment's containers")
    if not containers:
        raise ValueError("The Deployment has no container: add one under spec.template.spec.containers.")
    container = _mapping(containers[0], "The Deployment's first container")
    where = f"The container {container.get('name') or name}"
    image = container.get("image")
    if not isinstance(image, str) or not image.strip():
        raise ValueError(f"{where} has no image: add its image.")
    volumes = {
        str(volume.get("name")): volume
        for volume in (_mapping(item, "A pod volume") for item in _list(pod.get("volumes"), "The pod's volumes"))
    }
    mounts, shm_size = _mounts(container, volumes, where)
    security = _mapping(container.get("securityContext"), f"{where}'s securityContext")
    limits = _mapping(_mapping(container.get("resources"), f"{where}'s resources").get("limits"), f"{where}'s limits")
    annotations = _mapping(_mapping(template.get("metadata"), "The pod template's metadata").get("annotations"), "")
    return RunSpec(
        image=image.strip(),
        name=name,
        entrypoint=_words(container.get("command"), f"{where}'s command"),
        command=_words(container.get("args"), f"{where}'s args"),
        workdir=str(container.get("workingDir") or ""),
        user=_user(security, where),
        restart="always",  # a Deployment's pods always restart
        interactive_tty=bool(container.get("tty") and container.get("stdin")),
        ports=_ports(service, container, where),
        env=_env(container, where),
        mounts=mounts,
        gpus=_gpus(limits, where),
        memory=_memory(limits.get("memory"), f"{where}'s memory limit"),
        cpus=_cpus(limits.get("cpu"), f"{where}'s CPU limit"),
        shm_size=shm_size,
        privileged=security.get("privileged") is True,
        labels=tuple((str(key), str(value)) for key, value in annotations.items()),
    )


def _service_of(documents: list[dict], pod_metadata: dict) -> dict | None:
    """The Service that selects the Deployment's pods; the file's first Service when none says so."""
    services = [doc for doc in documents if doc.get("kind") == "Service"]
    labels = _mapping(pod_metadata.get("labels"), "The pod template's labels")
    for service in services:
        selector = _mapping(service.get("spec"), "The Service's spec").get("selector")
        if isinstance(selector, dict) and selector and selector.items() <= labels.items():
            return service
    return services[0] if services else None


# --- the parts --------------------------------------------------------------------------------------------


def _ports(service: dict | None, container: dict, where: str) -> tuple[PortSpec, ...]:
    """Each Service port as a port published on 127.0.0.1: the Service's port number, the container's port."""
    if service is None:
        return ()
    spec = _mapping(service.get("spec"), "The Service's spec")
    named = {
        item.get("name"): item.get("containerPort")
        for item in (_mapping(port, f"A port of {where}") for port in _list(container.get("ports"), f"{where}'s ports"))
        if item.get("name")
    }
    rows = []
    for item in _list(spec.get("ports"), "The Service's ports"):
        port = _mapping(item, "A Service port")
        number = _port_number(port.get("port"), "A Service port's port")
        target = port.get("targetPort", number)
        if isinstance(target, str) and not target.isdigit():
            if target not in named:
                raise ValueError(f'The Service port {number} targets "{target}", a port {where} does not name.')
            target = named[target]
        target = _port_number(target, f"The Service port {number}'s targetPort")
        protocol = str(port.get("protocol") or "TCP").lower()
        rows.append(PortSpec(container=str(target), host=str(number), protocol=protocol))
    return tuple(rows)


def _port_number(value: Any, where: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        raise ValueError(f'{where} is "{value}", which is not a port number (1 to 65535).')
    return value


def _env(container: dict, where: str) -> tuple[EnvVar, ...]:
    """Plain values as they are; a value from a Secret (or any reference) as ${NAME}, the reference the other
    exports use, since the value is not in the file."""
    env = []
    for item in _list(container.get("env"), f"{where}'s env"):
        entry = _mapping(item, f"An env entry of {where}")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"An env entry of {where} has no name: give each variable a name.")
        value = reference(name) if "valueFrom" in entry else expand_references(str(entry.get("value") or ""))
        env.append(EnvVar(name, value))
    return tuple(env)


def _mounts(container: dict, volumes: dict[str, dict], where: str) -> tuple[tuple[MountSpec, ...], str]:
    """The container's mounts, and the shared memory size a memory-backed emptyDir at /dev/shm stands for."""
    mounts, shm_size = [], ""
    for item in _list(container.get("volumeMounts"), f"{where}'s volumeMounts"):
        entry = _mapping(item, f"A volumeMount of {where}")
        target, read_only = str(entry.get("mountPath") or ""), entry.get("readOnly") is True
        volume = volumes.get(str(entry.get("name")))
        if volume is None:
            raise ValueError(f'{where} mounts the volume "{entry.get("name")}", which the pod does not declare.')
        empty_dir = volume.get("emptyDir")
        if isinstance(empty_dir, dict) and empty_dir.get("medium") == "Memory" and target == "/dev/shm":
            limit = empty_dir.get("sizeLimit")
            shm_size = _memory(limit, f"The volume {volume.get('name') or SHM_VOLUME}'s sizeLimit") if limit else ""
            continue
        if "persistentVolumeClaim" in volume:
            claim = _mapping(volume["persistentVolumeClaim"], "A persistentVolumeClaim").get("claimName")
            mounts.append(MountSpec("volume", str(claim or ""), target, read_only))
        elif "hostPath" in volume:
            path = _mapping(volume["hostPath"], "A hostPath").get("path")
            mounts.append(MountSpec("bind", str(path or ""), target, read_only))
        elif "emptyDir" in volume:
            mounts.append(MountSpec("volume", "", target, read_only))  # scratch space: an anonymous volume
        else:
            kind = next((key for key in volume if key != "name"), "unknown")
            raise ValueError(f'The volume "{volume.get("name")}" is a {kind}, which a docker run cannot mount.')
    return tuple(mounts), shm_size


def _gpus(limits: dict, where: str) -> GpuSpec:
    if "nvidia.com/gpu" not in limits:
        return GpuSpec()
    count = parse_quantity(limits["nvidia.com/gpu"], f"{where}'s nvidia.com/gpu")
    if count.denominator != 1 or count < 0:
        raise ValueError(f"{where}'s nvidia.com/gpu is {limits['nvidia.com/gpu']}: GPUs are counted in whole ones.")
    return GpuSpec(mode=GpuMode.COUNT, count=int(count)) if count else GpuSpec()


def _memory(value: Any, where: str) -> str:
    if value is None:
        return ""
    size = parse_quantity(value, where)
    return size_text(int(-(-size // 1)))  # a fraction of a byte rounds up, as Kubernetes rounds it


def _cpus(value: Any, where: str) -> str:
    if value is None:
        return ""
    nano = parse_quantity(value, where) * 10**9
    return cpus_text(int(-(-nano // 1))) if nano > 0 else ""


def _user(security: dict, where: str) -> str:
    user, group = security.get("runAsUser"), security.get("runAsGroup")
    if user is None:
        return ""
    if not isinstance(user, int) or isinstance(user, bool):
        raise ValueError(f'{where}\'s runAsUser is "{user}": it must be a numeric user id.')
    return f"{user}:{group}" if isinstance(group, int) and not isinstance(group, bool) else str(user)


def _words(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list of words, as in [python, serve.py].")
    return shlex.join(expand_references(str(word)) for word in value)


def expand_references(text: str) -> str:
    """What Kubernetes makes of text in env values, command and args (its expansion rule, with every variable
    left unresolved: the values are not known here): $$ becomes $, $(VAR) stays as written."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "$" and i + 1 < len(text):
            if text[i + 1] == "$":
                out.append("$")
                i += 2
                continue
            if text[i + 1] == "(" and ")" in text[i + 2 :]:
                end = text.index(")", i + 2) + 1
                out.append(text[i:end])  # an unresolved reference is kept as written
                i = end
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where or 'A part of the file'} must be a mapping (key: value lines).")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list (lines starting with -).")
    return value
