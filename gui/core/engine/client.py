"""The one layer that talks to Docker. Blocking calls: workers run them, never the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

import docker
import docker.auth
import docker.utils
from docker.types.daemon import CancellableStream

from gui.core import log
from gui.core.disk.usage import DiskUsage, disk_usage
from gui.core.engine import log_frames
from gui.core.engine.actions import Action
from gui.core.engine.connection import Diagnosis, Endpoint, make_api_client, negotiate_version
from gui.core.engine.disk_space import free_bytes
from gui.core.engine.exec_terminal import ExecTerminal, find_shell
from gui.core.engine.local_json import LocalJson
from gui.core.engine.networks import NetworkRow, network_rows
from gui.core.engine.per_thread import PerThread
from gui.core.engine.rows import ContainerRow, ImageRow, container_row, image_rows
from gui.core.engine.volumes import VolumeRow, volume_rows, volume_sizes
from gui.core.errors import EngineNotAnswering, explain
from gui.core.monitor.stats import is_stopped

logger = log.get("engine")

# A stream's first answer (its status line and headers) must come within this long, or the engine is taken as not
# answering (issue 15): a hung engine would otherwise leave the stream waiting for ever, and the user with no word.
# The body has no limit: a quiet container's log may say nothing for hours. The engine sends a log or event
# stream's headers at once, before any line.
STREAM_ANSWER_TIMEOUT_S = 10.0


class _Beside:
    """A call run on a thread of its own while the caller does something else; `result` waits for it and returns
    its value or raises its error. A daemon thread: quitting never waits for an engine that does not answer."""

    def __init__(self, call: Callable[[], Any]):
        self._call = call
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="portside engine read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # handed to the caller, who words it
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


@dataclass(frozen=True)
class Snapshot:
    containers: list[ContainerRow]
    images: list[ImageRow]


class Engine:
    """A connected engine. docker-py clients are not documented as thread-safe, so each thread gets
    its own for short calls, and each stream opens a client of its own."""

    def __init__(self, endpoint: Endpoint, api_version: str):
        self.endpoint = endpoint
        self.api_version = api_version
        self._clients = PerThread(lambda: self.new_client(), docker.APIClient.close)
        socket_path = endpoint.socket_path
        self._local_json = LocalJson(socket_path, api_version) if socket_path else None

    @classmethod
    def from_diagnosis(cls, diagnosis: Diagnosis) -> Engine:
        assert diagnosis.usable and diagnosis.info
        return cls(diagnosis.endpoint, negotiate_version(diagnosis.server_api_version or diagnosis.info.api_version))

    @property
    def api(self) -> docker.APIClient:
        """This thread's client (closed when the thread ends)."""
        return self._clients.get()

    def new_client(self, timeout: int = 60) -> docker.APIClient:
        return make_api_client(self.endpoint, self.api_version, timeout=timeout)

    def close(self) -> None:
        self._clients.close_all()
        if self._local_json is not None:
            self._local_json.close()

    def _read(self, path: str, through_docker_py: Callable[[docker.APIClient], Any]) -> Any:
        """The engine's JSON answer to GET `path`: on this computer's socket without docker-py's HTTP layers (see
        local_json: a sixth of the CPU for an inspect); elsewhere (TCP, TLS, SSH) through docker-py's call."""
        if self._local_json is not None:
            return self._local_json.get(path)
        return through_docker_py(self.api)

    def inspect_container(self, container_id: str) -> dict:
        """`docker inspect`'s data of a container (the Monitor inspects every running container when it opens)."""
        return self._read(
            f"/containers/{quote(container_id, safe='')}/json", lambda api: api.inspect_container(container_id)
        )

    # Lists ---------------------------------------------------------------------------------------

    def containers(self) -> list[ContainerRow]:
        # The list endpoint carries all the columns; no per-container inspect (which is slow and
        # races with containers that vanish).
        return [
            container_row(raw) for raw in self._read("/containers/json?all=1", lambda api: api.containers(all=True))
        ]

    def volumes(self) -> list[VolumeRow]:
        """`docker volume ls`, with the containers that use each (read from the container list's Mounts)."""
        try:
            raw = self.api.volumes() or {}
            return volume_rows(raw.get("Volumes") or [], self.api.containers(all=True))
        except Exception as exc:
            raise explain(exc, "list the volumes") from exc

    def volume_sizes(self) -> dict[str, int | None]:
        """Each volume's size (`docker system df -v`). Slow on big volumes: the engine walks every file of each, so
        the Volumes page reads its list first and the sizes after. API 1.42 engines measure only the volumes."""
        try:
            client = self.api
            return volume_sizes(client._result(client._get(client._url("/system/df"), params={"type": "volume"}), True))
        except Exception as exc:
            raise explain(exc, "measure the volumes") from exc

    def networks(self) -> list[NetworkRow]:
        """`docker network ls`, with the containers attached to each (from the container list's NetworkSettings)."""
        try:
            return network_rows(self.api.networks() or [], self.api.containers(all=True))
        except Exception as exc:
            raise explain(exc, "list the networks") from exc

    def snapshot(self) -> Snapshot:
        """Both lists. On this computer's socket the images are asked beside the containers, on a connection of
        their own (1,000 containers take the engine about 55 ms, their images 7 more: the snapshot waits for the
        longer only); elsewhere one after the other (a second TLS or SSH connection would cost more than it saves)."""
        read_images = partial(self._read, "/images/json", lambda api: api.images(all=False))
        images = _Beside(read_images) if self._local_json is not None else None
        containers = self.containers()
        return Snapshot(containers, image_rows(images.result() if images else read_images(), containers))

    def dangling_images_size(self) -> tuple[int, int]:
        """How many dangling images there are, and the bytes removing them would free."""
        images = self.api.images(filters={"dangling": True})
        return len(images), sum(int(image.get("Size") or 0) for image in images)

    def disk_usage(self) -> DiskUsage:
        """`docker system df -v`: what images, containers, volumes and build cache take, and what could be freed. Slow
        on an engine with big volumes (the engine measures each), so only the Disk page asks, when it is shown."""
        try:
            return disk_usage(self.api.df(), self.api_version)
        except Exception as exc:
            raise explain(exc, "read the disk usage") from exc

    def free_space(self, data_root: str) -> int | None:
        """Free bytes on the disk of the engine's data root, read now; None for an engine on another computer."""
        return free_bytes(data_root) if self.endpoint.socket_path else None

    def perform(self, action: Action):
        try:
            return action.run(self.api)
        except Exception as exc:
            raise explain(exc, action.description) from exc

    def login(self, registry: str, username: str, secret: str) -> str:
        """Asks the registry, through the engine (POST /auth), whether it accepts the user name and password; the
        engine's status text ("Login Succeeded") when it does. Saves nothing: docker-py keeps the login in the
        client's memory only (never config.json), and this client is closed at once. Raises EngineError whose
        detail is the engine's own words (gui.core.registry.sign_in turns them into sentences)."""
        client = self.new_client()
        try:
            answer = client.login(username, secret, registry=registry, reauth=True)
        except Exception as exc:
            raise explain(exc, "sign in") from None  # no chained traceback holding the request (and secret)
        finally:
            client.close()
        return str((answer or {}).get("Status") or "Login Succeeded")

    def search(self, term: str, limit: int = 25) -> list[dict]:
        """`docker search`: Docker Hub's repositories matching `term` (name, description, star_count,
        is_official), as the engine fetches them. Fails when the engine cannot reach the registry."""
        try:
            return list(self.api.search(term, limit=limit))
        except Exception as exc:
            raise explain(exc, "search for images") from exc

    # Terminals ---------------------------------------------------------------------------------

    def find_shell(self, container_id: str) -> str | None:
        """The shell a terminal opens in the container (bash, else sh), or None when it has none."""
        try:
            return find_shell(self.api, container_id)
        except Exception as exc:
            raise explain(exc, "open a terminal") from exc

    def open_terminal(self, container_id: str, command: list[str], rows: int, columns: int) -> ExecTerminal:
        """`docker exec -it CONTAINER COMMAND…` on a client of its own (the terminal closes it)."""
        try:
            return ExecTerminal.open(self.new_client(), container_id, command, rows, columns)
        except Exception as exc:
            raise explain(exc, "open a terminal") from exc

    # Streams: each opens its own client, so closing it from another thread cancels it. -----------

    def events(self, since: float | None = None) -> Stream:
        """Decoded container and image events, as `docker events` reads them. Raises EngineNotAnswering (through
        explain) when the engine does not answer within STREAM_ANSWER_TIMEOUT_S."""
        client = self.new_client(timeout=STREAM_ANSWER_TIMEOUT_S)
        try:
            filters = docker.utils.convert_filters(
                {"type": ["container", "image", "volume", "network", "service", "node"]}
            )
            response = client._get(client._url("/events"), params={"since": since, "filters": filters}, stream=True)
            client._raise_for_status(response)
            _no_time_limit_on_the_body(client, response)
        except BaseException:
            client.close()
            raise
        return Stream(client, CancellableStream(client._stream_helper(response, decode=True), response))

    def logs(
        self,
        container: str,
        timestamps: bool = False,
        tail: int | str = 1000,
        follow: bool = True,
        since: int | float | None = None,
    ) -> LogStream:
        """Raw byte chunks of the container's output (stdout and stderr, demultiplexed), each as much as has arrived
        (gui.core.engine.log_frames). since: only the lines written at or after this time (seconds since the epoch),
        as `docker logs --since` asks. The stream knows when the container's current run began (its StartedAt), so a
        stream that ends can be told from a restart. Raises EngineNotAnswering (through explain) when the engine does
        not answer within STREAM_ANSWER_TIMEOUT_S."""
        client = self.new_client(timeout=STREAM_ANSWER_TIMEOUT_S)
        try:
            info = client.inspect_container(container)
            started_at = (info.get("State") or {}).get("StartedAt")
            stream = client.logs(container, stream=True, follow=follow, timestamps=timestamps, tail=tail, since=since)
            _no_time_limit_on_the_body(client, stream._response)
        except BaseException:
            client.close()
            raise
        return LogStream(client, _in_bulk(stream, tty=bool((info.get("Config") or {}).get("Tty"))), started_at)

    def pull(self, repository: str, tag: str, auth_header: str | None = None) -> Stream:
        """Decoded progress messages. Closing the stream drops the connection, which makes the engine
        abandon the pull, as Ctrl+C does for `docker pull`. auth_header: an X-Registry-Auth value
        (Portside's sign-in); None uses the docker CLI's logins, as `docker pull` does."""
        client = self.new_client(timeout=None)
        try:
            header = auth_header or _cli_auth_header(client, repository)
            headers = {"X-Registry-Auth": header} if header else {}
            response = client._post(
                client._url("/images/create"),
                params={"fromImage": repository, "tag": tag},
                headers=headers,
                stream=True,
                timeout=None,
            )
            client._raise_for_status(response)
        except BaseException:
            client.close()
            raise
        return Stream(client, CancellableStream(client._stream_helper(response, decode=True), response))

    def push(self, repository: str, tag: str, auth_header: str | None = None) -> Stream:
        """Decoded progress messages of `docker push repository:tag` (gui.core.registry.push.PushProgress reads them).
        Closing the stream drops the connection and the engine abandons the push. auth_header as for pull."""
        client = self.new_client(timeout=None)
        try:
            # Engines before API 1.42 refuse a push without the header ("missing X-Registry-Auth"), even to
            # a registry that needs no sign-in; the docker CLI sends an empty one then, and so do we.
            header = auth_header or _cli_auth_header(client, repository) or docker.auth.encode_header({})
            response = client._post(
                client._url("/images/{0}/push", repository),
                params={"tag": tag},
                headers={"X-Registry-Auth": header},
                stream=True,
                timeout=None,
            )
            client._raise_for_status(response)
        except BaseException:
            client.close()
            raise
        return Stream(client, CancellableStream(client._stream_helper(response, decode=True), response))

    def build(self, spec) -> Stream:
        """Decoded build messages (gui.core.build.progress.BuildProgress reads them). The same request as
        docker-py's APIClient.build(**spec.api_kwargs(), rm=True, forcerm=True), made here so the stream
        has a handle on its response: closing the stream drops the connection, the engine stops the
        build and removes the step's container (forcerm). Blocks while it tars and sends the folder.
        Only the first tag is applied by the engine; the caller applies spec.extra_tags afterwards
        (gui.core.engine.build_request.apply_extra_tags)."""
        from gui.core.engine.build_request import build_request

        client = self.new_client(timeout=None)
        try:
            context, params, headers = build_request(client, spec)
            try:
                response = client._post(
                    client._url("/build"), data=context, params=params, headers=headers, stream=True, timeout=None
                )
            finally:
                context.close()
            client._raise_for_status(response)
        except BaseException:
            client.close()
            raise
        return Stream(client, CancellableStream(client._stream_helper(response, decode=True), response))

    def stats_stream(self, container_id: str) -> Stream:
        """Decoded stats payloads about once a second, as `docker stats` reads them. The first one has an
        empty precpu_stats; the others carry the previous reading. The stream ends when the container stops
        (an engine 20.10 would otherwise go on sending all-zero payloads for a stopped container)."""
        client = self.new_client(timeout=None)
        try:
            response = client._get(
                client._url("/containers/{0}/stats", container_id), params={"stream": True}, stream=True, timeout=None
            )
            client._raise_for_status(response)
        except BaseException:
            client.close()
            raise
        payloads = _until_stopped(client._stream_helper(response, decode=True))
        return Stream(client, CancellableStream(payloads, response))

    def stats_socket(self) -> str | None:
        """The Unix socket to read many containers' stats streams from on one thread (gui.workers.monitor.local_stats);
        None for an engine elsewhere, whose streams each take a thread (stats_stream)."""
        return self.endpoint.socket_path

    def stats_once(self, container_id: str) -> dict:
        """One stats payload, at once where the engine allows it (one-shot, API 1.41+): its precpu_stats is
        then empty, and the caller computes CPU % against its own previous payload. Older engines take a
        second to answer, with precpu_stats filled in."""
        params: dict[str, object] = {"stream": False}
        if _version_tuple(self.api_version) >= (1, 41):
            params["one-shot"] = True
        client = self.api
        return client._result(client._get(client._url("/containers/{0}/stats", container_id), params=params), json=True)

    def exec_run(self, container: str, argv: list[str], timeout_s: float) -> tuple[int | None, str]:
        """`docker exec CONTAINER ARGV…`: its exit code and its output (stdout and stderr together), within timeout_s
        seconds or EngineNotAnswering. docker-py waits on the exec's output with no time limit whatever the client's
        timeout, so a timer closes the stream when the time is up; the process may go on in the container (the
        engine offers no way to end it)."""
        client = self.new_client(timeout=max(1, round(timeout_s)))
        expired = threading.Event()
        try:
            created = client.exec_create(container, argv, stdout=True, stderr=True)
            stream = client.exec_start(created["Id"], stream=True)
            timer = threading.Timer(timeout_s, lambda: (expired.set(), stream.close()))
            timer.daemon = True
            timer.start()
            try:
                output = b"".join(stream)
            finally:
                timer.cancel()
            if expired.is_set():
                raise EngineNotAnswering(
                    f"The command in the container did not finish within {timeout_s:g} s, so Portside stopped waiting "
                    "for it. The container may be very busy; try again later."
                )
            exit_code = client.exec_inspect(created["Id"]).get("ExitCode")
        except EngineNotAnswering:
            raise
        except Exception as exc:
            raise explain(exc, "run a command in the container") from exc
        finally:
            client.close()
        return exit_code, output.decode("utf-8", errors="replace")


