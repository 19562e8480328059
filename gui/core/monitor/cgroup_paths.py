"""Where a running container's cgroup files are on this computer, from what the engine says about it.

Nothing here is guessed. The container's cgroup is named by Docker's own rule (daemon/oci_linux.go) from the
engine's `docker info` (CgroupDriver, CgroupVersion, rootless) and the container's inspect data (HostConfig.
CgroupParent, State.Pid):
- cgroupfs driver: PARENT/ID, PARENT "/docker" unless --cgroup-parent says otherwise;
- systemd driver: PARENT/docker-ID.scope, PARENT "system.slice" ("user.slice" for a rootless engine) expanded as
  systemd expands slices ("a-b.slice" lives in "a.slice/a-b.slice"); a rootless engine's slices lie under the
  user's own systemd manager, "/user.slice/user-UID.slice/user@UID.service".
The kernel's word wins where it can be read: /proc/PID/cgroup of the container's main process says which cgroup
that process is in (an engine started with its own --cgroup-parent, which `docker info` does not show, or a
rootless manager in another place). It must name the container's id, or the PID is not that container's here: the
engine runs in a virtual machine, or in another PID namespace. Each cgroup is then found in the kernel's mount
table (/proc/self/mountinfo): cgroup v1 has a hierarchy per controller, v2 one for all. No I/O at import; the
functions read small files and are meant for a worker thread.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

from gui.core.monitor.cgroup import LIVE, KernelFiles, read_small

# The v1 controllers whose files `docker stats` reads; cpuacct and memory are needed, the others may be missing.
V1_CONTROLLERS = ("cpuacct", "memory", "pids", "blkio")
REQUIRED_V1 = ("cpuacct", "memory")
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class EngineFacts:
    """How the engine runs containers, from `docker info`."""

    cgroup_driver: str  # "cgroupfs", "systemd" or "none"
    cgroup_version: int  # 1 or 2
    rootless: bool
    operating_system: str = ""
    user_id: int | None = None  # the engine's user (the owner of its socket): where a rootless engine's slices are


def engine_facts(info: dict, socket_path: str | None = None) -> EngineFacts:
    options = [str(option) for option in info.get("SecurityOptions") or ()]
    user_id = None
    if socket_path:
        try:
            user_id = os.stat(socket_path).st_uid
        except OSError:
            pass
    version = str(info.get("CgroupVersion") or "1")
    return EngineFacts(
        cgroup_driver=str(info.get("CgroupDriver") or "cgroupfs"),
        cgroup_version=2 if version == "2" else 1,
        rootless=any("name=rootless" in option.split(",") for option in options),
        operating_system=str(info.get("OperatingSystem") or ""),
        user_id=user_id,
    )


@dataclass(frozen=True)
class ContainerFacts:
    """What the engine's inspect data says about a container that matters for reading its numbers."""

    container_id: str
    name: str
    pid: int  # its main process (State.Pid): 0 when it does not run
    running: bool
    cgroup_parent: str
    network_mode: str


def container_facts(inspect: dict) -> ContainerFacts:
    state = inspect.get("State") or {}
    host = inspect.get("HostConfig") or {}
    return ContainerFacts(
        container_id=str(inspect.get("Id") or ""),
        name=str(inspect.get("Name") or "").lstrip("/"),
        pid=int(state.get("Pid") or 0),
        running=bool(state.get("Running")),
        cgroup_parent=str(host.get("CgroupParent") or ""),
        network_mode=str(host.get("NetworkMode") or ""),
    )


@dataclass(frozen=True)
class ListedPlace:
    """Where a container the engine's list shows is read: its facts (a process of its cgroup standing for its main
    process) and its cgroup's folders, found once."""

    facts: ContainerFacts
    folders: CgroupFolders


