"""The first sample of a local container (CPU %, memory, processes), from the kernel's files in a fake tree."""

import os
import time

import pytest

from gui.core.monitor.cgroup import (
    CpuReading,
    KernelFiles,
    container_cpu_ns,
    container_memory,
    container_pids,
    kernel_reading,
    read_cpu,
    system_cpu_ns,
)
from gui.core.monitor.stats import stats_between, stats_reading

CONTAINER = "ab12" * 16
TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def proc_stat(tmp_path, ticks: list[int], cpus: int = 2):
    lines = ["cpu  " + " ".join(str(tick) for tick in ticks) + " 0 0 0"]
    lines += [f"cpu{n} 1 2 3 4 5 6 7 0 0 0" for n in range(cpus)]
    lines += ["intr 12345 0 0", "ctxt 999", "btime 1700000000"]
    return write(tmp_path / "stat", "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "folder", ["cpuacct/docker/{id}", "cpu,cpuacct/docker/{id}", "cpuacct/system.slice/docker-{id}.scope"]
)
def test_cgroup_v1_usage_is_read_from_where_docker_puts_it(tmp_path, folder):
    write(tmp_path / folder.format(id=CONTAINER) / "cpuacct.usage", "123456789\n")
    assert container_cpu_ns(CONTAINER, tmp_path) == 123456789


@pytest.mark.parametrize("parent", ["docker/{id}", "system.slice/docker-{id}.scope"])
def test_cgroup_v2_usage_is_in_microseconds(tmp_path, parent):
    write(tmp_path / parent.format(id=CONTAINER) / "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n")
    assert container_cpu_ns(CONTAINER, tmp_path) == 2_500_000


def test_an_unknown_container_or_a_path_like_id_reads_nothing(tmp_path):
    write(tmp_path / "cpuacct" / "docker" / "cpuacct.usage", "1\n")
    assert container_cpu_ns(CONTAINER, tmp_path) is None
    assert container_cpu_ns("..", tmp_path) is None
    assert container_cpu_ns("", tmp_path) is None


def test_host_time_is_the_first_seven_fields_and_cpus_are_counted(tmp_path):
    stat = proc_stat(tmp_path, [100, 0, 50, 800, 10, 5, 5], cpus=4)
    assert system_cpu_ns(stat) == (970 * TICK_NS, 4)


def test_unreadable_host_counters_give_none(tmp_path):
    assert system_cpu_ns(tmp_path / "missing") is None
    assert system_cpu_ns(write(tmp_path / "garbled", "cpu  a b c d e f g\ncpu0 1\n")) is None


def meminfo(tmp_path, kib: int):
    return write(tmp_path / "meminfo", f"MemTotal:       {kib} kB\nMemFree:        1000 kB\n")


def files(tmp_path, ticks, cpus=2, mem_kib=2_000_000):
    return KernelFiles(tmp_path / "cgroup", proc_stat(tmp_path, ticks, cpus), meminfo(tmp_path, mem_kib))


def v1_container(tmp_path, usage_ns=0, memory=3_338_240, inactive=2_629_632, limit=9223372036854771712, pids=1):
    """A container's files as dockerd 20.10 with cgroupfs leaves them (numbers from this machine)."""
    root = tmp_path / "cgroup"
    cpu = write(root / "cpuacct" / "docker" / CONTAINER / "cpuacct.usage", f"{usage_ns}\n")
    folder = root / "memory" / "docker" / CONTAINER
    write(folder / "memory.usage_in_bytes", f"{memory}\n")
    write(folder / "memory.limit_in_bytes", f"{limit}\n")
    write(folder / "memory.stat", f"cache 0\ninactive_file {inactive}\ntotal_cache 0\ntotal_inactive_file {inactive}\n")
    write(root / "pids" / "docker" / CONTAINER / "pids.current", f"{pids}\n")
    return cpu


def test_a_busy_container_shows_the_cli_percentage_in_its_first_sample(tmp_path):
    usage = v1_container(tmp_path)
    before = read_cpu(CONTAINER, files(tmp_path, [0, 0, 0, 0, 0, 0, 0]))
    # 25 ticks of host time pass on 2 CPUs; the container used half of them: 50 % of the host = 100 % of one CPU
    usage.write_text(f"{25 * TICK_NS // 2}\n")
    reading = kernel_reading(CONTAINER, before, files(tmp_path, [10, 0, 5, 10, 0, 0, 0]))
    assert stats_between(reading, None, CONTAINER, "web").cpu_percent == pytest.approx(100.0)


def test_an_idle_container_shows_zero(tmp_path):
    v1_container(tmp_path, usage_ns=5)
    before = CpuReading(container_ns=5, system_ns=100, online_cpus=2)
    reading = kernel_reading(CONTAINER, before, files(tmp_path, [10, 0, 5, 10, 0, 0, 0]))
    assert stats_between(reading, None, CONTAINER, "web").cpu_percent == 0.0


