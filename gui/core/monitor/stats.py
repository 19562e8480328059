"""Container stats from the engine's payloads, computed the way `docker stats` computes them.

The formulas follow the docker CLI (cli/command/container/stats_helpers.go):
- CPU % = (container CPU time delta / host CPU time delta) × online CPUs × 100, and 0 unless both deltas are
  positive. The host delta counts every CPU, so one busy thread on a 4-CPU host shows 100 %, not 25 %.
- memory used = usage − total_inactive_file (cgroup v1) or − inactive_file (cgroup v2), when that is smaller
  than usage; memory % = used / limit × 100.
- network = rx/tx bytes summed over all interfaces; block I/O = io_service_bytes_recursive summed by operation
  (ops starting with r/R are reads, w/W writes).
Rates (bytes per second) are ours: the CLI shows totals. Where the CLI shows 0 for a piece the payload lacks (no
"networks": the host network, or a reading from the kernel that could not see it; no "blkio_stats"), the numbers
here are None, shown as n/a: never a zero that was not measured. No I/O here.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from typing import NamedTuple

# Go's zero time: what the engine puts in "read" for a container that is not running.
_ZERO_TIME_PREFIX = "0001-01-01"


@dataclass(frozen=True)
class ContainerStats:
    container_id: str
    name: str
    read: float  # the payload's "read" time, epoch seconds (0.0: the container is not running)
    cpu_percent: float | None  # docker stats' formula; None when there is no previous sample yet
    online_cpus: int
    memory_used: int  # usage - inactive_file (v2) / total_inactive_file (v1), as docker stats
    memory_limit: int
    memory_percent: float | None  # None when the engine gives no limit (a stopped container)
    net_rx: int | None  # totals, bytes (all interfaces); None: not known yet (a first sample read
    net_tx: int | None  # from the kernel, gui.core.monitor.cgroup)
    block_read: int | None  # totals, bytes; None as above
    block_write: int | None
    net_rx_rate: float | None  # bytes/s between this sample and the previous
    net_tx_rate: float | None
    block_read_rate: float | None
    block_write_rate: float | None
    pids: int | None
    source: str = ""  # where the numbers come from, for the Monitor's tooltip (gui.workers.monitor.container_stats)


class StatsReading(NamedTuple):
    """The numbers of one stats payload that the formulas use, and nothing else.

    Why not keep the payload: a payload is some 150 nested dicts and lists, and the collector holds two per
    container between ticks; with 100 containers that is 30,000 objects the garbage collector walks again and
    again (collections of 40 to 80 ms, visible stalls). A reading is a tuple of numbers, which the collector
    stops tracking at its first pass."""

    read: float  # epoch seconds; 0.0: the container is not running
    cpu_total: int
    system_cpu: int | None  # None: the engine gave no host CPU time (a stopped container, a one-shot payload)
    online_cpus: int
    pre_cpu_total: int  # the payload's own precpu_stats (a streaming payload carries them)
    pre_system_cpu: int | None
    memory_used: int
    memory_limit: int
    net_rx: int | None  # None: not known (a first reading from the kernel, or no "networks" in the payload)
    net_tx: int | None
    block_read: int | None
    block_write: int | None
    pids: int | None


def stats_reading(payload: dict) -> StatsReading:
    cpu = payload.get("cpu_stats") or {}
    pre_cpu = payload.get("precpu_stats") or {}
    memory = payload.get("memory_stats") or {}
    networks, blkio = payload.get("networks"), payload.get("blkio_stats")
    rx, tx = network_totals(networks) if networks is not None else (None, None)
    block_read, block_write = block_io_totals(blkio) if blkio is not None else (None, None)
    pids = (payload.get("pids_stats") or {}).get("current")
    return StatsReading(
        read=read_time(payload.get("read")),
        cpu_total=_cpu_total(cpu),
        system_cpu=_system_cpu(cpu),
        online_cpus=online_cpus(cpu),
        pre_cpu_total=_cpu_total(pre_cpu),
        pre_system_cpu=_system_cpu(pre_cpu),
        memory_used=memory_used(memory),
        memory_limit=int(memory.get("limit") or 0),
        net_rx=rx,
        net_tx=tx,
        block_read=block_read,
        block_write=block_write,
        pids=int(pids) if pids is not None else None,
    )


def container_stats(
    payload: dict, previous: dict | None = None, container_id: str = "", name: str = ""
) -> ContainerStats:
    """One sample from a stats payload. `previous` is the caller's last payload of the same container (needed for
    one-shot payloads, whose precpu_stats is empty, and for rates); without it CPU % comes from the payload's own
    precpu_stats, which a streaming payload carries."""
    return stats_between(
        stats_reading(payload),
        stats_reading(previous) if previous is not None else None,
        container_id or str(payload.get("id") or ""),
        name or str(payload.get("name") or ""),
    )


def stats_between(
    reading: StatsReading, previous: StatsReading | None, container_id: str, name: str, source: str = ""
) -> ContainerStats:
    """container_stats for readings: CPU % and rates between `previous` and `reading`; `source` says where they
    come from."""
    if previous is not None:
        pre_total, pre_system = previous.cpu_total, previous.system_cpu
    else:
        pre_total, pre_system = reading.pre_cpu_total, reading.pre_system_cpu
    rates: tuple[float | None, ...] = (None, None, None, None)
    if previous is not None:
        seconds = reading.read - previous.read
        if reading.read and previous.read and seconds > 0:
            rates = (
                _rate(reading.net_rx, previous.net_rx, seconds),
                _rate(reading.net_tx, previous.net_tx, seconds),
                _rate(reading.block_read, previous.block_read, seconds),
                _rate(reading.block_write, previous.block_write, seconds),
            )
    used, limit = reading.memory_used, reading.memory_limit
    return ContainerStats(
        container_id=container_id,
        name=name.lstrip("/"),
        read=reading.read,
        cpu_percent=_cpu_percent(reading.cpu_total, reading.system_cpu, pre_total, pre_system, reading.online_cpus),
        online_cpus=reading.online_cpus,
        memory_used=used,
        memory_limit=limit,
        memory_percent=used / limit * 100.0 if limit else None,
        net_rx=reading.net_rx,
        net_tx=reading.net_tx,
        block_read=reading.block_read,
        block_write=reading.block_write,
        net_rx_rate=rates[0],
        net_tx_rate=rates[1],
        block_read_rate=rates[2],
        block_write_rate=rates[3],
        pids=reading.pids,
        source=source,
    )


def _cpu_total(cpu_stats: dict) -> int:
    return int((cpu_stats.get("cpu_usage") or {}).get("total_usage") or 0)


def _system_cpu(cpu_stats: dict) -> int | None:
    system = cpu_stats.get("system_cpu_usage")
    return int(system) if system is not None else None


def online_cpus(cpu_stats: dict) -> int:
    """online_cpus, or the length of percpu_usage when the engine leaves it 0 (older engines), as the CLI does."""
    count = int(cpu_stats.get("online_cpus") or 0)
    if count == 0:
        count = len((cpu_stats.get("cpu_usage") or {}).get("percpu_usage") or ())
    return count


def cpu_percent(cpu_stats: dict, previous_cpu_stats: dict) -> float | None:
    """docker stats' CPU %; None when either reading lacks the host's CPU time (no previous reading yet, a
    one-shot payload's empty precpu_stats, or a stopped container)."""
    return _cpu_percent(
        _cpu_total(cpu_stats),
        _system_cpu(cpu_stats),
        _cpu_total(previous_cpu_stats),
        _system_cpu(previous_cpu_stats),
        online_cpus(cpu_stats),
    )


def _cpu_percent(
    total: int, system: int | None, previous_total: int, previous_system: int | None, cpus: int
) -> float | None:
    if system is None or previous_system is None:
        return None
    cpu_delta = float(total) - float(previous_total)
    system_delta = float(system) - float(previous_system)
    if system_delta > 0.0 and cpu_delta > 0.0:
        return cpu_delta / system_delta * cpus * 100.0
    return 0.0


def memory_used(memory_stats: dict) -> int:
    """usage minus the inactive page cache, which the kernel can drop at once: what `docker stats` shows."""
    usage = int(memory_stats.get("usage") or 0)
    stats = memory_stats.get("stats") or {}
    if "total_inactive_file" in stats and int(stats["total_inactive_file"]) < usage:  # cgroup v1
        return usage - int(stats["total_inactive_file"])
    inactive = int(stats.get("inactive_file") or 0)  # cgroup v2
    if inactive < usage:
        return usage - inactive
    return usage


def network_totals(networks: dict | None) -> tuple[int, int]:
    """Received and sent bytes over all interfaces (no networks: a container with --network none)."""
    rx = tx = 0
    for interface in (networks or {}).values():
        rx += int(interface.get("rx_bytes") or 0)
        tx += int(interface.get("tx_bytes") or 0)
    return rx, tx


def block_io_totals(blkio_stats: dict | None) -> tuple[int, int]:
    """Bytes read and written; cgroup v1 says "Read"/"Write" (plus Sync, Async, Total, which do not count), cgroup
    v2 "read"/"write"."""
    read = write = 0
    for entry in (blkio_stats or {}).get("io_service_bytes_recursive") or ():
        op = str(entry.get("op") or "")[:1]
        if op in ("r", "R"):
            read += int(entry.get("value") or 0)
        elif op in ("w", "W"):
            write += int(entry.get("value") or 0)
    return read, write


def is_stopped(payload: dict) -> bool:
    """A payload of a container that no longer runs: its read time is Go's zero time (an engine 20.10 goes on
    sending these on a stream after the container stopped)."""
    return str(payload.get("read") or "").startswith(_ZERO_TIME_PREFIX)


def read_time(text: str | None) -> float:
    """The engine's RFC 3339 time with nanoseconds ("2026-11-25T11:52:51.677856483Z") as epoch seconds; 0.0 for
    Go's zero time (a stopped container) or nothing."""
    global _last_whole
    if not text or text.startswith(_ZERO_TIME_PREFIX):
        return 0.0
    text = text.strip()
    offset = 0
    if text.endswith("Z"):
        text = text[:-1]
    elif len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        sign = 1 if text[-6] == "+" else -1
        offset = sign * (int(text[-5:-3]) * 3600 + int(text[-2:]) * 60)
        text = text[:-6]
    whole, _, fraction = text.partition(".")
    cached, seconds = _last_whole  # one tuple, read and written whole: safe from any thread
    if cached != whole:  # the payloads of a round share their whole second, and strptime is slow
        seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
        _last_whole = (whole, seconds)
    return seconds - offset + (float("0." + fraction) if fraction.isdigit() else 0.0)


_last_whole: tuple[str, int] = ("", 0)  # read_time's last "YYYY-MM-DDTHH:MM:SS", and its epoch seconds


def _rate(current: int | None, previous: int | None, seconds: float) -> float | None:
    """Bytes per second; None when either total is unknown or the counter went backwards (the container restarted
    with fresh counters)."""
    if current is None or previous is None or current < previous:
        return None
    return (current - previous) / seconds


def cpu_percent_tooltip(online_cpus: int) -> str:
    """Why CPU % can pass 100 %, in the user's terms."""
    if online_cpus <= 1:
        return "100 % is one full CPU, the most this container can use on this computer."
    return (
        f"100 % is one full CPU. This container may use up to {online_cpus} CPUs, so it can show up to "
        f"{online_cpus * 100} %, as docker stats does."
    )