def listed_place(
    container_id: str, name: str, network_mode: str, engine: EngineFacts, mounts: list[Mount]
) -> ListedPlace | None:
    """A running container as the engine's list shows it (no PID, no cgroup parent), with a process of its cgroup by
    Docker's default rule: enough to read its numbers at once while its inspect, which names its main process and its
    cgroup parent, is on the way (the Monitor's first frame waited a third of its time for 100 inspects). The cgroup's
    folder names the container's whole id, so it is the container's own, and the process is in it: the folders are
    not looked for again (locate). None where the rule finds no such folder (a --cgroup-parent) or no process in it
    (processes in child cgroups): the inspect alone says."""
    if not container_id.isalnum() or engine.cgroup_driver == "none":
        return None
    container = ContainerFacts(container_id, name, 0, True, "", network_mode)
    folders = _folders(docker_cgroup(container, engine), engine.cgroup_version, _of_version(mounts, engine))
    if folders is None:
        return None
    try:
        pids = [
            int(line)
            for line in read_small(f"{folders.folder('memory' if folders.version == 1 else '')}/cgroup.procs").split()
        ]
    except (OSError, ValueError):
        return None
    return ListedPlace(dataclasses.replace(container, pid=min(pids)), folders) if pids else None


def expand_slice(name: str) -> str:
    """systemd's place for a slice: "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice, "-.slice" the root."""
    if name == "-.slice":
        return "/"
    base = name[: -len(".slice")] if name.endswith(".slice") else name
    path, prefix = "", ""
    for part in base.split("-"):
        prefix = f"{prefix}-{part}" if prefix else part
        path += f"/{prefix}.slice"
    return path


def docker_cgroup(container: ContainerFacts, engine: EngineFacts) -> str:
    """The container's cgroup by Docker's rule, as a path in the cgroup hierarchy ("/docker/ID")."""
    container_id = container.container_id
    if engine.cgroup_driver == "systemd":
        parent = container.cgroup_parent or ("user.slice" if engine.rootless else "system.slice")
        path = f"{expand_slice(parent)}/docker-{container_id}.scope"
        if engine.rootless and engine.user_id is not None:
            path = f"/user.slice/user-{engine.user_id}.slice/user@{engine.user_id}.service{path}"
        return path.replace("//", "/")
    parent = container.cgroup_parent or "/docker"
    return "/" + f"{parent.strip('/')}/{container_id}".lstrip("/")


@dataclass(frozen=True)
class Mount:
    """A cgroup hierarchy mounted here: `root` is the part of the hierarchy the mount shows, at `mount_point`."""

    mount_point: str
    root: str
    version: int
    controllers: frozenset[str]

    def folder(self, cgroup: str) -> Path | None:
        """Where the hierarchy's cgroup `cgroup` is under this mount; None when the mount does not show it."""
        if self.root == "/":
            inner = cgroup
        elif cgroup == self.root or cgroup.startswith(self.root + "/"):
            inner = cgroup[len(self.root) :]
        else:
            return None
        return Path(self.mount_point + inner)


def cgroup_mounts(mountinfo: str) -> list[Mount]:
    """The cgroup (v1) and cgroup2 mounts of a /proc/self/mountinfo text."""
    mounts = []
    for line in mountinfo.splitlines():
        head, separator, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not separator or len(fields) < 5 or len(rest) < 3 or rest[0] not in ("cgroup", "cgroup2"):
            continue
        version = 2 if rest[0] == "cgroup2" else 1
        controllers = frozenset(option for option in rest[2].split(",") if version == 1)
        mounts.append(Mount(_unescape(fields[4]), _unescape(fields[3]), version, controllers))
    return mounts


def proc_cgroups(text: str) -> dict[str, str]:
    """/proc/PID/cgroup as {controller: path}; cgroup v2's line is under "" (its controllers field is empty)."""
    paths = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else ("",):
                paths[controller] = parts[2]
    return paths


@dataclass(frozen=True)
class CgroupFolders:
    """The folders of one container's cgroup: per controller on cgroup v1, the one folder on v2."""

    version: int
    folders: tuple[tuple[str, Path], ...]  # (controller, folder); v2: ("", folder)

    def folder(self, controller: str) -> Path | None:
        for name, folder in self.folders:
            if name == controller or (self.version == 2 and name == ""):
                return folder
        return None

    @property
    def shown(self) -> Path:
        """The folder to name to the user: the memory controller's (v1) or the one folder (v2)."""
        return self.folder("memory") or self.folders[0][1]


