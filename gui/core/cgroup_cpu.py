"""A container's CPU time and the host's, read straight from the kernel, as the engine reads them for `docker stats`.

Why: CPU % needs two readings. The engine's first stats payload has none before it (empty precpu_stats), so the
first CPU % would wait a whole engine round (about a second) for the second payload. Two readings of the same
counters taken here, one when the stream opens and one when its first payload arrives, give that first CPU % at
once, by the CLI's formula. Only for an engine on this computer, and only where the container's cgroup is where
Docker puts it; otherwise None, and the first CPU % waits for the engine as before.

The counters are the engine's own (dockerd's stats collector):
- container: cpuacct.usage (cgroup v1, nanoseconds) or usage_usec in cpu.stat (cgroup v2, microseconds);
- host: the first seven fields of the "cpu" line of /proc/stat (user nice system idle iowait irq softirq), in
  clock ticks, turned into nanoseconds. Blocking file reads: call from a worker thread.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gui.core.stats import cpu_percent

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_STAT = Path("/proc/stat")
_NANOSECONDS = 1_000_000_000

# Where Docker puts a container's cgroup: cgroupfs and systemd drivers, cgroup v1 (cpuacct or cpu,cpuacct) and v2.
_V1_FOLDERS = ("cpuacct", "cpu,cpuacct")
_PARENTS = ("docker/{id}", "system.slice/docker-{id}.scope")


@dataclass(frozen=True)
class CpuReading:
    container_ns: int     # the container's CPU time
    system_ns: int        # the host's CPU time, all CPUs, as dockerd counts it
    online_cpus: int

    def as_cpu_stats(self) -> dict:
        """In the shape of a stats payload's cpu_stats, for gui.core.stats.cpu_percent."""
        return {"cpu_usage": {"total_usage": self.container_ns}, "system_cpu_usage": self.system_ns,
                "online_cpus": self.online_cpus}


def read_cpu(container_id: str, cgroup_root: Path = CGROUP_ROOT, proc_stat: Path = PROC_STAT) -> CpuReading | None:
    """The container's and the host's CPU time now, or None when they cannot be read on this computer."""
    usage = container_cpu_ns(container_id, cgroup_root)
    if usage is None:
        return None
    system = system_cpu_ns(proc_stat)
    if system is None:
        return None
    return CpuReading(usage, *system)


def local_cpu_percent(before: CpuReading, after: CpuReading) -> float | None:
    """docker stats' CPU % between two readings of this module."""
    return cpu_percent(after.as_cpu_stats(), before.as_cpu_stats())


def container_cpu_ns(container_id: str, cgroup_root: Path = CGROUP_ROOT) -> int | None:
    if not container_id.isalnum():   # a full hexadecimal id; never a path of any kind
        return None
    for parent in _PARENTS:
        folder = parent.format(id=container_id)
        for v1 in _V1_FOLDERS:
            value = _read_int(cgroup_root / v1 / folder / "cpuacct.usage")
            if value is not None:
                return value
        value = _usage_usec(cgroup_root / folder / "cpu.stat")
        if value is not None:
            return value * 1000
    return None


def system_cpu_ns(proc_stat: Path = PROC_STAT) -> tuple[int, int] | None:
    """(the host's CPU time in nanoseconds, online CPUs), both as dockerd reads them from /proc/stat."""
    system = None
    cpus = 0
    try:
        with open(proc_stat, encoding="ascii") as file:
            for line in file:
                fields = line.split()
                if not fields or not fields[0].startswith("cpu"):
                    break   # the per-CPU lines come first
                if fields[0] == "cpu" and len(fields) >= 8:
                    ticks = sum(int(field) for field in fields[1:8])
                    system = ticks * _NANOSECONDS // os.sysconf("SC_CLK_TCK")
                else:
                    cpus += 1
    except (OSError, ValueError):
        return None
    return (system, cpus) if system is not None and cpus else None


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _usage_usec(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "usage_usec" and value.strip().isdigit():
            return int(value)
    return None
