"""An engine for GUI tests, replacing gui.core.engine.client.Engine at the core boundary.

It keeps containers and images in memory, applies actions the way the engine would, and streams
events and logs the way the real streams do (iterables that end when closed)."""

from __future__ import annotations

import copy
import json
import queue
import threading
import time
from pathlib import Path

from gui.core.engine import actions
from gui.core.engine.client import Snapshot
from gui.core.engine.connection import Diagnosis, Endpoint, EngineInfo, EngineState
from gui.core.engine.exit_codes import StopOutcome
from gui.core.engine.rows import ContainerRow, ImageRow, PublishedPort
from gui.core.errors import EngineError, ImageInUse, NotFound
from tests.fakes.fake_networks import BUILTIN_NETWORKS, FakeNetworkApi, FakeNetworks
from tests.fakes.fake_volumes import FakeVolumeApi, FakeVolumes

ENDPOINT = Endpoint("unix:///fake/docker.sock", "default")
INFO = EngineInfo(
    engine_version="27.0.0",
    api_version="1.46",
    os="Fake OS",
    kernel="6.1",
    architecture="x86_64",
    cpus=8,
    memory_bytes=32 * 1024**3,
    storage_driver="overlay2",
    data_root="/var/lib/docker",
    data_root_free_bytes=100 * 1024**3,
    gpu_support=None,
    containers=2,
    images=2,
)


def diagnosis(state: EngineState = EngineState.CONNECTED, detail: str = "") -> Diagnosis:
    return Diagnosis(
        ENDPOINT,
        state,
        detail,
        info=INFO if state is EngineState.CONNECTED else None,
        server_api_version="1.46" if state is EngineState.CONNECTED else None,
    )


class FakeStream:
    """Iterates until closed, like the real engine streams."""

    _END = object()

    def __init__(self, items=(), endless: bool = True):
        self._queue: queue.Queue = queue.Queue()
        for item in items:
            self._queue.put(item)
        if not endless:
            self._queue.put(self._END)
        self.cancelled = False

    def push(self, item) -> None:
        self._queue.put(item)

    def end(self) -> None:
        self._queue.put(self._END)

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            yield item

    def close(self) -> None:
        self.cancelled = True
        self._queue.put(self._END)


def container(name: str, state: str = "running", image: str = "web:1.0", ports=(), created: float | None = None):
    status = "Up 5 minutes" if state == "running" else "Exited (0) 1 minute ago"
    return ContainerRow(
        id=f"{name}-id".ljust(64, "0"),
        name=name,
        image=image,
        image_id=f"sha256:{image}",
        command="sh",
        state=state,
        status=status,
        created=created or time.time() - 300,
        ports=tuple(ports),
    )


def image(repository: str, tag: str = "1.0", size: int = 10 * 1024**2, used_by: int = 0):
    return ImageRow(
        id=f"sha256:{repository}:{tag}",
        repository=repository,
        tag=tag,
        created=time.time() - 3600,
        size=size,
        used_by=used_by,
    )