class NotReadable(Exception):
    """Why a container's numbers cannot be read from this computer's kernel, as a sentence (lower case, no stop):
    the Monitor says "numbers from the engine's stats stream: <this>"."""


def locate(
    container: ContainerFacts, engine: EngineFacts, files: KernelFiles = LIVE, mounts: list[Mount] | None = None
) -> CgroupFolders:
    """The container's cgroup folders, or NotReadable with the reason. `mounts`: cgroup_mounts of the mount table,
    read once by a caller locating many containers (the table lists every container's overlay mount: reading it for
    each of 100 containers took the kernel a third of a second); None: read here."""
    if engine.operating_system == "Docker Desktop":
        raise NotReadable("the engine runs in Docker Desktop's virtual machine, whose kernel is not this one")
    if engine.cgroup_driver == "none":
        raise NotReadable("the engine runs containers without cgroups (rootless on cgroup v1), so no kernel counts")
    if not container.container_id.isalnum():  # a hexadecimal id; never a path of any kind
        raise NotReadable(f"{container.container_id!r} is not a container id")
    if not container.running or container.pid <= 0:
        raise NotReadable("it is not running")
    if mounts is None:
        mounts = read_mounts(files)
    mounts = _of_version(mounts, engine)
    if not mounts:
        raise NotReadable(f"this computer shows no cgroup v{engine.cgroup_version} hierarchy")
    candidates = [docker_cgroup(container, engine)]
    kernel = _kernel_paths(container, files)
    if kernel is not None:
        path = kernel.get("memory" if engine.cgroup_version == 1 else "")
        if path is None or container.container_id not in path:
            raise NotReadable(
                f"its main process (PID {container.pid}) is not in its cgroup on this computer: the engine runs "
                "in a virtual machine or in another PID namespace"
            )
        candidates.insert(0, path)
    for cgroup in dict.fromkeys(candidates):
        found = _folders(cgroup, engine.cgroup_version, mounts)
        if found is not None:
            return found
    raise NotReadable(f"its cgroup {candidates[-1]} is not under any cgroup mount here")


def read_mounts(files: KernelFiles = LIVE) -> list[Mount]:
    """The cgroup mounts of this process's mount table; NotReadable when it cannot be read."""
    try:
        return cgroup_mounts(files.mountinfo.read_text())
    except OSError as exc:
        raise NotReadable(f"the kernel's mount table could not be read ({exc.strerror or exc})") from None


def _kernel_paths(container: ContainerFacts, files: KernelFiles) -> dict[str, str] | None:
    """The main process's cgroups as the kernel says them; None when the file cannot be read (no such PID here, or
    /proc hides other users' processes)."""
    try:
        return proc_cgroups((files.proc / str(container.pid) / "cgroup").read_text())
    except OSError:
        return None


def _folders(cgroup: str, version: int, mounts: list[Mount]) -> CgroupFolders | None:
    if version == 2:
        for mount in mounts:
            folder = mount.folder(cgroup)
            if folder is not None and folder.is_dir():
                return CgroupFolders(2, (("", folder),))
        return None
    found = []
    for controller in V1_CONTROLLERS:
        for mount in mounts:
            folder = mount.folder(cgroup) if controller in mount.controllers else None
            if folder is not None and folder.is_dir():
                found.append((controller, folder))
                break
    if not all(any(name == needed for name, _ in found) for needed in REQUIRED_V1):
        return None
    return CgroupFolders(1, tuple(found))


def _of_version(mounts: list[Mount], engine: EngineFacts) -> list[Mount]:
    return [mount for mount in mounts if mount.version == engine.cgroup_version]


def _unescape(text: str) -> str:
    """mountinfo writes a space in a path as \\040."""
    return _OCTAL_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), text)
