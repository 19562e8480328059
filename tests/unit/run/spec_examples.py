"""Specs and table rows shared by the RunSpec tests: the smallest spec, a spec with every option set, and short
builders for port and mount rows."""

from __future__ import annotations

from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec

BASE = RunSpec("my-app:1")


def port(container, host="", protocol="tcp", all_interfaces=False):
    return PortSpec(container, host, protocol, all_interfaces)


def bind(source, target, read_only=False):
    return MountSpec("bind", source, target, read_only)


def volume(source, target):
    return MountSpec("volume", source, target)


# Every option set, so the outputs and the saved form have something to show for each.
FULL = RunSpec(
    image="my-app:1",
    name="web",
    command="serve --port 80 'a b'",
    entrypoint="python",
    workdir="/srv",
    user="1000:1000",
    restart="on-failure",
    restart_max_retries=3,
    interactive_tty=True,
    ports=(port("80", "5000"), port("53", "", "udp"), port("8000-8001", "9000-9001", all_interfaces=True)),
    publish_all=True,
    env=(EnvVar("HF_TOKEN", "hf_real"), EnvVar("MODE", "prod")),
    mounts=(bind("/home/me/models", "/models", read_only=True), volume("cache", "/root/.cache")),
    gpus=GpuSpec(GpuMode.ALL),
    memory="2g",
    cpus="1.5",
    shm_size="1g",
    privileged=True,
    labels=(("team", "ml"),),
)
