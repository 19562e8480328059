"""Host sample: psutil's CPU formula with our own baseline, memory as total - available, data-root disk."""

from __future__ import annotations

import os
import time
from collections import namedtuple

import psutil
import pytest

from gui.core.monitor import host as host_stats
from gui.core.monitor.host import HostSampler, busy_percent, sample_host

# The fields psutil has on Linux; guest time is already inside user (the kernel counts it twice).
Times = namedtuple("Times", "user nice system idle iowait irq softirq steal guest guest_nice")


def times(user=0.0, system=0.0, idle=0.0, iowait=0.0, guest=0.0, nice=0.0, guest_nice=0.0):
    return Times(user, nice, system, idle, iowait, 0.0, 0.0, 0.0, guest, guest_nice)


def test_busy_percent_by_hand():
    before = times(user=100, system=50, idle=800, iowait=50)
    after = times(user=130, system=60, idle=850, iowait=60)
    # busy went 150 -> 190 (+40); all went 1000 -> 1100 (+100); iowait counts as idle
    assert busy_percent(before, after) == 40.0


def test_guest_time_is_not_counted_twice():
    before = times(user=100, idle=100, guest=50)
    after = times(user=200, idle=200, guest=100)
    # user +100 includes guest +50: all = (100 + 100 + 50) - 50 = 200 -> busy 100 / 200
    assert busy_percent(before, after) == 50.0


def test_niced_guest_time_is_not_counted_twice_either():
    before = times(user=100, nice=100, idle=200, guest_nice=50)
    after = times(user=100, nice=200, idle=300, guest_nice=100)
    # nice +100 includes guest_nice +50: all = (100 + 100 + 50) - 50 = 200 -> busy 100 / 200
    assert busy_percent(before, after) == 50.0


def test_one_cpu_over_one_second_and_a_tenth_of_a_percent():
    # A sample per second, per CPU: well under one second of each kind of time passes.
    assert busy_percent(times(user=10.0, idle=10.0), times(user=10.25, idle=10.75)) == 25.0
    assert busy_percent(times(user=0.0, idle=0.0), times(user=0.1, idle=0.2)) == 33.3


# Times as psutil gives them where there is no iowait or guest time (macOS: user nice system idle).
MacTimes = namedtuple("MacTimes", "user nice system idle")


def test_cpu_times_without_iowait_or_guest_fields():
    assert busy_percent(MacTimes(10, 0, 10, 80), MacTimes(40, 0, 20, 140)) == 40.0


def test_idle_time_going_back_gives_no_nonsense():
    # Linux's idle counter can go back a little (tickless idle accounting); psutil clamps, and so do we.
    assert busy_percent(times(user=5, idle=5), times(user=4, idle=10)) == 0.0  # busy went back
    assert busy_percent(times(user=5, idle=5), times(user=6, idle=4)) == 0.0  # no time passed in all
    assert busy_percent(times(user=5, idle=5), times(user=7, idle=4)) == 100.0  # more busy than time passed


def test_no_time_passed_or_counters_went_back_give_zero():
    same = times(user=1, idle=1)
    assert busy_percent(same, same) == 0.0
    assert busy_percent(times(user=5, idle=5), times(user=4, idle=6)) == 0.0


