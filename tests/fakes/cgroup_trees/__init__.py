"""Small cgroup v1 and v2 trees written into a folder, as the kernel shows a running container's files to the engine:
cgroupfs and systemd drivers, and a rootless engine's tree under the user's own systemd manager.

The texts are the kernel's formats: the v1 ones recorded on this project's engine machine (dockerd 20.10, cgroupfs,
kernel 6.18: memory.stat, blkio.throttle.io_service_bytes, /proc/PID/net/dev, /proc/PID/cgroup, mountinfo, with cpu
and cpuacct on separate mounts); the v2 ones and the systemd mount tables written from the kernel's documentation
(Documentation/admin-guide/cgroup-v2.rst) and a Debian 12 host, with each number a keyword argument so a test can
say what the container did. `build(root, layout, **numbers)` returns a Tree: the KernelFiles that point into it,
the engine's `docker info` and the container's inspect data, and `update(**numbers)` to move the counters on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gui.core.monitor.cgroup import KernelFiles

CONTAINER = "4f3a" * 16
PID = 4242
NO_LIMIT_V1 = 9223372036854771712  # memory.limit_in_bytes without --memory, on a 4 KiB page machine
MEM_TOTAL_KIB = 24_683_772  # this machine's MemTotal

LAYOUTS = ("v1-cgroupfs", "v1-systemd", "v2-cgroupfs", "v2-systemd", "v2-rootless")

# /proc/self/mountinfo lines; {root} is the tree's folder.
_MOUNTS = {
    "v1-cgroupfs": (  # recorded here: cpu and cpuacct mounted apart, a cgroup2 "unified" beside them
        "31 23 0:28 / {root}/sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
        "32 31 0:29 / {root}/sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
        "33 31 0:30 / {root}/sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
        "35 31 0:32 / {root}/sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
        "38 31 0:35 / {root}/sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio",
        "39 31 0:36 / {root}/sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
        "40 31 0:37 / {root}/sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
        "41 31 0:38 / {root}/sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
    ),
    "v1-systemd": (  # a systemd host on cgroup v1: cpu and cpuacct share a hierarchy
        "25 18 0:22 / {root}/sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
        "29 25 0:26 / {root}/sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd",
        "32 25 0:29 / {root}/sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:14 - cgroup cgroup rw,cpu,cpuacct",
        "33 25 0:30 / {root}/sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory",
        "34 25 0:31 / {root}/sys/fs/cgroup/blkio rw,nosuid shared:16 - cgroup cgroup rw,blkio",
        "35 25 0:32 / {root}/sys/fs/cgroup/pids rw,nosuid shared:17 - cgroup cgroup rw,pids",
    ),
    "v2": (
        "35 24 0:30 / {root}/sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate",
    ),
}


def cgroup_of(layout: str, container_id: str = CONTAINER, uid: int | None = None) -> str:
    """Where the engine puts the container's cgroup in this layout."""
    if layout.endswith("cgroupfs"):
        return f"/docker/{container_id}"
    if layout == "v2-rootless":
        uid = os.getuid() if uid is None else uid
        return f"/user.slice/user-{uid}.slice/user@{uid}.service/user.slice/docker-{container_id}.scope"
    return f"/system.slice/docker-{container_id}.scope"


@dataclass
class Tree:
    root: Path
    layout: str
    files: KernelFiles
    info: dict
    inspect: dict
    socket: Path  # the engine's socket: its owner is the rootless engine's user
    numbers: dict = field(default_factory=dict)

    @property
    def version(self) -> int:
        return 2 if self.layout.startswith("v2") else 1

    def folder(self, controller: str) -> Path:
        """The container's folder for a v1 controller (any name on v2)."""
        cgroup = self.root / "sys" / "fs" / "cgroup"
        inner = cgroup_of(self.layout, self.numbers["container_id"], self.numbers["uid"]).lstrip("/")
        if self.version == 2:
            return cgroup / inner
        mount = "cpu,cpuacct" if controller == "cpuacct" and self.layout == "v1-systemd" else controller
        return cgroup / mount / inner

    def update(self, **numbers) -> None:
        """New counters: the given ones change, the rest stay."""
        self.numbers.update(numbers)
        _write_counters(self)

    def remove(self, *names: str) -> None:
        """Take files away (the container stopping), by name relative to the container's folders or /proc/PID."""
        for name in names:
            for path in (self.folder(c) / name for c in ("cpuacct", "memory", "pids", "blkio")):
                path.unlink(missing_ok=True)
            (self.root / "proc" / str(self.numbers["pid"]) / name).unlink(missing_ok=True)


