"""Remembered run settings and presets: per repository, secrets never on disk, a bad file never fatal."""

from __future__ import annotations

import json
import logging
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from gui.core.run import memory as run_memory
from gui.core.run.memory import RunMemory, memory_key
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec
from tests.fakes.memory_keyring import MemoryKeyring

SPEC = RunSpec(
    image="my-ai-app:1.0",
    name="chat",
    ports=(PortSpec("8000", "8000"), PortSpec("53", "5353", "udp")),
    env=(EnvVar("MODEL", "llama"), EnvVar("HF_TOKEN", "hf_secret_value"), EnvVar("apiKey", "sk-123")),
    mounts=(MountSpec("volume", "models", "/models"),),
    gpus=GpuSpec(GpuMode.ALL),
    shm_size="1g",
)


@pytest.fixture
def memory(tmp_path) -> RunMemory:
    return RunMemory(tmp_path / "portside" / "run-settings.json")


def test_the_default_file_is_in_the_sandboxed_config_folder():
    path = RunMemory().path
    assert path.name == "run-settings.json" and path.parent.name == "portside"
    assert Path(os.environ["XDG_CONFIG_HOME"]) in path.parents


def test_nothing_remembered_yet(memory):
    assert memory.last_for("my-ai-app:1.0") is None
    assert memory.presets() == {}
    assert not memory.path.exists()


def test_last_settings_come_back_for_any_tag_of_the_repository(memory):
    memory.remember(SPEC)
    again = memory.last_for("my-ai-app:2.0")
    assert again is not None
    assert again.image == "my-ai-app:2.0"
    assert again.ports == SPEC.ports and again.mounts == SPEC.mounts and again.gpus == SPEC.gpus
    assert again.name == "chat" and again.shm_size == "1g"
    assert memory.last_for("my-ai-app@sha256:" + "a" * 64).ports == SPEC.ports
    assert memory.last_for("other-app:1.0") is None


def test_secret_values_are_never_written(memory):
    memory.remember(SPEC)
    memory.save_preset("chat on all GPUs", SPEC)
    text = memory.path.read_text()
    assert "hf_secret_value" not in text and "sk-123" not in text
    env = {var.name: var.value for var in memory.last_for("my-ai-app").env}
    assert env == {"MODEL": "llama", "HF_TOKEN": "", "apiKey": ""}
    assert memory.presets()["chat on all GPUs"].env == memory.last_for("my-ai-app").env


def test_the_latest_run_replaces_the_last_one(memory):
    memory.remember(SPEC)
    memory.remember(RunSpec("my-ai-app:1.1", cpus="2"))
    assert memory.last_for("my-ai-app") == RunSpec("my-ai-app", cpus="2")


@pytest.mark.parametrize(
    "first, second",
    [
        ("python:3.11", "docker.io/library/python:3.12"),
        ("user/app", "docker.io/user/app:latest"),
        ("localhost:5000/team/app:1", "localhost:5000/team/app:2"),
    ],
)
def test_one_repository_however_it_is_written(memory, first, second):
    assert memory_key(first) == memory_key(second)
    memory.remember(RunSpec(first, memory="2g"))
    assert memory.last_for(second).memory == "2g"


def test_a_registry_port_is_not_a_tag():
    assert memory_key("localhost:5000/app") == "localhost:5000/app"
    assert memory_key("localhost:5000/app") != memory_key("localhost:5001/app")


def test_old_images_are_forgotten_beyond_the_limit(memory, monkeypatch):
    monkeypatch.setattr(run_memory, "MAX_IMAGES", 3)
    for number in range(5):
        memory.remember(RunSpec(f"app{number}"))
    memory.remember(RunSpec("app2", cpus="1"))  # used again: now the most recent
    assert [memory.last_for(f"app{n}") is not None for n in range(5)] == [False, False, True, True, True]
    assert list(json.loads(memory.path.read_text())["last"]) == ["app3", "app4", "app2"]


