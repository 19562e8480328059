"""Whether a local dockerd can hand GPUs to `docker run --gpus` through the NVIDIA Container Toolkit's hook.

dockerd registers its NVIDIA device driver, the one `--gpus` needs, when it finds nvidia-container-runtime-hook
on its PATH at start-up. `docker info` does not show that driver: only `nvidia-ctk runtime configure` adds a
runtime it lists. So a computer with the toolkit installed and not configured gives GPUs to containers while
`docker info` looks as if it could not. This module looks where the engine looks. Blocking (reads /proc): call
it from a worker."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

NVIDIA_HOOK = "nvidia-container-runtime-hook"
# The PATH systemd gives a service: where a packaged dockerd looks, when its own environment cannot be read.
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_ACCEPTS_CONNECTIONS = "00010000"  # the flag /proc/net/unix shows on a listening socket


def engine_nvidia_hook(socket_path: str, proc: Path = Path("/proc")) -> str | None:
    """Where the engine listening on `socket_path` finds the hook (as the engine sees the path), or None.

    The engine's own PATH, inside its own file system, when its process can be read (the same user, or root);
    otherwise the PATH a system service gets, on this computer."""
    if not sys.platform.startswith("linux"):
        return None  # Docker Desktop's engine runs in a VM: nothing here says what it has
    pid = _engine_pid(socket_path, proc)
    search_path = _path_of(proc / str(pid)) if pid else None
    if search_path is None:
        return shutil.which(NVIDIA_HOOK, path=SERVICE_PATH)
    root = proc / str(pid) / "root"
    for folder in search_path.split(os.pathsep):
        if folder.startswith("/") and shutil.which(NVIDIA_HOOK, path=str(root / folder.lstrip("/"))):
            return os.path.join(folder, NVIDIA_HOOK)
    return None


def _engine_pid(socket_path: str, proc: Path) -> int | None:
    """The dockerd process that listens on the socket, when this user may see its open files."""
    inode = _listening_inode(socket_path, proc)
    if inode is None:
        return None
    wanted = f"socket:[{inode}]"
    try:
        entries = [entry for entry in proc.iterdir() if entry.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            if (entry / "comm").read_text(encoding="utf-8").strip() != "dockerd":
                continue  # systemd holds the same socket when it starts Docker on demand
            if any(os.readlink(fd) == wanted for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:  # gone, or another user's process
            continue
    return None


def _listening_inode(socket_path: str, proc: Path) -> str | None:
    try:
        lines = (proc / "net" / "unix").read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    except OSError:
        return None
    wanted = os.path.realpath(socket_path)  # /var/run/docker.sock and /run/docker.sock are one socket
    for line in lines:
        fields = line.split(None, 7)  # Num RefCount Protocol Flags Type St Inode Path (which may hold spaces)
        listening = len(fields) == 8 and fields[3] == _ACCEPTS_CONNECTIONS and fields[7].startswith("/")
        if listening and os.path.realpath(fields[7]) == wanted:
            return fields[6]
    return None


def _path_of(process: Path) -> str | None:
    """The process's PATH, or None when its environment cannot be read."""
    try:
        environment = (process / "environ").read_bytes()
    except OSError:
        return None
    for entry in environment.split(b"\0"):
        if entry.startswith(b"PATH="):
            return entry[len(b"PATH=") :].decode(errors="replace")
    return ""  # no PATH at all: dockerd finds nothing either
