"""GET requests for JSON to an engine on this computer's Unix socket, without docker-py's HTTP layers.

Why: an inspect through docker-py (requests, urllib3 and their adapters) costs 0.64 ms of Python CPU here, the same
GET through http.client on the socket 0.1 ms. The Monitor's first frame inspects every running container (the kernel
reader for its main process, the GPU watch for its grant): through docker-py, 100 inspects took 65 ms of CPU that
competed with the kernel reads for the interpreter, and put the first complete frame 85 ms later.

Each thread keeps its own connection open (HTTP/1.1 keep-alive), as Engine.api keeps a client per thread, closed
when the thread ends (per_thread). Errors
are docker-py's own (docker.errors.NotFound, APIError) or ConnectionError / requests' ReadTimeout, so
gui.core.errors.explain words them as it words any engine call. Blocking: call from a worker thread.
"""

from __future__ import annotations

import http.client
import json
import socket

from gui.core.engine.per_thread import PerThread


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._socket_path)
        except OSError as exc:
            sock.close()
            raise ConnectionError(f"cannot connect to the engine at {self._socket_path}: {exc}") from None
        self.sock = sock


class LocalJson:
    """GET /vVERSION/PATH on the engine's Unix socket, the answer's JSON decoded."""

    def __init__(self, socket_path: str, api_version: str, timeout_s: float = 60):
        self._prefix = f"/v{api_version}"
        self._connections = PerThread(lambda: _UnixConnection(socket_path, timeout_s), _UnixConnection.close)

    def get(self, path: str) -> dict:
        try:
            status, body = self._exchange(path)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self._drop()  # the engine closed a connection kept open between calls: a GET is safe to ask again
            status, body = self._exchange(path)
        except TimeoutError:
            self._drop()
            import requests.exceptions

            raise requests.exceptions.ReadTimeout(f"the engine did not answer GET {path} in time") from None
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise ConnectionError(f"the engine's answer to GET {path} broke off: {exc}") from None
        if status >= 400:
            _raise_api_error(status, body)
        return json.loads(body)

    def close(self) -> None:
        self._connections.close_all()

    def _exchange(self, path: str) -> tuple[int, bytes]:
        connection = self._connections.get()
        connection.request("GET", self._prefix + path)
        response = connection.getresponse()
        return response.status, response.read()

    def _drop(self) -> None:
        self._connections.drop()


def _raise_api_error(status: int, body: bytes) -> None:
    """The error docker-py raises for the same answer (NotFound for a 404, with the engine's message)."""
    import docker.errors
    import requests

    response = requests.Response()
    response.status_code, response._content = status, body
    response.reason = http.client.responses.get(status, "")
    docker.errors.create_api_error_from_http_exception(
        requests.exceptions.HTTPError(f"{status} {response.reason}", response=response)
    )
