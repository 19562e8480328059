"""A run as Kubernetes keeps it, and a plain note for each setting it cannot keep as Docker had it. No Qt.

`plan` is the one place that decides what the Kubernetes export changes: the writer (kubernetes) writes the
planned spec as it is, so a round trip compares against this view and every difference has a note. Also here: the
names Kubernetes accepts (DNS-1123) and its quantities ("1500m" CPUs, "2Gi" of memory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from gui.core.run.spec import (
    LOOPBACK,
    GpuMode,
    GpuSpec,
    MountSpec,
    PortSpec,
    RunSpec,
    host_address,
    host_port_text,
    parse_cpus,
    parse_size,
    port_range,
)

APP_LABEL = "app.kubernetes.io/name"
SHM_VOLUME = "dshm"  # the pod volume that stands for --shm-size
DEFAULT_GPU_CAPABILITIES = frozenset({"compute", "utility"})

_LABEL_MAX = 63
_NANO = 10**9
_MILLI_NANO = 10**6
_BINARY_UNITS = (("Ei", 1024**6), ("Pi", 1024**5), ("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024))
# A label or annotation key: an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'.
_KEY_NAME_RE = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
_KEY_PREFIX_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NUMERIC_USER_RE = re.compile(r"\d+(:\d+)?")


@dataclass(frozen=True)
class Plan:
    name: str  # the DNS-safe name the Deployment, its container, the Service and the file share
    spec: RunSpec  # the run as Kubernetes keeps it
    notes: tuple[str, ...]  # what changed, and what to do about it
    pull_secret: str = ""


# --- names and quantities ---------------------------------------------------------------------------------


def dns_label(text: str, fallback: str = "app") -> str:
    """A DNS-1123 label from any text: lowercase letters, digits and '-', at most 63 characters, starting with a
    letter (a Service name must) and ending with a letter or digit. "My_Web.App" -> "my-web-app"."""
    name = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    if name and not name[0].isalpha():
        name = f"app-{name}"
    return name[:_LABEL_MAX].rstrip("-") or fallback


def dns_subdomain(text: str) -> str:
    """A DNS-1123 subdomain (a claim or Secret name): like a label, dots allowed, up to 253 characters."""
    name = re.sub(r"[^a-z0-9.]+", "-", text.strip().lower())
    name = re.sub(r"-*\.[-.]*", ".", name).strip("-.")
    return name[:253].rstrip("-.") or "data"


def cpu_quantity(nano: int) -> str:
    """CPUs as Kubernetes writes them: whole CPUs as "2", others in thousandths ("1500m"). Finer than a
    thousandth is rounded up, as Kubernetes itself does (the view has done it already)."""
    if nano % _NANO == 0:
        return str(nano // _NANO)
    return f"{-(-nano // _MILLI_NANO)}m"


def memory_quantity(size: int) -> str:
    """Bytes in the largest binary unit that holds them exactly: 2 GiB -> "2Gi", 1.5 GiB -> "1536Mi"; plain
    bytes when none does. Docker's k, m and g are binary, as Ki, Mi and Gi are: nothing is rounded."""
    for suffix, unit in _BINARY_UNITS:
        if size >= unit and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def cpus_text(nano: int) -> str:
    """Nano CPUs as Docker's --cpus text: 1_500_000_000 -> "1.5"."""
    whole, part = divmod(nano, _NANO)
    return f"{whole}.{part:09d}".rstrip("0") if part else str(whole)


# --- the plan ---------------------------------------------------------------------------------------------


def plan(name: str, spec: RunSpec, pull_secret: str = "") -> Plan:
    """What the Kubernetes export of `spec` under `name` keeps, and the notes for what it changes."""
    notes: list[str] = []
    given = name.strip() or spec.name.strip() or _image_name(spec.image)
    clean = dns_label(given)
    if clean != given:
        notes.append(
            f'Kubernetes names allow lowercase letters, digits and "-" only (at most 63): "{given}" is exported '
            f'as "{clean}".'
        )
    secret = pull_secret.strip()
    if secret and dns_subdomain(secret) != secret:
        notes.append(
            f'The image pull secret "{secret}" is not a Kubernetes name: it is referred to as '
            f'"{dns_subdomain(secret)}".'
        )
        secret = dns_subdomain(secret)
    ports, port_notes = _ports(clean, spec)
    mounts, mount_notes = _mounts(spec.mounts)
    gpus, gpu_notes = _gpus(spec.gpus)
    cpus, cpu_notes = _cpus(spec.cpus)
    user, user_notes = _user(spec.user)
    labels, label_notes = _labels(spec.labels)
    notes += [*port_notes, *mount_notes, *gpu_notes, *cpu_notes, *user_notes, *label_notes, *_other_notes(spec)]
    view = replace(
        spec,
        image=spec.image.strip(),
        name=clean,
        user=user,
        auto_remove=False,
        restart="always",
        restart_max_retries=0,
        ports=ports,
        publish_all=False,
        mounts=mounts,
        gpus=gpus,
        memory=_size(spec.memory),
        cpus=cpus,
        shm_size=_size(spec.shm_size),
        labels=labels,
    )
    return Plan(clean, view, tuple(notes), secret)


