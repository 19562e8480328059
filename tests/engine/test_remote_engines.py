"""Remote engines through Portside's own Engine: a dockerd over TLS (tcp://127.0.0.1:PORT, --tlsverify) and an
engine over SSH (a real sshd on 127.0.0.1 in front of the shared engine), each listed, run on, streamed and built
on while the local engine is open too; and each way a remote connection fails, said in a sentence."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

import pytest

from gui.core.build.progress import BuildProgress
from gui.core.build.spec import BuildSpec
from gui.core.engine.build_request import open_build
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint, EngineState, diagnose
from gui.core.errors import explain
from gui.core.run.spec import RunContainer, RunSpec
from tests.engine import engine_helpers as eh
from tests.engine import processes

pytestmark = pytest.mark.engine

GREETING = "hello from far away"


@pytest.fixture(params=["tls", "ssh"])
def remote(request) -> Engine:
    """Portside's Engine on the TLS engine or the SSH engine, found by diagnose as the app finds it."""
    if request.param == "tls":
        endpoint, setup = request.getfixturevalue("tls_engine").endpoint(), contextlib.nullcontext()
    else:
        ssh = request.getfixturevalue("ssh_engine")
        endpoint, setup = Endpoint(ssh.host, "DOCKER_HOST"), ssh.profile("good")
    with setup:
        diagnosis = diagnose(endpoint)
        assert diagnosis.usable, diagnosis.detail
        engine = Engine.from_diagnosis(diagnosis)
        try:
            yield engine
        finally:
            engine.close()


def first(items: Iterable, wanted: Callable[[object], bool], deadline_s: float = 30):
    """The first item `wanted` accepts, read on a thread of its own (a stream blocks), or None by the deadline."""
    found: queue.Queue = queue.Queue()

    def read() -> None:
        with contextlib.suppress(Exception):  # the stream closed under the reader at the end of the test
            for item in items:
                if wanted(item):
                    found.put(item)
                    return

    threading.Thread(target=read, daemon=True).start()
    try:
        return found.get(timeout=deadline_s)
    except queue.Empty:
        return None


def test_lists_runs_and_streams_on_a_remote_engine(remote, engine, busybox_image, test_labels):
    events = remote.events(since=time.time() - 1)
    try:
        spec = RunSpec(busybox_image, command=f"sh -c 'echo {GREETING}; sleep 60'", labels=tuple(test_labels.items()))
        container_id = remote.perform(RunContainer(spec))

        started = first(events, lambda e: e.get("status") == "start" and e.get("id") == container_id)
        assert started is not None, "the remote engine's event stream did not tell of the start"
    finally:
        events.close()

    logs = remote.logs(container_id, follow=True)
    try:
        text: list[str] = []

        def says_hello(chunk) -> bool:
            text.append(chunk.decode() if isinstance(chunk, bytes) else str(chunk))
            return GREETING in "".join(text)

        assert first(logs, says_hello) is not None, f"log stream read {''.join(text)!r}"
    finally:
        logs.close()

    snapshot = remote.snapshot()
    assert container_id in {row.id for row in snapshot.containers}
    assert busybox_image in {f"{image.repository}:{image.tag}" for image in snapshot.images}
    assert engine.snapshot() is not None  # the local engine answers alongside

    reading = remote.stats_once(container_id)
    assert reading.get("memory_stats"), reading


def test_the_app_follows_a_remote_engine_beside_the_local_one(qtbot, remote, busybox_image, test_labels):
    """Portside's EngineSession (the lists kept live by the event stream) on the remote engine and on the local one
    at once: a container run on the remote engine shows up in its session's list."""
    from gui.workers.session import EngineSession

    endpoints = (remote.endpoint, Endpoint(eh.engine_url(), "DOCKER_HOST"))
    sessions = [EngineSession(diagnose_fn=lambda endpoint=endpoint: diagnose(endpoint)) for endpoint in endpoints]
    for session in sessions:
        session.start()
    try:
        qtbot.waitUntil(lambda: all(session.snapshot is not None for session in sessions), timeout=30_000)
        spec = RunSpec(busybox_image, command="sleep 60", labels=tuple(test_labels.items()))
        container_id = remote.perform(RunContainer(spec))
        listed = lambda: container_id in {row.id for row in sessions[0].snapshot.containers}  # noqa: E731
        qtbot.waitUntil(listed, timeout=30_000)
    finally:
        for session in sessions:
            session.stop()


