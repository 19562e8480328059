"""CPU time and resident memory of processes, read from /proc (Linux): what a benchmark needs to charge a client
and the engine's daemons for the same window, without asking the processes anything."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SHIM = "containerd-shim"  # the kernel keeps 15 characters of containerd-shim-runc-v2


def cpu_seconds(pid: int, children: bool = True) -> float | None:
    """utime + stime (+ cutime + cstime: the waited-for children it ran), in seconds; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": field 3 (state) is fields[0]
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _comm(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return ""


def _cmdline(pid: str) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().decode(errors="replace").split("\0")
    except OSError:
        return []


def pids_named(*names: str) -> list[int]:
    return [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _comm(pid) in names]


def shim_pids(container_ids: set[str]) -> list[int]:
    """The containerd shims of these containers (each shim's command line names its container after -id)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and _comm(pid) == SHIM:
            args = _cmdline(pid)
            if "-id" in args[:-1] and args[args.index("-id") + 1] in container_ids:
                found.append(int(pid))
    return found


@dataclass
class CpuSample:
    """CPU seconds of a set of processes at one moment."""

    taken: float = field(default_factory=time.monotonic)
    seconds: dict[int, float] = field(default_factory=dict)

    @classmethod
    def of(cls, pids) -> CpuSample:
        sample = cls()
        for pid in pids:
            used = cpu_seconds(pid)
            if used is not None:
                sample.seconds[pid] = used
        return sample


def percent_between(before: CpuSample, after: CpuSample) -> float:
    """% of one core the processes used between two samples; one started meanwhile counts from zero, one that
    ended meanwhile is lost (a benchmark's daemons and clients live through their window)."""
    used = sum(seconds - before.seconds.get(pid, 0.0) for pid, seconds in after.seconds.items())
    return used / max(after.taken - before.taken, 1e-9) * 100


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all cores together, from /proc/stat; compare two to get the machine's load."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user
    return total - idle, total


def machine_percent(before: tuple[float, float], after: tuple[float, float]) -> float:
    """% of one core the whole machine used between two machine_cpu() readings (up to 100 × cores)."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return busy / max(total, 1) * 100 * os.cpu_count()


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