class FakeCpuTimes:
    """Per-call CPU times: total, then per CPU, as psutil.cpu_times(percpu=...) returns them."""

    def __init__(self, readings):
        self.readings = list(readings)
        self.calls = 0

    def __call__(self, percpu):
        reading = self.readings[min(self.calls // 2, len(self.readings) - 1)]
        self.calls += 1
        return reading[1] if percpu else reading[0]


def test_sampler_uses_its_previous_call_as_baseline(monkeypatch):
    monkeypatch.setattr(host_stats, "FIRST_INTERVAL", 0.0)
    readings = [
        (times(user=0, idle=0), [times(user=0, idle=0), times(user=0, idle=0)]),
        (times(user=10, idle=10), [times(user=10, idle=0), times(user=0, idle=10)]),
        (times(user=10, idle=30), [times(user=10, idle=10), times(user=0, idle=20)]),
    ]
    sampler = HostSampler(cpu_times=FakeCpuTimes(readings))
    first = sampler.sample()
    assert first.cpu_percent == 50.0 and first.per_cpu == (100.0, 0.0)
    second = sampler.sample()
    assert second.cpu_percent == 0.0 and second.per_cpu == (0.0, 0.0)


def test_each_sample_covers_the_time_since_the_previous_one(monkeypatch):
    monkeypatch.setattr(host_stats, "FIRST_INTERVAL", 0.0)
    readings = [
        (times(user=0, idle=0), [times(user=0, idle=0)]),
        (times(user=0, idle=10), [times(user=0, idle=10)]),
        (times(user=30, idle=20), [times(user=30, idle=20)]),
    ]
    sampler = HostSampler(cpu_times=FakeCpuTimes(readings))
    assert sampler.sample().cpu_percent == 0.0
    second = sampler.sample()  # from the first sample's reading, not a fresh baseline of its own
    assert (second.cpu_percent, second.per_cpu) == (75.0, (75.0,))


def test_a_sampler_of_its_own_reads_this_computer(monkeypatch):
    monkeypatch.setattr(host_stats, "FIRST_INTERVAL", 0.0)
    before = time.time()
    sample = HostSampler().sample()
    assert before <= sample.time <= time.time()
    assert len(sample.per_cpu) == psutil.cpu_count()
    assert 0.0 <= sample.cpu_percent <= 100.0


def test_a_cpu_coming_online_does_not_break_the_sample(monkeypatch):
    monkeypatch.setattr(host_stats, "FIRST_INTERVAL", 0.0)
    readings = [
        (times(user=0, idle=0), [times(user=0, idle=0)]),
        (times(user=10, idle=10), [times(user=10, idle=0), times(user=0, idle=10)]),
    ]
    sample = HostSampler(cpu_times=FakeCpuTimes(readings)).sample()
    assert sample.cpu_percent == 50.0
    assert sample.per_cpu == (0.0, 0.0)  # no baseline for the new layout yet


def test_real_sample_is_plausible(tmp_path):
    sample = sample_host(str(tmp_path))
    assert 0.0 <= sample.cpu_percent <= 100.0
    assert len(sample.per_cpu) == psutil.cpu_count()
    assert all(0.0 <= value <= 100.0 for value in sample.per_cpu)
    memory = psutil.virtual_memory()
    assert sample.memory_total == memory.total
    assert 0 < sample.memory_used <= sample.memory_total
    assert 0.0 < sample.memory_percent <= 100.0
    assert sample.swap_used <= sample.swap_total
    assert sample.swap_percent is None if sample.swap_total == 0 else 0.0 <= sample.swap_percent <= 100.0
    assert sample.load == pytest.approx(os.getloadavg(), abs=5.0)
    disk = psutil.disk_usage(str(tmp_path))
    assert sample.data_root == str(tmp_path)
    assert sample.data_root_total == disk.total
    assert 0 < sample.data_root_free <= sample.data_root_total


def test_no_data_root_or_a_missing_one_gives_none(tmp_path):
    assert sample_host(None).data_root_free is None
    missing = sample_host(str(tmp_path / "not-there"))
    assert missing.data_root == str(tmp_path / "not-there")
    assert missing.data_root_free is None and missing.data_root_total is None


def test_no_load_average_gives_none(monkeypatch):
    monkeypatch.delattr(os, "getloadavg")
    assert sample_host().load is None


def test_swap_percent():
    base = sample_host()
    fields = {**base.__dict__, "swap_used": 1, "swap_total": 4}
    assert host_stats.HostSample(**fields).swap_percent == 25.0
    assert host_stats.HostSample(**{**fields, "swap_total": 0, "swap_used": 0}).swap_percent is None
