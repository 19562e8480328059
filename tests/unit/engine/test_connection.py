"""The engine is found the way the docker CLI finds it, and each failure has its own state."""

import hashlib
import http.server
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gui.core.engine import connection
from gui.core.engine.connection import EngineState, diagnose, gpu_support, negotiate_version, resolve_endpoint


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    return tmp_path


def write_context(config_dir, name, host):
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}}))


def test_docker_host_wins_over_context(docker_config, monkeypatch):
    write_context(docker_config, "remote", "tcp://10.0.0.5:2375")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/custom.sock")
    endpoint = resolve_endpoint()
    assert (endpoint.host, endpoint.source) == ("unix:///tmp/custom.sock", "DOCKER_HOST")


def test_current_context_from_config(docker_config):
    write_context(docker_config, "rootless", "unix:///run/user/1000/docker.sock")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "rootless"}))
    endpoint = resolve_endpoint()
    assert endpoint.host == "unix:///run/user/1000/docker.sock"
    assert endpoint.source == "context rootless"


def test_docker_context_variable_beats_config(docker_config, monkeypatch):
    write_context(docker_config, "a", "unix:///a.sock")
    write_context(docker_config, "b", "unix:///b.sock")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "a"}))
    monkeypatch.setenv("DOCKER_CONTEXT", "b")
    assert resolve_endpoint().host == "unix:///b.sock"


def test_default_socket_without_settings(docker_config):
    assert resolve_endpoint().host == "unix:///var/run/docker.sock"
    (docker_config / "config.json").write_text("{not json")
    assert resolve_endpoint().source == "default"


def test_missing_socket_is_not_running_when_docker_is_installed(docker_config, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    monkeypatch.setattr(connection, "docker_is_installed", lambda: True)
    assert diagnose().state is EngineState.NOT_RUNNING


def test_missing_socket_and_no_docker_is_not_installed(docker_config, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    monkeypatch.setattr(connection, "docker_is_installed", lambda: False)
    assert diagnose().state is EngineState.NOT_INSTALLED


def test_stale_socket_file_is_not_running(docker_config, monkeypatch, tmp_path):
    path = tmp_path / "stale.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the file stays, nobody listens: what a crashed dockerd leaves behind
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    diagnosis = diagnose()
    assert diagnosis.state is EngineState.NOT_RUNNING
    assert not diagnosis.usable


def diagnose_as_unprivileged(host: str) -> str:
    """The state another user would get. Root opens any socket, so drop the capability that lets it."""
    code = "from gui.core.engine.connection import diagnose; print(diagnose().state.value)"
    prefix = []
    if os.geteuid() == 0:
        prefix = [
            "setpriv",
            "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search",
        ]
    result = subprocess.run(
        [*prefix, sys.executable, "-c", code],
        env={**os.environ, "DOCKER_HOST": host},
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_unreadable_socket_is_permission_denied(tmp_path):
    path = tmp_path / "locked.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    os.chmod(path, 0)
    try:
        assert diagnose_as_unprivileged(f"unix://{path}") == "permission-denied"
    finally:
        server.close()


def test_gpu_support_from_runtime_or_cdi():
    assert gpu_support({"Runtimes": {"runc": {}, "nvidia": {}}}) == "nvidia runtime"
    assert gpu_support({"DiscoveredDevices": [{"Source": "cdi", "ID": "nvidia.com/gpu=0"}]}) == "CDI devices"
    assert gpu_support({"Runtimes": {"runc": {}}}, cdi_spec_text="kind: nvidia.com/gpu") == "CDI devices"
    assert gpu_support({"Runtimes": {"runc": {}}}) is None


def test_version_negotiation_caps_at_the_client():
    assert negotiate_version("1.41") == "1.41"
    import docker.constants

    assert negotiate_version("9.99") == docker.constants.DEFAULT_DOCKER_API_VERSION


class _OldEngineHandler(http.server.BaseHTTPRequestHandler):
    """Answers like a Docker 17.06 engine: API 1.30."""

    def do_GET(self):
        body = json.dumps({"Version": "17.06.0-ce", "ApiVersion": "1.30"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("local", 0)  # BaseHTTPRequestHandler wants a (host, port) client address


def test_old_engine_api_is_too_old(docker_config, monkeypatch, tmp_path):
    path = tmp_path / "old.sock"
    server = _UnixHTTPServer(str(path), _OldEngineHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    try:
        diagnosis = diagnose()
    finally:
        server.shutdown()
        server.server_close()
    assert diagnosis.state is EngineState.API_TOO_OLD
    assert "1.30" in diagnosis.detail and "1.40" in diagnosis.detail
