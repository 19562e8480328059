"""Find the engine the way the docker CLI does, and say plainly what is wrong when it is not usable.

Order: ``DOCKER_HOST``, then the context chosen in Portside's Settings, then the current docker context
(``DOCKER_CONTEXT`` or the config's ``currentContext``), then the platform's default socket.
"""

from __future__ import annotations

import enum
import errno
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from gui.core import log
from gui.core.engine import remote_errors
from gui.core.engine.disk_space import free_bytes
from gui.core.engine.nvidia_hook import engine_nvidia_hook

# docker-py and requests take about 0.3 s to import: they are imported where they are used, in
# worker threads, so the first window does not wait for them.

logger = log.get("engine")

# Device requests (GPUs for containers) arrived in API 1.40 (Docker 19.03): older engines cannot do
# what Portside is for.
MIN_API_VERSION = "1.40"
DEFAULT_UNIX_HOST = "unix:///var/run/docker.sock"
DEFAULT_WINDOWS_HOST = "npipe:////./pipe/docker_engine"
PROBE_TIMEOUT_S = 5
# An engine that takes the connection but does not answer /_ping this soon is still starting (dockerd restores its
# containers before it serves its API, which can take many seconds); the next check comes a few seconds later.
PING_TIMEOUT_S = 3
# The ssh probe: connecting (ConnectTimeout) and asking the remote docker CLI for its engine's API version.
SSH_PROBE_TIMEOUT_S = 20


class EngineState(enum.Enum):
    NOT_INSTALLED = "not-installed"
    NOT_RUNNING = "not-running"
    PERMISSION_DENIED = "permission-denied"
    API_TOO_OLD = "api-too-old"
    UNREACHABLE = "unreachable"
    STARTING = "starting"  # the socket takes connections; the engine does not answer yet, or says it is starting
    CONNECTED = "connected"


@dataclass(frozen=True)
class Endpoint:
    host: str
    source: str  # "DOCKER_HOST", "context NAME" or "default"
    tls: bool = False
    # Where ca.pem, cert.pem and key.pem are: DOCKER_CERT_PATH (default ~/.docker), or the context's TLS folder.
    cert_path: str | None = None
    tls_verify: bool = True  # check the engine's certificate against ca.pem (DOCKER_TLS_VERIFY; not SkipTLSVerify)

    @property
    def socket_path(self) -> str | None:
        if self.host.startswith("unix://"):
            return self.host[len("unix://") :]
        return None

    @property
    def context(self) -> str | None:
        """The docker context this address comes from, or None."""
        return self.source[len("context ") :] if self.source.startswith("context ") else None

    @property
    def elsewhere(self) -> bool:
        """Whether DOCKER_HOST or a docker context names an engine other than this computer's usual one: when
        nothing answers there, starting the local engine does not help."""
        return self.source != "default" and self.host not in (DEFAULT_UNIX_HOST, DEFAULT_WINDOWS_HOST)


@dataclass(frozen=True)
class EngineInfo:
    engine_version: str
    api_version: str
    os: str
    kernel: str
    architecture: str
    cpus: int
    memory_bytes: int
    storage_driver: str
    data_root: str
    data_root_free_bytes: int | None
    gpu_support: str | None  # how GPUs can be given to containers, or None
    runtimes: tuple[str, ...] = ()
    containers: int = 0
    images: int = 0


@dataclass(frozen=True)
class Diagnosis:
    endpoint: Endpoint
    state: EngineState
    detail: str = ""
    info: EngineInfo | None = None
    server_api_version: str | None = None

    @property
    def usable(self) -> bool:
        return self.state is EngineState.CONNECTED

    @property
    def starting(self) -> bool:
        """The engine is on its way: say so with a spinner, not "cannot be reached"."""
        return self.state is EngineState.STARTING


def docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _current_context_name() -> str | None:
    if os.environ.get("DOCKER_CONTEXT"):
        return os.environ["DOCKER_CONTEXT"]
    try:
        config = json.loads((docker_config_dir() / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = config.get("currentContext") if isinstance(config, dict) else None
    return name or None


def _context_host(name: str) -> str | None:
    endpoint = _context_endpoint(name)
    return endpoint.host if endpoint else None


def _context_endpoint(name: str) -> Endpoint | None:
    """The context's docker endpoint with its TLS material, or None when it has none."""
    # The CLI stores each context under the sha256 of its name: meta/<digest>/meta.json, and the certificates
    # of its docker endpoint in tls/<digest>/docker/{ca,cert,key}.pem.
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = docker_config_dir() / "contexts" / "meta" / digest / "meta.json"
    try:
        docker_endpoint = json.loads(meta.read_text(encoding="utf-8"))["Endpoints"]["docker"]
        host = docker_endpoint["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not host:
        return None
    tls_folder = docker_config_dir() / "contexts" / "tls" / digest / "docker"
    has_tls = any((tls_folder / pem).is_file() for pem in ("ca.pem", "cert.pem", "key.pem"))
    skip_verify = bool(isinstance(docker_endpoint, dict) and docker_endpoint.get("SkipTLSVerify"))
    return Endpoint(
        host,
        f"context {name}",
        tls=host.startswith("tcp://") and (has_tls or skip_verify),
        cert_path=str(tls_folder) if has_tls else None,
        tls_verify=not skip_verify,
    )


def resolve_endpoint(chosen_context: str | None = None) -> Endpoint:
    """The engine's address. `chosen_context` (the Settings page's choice) wins over DOCKER_CONTEXT and the config's
    current context, as `docker --context NAME` does, but not over DOCKER_HOST, which the user set for this session
    on purpose. A chosen context that is gone leaves the choice to the docker CLI's own order."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        # As the docker CLI: DOCKER_TLS_VERIFY (any value) checks the engine's certificate, DOCKER_TLS only encrypts.
        verify = bool(os.environ.get("DOCKER_TLS_VERIFY"))
        return Endpoint(
            host,
            "DOCKER_HOST",
            tls=verify or bool(os.environ.get("DOCKER_TLS")),
            cert_path=os.environ.get("DOCKER_CERT_PATH") or str(docker_config_dir()),
            tls_verify=verify,
        )
    if chosen_context == "default":
        return _default_endpoint()
    if chosen_context:
        chosen = _context_endpoint(chosen_context)
        if chosen:
            return chosen
        logger.warning("the chosen docker context %r has no docker endpoint; using the docker CLI's", chosen_context)
    context = _current_context_name()
    if context and context != "default":
        current = _context_endpoint(context)
        if current:
            return current
        logger.warning("docker context %r has no docker endpoint; using the default socket", context)
    return _default_endpoint()


def _default_endpoint() -> Endpoint:
    return Endpoint(DEFAULT_WINDOWS_HOST if sys.platform == "win32" else DEFAULT_UNIX_HOST, "default")


def docker_is_installed() -> bool:
    return (
        any(shutil.which(tool) for tool in ("docker", "dockerd", "podman")) or Path("/Applications/Docker.app").exists()
    )


def _probe_socket(endpoint: Endpoint) -> tuple[EngineState, str] | None:
    """Try the transport itself, so each failure has its own state; None when it answers."""
    parsed = urlparse(endpoint.host)
    try:
        if parsed.scheme == "unix":
            path = endpoint.socket_path or ""
            if not os.path.exists(path):
                state = EngineState.NOT_RUNNING if docker_is_installed() else EngineState.NOT_INSTALLED
                return state, f"{path} does not exist"
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(PROBE_TIMEOUT_S)
                sock.connect(path)
        elif parsed.scheme in ("tcp", "http", "https"):
            port = parsed.port or (2376 if endpoint.tls or parsed.scheme == "https" else 2375)
            with socket.create_connection((parsed.hostname, port), timeout=PROBE_TIMEOUT_S):
                pass
        elif parsed.scheme == "ssh":
            return _probe_ssh(endpoint.host)
        # npipe is left to docker-py.
    except PermissionError as exc:
        return EngineState.PERMISSION_DENIED, str(exc)
    except ConnectionRefusedError as exc:
        if parsed.scheme != "unix":  # an address elsewhere: say which, and what to check
            return EngineState.NOT_RUNNING, remote_errors.unreachable_sentence(endpoint.host, str(exc))
        return EngineState.NOT_RUNNING, str(exc)
    except FileNotFoundError as exc:
        return EngineState.NOT_RUNNING, str(exc)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return EngineState.PERMISSION_DENIED, str(exc)
        if parsed.scheme != "unix":
            return EngineState.UNREACHABLE, remote_errors.unreachable_sentence(endpoint.host, str(exc))
        return EngineState.UNREACHABLE, str(exc)
    return None


def ssh_argv(host_url: str, *command: str) -> list[str]:
    """`ssh` to the engine's computer as the docker CLI does (the user's ssh config, agent and known_hosts), but
    never asking: BatchMode fails where ssh would prompt, so the failure can be said in a sentence instead."""
    parsed = urlparse(host_url)
    argv = ["ssh", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={PROBE_TIMEOUT_S}"]
    if parsed.username:
        argv += ["-l", parsed.username]
    if parsed.port:
        argv += ["-p", str(parsed.port)]
    return [*argv, "--", parsed.hostname or "", *command]


def _probe_ssh(host_url: str) -> tuple[EngineState, str] | None:
    """Log in once and ask the remote docker CLI for its engine's API version: None when that works, else the
    state and a sentence (an unknown host key comes with its fingerprint, read with ssh-keyscan)."""
    try:
        done = subprocess.run(
            ssh_argv(host_url, "docker version --format '{{.Server.APIVersion}}'"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SSH_PROBE_TIMEOUT_S,
        )
    except FileNotFoundError:
        return EngineState.UNREACHABLE, "The ssh program is not installed on this computer. Install OpenSSH's client."
    except subprocess.TimeoutExpired:
        return EngineState.UNREACHABLE, remote_errors.unreachable_sentence(host_url, "timed out")
    if done.returncode == 0:
        return None
    key_type = remote_errors.unknown_host_key_type(done.stderr)
    fingerprint = _scanned_fingerprint(host_url, key_type) if key_type is not None else None
    return EngineState.UNREACHABLE, remote_errors.ssh_sentence(host_url, done.stderr, fingerprint)


def _scanned_fingerprint(host_url: str, key_type: str) -> str | None:
    """The server's host key fingerprint of `key_type` (any type when ""), as ssh-keyscan reads it."""
    parsed = urlparse(host_url)
    argv = ["ssh-keyscan", "-T", str(PROBE_TIMEOUT_S)]
    if parsed.port:
        argv += ["-p", str(parsed.port)]
    try:
        done = subprocess.run(
            [*argv, parsed.hostname or ""], capture_output=True, text=True, timeout=SSH_PROBE_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    wanted = [line for line in lines if key_type and f" {key_type} " in line] or lines
    return remote_errors.host_key_fingerprint(wanted[0]) if wanted else None


def tls_config(endpoint: Endpoint):
    """docker-py's TLSConfig from the endpoint's certificate folder: the client certificate when there is one, the
    engine's certificate checked against ca.pem unless verification is off."""
    from docker.tls import TLSConfig

    folder = Path(endpoint.cert_path) if endpoint.cert_path else docker_config_dir()
    ca, cert, key = (folder / name for name in ("ca.pem", "cert.pem", "key.pem"))
    client_cert = (str(cert), str(key)) if cert.is_file() and key.is_file() else None
    ca_cert = str(ca) if ca.is_file() else None
    return TLSConfig(client_cert=client_cert, ca_cert=ca_cert, verify=endpoint.tls_verify)


def make_api_client(endpoint: Endpoint, version: str = MIN_API_VERSION, timeout: int | None = 60):
    import docker

    kwargs = {}
    if endpoint.host.startswith("ssh://"):
        # The ssh program, as the docker CLI uses it: the user's ~/.ssh/config, agent and known_hosts all apply.
        kwargs["use_ssh_client"] = True
    elif endpoint.tls:
        kwargs["tls"] = tls_config(endpoint)
    client = docker.APIClient(base_url=endpoint.host, version=version, timeout=timeout, **kwargs)
    if endpoint.tls:
        _keep_own_ca(client)
    if "use_ssh_client" in kwargs:
        from gui.core.engine.ssh_transport import keep_ssh_connections  # docker-py's ssh transport: not at start-up

        keep_ssh_connections(client)
    return client


def _keep_own_ca(client) -> None:
    """Check the engine's certificate against its own ca.pem even where REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE is set
    (as on many workstations): requests lets those replace a session's `verify` on every request, and the engine's
    private CA is never in a system bundle, so every call failed with "unable to get local issuer certificate"."""
    merge = client.merge_environment_settings
    own_ca = client.verify

    def with_own_ca(url, proxies, stream, verify, cert):
        settings = merge(url, proxies, stream, verify, cert)
        settings["verify"] = own_ca
        return settings

    client.merge_environment_settings = with_own_ca


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def negotiate_version(server_api_version: str) -> str:
    """Talk the server's API version, capped at what docker-py knows."""
    import docker.constants

    client_max = docker.constants.DEFAULT_DOCKER_API_VERSION
    return min(server_api_version, client_max, key=_version_tuple)


NVIDIA_HOOK_SUPPORT = "NVIDIA Container Toolkit hook"


def gpu_support(info: dict, cdi_spec_text: str = "", nvidia_hook: bool = False) -> str | None:
    """How this engine can hand NVIDIA GPUs to containers, or None when it cannot. `nvidia_hook`: the engine has
    the toolkit's hook on its PATH (nvidia_hook.engine_nvidia_hook), which `docker info` does not show."""
    runtimes = info.get("Runtimes") or {}
    if "nvidia" in runtimes:
        return "nvidia runtime"
    for device in info.get("DiscoveredDevices") or []:
        if str(device.get("ID", "")).startswith("nvidia.com/gpu"):
            return "CDI devices"
    if "nvidia.com/gpu" in cdi_spec_text:
        return "CDI devices"
    return NVIDIA_HOOK_SUPPORT if nvidia_hook else None


def _local_cdi_specs(info: dict) -> str:
    texts = []
    for directory in info.get("CDISpecDirs") or []:
        try:
            for spec in Path(directory).iterdir():
                if spec.suffix in (".yaml", ".yml", ".json"):
                    texts.append(spec.read_text(encoding="utf-8", errors="replace")[:4096])
        except OSError:
            continue
    return "\n".join(texts)


def _free_bytes(path: str, endpoint: Endpoint) -> int | None:
    if not endpoint.socket_path:
        return None  # a remote engine's disk is not ours to measure
    return free_bytes(path)


def engine_info(info: dict, version: dict, endpoint: Endpoint) -> EngineInfo:
    data_root = info.get("DockerRootDir", "")
    local_socket = endpoint.socket_path
    return EngineInfo(
        engine_version=version.get("Version", "?"),
        api_version=version.get("ApiVersion", "?"),
        os=info.get("OperatingSystem", "?"),
        kernel=info.get("KernelVersion", "?"),
        architecture=info.get("Architecture", "?"),
        cpus=int(info.get("NCPU") or 0),
        memory_bytes=int(info.get("MemTotal") or 0),
        storage_driver=info.get("Driver", "?"),
        data_root=data_root,
        data_root_free_bytes=_free_bytes(data_root, endpoint) if data_root else None,
        gpu_support=gpu_support(
            info,
            _local_cdi_specs(info) if local_socket else "",
            nvidia_hook=bool(local_socket and engine_nvidia_hook(local_socket)),
        ),
        runtimes=tuple(sorted(info.get("Runtimes") or {})),
        containers=int(info.get("Containers") or 0),
        images=int(info.get("Images") or 0),
    )


def _still_starting(client) -> str | None:
    """Why the engine looks like it is starting (its socket took the connection, as _probe_socket found), or None
    when /_ping answers. No answer in time, a connection dropped before any answer, an answer of 5xx or one that
    says "starting": all are what dockerd does while it starts or restores its containers."""
    import requests.exceptions

    try:
        response = client._get(client._url("/_ping", versioned_api=False), timeout=PING_TIMEOUT_S)
    except requests.exceptions.ReadTimeout:
        return f"the engine took the connection but did not answer within {PING_TIMEOUT_S} s"
    except requests.exceptions.ConnectionError as exc:
        if isinstance(exc, requests.exceptions.SSLError) or not _dropped(exc):
            raise  # a refusal or a TLS problem: not an engine on its way
        return "the engine closed the connection without answering"
    text = response.text.strip()
    if response.status_code >= 500 or "starting" in text.lower():
        return f"the engine answered {response.status_code}: {text[:200] or 'no reason given'}"
    return None


def _dropped(exc: Exception) -> bool:
    """A connection the engine accepted and then closed, with no answer at all."""
    words = str(exc).lower()
    return any(word in words for word in ("connection aborted", "remotedisconnected", "connection reset"))


def diagnose(endpoint: Endpoint | None = None) -> Diagnosis:
    """One full check of the engine. Blocking: call it from a worker, never the GUI thread."""
    import docker.errors
    import requests.exceptions

    endpoint = endpoint or resolve_endpoint()
    problem = _probe_socket(endpoint)
    if problem:
        return Diagnosis(endpoint, problem[0], problem[1])
    try:
        client = make_api_client(endpoint, timeout=PROBE_TIMEOUT_S * 2)
        try:
            starting = _still_starting(client)
            if starting:
                return Diagnosis(endpoint, EngineState.STARTING, starting)
            version = client.version(api_version=False)
            server_api = version.get("ApiVersion", "0")
            if _version_tuple(server_api) < _version_tuple(MIN_API_VERSION):
                return Diagnosis(
                    endpoint,
                    EngineState.API_TOO_OLD,
                    remote_errors.engine_too_old_sentence(server_api, MIN_API_VERSION),
                    server_api_version=server_api,
                )
            client._version = negotiate_version(server_api)
            info = client.info()
        finally:
            client.close()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        text = str(exc)
        state = EngineState.PERMISSION_DENIED if "Permission denied" in text else EngineState.UNREACHABLE
        sentence = remote_errors.tls_sentence(endpoint.host, text, endpoint.cert_path) if endpoint.tls else None
        return Diagnosis(endpoint, state, sentence or text)
    return Diagnosis(
        endpoint, EngineState.CONNECTED, info=engine_info(info, version, endpoint), server_api_version=server_api
    )
