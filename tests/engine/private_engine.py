"""A private dockerd of a test's own, for tests that stop, kill or restart the
engine without touching the engine every other test uses, or that need an
engine set up otherwise (the NVIDIA Container Toolkit's hook on its PATH).

Plain Python, no fixtures (`from tests.engine import private_engine`); the
`private_dockerd` fixture in conftest.py wraps PrivateDockerd.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import docker

from tests.engine import engine_helpers as eh
from tests.engine import images, processes

_NET_LOCK_PATH = Path(tempfile.gettempdir()) / "portside-psd-net.lock"


def _host_ipv4_networks() -> list[ipaddress.IPv4Network]:
    out = subprocess.run(["ip", "-j", "-4", "route", "show", "table", "all"], capture_output=True, text=True)
    nets = []
    for route in json.loads(out.stdout or "[]"):
        dst = route.get("dst", "")
        if dst and dst != "default":
            with contextlib.suppress(ValueError):
                nets.append(ipaddress.ip_network(dst if "/" in dst else dst + "/32", strict=False))
    return nets


class PrivateDockerd:
    """A second dockerd, for tests that stop, kill or restart the engine.

    Everything lives under one short tmp dir (/tmp/psd-XXXXXXXX: unix socket
    paths are capped at 108 bytes and containerd nests sockets under the
    exec-root). dockerd starts its own managed containerd with config,
    sockets and state under that exec-root, so it does not touch the system
    or main-daemon containerd. Only the containerd-shim sockets share a
    directory (/run/containerd/s) with the main daemon; their names hash the
    private containerd's address, so they cannot collide, but a hard kill can
    leave some behind, which destroy() removes.

    Networking: `--bridge=none` is NOT used, because dockerd 20.10 then
    *deletes the host's docker0 link* at start-up (removeDefaultBridgeInterface)
    and breaks the main daemon. Instead the daemon gets its own bridge named
    like its tmp dir, on a free 172.31.x.0/24, with iptables/masquerade off:
    containers run, ports publish to 127.0.0.1 via docker-proxy, and nothing
    of the main daemon's networking is touched.
    """

    START_DEADLINE_S = 60.0
    STOP_DEADLINE_S = 60.0

    def __init__(self, extra_path: Sequence[Path] = (), extra_args: Sequence[str] = ()) -> None:
        """`extra_path`: folders put before the daemon's PATH (dockerd looks up helpers such as the NVIDIA hook
        there at start-up). `extra_args`: more dockerd arguments (a TLS listener: --tlsverify ... -H tcp://...)."""
        self.extra_path = tuple(extra_path)
        self.extra_args = tuple(extra_args)
        self.root = Path(tempfile.mkdtemp(prefix="psd-", dir="/tmp"))
        self.data_root = self.root / "data"
        self.exec_root = self.root / "exec"
        self.socket_path = self.root / "docker.sock"
        self.pidfile = self.root / "docker.pid"
        self.log_path = self.root / "dockerd.log"
        self.config_file = self.root / "daemon.json"
        self.host = f"unix://{self.socket_path}"
        self.bridge = self.root.name  # "psd-XXXXXXXX": 12 chars, under IFNAMSIZ
        self.subnet: ipaddress.IPv4Network | None = None
        self.start_seconds: list[float] = []  # how long each start() took
        self._proc: subprocess.Popen | None = None
        self._clients: list[docker.DockerClient] = []
        self.data_root.mkdir()
        self.exec_root.mkdir()
        # Own (empty) config file: a developer's /etc/docker/daemon.json must not leak in.
        self.config_file.write_text("{}\n")

    # -- lifecycle --

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _create_bridge(self) -> None:
        with open(_NET_LOCK_PATH, "a") as lock:  # two fixtures must not pick the same subnet
            fcntl.flock(lock, fcntl.LOCK_EX)
            used = _host_ipv4_networks()
            for third in range(254, 199, -1):
                candidate = ipaddress.ip_network(f"172.31.{third}.0/24")
                if not any(candidate.overlaps(n) for n in used):
                    break
            else:
                raise RuntimeError("no free 172.31.x.0/24 for the private dockerd bridge")
            gateway = f"{candidate.network_address + 1}/{candidate.prefixlen}"
            for cmd in (
                ["ip", "link", "add", self.bridge, "type", "bridge"],
                ["ip", "addr", "add", gateway, "dev", self.bridge],
                ["ip", "link", "set", self.bridge, "up"],
            ):
                subprocess.run(cmd, check=True, capture_output=True)
            self.subnet = candidate

    def start(self) -> None:
        """Start (or restart, keeping data-root: images and containers persist)
        and wait until GET /_ping answers."""
        if self.running:
            return
        if self.subnet is None:
            self._create_bridge()
        self._drop_stale_pidfiles()
        cmd = [
            "dockerd",
            f"--config-file={self.config_file}",
            f"--data-root={self.data_root}",
            f"--exec-root={self.exec_root}",
            f"--pidfile={self.pidfile}",
            f"--host={self.host}",
            f"--bridge={self.bridge}",
            "--iptables=false",
            "--ip-masq=false",
            *self.extra_args,
        ]
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([*map(str, self.extra_path), env.get("PATH", os.defpath)])
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start: {' '.join(cmd)}\n".encode())
            log.flush()
            # Own session: a Ctrl-C in the pytest terminal must not hit the daemon.
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        ready = eh.wait_until(
            lambda: not self.running or eh.ping_socket(self.socket_path, timeout=1), self.START_DEADLINE_S
        )
        if not (ready and self.running):
            code = self._proc.poll()
            if code is None:
                self._proc.kill()
                self._proc.wait(10)
            what = (
                f"exited with code {code}"
                if code is not None
                else (f"did not answer /_ping within {self.START_DEADLINE_S:.0f}s")
            )
            raise RuntimeError(f"private dockerd {what}\n--- {self.log_path}\n{processes.tail(self.log_path)}")
        self.start_seconds.append(time.monotonic() - began)

    def stop(self, timeout_s: float | None = None) -> None:
        """SIGTERM (a clean engine shutdown; running containers get their stop
        timeout, 10 s by default), then wait until the socket stops answering."""
        if self._proc is not None:
            processes.stop_process(self._proc, timeout_s or self.STOP_DEADLINE_S)
        if not eh.wait_until(lambda: not eh.ping_socket(self.socket_path, timeout=1), 10):
            raise RuntimeError(f"private dockerd still answers after stop\n{processes.tail(self.log_path)}")

    def kill(self) -> None:
        """SIGKILL, like a crash. The managed containerd dies with it
        (dockerd sets a parent-death signal on it); container shims survive and
        the next start() reattaches to them."""
        if self.running:
            self._proc.kill()
            self._proc.wait(10)
        # The managed containerd dies with dockerd (parent-death signal).
        pid = processes.read_pid(self._containerd_pidfile)
        if pid:
            eh.wait_until(lambda: not processes.is_alive(pid), 15)

    @property
    def _containerd_pidfile(self) -> Path:
        return self.exec_root / "containerd" / "containerd.pid"

    def _drop_stale_pidfiles(self) -> None:
        """After a kill, the orphaned containerd lingers as a zombie until PID 1
        gets round to reaping it, and kill(pid, 0) still succeeds on a zombie.
        dockerd would then log "containerd is still running", try to reuse it
        and give up after ~15 s ("timeout waiting for containerd to start").
        A pid file naming a dead or zombie process is stale: remove it."""
        for pidfile in (self._containerd_pidfile, self.pidfile):
            pid = processes.read_pid(pidfile)
            if pid and not processes.is_alive(pid):
                pidfile.unlink(missing_ok=True)

    def client(self) -> docker.DockerClient:
        """A fresh docker-py client; needs the daemon running. Closed by destroy()."""
        c = eh.connect(self.host)
        self._clients.append(c)
        return c

    def load_image(self, src: docker.DockerClient, tag: str):
        """Copy `tag` from another engine (normally the main one) into this one."""
        c = self.client()
        return images.copy_image(src, c, tag)

    def log_tail(self, limit: int = 8000) -> str:
        return processes.tail(self.log_path, limit)

    def destroy(self) -> None:
        """Leave nothing behind: containers, daemon, containerd, shims,
        mounts, shim sockets, bridge, tmp dir. Safe to call more than once."""
        for c in self._clients:
            with contextlib.suppress(Exception):
                c.close()
        self._clients.clear()
        if self.running:
            # Force-removing containers first makes the shutdown quick.
            with contextlib.suppress(Exception), contextlib.closing(eh.connect(self.host)) as c:
                for ctr in c.containers.list(all=True):
                    with contextlib.suppress(Exception):
                        ctr.remove(force=True, v=True)
            with contextlib.suppress(Exception):
                self.stop(timeout_s=30)
        self.kill()

        # After a kill, shims and container processes can outlive the daemon.
        runc_root = self.exec_root / "runtime-runc" / "moby"
        ids = {p.name for p in runc_root.glob("*")} | {p.name for p in (self.data_root / "containers").glob("*")}
        for cid in sorted(p.name for p in runc_root.glob("*")):
            subprocess.run(["runc", "--root", str(runc_root), "delete", "--force", cid], capture_output=True)
        for pid in processes.pids_mentioning(str(self.root)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        containerd_address = str(self.exec_root / "containerd" / "containerd.sock")
        for cid in ids:  # containerd 1.6 names shim sockets sha256(<address>/<namespace>/<id>)
            digest = hashlib.sha256(os.path.join(containerd_address, "moby", cid).encode()).hexdigest()
            with contextlib.suppress(OSError):
                os.unlink(f"/run/containerd/s/{digest}")

        processes.unmount_all_under(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.subnet is not None:
            subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
            self.subnet = None


NVIDIA_HOOK = "nvidia-container-runtime-hook"


class NvidiaHookStub:
    """A stand-in for the NVIDIA Container Toolkit's nvidia-container-runtime-hook, in a folder of its own.

    dockerd registers its NVIDIA device driver (what `docker run --gpus` needs) when it finds this hook on its PATH
    at start-up, and the driver adds the hook to each GPU container's prestart hooks. The stub accepts every
    container, as the real hook does on a computer with GPUs, and keeps the container state runc hands it on stdin
    (one file per call), so a test can tell which containers went through it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.calls = folder / "calls"
        self.calls.mkdir(parents=True, exist_ok=True)
        hook = folder / NVIDIA_HOOK
        hook.write_text(f'#!/bin/sh\ncat > "{self.calls}/$$.json"\nexit 0\n')
        hook.chmod(0o755)

    def container_ids(self) -> set[str]:
        """The ids of the containers the hook ran for."""
        ids = set()
        for call in self.calls.glob("*.json"):
            with contextlib.suppress(ValueError, OSError):
                ids.add(json.loads(call.read_text())["id"])
        return ids
