"""The first CPU % of a local container, from the kernel's counters in a fake cgroup tree and /proc/stat."""
import os

import pytest

from gui.core.cgroup_cpu import CpuReading, container_cpu_ns, local_cpu_percent, read_cpu, system_cpu_ns

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


@pytest.mark.parametrize("folder", ["cpuacct/docker/{id}", "cpu,cpuacct/docker/{id}",
                                    "cpuacct/system.slice/docker-{id}.scope"])
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


def test_a_busy_container_between_two_readings_shows_the_cli_percentage(tmp_path):
    usage = write(tmp_path / "cgroup" / "cpuacct" / "docker" / CONTAINER / "cpuacct.usage", "0\n")
    before = read_cpu(CONTAINER, tmp_path / "cgroup", proc_stat(tmp_path, [0, 0, 0, 0, 0, 0, 0]))
    # 25 ticks of host time pass on 2 CPUs; the container used half of them: 50 % of the host = 100 % of one CPU
    usage.write_text(f"{25 * TICK_NS // 2}\n")
    after = read_cpu(CONTAINER, tmp_path / "cgroup", proc_stat(tmp_path, [10, 0, 5, 10, 0, 0, 0]))
    assert local_cpu_percent(before, after) == pytest.approx(100.0)


def test_an_idle_container_shows_zero():
    before = CpuReading(container_ns=5, system_ns=100, online_cpus=2)
    after = CpuReading(container_ns=5, system_ns=900, online_cpus=2)
    assert local_cpu_percent(before, after) == 0.0


def test_a_container_without_a_cgroup_here_has_no_reading(tmp_path):
    assert read_cpu(CONTAINER, tmp_path / "cgroup", proc_stat(tmp_path, [1, 1, 1, 1, 1, 1, 1])) is None
