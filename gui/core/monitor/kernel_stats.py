"""A local container's numbers read from the kernel, where the engine reads them, in the shape of the engine's stats.

Why: for `docker stats` the engine reads these very files every second for each container, builds a JSON document
and sends it; with many containers that costs the engine three times what Portside spends. Read here instead, the
same counters cost one small file read each, and the engine nothing. The payload has the shape of the engine's
stats JSON (cpu_stats and precpu_stats, memory_stats, networks, blkio_stats, pids_stats, read and preread), so
gui.core.monitor.stats computes every number with the same formulas as for the engine's payloads.

What dockerd 20.10 reads (daemon/stats, containerd's cgroups package), and so what is read here:
- CPU: cpuacct.usage (v1, nanoseconds) or usage_usec in cpu.stat (v2); the host's CPU time from the first seven
  fields of /proc/stat's "cpu" line and the online CPUs, once per round for all containers;
- memory: memory.usage_in_bytes and memory.stat (v1; the limit is memory.stat's hierarchical_memory_limit, which a
  parent cgroup's limit lowers), or memory.current, memory.stat and memory.max (v2); a limit above the machine's
  memory (none set) is the machine's memory, MemTotal;
- processes: pids.current (the limit, pids.max, is read by no formula: left out);
- block I/O: blkio.throttle.io_service_bytes (v1; plus blkio.io_service_bytes_recursive where the CFQ scheduler's
  files exist, as containerd adds both), or io.stat's rbytes and wbytes (v2);
- network: each interface but lo in /proc/PID/net/dev of the container's main process (its network namespace),
  the counters netlink gives the engine. A container on the host network has none of its own.
A piece that does not exist for a container (no pids controller, host network) is left out of the payload, and the
formulas say n/a; a piece that existed and cannot be read any more means the container stopped while it was read,
and the reading is dropped whole (None), never half zero. Blocking file reads: call from a worker thread.

Cost: one round reads every container, so each read is kept to what the formulas use: the files' paths are worked
out once (open_target), each file is opened, read once and closed, and of memory.stat only the lines the formulas
read are turned into numbers (about 0.1 ms a container here, half of what reading it whole cost).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from gui.core.monitor.cgroup import LIVE, KernelFiles, machine_memory, read_small, system_cpu_ns
from gui.core.monitor.cgroup_paths import CgroupFolders, ContainerFacts, EngineFacts, Mount, NotReadable, locate

ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time: the engine's "preread" of a first payload
HOST_NETWORK_NOTE = "host network: no per-container numbers"


@dataclass(frozen=True)
class HostCpu:
    """The host's CPU time (ns, all CPUs) and online CPUs, read once per round for every container."""

    system_ns: int
    online_cpus: int


class RoundFiles(NamedTuple):
    """The files a round reads, as plain strings: a Path built for each read cost about as much as the read."""

    cpu: str  # cpuacct.usage (v1) or cpu.stat (v2)
    memory_usage: str  # memory.usage_in_bytes (v1) or memory.current (v2)
    memory_stat: str
    memory_limit: str  # v2: memory.max; v1: memory.limit_in_bytes, read only where memory.stat lacks the limit
    pids: str | None  # pids.current
    block_io: tuple[str, ...]  # v1: the CFQ recursive file (where it exists), then the throttle one; v2: io.stat
    net_dev: str | None


# The memory.stat lines the formulas read: v1's inactive page cache and the limit dockerd reports; v2's inactive cache.
_MEMORY_STAT_KEYS = {1: (b"total_inactive_file", b"hierarchical_memory_limit"), 2: (b"inactive_file",)}


@dataclass(frozen=True)
class KernelTarget:
    """One running container's files: what a round reads."""

    facts: ContainerFacts
    folders: CgroupFolders
    net_dev: Path | None  # /proc/PID/net/dev; None: no network of its own (the host network)
    pids: bool  # whether its pids counters exist
    block_io: bool  # whether its block I/O counters exist
    cfq: bool = False  # v1: the CFQ scheduler's recursive files exist too
    files: RoundFiles | None = None  # set by open_target

    @property
    def source(self) -> str:
        """Where its numbers come from, for the Monitor's tooltip."""
        text = f"Numbers from the kernel (cgroup v{self.folders.version}, {self.folders.shown})"
        return f"{text}; {HOST_NETWORK_NOTE}." if self.net_dev is None else f"{text}."


def stream_source(reason: str) -> str:
    """The tooltip line of a container whose numbers come from the engine's stats stream, and why."""
    return f"Numbers from the engine's stats stream: {reason}."


