"""Helpers for tests that talk to a real Docker engine.

Imported by tests/engine/conftest.py and by the tests themselves
(`from tests.engine import engine_helpers as eh`).

Everything here is plain Python (no fixtures) so it can be reused from a
debugger or a one-off script.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

import docker
import docker.errors

# --- labels -----------------------------------------------------------------

TEST_LABEL = "io.portside.test"
CASE_LABEL = "io.portside.test.case"
SHARED_LABEL = "io.portside.test.shared"
RECIPE_LABEL = "io.portside.test.recipe"

BUSYBOX_REPO = "portside-test/busybox"
BUSYBOX_TAG = f"{BUSYBOX_REPO}:1"
BUSYBOX_BINARY = Path("/bin/busybox")  # from Debian's busybox-static

DEFAULT_ENGINE_URL = "unix:///var/run/docker.sock"
CLI_TIMEOUT_S = 120


def engine_url() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_ENGINE_URL


def engine_required() -> bool:
    """CI sets REQUIRE_ENGINE=1 so a missing engine fails instead of skipping."""
    return os.environ.get("REQUIRE_ENGINE") == "1"


# Salted per pytest process: two sessions running the same test at once (two
# developers, or xdist workers) must not clean up each other's objects.
SESSION_SALT = secrets.token_hex(4)


def case_id(nodeid: str) -> str:
    """Short id for one test in this session: label values stay short."""
    return hashlib.sha1(f"{SESSION_SALT}:{nodeid}".encode()).hexdigest()[:12]


def labels_for(nodeid: str) -> dict[str, str]:
    return {TEST_LABEL: "1", CASE_LABEL: case_id(nodeid)}


# --- engine connection ------------------------------------------------------


def connect(url: str | None = None) -> docker.DockerClient:
    """Client for `url` (default: DOCKER_HOST or the system socket), pinged.

    version="auto" matters: docker-py 7.1 would otherwise speak API 1.44+,
    which a 20.10 engine (API 1.41) rejects.
    """
    client = docker.DockerClient(base_url=url or engine_url(), version="auto")
    try:
        client.ping()
    except Exception:
        client.close()
        raise
    return client


def ping_socket(path: str | os.PathLike, timeout: float = 2.0) -> bool:
    """True when a Docker engine answers GET /_ping on the unix socket `path`.

    Raw HTTP on purpose: cheap enough to poll, and no docker-py client state.
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
    except OSError:
        return False
    status_line = data.partition(b"\r\n")[0]
    return b" 200 " in status_line and data.endswith(b"OK")


def wait_until(predicate: Callable[[], bool], deadline_s: float, interval_s: float = 0.1) -> bool:
    end = time.monotonic() + deadline_s
    while True:
        if predicate():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(interval_s)


# --- cleanup ----------------------------------------------------------------


# Images the test sessions share and keep: busybox, and the local Python base (slow to make).
SHARED_REPOS = (BUSYBOX_REPO, "portside-test/python", "portside-test/pybase")


def _is_canonical_shared_tag(tag: str) -> bool:
    return tag.startswith(tuple(f"{repo}:" for repo in SHARED_REPOS))


def remove_labelled(client: docker.DockerClient, label: str, *, keep_shared: bool = False) -> list[str]:
    """Remove every container, network, volume and image matching `label`
    (a docker label filter such as "io.portside.test.case=abc123").

    Containers go first (force, with their anonymous volumes) because they pin
    networks, volumes and images. With keep_shared, images tagged in the shared
    busybox repo survive (stray extra tags on them are dropped).
    Returns the errors it could not fix, as text; NotFound counts as done since
    a test may already have removed the object itself.
    """
    flt = {"label": label}
    errors: list[str] = []

    def attempt(what: str, fn: Callable[[], object]) -> None:
        try:
            fn()
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            errors.append(f"{what}: {exc.explanation or exc}")

    for c in client.containers.list(all=True, filters=flt):
        attempt(f"container {c.short_id}", lambda c=c: c.remove(force=True, v=True))

    for n in client.networks.list(filters=flt):
        # An unlabelled container may still be attached; detach it first.
        attempt(f"network {n.name}", n.reload)
        for cid in n.attrs.get("Containers") or {}:
            attempt(f"network {n.name} disconnect", lambda n=n, cid=cid: n.disconnect(cid, force=True))
        attempt(f"network {n.name}", n.remove)

    for v in client.volumes.list(filters=flt):
        attempt(f"volume {v.name}", lambda v=v: v.remove(force=True))

    # Newest first: a child image must go before the image it was built FROM.
    images = sorted(client.images.list(filters=flt), key=lambda i: i.attrs.get("Created", ""), reverse=True)
    for img in images:
        if keep_shared and img.labels.get(SHARED_LABEL) == "1" and any(map(_is_canonical_shared_tag, img.tags)):
            for tag in img.tags:
                if not _is_canonical_shared_tag(tag):  # e.g. a registry tag left by a test
                    attempt(f"untag {tag}", lambda tag=tag: client.images.remove(tag))
            continue
        attempt(f"image {img.short_id} {img.tags}", lambda img=img: client.images.remove(img.id, force=True))
    return errors


