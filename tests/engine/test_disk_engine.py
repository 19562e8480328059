"""Disk usage and clean-ups on the real engine, checked against the docker CLI's own `docker system df -v`.

The engine is shared with other tests and the developer: the clean-ups here only ever carry out plans narrowed to
this test's own labelled objects marked for removal, and a twin of each marked to stay must survive."""

from __future__ import annotations

import json
import re

import pytest

from gui.core.disk.cleanup import action_for
from gui.core.disk.usage import Category, Cleanup, DiskItem, plan
from tests.engine import engine_helpers as eh

MIB = 1024**2
ROLE = "io.portside.test.disk-role"
UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}  # go-units HumanSize: decimal, 4 significant digits


def cli_bytes(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)\s*([kMGT]?B)", text.strip()).groups()
    return float(number) * UNITS[unit]


def close_to(ours: int | None, cli: float, slack: float = 0.002) -> bool:
    """Within the CLI's rounding (4 significant digits) and a little more."""
    return ours is not None and abs(ours - cli) <= max(slack * cli, 1000)


def df_rows(text: str, section: str) -> list[list[str]]:
    """The rows of one section of `docker system df -v` ("Images", "Containers", "Local Volumes"), split on the
    runs of two or more spaces that separate its columns."""
    block = text.split(f"{section} space usage:", 1)[1].split(" space usage:", 1)[0]
    lines = [line for line in block.strip().splitlines()[1:] if line.strip()]
    return [re.split(r"\s{2,}", line.strip()) for line in lines]


@pytest.fixture
def disk_objects(docker_client, busybox_image, test_labels):
    """For each of remove and keep: a stopped container that wrote a file, an unused image (its commit) and an unused
    volume with a file in it; all with this test's labels."""
    api = docker_client.api
    case = test_labels[eh.CASE_LABEL]
    made: dict[str, dict[str, str]] = {}
    for role, mib in (("remove", 3), ("keep", 1)):
        labels = {**test_labels, ROLE: role}
        volume = api.create_volume(f"portside-test-disk-{case}-{role}", labels=labels)["Name"]
        filler = docker_client.containers.run(
            busybox_image,
            ["sh", "-c", f"dd if=/dev/zero of=/v/blob bs=1048576 count={mib}"],
            labels=labels,
            network_mode="none",
            volumes={volume: {"bind": "/v", "mode": "rw"}},
            detach=True,
        )
        filler.wait(timeout=60)
        filler.remove()  # the volume is then unused
        stopped = docker_client.containers.run(
            busybox_image,
            ["sh", "-c", f"dd if=/dev/zero of=/blob bs=1048576 count={mib}"],
            labels=labels,
            network_mode="none",
            detach=True,
        )
        stopped.wait(timeout=60)
        image = api.commit(stopped.id, f"portside-test/disk-{case}", role, changes=[f"LABEL {ROLE}={role}"])["Id"]
        made[role] = {"container": stopped.id, "image": image, "volume": volume}
    return made


def ours_to_remove(case: str):
    return lambda item: item.label(eh.CASE_LABEL) == case and item.label(ROLE) == "remove"


def find(items, key: str) -> DiskItem:
    return next(item for item in items if item.key == key)


def test_disk_usage_agrees_with_docker_system_df(engine, docker_cli, disk_objects):
    usage = engine.disk_usage()
    verbose = docker_cli("system", "df", "-v").stdout
    removed = disk_objects["remove"]

    container = find(usage.containers.items, removed["container"])
    row = next(r for r in df_rows(verbose, "Containers") if removed["container"].startswith(r[0]))
    assert close_to(container.size, cli_bytes(row[4])) and container.size >= 3 * MIB
    assert container.reclaimable == container.size  # stopped

    image = find(usage.images.items, removed["image"])
    row = next(r for r in df_rows(verbose, "Images") if removed["image"][7:].startswith(r[2]))
    assert close_to(image.size, cli_bytes(row[4])) and close_to(image.reclaimable, cli_bytes(row[6]))
    assert image.reclaimable >= 3 * MIB and not image.in_use

    volume = find(usage.volumes.items, removed["volume"])
    row = next(r for r in df_rows(verbose, "Local Volumes") if r[0] == removed["volume"])
    assert row[1] == "0" and close_to(volume.size, cli_bytes(row[2])) and volume.reclaimable == volume.size

    # The summary: the CLI's four lines. The engine is shared, so another test may change it between the two
    # readings: read both again a few times before calling a difference ours.
    def summaries_agree() -> bool:
        ours = engine.disk_usage()
        lines = docker_cli("system", "df", "--format", "{{json .}}").stdout.splitlines()
        cli = {entry["Type"]: entry for entry in map(json.loads, lines)}
        for category in ours.categories:
            theirs = cli[category.category.value]
            reclaimable = theirs["Reclaimable"].split(" (")[0]
            if int(theirs["TotalCount"]) != category.count or int(theirs["Active"]) != category.active:
                return False
            if not (
                close_to(category.size, cli_bytes(theirs["Size"]))
                and close_to(category.reclaimable, cli_bytes(reclaimable))
            ):
                return False
        return True

    assert any(summaries_agree() for _attempt in range(3))


def test_clean_ups_remove_exactly_the_planned_labelled_items(engine, docker_client, disk_objects, test_labels):
    keep = ours_to_remove(test_labels[eh.CASE_LABEL])
    usage = engine.disk_usage()
    removed, kept = disk_objects["remove"], disk_objects["keep"]
    for cleanup, kind in (
        (Cleanup.STOPPED_CONTAINERS, "container"),
        (Cleanup.UNUSED_IMAGES, "image"),
        (Cleanup.UNUSED_VOLUMES, "volume"),
    ):
        planned = plan(usage, cleanup).only(keep)
        assert [item.key for item in planned.items] == [removed[kind]], cleanup
        freed = engine.perform(action_for(planned))
        assert freed.count == 1 and freed.bytes == planned.bytes and not freed.kept, freed.sentence()

    after = engine.disk_usage()
    present = {
        Category.CONTAINERS: {item.key for item in after.containers.items},
        Category.IMAGES: {item.key for item in after.images.items},
        Category.VOLUMES: {item.key for item in after.volumes.items},
    }
    for kind, category in (
        ("container", Category.CONTAINERS),
        ("image", Category.IMAGES),
        ("volume", Category.VOLUMES),
    ):
        assert removed[kind] not in present[category]
        assert kept[kind] in present[category]  # its twin, unused too but not planned: still there
    assert docker_client.images.get(eh.BUSYBOX_REPO + ":1")  # the shared image nobody's container uses stays
