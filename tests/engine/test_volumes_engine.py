"""Volumes on the real engine: create through the action, a container mounting one shows as its user, the engine's
refusal to remove it reads as a sentence, and Remove unused, given only this test's volumes, removes exactly them."""

from __future__ import annotations

import pytest

from gui.core.engine.volumes import CreateVolume, RemoveUnusedVolumes, RemoveVolume, unused
from gui.core.errors import EngineError
from tests.engine import engine_helpers as eh


def ours(engine, case: str) -> dict:
    return {row.name: row for row in engine.volumes() if dict(row.labels).get(eh.CASE_LABEL) == case}


def test_volumes_their_users_and_removal(engine, docker_client, busybox_image, test_labels):
    case = test_labels[eh.CASE_LABEL]
    labels = tuple(sorted(test_labels.items()))
    names = [f"portside-test-vol-{case}-{role}" for role in ("used", "free1", "free2")]
    for name in names:
        assert engine.perform(CreateVolume(name, labels)) == name
    anonymous = engine.perform(CreateVolume(None, labels))  # the engine picks the name
    assert len(anonymous) == 64

    user = docker_client.containers.create(
        busybox_image,
        ["true"],
        name=f"portside-test-vol-user-{case}",
        labels=test_labels,
        network_mode="none",
        volumes={names[0]: {"bind": "/data", "mode": "rw"}},
    )
    rows = ours(engine, case)
    assert set(rows) == {*names, anonymous}
    assert rows[names[0]].used_by == (user.name,)
    assert rows[names[1]].used_by == () and rows[names[1]].driver == "local" and rows[names[1]].created
    assert rows[anonymous].anonymous

    # Removing the volume in use: the engine refuses, in a sentence that says what to do.
    with pytest.raises(EngineError) as refused:
        engine.perform(RemoveVolume(names[0]))
    assert refused.value.message == (
        "Could not remove the volume: a container uses this volume. Remove that container first "
        f"(docker rm {user.id[:12]}), then the volume."
    )

    # Remove unused, the plan made of this test's labelled volumes only: exactly they go, the one in use stays.
    planned = tuple(row.name for row in unused(list(rows.values())))
    assert set(planned) == {names[1], names[2], anonymous}
    result = engine.perform(RemoveUnusedVolumes(planned))
    assert set(result.removed) == set(planned) and result.kept == ()
    assert set(ours(engine, case)) == {names[0]}


def test_a_volume_is_measured_with_the_files_written_in_it(engine, docker_client, busybox_image, test_labels):
    case = test_labels[eh.CASE_LABEL]
    name = f"portside-test-vol-{case}-sized"
    engine.perform(CreateVolume(name, tuple(sorted(test_labels.items()))))
    docker_client.containers.run(
        busybox_image,
        ["sh", "-c", "head -c 3000000 /dev/zero > /data/weights.bin"],
        name=f"portside-test-vol-writer-{case}",
        labels=test_labels,
        network_mode="none",
        volumes={name: {"bind": "/data", "mode": "rw"}},
    )
    assert 3_000_000 <= engine.volume_sizes()[name] < 3_100_000