def test_a_build_sends_its_context_over_the_connection(remote, busybox_image, test_labels, tmp_path):
    (tmp_path / "greeting.txt").write_text(GREETING + "\n")
    (tmp_path / "Dockerfile").write_text(f"FROM {busybox_image}\nCOPY greeting.txt /greeting.txt\n")
    labels = tuple({eh.SHARED_LABEL: "0", **test_labels}.items())
    tag = f"portside-test/remote-build:{test_labels[eh.CASE_LABEL]}"
    spec = BuildSpec(tmp_path, tags=(tag,), labels=labels, no_cache=True)

    progress = BuildProgress(spec.dockerfile_path.read_text())
    lines: list[str] = []
    stream = open_build(remote, spec)
    try:
        for message in stream:
            lines += progress.feed(message)
    finally:
        stream.close()
    lines += progress.flush()

    assert progress.finished and not progress.failed, lines
    assert any(line.startswith("Step 2/") and "COPY greeting.txt" in line for line in lines), lines
    assert tag in {f"{image.repository}:{image.tag}" for image in remote.snapshot().images}


def test_ssh_logs_in_once_for_many_requests(ssh_engine):
    # Found: docker-py's ssh transport logged in anew for every request (a list refresh, an inspect, a reading).
    with ssh_engine.profile("good"):
        engine = Engine.from_diagnosis(diagnose(Endpoint(ssh_engine.host, "DOCKER_HOST")))
        try:
            engine.snapshot()
            before = ssh_engine.logins()
            for _ in range(5):
                engine.snapshot()
            assert ssh_engine.logins() == before
        finally:
            engine.close()


@pytest.mark.parametrize("end", ["closed", "connection lost"])
def test_an_ssh_log_stream_ends_when_closed_or_cut(ssh_engine, busybox_image, test_labels, end):
    """The app cancels a stream by closing it, and resumes one the engine dropped: over SSH both must end the
    reader, never leave it waiting on a pipe."""
    with ssh_engine.profile("good"):
        engine = Engine.from_diagnosis(diagnose(Endpoint(ssh_engine.host, "DOCKER_HOST")))
        try:
            spec = RunSpec(busybox_image, command="sh -c 'while true; do echo tick; sleep 1; done'")
            container_id = engine.perform(RunContainer(replace(spec, labels=tuple(test_labels.items()))))
            logs = engine.logs(container_id, follow=True)
            ended = threading.Event()
            threading.Thread(target=lambda: (list(logs), ended.set()), daemon=True).start()
            if end == "closed":
                logs.close()
            else:  # the ssh program of every connection to this sshd dies, as when the network goes
                for pid in processes.pids_mentioning(str(ssh_engine.root / "good" / "ssh_config")):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            assert ended.wait(30), "the reader still waits on a stream that is gone"
            logs.close()
        finally:
            engine.close()


def test_an_ssh_terminal_closed_wakes_its_reader_and_ends_its_ssh(ssh_engine, busybox_image, test_labels):
    """Closing a Terminal window (from the GUI thread, while its reader waits for output) must end the reader and
    the ssh programs the terminal started (its stream's and its resize's), as on a socket."""
    with ssh_engine.profile("good"):
        engine = Engine.from_diagnosis(diagnose(Endpoint(ssh_engine.host, "DOCKER_HOST")))
        try:
            spec = RunSpec(busybox_image, command="sleep 120", labels=tuple(test_labels.items()))
            container_id = engine.perform(RunContainer(spec))
            config = str(ssh_engine.root / "good" / "ssh_config")
            before = {pid for pid in processes.pids_mentioning(config) if processes.is_alive(pid)}
            terminal = engine.open_terminal(container_id, ["sh"], 24, 80)
            terminal.write(b"echo ready-$((1+1))\n")
            read_until(terminal, b"ready-2")
            ended = threading.Event()

            def read_to_the_end() -> None:
                while terminal.read():
                    pass
                ended.set()

            threading.Thread(target=read_to_the_end, daemon=True).start()
            time.sleep(0.2)  # not a wait for a condition: lets the reader block in read() before the close
            terminal.close()
            assert ended.wait(30), "the reader still waits on a terminal that was closed"
            deadline = time.monotonic() + 30
            while {pid for pid in processes.pids_mentioning(config) if processes.is_alive(pid)} - before:
                assert time.monotonic() < deadline, "the terminal's ssh programs outlived it"
                time.sleep(0.1)
        finally:
            engine.close()


# Failures, each in a sentence ------------------------------------------------------------------------------------


def test_tls_with_another_ca_names_the_ca_file(tls_engine):
    diagnosis = diagnose(tls_engine.endpoint("wrong_ca"))
    assert not diagnosis.usable
    assert "did not sign" in diagnosis.detail
    assert str(tls_engine.certs["wrong_ca"] / "ca.pem") in diagnosis.detail


