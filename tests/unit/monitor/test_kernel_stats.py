"""A local container's numbers read from recorded cgroup v1 and v2 trees (tests/fakes/cgroup_trees), in the engine's
stats shape, and what `docker stats`' formulas (gui.core.monitor.stats) make of them: the same numbers the engine
would give, n/a where there is nothing to measure, and nothing at all from a container that stops while it is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gui.core.monitor.cgroup_paths import NotReadable, container_facts, engine_facts
from gui.core.monitor.kernel_stats import (
    HOST_NETWORK_NOTE,
    host_cpu,
    machine_limit,
    open_target,
    read_payload,
    rfc3339,
    stream_source,
)
from gui.core.monitor.stats import read_time, stats_between, stats_reading
from tests.fakes import cgroup_trees
from tests.fakes.cgroup_trees import LAYOUTS, MEM_TOTAL_KIB, NO_LIMIT_V1, build

TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
MACHINE = MEM_TOTAL_KIB * 1024


def target_of(tree):
    return open_target(container_facts(tree.inspect), engine_facts(tree.info, str(tree.socket)), tree.files)


def payload_of(tree, target=None, previous=None, now=None):
    target = target or target_of(tree)
    return read_payload(target, host_cpu(tree.files), machine_limit(tree.files), previous, now)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_what_docker_stats_would_show(tmp_path, layout):
    tree = build(tmp_path, layout, usage=10_000_000, inactive_file=4_000_000, pids=3, rx=5_000, tx=700)
    target = target_of(tree)
    first = payload_of(tree, target, now=1000.0)
    # One second later: the container used half a CPU (50 ticks) of the 2 × 100 ticks the host counted.
    ticks = list(tree.numbers["host_ticks"])
    ticks[0] += 200
    tree.update(cpu_ns=tree.numbers["cpu_ns"] + 50 * TICK_NS, host_ticks=tuple(ticks), rx=6_000, tx=900)
    second = payload_of(tree, target, previous=first, now=1001.0)

    stats = stats_between(stats_reading(second), stats_reading(first), tree.inspect["Id"], "web")
    assert stats.cpu_percent == pytest.approx(50.0)
    assert stats_between(stats_reading(second), None, "", "").cpu_percent == pytest.approx(50.0)  # own precpu
    assert (stats.memory_used, stats.memory_limit) == (6_000_000, MACHINE)  # no --memory: the machine's memory
    assert stats.pids == 3 and stats.online_cpus == 2
    assert (stats.net_rx, stats.net_tx) == (6_000, 900)  # eth0 alone: the loopback is not the container's traffic
    assert (stats.net_rx_rate, stats.net_tx_rate) == (1_000.0, 200.0)
    extra_read = 4096 if tree.version == 2 else 0  # the v2 tree's io.stat has a second device
    assert (stats.block_read, stats.block_write) == (20_971_520 + extra_read, 20_987_904)
    assert read_time(second["read"]) == pytest.approx(1001.0) and second["preread"] == first["read"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_source_names_the_cgroup_version_and_folder(tmp_path, layout):
    tree = build(tmp_path, layout)
    source = target_of(tree).source
    assert source.startswith(f"Numbers from the kernel (cgroup v{tree.version}, {tree.folder('memory')}")


def test_rootless_tree_lies_under_the_users_systemd_manager(tmp_path):
    tree = build(tmp_path, "v2-rootless", uid=os.getuid())
    target = target_of(tree)
    uid = os.getuid()
    assert f"user@{uid}.service/user.slice/docker-{tree.inspect['Id']}.scope" in str(target.folders.shown)


@pytest.mark.parametrize("layout", ["v1-cgroupfs", "v2-systemd"])
def test_a_memory_limit_is_the_containers_own(tmp_path, layout):
    tree = build(tmp_path, layout, limit=256 * 2**20)
    memory = payload_of(tree)["memory_stats"]
    assert memory["limit"] == 256 * 2**20


def test_v1_limit_is_the_hierarchical_one_as_dockerd_takes_it(tmp_path):
    """A parent cgroup's lower limit (--cgroup-parent with a limit) is what the engine reports."""
    tree = build(tmp_path, "v1-cgroupfs")
    stat = tree.folder("memory") / "memory.stat"
    stat.write_text(
        stat.read_text().replace(f"hierarchical_memory_limit {NO_LIMIT_V1}", "hierarchical_memory_limit 1000")
    )
    assert payload_of(tree)["memory_stats"]["limit"] == 1000


