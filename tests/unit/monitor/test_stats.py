"""docker stats' formulas on stats payloads: real cgroup v1 payloads recorded from dockerd 20.10 (API 1.41,
cgroupfs) into tests/fakes/stats/v1-*.json with `curl --unix-socket` / docker-py, and a cgroup v2 payload written by
hand from the Engine API reference (v2-handmade-*.json: no percpu_usage, `inactive_file` and no
`total_inactive_file`, lowercase block I/O ops). The expected numbers are worked out here from the payloads' own
fields, not by running the code twice.

The engine this was recorded on does not account block I/O to cgroups (io_service_bytes_recursive stays empty even
for O_DIRECT reads and writes), so v1 block I/O is checked on small payloads written below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gui.core.monitor.stats import (
    ContainerStats,
    StatsReading,
    block_io_totals,
    container_stats,
    cpu_percent,
    cpu_percent_tooltip,
    is_stopped,
    memory_used,
    network_totals,
    read_time,
    stats_between,
)

STATS = Path(__file__).parents[2] / "fakes" / "stats"


def load(name: str):
    return json.loads((STATS / name).read_text())


# CPU % --------------------------------------------------------------------------------------------


def test_busy_stream_payload_uses_its_own_precpu():
    # A `while :; do :; done` loop on a 2-CPU host: one CPU fully busy is 100 %, as docker stats showed (100.68 %).
    payload = load("v1-busy-stream.json")[1]
    stats = container_stats(payload)
    cpu_delta = 76339695903 - 75335683958  # 1004011945 ns of CPU time
    system_delta = 20794830000000 - 20792820000000  # 2010000000 ns: both CPUs over ~1 s
    assert stats.cpu_percent == pytest.approx(cpu_delta / system_delta * 2 * 100)
    assert stats.cpu_percent == pytest.approx(99.9016, abs=1e-3)
    assert stats.online_cpus == 2


def test_first_stream_payload_has_no_cpu_percent_yet():
    assert container_stats(load("v1-busy-stream.json")[0]).cpu_percent is None


def test_idle_container_is_zero_not_missing():
    stats = container_stats(load("v1-idle-stream.json")[1])
    assert stats.cpu_percent == 0.0


def test_one_shot_payload_needs_our_previous_payload():
    first, second = load("v1-busy-oneshot.json")
    assert container_stats(second).cpu_percent is None  # one-shot: precpu_stats is empty
    stats = container_stats(second, previous=first)
    expected = (81356578214 - 80352646831) / (20804860000000 - 20802850000000) * 2 * 100
    assert stats.cpu_percent == pytest.approx(expected)
    assert stats.cpu_percent == pytest.approx(99.8937, abs=1e-3)


def test_no_stream_payload_carries_the_engines_previous_reading():
    assert container_stats(load("v1-idle-nostream.json")).cpu_percent == 0.0


def test_v2_payload_without_percpu_usage():
    stats = container_stats(load("v2-handmade-stream.json")[1])
    # 1.5 s of CPU time over 4 CPUs × 1 s: one and a half CPUs busy.
    assert stats.cpu_percent == pytest.approx(1_500_000_000 / 4_000_000_000 * 4 * 100) == 150.0
    assert stats.online_cpus == 4


def test_online_cpus_falls_back_to_percpu_usage_like_the_cli():
    current = {
        "cpu_usage": {"total_usage": 3_000, "percpu_usage": [1_000, 1_000, 500, 500]},
        "system_cpu_usage": 20_000,
        "online_cpus": 0,
    }
    previous = {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 10_000}
    assert cpu_percent(current, previous) == pytest.approx(2_000 / 10_000 * 4 * 100) == 80.0


def test_cpu_percent_is_zero_when_a_counter_went_backwards():
    current = {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 20_000, "online_cpus": 2}
    previous = {"cpu_usage": {"total_usage": 5_000}, "system_cpu_usage": 10_000}
    assert cpu_percent(current, previous) == 0.0


# Memory --------------------------------------------------------------------------------------------


def test_v1_memory_leaves_out_inactive_page_cache():
    # 16 MiB written to a file in a container limited to 64 MiB; docker stats showed "1.148MiB / 64MiB  1.79%".
    stats = container_stats(load("v1-pagecache-limited-nostream.json"))
    assert stats.memory_used == 17981440 - 16777216 == 1204224
    assert stats.memory_limit == 64 * 1024 * 1024
    assert stats.memory_percent == pytest.approx(1204224 / 67108864 * 100) == pytest.approx(1.7944, abs=1e-4)


def test_v1_memory_without_cache():
    stats = container_stats(load("v1-busy-stream.json")[2])
    assert stats.memory_used == 331776  # docker stats: 324KiB
    assert stats.memory_limit == 25276063744  # no limit: the host's memory
    assert stats.memory_percent == pytest.approx(331776 / 25276063744 * 100)


def test_v2_memory_uses_inactive_file():
    stats = container_stats(load("v2-handmade-stream.json")[1])
    assert stats.memory_used == 268435456 - 67108864 == 201326592
    assert stats.memory_percent == pytest.approx(201326592 / 1073741824 * 100) == 18.75


def test_inactive_file_larger_than_usage_is_not_subtracted():
    assert memory_used({"usage": 1000, "stats": {"total_inactive_file": 4000, "inactive_file": 500}}) == 500
    assert memory_used({"usage": 1000, "stats": {"inactive_file": 4000}}) == 1000
    assert memory_used({}) == 0


# Network, block I/O, PIDs, rates --------------------------------------------------------------------


def test_network_rates_between_two_payloads():
    first, second = load("v1-net-stream.json")
    stats = container_stats(second, previous=first)
    seconds = 58.707659363 - 57.704064254  # the payloads' read times, 11:52:57.704… and 11:52:58.707…
    assert (stats.net_rx, stats.net_tx) == (297862, 882588)
    assert stats.net_rx_rate == pytest.approx((297862 - 297792) / seconds)
    assert stats.net_tx_rate == pytest.approx((882588 - 853748) / seconds) == pytest.approx(28736.7, abs=0.1)
    assert stats.block_read_rate == stats.block_write_rate == 0.0
    assert stats.pids == 1


def test_rates_need_a_previous_payload():
    stats = container_stats(load("v1-net-stream.json")[1])
    assert stats.net_rx_rate is stats.net_tx_rate is stats.block_read_rate is stats.block_write_rate is None


def test_v2_totals_and_rates_over_all_interfaces_and_devices():
    first, second = load("v2-handmade-stream.json")
    stats = container_stats(second, previous=first)
    assert (stats.net_rx, stats.net_tx) == (1_500_000 + 2_000, 300_000)
    assert (stats.net_rx_rate, stats.net_tx_rate) == (501_000.0, 100_000.0)  # over exactly 1 s
    assert (stats.block_read, stats.block_write) == (5_144_576 + 1_000, 10_289_152)
    assert (stats.block_read_rate, stats.block_write_rate) == (1_048_576.0, 2_097_152.0)
    assert stats.pids == 13
    assert (stats.container_id, stats.name) == ("9f" * 32, "trainer")


def test_v1_block_io_counts_read_and_write_ops_only():
    blkio = {
        "io_service_bytes_recursive": [
            {"major": 254, "minor": 0, "op": "Read", "value": 4096},
            {"major": 254, "minor": 0, "op": "Write", "value": 8192},
            {"major": 254, "minor": 0, "op": "Sync", "value": 12288},
            {"major": 254, "minor": 0, "op": "Async", "value": 0},
            {"major": 254, "minor": 0, "op": "Discard", "value": 0},
            {"major": 254, "minor": 0, "op": "Total", "value": 12288},
            {"major": 8, "minor": 0, "op": "Read", "value": 100},
        ]
    }
    assert block_io_totals(blkio) == (4196, 8192)
    assert block_io_totals({"io_service_bytes_recursive": None}) == (0, 0)


def test_a_restart_resets_counters_and_gives_no_rate():
    first, second = load("v2-handmade-stream.json")
    stats = container_stats(first, previous=second | {"read": "2026-11-25T11:59:59Z"})
    assert stats.net_rx_rate is None  # 1001000 after 1502000: fresh counters, not negative traffic


def test_stopped_container_payload():
    stats = container_stats(load("v1-stopped.json"))
    assert stats == ContainerStats(
        container_id="0e71982f8740a802f59358239a732b739ef83a92ad9405a280df68ac301432ae",
        name="s1-idle",
        read=0.0,
        cpu_percent=None,
        online_cpus=0,
        memory_used=0,
        memory_limit=0,
        memory_percent=None,
        net_rx=None,  # the payload has no "networks": not measured, so n/a, not 0 (issue 23)
        net_tx=None,
        block_read=0,
        block_write=0,
        net_rx_rate=None,
        net_tx_rate=None,
        block_read_rate=None,
        block_write_rate=None,
        pids=None,
    )


def test_a_stopped_containers_payload_is_told_from_a_running_ones():
    assert is_stopped(load("v1-stopped.json"))
    assert not is_stopped(load("v1-idle-oneshot.json"))
    assert not is_stopped({})


def test_given_id_and_name_win_over_the_payloads():
    stats = container_stats(load("v1-idle-oneshot.json"), container_id="abc", name="web")
    assert (stats.container_id, stats.name) == ("abc", "web")


# Times and words -------------------------------------------------------------------------------------


def test_read_time_keeps_nanoseconds_as_far_as_a_float_can():
    assert read_time("2026-11-25T11:52:51.677856483Z") == pytest.approx(1795607571.677856483, abs=1e-6)
    assert read_time("2026-11-25T11:52:51Z") == 1795607571.0
    assert read_time("0001-01-01T00:00:00Z") == 0.0
    assert read_time(None) == 0.0


def test_a_time_whose_fraction_is_not_digits_reads_as_its_whole_second():
    # An engine elsewhere (or a proxy) may write something odd after the point: the sample keeps its second.
    assert read_time("2026-11-25T11:52:51.5xZ") == 1795607571.0


def test_tooltip_says_why_cpu_can_pass_100_percent():
    assert cpu_percent_tooltip(8) == (
        "100 % is one full CPU. This container may use up to 8 CPUs, so it can show up to 800 %, as docker stats does."
    )
    assert "one full CPU" in cpu_percent_tooltip(1)


# Edges the CLI's formulas decide ------------------------------------------------------------------


def reading(read: float = 100.0, cpu: int = 0, system: int | None = 0, cpus: int = 2, net: int | None = 0):
    """A reading with only what these tests look at."""
    return StatsReading(
        read=read,
        cpu_total=cpu,
        system_cpu=system,
        online_cpus=cpus,
        pre_cpu_total=0,
        pre_system_cpu=None,
        memory_used=0,
        memory_limit=0,
        net_rx=net,
        net_tx=net,
        block_read=net,
        block_write=net,
        pids=None,
    )


def test_payload_without_id_or_name_gives_empty_ones():
    stats = container_stats(load("v1-idle-oneshot.json") | {"id": None, "name": None})
    assert (stats.container_id, stats.name) == ("", "")


def test_only_the_leading_slash_leaves_the_name():
    assert stats_between(reading(), None, "abc", "/Xenon").name == "Xenon"


def test_a_sample_says_where_its_numbers_come_from():  # the Monitor's tooltip per container (issue 23)
    source = "Numbers from the kernel (cgroup v1, /sys/fs/cgroup/memory/docker/abc)."
    assert stats_between(reading(), None, "abc", "web", source).source == source


def test_a_stopped_previous_payload_gives_no_rates():
    # Its read time is Go's zero time: "since the year 1" would make every rate about zero.
    stats = stats_between(reading(read=100.0, net=5_000), reading(read=0.0, net=1_000), "abc", "web")
    assert stats.net_rx_rate is stats.block_write_rate is None


def test_two_payloads_read_at_the_same_time_give_no_rates():
    stats = stats_between(reading(read=100.0, net=5_000), reading(read=100.0, net=1_000), "abc", "web")
    assert stats.net_rx_rate is stats.block_read_rate is None


def test_after_a_reading_without_totals_the_next_one_has_no_rate_yet():
    # The first sample from the kernel knows no network or disk totals; the engine's next payload does.
    stats = stats_between(reading(read=101.0, net=5_000), reading(read=100.0, net=None), "abc", "web")
    assert (stats.net_rx, stats.net_rx_rate, stats.block_read_rate) == (5_000, None, None)


def test_a_reading_without_cpu_usage_counts_as_none_used():
    current = {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 20_000, "online_cpus": 1}
    assert cpu_percent(current, {"system_cpu_usage": 10_000}) == 10.0


def test_host_time_that_stood_still_gives_zero_not_an_error():
    current = {"cpu_usage": {"total_usage": 2_000}, "system_cpu_usage": 10_000, "online_cpus": 2}
    previous = {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 10_000}
    assert cpu_percent(current, previous) == 0.0


def test_the_smallest_deltas_still_count():
    current = {"cpu_usage": {"total_usage": 1}, "system_cpu_usage": 1, "online_cpus": 1}
    assert cpu_percent(current, {"cpu_usage": {"total_usage": 0}, "system_cpu_usage": 0}) == 100.0
    assert cpu_percent(current | {"system_cpu_usage": 4}, {"system_cpu_usage": 0}) == 25.0


def test_v1_memory_prefers_the_hierarchys_inactive_file_like_the_cli():
    # total_inactive_file counts child cgroups too; the CLI takes it whenever the payload has it.
    assert memory_used({"usage": 1000, "stats": {"total_inactive_file": 300, "inactive_file": 200}}) == 700


def test_inactive_file_equal_to_usage_is_not_subtracted():
    assert memory_used({"usage": 1000, "stats": {"total_inactive_file": 1000, "inactive_file": 1000}}) == 1000
    assert memory_used({"usage": 1000, "stats": {"inactive_file": 1000}}) == 1000


def test_memory_without_page_cache_figures_is_the_usage():
    assert memory_used({"usage": 1000, "stats": {}}) == 1000


def test_missing_counters_count_as_zero():
    assert network_totals({"eth0": {"tx_bytes": 5}, "eth1": {"rx_bytes": 7}}) == (7, 5)
    assert block_io_totals({"io_service_bytes_recursive": [{"op": "Read"}, {"op": "Write", "value": 9}]}) == (0, 9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-11-25T12:52:51.5+01:00", 1795607571.5, id="east of UTC"),
        pytest.param("2026-11-25T06:22:51.25-05:30", 1795607571.25, id="west of UTC, with minutes"),
        pytest.param("2026-11-25T17:22:51+05:30", 1795607571.0, id="east, with minutes, no fraction"),
        pytest.param("2026-11-25T11:52:51", 1795607571.0, id="no zone: UTC"),
    ],
)
def test_read_time_with_an_offset_is_the_same_moment_in_utc(text, expected):
    assert read_time(text) == pytest.approx(expected, abs=1e-6)


def test_tooltip_for_one_and_for_two_cpus():
    assert cpu_percent_tooltip(1) == "100 % is one full CPU, the most this container can use on this computer."
    assert cpu_percent_tooltip(2).endswith("may use up to 2 CPUs, so it can show up to 200 %, as docker stats does.")


# Missing pieces are n/a, never 0 (issue 23) ---------------------------------------------------------------------


def test_a_payload_without_networks_has_no_network_numbers():
    """Found: the engine sends no "networks" for a container on the host network, and the Monitor showed 0 B/s
    where nothing was measured. Now n/a; an empty "networks" (a container with no interface) is a measured 0."""
    payload = load("v1-net-stream.json")[1]
    del payload["networks"]
    stats = container_stats(payload)
    assert (stats.net_rx, stats.net_tx) == (None, None)
    assert container_stats(load("v1-net-stream.json")[1] | {"networks": {}}).net_rx == 0


def test_a_payload_without_block_io_has_no_block_io_numbers():
    payload = load("v1-net-stream.json")[1]
    del payload["blkio_stats"]
    assert (container_stats(payload).block_read, container_stats(payload).block_write) == (None, None)
    assert container_stats(load("v1-net-stream.json")[1]).block_read == 0  # present and empty: nothing was read