def sweep_all(client: docker.DockerClient) -> list[str]:
    """Everything any test left behind, except the shared busybox image."""
    return remove_labelled(client, f"{TEST_LABEL}=1", keep_shared=True)


SWEEP_LOCK_PATH = Path(tempfile.gettempdir()) / "portside-engine-tests.lock"


@contextlib.contextmanager
def session_sweep(client: docker.DockerClient, report: Callable[[str], None] = print):
    """Sweep leftovers at session start and end, unless another test session
    on this machine is using the same engine right now.

    Every session holds a shared flock for its lifetime; a sweep needs the
    exclusive lock, so it only runs when this session is alone. Without that,
    one developer's session start would delete another's running containers.
    """
    SWEEP_LOCK_PATH.touch(exist_ok=True)
    with open(SWEEP_LOCK_PATH) as lock:

        def sweep_if_alone(when: str) -> None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                report(f"engine tests: another session is running, skipping {when} sweep")
                return
            for err in sweep_all(client):
                report(f"engine tests: {when} sweep: {err}")

        sweep_if_alone("start")
        fcntl.flock(lock, fcntl.LOCK_SH)  # downgrade (or wait out another session's sweep)
        try:
            yield
        finally:
            sweep_if_alone("end")
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- images -----------------------------------------------------------------


def build_image(
    client: docker.DockerClient,
    tag: str,
    dockerfile_text: str,
    labels: Mapping[str, str],
    files: Mapping[str, str | bytes | os.PathLike] | None = None,
):
    """Build `tag` from a throw-away context holding `dockerfile_text` plus
    `files` ({relative path: text | bytes | path of a file to copy}).

    Images built FROM the shared busybox inherit its labels, so the shared
    marker is reset here unless the caller sets it: otherwise the session
    sweep would mistake a test's image for the shared one.
    Returns the docker-py Image.
    """
    all_labels = {SHARED_LABEL: "0", **labels}
    with tempfile.TemporaryDirectory(prefix="psd-ctx-") as ctx:
        root = Path(ctx)
        (root / "Dockerfile").write_text(dockerfile_text)
        for rel, content in (files or {}).items():
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            elif isinstance(content, str):
                dest.write_text(content)
            else:
                shutil.copy2(content, dest)  # keeps the exec bit
        try:
            image, _logs = client.images.build(path=ctx, tag=tag, labels=all_labels, rm=True, forcerm=True, pull=False)
        except docker.errors.BuildError as exc:
            log = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in exc.build_log)
            raise RuntimeError(f"building {tag} failed: {exc.msg}\n{log}") from exc
    return image


BUSYBOX_DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/sh", "-c", "mkdir -p /tmp /root /etc /var/www && chmod 1777 /tmp"]
CMD ["sh"]
"""


def _busybox_recipe() -> str:
    """Changes when the Dockerfile or the host's busybox binary changes."""
    h = hashlib.sha256(BUSYBOX_DOCKERFILE.encode())
    h.update(hashlib.sha256(BUSYBOX_BINARY.read_bytes()).digest())
    return h.hexdigest()[:16]


def ensure_busybox_image(client: docker.DockerClient, tag: str = BUSYBOX_TAG) -> str:
    """Build the shared busybox image unless an up-to-date one exists."""
    if not BUSYBOX_BINARY.exists():
        raise RuntimeError(f"{BUSYBOX_BINARY} missing: apt-get install busybox-static")
    recipe = _busybox_recipe()
    with contextlib.suppress(docker.errors.ImageNotFound):
        if client.images.get(tag).labels.get(RECIPE_LABEL) == recipe:
            return tag
    build_image(
        client,
        tag,
        BUSYBOX_DOCKERFILE,
        {TEST_LABEL: "1", SHARED_LABEL: "1", RECIPE_LABEL: recipe},
        files={"busybox": BUSYBOX_BINARY},
    )
    return tag