def test_host_network_has_no_numbers_of_its_own_and_says_so(tmp_path):
    tree = build(tmp_path, "v2-systemd", network_mode="host")
    target = target_of(tree)
    payload = payload_of(tree, target)
    assert "networks" not in payload
    stats = stats_between(stats_reading(payload), None, "", "")
    assert (stats.net_rx, stats.net_tx) == (None, None)  # n/a, not 0
    assert HOST_NETWORK_NOTE in target.source


def test_a_container_without_network_shows_zero_traffic(tmp_path):
    """--network none: only the loopback in its namespace, so no traffic: 0 is measured, not assumed."""
    tree = build(tmp_path, "v1-cgroupfs", network_mode="none")
    net_dev = tree.root / "proc" / str(tree.numbers["pid"]) / "net" / "dev"
    net_dev.write_text("\n".join(net_dev.read_text().splitlines()[:3]) + "\n")
    stats = stats_between(stats_reading(payload_of(tree)), None, "", "")
    assert (stats.net_rx, stats.net_tx) == (0, 0)


def test_missing_pids_controller_and_block_io_are_not_available(tmp_path):
    tree = build(tmp_path, "v2-systemd")
    (tree.folder("") / "pids.current").unlink()
    (tree.folder("") / "io.stat").unlink()
    payload = payload_of(tree)
    assert "blkio_stats" not in payload
    stats = stats_between(stats_reading(payload), None, "", "")
    assert (stats.pids, stats.block_read, stats.block_write) == (None, None, None)


@pytest.mark.parametrize("gone", ["net/dev", "memory.stat", "cpuacct.usage", "blkio.throttle.io_service_bytes"])
def test_a_container_that_exits_mid_read_gives_no_reading_at_all(tmp_path, gone):
    tree = build(tmp_path, "v1-cgroupfs")
    target = target_of(tree)
    tree.remove(gone)
    assert payload_of(tree, target) is None


def test_a_pid_whose_cgroup_is_not_the_containers_is_refused(tmp_path):
    """The engine in a VM or another PID namespace: its State.Pid is some other process here."""
    tree = build(tmp_path, "v2-systemd")
    (tree.root / "proc" / str(tree.numbers["pid"]) / "cgroup").write_text("0::/user.slice/session-2.scope\n")
    with pytest.raises(NotReadable, match="virtual machine or in another PID namespace"):
        target_of(tree)


def test_the_kernels_own_path_wins_over_dockers_rule(tmp_path):
    """An engine started with its own --cgroup-parent puts containers where `docker info` does not say."""
    tree = build(tmp_path, "v1-cgroupfs")
    for controller in ("memory", "cpuacct"):
        moved = Path(str(tree.folder(controller)).replace("/docker/", "/ci-engine/"))
        moved.parent.mkdir(parents=True)
        tree.folder(controller).rename(moved)
    elsewhere = str(tree.folder("memory")).replace("/docker/", "/ci-engine/")
    pid_cgroup = tree.root / "proc" / str(tree.numbers["pid"]) / "cgroup"
    pid_cgroup.write_text(pid_cgroup.read_text().replace("/docker/", "/ci-engine/"))
    target = target_of(tree)
    assert str(target.folders.shown) == elsewhere
    assert not target.pids  # the pids and blkio folders stayed under /docker: those numbers are n/a
    stats = stats_between(stats_reading(payload_of(tree, target)), None, "", "")
    assert stats.pids is None and stats.memory_used == 6_795_264 - 6_291_456


def test_without_the_pid_here_its_network_cannot_be_read_so_the_engine_stream_is_used(tmp_path):
    tree = build(tmp_path, "v1-cgroupfs", pid=999_999)
    (tree.root / "proc" / "999999" / "cgroup").unlink()
    (tree.root / "proc" / "999999" / "net" / "dev").unlink()
    with pytest.raises(NotReadable, match=r"may not read .*999999/net/dev"):
        target_of(tree)


