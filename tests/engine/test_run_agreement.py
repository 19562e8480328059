"""The command line Portside shows is the run it makes: for each spec, a container created through docker-py
(create_kwargs + host_config_kwargs) and one created by the real `docker create` with the spec's argv end up
with the same settings on the engine. And reading a container back (from_inspect) gives the spec again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.core.run.spec import (
    EnvVar,
    GpuMode,
    GpuSpec,
    MountSpec,
    PortSpec,
    RunSpec,
    parse_size,
)
from tests.engine import engine_helpers as eh

pytestmark = pytest.mark.engine

HOST_CONFIG_FIELDS = (
    "PortBindings",
    "PublishAllPorts",
    "Mounts",
    "RestartPolicy",
    "AutoRemove",
    "Memory",
    "MemorySwap",
    "NanoCpus",
    "ShmSize",
    "Privileged",
    "DeviceRequests",
)
CONFIG_FIELDS = ("Env", "Cmd", "Entrypoint", "User", "WorkingDir", "ExposedPorts", "Labels", "Tty", "OpenStdin")

# The specs of the matrix; "{volume}" and "{folder}" are filled in per test (a labelled volume, a tmp folder).
CASES: dict[str, RunSpec] = {
    "ports": RunSpec(
        "",
        ports=(
            PortSpec("80", "5000"),  # loopback, the default
            PortSpec("81", "5001", all_interfaces=True),
            PortSpec("53", "5353", protocol="udp"),
            PortSpec("8000-8002", "9000-9002"),  # a range, port by port
            PortSpec("7000"),  # a random host port on loopback
            PortSpec("7001", all_interfaces=True),  # ...and on every interface
            PortSpec("6000", "16000-16010"),  # one container port, a host range to pick from
            PortSpec("80", "5080"),  # the same container port published twice
        ),
    ),
    "publish_all": RunSpec("", ports=(PortSpec("8080", "18080"),), publish_all=True),
    "env": RunSpec(
        "",
        env=(
            EnvVar("HF_TOKEN", "hf_not_a_real_token"),
            EnvVar("EMPTY", ""),
            EnvVar("GREETING", "hello, world = \"quoted\" 'too'"),
            EnvVar("PATH", "/opt/bin:/bin"),
        ),
    ),
    "mounts": RunSpec(
        "",
        mounts=(
            MountSpec("bind", "{folder}", "/models", read_only=True),
            MountSpec("volume", "{volume}", "/cache"),
            MountSpec("bind", "{folder}", "/work, with a comma"),
        ),
    ),
    "resources": RunSpec("", memory="512m", cpus="1.5", shm_size="1g"),
    "restart_on_failure": RunSpec("", restart="on-failure", restart_max_retries=3, interactive_tty=True),
    "restart_unless_stopped": RunSpec("", restart="unless-stopped", privileged=True, memory="1.5g"),
    "program": RunSpec(
        "",
        name="{name}",
        user="1000:1000",
        workdir="/srv/app",
        entrypoint="/bin/sh",
        command="-c 'echo \"hi there\" && sleep 1'",
    ),
    "auto_remove": RunSpec("", auto_remove=True, command="true"),
    "labels": RunSpec("", labels=(("com.example.role", "web"), ("note", "two words, one comma"))),
    "gpus_all": RunSpec("", gpus=GpuSpec(GpuMode.ALL), shm_size="2g"),
    "gpus_count": RunSpec("", gpus=GpuSpec(GpuMode.COUNT, count=2, capabilities=("compute",))),
    "gpus_device": RunSpec(
        "", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0",), capabilities=("compute", "utility", "video"))
    ),
    "gpus_devices": RunSpec(
        "", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "GPU-4a7c1f2e"), capabilities=("utility",))
    ),
}


def concrete(template: RunSpec, image: str, labels: dict[str, str], volume: str, folder: str, name: str) -> RunSpec:
    mounts = tuple(
        replace(mount, source=mount.source.format(volume=volume, folder=folder)) for mount in template.mounts
    )
    return replace(
        template,
        image=image,
        name=template.name.format(name=name),
        mounts=mounts,
        labels=template.labels + tuple(labels.items()),
    )


def created_through_api(docker_client, spec: RunSpec) -> dict:
    api = docker_client.api
    container = api.create_container(
        **spec.create_kwargs(), host_config=api.create_host_config(**spec.host_config_kwargs())
    )
    return api.inspect_container(container["Id"])


def created_through_cli(docker_client, docker_cli, spec: RunSpec) -> dict:
    argv = spec.argv(reveal_secrets=True)
    assert argv[:3] == ["docker", "run", "--detach"]
    container_id = docker_cli("create", *argv[3:]).stdout.strip()
    return docker_client.api.inspect_container(container_id)


def settings(inspected: dict) -> dict:
    """The fields the spec decides, from both halves of inspect."""
    host_config, config = inspected["HostConfig"], inspected["Config"]
    chosen = {f"HostConfig.{key}": host_config.get(key) for key in HOST_CONFIG_FIELDS}
    chosen |= {f"Config.{key}": config.get(key) for key in CONFIG_FIELDS}
    # docker-py always sends DeviceIDs as a list, the CLI leaves it out when no devices are named: [] and null
    # mean the same to the engine ("no particular devices").
    for request in chosen["HostConfig.DeviceRequests"] or ():
        request["DeviceIDs"] = request["DeviceIDs"] or None
    # The docker CLI (28.x) passes the -e values through a Go map, so their order changes from one run to the
    # next. Order only matters when a name repeats, which the spec's checks refuse.
    chosen["Config.Env"] = sorted(chosen["Config.Env"])
    return chosen


@pytest.mark.parametrize("case", sorted(CASES))
def test_api_and_cli_create_the_same_container(case, docker_client, docker_cli, busybox_image, test_labels, tmp_path):
    volume = docker_client.volumes.create(f"portside-agree-{test_labels[eh.CASE_LABEL]}", labels=test_labels)
    template = CASES[case]
    base_name = f"agree-{test_labels[eh.CASE_LABEL]}"

    def spec_for(side: str) -> RunSpec:
        return concrete(template, busybox_image, test_labels, volume.name, str(tmp_path), f"{base_name}-{side}")

    api_spec, cli_spec = spec_for("api"), spec_for("cli")
    assert api_spec.errors == [], api_spec.errors
    through_api = created_through_api(docker_client, api_spec)
    through_cli = created_through_cli(docker_client, docker_cli, cli_spec)

    assert settings(through_api) == settings(through_cli)
    if template.name:
        assert (through_api["Name"], through_cli["Name"]) == (f"/{base_name}-api", f"/{base_name}-cli")

    # Run again with changes: the container read back is the spec it was made from.
    image = docker_client.api.inspect_image(busybox_image)
    read_back = RunSpec.from_inspect(through_api, image)
    image_labels = image["Config"]["Labels"]
    expected = replace(api_spec, labels=tuple(pair for pair in api_spec.labels if image_labels.get(pair[0]) != pair[1]))
    assert set(read_back.ports) == set(expected.ports)  # the engine sorts ports and labels its own way
    assert dict(read_back.labels) == dict(expected.labels)
    assert read_back.name == (api_spec.name or through_api["Name"].lstrip("/"))  # kept, even one Docker chose
    assert parse_size(read_back.memory or "0") == parse_size(expected.memory or "0")  # "1.5g" reads back as "1536m"
    assert replace(read_back, ports=(), labels=(), name="", memory="") == replace(
        expected, ports=(), labels=(), name="", memory=""
    )


def test_the_secret_is_masked_in_what_the_user_sees_but_reaches_the_engine(docker_client, busybox_image, test_labels):
    spec = concrete(CASES["env"], busybox_image, test_labels, "", "", "")
    assert "hf_not_a_real_token" not in spec.command_line
    assert "hf_not_a_real_token" in created_through_api(docker_client, spec)["Config"]["Env"][0]


def test_the_cli_refuses_a_missing_bind_folder_instead_of_creating_it(docker_cli, busybox_image, test_labels, tmp_path):
    """Why argv writes --mount, not -v: `-v` would make the missing folder (owned by root) and carry on."""
    missing = tmp_path / "not-there"
    spec = concrete(
        RunSpec("", mounts=(MountSpec("bind", str(missing), "/data"),)), busybox_image, test_labels, "", "", ""
    )
    result = docker_cli("create", *spec.argv()[3:], check=False)
    assert result.returncode != 0
    assert "bind source path does not exist" in result.stderr
    assert not missing.exists()