def test_presets_save_replace_list_sorted_and_delete(memory):
    memory.save_preset("  vLLM server ", SPEC)
    memory.save_preset("jupyter", RunSpec("jupyter/base", ports=(PortSpec("8888", "8888"),)))
    memory.save_preset("vLLM server", RunSpec("vllm/vllm-openai", shm_size="8g"))
    presets = memory.presets()
    assert list(presets) == ["jupyter", "vLLM server"]
    assert presets["vLLM server"].shm_size == "8g"
    memory.delete_preset("jupyter")
    memory.delete_preset("never saved")
    assert list(memory.presets()) == ["vLLM server"]
    # A preset and the last settings live side by side.
    memory.remember(SPEC)
    assert list(memory.presets()) == ["vLLM server"] and memory.last_for("my-ai-app")


def test_a_preset_needs_a_name(memory):
    with pytest.raises(ValueError, match="name"):
        memory.save_preset("   ", SPEC)


def test_two_memories_on_one_file_see_each_other(memory):
    other = RunMemory(memory.path)
    memory.remember(SPEC)
    other.save_preset("p", SPEC)
    assert memory.presets().keys() == {"p"} and other.last_for("my-ai-app") is not None


def test_writes_are_atomic_and_keep_the_file_mode(memory):
    memory.remember(SPEC)
    memory.path.chmod(0o600)
    memory.save_preset("p", SPEC)
    assert stat.S_IMODE(memory.path.stat().st_mode) == 0o600
    assert [p.name for p in memory.path.parent.iterdir()] == ["run-settings.json"]  # no temporary left


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"last": [], "presets": {}}', "\x00\x01"])
def test_a_corrupt_file_is_set_aside_and_logged_at_info(memory, caplog, content):
    memory.path.parent.mkdir(parents=True)
    memory.path.write_text(content)
    with caplog.at_level(logging.INFO, logger="portside"):
        assert memory.last_for("my-ai-app") is None
        assert memory.presets() == {}
    assert any(r.levelno == logging.INFO and "run-settings.json" in r.getMessage() for r in caplog.records)
    assert memory.path.with_name("run-settings.json.corrupt").read_text() == content
    memory.remember(SPEC)
    assert memory.last_for("my-ai-app") is not None


def test_one_bad_entry_does_not_lose_the_others(memory, caplog):
    memory.path.parent.mkdir(parents=True)
    memory.path.write_text(
        json.dumps(
            {
                "version": 1,
                "last": {"broken": "not a spec", "my-ai-app": SPEC.without_secret_values().to_dict()},
                "presets": {"bad": [1, 2], "good": {"image": "x", "cpus": "1", "from_a_newer_version": True}},
            }
        )
    )
    with caplog.at_level(logging.INFO, logger="portside"):
        assert memory.last_for("broken") is None
        assert memory.last_for("my-ai-app:1.0") == SPEC.without_secret_values()
        assert memory.presets() == {"good": RunSpec("x", cpus="1")}
    assert not memory.path.with_name("run-settings.json.corrupt").exists()


def test_a_file_that_cannot_be_read_is_left_alone(memory, caplog):
    memory.path.mkdir(parents=True)  # a folder where the file should be: reading fails with an OSError
    with caplog.at_level(logging.INFO, logger="portside"):
        assert memory.last_for("my-ai-app") is None
    assert memory.path.is_dir()
    with pytest.raises(OSError):
        memory.remember(SPEC)


# Secrets: in the keyring, or not kept at all -------------------------------------------------------------------------

