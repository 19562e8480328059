"""A dockerd with the NVIDIA Container Toolkit's hook on its PATH gives GPUs to `docker run --gpus`, though
`docker info` lists no nvidia runtime: Portside looks where the engine looks (a /proc tree built here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gui.core.engine import nvidia_hook
from gui.core.engine.connection import NVIDIA_HOOK_SUPPORT, Endpoint, engine_info
from gui.core.engine.nvidia_hook import NVIDIA_HOOK, engine_nvidia_hook

HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"
PLAIN_INFO = {"Runtimes": {"runc": {"path": "runc"}}}  # what `docker info` says on a hook-only host


class FakeProc:
    """A /proc with the sockets and processes a test puts in it."""

    def __init__(self, root: Path):
        self.root = root
        self.sockets: list[str] = []
        root.mkdir()

    def listen(self, path: str, inode: int) -> None:
        self.sockets.append(f"0000000076c97dbc: 00000002 00000000 00010000 0001 01 {inode} {path}")
        self.sockets.append(f"0000000074055b19: 00000003 00000000 00000000 0001 03 {inode + 1} {path}")  # a client
        (self.root / "net").mkdir(exist_ok=True)
        (self.root / "net" / "unix").write_text(HEADER + "\n".join(self.sockets) + "\n")

    def process(self, pid: int, comm: str, inode: int | None, path: str | None, hook_in: str | None = None) -> Path:
        """A process holding socket `inode` with PATH `path` (None: environment unreadable); `hook_in` puts the
        hook in that folder of the process's own root."""
        folder = self.root / str(pid)
        (folder / "fd").mkdir(parents=True)
        (folder / "comm").write_text(comm + "\n")
        os.symlink("/dev/null", folder / "fd" / "0")
        if inode is not None:
            os.symlink(f"socket:[{inode}]", folder / "fd" / "3")
        if path is not None:
            (folder / "environ").write_bytes(b"HOME=/root\0PATH=" + path.encode() + b"\0")
        if hook_in:
            hook = folder / "root" / hook_in.lstrip("/") / NVIDIA_HOOK
            hook.parent.mkdir(parents=True)
            hook.write_text("#!/bin/sh\nexit 0\n")
            hook.chmod(0o755)
        return folder


@pytest.fixture
def proc(tmp_path, monkeypatch) -> FakeProc:
    monkeypatch.setattr(nvidia_hook, "SERVICE_PATH", str(tmp_path / "service-bin"))  # not this machine's /usr/bin
    return FakeProc(tmp_path / "proc")


def test_the_hook_on_the_engines_own_path_is_found_in_its_own_file_system(proc, tmp_path):
    socket_path = str(tmp_path / "docker.sock")
    proc.listen(socket_path, 1000)
    proc.process(42, "dockerd", 1000, "/opt/toolkit/bin:/usr/bin", hook_in="/opt/toolkit/bin")

    assert engine_nvidia_hook(socket_path, proc.root) == f"/opt/toolkit/bin/{NVIDIA_HOOK}"


def test_an_engine_without_the_hook_on_its_path_has_none(proc, tmp_path):
    socket_path = str(tmp_path / "docker.sock")
    proc.listen(socket_path, 1000)
    proc.process(42, "dockerd", 1000, "/usr/bin", hook_in="/opt/elsewhere")  # installed, but not where it looks
    # systemd holds the same socket to start Docker on demand; its PATH is not the engine's.
    proc.process(1, "systemd", 1000, "/opt/elsewhere", hook_in="/opt/elsewhere")

    assert engine_nvidia_hook(socket_path, proc.root) is None


def test_another_engines_hook_does_not_count(proc, tmp_path):
    ours, theirs = str(tmp_path / "ours.sock"), str(tmp_path / "theirs.sock")
    proc.listen(ours, 1000)
    proc.listen(theirs, 2000)
    proc.process(42, "dockerd", 1000, "/usr/bin")
    proc.process(43, "dockerd", 2000, "/opt/toolkit", hook_in="/opt/toolkit")

    assert engine_nvidia_hook(ours, proc.root) is None
    assert engine_nvidia_hook(theirs, proc.root) == f"/opt/toolkit/{NVIDIA_HOOK}"


def test_the_socket_is_matched_through_a_symlinked_folder(proc, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "run").symlink_to(tmp_path / "run")  # /var/run -> /run, as on most distributions
    proc.listen(str(tmp_path / "run" / "docker.sock"), 1000)
    proc.process(42, "dockerd", 1000, "/usr/bin", hook_in="/usr/bin")

    assert engine_nvidia_hook(str(tmp_path / "var" / "run" / "docker.sock"), proc.root) == f"/usr/bin/{NVIDIA_HOOK}"


def test_an_engine_this_user_cannot_read_is_judged_by_where_the_toolkit_installs_the_hook(proc, tmp_path):
    socket_path = str(tmp_path / "docker.sock")
    proc.listen(socket_path, 1000)
    proc.process(42, "dockerd", None, None)  # root's dockerd: its open files and environment are not ours to see
    assert engine_nvidia_hook(socket_path, proc.root) is None

    installed = tmp_path / "service-bin" / NVIDIA_HOOK  # the toolkit's package puts it in /usr/bin
    installed.parent.mkdir()
    installed.write_text("#!/bin/sh\nexit 0\n")
    installed.chmod(0o755)
    assert engine_nvidia_hook(socket_path, proc.root) == str(installed)


def test_a_hook_only_engine_is_reported_as_giving_gpus(monkeypatch):
    """The toolkit installed, `nvidia-ctk runtime configure` not run: `docker run --gpus all` works, so the Engine
    page, doctor and the Run dialog must not say that Docker cannot give GPUs."""
    monkeypatch.setattr(
        "gui.core.engine.connection.engine_nvidia_hook",
        lambda socket_path: f"/usr/bin/{NVIDIA_HOOK}" if socket_path == "/run/docker.sock" else None,
    )
    local = engine_info(PLAIN_INFO, {}, Endpoint("unix:///run/docker.sock", "default"))
    assert local.gpu_support == NVIDIA_HOOK_SUPPORT
    assert engine_info(PLAIN_INFO, {}, Endpoint("unix:///tmp/other.sock", "DOCKER_HOST")).gpu_support is None
    # An engine on another computer: nothing here says what it has.
    assert engine_info(PLAIN_INFO, {}, Endpoint("tcp://10.0.0.5:2375", "DOCKER_HOST")).gpu_support is None
    # The runtime `nvidia-ctk runtime configure` adds is named first, as before.
    configured = {"Runtimes": {"runc": {}, "nvidia": {"path": "nvidia-container-runtime"}}}
    assert engine_info(configured, {}, Endpoint("unix:///run/docker.sock", "default")).gpu_support == "nvidia runtime"
