"""The docker contexts found in the docker CLI's config folder, and the engine chosen among them."""

from __future__ import annotations

import hashlib
import json

import pytest

from gui.core.engine.connection import DEFAULT_UNIX_HOST, resolve_endpoint
from gui.core.settings import contexts
from gui.core.settings.contexts import DockerContext, engine_choices, read_contexts


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def no_choice_left_behind():
    yield
    contexts.choose("")


def write_context(config_dir, name, host, description=""):
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    data = {"Name": name, "Metadata": {"Description": description}, "Endpoints": {"docker": {"Host": host}}}
    (meta / "meta.json").write_text(json.dumps(data))


def test_two_contexts_are_listed_by_name_with_their_hosts(docker_config):
    write_context(docker_config, "rootless", "unix:///run/user/1000/docker.sock", "my own engine")
    write_context(docker_config, "gpu-box", "ssh://me@gpu-box")
    assert read_contexts() == (
        DockerContext("gpu-box", "ssh://me@gpu-box"),
        DockerContext("rootless", "unix:///run/user/1000/docker.sock", "my own engine"),
    )


def test_a_broken_context_file_is_skipped(docker_config):
    write_context(docker_config, "good", "unix:///good.sock")
    broken = docker_config / "contexts" / "meta" / ("0" * 64)
    broken.mkdir(parents=True)
    (broken / "meta.json").write_text("{not json")
    assert [context.name for context in read_contexts()] == ["good"]


def test_no_contexts_folder_lists_none(docker_config):
    assert read_contexts() == ()


def test_the_detected_default_is_what_the_docker_cli_would_use(docker_config):
    write_context(docker_config, "a", "unix:///a.sock")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "a"}))
    found = engine_choices()
    assert [context.name for context in found.contexts] == ["a"]
    assert (found.detected.host, found.detected.source, found.docker_host) == ("unix:///a.sock", "context a", "")


def test_a_chosen_context_wins_over_docker_context_and_the_config(docker_config, monkeypatch):
    write_context(docker_config, "a", "unix:///a.sock")
    write_context(docker_config, "b", "unix:///b.sock")
    write_context(docker_config, "c", "unix:///c.sock")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "a"}))
    assert resolve_endpoint("c").host == "unix:///c.sock"
    monkeypatch.setenv("DOCKER_CONTEXT", "b")
    endpoint = resolve_endpoint("c")
    assert (endpoint.host, endpoint.context) == ("unix:///c.sock", "c")
    assert resolve_endpoint().host == "unix:///b.sock"  # no choice: as before


def test_docker_host_wins_over_a_chosen_context(docker_config, monkeypatch):
    write_context(docker_config, "c", "unix:///c.sock")
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert resolve_endpoint("c").source == "DOCKER_HOST"
    assert engine_choices().docker_host == "tcp://127.0.0.1:2375"


def test_a_chosen_context_that_is_gone_leaves_the_choice_to_the_docker_cli(docker_config, fail_on_unexpected_warnings):
    write_context(docker_config, "a", "unix:///a.sock")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "a"}))
    assert resolve_endpoint("gone").host == "unix:///a.sock"
    assert [record.getMessage() for record in fail_on_unexpected_warnings.records] == [
        "the chosen docker context 'gone' has no docker endpoint; using the docker CLI's"
    ]
    fail_on_unexpected_warnings.records.clear()  # expected: said in the log


def test_choosing_default_means_this_computers_socket(docker_config):
    write_context(docker_config, "a", "unix:///a.sock")
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "a"}))
    assert (resolve_endpoint("default").host, resolve_endpoint("default").source) == (DEFAULT_UNIX_HOST, "default")


def test_the_engine_check_follows_the_choice(docker_config, monkeypatch):
    write_context(docker_config, "c", "unix:///c.sock")
    checked = []
    monkeypatch.setattr(contexts, "diagnose", lambda endpoint: checked.append(endpoint.host))
    contexts.diagnose_chosen()
    contexts.choose("c")
    contexts.diagnose_chosen()
    assert checked == [DEFAULT_UNIX_HOST, "unix:///c.sock"]
