"""Docker contexts written and removed as the docker CLI does: checked against the real `docker context` commands
(no engine needed: they only read and write the config folder), both ways."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest

from gui.core.engine.context_writer import (
    ContextRefused,
    NewContext,
    meta_folder,
    name_problem,
    remove_context,
    tls_folder,
    write_context,
)
from gui.core.settings.contexts import DockerContext, read_contexts
from tests.unavailable import unavailable
from tests.unit.engine.tls_files import make_tls_files


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    """A docker config folder of this test's own, for Portside and for the docker CLI."""
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "docker-config"
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    return config


@pytest.fixture
def tls(tmp_path):
    return make_tls_files(tmp_path / "from-the-admin")


def docker_cli(*args: str) -> str:
    """The docker CLI's answer (with DOCKER_CONFIG as the test set it)."""
    docker = shutil.which("docker")
    if docker is None:
        unavailable("the docker CLI is not installed (apt-get install docker.io)")
    done = subprocess.run([docker, *args], capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return done.stdout


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_tls_context_written_by_portside_is_listed_and_inspected_by_the_docker_cli(docker_config, tls):
    context = NewContext(
        "gpu-box", "tcp://10.0.0.5:2376", "the lab's GPU server", str(tls.ca), str(tls.cert), str(tls.key)
    )
    write_context(context)

    assert "gpu-box tcp://10.0.0.5:2376" in docker_cli("context", "ls", "--format", "{{.Name}} {{.DockerEndpoint}}")
    (inspected,) = json.loads(docker_cli("context", "inspect", "gpu-box"))
    assert inspected["Metadata"] == {"Description": "the lab's GPU server"}
    assert inspected["Endpoints"]["docker"] == {"Host": "tcp://10.0.0.5:2376", "SkipTLSVerify": False}
    assert sorted(inspected["TLSMaterial"]["docker"]) == ["ca.pem", "cert.pem", "key.pem"]
    copied = tls_folder("gpu-box") / "docker"
    assert (copied / "key.pem").read_bytes() == tls.key.read_bytes()
    assert {mode(copied / name) for name in ("ca.pem", "cert.pem", "key.pem")} == {0o600}
    assert mode(copied) == mode(copied.parent) == 0o700


def test_portside_writes_the_same_files_as_docker_context_create(docker_config, tls, tmp_path):
    endpoint = f"host=tcp://10.0.0.5:2376,ca={tls.ca},cert={tls.cert},key={tls.key}"
    docker_cli("context", "create", "by-cli", "--description", "made by the CLI", "--docker", endpoint)
    write_context(
        NewContext("by-portside", "tcp://10.0.0.5:2376", "made by the CLI", str(tls.ca), str(tls.cert), str(tls.key))
    )

    by_cli, by_portside = meta_folder("by-cli"), meta_folder("by-portside")
    assert (by_portside / "meta.json").read_text() == (by_cli / "meta.json").read_text().replace(
        "by-cli", "by-portside"
    )
    assert mode(by_portside / "meta.json") == mode(by_cli / "meta.json")
    for name in ("ca.pem", "cert.pem", "key.pem"):
        assert (tls_folder("by-portside") / "docker" / name).read_bytes() == (
            tls_folder("by-cli") / "docker" / name
        ).read_bytes()


def test_the_cli_twin_makes_the_same_context_when_run(docker_config, tls, tmp_path):
    # A path with a comma must survive the CLI's CSV reading of --docker.
    odd = tmp_path / "certs, signed"
    shutil.copytree(tls.ca.parent, odd)
    context = NewContext("twin", "tcp://h:2376", "", str(odd / "ca.pem"), str(odd / "cert.pem"), str(odd / "key.pem"))
    subprocess.run(context.command(), shell=True, check=True, capture_output=True, timeout=60)
    (inspected,) = json.loads(docker_cli("context", "inspect", "twin"))
    assert inspected["Endpoints"]["docker"]["Host"] == "tcp://h:2376"
    assert (tls_folder("twin") / "docker" / "ca.pem").read_bytes() == tls.ca.read_bytes()


def test_a_context_made_by_the_docker_cli_is_read_by_portside(docker_config):
    docker_cli("context", "create", "over-ssh", "--description", "my box", "--docker", "host=ssh://me@gpu-box:2222")
    docker_cli("context", "create", "rootless", "--docker", "host=unix:///run/user/1000/docker.sock")
    assert read_contexts() == (
        DockerContext("over-ssh", "ssh://me@gpu-box:2222", "my box"),
        DockerContext("rootless", "unix:///run/user/1000/docker.sock"),
    )


def test_a_removed_context_is_gone_for_the_docker_cli_and_portside(docker_config, tls):
    write_context(NewContext("gone-soon", "tcp://h:2376", "", str(tls.ca), str(tls.cert), str(tls.key)))
    remove_context("gone-soon")
    assert "gone-soon" not in docker_cli("context", "ls", "--format", "{{.Name}}")
    assert read_contexts() == ()
    assert not tls_folder("gone-soon").exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Enter a name"),
        ("default", "'default' is the docker CLI's own name"),
        ("x", "at least two"),
        ("-box", "starting with a letter or a digit"),
        ("my box", "cannot name a docker context"),
        ("gpu/box", "cannot name a docker context"),
    ],
)
def test_names_the_docker_cli_refuses_are_refused_in_words(docker_config, name, words):
    assert words in (name_problem(name) or "")
    with pytest.raises(ContextRefused, match=words):
        write_context(NewContext(name, "ssh://me@h"))
    assert not (docker_config / "contexts").exists() or read_contexts() == ()


