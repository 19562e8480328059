"""Carrying out clean-up plans on the fake engine's API (tests/fakes/fake_engine.FakeApi over system_df.json): only
the planned items go, each by its id; items gone already are skipped, items now in use are kept and named."""

from __future__ import annotations

import pytest

from gui.core.disk.cleanup import action_for, preview_lines
from gui.core.disk.usage import Cleanup, plan
from tests.fakes.fake_engine import FakeEngine

MIB = 1024**2


@pytest.fixture
def engine():
    return FakeEngine()


def carry_out(engine, cleanup, keep=None):
    planned = plan(engine.disk_usage(), cleanup)
    if keep is not None:
        planned = planned.only(keep)
    action = action_for(planned)
    return planned, action, engine.perform(action)


def test_stopped_containers_go_by_id_and_the_freed_space_is_said(engine):
    _planned, action, freed = carry_out(engine, Cleanup.STOPPED_CONTAINERS)
    assert engine.disk_removed == [("container", "2" * 64), ("container", "3" * 64)]
    assert action.command == f"docker container rm {'2' * 64} {'3' * 64}"
    assert (freed.bytes, freed.count) == (50 * MIB, 2)
    assert freed.sentence() == "Freed 50.0 MiB (2 containers)."
    assert {c.name for c in engine.disk_usage().containers.items} == {"web", "paused-one"}


def test_a_container_started_since_the_preview_is_kept_and_named(engine):
    engine.disk_refusals["2" * 64] = 409
    _planned, _action, freed = carry_out(engine, Cleanup.STOPPED_CONTAINERS)
    assert engine.disk_removed == [("container", "3" * 64)]
    assert (freed.bytes, freed.count) == (0, 1)
    assert "Kept 1" in freed.sentence() and "old-job" in freed.sentence()


def test_an_item_already_gone_is_skipped_and_not_counted(engine):
    planned = plan(engine.disk_usage(), Cleanup.UNUSED_VOLUMES)
    engine.api.remove_volume("old-cache")  # someone else removed it after the preview
    engine.disk_removed.clear()
    freed = engine.perform(action_for(planned))
    assert {name for _kind, name in engine.disk_removed} == {"5f" + "0" * 62, "unmeasured"}
    assert (freed.bytes, freed.count) == (100 * MIB, 2)


def test_unused_images_go_tag_by_tag_and_only_the_planned_ones(engine):
    planned, action, freed = carry_out(engine, Cleanup.UNUSED_IMAGES)
    removed = {image_id[7:8] for _kind, image_id in engine.disk_removed}
    assert removed == {"b", "d", "e", "f"}  # web:1.0 and trainer:2.1 are used: kept
    assert "python:3.11 python:3.11-slim" in action.command  # a two-tag image goes by its tags, never forced
    assert freed.count == 4 and freed.bytes == planned.bytes == 320 * MIB
    assert freed.sentence() == "Freed at least 320.0 MiB (4 images)."


def test_a_narrowed_plan_removes_nothing_else(engine):
    _planned, _action, freed = carry_out(
        engine, Cleanup.UNUSED_IMAGES, keep=lambda item: item.label("maintainer") == "lab"
    )
    assert engine.disk_removed == [("image", "sha256:" + "f" * 64)]
    assert freed.sentence() == "Freed 200.0 MiB (1 image)."


def test_build_cache_is_pruned_and_the_engine_says_what_it_freed(engine):
    planned, action, freed = carry_out(engine, Cleanup.BUILD_CACHE)
    assert action.command == "docker builder prune --all --force"
    assert freed.count == 3 and freed.bytes == planned.bytes == 45 * MIB
    assert [entry.key[:2] for entry in engine.disk_usage().build_cache.items] == ["c2"]


def test_the_preview_lists_each_item_with_its_space(engine):
    planned = plan(engine.disk_usage(), Cleanup.STOPPED_CONTAINERS)
    lines = preview_lines(planned)
    assert lines[0].startswith("old-job: 50.0 MiB (Exited (0) 3 days ago")
    assert lines[1].startswith("never-started: 0 B")
    assert preview_lines(planned, limit=1)[-1] == "… and 1 more (0 B)"