def test_an_unreadable_counter_is_refused_with_the_kernels_reason(tmp_path):
    tree = build(tmp_path, "v1-cgroupfs")
    usage = tree.folder("cpuacct") / "cpuacct.usage"
    usage.unlink()
    usage.mkdir()  # reading it fails as a file without permission does (an OSError), also for root
    with pytest.raises(NotReadable, match=r"may not read .*cpuacct\.usage"):
        target_of(tree)


def test_a_cgroup_parent_nowhere_here_is_refused(tmp_path):
    tree = build(tmp_path, "v2-systemd", cgroup_parent="batch.slice")
    (tree.root / "proc" / str(tree.numbers["pid"]) / "cgroup").unlink()  # and the kernel cannot be asked
    with pytest.raises(NotReadable, match=r"batch\.slice/docker-.*\.scope is not under any cgroup mount"):
        target_of(tree)


@pytest.mark.parametrize(
    "layout, info, reason",
    [
        ("v1-cgroupfs", {"CgroupDriver": "none"}, "without cgroups"),
        ("v1-cgroupfs", {"OperatingSystem": "Docker Desktop"}, "Docker Desktop's virtual machine"),
        ("v2-systemd", {"CgroupVersion": "1"}, "no cgroup v1 hierarchy"),
        ("v1-cgroupfs", {"CgroupVersion": "2"}, "not under any cgroup mount"),  # only systemd's "unified" one
    ],
)
def test_engines_whose_containers_are_not_on_this_kernel(tmp_path, layout, info, reason):
    tree = build(tmp_path, layout)
    facts = engine_facts(tree.info | info)
    with pytest.raises(NotReadable, match=reason):
        open_target(container_facts(tree.inspect), facts, tree.files)


def test_a_stopped_container_is_not_read(tmp_path):
    tree = build(tmp_path, "v1-cgroupfs")
    stopped = tree.inspect | {"State": {"Running": False, "Pid": 0}}
    with pytest.raises(NotReadable, match="not running"):
        open_target(container_facts(stopped), engine_facts(tree.info), tree.files)


def test_cfq_files_are_added_as_containerd_adds_them(tmp_path):
    tree = build(tmp_path, "v1-cgroupfs")
    blkio = tree.folder("blkio")
    (blkio / "blkio.io_serviced_recursive").write_text("254:0 Read 1\nTotal 1\n")
    (blkio / "blkio.io_service_bytes_recursive").write_text("254:0 Read 100\n254:0 Write 50\nTotal 150\n")
    stats = stats_between(stats_reading(payload_of(tree)), None, "", "")
    assert (stats.block_read, stats.block_write) == (20_971_520 + 100, 20_987_904 + 50)


def test_stream_source_says_why():
    assert stream_source("it is not running") == "Numbers from the engine's stats stream: it is not running."


@pytest.mark.parametrize("seconds", [0.0, 1_765_071_596.730264624, 1_765_071_596.9999999999])
def test_read_times_are_the_engines_format(seconds):
    text = rfc3339(seconds)
    assert text.endswith("Z") and len(text) == len("2026-12-07T01:39:56.730264624Z")
    assert read_time(text) == pytest.approx(seconds, abs=1e-6)


def test_the_tree_builder_writes_where_the_engine_puts_cgroups(tmp_path):
    assert cgroup_trees.cgroup_of("v1-systemd", "ab") == "/system.slice/docker-ab.scope"
    assert build(tmp_path, "v1-systemd").folder("cpuacct").parent.parent.name == "cpu,cpuacct"


def test_the_first_sample_limit_is_the_hierarchical_one_too(tmp_path):
    """Found (issue 23): the stream path's first sample from the kernel (gui.core.monitor.cgroup) took
    memory.limit_in_bytes, so under a parent cgroup with a lower limit it said another limit than the engine's."""
    from gui.core.monitor.cgroup import KernelFiles, container_memory

    tree = build(tmp_path, "v1-cgroupfs", limit=512 * 2**20)
    stat = tree.folder("memory") / "memory.stat"
    stat.write_text(
        stat.read_text().replace(f"hierarchical_memory_limit {512 * 2**20}", "hierarchical_memory_limit 1000")
    )
    files = KernelFiles(tree.files.cgroup_root, tree.files.proc_stat, tree.files.proc_meminfo)
    assert container_memory(tree.inspect["Id"], files)[1] == 1000
