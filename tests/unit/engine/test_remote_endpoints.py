"""A remote engine's address comes with what reaching it needs: a context's TLS folder, DOCKER_CERT_PATH, ssh."""

import hashlib
import json

import pytest

from gui.core.engine.connection import Endpoint, make_api_client, resolve_endpoint, ssh_argv, tls_config
from tests.engine.tls_engine import make_certificates


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    return tmp_path


def write_context(config_dir, name, host, skip_verify=False):
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    docker = {"Host": host, "SkipTLSVerify": skip_verify}
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": docker}}))
    return config_dir / "contexts" / "tls" / digest / "docker"


def test_a_context_with_certificates_is_reached_over_tls(docker_config):
    tls_folder = write_context(docker_config, "far", "tcp://10.0.0.5:2376")
    make_certificates(docker_config / "made")
    tls_folder.mkdir(parents=True)
    for pem in ("ca.pem", "cert.pem", "key.pem"):
        (tls_folder / pem).write_bytes((docker_config / "made" / "good" / pem).read_bytes())

    endpoint = resolve_endpoint("far")

    assert (endpoint.tls, endpoint.cert_path, endpoint.tls_verify) == (True, str(tls_folder), True)
    config = tls_config(endpoint)
    assert config.cert == (str(tls_folder / "cert.pem"), str(tls_folder / "key.pem"))
    assert config.ca_cert == str(tls_folder / "ca.pem")
    client = make_api_client(endpoint)
    try:
        assert client.base_url == "https://10.0.0.5:2376"
        assert client.verify == str(tls_folder / "ca.pem")
    finally:
        client.close()


def test_a_context_without_certificates_stays_plain(docker_config):
    write_context(docker_config, "plain", "tcp://10.0.0.5:2375")
    endpoint = resolve_endpoint("plain")
    assert (endpoint.tls, endpoint.cert_path) == (False, None)


def test_docker_host_takes_its_certificates_from_docker_cert_path(docker_config, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.5:2376")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", "/somewhere/certs")
    endpoint = resolve_endpoint()
    assert (endpoint.tls, endpoint.cert_path, endpoint.tls_verify) == (True, "/somewhere/certs", True)
    monkeypatch.delenv("DOCKER_CERT_PATH")
    monkeypatch.delenv("DOCKER_TLS_VERIFY")
    monkeypatch.setenv("DOCKER_TLS", "1")
    endpoint = resolve_endpoint()
    assert (endpoint.tls, endpoint.cert_path, endpoint.tls_verify) == (True, str(docker_config), False)


def test_ssh_goes_through_the_ssh_program_and_never_asks():
    assert ssh_argv("ssh://me@server:2222", "docker", "version") == [
        *("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-l", "me", "-p", "2222"),
        *("--", "server", "docker", "version"),
    ]
    client = make_api_client(Endpoint("ssh://me@server:2222", "DOCKER_HOST"))
    try:
        assert client._custom_adapter.ssh_client is None  # shelled out to ssh, not paramiko
    finally:
        client.close()
