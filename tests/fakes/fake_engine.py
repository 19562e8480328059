"""An engine for GUI tests, replacing gui.core.engine.Engine at the core boundary.

It keeps containers and images in memory, applies actions the way the engine would, and streams
events and logs the way the real streams do (iterables that end when closed)."""
from __future__ import annotations

import queue
import threading
import time

from gui.core import actions
from gui.core.connection import Diagnosis, EngineInfo, EngineState, Endpoint
from gui.core.engine import Snapshot
from gui.core.errors import ImageInUse, NotFound
from gui.core.resources import ContainerRow, ImageRow, PublishedPort

ENDPOINT = Endpoint("unix:///fake/docker.sock", "default")
INFO = EngineInfo(engine_version="27.0.0", api_version="1.46", os="Fake OS", kernel="6.1", architecture="x86_64",
                  cpus=8, memory_bytes=32 * 1024**3, storage_driver="overlay2", data_root="/var/lib/docker",
                  data_root_free_bytes=100 * 1024**3, gpu_support=None, containers=2, images=2)


def diagnosis(state: EngineState = EngineState.CONNECTED, detail: str = "") -> Diagnosis:
    return Diagnosis(ENDPOINT, state, detail, info=INFO if state is EngineState.CONNECTED else None,
                     server_api_version="1.46" if state is EngineState.CONNECTED else None)


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
    return ContainerRow(id=f"{name}-id".ljust(64, "0"), name=name, image=image, image_id=f"sha256:{image}",
                        command="sh", state=state, status=status, created=created or time.time() - 300,
                        ports=tuple(ports))


def image(repository: str, tag: str = "1.0", size: int = 10 * 1024**2, used_by: int = 0):
    return ImageRow(id=f"sha256:{repository}:{tag}", repository=repository, tag=tag,
                    created=time.time() - 3600, size=size, used_by=used_by)


class FakeEngine:
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
        self.build_blocks = False          # a build that runs until cancelled
        self.builds: list = []             # BuildSpecs received
        self.build_streams: list[FakeStream] = []
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

    def dangling_images_size(self):
        return self.dangling

    def _find(self, name: str) -> ContainerRow:
        for row in self.containers_by_id.values():
            if name in (row.name, row.id):
                return row
        raise NotFound(f"No container {name}")

    def perform(self, action: actions.Action):
        self.performed.append(action)
        with self._lock:
            result = self._apply(action)
        self.emit_event({"Type": "container", "Action": type(action).__name__, "time": int(time.time())})
        return result

    def _apply(self, action):
        from dataclasses import replace
        if isinstance(action, actions.StopContainer):
            row = self._find(action.container)
            self.containers_by_id[row.id] = replace(row, state="exited", status="Exited (0) just now")
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
                raise ImageInUse("a container (stopped) still uses this image. Remove the container first, or "
                                 "force removal.", "conflict: unable to remove repository reference (must force)"
                                 " - container abc is using its referenced image")
            self.images = [i for i in self.images if i is not matches[0]]
        elif isinstance(action, actions.TagImage):
            source = next(i for i in self.images if action.source in (i.reference, i.id))
            self.images.append(replace(source, repository=action.repository, tag=action.tag))
        elif isinstance(action, actions.PruneDanglingImages):
            freed, self.dangling = self.dangling[1], (0, 0)
            return freed
        elif isinstance(action, actions.InspectContainer):
            row = self._find(action.container)
            return {"Id": row.id, "Name": "/" + row.name, "Config": {"Image": row.image, "Env": ["API_TOKEN=s3cret"]},
                    "State": {"Status": row.state}}
        elif isinstance(action, actions.InspectImage):
            return {"inspect": {"Id": "sha256:x", "RepoTags": [action.image]}, "history": []}
        return None

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

    def pull(self, repository: str, tag: str) -> FakeStream:
        return FakeStream([{"status": f"Status: Downloaded newer image for {repository}:{tag}"}], endless=False)

    def build(self, spec) -> FakeStream:
        self.builds.append(spec)
        stream = FakeStream(self.build_messages, endless=self.build_blocks)
        self.build_streams.append(stream)
        return stream

    def close(self) -> None:
        self.closed = True
        for stream in self.event_streams + self.log_streams:
            stream.close()


class FakeApi:
    """The few low-level calls views make through engine.api."""

    def __init__(self, engine: FakeEngine):
        self.engine = engine
        self.tags: list[tuple[str, str, str]] = []

    def tag(self, image: str, repository: str, tag: str) -> None:
        self.tags.append((image, repository, tag))

    def inspect_image(self, image: str) -> dict:
        return {"Id": image, "Size": 42 * 1024**2}


__all__ = ["FakeEngine", "FakeStream", "container", "image", "diagnosis", "PublishedPort"]