class FakeEngine(FakeVolumes, FakeNetworks):
    def __init__(self):
        self.endpoint = ENDPOINT
        self.containers_by_id: dict[str, ContainerRow] = {}
        self.images: list[ImageRow] = []
        self.performed: list[actions.Action] = []
        self.log_lines: dict[str, list[bytes]] = {}
        self.log_streams: list[FakeStream] = []
        self.event_streams: list[FakeStream] = []
        self.dangling = (0, 0)
        self.build_messages: list[dict] = []
        self.build_blocks = False  # a build that runs until cancelled
        self.builds: list = []  # BuildSpecs received
        self.build_streams: list[FakeStream] = []
        self.runs: list = []  # RunContainer actions that started a container
        self.run_error: EngineError | None = None  # raised by the next runs, like a refusing engine
        # Image inspect payloads by reference; the images in `images` get DEFAULT_IMAGE_CONFIG.
        self.image_inspects: dict[str, dict] = {}
        # Registries. A push replays `push_messages` (None: the recorded first push, told about the
        # repository and tag asked for); `push_blocks` keeps the stream open after them until cancelled;
        # `push_error` is raised by push() itself, as the engine refuses a request before any progress.
        self.pulls: list[tuple[str, str, str | None]] = []  # (repository, tag, auth_header)
        self.push_messages: list[dict] | None = None
        self.push_blocks = False
        self.push_error: Exception | None = None
        self.pushes: list[tuple[str, str, str | None]] = []  # (repository, tag, auth_header)
        self.push_streams: list[FakeStream] = []
        self.search_results: list[dict] = []
        self.search_error: Exception | None = None
        self.searches: list[tuple[str, int]] = []
        # {registry key: {username: secret}}: whom login() accepts; everyone else is refused like a 401.
        self.registry_users: dict[str, dict[str, str]] = {}
        self.login_error: Exception | None = None  # raised by every login (unreachable registry, ...)
        self.logins: list[tuple[str, str]] = []  # (registry, username) tried; never the secret
        # Stops: `stop_gate`, when set to a threading.Event, holds every stop until the test sets it (a slow stop);
        # `stop_exit_code` and `stop_seconds` say how a stop ends and how long it "took" (no real wait).
        self.stop_gate: threading.Event | None = None
        self.stop_exit_code = 0
        self.stop_seconds = 0.0
        # Terminals: the shell each container has (absent: "sh"; None: none, a FROM scratch image)
        self.shells: dict[str, str | None] = {}
        self.terminals: list = []  # tests.fakes.fake_terminal.FakeTerminal, as opened
        self.terminal_error: Exception | None = None  # raised by open_terminal, as a refusing engine
        self.free_bytes: int | None = 100 * 1024**3  # free on the engine's disk, read when a pull or build opens
        # Disk: the engine's GET /system/df answer (None: the recording tests/fakes/system_df.json), what the clean-ups
        # removed as (kind, id), and the ids the engine refuses to remove, with the status it answers (409: in use).
        self.disk: dict | None = None
        self.disk_removed: list[tuple[str, str]] = []
        self.disk_refusals: dict[str, int] = {}
        self.volume_mounts: dict[str, list[str]] = {}  # container name: the volumes it mounts (fake_volumes)
        self.networks_raw, self.network_attached = copy.deepcopy(BUILTIN_NETWORKS), {}  # fake_networks
        self.api = FakeApi(self)
        self._lock = threading.Lock()
        self.closed = False

    # Test set-up helpers
    def add_container(self, row: ContainerRow) -> None:
        with self._lock:
            self.containers_by_id[row.id] = row
        self.emit_event({"Type": "container", "Action": "create", "id": row.id, "time": int(time.time())})

    def emit_event(self, event: dict) -> None:
        for stream in list(self.event_streams):
            stream.push(event)

    def end_event_streams(self) -> None:
        for stream in self.event_streams:
            stream.end()

    # Engine interface
    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(list(self.containers_by_id.values()), list(self.images))

    def containers(self) -> list[ContainerRow]:
        with self._lock:
            return list(self.containers_by_id.values())

    def disk_usage(self):
        from gui.core.disk.usage import disk_usage

        return disk_usage(self.api.df(), INFO.api_version)

    def dangling_images_size(self):
        return self.dangling

    def free_space(self, data_root: str) -> int | None:
        return self.free_bytes

    def find_shell(self, container_id: str) -> str | None:
        return self.shells.get(container_id, "sh")

    def open_terminal(self, container_id: str, command: list[str], rows: int, columns: int):
        from tests.fakes.fake_terminal import FakeTerminal

        if self.terminal_error is not None:
            raise self.terminal_error
        terminal = FakeTerminal(command, rows, columns)
        self.terminals.append(terminal)
        return terminal

    def _find(self, name: str) -> ContainerRow:
        for row in self.containers_by_id.values():
            if name in (row.name, row.id):
                return row
        raise NotFound(f"No container {name}")

    def perform(self, action: actions.Action):
        self.performed.append(action)
        if isinstance(action, actions.StopContainer) and self.stop_gate is not None:
            self.stop_gate.wait(timeout=30)  # outside the lock: the lists stay readable while a stop is slow
        with self._lock:
            result = self._apply(action)
        self.emit_event({"Type": "container", "Action": type(action).__name__, "time": int(time.time())})
        return result

    def _apply(self, action):
        from dataclasses import replace

        if isinstance(action, actions.StopContainer):
            row = self._find(action.container)
            self.containers_by_id[row.id] = replace(row, state="exited", status="Exited (0) just now")
            if self.stop_exit_code:
                status = f"Exited ({self.stop_exit_code}) just now"
                self.containers_by_id[row.id] = replace(row, state="exited", status=status)
            return StopOutcome(self.stop_exit_code, False, self.stop_seconds, action.timeout)
        elif isinstance(action, (actions.StartContainer, actions.RestartContainer)):
            row = self._find(action.container)
            self.containers_by_id[row.id] = replace(row, state="running", status="Up 1 second")
        elif isinstance(action, actions.RemoveContainer):
            row = self._find(action.container)
            del self.containers_by_id[row.id]
        elif isinstance(action, actions.RemoveImage):
            matches = [i for i in self.images if action.image in (i.reference, i.id)]
            if not matches:
                raise NotFound("no such image")
            if matches[0].used_by and not action.force:
                raise ImageInUse(
                    "a container (stopped) still uses this image. Remove the container first, or force removal.",
                    "conflict: unable to remove repository reference (must force)"
                    " - container abc is using its referenced image",
                )
            self.images = [i for i in self.images if i is not matches[0]]
        elif isinstance(action, actions.TagImage):
            source = next(i for i in self.images if action.source in (i.reference, i.id))
            self.images.append(replace(source, repository=action.repository, tag=action.tag))
        elif isinstance(action, actions.PruneDanglingImages):
            freed, self.dangling = self.dangling[1], (0, 0)
            return freed
        elif isinstance(action, actions.InspectContainer):
            row = self._find(action.container)
            return {
                "Id": row.id,
                "Name": "/" + row.name,
                "Config": {"Image": row.image, "Env": ["API_TOKEN=s3cret"]},
                "State": {"Status": row.state},
            }
        elif isinstance(action, actions.InspectImage):
            return {"inspect": {"Id": "sha256:x", "RepoTags": [action.image]}, "history": []}
        elif type(action).__module__ in (
            "gui.core.disk.cleanup",
            "gui.core.engine.volumes",
            "gui.core.engine.networks",
        ):
            return action.run(self.api)  # the clean-ups call the engine's API; FakeApi answers as the engine would
        elif type(action).__name__ == "RunContainer":
            return self._run(action)
        return None

    def _run(self, action) -> str:
        """Starts a "container" the way the engine would, refusing what it refuses."""
        spec = action.spec
        spec.create_kwargs(), spec.host_config_kwargs()  # both raise ValueError for a spec with errors
        if self.run_error is not None:
            raise self.run_error
        if spec.name and any(row.name == spec.name for row in self.containers_by_id.values()):
            raise EngineError(
                f"The name {spec.name} is taken by another container. Choose another name, or remove that container.",
                f'Conflict. The container name "/{spec.name}" is already in use by container "abc".',
            )
        name = spec.name or f"fake-run-{len(self.runs) + 1}"
        ports = [
            PublishedPort(
                int(port.host.split("-")[0]) if port.host else 32768 + index,
                int(port.container.split("-")[0]),
                port.protocol,
                "0.0.0.0" if port.all_interfaces else "127.0.0.1",
            )
            for index, port in enumerate(spec.ports)
        ]
        row = replace_row(container(name, image=spec.image, ports=ports), status="Up 1 second")
        self.containers_by_id[row.id] = row
        self.runs.append(action)
        return row.id

    def events(self, since=None) -> FakeStream:
        stream = FakeStream()
        self.event_streams.append(stream)
        return stream

    def logs(self, container: str, timestamps: bool = False, tail=1000, follow: bool = True) -> FakeStream:
        lines = self.log_lines.get(container, [])
        if timestamps:
            lines = [b"2026-11-25T10:00:00.000000000Z " + line for line in lines]
        stream = FakeStream(lines)
        self.log_streams.append(stream)
        return stream

    def pull(self, repository: str, tag: str, auth_header: str | None = None) -> FakeStream:
        self.pulls.append((repository, tag, auth_header))
        return FakeStream([{"status": f"Status: Downloaded newer image for {repository}:{tag}"}], endless=False)

    def push(self, repository: str, tag: str, auth_header: str | None = None) -> FakeStream:
        self.pushes.append((repository, tag, auth_header))
        if self.push_error is not None:
            raise self.push_error
        messages = self.push_messages
        if messages is None:
            messages = recorded_push(repository, tag)
        stream = FakeStream(messages, endless=self.push_blocks)
        self.push_streams.append(stream)
        return stream

    def search(self, term: str, limit: int = 25) -> list[dict]:
        self.searches.append((term, limit))
        if self.search_error is not None:
            raise self.search_error
        return list(self.search_results)[:limit]

    def login(self, registry: str, username: str, secret: str) -> str:
        """Like Engine.login: "Login Succeeded", or the EngineError the engine's refusal becomes (its detail is
        the engine's words, recorded from dockerd 20.10 and a registry with htpasswd)."""
        from gui.core.errors import explain

        self.logins.append((registry, username))
        if self.login_error is not None:
            raise self.login_error
        if self.registry_users.get(registry, {}).get(username) != secret or not secret:
            url = (
                "https://registry-1.docker.io/v2/"
                if registry == "https://index.docker.io/v1/"
                else (f"http://{registry}/v2/")
            )
            raise explain(api_error(500, f"login attempt to {url} failed with status: 401 Unauthorized"), "sign in")
        return "Login Succeeded"

    def build(self, spec) -> FakeStream:
        self.builds.append(spec)
        stream = FakeStream(self.build_messages, endless=self.build_blocks)
        self.build_streams.append(stream)
        return stream

    def close(self) -> None:
        self.closed = True
        for stream in self.event_streams + self.log_streams:
            stream.close()

    # Container stats (S1). Payloads recorded from a real engine (tests/fakes/stats/). A test may set
    # `stats_payloads[container_id]` to the payloads a stream starts with; `stats_streams[container_id]` holds the
    # streams opened, to push more payloads or end them (the real stream ends when the container stops).
    def stats_stream(self, container_id: str) -> FakeStream:
        row = self._find(container_id)
        if not hasattr(self, "stats_streams"):
            self.stats_streams: dict[str, list[FakeStream]] = {}
        payloads = getattr(self, "stats_payloads", {}).get(row.id)
        if payloads is None:
            payloads = stats_payloads("v1-idle-stream.json", row)
        stream = FakeStream(payloads if row.running else (), endless=row.running)
        self.stats_streams.setdefault(row.id, []).append(stream)
        return stream

    def inspect_container(self, container_id: str) -> dict:
        """Engine.inspect_container: the API's, so a test that changes the API's answer changes this one too."""
        return self.api.inspect_container(container_id)

    def stats_socket(self) -> None:
        return None  # as an engine elsewhere: a stream (a thread) per container, from stats_stream

    def stats_once(self, container_id: str) -> dict:
        row = self._find(container_id)
        return stats_payloads("v1-idle-oneshot.json" if row.running else "v1-stopped.json", row)[0]


