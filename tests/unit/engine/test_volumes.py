"""Volumes: rows from the engine's payloads, who uses each, the name check and the CLI twins."""

from __future__ import annotations

import docker.errors
import pytest

from gui.core.engine.volumes import (
    CreateVolume,
    InspectVolume,
    RemoveUnusedVolumes,
    RemoveVolume,
    name_problem,
    unused,
    volume_rows,
)
from gui.core.errors import explain
from tests.fakes.fake_engine import api_error

ANONYMOUS = "3f" * 32

RAW_VOLUMES = [
    {
        "CreatedAt": "2026-11-30T10:00:00Z",
        "Driver": "local",
        "Labels": {"project": "lab"},
        "Mountpoint": "/var/lib/docker/volumes/models/_data",
        "Name": "models",
        "Options": None,
        "Scope": "local",
    },
    {
        "CreatedAt": "2026-11-30T11:00:00+01:00",
        "Driver": "local",
        "Labels": None,
        "Mountpoint": f"/var/lib/docker/volumes/{ANONYMOUS}/_data",
        "Name": ANONYMOUS,
    },
    {"Driver": "local", "Labels": {}, "Mountpoint": "/var/lib/docker/volumes/datasets/_data", "Name": "datasets"},
]
CONTAINERS = [
    {
        "Id": "a" * 64,
        "Names": ["/web"],
        "Mounts": [
            {"Type": "volume", "Name": "models", "Destination": "/models"},
            {"Type": "bind", "Source": "/home/me/code", "Destination": "/app"},
        ],
    },
    {"Id": "b" * 64, "Names": ["/trainer"], "Mounts": [{"Type": "volume", "Name": "models", "Destination": "/m"}]},
    {"Id": "c" * 64, "Names": ["/old-job"], "Mounts": None},
]


def rows_by_name():
    return {row.name: row for row in volume_rows(RAW_VOLUMES, CONTAINERS)}


def test_rows_carry_driver_mountpoint_and_labels():
    models = rows_by_name()["models"]
    assert (models.driver, models.mountpoint) == ("local", "/var/lib/docker/volumes/models/_data")
    assert models.labels == (("project", "lab"),)
    assert not models.anonymous


def test_users_come_from_the_containers_volume_mounts_only():
    rows = rows_by_name()
    assert rows["models"].used_by == ("trainer", "web")
    assert rows["datasets"].used_by == () and not rows["datasets"].in_use
    assert rows[ANONYMOUS].used_by == ()  # a bind mount of a folder is not a volume


def test_created_is_read_from_rfc_3339_with_any_offset():
    rows = rows_by_name()
    assert rows["models"].created == 1796032800.0  # 2026-11-30T10:00:00Z
    assert rows[ANONYMOUS].created == rows["models"].created  # 11:00 at +01:00 is the same moment
    assert rows["datasets"].created is None  # the engine did not say


def test_a_64_hex_name_is_anonymous():
    assert rows_by_name()[ANONYMOUS].anonymous


def test_unused_lists_exactly_the_volumes_no_container_mounts():
    assert {row.name for row in unused(volume_rows(RAW_VOLUMES, CONTAINERS))} == {"datasets", ANONYMOUS}


def test_the_in_use_sentence_names_the_containers_and_the_command():
    assert rows_by_name()["models"].in_use_sentence() == (
        "trainer and web use this volume: remove those containers first (docker rm trainer web), then the volume."
    )
    one = volume_rows(RAW_VOLUMES[:1], CONTAINERS[:1])[0]
    assert one.in_use_sentence() == (
        "web uses this volume: remove that container first (docker rm web), then the volume."
    )


@pytest.mark.parametrize("name", ["", "models", "my-data_1.v2", "9a", "  spaced  "])
def test_good_names_and_empty_pass(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("a", "at least two characters"),
        ("-data", "must start with a letter or a digit"),
        ("_data", "must start with a letter or a digit"),
        ("my data", "not ' '"),
        ("data/sets", "not '/'"),
        ("modèles", "not 'è'"),
    ],
)
def test_bad_names_get_a_sentence(name, words):
    problem = name_problem(name)
    assert problem is not None and words in problem and problem.endswith(".")


def test_cli_twins():
    assert CreateVolume("models").command == "docker volume create models"
    assert CreateVolume(None).command == "docker volume create"
    assert CreateVolume("m1", (("io.x", "1"),)).argv() == ["docker", "volume", "create", "--label", "io.x=1", "m1"]
    assert RemoveVolume("models").command == "docker volume rm models"
    assert InspectVolume("models").command == "docker volume inspect models"
    assert RemoveUnusedVolumes(("a1", "b2")).command == "docker volume rm a1 b2"


class VolumeApi:
    """The calls the actions make, answering as dockerd 20.10 does."""

    def __init__(self, volumes: set[str], in_use: set[str] = frozenset()):
        self.volumes, self.in_use, self.calls = set(volumes), set(in_use), []

    def create_volume(self, name, labels=None):
        self.calls.append(("create", name, labels))
        name = name or "e" * 64
        self.volumes.add(name)
        return {"Name": name, "Labels": labels}

    def remove_volume(self, name, force=False):
        self.calls.append(("remove", name, force))
        if name not in self.volumes:
            raise api_error(404, f"get {name}: no such volume")
        if name in self.in_use:
            raise api_error(409, f"remove {name}: volume is in use - [{'a' * 64}]")
        self.volumes.discard(name)


def test_create_returns_the_name_the_engine_gave():
    api = VolumeApi(set())
    assert CreateVolume(None).run(api) == "e" * 64
    assert CreateVolume("models", (("k", "v"),)).run(api) == "models"
    assert api.calls[-1] == ("create", "models", {"k": "v"})


def test_remove_unused_removes_exactly_the_names_given_never_forced_and_keeps_one_taken_since():
    api = VolumeApi({"a1", "b2", "c3", "other"}, in_use={"b2"})
    result = RemoveUnusedVolumes(("a1", "b2", "gone")).run(api)
    assert result.removed == ("a1",)
    assert [name for name, _why in result.kept] == ["b2"]
    assert api.volumes == {"b2", "c3", "other"}
    assert all(force is False for _call, _name, force in api.calls)
    assert result.sentence() == "Removed 1 unused volume(s): a1. Kept b2: a container uses it since the preview."


def test_the_engines_refusal_reads_as_a_sentence():
    error = explain(api_error(409, f"remove models: volume is in use - [{'a' * 64}]"), "remove the volume")
    assert error.message == (
        "Could not remove the volume: a container uses this volume. Remove that container first "
        "(docker rm aaaaaaaaaaaa), then the volume."
    )


def test_another_engine_error_is_not_taken_for_a_refusal():
    class Broken(VolumeApi):
        def remove_volume(self, name, force=False):
            raise api_error(500, "driver failed")

    with pytest.raises(docker.errors.APIError):
        RemoveUnusedVolumes(("a1",)).run(Broken({"a1"}))