def copy_image(src: docker.DockerClient, dst: docker.DockerClient, tag: str):
    """`docker save` from one engine piped into `docker load` on another."""
    tarball = b"".join(src.images.get(tag).save(named=tag))  # named=True would pick the first tag, maybe another
    (image,) = dst.images.load(tarball)
    return image


# --- docker CLI -------------------------------------------------------------

_cli_config_dir: str | None = None


def _cli_config() -> str:
    """A private DOCKER_CONFIG, so `docker login` in tests never writes the
    developer's ~/.docker/config.json."""
    global _cli_config_dir
    if _cli_config_dir is None:
        _cli_config_dir = tempfile.mkdtemp(prefix="psd-cli-")
        atexit.register(shutil.rmtree, _cli_config_dir, True)
    return _cli_config_dir


_cli_pass_store = None


def cli_credential_environment() -> dict[str, str]:
    """What the docker CLI needs to keep a login. On Linux it uses `pass` whenever pass and docker-credential-pass
    are installed (the test packages install them), and `docker login` fails while the password store is not
    set up. The tests' CLI gets a store of its own, with a throwaway GnuPG key; without those tools, {} (the CLI
    then writes config.json)."""
    global _cli_pass_store
    from tests.fakes import credential_helpers

    if credential_helpers.pass_tools_missing():
        return {}
    if _cli_pass_store is None:
        store_dir = Path(tempfile.mkdtemp(prefix="psd-pass-"))
        _cli_pass_store = credential_helpers.PassStore(store_dir / "store").start()
        atexit.register(shutil.rmtree, store_dir, True)
        atexit.register(_cli_pass_store.close)
    return _cli_pass_store.environment()


def docker_cli(
    *args: str,
    check: bool = True,
    host: str | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = CLI_TIMEOUT_S,
) -> subprocess.CompletedProcess:
    """Run the real `docker` CLI as a user at a terminal would.

    Talks to `host` (default: the engine the tests use). With check=True a
    non-zero exit raises AssertionError carrying the CLI's stdout/stderr,
    which reads better in a test failure than CalledProcessError.
    """
    full_env = {
        **os.environ,
        "DOCKER_HOST": host or engine_url(),
        "DOCKER_CONFIG": _cli_config(),
        **cli_credential_environment(),
    }
    full_env.update(env or {})
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, input=input, env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"docker {' '.join(args)} exited {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
        )
    return proc


# --- processes, mounts ------------------------------------------------------


def tail(path: Path, limit: int = 8000) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"<{path}: {exc}>"
    return data[-limit:].decode(errors="replace")


def _pids_mentioning(text: str) -> list[int]:
    """Processes whose command line contains `text` (a unique tmp path)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if text.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    """Running, i.e. neither gone nor a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _read_pid(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip())
    return None


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root)
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mount_point = line.split()[4].replace("\\040", " ")
            if mount_point == prefix or mount_point.startswith(prefix + "/"):
                found.append(mount_point)
    return sorted(set(found), key=len, reverse=True)  # deepest first