def test_tls_with_an_expired_client_certificate_says_when_it_expired(tls_engine):
    diagnosis = diagnose(tls_engine.endpoint("expired"))
    assert not diagnosis.usable
    assert "client certificate" in diagnosis.detail and "expired on" in diagnosis.detail


def test_tls_checks_the_engine_against_its_own_ca_whatever_requests_ca_bundle_says(tls_engine, monkeypatch):
    # Found: requests let REQUESTS_CA_BUNDLE (set on many workstations) replace the engine's ca.pem.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_engine.certs["wrong_ca"] / "ca.pem"))
    diagnosis = diagnose(tls_engine.endpoint("good"))
    assert diagnosis.usable, diagnosis.detail


def test_ssh_with_an_unknown_host_key_shows_its_fingerprint(ssh_engine):
    with ssh_engine.profile("unknown_host"):
        diagnosis = diagnose(Endpoint(ssh_engine.host, "DOCKER_HOST"))
    assert diagnosis.state is EngineState.UNREACHABLE
    assert ssh_engine.host_key_fingerprint in diagnosis.detail
    assert "ssh-keyscan" in diagnosis.detail and f"-p {ssh_engine.port}" in diagnosis.detail


def test_ssh_with_a_refused_key_says_how_to_add_it(ssh_engine):
    with ssh_engine.profile("refused_key"):
        diagnosis = diagnose(Endpoint(ssh_engine.host, "DOCKER_HOST"))
    assert diagnosis.state is EngineState.UNREACHABLE
    assert "refused your SSH key" in diagnosis.detail and "ssh-copy-id" in diagnosis.detail


@pytest.mark.parametrize("scheme", ["tcp", "ssh"])
def test_an_address_where_nothing_listens_is_said_plainly(ssh_engine, scheme):
    port = eh.free_port()
    host = f"tcp://127.0.0.1:{port}" if scheme == "tcp" else f"ssh://root@127.0.0.1:{port}"
    with ssh_engine.profile("good"):
        diagnosis = diagnose(Endpoint(host, "DOCKER_HOST", tls=scheme == "tcp"))
    assert not diagnosis.usable
    assert f"Nothing answers at 127.0.0.1:{port}" in diagnosis.detail


def test_a_tls_refusal_mid_session_is_a_sentence(tls_engine):
    """A client certificate that stops being accepted while Portside works (explain, not diagnose)."""
    engine = Engine(tls_engine.endpoint("wrong_ca"), "1.41")
    try:
        with pytest.raises(Exception) as raised:
            engine.containers()
    finally:
        engine.close()
    error = explain(raised.value, "list the containers")
    assert error.message.startswith("Could not list the containers: the engine at 127.0.0.1 showed a certificate")


def test_files_and_a_terminal_on_a_remote_engine(remote, busybox_image, test_labels, tmp_path):
    """The Files window's listing and copies (exec and the archive API) work over TLS and SSH as on the local socket,
    and so does a Terminal: over SSH its hijacked exec connection is the ssh program's stdin and stdout."""
    from gui.core.files.backend import ContainerFiles

    spec = RunSpec(busybox_image, command="sleep 120", labels=tuple(test_labels.items()))
    container_id = remote.perform(RunContainer(spec))
    files = ContainerFiles(remote, container_id, "far", running=True)
    cancel = threading.Event()
    (tmp_path / "weights.bin").write_bytes(b"w" * 200_000)
    files.upload([tmp_path / "weights.bin"], "/tmp", lambda *_: None, cancel)
    listed = files.list_folder("/tmp", cancel)
    assert listed.how == "exec" and [(e.name, e.size) for e in listed.entries] == [("weights.bin", 200_000)]
    (tmp_path / "back").mkdir()
    files.download("/tmp/weights.bin", tmp_path / "back", lambda *_: None, cancel)
    assert (tmp_path / "back" / "weights.bin").read_bytes() == b"w" * 200_000

    terminal = remote.open_terminal(container_id, ["sh"], 24, 80)
    try:
        terminal.write(b"echo far-$((6*7))\n")
        read_until(terminal, b"far-42")
        terminal.resize(33, 101)  # a request of its own, beside the hijacked connection
        terminal.write(b"stty size\n")
        read_until(terminal, b"33 101")
    finally:
        terminal.close()


def read_until(terminal, wanted: bytes) -> bytes:
    """The terminal's output up to and with `wanted` (a test timeout ends a read that never comes)."""
    seen = b""
    while wanted not in seen:
        chunk = terminal.read()
        assert chunk, f"the terminal ended before showing {wanted!r}: {seen!r}"
        seen += chunk
    return seen