def open_target(
    container: ContainerFacts,
    engine: EngineFacts,
    files: KernelFiles = LIVE,
    mounts: list[Mount] | None = None,
    folders: CgroupFolders | None = None,
) -> KernelTarget:
    """What to read for a running container, checked by reading it once; NotReadable says why not. `mounts`: the
    cgroup mounts, when the caller read the mount table once for many containers (see cgroup_paths.locate).
    `folders`: its cgroup's, found already (cgroup_paths.listed_place): not looked for again, and not read here,
    where the caller's read of its starting point checks them."""
    found_already = folders is not None
    folders = folders or locate(container, engine, files, mounts)
    net_dev = None if container.network_mode == "host" else files.proc / str(container.pid) / "net" / "dev"
    v1 = folders.version == 1
    pids = folders.folder("pids")
    blkio = folders.folder("blkio")
    target = KernelTarget(
        facts=container,
        folders=folders,
        net_dev=net_dev,
        pids=pids is not None and (pids / "pids.current").exists(),
        block_io=blkio is not None and (blkio / ("blkio.throttle.io_service_bytes" if v1 else "io.stat")).exists(),
        cfq=v1 and blkio is not None and (blkio / "blkio.io_serviced_recursive").exists(),
    )
    target = dataclasses.replace(target, files=_round_files(target))
    for path in () if found_already else _required_files(target):
        try:
            read_small(path)
        except OSError as exc:
            raise NotReadable(f"Portside may not read {path} ({exc.strerror or exc})") from None
    return target


def _round_files(target: KernelTarget) -> RoundFiles:
    folders = target.folders
    memory = folders.folder("memory")
    if folders.version == 1:
        cpu, usage, limit = (
            folders.folder("cpuacct") / "cpuacct.usage",
            "memory.usage_in_bytes",
            "memory.limit_in_bytes",
        )
    else:
        cpu, usage, limit = folders.shown / "cpu.stat", "memory.current", "memory.max"
    blkio = folders.folder("blkio")
    if not target.block_io:
        block_io: tuple[str, ...] = ()
    elif folders.version == 2:
        block_io = (str(blkio / "io.stat"),)
    else:
        cfq = (str(blkio / "blkio.io_service_bytes_recursive"),) if target.cfq else ()
        block_io = (*cfq, str(blkio / "blkio.throttle.io_service_bytes"))
    return RoundFiles(
        cpu=str(cpu),
        memory_usage=str(memory / usage),
        memory_stat=str(memory / "memory.stat"),
        memory_limit=str(memory / limit),
        pids=str(folders.folder("pids") / "pids.current") if target.pids else None,
        block_io=block_io,
        net_dev=str(target.net_dev) if target.net_dev is not None else None,
    )


def _required_files(target: KernelTarget) -> list[Path]:
    folders = target.folders
    if folders.version == 1:
        paths = [folders.folder("cpuacct") / "cpuacct.usage", folders.folder("memory") / "memory.usage_in_bytes"]
    else:
        paths = [folders.shown / "cpu.stat", folders.shown / "memory.current"]
    return paths + ([target.net_dev] if target.net_dev is not None else [])


def host_cpu(files: KernelFiles = LIVE) -> HostCpu | None:
    found = system_cpu_ns(files.proc_stat)
    return HostCpu(*found) if found is not None else None


def machine_limit(files: KernelFiles = LIVE) -> int | None:
    """The machine's memory: the engine's limit for a container without one (dockerd reads it once, at start)."""
    return machine_memory(files.proc_meminfo)


def read_payload(
    target: KernelTarget, host: HostCpu, machine: int | None, previous: dict | None = None, now: float | None = None
) -> dict | None:
    """The container's numbers now, as the engine's stats payload; `previous` (this function's last payload for the
    container) gives precpu_stats and preread, as a streaming payload carries them. None when the container stopped
    while it was read."""
    files = target.files or _round_files(target)
    version = target.folders.version
    try:
        payload = {
            "id": target.facts.container_id,
            "name": "/" + target.facts.name,
            "read": rfc3339(time.time() if now is None else now),
            "preread": previous["read"] if previous else ZERO_TIME,
            "cpu_stats": {
                "cpu_usage": {"total_usage": _cpu_ns(files.cpu, version)},
                "system_cpu_usage": host.system_ns,
                "online_cpus": host.online_cpus,
            },
            "precpu_stats": previous["cpu_stats"] if previous else {},
            "memory_stats": _memory(files, version, machine),
            "pids_stats": {"current": _read_int(files.pids)} if files.pids is not None else {},
        }
        if files.block_io:
            payload["blkio_stats"] = {"io_service_bytes_recursive": _block_io(files.block_io, version)}
        if files.net_dev is not None:
            payload["networks"] = net_dev_interfaces(read_small(files.net_dev).decode("ascii", "replace"))
    except (OSError, ValueError):
        return None
    return payload