def build(root: Path, layout: str, **numbers) -> Tree:
    """A running container's files in `layout` (LAYOUTS). Numbers: cpu_ns, usage, inactive_file, limit (None: no
    --memory), pids, pids_max (None: "max"), read_bytes, write_bytes, rx, tx, host_ticks (the /proc/stat "cpu"
    line's first seven fields), cpus, network_mode, pid, uid, container_id, cgroup_parent."""
    values = {
        "cpu_ns": 55_926_162,
        "usage": 6_795_264,
        "inactive_file": 6_291_456,
        "limit": None,
        "pids": 1,
        "pids_max": None,
        "read_bytes": 20_971_520,
        "write_bytes": 20_987_904,
        "rx": 796,
        "tx": 0,
        "host_ticks": (933_779, 0, 202_169, 1_420_911, 5_637, 0, 3_034),
        "cpus": 2,
        "network_mode": "default",
        "pid": PID,
        "uid": os.getuid(),
        "container_id": CONTAINER,
        "cgroup_parent": "",
    }
    values.update(numbers)
    socket = root / "docker.sock"
    socket.parent.mkdir(parents=True, exist_ok=True)
    socket.touch()
    key = "v2" if layout.startswith("v2") else layout
    (root / "mountinfo").write_text("\n".join(line.format(root=root) for line in _MOUNTS[key]) + "\n")
    files = KernelFiles(
        cgroup_root=root / "sys" / "fs" / "cgroup",
        proc_stat=root / "proc" / "stat",
        proc_meminfo=root / "proc" / "meminfo",
        proc=root / "proc",
        mountinfo=root / "mountinfo",
    )
    tree = Tree(root, layout, files, _info(layout), _inspect(values), socket, values)
    _write_counters(tree)
    return tree


def _info(layout: str) -> dict:
    options = ["name=seccomp,profile=default"]
    if layout.startswith("v2"):
        options.append("name=cgroupns")
    if layout == "v2-rootless":
        options.append("name=rootless")
    return {
        "CgroupDriver": layout.split("-")[1].replace("rootless", "systemd"),
        "CgroupVersion": "2" if layout.startswith("v2") else "1",
        "SecurityOptions": options,
        "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
        "NCPU": 2,
        "MemTotal": MEM_TOTAL_KIB * 1024,
    }


