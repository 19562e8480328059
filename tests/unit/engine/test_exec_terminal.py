"""`docker exec -it` without an engine: the CLI twin, the sentences, and the hijacked stream against a scripted engine
socket (the first bytes arriving with the 101 headers, an echo both ways, close() from another thread)."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from pathlib import Path

import docker
import docker.errors
import pytest
import requests

from gui.core.engine.exec_terminal import SHELLS, ExecTerminal, exec_command, find_shell
from gui.core.errors import explain
from tests.fakes.unix_server import UnixServer, each_request, json_answer

EXEC_ID = "e" * 64
UPGRADED = (
    b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
)
PROMPT = b"/ # "


def test_the_cli_twin_quotes_only_what_needs_it():
    assert exec_command("web", ["bash"]) == "docker exec -it web bash"
    assert exec_command("web", ["sh", "-c", "echo hi; ls"]) == "docker exec -it web sh -c 'echo hi; ls'"
    assert exec_command("my app", ["sh"]) == "docker exec -it 'my app' sh"


def test_a_stopped_container_says_start_it_first():
    response = requests.Response()
    response.status_code = 409
    text = f"Container {EXEC_ID} is not running"
    error = explain(docker.errors.APIError(text, response=response, explanation=text), "open a terminal")
    assert error.message == "Could not open a terminal: the container is not running. Start it first, then try again."


class FakeExecEngine(UnixServer):
    """Answers exec create, start (hijacked: 101 plus the prompt in one send, then echoes what it is sent), resize,
    and inspect. hang_up() ends the stream as the engine does when the process exits."""

    def __init__(self, path: Path, exit_code: int = 3, missing: tuple[str, ...] = ()):
        super().__init__(path, name="fake exec engine")
        self.exit_code = exit_code
        self.missing = missing  # shells whose probe exits 127
        self.created: list[dict] = []
        self.resizes: list[str] = []
        self.started = threading.Event()
        self._commands: dict[str, list[str]] = {}

    def serve(self, connection: socket.socket) -> None:
        for request in each_request(connection):
            target, path, body, buffered = request.target, request.path, request.body, request.after
            if path.endswith("/exec"):
                created = json.loads(body)
                self.created.append(created)
                exec_id = f"{len(self.created):064d}"
                self._commands[exec_id] = created["Cmd"]
                connection.sendall(json_answer({"Id": exec_id}, "201 Created"))
            elif path.endswith("/start") and json.loads(body).get("Tty"):
                connection.sendall(UPGRADED + PROMPT)  # the prompt comes in the same packet as the headers
                self.started.set()
                self._echo(connection, buffered)
                return
            elif path.endswith("/start"):  # a probe: no TTY, its output ends with the process
                connection.sendall(UPGRADED)
                connection.shutdown(socket.SHUT_WR)
                return
            elif path.endswith("/resize"):
                self.resizes.append(target.split("?")[1])
                connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            elif path.endswith("/json"):
                command = self._commands[path.split("/")[-2]]
                probe = command[0] in SHELLS and command[1:] == ["-c", "exit 0"]
                code = (127 if command[0] in self.missing else 0) if probe else self.exit_code
                connection.sendall(json_answer({"Running": False, "ExitCode": code}))

    @staticmethod
    def _echo(connection: socket.socket, pending: bytes) -> None:
        if pending:
            connection.sendall(pending)
        while chunk := connection.recv(4096):
            connection.sendall(chunk)


@pytest.fixture
def fake_engine():
    folder = Path(tempfile.mkdtemp(prefix="psxt-"))  # a Unix socket's path may not pass 107 bytes
    engine = FakeExecEngine(folder / "engine.sock")
    yield engine
    engine.close()
    folder.rmdir()


def client_of(engine: FakeExecEngine) -> docker.APIClient:
    return docker.APIClient(base_url=engine.host, version="1.41", timeout=10)


def read_within(terminal: ExecTerminal, deadline_s: float = 10) -> bytes | None:
    """What one read() gives, or None when it is still waiting after deadline_s (the bytes were lost)."""
    reads: list[bytes] = []
    reader = threading.Thread(target=lambda: reads.append(terminal.read()), daemon=True)
    reader.start()
    reader.join(deadline_s)
    return reads[0] if reads else None


def test_the_first_bytes_with_the_headers_are_read_and_keystrokes_echo(fake_engine):
    terminal = ExecTerminal.open(client_of(fake_engine), "web", ["sh"], 33, 101)
    try:
        assert fake_engine.created[0]["Tty"] and fake_engine.created[0]["AttachStdin"]
        assert fake_engine.created[0]["Env"] == ["TERM=xterm-256color"]
        assert fake_engine.resizes == ["h=33&w=101"]
        assert read_within(terminal) == PROMPT
        terminal.write(b"ls\r")
        received = b""
        while received != b"ls\r":
            received += terminal.read()
        terminal.resize(40, 120)
        assert fake_engine.resizes[-1] == "h=40&w=120"
    finally:
        terminal.close()


def test_the_end_of_the_stream_reads_empty_and_gives_the_exit_code(fake_engine):
    terminal = ExecTerminal.open(client_of(fake_engine), "web", ["sh"], 24, 80)
    try:
        assert terminal.read() == PROMPT
        fake_engine.hang_up()  # the process exited
        assert terminal.read() == b""
        assert terminal.exit_code() == 3
    finally:
        terminal.close()


def test_close_from_another_thread_ends_a_blocked_read(fake_engine):
    terminal = ExecTerminal.open(client_of(fake_engine), "web", ["sh"], 24, 80)
    assert terminal.read() == PROMPT
    reads: list[bytes] = []
    reader = threading.Thread(target=lambda: reads.append(terminal.read()), daemon=True)
    reader.start()
    reader.join(0.2)
    assert reader.is_alive()  # nothing to read: it waits
    terminal.close()
    reader.join(10)
    assert not reader.is_alive() and reads == [b""]
    terminal.close()  # again: nothing happens
    assert terminal.read() == b""
    terminal.write(b"late keystroke")  # goes nowhere, raises nothing


def test_the_first_shell_the_container_can_run(fake_engine):
    client = client_of(fake_engine)
    try:
        assert find_shell(client, "web") == "bash"
        fake_engine.missing = ("bash",)
        assert find_shell(client, "web") == "sh"
        fake_engine.missing = ("bash", "sh")
        assert find_shell(client, "web") is None
    finally:
        client.close()