def test_first_sample_memory_is_what_docker_stats_shows_with_the_machine_as_limit(tmp_path):
    """Measured here: the engine said usage 3338240, total_inactive_file 2629632, limit 25275973632 (MemTotal)
    for a container without a memory limit, whose memory.limit_in_bytes is 9223372036854771712."""
    v1_container(tmp_path)
    before = CpuReading(0, 0, 2)
    stats = stats_between(
        kernel_reading(CONTAINER, before, files(tmp_path, [1] * 7, mem_kib=24_683_568)), None, CONTAINER, "web"
    )
    assert (stats.memory_used, stats.memory_limit) == (3_338_240 - 2_629_632, 25_275_973_632)
    assert stats.pids == 1
    # The kernel does not say network or disk totals; the first sample has no rates, the next none from it
    assert (stats.net_rx, stats.block_write, stats.net_rx_rate) == (None, None, None)


def test_a_memory_limit_below_the_machine_is_kept(tmp_path):
    v1_container(tmp_path, limit=512 * 2**20)
    assert container_memory(CONTAINER, files(tmp_path, [1] * 7))[1] == 512 * 2**20


@pytest.mark.parametrize("limit, expected", [("max", 2_000_000 * 1024), ("268435456", 268435456)])
def test_cgroup_v2_memory_and_processes(tmp_path, limit, expected):
    folder = tmp_path / "cgroup" / "system.slice" / f"docker-{CONTAINER}.scope"
    write(folder / "memory.current", "10000000\n")
    write(folder / "memory.max", f"{limit}\n")
    write(folder / "memory.stat", "anon 4000000\nfile 6000000\ninactive_file 3000000\nactive_file 3000000\n")
    write(folder / "pids.current", "7\n")
    assert container_memory(CONTAINER, files(tmp_path, [1] * 7)) == (7_000_000, expected)
    assert container_pids(CONTAINER, tmp_path / "cgroup") == 7


def test_a_container_without_a_cgroup_here_has_no_reading(tmp_path):
    kernel = files(tmp_path, [1, 1, 1, 1, 1, 1, 1])
    assert read_cpu(CONTAINER, kernel) is None
    assert kernel_reading(CONTAINER, CpuReading(0, 0, 2), kernel) is None


def test_without_memory_files_there_is_no_first_sample_from_the_kernel(tmp_path):
    """CPU alone is not a sample: the collector then waits for the engine's payload."""
    write(tmp_path / "cgroup" / "cpuacct" / "docker" / CONTAINER / "cpuacct.usage", "5\n")
    kernel = files(tmp_path, [1, 1, 1, 1, 1, 1, 1])
    assert read_cpu(CONTAINER, kernel) is not None
    assert kernel_reading(CONTAINER, CpuReading(0, 0, 2), kernel) is None


def test_host_time_counts_the_first_seven_fields_only(tmp_path):
    # An older kernel's line has exactly seven; a newer one's eighth field (steal) is not host time to dockerd.
    seven = write(tmp_path / "seven", "cpu  100 0 50 800 10 5 5\ncpu0 1 2 3 4 5 6 7\n")
    assert system_cpu_ns(seven) == (970 * TICK_NS, 1)
    steal = write(tmp_path / "steal", "cpu  100 0 50 800 10 5 5 999 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\n")
    assert system_cpu_ns(steal) == (970 * TICK_NS, 1)


def test_host_time_of_a_big_machine_up_for_a_year_stays_exact(tmp_path):
    ticks = 128 * 365 * 86_400 * 100 + 1  # 128 CPUs, a year, at 100 ticks a second: beyond a float's 53 bits in ns
    stat = write(tmp_path / "stat", f"cpu  {ticks} 0 0 0 0 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\n")
    assert system_cpu_ns(stat) == (ticks * TICK_NS, 1)


def test_host_counters_without_the_total_line_or_without_cpus_give_none(tmp_path):
    assert system_cpu_ns(write(tmp_path / "short", "cpu  1 2 3 4\ncpu0 1 2 3 4\n")) is None  # a kernel before 2.6
    assert system_cpu_ns(write(tmp_path / "no-cpus", "cpu  1 2 3 4 5 6 7 0 0 0\nintr 1\n")) is None


def test_first_sample_is_stamped_now_and_the_engines_next_payload_follows_it(tmp_path):
    v1_container(tmp_path, usage_ns=5)
    before = time.time()
    first = kernel_reading(CONTAINER, CpuReading(0, 0, 2), files(tmp_path, [10, 0, 5, 10, 0, 0, 0]))
    assert before <= first.read <= time.time()
    # The engine's payload a second later knows network totals; the kernel's reading did not, so no rate yet.
    payload = stats_reading({"read": "2100-01-01T00:00:00Z", "networks": {"eth0": {"rx_bytes": 500, "tx_bytes": 100}}})
    stats = stats_between(payload, first, CONTAINER, "web")
    assert (stats.net_rx, stats.net_rx_rate) == (500, None)


def test_no_limit_and_no_machine_memory_known_gives_no_limit(tmp_path):
    folder = tmp_path / "cgroup" / "docker" / CONTAINER
    write(folder / "memory.current", "10000000\n")
    write(folder / "memory.max", "max\n")
    kernel = KernelFiles(tmp_path / "cgroup", tmp_path / "stat", tmp_path / "no-meminfo")
    assert container_memory(CONTAINER, kernel) == (10_000_000, 0)
