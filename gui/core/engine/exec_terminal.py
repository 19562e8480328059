"""`docker exec -it`: a process with a TTY in a running container, over the engine's hijacked connection.

The engine answers POST /exec/{id}/start with `101 UPGRADED` and from then on the connection is the terminal's raw
bytes both ways (a TTY has no stdout/stderr frames). http.client has read the status line and headers through a
buffered file, and may have read the first bytes of the terminal with them (a prompt the engine wrote at once), so
the terminal is read through that same buffered file and written through the socket under it.

Over SSH there is no socket: the connection is an ssh program running `docker system dial-stdio`, and after the
upgrade the same program carries the terminal. Its stdout is the buffered file, and the connection's SSHSocket
stands in for the socket: its sendall writes the program's stdin, and ssh_transport's shutdown ends the program.

Blocking calls: a worker opens the terminal and a thread of its own reads it; close() may come from any thread.
"""

from __future__ import annotations

import shlex
import socket
import threading
import time
from typing import TYPE_CHECKING

from gui.core import log
from gui.core.errors import EngineError

if TYPE_CHECKING:
    import docker

logger = log.get("engine")

SHELLS = ("bash", "sh")  # tried in this order
TERM = "xterm-256color"  # what the terminal screen understands
READ_SIZE = 65536
# Exit codes of a program the container cannot run: 126 cannot execute, 127 not found (the shell's and the engine's).
_NOT_THERE = (126, 127)
# The engine may close the stream a moment before it records the exit code: how long to ask again, and how often.
_EXIT_CODE_WAIT_S = 3.0
_EXIT_CODE_POLL_S = 0.05


def find_shell(api: docker.APIClient, container_id: str) -> str | None:
    """The first of SHELLS the container can run (probe: exec `SHELL -c 'exit 0'` without a TTY, wait for it, read
    its exit code with exec_inspect; an APIError at create/start, or exit code 126/127, means not there). None when
    none is found (a FROM scratch image). A container that is gone (404) or not running (409) raises: that is the
    container's state, not a missing shell, and the caller says so."""
    import docker.errors

    for shell in SHELLS:
        try:
            exec_id = api.exec_create(container_id, [shell, "-c", "exit 0"], stdout=True, stderr=True)["Id"]
            api.exec_start(exec_id)  # waits for the probe to end (its output is the engine's error, if any)
        except docker.errors.APIError as exc:
            if exc.status_code in (404, 409):
                raise
            logger.debug("no %s in %s: %s", shell, container_id, exc)
            continue
        exit_code = _exit_code_once_ended(api, exec_id)
        if exit_code is not None and exit_code not in _NOT_THERE:
            return shell
    return None


def exec_command(container_name: str, command: list[str]) -> str:
    """The CLI twin, e.g. `docker exec -it web bash` (arguments quoted with shlex.join when needed)."""
    return shlex.join(["docker", "exec", "-it", container_name, *command])


def _exit_code_once_ended(api: docker.APIClient, exec_id: str) -> int | None:
    """The exec's exit code, asking again for a moment while the engine still says it runs; None if it never says."""
    deadline = time.monotonic() + _EXIT_CODE_WAIT_S
    while True:
        state = api.exec_inspect(exec_id)
        if not state.get("Running"):
            return state.get("ExitCode")
        if time.monotonic() >= deadline:
            return None
        time.sleep(_EXIT_CODE_POLL_S)