def _image_name(image: str) -> str:
    """ "ghcr.io/org/vllm:0.6" -> "vllm": a name for an export the user did not name."""
    last = image.strip().split("@")[0].rsplit("/", 1)[-1]
    return last.split(":")[0] or "app"


def _ports(name: str, spec: RunSpec) -> tuple[tuple[PortSpec, ...], list[str]]:
    """One row per Service port: the container port and the Service's port number, which stands where the host
    port stood. Kubernetes has no host address, so every row reads back as 127.0.0.1 (what `kubectl port-forward`
    listens on)."""
    rows: list[PortSpec] = []
    seen: set[tuple[int, str]] = set()
    addresses, random, host_ranges, clashes = set(), [], False, []
    ranges = [row.container.strip() for row in spec.ports if "-" in row.container]
    for row in spec.ports:
        if host_address(row) != LOOPBACK:
            addresses.add(host_address(row) or "every interface")
        for container_port, service_port, ranged in _bindings(row):
            if service_port is None:
                random.append(str(container_port))
            host_ranges |= ranged
            port = service_port or container_port
            if (port, row.protocol) in seen:
                clashes.append(f"{port}/{row.protocol}")
                continue
            seen.add((port, row.protocol))
            rows.append(PortSpec(container=str(container_port), host=str(port), protocol=row.protocol))
    notes = []
    if addresses:
        first = rows[0].host if rows else "PORT"
        notes.append(
            f"Kubernetes has no host address ({', '.join(sorted(addresses))}): the Service {name} is reached inside "
            f"the cluster. To reach it from this computer run `kubectl port-forward service/{name} {first}:{first}` "
            "(it listens on 127.0.0.1); to open it to others, use a LoadBalancer Service or an Ingress."
        )
    if random:
        notes.append(
            f"A Service has no random port: the Service publishes {', '.join(random)} (the container's port) where "
            "Docker picked a free host port."
        )
    if ranges:
        notes.append(f"Kubernetes has no port ranges: {', '.join(ranges)} is published as one Service port per port.")
    if host_ranges:
        notes.append("A Service port is one number, not a range: the first port of each host range is used.")
    if clashes:
        notes.append(f"The Service can publish a port only once: the second {', '.join(clashes)} is left out.")
    if spec.publish_all:
        notes.append(
            "-P (publish every port the image exposes) is not exported: Kubernetes needs each port named. Add the "
            "image's ports to the Ports table, then export again."
        )
    if not rows:
        notes.append(
            "No port is published, so there is no Service and no readiness or liveness probe: Kubernetes only "
            "knows the container is running, not that it answers."
        )
    elif not any(row.protocol == "tcp" for row in rows):
        notes.append("The probes check a TCP port, and every published port is UDP or SCTP: no probe is written.")
    return tuple(rows), notes


def _bindings(row: PortSpec) -> list[tuple[int, int | None, bool]]:
    """(container port, host port or None for random, whether the host port was a range) per published port,
    as `-p` expands a row: a container range maps port by port onto the host range."""
    low, high = port_range(row.container) or (0, -1)
    host = port_range(host_port_text(row)) if host_port_text(row) else None
    if host is None:
        return [(port, None, False) for port in range(low, high + 1)]
    if low == high:
        return [(low, host[0], host[0] != host[1])]
    return [(port, host[0] + port - low, False) for port in range(low, high + 1)]