def _inspect(values: dict) -> dict:
    return {
        "Id": values["container_id"],
        "Name": "/web",
        "State": {"Status": "running", "Running": True, "Pid": values["pid"]},
        "HostConfig": {"CgroupParent": values["cgroup_parent"], "NetworkMode": values["network_mode"]},
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _write_counters(tree: Tree) -> None:
    n = tree.numbers
    proc = tree.root / "proc"
    ticks = " ".join(str(tick) for tick in n["host_ticks"])
    cpu_lines = "".join(f"cpu{i} 420443 0 93518 766374 1254 0 407 406 0 0\n" for i in range(n["cpus"]))
    _write(proc / "stat", f"cpu  {ticks} 768 0 0\n{cpu_lines}intr 1 0\nctxt 99\nbtime 1700000000\n")
    _write(proc / "meminfo", f"MemTotal:       {MEM_TOTAL_KIB} kB\nMemFree:         1000000 kB\n")
    cgroup = cgroup_of(tree.layout, n["container_id"], n["uid"])
    if tree.version == 2:
        _write(proc / str(n["pid"]) / "cgroup", f"0::{cgroup}\n")
    else:
        controllers = ("cpu", "cpuacct", "memory", "blkio", "pids", "name=systemd")
        if tree.layout == "v1-systemd":
            controllers = ("cpu,cpuacct", "memory", "blkio", "pids", "name=systemd")
        lines = [f"{i + 1}:{c}:{cgroup}" for i, c in enumerate(reversed(controllers))] + [f"0::{cgroup}"]
        _write(proc / str(n["pid"]) / "cgroup", "\n".join(lines) + "\n")
    _write(proc / str(n["pid"]) / "net" / "dev", _net_dev(n["rx"], n["tx"]))
    (_write_v2 if tree.version == 2 else _write_v1)(tree)
    for controller in ("",) if tree.version == 2 else ("cpuacct", "memory", "blkio", "pids"):
        _write(tree.folder(controller) / "cgroup.procs", f"{n['pid']}\n")  # the processes in the cgroup, one a line


def _net_dev(rx: int, tx: int) -> str:
    """Recorded from a container on the default bridge; one line per interface."""
    return (
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
        "carrier compressed\n"
        "    lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0 "
        "      0          0\n"
        f"  eth0: {rx:>7}      10    0    0    0     0          0         0 {tx:>8}       0    0    0    0     0 "
        "      0          0\n"
    )


def _write_v1(tree: Tree) -> None:
    n = tree.numbers
    limit = NO_LIMIT_V1 if n["limit"] is None else n["limit"]
    _write(tree.folder("cpuacct") / "cpuacct.usage", f"{n['cpu_ns']}\n")
    memory = tree.folder("memory")
    _write(memory / "memory.usage_in_bytes", f"{n['usage']}\n")
    _write(memory / "memory.limit_in_bytes", f"{limit}\n")
    inactive = n["inactive_file"]
    # Recorded here (kernel 6.18, cgroup v1), with the counters a test sets.
    _write(
        memory / "memory.stat",
        f"cache {inactive}\nrss 53248\nrss_huge 0\nshmem 0\nmapped_file 0\ndirty 0\nwriteback 0\n"
        "workingset_refault_anon 0\nworkingset_refault_file 0\nswap 0\nswapcached 0\npgpgin 1613\npgpgout 1594\n"
        f"pgfault 2046\npgmajfault 0\ninactive_anon 49152\nactive_anon 4096\ninactive_file {inactive}\n"
        f"active_file 0\nunevictable 0\nhierarchical_memory_limit {limit}\nhierarchical_memsw_limit {NO_LIMIT_V1}\n"
        f"total_cache {inactive}\ntotal_rss 53248\ntotal_rss_huge 0\ntotal_shmem 0\ntotal_mapped_file 0\n"
        "total_dirty 0\ntotal_writeback 0\ntotal_workingset_refault_anon 0\ntotal_workingset_refault_file 0\n"
        "total_swap 0\ntotal_swapcached 0\ntotal_pgpgin 1613\ntotal_pgpgout 1594\ntotal_pgfault 2046\n"
        f"total_pgmajfault 0\ntotal_inactive_anon 49152\ntotal_active_anon 4096\ntotal_inactive_file {inactive}\n"
        "total_active_file 0\ntotal_unevictable 0\n",
    )
    pids = tree.folder("pids")
    _write(pids / "pids.current", f"{n['pids']}\n")
    _write(pids / "pids.max", f"{n['pids_max'] if n['pids_max'] is not None else 'max'}\n")
    read, write = n["read_bytes"], n["write_bytes"]
    _write(
        tree.folder("blkio") / "blkio.throttle.io_service_bytes",
        f"254:0 Read {read}\n254:0 Write {write}\n254:0 Sync {read + write}\n254:0 Async 0\n254:0 Discard 0\n"
        f"254:0 Total {read + write}\nTotal {read + write}\n",
    )


def _write_v2(tree: Tree) -> None:
    n = tree.numbers
    folder = tree.folder("")
    usec = n["cpu_ns"] // 1000
    _write(
        folder / "cpu.stat",
        f"usage_usec {usec}\nuser_usec {usec * 3 // 4}\nsystem_usec {usec // 4}\nnr_periods 0\nnr_throttled 0\n"
        "throttled_usec 0\nnr_bursts 0\nburst_usec 0\n",
    )
    _write(folder / "memory.current", f"{n['usage']}\n")
    _write(folder / "memory.max", f"{n['limit'] if n['limit'] is not None else 'max'}\n")
    inactive = n["inactive_file"]
    _write(
        folder / "memory.stat",
        f"anon 53248\nfile {inactive}\nkernel 180224\nkernel_stack 16384\npagetables 40960\nsec_pagetables 0\n"
        f"percpu 0\nsock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\nfile_mapped 0\nfile_dirty 0\n"
        f"file_writeback 0\nswapcached 0\nanon_thp 0\nfile_thp 0\nshmem_thp 0\ninactive_anon 49152\n"
        f"active_anon 4096\ninactive_file {inactive}\nactive_file 0\nunevictable 0\nslab_reclaimable 0\n"
        "slab_unreclaimable 0\nslab 0\nworkingset_refault_anon 0\nworkingset_refault_file 0\npgfault 2046\n"
        "pgmajfault 0\n",
    )
    _write(folder / "pids.current", f"{n['pids']}\n")
    _write(folder / "pids.max", f"{n['pids_max'] if n['pids_max'] is not None else 'max'}\n")
    _write(
        folder / "io.stat",
        f"254:0 rbytes={n['read_bytes']} wbytes={n['write_bytes']} rios=20 wios=25 dbytes=0 dios=0\n"
        "7:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
    )