def unmount_all_under(root: Path) -> None:
    for mp in _mounts_under(root):
        if subprocess.run(["umount", mp], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", mp], capture_output=True)


def _stop_process(proc: subprocess.Popen, timeout_s: float) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# --- private dockerd --------------------------------------------------------

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

    def __init__(self) -> None:
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
        ]
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start: {' '.join(cmd)}\n".encode())
            log.flush()
            # Own session: a Ctrl-C in the pytest terminal must not hit the daemon.
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        ready = wait_until(lambda: not self.running or ping_socket(self.socket_path, timeout=1), self.START_DEADLINE_S)
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
            raise RuntimeError(f"private dockerd {what}\n--- {self.log_path}\n{tail(self.log_path)}")
        self.start_seconds.append(time.monotonic() - began)

    def stop(self, timeout_s: float | None = None) -> None:
        """SIGTERM (a clean engine shutdown; running containers get their stop
        timeout, 10 s by default), then wait until the socket stops answering."""
        if self._proc is not None:
            _stop_process(self._proc, timeout_s or self.STOP_DEADLINE_S)
        if not wait_until(lambda: not ping_socket(self.socket_path, timeout=1), 10):
            raise RuntimeError(f"private dockerd still answers after stop\n{tail(self.log_path)}")

    def kill(self) -> None:
        """SIGKILL, like a crash. The managed containerd dies with it
        (dockerd sets a parent-death signal on it); container shims survive and
        the next start() reattaches to them."""
        if self.running:
            self._proc.kill()
            self._proc.wait(10)
        # The managed containerd dies with dockerd (parent-death signal).
        pid = _read_pid(self._containerd_pidfile)
        if pid:
            wait_until(lambda: not _alive(pid), 15)

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
            pid = _read_pid(pidfile)
            if pid and not _alive(pid):
                pidfile.unlink(missing_ok=True)

    def client(self) -> docker.DockerClient:
        """A fresh docker-py client; needs the daemon running. Closed by destroy()."""
        c = connect(self.host)
        self._clients.append(c)
        return c

    def load_image(self, src: docker.DockerClient, tag: str):
        """Copy `tag` from another engine (normally the main one) into this one."""
        c = self.client()
        return copy_image(src, c, tag)

    def log_tail(self, limit: int = 8000) -> str:
        return tail(self.log_path, limit)

    def destroy(self) -> None:
        """Leave nothing behind: containers, daemon, containerd, shims,
        mounts, shim sockets, bridge, tmp dir. Safe to call more than once."""
        for c in self._clients:
            with contextlib.suppress(Exception):
                c.close()
        self._clients.clear()
        if self.running:
            # Force-removing containers first makes the shutdown quick.
            with contextlib.suppress(Exception), contextlib.closing(connect(self.host)) as c:
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
        for pid in _pids_mentioning(str(self.root)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        containerd_address = str(self.exec_root / "containerd" / "containerd.sock")
        for cid in ids:  # containerd 1.6 names shim sockets sha256(<address>/<namespace>/<id>)
            digest = hashlib.sha256(os.path.join(containerd_address, "moby", cid).encode()).hexdigest()
            with contextlib.suppress(OSError):
                os.unlink(f"/run/containerd/s/{digest}")

        unmount_all_under(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.subnet is not None:
            subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
            self.subnet = None


# --- local registry ---------------------------------------------------------


class MissingTool(RuntimeError):
    """A host tool the fixture needs is not installed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def htpasswd_line(user: str, password: str) -> str:
    """A bcrypt htpasswd entry (the registry accepts bcrypt only)."""
    if shutil.which("htpasswd"):
        # -i reads the password from stdin, keeping it out of `ps`.
        out = subprocess.run(
            ["htpasswd", "-B", "-i", "-n", user], input=password, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    try:
        import bcrypt  # optional fallback
    except ImportError:
        raise MissingTool("need `htpasswd` (apt-get install apache2-utils) or the python bcrypt package") from None
    return f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}"


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def _http_status(url: str) -> int | None:
    try:
        with _DIRECT.open(url, timeout=2) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


class LocalRegistry:
    """Debian's docker-registry (distribution 2.8) on 127.0.0.1:<free port>,
    htpasswd auth, storage in a tmp dir. The engine treats 127.0.0.0/8 as an
    insecure registry by default, so plain HTTP works without daemon config."""

    START_DEADLINE_S = 30.0

    def __init__(self, username: str = "portside") -> None:
        if not shutil.which("docker-registry"):
            raise MissingTool("need `docker-registry` (apt-get install docker-registry)")
        self.root = Path(tempfile.mkdtemp(prefix="psr-"))
        self.username = username
        self.password = secrets.token_hex(16)
        self.log_path = self.root / "registry.log"
        self.port = 0
        self._proc: subprocess.Popen | None = None
        (self.root / "htpasswd").write_text(htpasswd_line(self.username, self.password) + "\n")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        # JSON is valid YAML, so no yaml dependency is needed.
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(self.root / "storage")},
                "delete": {"enabled": True},
            },
            "http": {"addr": self.address, "secret": secrets.token_hex(16)},
            "auth": {"htpasswd": {"realm": "portside-test", "path": str(self.root / "htpasswd")}},
        }
        path = self.root / "config.yml"
        path.write_text(json.dumps(config, indent=2))
        return path

    def start(self) -> None:
        # free_port() can race with another process grabbing the port; retry.
        for _attempt in range(3):
            self.port = free_port()
            config = self._write_config()
            with open(self.log_path, "ab") as log:
                self._proc = subprocess.Popen(
                    ["docker-registry", "serve", str(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            # 401 on /v2/ means: up, and auth is on.
            if (
                wait_until(
                    lambda: self._proc.poll() is not None or _http_status(f"http://{self.address}/v2/") == 401,
                    self.START_DEADLINE_S,
                )
                and self._proc.poll() is None
            ):
                return
            _stop_process(self._proc, 5)
        raise RuntimeError(f"docker-registry did not come up\n--- {self.log_path}\n{tail(self.log_path)}")

    def log_tail(self, limit: int = 8000) -> str:
        return tail(self.log_path, limit)

    def destroy(self) -> None:
        if self._proc is not None:
            _stop_process(self._proc, 10)
        shutil.rmtree(self.root, ignore_errors=True)