GITHUB = "ghp_R4nd0mL00k1ngT0k3nW1thDigits0123456"
SECRETS = RunSpec(
    image="api:1",
    env=(
        EnvVar("GITHUBTOKEN", GITHUB),  # Found: a secret name the old rule missed
        EnvVar("MY_PASS", "hunter22"),  # Found: the same
        EnvVar("DATABASE_URL", "postgres://app:pg-s3cret@db:5432/x"),  # Found: a password inside a URL
        EnvVar("SETTING", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"),  # a token by its shape alone
        EnvVar("MODE", "fast"),
    ),
)
SECRET_VALUES = [var.value for var in SECRETS.env if var.name != "MODE"]


def assert_no_plain_secret(path: Path) -> None:
    text = path.read_text()
    for value in [*SECRET_VALUES, "pg-s3cret"]:
        assert value not in text


def test_secrets_found_by_name_or_shape_are_never_written(memory):
    """Found: GITHUBTOKEN, MY_PASS and DATABASE_URL were written to run-settings.json in plain text."""
    memory.remember(SECRETS)
    memory.save_preset("api", SECRETS)
    assert_no_plain_secret(memory.path)
    found = memory.recall("api:1")
    assert found.not_kept == {"GITHUBTOKEN", "MY_PASS", "DATABASE_URL", "SETTING"}  # no keyring in unit tests
    assert {var.name: var.value for var in found.spec.env} == {
        "GITHUBTOKEN": "",
        "MY_PASS": "",
        "DATABASE_URL": "",
        "SETTING": "",
        "MODE": "fast",
    }
    assert memory.recall_presets()["api"].not_kept == found.not_kept


def test_with_a_keyring_secrets_are_kept_there_and_come_back(tmp_path):
    keyring = MemoryKeyring()
    memory = RunMemory(tmp_path / "run-settings.json", keyring_backend=keyring)
    memory.remember(SECRETS)
    memory.save_preset("api", SECRETS)
    assert_no_plain_secret(memory.path)
    assert keyring.entries[("portside:run:last:api", "GITHUBTOKEN")] == GITHUB
    assert keyring.entries[("portside:run:preset:api", "DATABASE_URL")] == "postgres://app:pg-s3cret@db:5432/x"
    later = RunMemory(memory.path, keyring_backend=keyring)  # the next start of Portside
    found = later.recall("api:2")
    assert found.spec == replace(SECRETS, image="api:2") and found.not_kept == frozenset()
    assert later.presets()["api"] == SECRETS
    rows = json.loads(memory.path.read_text())["last"]["api"]["env"]
    assert rows[0] == {"name": "GITHUBTOKEN", "value": "", "secret": "keyring"}


def test_a_keyring_that_lost_the_value_or_refuses_means_not_kept(tmp_path):
    from tests.fakes.memory_keyring import BrokenKeyring

    keyring = MemoryKeyring()
    memory = RunMemory(tmp_path / "run-settings.json", keyring_backend=keyring)
    memory.remember(SECRETS)
    keyring.entries.clear()  # emptied by the user, or another computer
    assert memory.recall("api").not_kept == {"GITHUBTOKEN", "MY_PASS", "DATABASE_URL", "SETTING"}
    broken = RunMemory(tmp_path / "other.json", keyring_backend=BrokenKeyring())
    broken.remember(SECRETS)
    assert_no_plain_secret(broken.path)
    assert broken.recall("api").not_kept == {"GITHUBTOKEN", "MY_PASS", "DATABASE_URL", "SETTING"}


def test_keyring_entries_no_longer_used_are_removed(tmp_path):
    keyring = MemoryKeyring()
    memory = RunMemory(tmp_path / "run-settings.json", keyring_backend=keyring)
    memory.remember(SECRETS)
    memory.save_preset("api", SECRETS)
    memory.remember(RunSpec("api:1", env=(EnvVar("MY_PASS", "new-pass"),)))
    assert {name for service, name in keyring.entries if service == "portside:run:last:api"} == {"MY_PASS"}
    memory.delete_preset("api")
    assert [key for key in keyring.entries if key[0] == "portside:run:preset:api"] == []


def test_plain_text_secrets_from_an_older_portside_are_moved_out_of_the_file(tmp_path):
    keyring = MemoryKeyring()
    path = tmp_path / "run-settings.json"
    path.write_text(json.dumps({"version": 1, "last": {"api": SECRETS.to_dict()}, "presets": {}}))
    memory = RunMemory(path, keyring_backend=keyring)
    assert memory.recall("api:1").spec == SECRETS  # nothing lost
    assert_no_plain_secret(path)  # and the file no longer holds them
    assert keyring.entries[("portside:run:last:api", "MY_PASS")] == "hunter22"


def test_the_file_is_private_whatever_the_umask(memory):
    """Found: run-settings.json was written 0644, readable by every user of the computer."""
    old = os.umask(0)
    try:
        memory.remember(SPEC)
    finally:
        os.umask(old)
    assert stat.S_IMODE(memory.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(memory.path.parent.stat().st_mode) == 0o700
