"""The kernel reader's thread (gui.workers.monitor.kernel_stats) on recorded cgroup trees and a scripted engine:
payloads once per round, a refusal that says why, and a container that stops or restarts with no event heard."""

from __future__ import annotations

import threading
import time

import docker.errors
import pytest

from gui.workers.monitor.kernel_stats import KernelStats
from tests.fakes.cgroup_trees import build
from tests.fakes.cgroup_trees.engine import TreeEngine
from tests.polling import wait_for

ID = "c3" * 32


@pytest.fixture
def tree(tmp_path):
    return build(tmp_path, "v1-cgroupfs", container_id=ID, pid=300)


@pytest.fixture
def reader(tree):
    got = {"payloads": [], "refused": [], "ended": []}
    engine = TreeEngine(tree)
    reader = KernelStats(
        engine,
        lambda context, payload, source: got["payloads"].append((context, payload, source)),
        lambda context, reason: got["refused"].append((context, reason)),
        lambda context, reason: got["ended"].append((context, reason)),
        interval_s=0.05,
        files=tree.files,
    )
    reader.got, reader.engine = got, engine
    reader.start()
    yield reader
    reader.stop()
    assert reader.wait()


def test_payloads_come_each_round_with_their_own_previous_reading(reader):
    reader.add(ID, "ctx")
    wait_for(lambda: len(reader.got["payloads"]) >= 3)
    context, payload, source = reader.got["payloads"][-1]
    assert context == "ctx" and source.startswith("Numbers from the kernel (cgroup v1, ")
    assert payload["precpu_stats"]["cpu_usage"]["total_usage"] == 55_926_162 and payload["preread"] != payload["read"]
    assert reader.following == {ID} and reader.engine.api.inspects == 1  # the engine asked once


def test_a_container_it_cannot_read_is_refused_with_the_reason(reader, tree):
    (tree.root / "proc" / "300" / "cgroup").write_text("0::/init.scope\n")
    reader.add(ID, "ctx")
    wait_for(lambda: reader.got["refused"])
    assert "is not in its cgroup on this computer" in reader.got["refused"][0][1]
    assert reader.following == frozenset() and not reader.got["payloads"]


def test_an_engine_that_does_not_say_how_it_runs_containers(reader):
    reader.engine.api.info_error = docker.errors.APIError("boom")
    reader.add(ID, "ctx")
    wait_for(lambda: reader.got["refused"])
    assert reader.got["refused"][0][1].startswith("the engine did not say how it runs containers")


def test_a_container_gone_before_it_is_read_ends_quietly(reader, tree):
    tree.inspect = None
    reader.add(ID, "ctx")
    wait_for(lambda: reader.got["ended"])
    assert reader.got["ended"] == [("ctx", None)] and not reader.got["refused"]


def test_a_container_that_stops_unheard_ends_after_one_more_look(reader, tree):
    reader.add(ID, "ctx")
    wait_for(lambda: reader.got["payloads"])
    tree.inspect["State"] = {"Running": False, "Pid": 0}
    tree.remove("cpuacct.usage")
    wait_for(lambda: reader.got["ended"])
    assert reader.following == frozenset()


def test_a_restart_unheard_is_found_at_its_new_pid(reader, tree):
    reader.add(ID, "ctx")
    wait_for(lambda: reader.got["payloads"])
    tree.remove("net/dev")  # the old main process is gone...
    tree.update(pid=301, rx=42)  # ...and a new one runs, in a new network namespace
    tree.inspect["State"]["Pid"] = 301
    wait_for(lambda: reader.got["payloads"][-1][1]["networks"]["eth0"]["rx_bytes"] == 42)
    assert reader.engine.api.inspects == 2


def test_held_it_is_not_read_until_it_restarts(reader, tree):
    reader.add(ID, "ctx")
    wait_for(lambda: reader.got["payloads"])
    reader.hold(ID)
    wait_for(lambda: reader._entries.get(ID) is not None and reader._entries[ID].held)
    count = len(reader.got["payloads"])
    time.sleep(0.2)  # several rounds
    assert len(reader.got["payloads"]) == count and not reader.got["ended"]
    reader.restarted(ID)
    wait_for(lambda: len(reader.got["payloads"]) > count)


def test_stop_ends_the_thread(tree):
    reader = KernelStats(TreeEngine(tree), print, print, print, files=tree.files)
    reader.start()
    reader.stop()
    assert reader.wait()
    assert not [t for t in threading.enumerate() if t.name == "kernel stats" and t.is_alive()]