def _mounts(mounts: tuple[MountSpec, ...]) -> tuple[tuple[MountSpec, ...], list[str]]:
    kept, claims, renamed, folders = [], [], [], []
    for mount in mounts:
        if mount.kind == "volume" and mount.source:
            claim = dns_subdomain(mount.source)
            if claim != mount.source:
                renamed.append(f'"{mount.source}" is claimed as "{claim}"')
            claims.append(claim)
            mount = replace(mount, source=claim)
        elif mount.kind == "bind":
            folders.append(mount.source)
        kept.append(mount)
    notes = []
    if claims:
        listed = ", ".join(dict.fromkeys(claims))
        notes.append(
            f"Create the PersistentVolumeClaim {listed} first: Kubernetes does not create volumes on its own, and "
            "the pod waits until the claim exists."
        )
    if renamed:
        notes.append(f"A claim name must be a Kubernetes name: the volume {', '.join(renamed)}.")
    if folders:
        notes.append(
            f"The folder {', '.join(dict.fromkeys(folders))} is mounted from the node the pod runs on (hostPath): it "
            "ties the pod to one node that has it; a PersistentVolumeClaim is the portable choice."
        )
    return tuple(kept), notes


def _gpus(gpus: GpuSpec) -> tuple[GpuSpec, list[str]]:
    """Kubernetes counts GPUs (nvidia.com/gpu) and picks them itself."""
    if not gpus.requested:
        return GpuSpec(), []
    notes = []
    count = gpus.count
    if gpus.mode == GpuMode.ALL:
        count = 1
        notes.append(
            "--gpus all cannot be said in Kubernetes, which counts GPUs: the export asks for 1 (nvidia.com/gpu: 1). "
            "Raise it to the number of GPUs the node has."
        )
    elif gpus.mode == GpuMode.CHOSEN:
        chosen = [gpu for gpu in gpus.device_ids if gpu.strip()]
        count = len(chosen)
        notes.append(
            f"Kubernetes picks the GPUs itself: the chosen GPUs {', '.join(chosen)} become a count of {count} "
            f"(nvidia.com/gpu: {count})."
        )
    if frozenset(gpus.capabilities) != DEFAULT_GPU_CAPABILITIES:
        notes.append(
            f"GPU capabilities ({', '.join(gpus.capabilities)}) are not set per container in Kubernetes: the "
            "NVIDIA device plugin gives compute and utility; set NVIDIA_DRIVER_CAPABILITIES in the env if the "
            "image needs others."
        )
    if count < 1:
        notes.append("No GPU is asked for: nvidia.com/gpu needs at least 1.")
        return GpuSpec(), notes
    return GpuSpec(mode=GpuMode.COUNT, count=count), notes


def _cpus(text: str) -> tuple[str, list[str]]:
    nano = parse_cpus(text) if text.strip() else None
    if not nano or nano < 0:
        return "", []
    rounded = -(-nano // _MILLI_NANO) * _MILLI_NANO
    if rounded == nano:
        return cpus_text(nano), []
    note = f"Kubernetes counts CPUs in thousandths: {text.strip()} CPUs is exported as {cpus_text(rounded)}."
    return cpus_text(rounded), [note]


def _size(text: str) -> str:
    size = parse_size(text) if text.strip() else None
    if not size:
        return ""
    for suffix, unit in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def _user(user: str) -> tuple[str, list[str]]:
    user = user.strip()
    if not user or _NUMERIC_USER_RE.fullmatch(user):
        return user, []
    return "", [
        f'Kubernetes runs a container as a numeric user id: the user "{user}" is not exported. Write its id '
        "(as in `id -u`) in the User field, then export again."
    ]


def _labels(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """Docker labels become the pod's annotations; a key Kubernetes would refuse is left out with a note."""
    kept, refused = [], []
    for key, value in labels:
        if _annotation_key_ok(key.strip()):
            kept.append((key.strip(), value))
        else:
            refused.append(key.strip())
    notes = []
    if refused:
        notes.append(f"Kubernetes would refuse the label {', '.join(refused)} as an annotation: it is left out.")
    return tuple(kept), notes


def _annotation_key_ok(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and not (len(prefix) <= 253 and _KEY_PREFIX_RE.fullmatch(prefix)):
        return False
    return _KEY_NAME_RE.fullmatch(name) is not None


def _other_notes(spec: RunSpec) -> list[str]:
    notes = []
    if spec.restart in ("no", "on-failure"):
        said = "never restart" if spec.restart == "no" else "restart on failure"
        notes.append(
            f"A Deployment always restarts its container when it stops: the run's policy ({said}) is not kept. "
            "For a one-off task, a Kubernetes Job is the closer match."
        )
    elif spec.restart == "unless-stopped":
        notes.append('A Deployment always restarts its container: "unless-stopped" is exported as "always".')
    if spec.auto_remove:
        notes.append("--rm is not exported: Kubernetes removes a Deployment's pods itself when they are replaced.")
    return notes
