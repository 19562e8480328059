"""Disk usage and clean-up plans from a recorded GET /system/df answer (tests/fakes/system_df.json).

The recording holds, in MiB: images web:1.0 (300, 120 shared, used), python:3.11 (120, all shared, unused, two tags),
trainer:2.1 (500, 120 shared, used by a stopped container), two dangling images (80 and 40) and notebook:old (200,
unused); LayersSize 1000. Containers: web running (10), old-job exited (50), never-started created (0), paused-one
paused (5). Volumes: models used (2048), old-cache (300) and an anonymous one (100) unused, one unmeasured (-1).
Build cache: 30 not in use, 5 in use, 70 shared with images, 15 not in use; BuilderSize 50.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gui.core.disk.usage import Category, Cleanup, disk_usage, plan, plans

MIB = 1024**2
RECORDING = Path(__file__).parents[2] / "fakes" / "system_df.json"


@pytest.fixture
def df() -> dict:
    return json.loads(RECORDING.read_text())


@pytest.fixture
def usage(df):
    return disk_usage(df, "1.41")


def names(items) -> list[str]:
    return [item.name for item in items]


def test_categories_add_up_as_docker_system_df_does(usage):
    summary = {c.category: (c.count, c.active, c.size // MIB, c.reclaimable // MIB) for c in usage.categories}
    assert summary == {
        # Reclaimable images: the layers minus the unique size of images a container uses (1000 - 180 - 380).
        Category.IMAGES: (6, 2, 1000, 440),
        # Only the writable layers of containers not running, paused or restarting.
        Category.CONTAINERS: (4, 2, 65, 50),
        # Volumes no container refers to; the unmeasured one counts for nothing.
        Category.VOLUMES: (4, 1, 2448, 400),
        # Entries shared with images are not counted; BuilderSize less what is in use.
        Category.BUILD_CACHE: (4, 1, 50, 45),
    }


def test_items_come_biggest_first(usage):
    assert names(usage.images.items) == [
        "trainer:2.1",
        "web:1.0",
        "notebook:old",
        "python:3.11",
        "<none> (dddddddddddd)",
        "<none> (eeeeeeeeeeee)",
    ]
    assert names(usage.containers.items) == ["old-job", "web", "paused-one", "never-started"]
    assert names(usage.volumes.items)[:2] == ["models", "old-cache"]


def test_an_item_says_why_it_is_kept_or_could_go(usage):
    images = {item.name: item for item in usage.images.items}
    assert images["web:1.0"].detail.startswith("used by 1 container")
    assert images["python:3.11"].references == ("python:3.11", "python:3.11-slim")
    assert images["<none> (dddddddddddd)"].dangling and "dangling" in images["<none> (dddddddddddd)"].detail
    volumes = {item.name: item for item in usage.volumes.items}
    assert volumes["5f" + "0" * 62].detail.endswith("anonymous")
    assert volumes["old-cache"].detail.endswith("named")
    assert volumes["unmeasured"].size is None


def test_dangling_plan_lists_the_untagged_unused_images_and_their_exact_space(usage):
    dangling = plan(usage, Cleanup.DANGLING_IMAGES)
    assert names(dangling.items) == ["<none> (dddddddddddd)", "<none> (eeeeeeeeeeee)"]
    assert dangling.exact and dangling.bytes == 120 * MIB
    assert dangling.command == "docker image prune --force"


def test_unused_images_plan_gives_a_range_where_layers_are_shared(usage):
    unused = plan(usage, Cleanup.UNUSED_IMAGES)
    assert names(unused.items) == ["notebook:old", "python:3.11", "<none> (dddddddddddd)", "<none> (eeeeeeeeeeee)"]
    # python:3.11's layers are all shared (with images kept): at least the unique sizes, at most docker's reclaimable.
    assert (unused.bytes, unused.bytes_at_most) == (320 * MIB, 440 * MIB)
    assert unused.space_words() == "between 320.0 MiB and 440.0 MiB"
    assert unused.command == "docker image prune --all --force"
    assert "share layers" in unused.note


def test_stopped_containers_plan_keeps_running_and_paused_ones(usage):
    stopped = plan(usage, Cleanup.STOPPED_CONTAINERS)
    assert names(stopped.items) == ["old-job", "never-started"]
    assert stopped.bytes == 50 * MIB and stopped.exact
    assert stopped.command == "docker container prune --force"


@pytest.mark.parametrize(
    ("api_version", "command", "says"),
    [
        ("1.41", "docker volume prune --force", "named and anonymous unused volumes alike"),
        ("1.46", "docker volume prune --all --force", "removes only anonymous volumes"),
    ],
)
def test_volume_plan_says_what_prune_removes_on_this_api(df, api_version, command, says):
    volumes = plan(disk_usage(df, api_version), Cleanup.UNUSED_VOLUMES)
    assert sorted(names(volumes.items)) == sorted(["old-cache", "5f" + "0" * 62, "unmeasured"])
    assert volumes.bytes == 400 * MIB
    assert volumes.command == command
    assert says in volumes.note


def test_build_cache_plan_lists_entries_not_in_use(usage):
    cache = plan(usage, Cleanup.BUILD_CACHE)
    # Biggest first; the in-use entry (source.local) stays.
    assert [item.key[:2] for item in cache.items] == ["c3", "c1", "c4"]
    assert cache.bytes == 45 * MIB
    assert cache.command == "docker builder prune --all --force"


def test_a_plan_narrowed_to_some_items_counts_only_theirs(usage):
    unused = plan(usage, Cleanup.UNUSED_IMAGES)
    only_notebook = unused.only(lambda item: item.label("maintainer") == "lab")
    assert names(only_notebook.items) == ["notebook:old"]
    assert (only_notebook.bytes, only_notebook.bytes_at_most) == (200 * MIB, 200 * MIB)
    nothing = unused.only(lambda item: False)
    assert nothing.empty and nothing.bytes == 0


def test_an_empty_engine_plans_nothing():
    empty = disk_usage({"LayersSize": 0, "Images": [], "Containers": [], "Volumes": [], "BuildCache": None})
    assert all(c.size == 0 and c.reclaimable == 0 and c.count == 0 for c in empty.categories)
    assert all(p.empty and p.bytes == 0 for p in plans(empty).values())
