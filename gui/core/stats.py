"""Container stats from the engine's payloads, computed the way `docker stats` computes them.

The formulas follow the docker CLI (cli/command/container/stats_helpers.go):
- CPU % = (container CPU time delta / host CPU time delta) × online CPUs × 100, and 0 unless both deltas are
  positive. The host delta counts every CPU, so one busy thread on a 4-CPU host shows 100 %, not 25 %.
- memory used = usage − total_inactive_file (cgroup v1) or − inactive_file (cgroup v2), when that is smaller
  than usage; memory % = used / limit × 100.
- network = rx/tx bytes summed over all interfaces; block I/O = io_service_bytes_recursive summed by operation
  (ops starting with r/R are reads, w/W writes).
Rates (bytes per second) are ours: the CLI shows totals. No I/O here.
"""
from __future__ import annotations

import calendar
import time
from dataclasses import dataclass

# Go's zero time: what the engine puts in "read" for a container that is not running.
_ZERO_TIME_PREFIX = "0001-01-01"


@dataclass(frozen=True)
class ContainerStats:
    container_id: str
    name: str
    read: float                      # the payload's "read" time, epoch seconds (0.0: the container is not running)
    cpu_percent: float | None        # docker stats' formula; None when there is no previous sample yet
    online_cpus: int
    memory_used: int                 # usage - inactive_file (v2) / total_inactive_file (v1), as docker stats
    memory_limit: int
    memory_percent: float | None     # None when the engine gives no limit (a stopped container)
    net_rx: int                      # totals, bytes (all interfaces)
    net_tx: int
    block_read: int                  # totals, bytes
    block_write: int
    net_rx_rate: float | None        # bytes/s between this sample and the previous
    net_tx_rate: float | None
    block_read_rate: float | None
    block_write_rate: float | None
    pids: int | None


def container_stats(payload: dict, previous: dict | None = None, container_id: str = "",
                    name: str = "") -> ContainerStats:
    """One sample from a stats payload. `previous` is the caller's last payload of the same container (needed for
    one-shot payloads, whose precpu_stats is empty, and for rates); without it CPU % comes from the payload's own
    precpu_stats, which a streaming payload carries."""
    cpu = payload.get("cpu_stats") or {}
    if previous is not None:
        pre_cpu = previous.get("cpu_stats") or {}
    else:
        pre_cpu = payload.get("precpu_stats") or {}
    memory = payload.get("memory_stats") or {}
    used = memory_used(memory)
    limit = int(memory.get("limit") or 0)
    rx, tx = network_totals(payload.get("networks"))
    block_read, block_write = block_io_totals(payload.get("blkio_stats"))
    read = read_time(payload.get("read"))

    rates: dict[str, float | None] = dict.fromkeys(("net_rx", "net_tx", "block_read", "block_write"))
    if previous is not None:
        previous_read = read_time(previous.get("read"))
        seconds = read - previous_read
        if read and previous_read and seconds > 0:
            previous_rx, previous_tx = network_totals(previous.get("networks"))
            previous_block_read, previous_block_write = block_io_totals(previous.get("blkio_stats"))
            rates = {"net_rx": _rate(rx, previous_rx, seconds), "net_tx": _rate(tx, previous_tx, seconds),
                     "block_read": _rate(block_read, previous_block_read, seconds),
                     "block_write": _rate(block_write, previous_block_write, seconds)}

    pids = (payload.get("pids_stats") or {}).get("current")
    return ContainerStats(
        container_id=container_id or str(payload.get("id") or ""),
        name=name or str(payload.get("name") or "").lstrip("/"),
        read=read,
        cpu_percent=cpu_percent(cpu, pre_cpu),
        online_cpus=online_cpus(cpu),
        memory_used=used,
        memory_limit=limit,
        memory_percent=used / limit * 100.0 if limit else None,
        net_rx=rx, net_tx=tx, block_read=block_read, block_write=block_write,
        net_rx_rate=rates["net_rx"], net_tx_rate=rates["net_tx"],
        block_read_rate=rates["block_read"], block_write_rate=rates["block_write"],
        pids=int(pids) if pids is not None else None,
    )


def online_cpus(cpu_stats: dict) -> int:
    """online_cpus, or the length of percpu_usage when the engine leaves it 0 (older engines), as the CLI does."""
    count = int(cpu_stats.get("online_cpus") or 0)
    if count == 0:
        count = len((cpu_stats.get("cpu_usage") or {}).get("percpu_usage") or ())
    return count


def cpu_percent(cpu_stats: dict, previous_cpu_stats: dict) -> float | None:
    """docker stats' CPU %; None when either reading lacks the host's CPU time (no previous reading yet, a
    one-shot payload's empty precpu_stats, or a stopped container)."""
    system = cpu_stats.get("system_cpu_usage")
    previous_system = previous_cpu_stats.get("system_cpu_usage")
    if system is None or previous_system is None:
        return None
    cpu_delta = float((cpu_stats.get("cpu_usage") or {}).get("total_usage") or 0) - float(
        (previous_cpu_stats.get("cpu_usage") or {}).get("total_usage") or 0)
    system_delta = float(system) - float(previous_system)
    if system_delta > 0.0 and cpu_delta > 0.0:
        return cpu_delta / system_delta * online_cpus(cpu_stats) * 100.0
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


def read_time(text: str | None) -> float:
    """The engine's RFC 3339 time with nanoseconds ("2026-11-25T11:52:51.677856483Z") as epoch seconds; 0.0 for
    Go's zero time (a stopped container) or nothing."""
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
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return seconds - offset + (float("0." + fraction) if fraction.isdigit() else 0.0)


def _rate(current: int, previous: int, seconds: float) -> float | None:
    """Bytes per second; None when the counter went backwards (the container restarted with fresh counters)."""
    if current < previous:
        return None
    return (current - previous) / seconds


def cpu_percent_tooltip(online_cpus: int) -> str:
    """Why CPU % can pass 100 %, in the user's terms."""
    if online_cpus <= 1:
        return "100 % is one full CPU, the most this container can use on this computer."
    return (f"100 % is one full CPU. This container may use up to {online_cpus} CPUs, so it can show up to "
            f"{online_cpus * 100} %, as docker stats does.")