def stats_payloads(file_name: str, row: ContainerRow | None = None) -> list[dict]:
    """Recorded stats payloads from tests/fakes/stats (a list even for a file of one), as if of `row`."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "stats" / file_name).read_text())
    payloads = data if isinstance(data, list) else [data]
    if row is not None:
        for payload in payloads:
            payload.update(id=row.id, name="/" + row.name)
    return payloads


def recorded_push(repository: str, tag: str, recording: str = "first_push") -> list[dict]:
    """A push recorded from a real engine (tests/fakes/push_messages.json: first_push, mounted, already_pushed,
    signed_out, closed_port), its repository and tag lines rewritten to the ones asked for."""
    import json
    from pathlib import Path

    recorded = json.loads((Path(__file__).parent / "push_messages.json").read_text())[recording]
    messages = []
    for message in recorded:
        message = dict(message)
        status = message.get("status", "")
        if status.startswith("The push refers to repository"):
            message["status"] = f"The push refers to repository [{repository}]"
        elif ": digest: " in status:
            message["status"] = f"{tag}: {status.split(': ', 1)[1]}"
        elif isinstance(message.get("aux"), dict):
            message["aux"] = {**message["aux"], "Tag": tag}
        messages.append(message)
    return messages


def replace_row(row: ContainerRow, **changes) -> ContainerRow:
    from dataclasses import replace

    return replace(row, **changes)


# What an image from a typical Python web Dockerfile reports: one exposed port, a CMD, a workdir, a user.
DEFAULT_IMAGE_CONFIG = {
    "ExposedPorts": {"80/tcp": {}},
    "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED=1"],
    "Cmd": ["python", "app.py"],
    "Entrypoint": None,
    "WorkingDir": "/app",
    "User": "app",
    "Labels": {"org.opencontainers.image.title": "web"},
}


class _Response:
    """Just enough of a requests.Response for docker.errors.APIError.status_code."""

    def __init__(self, status_code: int, reason: str = ""):
        self.status_code, self.reason, self.url = status_code, reason, "http+docker://localhost/fake"


def api_error(status_code: int, explanation: str):
    """A docker.errors.APIError as docker-py raises it (ImageNotFound/NotFound for 404)."""
    import docker.errors

    response = _Response(status_code)
    if status_code == 404:
        return docker.errors.ImageNotFound(explanation, response=response, explanation=explanation)
    return docker.errors.APIError(explanation, response=response, explanation=explanation)


class FakeApi(FakeNetworkApi, FakeVolumeApi):
    """The few low-level calls views make through engine.api."""

    def __init__(self, engine: FakeEngine):
        self.engine = engine
        self.tags: list[tuple[str, str, str]] = []

    # Disk: GET /system/df and the removals a clean-up makes, on the engine's `disk` answer.
    def _disk(self) -> dict:
        if self.engine.disk is None:
            self.engine.disk = json.loads((Path(__file__).parent / "system_df.json").read_text())
        return self.engine.disk

    def df(self) -> dict:
        return copy.deepcopy(self._disk())

    def _refuse(self, key: str) -> None:
        status = self.engine.disk_refusals.get(key)
        if status:
            raise api_error(status, f"conflict: unable to remove {key[:12]}: it is in use")

    def remove_image(self, image: str, force: bool = False) -> list[dict]:
        disk = self._disk()
        found = next((i for i in disk["Images"] if image == i["Id"] or image in (i["RepoTags"] or ())), None)
        if found is None:
            raise api_error(404, f"No such image: {image}")
        self._refuse(found["Id"])
        tags = [tag for tag in found["RepoTags"] or () if tag != "<none>:<none>"]
        if image in tags and len(tags) > 1:
            found["RepoTags"] = [tag for tag in tags if tag != image]
            return [{"Untagged": image}]
        if image == found["Id"] and len(tags) > 1 and not force:
            raise api_error(409, f"conflict: unable to delete {image[:19]} (must be forced) - image is referenced")
        disk["Images"].remove(found)
        disk["LayersSize"] -= found["Size"] - found["SharedSize"]
        self.engine.disk_removed.append(("image", found["Id"]))
        return [*({"Untagged": tag} for tag in tags), {"Deleted": found["Id"]}]

    def remove_container(self, container: str, v: bool = False, force: bool = False) -> None:
        disk = self._disk()
        found = next((c for c in disk["Containers"] if c["Id"] == container), None)
        if found is None:
            raise api_error(404, f"No such container: {container}")
        self._refuse(container)
        disk["Containers"].remove(found)
        self.engine.disk_removed.append(("container", container))

    def remove_volume(self, name: str, force: bool = False) -> None:
        disk = self._disk()
        found = next((v for v in disk["Volumes"] if v["Name"] == name), None)
        if found is None:
            raise api_error(404, f"get {name}: no such volume")
        self._refuse(name)
        self._refuse_in_use(name)
        disk["Volumes"].remove(found)
        self.engine.disk_removed.append(("volume", name))

    def prune_builds(self, filters=None, keep_storage=None, all=None) -> dict:
        disk = self._disk()
        gone = [entry for entry in disk["BuildCache"] or () if not entry["InUse"]]
        disk["BuildCache"] = [entry for entry in disk["BuildCache"] or () if entry["InUse"]]
        freed = sum(entry["Size"] for entry in gone if not entry["Shared"])
        disk["BuilderSize"] -= freed
        self.engine.disk_removed.extend(("build cache", entry["ID"]) for entry in gone)
        return {"CachesDeleted": [entry["ID"] for entry in gone], "SpaceReclaimed": freed}

    def tag(self, image: str, repository: str, tag: str) -> None:
        self.tags.append((image, repository, tag))

    def inspect_image(self, image: str) -> dict:
        """The inspect payload set in `image_inspects`; for images in the list, one with DEFAULT_IMAGE_CONFIG;
        for a reference of a repository the engine does not have, 404 like the engine; otherwise (an image id
        just built) a payload with only an id and a size."""
        engine = self.engine
        if image in engine.image_inspects:
            return engine.image_inspects[image]
        known = next((row for row in engine.images if image in (row.reference, row.id)), None)
        if known is not None:
            return {
                "Id": known.id,
                "RepoTags": [known.reference],
                "Size": known.size,
                "Config": dict(DEFAULT_IMAGE_CONFIG),
            }
        if not image.startswith("sha256:"):
            raise api_error(404, f"No such image: {image}")
        return {"Id": image, "Size": 42 * 1024**2}

    def inspect_container(self, container: str) -> dict:
        """Enough of `docker container inspect` for RunSpec.from_inspect: Name, Config and HostConfig."""
        row = self.engine._find(container)
        bindings: dict[str, list[dict]] = {}
        for port in row.ports:
            bindings.setdefault(f"{port.container_port}/{port.protocol}", []).append(
                {"HostIp": port.host_ip, "HostPort": str(port.host_port)}
            )
        config = dict(DEFAULT_IMAGE_CONFIG)
        config.update({"Image": row.image, "Env": config["Env"] + ["API_TOKEN=s3cret"], "Labels": dict(row.labels)})
        return {
            "Id": row.id,
            "Name": "/" + row.name,
            "Image": f"sha256:{row.image}",
            "Config": config,
            "State": {"Status": row.state},
            "HostConfig": {
                "PortBindings": bindings,
                "PublishAllPorts": False,
                "Mounts": [],
                "Binds": None,
                "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
                "AutoRemove": False,
                "Memory": 0,
                "NanoCpus": 0,
                "ShmSize": 67108864,
                "Privileged": False,
                "DeviceRequests": None,
            },
        }


__all__ = [
    "DEFAULT_IMAGE_CONFIG",
    "FakeEngine",
    "FakeStream",
    "PublishedPort",
    "api_error",
    "container",
    "diagnosis",
    "image",
    "recorded_push",
    "stats_payloads",
]