def test_an_existing_name_is_refused_and_the_context_kept(docker_config):
    docker_cli("context", "create", "taken", "--docker", "host=ssh://me@first")
    assert "already a docker context named 'taken'" in (name_problem("taken", ["taken"]) or "")
    with pytest.raises(ContextRefused, match="already a docker context named 'taken'"):
        write_context(NewContext("taken", "ssh://me@second"))
    assert read_contexts() == (DockerContext("taken", "ssh://me@first"),)


def test_a_key_of_another_certificate_is_refused_and_nothing_is_left(docker_config, tls):
    context = NewContext("wrong-key", "tcp://h:2376", "", str(tls.ca), str(tls.cert), str(tls.other_key))
    with pytest.raises(ContextRefused, match="does not open the certificate"):
        write_context(context)
    assert not meta_folder("wrong-key").exists() and not tls_folder("wrong-key").exists()


def test_a_file_that_is_not_a_certificate_is_refused(docker_config, tls, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("ask the admin for the CA\n")
    with pytest.raises(ContextRefused, match="is not a PEM certificate"):
        write_context(NewContext("no-ca", "tcp://h:2376", "", str(notes)))
    missing = tmp_path / "missing.pem"
    with pytest.raises(ContextRefused, match=r"Could not read .*missing\.pem"):
        write_context(NewContext("no-ca", "tcp://h:2376", "", str(missing)))
    assert read_contexts() == ()


def test_default_the_current_context_and_an_unknown_one_are_not_removed(docker_config):
    write_context(NewContext("in-use", "ssh://me@h"))
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "in-use"}))
    with pytest.raises(ContextRefused, match="docker context use default"):
        remove_context("in-use")
    with pytest.raises(ContextRefused, match="cannot be removed"):
        remove_context("default")
    with pytest.raises(ContextRefused, match="no docker context named 'never-made'"):
        remove_context("never-made")
    assert [context.name for context in read_contexts()] == ["in-use"]


def test_the_cli_twin_quotes_what_the_shell_and_the_csv_reading_need():
    context = NewContext(
        "gpu-box", "tcp://h:2376", "the lab's box", "/certs/ca.pem", "/my certs, new/cert.pem", "/k.pem"
    )
    assert context.command() == (
        "docker context create gpu-box --description 'the lab'\"'\"'s box' --docker "
        "'host=tcp://h:2376,ca=/certs/ca.pem,\"cert=/my certs, new/cert.pem\",key=/k.pem'"
    )
    assert NewContext("", "ssh://me@h").command() == "docker context create NAME --docker host=ssh://me@h"
