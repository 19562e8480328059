"""A local container's CPU time, memory and processes, read straight from the kernel as the engine reads them.

Where this serves: a container whose numbers come from the engine's stats stream (a local engine's container that
gui.core.monitor.kernel_stats cannot read all of, or a collector that reads no kernel). A local engine's containers
are otherwise read whole, every second, by kernel_stats, which finds their files from the engine's own facts; the
file locations (KernelFiles) and the host's counters here serve both.

Why: the engine's first stats payload for a new stream comes with its next collection round, 0 to 1 s away, and
later for many containers (it collects them one after another); and it has no previous CPU reading, so its CPU %
waits another round. Two readings of the engine's own counters taken here, when a stream opens and a quarter of a
second later, give a first sample with CPU % and memory at once, by the CLI's formulas. Only for an engine on this
computer, and only where the container's cgroup is where Docker puts it; otherwise None, and the first sample waits
for the engine as before.

The counters are the engine's own (dockerd's stats collector, which also caps an unlimited memory limit at the
machine's memory):
- CPU: cpuacct.usage (cgroup v1, nanoseconds) or usage_usec in cpu.stat (cgroup v2, microseconds);
- host CPU: the first seven fields of the "cpu" line of /proc/stat, in clock ticks, turned into nanoseconds;
- memory: memory.usage_in_bytes, total_inactive_file and hierarchical_memory_limit (v1: the limit dockerd reports,
  which a parent cgroup's lower limit lowers), or memory.current, inactive_file and memory.max (v2);
- processes: pids.current.
Network and block I/O are left out (None): the engine's next payload brings them. Blocking file reads: call from
a worker thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gui.core.monitor.stats import StatsReading, memory_used

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_STAT = Path("/proc/stat")
PROC_MEMINFO = Path("/proc/meminfo")
PROC = Path("/proc")
MOUNTINFO = Path("/proc/self/mountinfo")
_NANOSECONDS = 1_000_000_000

# Where Docker puts a container's cgroup, under a controller's folder (v1) or the root (v2): cgroupfs and systemd
# drivers.
_PARENTS = ("docker/{id}", "system.slice/docker-{id}.scope")
_V1_CPU = ("cpuacct", "cpu,cpuacct")


@dataclass(frozen=True)
class CpuReading:
    container_ns: int  # the container's CPU time
    system_ns: int  # the host's CPU time, all CPUs, as dockerd counts it
    online_cpus: int


@dataclass(frozen=True)
class KernelFiles:
    """Where the readings come from; tests point these at a fake tree."""

    cgroup_root: Path = CGROUP_ROOT
    proc_stat: Path = PROC_STAT
    proc_meminfo: Path = PROC_MEMINFO
    proc: Path = PROC  # /proc/PID/cgroup and /proc/PID/net/dev (gui.core.monitor.kernel_stats)
    mountinfo: Path = MOUNTINFO  # where the cgroup hierarchies are mounted (gui.core.monitor.cgroup_paths)


LIVE = KernelFiles()


def read_cpu(container_id: str, files: KernelFiles = LIVE) -> CpuReading | None:
    """The container's and the host's CPU time now, or None when they cannot be read on this computer."""
    usage = container_cpu_ns(container_id, files.cgroup_root)
    if usage is None:
        return None
    system = system_cpu_ns(files.proc_stat)
    if system is None:
        return None
    return CpuReading(usage, *system)


def kernel_reading(container_id: str, opened: CpuReading, files: KernelFiles = LIVE) -> StatsReading | None:
    """A stats reading from the kernel alone: CPU time now with `opened` as its previous reading (so it carries
    its own CPU %, as a streaming payload does), memory and processes now, network and block I/O unknown. None
    when the counters cannot be read."""
    cpu = read_cpu(container_id, files)
    memory = container_memory(container_id, files)
    if cpu is None or memory is None:
        return None
    used, limit = memory
    return StatsReading(
        read=time.time(),
        cpu_total=cpu.container_ns,
        system_cpu=cpu.system_ns,
        online_cpus=cpu.online_cpus,
        pre_cpu_total=opened.container_ns,
        pre_system_cpu=opened.system_ns,
        memory_used=used,
        memory_limit=limit,
        net_rx=None,
        net_tx=None,
        block_read=None,
        block_write=None,
        pids=container_pids(container_id, files.cgroup_root),
    )


def container_cpu_ns(container_id: str, cgroup_root: Path = CGROUP_ROOT) -> int | None:
    for folder in _folders(container_id, cgroup_root, _V1_CPU):
        value = _read_int(folder / "cpuacct.usage")
        if value is not None:
            return value
        value = _stat_values(folder / "cpu.stat").get("usage_usec")
        if value is not None:
            return value * 1000
    return None


def container_memory(container_id: str, files: KernelFiles = LIVE) -> tuple[int, int] | None:
    """(used as `docker stats` counts it, limit), or None."""
    for folder in _folders(container_id, files.cgroup_root, ("memory",)):
        v1 = (folder / "memory.usage_in_bytes").exists()
        usage = _read_int(folder / ("memory.usage_in_bytes" if v1 else "memory.current"))
        if usage is None:
            continue
        stats = _stat_values(folder / "memory.stat")
        limit = stats.get("hierarchical_memory_limit") if v1 else None  # the limit dockerd reports on v1
        if limit is None:
            limit = _read_int(folder / ("memory.limit_in_bytes" if v1 else "memory.max"))  # v2 "max": no limit
        machine = machine_memory(files.proc_meminfo)
        if limit is None or (machine and limit > machine):
            limit = machine or 0
        return memory_used({"usage": usage, "stats": stats}), limit
    return None


def container_pids(container_id: str, cgroup_root: Path = CGROUP_ROOT) -> int | None:
    for folder in _folders(container_id, cgroup_root, ("pids",)):
        value = _read_int(folder / "pids.current")
        if value is not None:
            return value
    return None


_READ_BYTES = 65536


def read_small(path: str | Path) -> bytes:
    """A small kernel file, in as few system calls as there are: no text layer, no buffering. The kernel hands a
    cgroup or /proc file's whole text to one read that has room for it, so a short read is the end of it. Each call
    lets other threads run (the GUI's among them), so a reader of many files keeps its calls few."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunk = os.read(fd, _READ_BYTES)
        if len(chunk) < _READ_BYTES:
            return chunk
        chunks = [chunk]
        while chunk:
            chunk = os.read(fd, _READ_BYTES)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def system_cpu_ns(proc_stat: Path = PROC_STAT) -> tuple[int, int] | None:
    """(the host's CPU time in nanoseconds, online CPUs), both as dockerd reads them from /proc/stat."""
    system = None
    cpus = 0
    try:
        with open(proc_stat, encoding="ascii") as file:
            for line in file:
                fields = line.split()
                if not fields or not fields[0].startswith("cpu"):
                    break  # the per-CPU lines come first
                if fields[0] == "cpu" and len(fields) >= 8:
                    ticks = sum(int(field) for field in fields[1:8])
                    system = ticks * _NANOSECONDS // os.sysconf("SC_CLK_TCK")
                else:
                    cpus += 1
    except (OSError, ValueError):
        return None
    return (system, cpus) if system is not None and cpus else None


def machine_memory(proc_meminfo: Path = PROC_MEMINFO) -> int | None:
    """MemTotal in bytes: the limit the engine shows for a container without one."""
    try:
        with open(proc_meminfo, encoding="ascii") as file:
            for line in file:
                key, _, value = line.partition(":")
                if key == "MemTotal":
                    return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _folders(container_id: str, cgroup_root: Path, v1_controllers: tuple[str, ...]) -> Iterator[Path]:
    """The folders that may hold the container's cgroup files: per v1 controller, then the v2 one."""
    if not container_id.isalnum():  # a full hexadecimal id; never a path of any kind
        return
    for parent in _PARENTS:
        folder = parent.format(id=container_id)
        for controller in v1_controllers:
            yield cgroup_root / controller / folder
        yield cgroup_root / folder


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _stat_values(path: Path) -> dict[str, int]:
    """A "key value" per line file (cpu.stat, memory.stat) as numbers; {} when unreadable."""
    try:
        text = path.read_text(encoding="ascii")
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            values[key] = int(value)
    return values
