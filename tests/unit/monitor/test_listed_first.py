"""The Monitor's first frame does not wait for inspects (issue 23): a container the engine's list shows is read at
once from its cgroup by Docker's rule, with a process found in the cgroup itself; its inspect, asked meanwhile,
then confirms the files read (or names others, read anew). Recorded trees of every layout (tests/fakes/cgroup_trees).
"""

from __future__ import annotations

import time

import pytest

from gui.core.monitor.cgroup_paths import container_facts, engine_facts, listed_place, read_mounts
from gui.core.monitor.kernel_stats import open_target
from gui.workers.monitor.kernel_stats import KernelStats
from tests.fakes.cgroup_trees import CONTAINER, LAYOUTS, PID, build
from tests.fakes.cgroup_trees.engine import TreeEngine
from tests.polling import wait_for


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_listed_container_is_found_by_docker_s_rule_with_a_process_of_its_cgroup(tmp_path, layout):
    tree = build(tmp_path, layout, pid=PID, network_mode="host")
    place = listed_place(CONTAINER, "web", "host", engine_facts(tree.info, str(tree.socket)), read_mounts(tree.files))
    assert place is not None
    facts = place.facts
    assert (facts.pid, facts.name, facts.network_mode, facts.running) == (PID, "web", "host", True)
    assert place.folders.shown == tree.folder("memory")  # the container's own folders, found once


def test_the_lowest_process_of_the_cgroup_stands_for_the_container(tmp_path):
    tree = build(tmp_path, "v2-systemd")
    (tree.folder("") / "cgroup.procs").write_text(f"{PID + 7}\n{PID}\n{PID + 3}\n")
    place = listed_place(CONTAINER, "web", "default", engine_facts(tree.info), read_mounts(tree.files))
    assert place is not None and place.facts.pid == PID


@pytest.mark.parametrize("procs", ["", None], ids=["processes in child cgroups", "no cgroup by the rule"])
def test_without_a_process_by_the_rule_the_inspect_alone_says(tmp_path, procs):
    tree = build(tmp_path, "v1-cgroupfs")
    if procs is None:
        other = "ab" * 32  # a --cgroup-parent puts it elsewhere: no folder by the default rule
        assert listed_place(other, "web", "default", engine_facts(tree.info), read_mounts(tree.files)) is None
        return
    (tree.folder("memory") / "cgroup.procs").write_text(procs)
    assert listed_place(CONTAINER, "web", "default", engine_facts(tree.info), read_mounts(tree.files)) is None


def test_a_listed_container_s_counters_are_read_from_its_place_as_from_its_inspect(tmp_path):
    """Found by the list's word, its files are the ones its inspect leads to: one target, read the same."""
    tree = build(tmp_path, "v1-cgroupfs")
    engine = engine_facts(tree.info)
    mounts = read_mounts(tree.files)
    place = listed_place(CONTAINER, "web", "default", engine, mounts)
    assert place is not None
    listed = open_target(place.facts, engine, tree.files, mounts, place.folders)
    inspected = open_target(container_facts(tree.inspect), engine, tree.files, mounts)
    assert listed.files == inspected.files
    assert (listed.pids, listed.block_io, listed.cfq) == (inspected.pids, inspected.block_io, inspected.cfq)


def reader_for(tree, events: list) -> tuple[KernelStats, TreeEngine]:
    """A reader on `tree`'s container, whose inspect waits until the test lets it answer."""
    engine = TreeEngine(tree)
    engine.api.held.add(CONTAINER)
    reader = KernelStats(
        engine,
        lambda context, payload, source: events.append(("payload", payload, source)),
        lambda context, reason: events.append(("refused", reason)),
        lambda context, reason: events.append(("ended", reason)),
        interval_s=60.0,
        files=tree.files,
        on_start=lambda context, payload: events.append(("start", payload)),
    )
    return reader, engine


@pytest.mark.parametrize("listed", [True, False], ids=["from the list", "from an event"])
def test_a_listed_container_s_starting_point_is_read_while_its_inspect_is_asked(tmp_path, listed):
    tree = build(tmp_path, "v2-systemd")
    events: list[tuple] = []
    reader, engine = reader_for(tree, events)
    reader.start()
    try:
        reader.add(CONTAINER, "web", ("web", "default") if listed else None)
        assert engine.api.asked.wait(10)
        if listed:
            wait_for(lambda: events)  # read before the inspect answers
        else:
            time.sleep(0.2)
            assert events == []  # an event names no network mode: the inspect comes first
        engine.api.answer.set()
        wait_for(lambda: any(kind == "payload" for kind, *_ in events))
    finally:
        engine.api.answer.set()
        reader.stop()
        assert reader.wait()
    kinds = [event[0] for event in events]
    assert kinds == ["start", "payload"]  # the inspect confirmed the files read: no second starting point
    start, payload = events[0][1], events[1][1]
    assert payload["preread"] == start["read"]
    assert "cgroup v2" in events[1][2]


def test_an_inspect_naming_another_main_process_reads_a_new_starting_point(tmp_path):
    tree = build(tmp_path, "v1-cgroupfs")
    (tree.folder("memory") / "cgroup.procs").write_text(f"{PID + 1}\n")  # a side process, in another net namespace
    side = tree.root / "proc" / str(PID + 1)
    (side / "net").mkdir(parents=True)
    (side / "net" / "dev").write_text((tree.root / "proc" / str(PID) / "net" / "dev").read_text())
    (side / "cgroup").write_text((tree.root / "proc" / str(PID) / "cgroup").read_text())
    events: list[tuple] = []
    reader, engine = reader_for(tree, events)
    reader.start()
    try:
        reader.add(CONTAINER, "web", ("web", "default"))
        wait_for(lambda: events)
        engine.api.answer.set()
        wait_for(lambda: any(kind == "payload" for kind, *_ in events))
    finally:
        engine.api.answer.set()
        reader.stop()
        assert reader.wait()
    kinds = [event[0] for event in events]
    assert kinds == ["start", "start", "payload"]  # the main process's own network: read from a new start
    assert events[2][1]["preread"] == events[1][1]["read"]


def test_a_slow_inspect_holds_up_no_other_container_s_rounds(tmp_path):
    fast, slow = "aa" * 32, "bb" * 32
    trees = {cid: build(tmp_path, "v1-cgroupfs", container_id=cid, pid=500 + i) for i, cid in enumerate((fast, slow))}
    events: list[tuple] = []
    engine = TreeEngine(*trees.values())
    engine.api.held.add(slow)
    reader = KernelStats(
        engine,
        lambda context, payload, source: events.append((context, "payload")),
        lambda context, reason: events.append((context, "refused")),
        lambda context, reason: events.append((context, "ended")),
        interval_s=0.1,
        files=trees[fast].files,
    )
    reader.start()
    try:
        reader.add(fast, fast)
        wait_for(lambda: (fast, "payload") in events)
        reader.add(slow, slow)
        assert engine.api.asked.wait(10)  # the slow container's inspect is on its way, and stays there
        before = events.count((fast, "payload"))
        wait_for(lambda: events.count((fast, "payload")) >= before + 3)
        assert (slow, "payload") not in events
        engine.api.answer.set()
        wait_for(lambda: (slow, "payload") in events)
    finally:
        engine.api.answer.set()
        reader.stop()
        assert reader.wait()
