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
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from gui.core import log
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
    # The CLI stores each context under the sha256 of its name.
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = docker_config_dir() / "contexts" / "meta" / digest / "meta.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        return data["Endpoints"]["docker"]["Host"] or None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def resolve_endpoint(chosen_context: str | None = None) -> Endpoint:
    """The engine's address. `chosen_context` (the Settings page's choice) wins over DOCKER_CONTEXT and the config's
    current context, as `docker --context NAME` does, but not over DOCKER_HOST, which the user set for this session
    on purpose. A chosen context that is gone leaves the choice to the docker CLI's own order."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        return Endpoint(host, "DOCKER_HOST", tls=bool(os.environ.get("DOCKER_TLS_VERIFY")))
    if chosen_context == "default":
        return _default_endpoint()
    if chosen_context:
        chosen_host = _context_host(chosen_context)
        if chosen_host:
            return Endpoint(chosen_host, f"context {chosen_context}")
        logger.warning("the chosen docker context %r has no docker endpoint; using the docker CLI's", chosen_context)
    context = _current_context_name()
    if context and context != "default":
        context_host = _context_host(context)
        if context_host:
            return Endpoint(context_host, f"context {context}")
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
            with socket.create_connection((parsed.hostname, parsed.port or 2375), timeout=PROBE_TIMEOUT_S):
                pass
        # npipe and ssh are left to docker-py.
    except PermissionError as exc:
        return EngineState.PERMISSION_DENIED, str(exc)
    except ConnectionRefusedError as exc:
        return EngineState.NOT_RUNNING, str(exc)
    except FileNotFoundError as exc:
        return EngineState.NOT_RUNNING, str(exc)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return EngineState.PERMISSION_DENIED, str(exc)
        return EngineState.UNREACHABLE, str(exc)
    return None


def make_api_client(endpoint: Endpoint, version: str = MIN_API_VERSION, timeout: int | None = 60):
    import docker

    kwargs = {}
    if endpoint.source == "DOCKER_HOST":
        kwargs = docker.utils.kwargs_from_env()  # TLS settings from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH
        kwargs.pop("base_url", None)
    return docker.APIClient(base_url=endpoint.host, version=version, timeout=timeout, **kwargs)


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
                    f"the engine speaks API {server_api}; Portside needs {MIN_API_VERSION} or newer",
                    server_api_version=server_api,
                )
            client._version = negotiate_version(server_api)
            info = client.info()
        finally:
            client.close()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        text = str(exc)
        state = EngineState.PERMISSION_DENIED if "Permission denied" in text else EngineState.UNREACHABLE
        return Diagnosis(endpoint, state, text)
    return Diagnosis(
        endpoint, EngineState.CONNECTED, info=engine_info(info, version, endpoint), server_api_version=server_api
    )
