"""An engine typed in the Add engine dialog: its address for each kind, checked as typed, and one diagnosis of it."""

from __future__ import annotations

import socket

import pytest

from gui.core.engine.connection import EngineState
from gui.core.engine.context_writer import ContextRefused
from gui.core.engine.engine_address import LOCAL, PLAIN, SSH, TLS, TypedEngine, address_problem, diagnose_typed
from tests.unit.engine.tls_files import make_tls_files


@pytest.mark.parametrize(
    ("kind", "address", "url"),
    [
        (LOCAL, "", "unix:///var/run/docker.sock"),
        (LOCAL, "/run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock"),
        (SSH, "me@gpu-box", "ssh://me@gpu-box"),
        (SSH, "ssh://me@gpu-box.lab:2222", "ssh://me@gpu-box.lab:2222"),
        (SSH, "gpu-box", "ssh://gpu-box"),
        (TLS, "10.0.0.5", "tcp://10.0.0.5:2376"),
        (TLS, "tcp://gpu-box:12376", "tcp://gpu-box:12376"),
        (PLAIN, "gpu-box", "tcp://gpu-box:2375"),
        (PLAIN, "::1", "tcp://[::1]:2375"),
        (PLAIN, "[fe80::1]:2000", "tcp://[fe80::1]:2000"),
    ],
)
def test_each_kind_becomes_the_url_the_docker_cli_takes(kind, address, url):
    assert address_problem(kind, address) is None
    assert TypedEngine(kind, address, ca="/ca.pem").host() == url


@pytest.mark.parametrize(
    ("kind", "address", "words"),
    [
        (LOCAL, "docker.sock", "not a full path"),
        (SSH, "", "Enter the engine's computer"),
        (SSH, "me@gpu box", "'gpu box' is not a host name"),
        (SSH, "m e@box", "'m e' is not a user name"),
        (SSH, "me@box:ssh", "'ssh' is not a port"),
        (TLS, "box:99999", "'99999' is not a port"),
        (PLAIN, "box_1", "'box_1' is not a host name"),
    ],
)
def test_a_wrong_address_is_named_in_a_sentence(kind, address, words):
    assert words in (address_problem(kind, address) or "")


def test_tls_needs_the_ca_and_the_client_pair_together():
    assert "CA certificate" in TypedEngine(TLS, "box").problem()
    assert "both the client certificate" in TypedEngine(TLS, "box", ca="/ca.pem", cert="/cert.pem").problem()
    assert "not a full path" in TypedEngine(TLS, "box", ca="ca.pem").problem()
    assert TypedEngine(TLS, "box", ca="/ca.pem", cert="/cert.pem", key="/key.pem").problem() is None
    assert TypedEngine(PLAIN, "box", ca="/ignored.pem").tls_files == ("", "", "")


def test_a_typed_socket_nothing_listens_on_is_diagnosed_not_running(tmp_path):
    diagnosis = diagnose_typed(TypedEngine(LOCAL, str(tmp_path / "docker.sock")), "lab")
    assert diagnosis.state in (EngineState.NOT_RUNNING, EngineState.NOT_INSTALLED)
    assert diagnosis.endpoint.host == f"unix://{tmp_path}/docker.sock"


def free_port() -> int:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there now
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_typed_tcp_port_nothing_listens_on_is_not_running():
    diagnosis = diagnose_typed(TypedEngine(PLAIN, f"127.0.0.1:{free_port()}"))
    assert diagnosis.state is EngineState.NOT_RUNNING


def test_a_typed_tls_engine_is_tried_with_its_certificates(tmp_path):
    tls = make_tls_files(tmp_path / "from-the-admin")
    port = free_port()
    engine = TypedEngine(TLS, f"127.0.0.1:{port}", str(tls.ca), str(tls.cert), str(tls.key))
    diagnosis = diagnose_typed(engine, "lab")
    assert diagnosis.state is EngineState.NOT_RUNNING
    assert diagnosis.endpoint.host == f"tcp://127.0.0.1:{port}" and diagnosis.endpoint.tls


def test_a_typed_tls_engine_with_a_key_of_another_certificate_is_refused_before_any_connection(tmp_path):
    tls = make_tls_files(tmp_path / "from-the-admin")
    engine = TypedEngine(TLS, f"127.0.0.1:{free_port()}", str(tls.ca), str(tls.cert), str(tls.other_key))
    with pytest.raises(ContextRefused, match="does not open the certificate"):
        diagnose_typed(engine)
