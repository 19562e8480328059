"""RunSpec read back: to_dict and from_dict for remembering a run (secret values left out), and from_inspect for
"run again with changes", which keeps what the user chose and leaves out what the image decides."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, RunSpec
from tests.unit.run.spec_examples import BASE, FULL, bind, port, volume

# --- remembering -----------------------------------------------------------------------------------------


def test_to_dict_is_json_and_from_dict_gives_the_same_spec():
    data = json.loads(json.dumps(FULL.to_dict()))
    assert RunSpec.from_dict(data) == FULL
    chosen = replace(FULL, gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "2"), capabilities=("video",)))
    assert RunSpec.from_dict(json.loads(json.dumps(chosen.to_dict()))) == chosen


def test_from_dict_takes_settings_of_older_and_newer_versions():
    assert RunSpec.from_dict({"image": "my-app:1"}) == BASE
    old = {
        "image": "my-app:1",
        "ports": [{"container": "80", "host": "5000", "color": "red"}, "junk", {}],
        "gpus": {"mode": "quantum"},
        "restart_max_retries": "three",
        "memory": 512,
        "future_option": True,
        "env": [{"name": "A", "value": 1}],
        "labels": [["a", "b"], ["broken"]],
    }
    assert RunSpec.from_dict(old) == replace(
        # 512 is kept as typed text, so the form shows what Docker says about 512 bytes (issue 16).
        BASE,
        ports=(port("80", "5000"),),
        env=(EnvVar("A", "1"),),
        labels=(("a", "b"),),
        memory="512",
    )


def test_secret_values_are_not_remembered():
    remembered = FULL.without_secret_values()
    assert remembered.env == (EnvVar("HF_TOKEN", ""), EnvVar("MODE", "prod"))
    assert replace(remembered, env=FULL.env) == FULL


def test_the_saved_form_names_each_field_in_plain_json():
    """What goes into the settings file, which older and newer Portsides read: lists, strings, numbers."""
    spec = replace(
        BASE,
        ports=(port("80", "5000"),),
        env=(EnvVar("MODE", "prod"),),
        mounts=(volume("cache", "/c"),),
        gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0",), capabilities=("video",)),
        labels=(("team", "ml"),),
    )
    assert spec.to_dict() == {
        **{key: "" for key in ("name", "command", "entrypoint", "workdir", "user", "memory", "cpus", "shm_size")},
        "image": "my-app:1",
        "auto_remove": False,
        "restart": "no",
        "restart_max_retries": 0,
        "interactive_tty": False,
        "ports": [{"container": "80", "host": "5000", "protocol": "tcp", "all_interfaces": False}],
        "publish_all": False,
        "env": [{"name": "MODE", "value": "prod"}],
        "mounts": [{"kind": "volume", "source": "cache", "target": "/c", "read_only": False}],
        "gpus": {"mode": "chosen", "count": 1, "device_ids": ["0"], "capabilities": ["video"]},
        "privileged": False,
        "labels": [["team", "ml"]],
    }


def test_numbers_and_flags_written_by_hand_are_read():
    saved = {"image": "web", "cpus": 1.5, "shm_size": 0, "user": 1000, "memory": True}
    saved |= {"auto_remove": 1, "interactive_tty": 1, "publish_all": 1, "privileged": 1}
    spec = RunSpec.from_dict(saved)
    assert (spec.cpus, spec.shm_size, spec.user, spec.memory) == ("1.5", "0", "1000", "")  # true is no size
    assert spec.auto_remove and spec.interactive_tty and spec.publish_all and spec.privileged


def test_settings_without_an_image_ask_for_one():
    spec = RunSpec.from_dict({"name": "web"})
    assert spec.image == ""
    assert [problem.field for problem in spec.errors] == ["image"]


def test_a_broken_row_does_not_lose_the_rows_after_it():
    spec = RunSpec.from_dict({"image": "web", "ports": ["junk", {"host": "5000"}, {"container": "80"}]})
    assert spec.ports == (port("80"),)


def test_a_number_of_gpus_is_remembered():
    spec = replace(BASE, gpus=GpuSpec(GpuMode.COUNT, count=3))
    assert RunSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


@pytest.mark.parametrize("count", ["two", True, None, 1.5])
def test_a_gpu_count_that_is_no_whole_number_reads_as_one(count):
    spec = RunSpec.from_dict({"image": "web", "gpus": {"mode": "count", "count": count}})
    assert spec.gpus == GpuSpec(GpuMode.COUNT, count=1)
    spec.problems(host_cpus=4)  # no traceback


# --- run again with changes ------------------------------------------------------------------------------

IMAGE = {
    "Config": {
        "Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"],
        "Cmd": ["python", "app.py"],
        "Entrypoint": None,
        "WorkingDir": "/app",
        "User": "app",
        "ExposedPorts": {"80/tcp": {}},
        "Labels": {"org.opencontainers.image.source": "x", "maintainer": "me"},
    }
}


def inspected(config: dict | None = None, host: dict | None = None, name: str = "/web") -> dict:
    """Inspect data as the engine gives it for `docker run my-app:1` with nothing chosen."""
    return {
        "Name": name,
        "Image": "sha256:1234",
        "Config": {
            "Image": "my-app:1",
            "Env": IMAGE["Config"]["Env"],
            "Cmd": ["python", "app.py"],
            "Entrypoint": None,
            "WorkingDir": "/app",
            "User": "app",
            "Tty": False,
            "OpenStdin": False,
            "ExposedPorts": {"80/tcp": {}},
            "Labels": dict(IMAGE["Config"]["Labels"]),
            **(config or {}),
        },
        "HostConfig": {
            "PortBindings": {},
            "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
            "AutoRemove": False,
            "Memory": 0,
            "NanoCpus": 0,
            "ShmSize": 67108864,
            "Privileged": False,
            "PublishAllPorts": False,
            "Mounts": None,
            "Binds": None,
            "DeviceRequests": None,
            **(host or {}),
        },
    }


def test_from_inspect_leaves_out_what_the_image_decides():
    assert RunSpec.from_inspect(inspected(), IMAGE) == RunSpec("my-app:1", name="web")


def test_from_inspect_reads_back_what_the_user_chose():
    container = inspected(
        config={
            "Env": ["HF_TOKEN=hf_real", "LANG=en_GB.UTF-8", "PATH=/usr/bin:/bin"],
            "Cmd": ["serve", "--fast"],
            "WorkingDir": "/srv",
            "User": "1000",
            "Tty": True,
            "OpenStdin": True,
            "Labels": {
                "org.opencontainers.image.source": "x",
                "maintainer": "me",
                "team": "ml",
                "org.opencontainers.image.version": "2",
            },
        },
        host={
            "PortBindings": {
                "8001/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9001"}],
                "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "5000"}, {"HostIp": "127.0.0.1", "HostPort": "5001"}],
                "8000/tcp": [{"HostIp": "", "HostPort": "9000"}],
                "53/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
            },
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3},
            "Memory": 1610612736,
            "NanoCpus": 250_000_000,
            "ShmSize": 2 * 1024**3,
            "Privileged": True,
            "PublishAllPorts": True,
            "Mounts": [
                {"Type": "bind", "Source": "/models", "Target": "/m", "ReadOnly": True},
                {"Type": "tmpfs", "Target": "/tmp"},
            ],
            "Binds": ["cache:/root/.cache", "/home/me/data:/data:ro,z"],
            "DeviceRequests": [
                {"Driver": "", "Count": 0, "DeviceIDs": ["1"], "Capabilities": [["gpu", "compute", "video"]]}
            ],
        },
    )
    assert RunSpec.from_inspect(container, IMAGE) == RunSpec(
        image="my-app:1",
        name="web",
        command="serve --fast",
        workdir="/srv",
        user="1000",
        interactive_tty=True,
        restart="on-failure",
        restart_max_retries=3,
        ports=(
            port("80", "5000"),
            port("80", "5001"),
            port("8000-8001", "9000-9001", all_interfaces=True),
            port("53", "", "udp"),
        ),
        publish_all=True,
        env=(EnvVar("HF_TOKEN", "hf_real"), EnvVar("LANG", "en_GB.UTF-8")),
        mounts=(bind("/models", "/m", True), volume("cache", "/root/.cache"), bind("/home/me/data", "/data", True)),
        gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("1",), capabilities=("compute", "video")),
        memory="1536m",
        cpus="0.25",
        shm_size="2g",
        privileged=True,
        labels=(("team", "ml"),),
    )


@pytest.mark.parametrize(
    ("entrypoint", "cmd", "expected"),
    [
        (["python", "-m", "app"], ["--port", "80"], ("python", "-m app --port 80")),  # one program; the rest: command
        (["/bin/sh"], None, ("/bin/sh", "")),
        (None, ["python", "app.py"], ("", "")),  # the image's CMD
    ],
)
def test_from_inspect_keeps_one_program_as_the_entrypoint(entrypoint, cmd, expected):
    spec = RunSpec.from_inspect(inspected(config={"Entrypoint": entrypoint, "Cmd": cmd}), IMAGE)
    assert (spec.entrypoint, spec.command) == expected
    assert spec.errors == []


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({"Count": -1, "Capabilities": [["gpu"]]}, GpuSpec(GpuMode.ALL)),  # a plain `--gpus all`
        (
            {"Count": 2, "Capabilities": [["utility", "gpu"]]},
            GpuSpec(GpuMode.COUNT, count=2, capabilities=("utility",)),
        ),
        ({"Driver": "nvidia", "Count": -1}, GpuSpec(GpuMode.ALL)),
        ({"Driver": "other", "Count": 1, "Capabilities": [["tpu"]]}, GpuSpec()),
    ],
)
def test_from_inspect_reads_gpu_requests(request_, expected):
    container = inspected(host={"DeviceRequests": [request_]})
    assert RunSpec.from_inspect(container, IMAGE).gpus == expected


def test_from_inspect_without_the_image_keeps_everything():
    spec = RunSpec.from_inspect(inspected(), None)
    assert (spec.command, spec.workdir, spec.user) == ("python app.py", "/app", "app")
    assert spec.env == (EnvVar("PATH", "/usr/bin:/bin"), EnvVar("LANG", "C.UTF-8"))
    assert spec.labels == (("maintainer", "me"),)


def test_a_spec_survives_the_round_trip_through_docker_py_and_inspect():
    """What create_kwargs asks for, read back in the shape the engine stores it, is the spec again."""
    spec = replace(FULL, publish_all=False, ports=(port("80", "5000"), port("8000-8001", "9000-9001", "udp")))
    kwargs, host = spec.create_kwargs(), spec.host_config_kwargs()
    container = inspected(
        config={
            "Env": kwargs["environment"] + IMAGE["Config"]["Env"],
            "Cmd": kwargs["command"],
            "Entrypoint": kwargs["entrypoint"],
            "WorkingDir": "/srv",
            "User": "1000:1000",
            "Tty": True,
            "OpenStdin": True,
            "Labels": {**IMAGE["Config"]["Labels"], **kwargs["labels"]},
        },
        host={
            "PortBindings": host["port_bindings"],
            "RestartPolicy": host["restart_policy"],
            "Mounts": host["mounts"],
            "DeviceRequests": host["device_requests"],
            "Memory": host["mem_limit"],
            "NanoCpus": host["nano_cpus"],
            "ShmSize": host["shm_size"],
            "Privileged": True,
        },
    )
    assert RunSpec.from_inspect(container, IMAGE) == spec
