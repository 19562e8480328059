"""Every option `docker run` and `docker create` take, as the docker CLI 28.2 declares them: long name, short
letter, whether it takes a value. No Qt, no engine.

The table lets a pasted command be read the way the CLI reads it: an option the Run form has no field for is
still recognised (and named as left out), and only a word the CLI itself would refuse is an error.
tests/engine/test_paste_agreement.py holds the table to `docker run --help` and `docker create --help`.
"""

from __future__ import annotations

from dataclasses import dataclass

# long name, short letter ("-": none), "bool" or "value"; "run" marks the options docker create lacks.
# From `docker run --help`, plus the hidden aliases (net, net-alias, dns-opt) and the options --help leaves out
# for this engine's API version or operating system (annotation, health-start-interval, cpu-count, cpu-percent,
# io-maxbandwidth, io-maxiops): the CLI knows them and says why it refuses them.
_TABLE = """
add-host - value
annotation - value
attach a value
blkio-weight - value
blkio-weight-device - value
cap-add - value
cap-drop - value
cgroup-parent - value
cgroupns - value
cidfile - value
cpu-count - value
cpu-percent - value
cpu-period - value
cpu-quota - value
cpu-rt-period - value
cpu-rt-runtime - value
cpu-shares c value
cpus - value
cpuset-cpus - value
cpuset-mems - value
detach d bool run
detach-keys - value run
device - value
device-cgroup-rule - value
device-read-bps - value
device-read-iops - value
device-write-bps - value
device-write-iops - value
disable-content-trust - bool
dns - value
dns-opt - value
dns-option - value
dns-search - value
domainname - value
entrypoint - value
env e value
env-file - value
expose - value
gpus - value
group-add - value
health-cmd - value
health-interval - value
health-retries - value
health-start-interval - value
health-start-period - value
health-timeout - value
help - bool
hostname h value
init - bool
interactive i bool
io-maxbandwidth - value
io-maxiops - value
ip - value
ip6 - value
ipc - value
isolation - value
kernel-memory - value
label l value
label-file - value
link - value
link-local-ip - value
log-driver - value
log-opt - value
mac-address - value
memory m value
memory-reservation - value
memory-swap - value
memory-swappiness - value
mount - value
name - value
net - value
net-alias - value
network - value
network-alias - value
no-healthcheck - bool
oom-kill-disable - bool
oom-score-adj - value
pid - value
pids-limit - value
platform - value
privileged - bool
publish p value
publish-all P bool
pull - value
quiet q bool
read-only - bool
restart - value
rm - bool
runtime - value
security-opt - value
shm-size - value
sig-proxy - bool run
stop-signal - value
stop-timeout - value
storage-opt - value
sysctl - value
tmpfs - value
tty t bool
ulimit - value
use-api-socket - bool
user u value
userns - value
uts - value
volume v value
volume-driver - value
volumes-from - value
workdir w value
"""

# Hidden aliases: the CLI reads them as the option they stand for.
ALIASES = {"net": "network", "net-alias": "network-alias", "dns-opt": "dns-option"}


@dataclass(frozen=True)
class DockerFlag:
    name: str  # the long name, without --
    short: str  # the letter, or ""
    takes_value: bool
    run_only: bool = False  # docker create has no such option

    @property
    def canonical(self) -> str:
        return ALIASES.get(self.name, self.name)


def _read_table() -> tuple[DockerFlag, ...]:
    flags = []
    for line in _TABLE.split("\n"):
        if line.strip():
            name, short, kind, *run = line.split()
            flags.append(DockerFlag(name, "" if short == "-" else short, kind == "value", bool(run)))
    return tuple(flags)


RUN_FLAGS = _read_table()
BY_NAME = {flag.name: flag for flag in RUN_FLAGS}
BY_SHORT = {flag.short: flag for flag in RUN_FLAGS if flag.short}

# The docker command's own options, which may come before `run`: (long, short, takes a value).
GLOBAL_FLAGS = {
    "config": ("", True),
    "context": ("c", True),
    "debug": ("D", False),
    "host": ("H", True),
    "log-level": ("l", True),
    "tls": ("", False),
    "tlscacert": ("", True),
    "tlscert": ("", True),
    "tlskey": ("", True),
    "tlsverify": ("", False),
}
GLOBAL_SHORT = {short: name for name, (short, _) in GLOBAL_FLAGS.items() if short}

# Why an option is left out, where a plain "Portside has no field for it" would not say what to do instead.
ADVICE = {
    "ipc": "For PyTorch's shared memory, set Shared memory in Resources instead (for example 8g).",
    "network": "Publish the ports you need in Ports instead.",
    "env-file": "Import the file on the Environment tab (Import .env…): Portside reads no files from a command.",
    "label-file": "Type the labels on the Advanced tab: Portside reads no files from a command.",
    "pull": "Portside runs the image that is here: pull it from Images first.",
    "platform": "Portside runs the image that is here, for this computer's platform.",
    "attach": "It only changes what the docker command shows in a terminal; Portside shows the log instead.",
    "detach-keys": "It only changes the docker command's terminal.",
    "sig-proxy": "It only changes the docker command's terminal.",
    "quiet": "It only changes what the docker command prints.",
    "disable-content-trust": "It only changes how the docker command pulls.",
    "cidfile": "Portside shows the new container in Containers instead.",
    "tmpfs": "Use a volume on the Volumes tab instead.",
    "expose": "It only documents a port; publish it in Ports to reach it.",
}

# What the Run form does with -d: it always runs the container in the background.
IMPLIED = frozenset({"detach"})


def looks_like_option(word: str) -> bool:
    return word.startswith("-") and word != "-"