def _cli_auth_header(client: docker.APIClient, repository: str) -> str | None:
    """The X-Registry-Auth value from the docker CLI's login for the repository's registry, if any."""
    registry, _ = docker.auth.resolve_repository_name(repository)
    return docker.auth.get_config_header(client, registry)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _no_time_limit_on_the_body(client: docker.APIClient, response) -> None:
    """The answer's headers came within the client's timeout; its body may take as long as it likes."""
    client._disable_socket_timeout(client._get_raw_response_socket(response))


def _in_bulk(stream: CancellableStream, tty: bool) -> CancellableStream:
    """The same log stream read many frames at a time (gui.core.engine.log_frames); docker-py's own reader, a frame
    at a time, on a connection that cannot be read so."""
    response = stream._response
    http_response = getattr(response.raw, "_fp", None)  # http.client's response, under urllib3's
    socket_file = getattr(http_response, "fp", None)
    if not hasattr(socket_file, "read1") or getattr(http_response, "chunk_left", 0) is not None:
        return stream  # not a buffered socket file, or its body has been read from already
    payloads = log_frames.read_payloads(
        socket_file.read1, chunked=bool(http_response.chunked), multiplexed=not tty, length=http_response.length
    )
    return CancellableStream(payloads, response)


def _until_stopped(payloads: Iterator[dict]) -> Iterator[dict]:
    """Payloads up to the first one of a stopped container (its read time is Go's zero time)."""
    for payload in payloads:
        if is_stopped(payload):
            return
        yield payload


class Stream:
    """A stream owning its client. close() from any thread ends the iteration: the reader sees the end
    of the stream, and `cancelled` tells it why."""

    def __init__(self, client: docker.APIClient, cancellable: CancellableStream):
        self._client = client
        self._stream = cancellable
        self._cancelled = threading.Event()

    def __iter__(self) -> Iterator:
        return iter(self._stream)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def close(self) -> None:
        if self._cancelled.is_set():
            return
        self._cancelled.set()
        try:
            self._stream.close()
        except Exception as exc:  # already closed by the engine going away
            logger.debug("closing a stream: %s", exc)
        finally:
            self._client.close()


class LogStream(Stream):
    """A container's log stream, and when the container's run it follows began (State.StartedAt, docker's
    RFC 3339 text; None when the engine did not say)."""

    def __init__(self, client: docker.APIClient, cancellable: CancellableStream, started_at: str | None):
        super().__init__(client, cancellable)
        self.started_at = started_at