_last_second: tuple[int, str] = (-1, "")  # the last whole second written, and its text: a round writes the same one


def rfc3339(seconds: float) -> str:
    """Epoch seconds as the engine writes times: "2026-12-07T01:39:56.730264624Z"."""
    global _last_second
    whole = int(seconds)
    nanoseconds = round((seconds - whole) * 1e9)
    if nanoseconds >= 1_000_000_000:
        whole, nanoseconds = whole + 1, nanoseconds - 1_000_000_000
    cached, text = _last_second  # one tuple, read and written whole: safe from any thread
    if cached != whole:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _last_second = (whole, text)
    return f"{text}.{nanoseconds:09d}Z"


def _cpu_ns(path: str, version: int) -> int:
    if version == 1:
        return _read_int(path)
    return _stat(path, (b"usage_usec",))["usage_usec"] * 1000


def _memory(files: RoundFiles, version: int, machine: int | None) -> dict:
    stats = _stat(files.memory_stat, _MEMORY_STAT_KEYS[version])
    usage = _read_int(files.memory_usage)
    if version == 1:
        limit = stats.get("hierarchical_memory_limit")
        if limit is None:
            limit = _read_int(files.memory_limit)
    else:
        text = read_small(files.memory_limit).strip()
        limit = None if text == b"max" else int(text)
    if machine and (limit is None or limit > machine):
        limit = machine
    return {"usage": usage, "stats": stats, "limit": limit or 0}


def _block_io(paths: tuple[str, ...], version: int) -> list[dict]:
    if version == 2:
        return io_stat_entries(read_small(paths[0]).decode("ascii", "replace"))
    entries = []
    for path in paths:
        entries += blkio_entries(read_small(path).decode("ascii", "replace"))
    return entries


def blkio_entries(text: str) -> list[dict]:
    """cgroup v1's "MAJ:MIN Op bytes" lines as the engine's entries (the closing "Total N" line has no device)."""
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3 and ":" in fields[0]:
            major, _, minor = fields[0].partition(":")
            entries.append({"major": int(major), "minor": int(minor), "op": fields[1], "value": int(fields[2])})
    return entries


def io_stat_entries(text: str) -> list[dict]:
    """cgroup v2's io.stat ("MAJ:MIN rbytes=N wbytes=N rios=N …") as the engine's "read" and "write" entries."""
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or ":" not in fields[0]:
            continue
        major, _, minor = fields[0].partition(":")
        values = dict(field.partition("=")[::2] for field in fields[1:])
        for op, key in (("read", "rbytes"), ("write", "wbytes")):
            entries.append({"major": int(major), "minor": int(minor), "op": op, "value": int(values.get(key) or 0)})
    return entries


_NET_FIELDS = (
    ("rx_bytes", 0),
    ("rx_packets", 1),
    ("rx_errors", 2),
    ("rx_dropped", 3),
    ("tx_bytes", 8),
    ("tx_packets", 9),
    ("tx_errors", 10),
    ("tx_dropped", 11),
)


def net_dev_interfaces(text: str) -> dict[str, dict[str, int]]:
    """/proc/PID/net/dev as the engine's "networks": every interface but the loopback, which the engine leaves out."""
    networks = {}
    for line in text.splitlines()[2:]:
        name, separator, numbers = line.partition(":")
        name = name.strip()
        fields = numbers.split()
        if not separator or name == "lo" or len(fields) < 16:
            continue
        networks[name] = {key: int(fields[index]) for key, index in _NET_FIELDS}
    return networks


def _read_int(path: str | Path) -> int:
    return int(read_small(path))


def _stat(path: str, keys: tuple[bytes, ...]) -> dict[str, int]:
    """The given keys' numbers of a "key value" per line file (cpu.stat, memory.stat); a key not there is left out.
    Only the lines asked for are looked at: memory.stat has some forty."""
    text = b"\n" + read_small(path)
    values = {}
    for key in keys:
        start = text.find(b"\n" + key + b" ")
        if start < 0:
            continue
        start += len(key) + 2
        end = text.find(b"\n", start)
        value = text[start:end] if end >= 0 else text[start:]
        if value.isdigit():
            values[key.decode("ascii")] = int(value)
    return values