class ExecTerminal:
    """One `docker exec -it` session: a process with a TTY in a running container, over a hijacked connection.

    Owns its client (a connection of its own, so it can be closed from any thread without touching other calls).
    read() belongs to one reader thread; write(), resize() and exit_code() may come from others."""

    def __init__(self, client: docker.APIClient, exec_id: str, response, reader, sock: socket.socket):
        self.exec_id = exec_id
        self._client = client
        self._response = response  # kept alive: dropping it would close the connection (and a TLS socket with it)
        self._reader = reader  # the buffered file http.client read the headers through
        self._socket = sock
        self._client_lock = threading.Lock()  # docker-py clients are not documented as thread-safe
        self._closed = threading.Event()
        self._ended = threading.Event()  # the engine closed the stream: the process ended or the container stopped
        self._exit_code: int | None = None

    @classmethod
    def open(
        cls, client: docker.APIClient, container_id: str, command: list[str], rows: int, columns: int
    ) -> ExecTerminal:
        """Starts `command` with a TTY of rows x columns in the container. The terminal owns `client` from here on;
        it is closed here if the terminal cannot be opened. Raises docker-py's errors (the caller words them) and
        EngineError for a connection that cannot carry a terminal."""
        try:
            exec_id = client.exec_create(
                container_id,
                command,
                stdin=True,
                stdout=True,
                stderr=True,
                tty=True,
                environment={"TERM": TERM},
            )["Id"]
            response = client._post_json(
                client._url("/exec/{0}/start", exec_id),
                headers={"Connection": "Upgrade", "Upgrade": "tcp"},
                data={"Tty": True, "Detach": False},
                stream=True,
            )
            try:
                client._raise_for_status(response)
                reader, sock = _hijacked(response)
                client._disable_socket_timeout(sock)  # the headers came in time; the terminal may be quiet for hours
            except BaseException:
                response.close()
                raise
        except BaseException:
            client.close()
            raise
        terminal = cls(client, exec_id, response, reader, sock)
        terminal.resize(rows, columns)
        return terminal

    def read(self) -> bytes:
        """Blocking; the next bytes the process wrote (b"" once it ended or the session was closed)."""
        if self._closed.is_set():
            return b""
        try:
            data = self._reader.read1(READ_SIZE)
        except (OSError, ValueError) as exc:  # ValueError: the file was closed under the read
            logger.debug("terminal %s read: %s", self.exec_id[:12], exc)
            data = b""
        if not data:
            self._ended.set()
        return data

    def write(self, data: bytes) -> None:
        """Sends keystrokes/paste to the process (sendall). May block while the process reads nothing (a long paste);
        after the session ended the bytes go nowhere, and the reader's b"" says why."""
        if self._closed.is_set() or not data:
            return
        try:
            self._socket.sendall(data)
        except OSError as exc:
            logger.debug("terminal %s write: %s", self.exec_id[:12], exc)

    def resize(self, rows: int, columns: int) -> None:
        """exec resize, so `stty size` inside says rows columns. A resize the engine refuses (the process just ended)
        is only logged: the terminal keeps its old size, as the docker CLI does."""
        if self._closed.is_set():
            return
        try:
            with self._client_lock:
                self._client.exec_resize(self.exec_id, height=rows, width=columns)
        except Exception as exc:
            logger.debug("terminal %s resize to %dx%d: %s", self.exec_id[:12], rows, columns, exc)

    def exit_code(self) -> int | None:
        """From exec_inspect once the process ended; None while it runs or if unknown (ask before close())."""
        if self._exit_code is not None or self._closed.is_set():
            return self._exit_code
        try:
            with self._client_lock:
                if self._ended.is_set():
                    self._exit_code = _exit_code_once_ended(self._client, self.exec_id)
                else:
                    state = self._client.exec_inspect(self.exec_id)
                    self._exit_code = None if state.get("Running") else state.get("ExitCode")
        except Exception as exc:  # the container was removed with its execs, or the engine went away
            logger.debug("terminal %s exit code: %s", self.exec_id[:12], exc)
        return self._exit_code

    def close(self) -> None:
        """Any thread, idempotent: shuts the socket down (a read blocked on it returns b"") and closes the client.
        Over SSH the shutdown ends the ssh program, whose stdout the reader waits on. Never waits on the engine."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self._socket.shutdown(socket.SHUT_RDWR)  # first: it wakes the reader, which holds the file's lock
        except OSError:
            pass  # the engine closed it already
        try:
            self._response.close()
        except Exception as exc:
            logger.debug("terminal %s close: %s", self.exec_id[:12], exc)
        self._client.close()


def _needs_socket(why_not: str) -> str:
    return (
        f"A terminal needs an engine on this computer or one reached over TCP or SSH; {why_not}. "
        "Run docker exec -it in a terminal instead, or connect Portside to the engine over TCP or SSH."
    )


def _hijacked(response) -> tuple:
    """The buffered file the answer's headers were read through, and the socket under it (for https, the TLS
    socket; over SSH, the SSHSocket docker-py marks the ssh program's stdout with as its `channel`), from requests'
    response over urllib3's over http.client's."""
    reader = getattr(getattr(response.raw, "_fp", None), "fp", None)
    sock = getattr(getattr(reader, "raw", None), "_sock", None) or getattr(reader, "channel", None)
    if not hasattr(reader, "read1") or not hasattr(sock, "sendall") or not hasattr(sock, "shutdown"):
        raise EngineError(_needs_socket("this engine's connection cannot carry one"), repr(sock))
    return reader, sock
