"""RunSpec: the checks say what is wrong in the user's words, and one spec gives the docker-py call and the
`docker run` line that match (tests/engine/test_run_agreement.py holds them to the real engine)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from gui.core.errors import EngineError
from gui.core.run.spec import (
    EnvVar,
    GpuMode,
    GpuSpec,
    MountSpec,
    PortSpec,
    RunContainer,
    RunFailed,
    RunSpec,
    parse_cpus,
    parse_size,
    suggest_name,
)
from gui.core.secrets import MASK

BASE = RunSpec("my-app:1")
HOST_CPUS = 4


def port(container, host="", protocol="tcp", all_interfaces=False):
    return PortSpec(container, host, protocol, all_interfaces)


def bind(source, target, read_only=False):
    return MountSpec("bind", source, target, read_only)


def volume(source, target):
    return MountSpec("volume", source, target)


# (what the user changed, the field that shows the problem, the table row, words the user reads)
BAD_INPUTS = [
    ({"image": ""}, "image", None, "Enter an image name"),
    ({"image": "My-App"}, "image", None, "must be lowercase"),
    ({"image": "my app"}, "image", None, "cannot contain spaces"),
    ({"name": "-web"}, "name", None, "must start with a letter or a digit"),
    ({"name": "a"}, "name", None, "at least two characters"),
    ({"name": "web app"}, "name", None, "cannot contain spaces"),
    ({"name": "web/app"}, "name", None, "only letters, digits, _ . and -"),
    ({"command": "echo 'hi"}, "command", None, "never closed"),
    ({"entrypoint": "python -m app"}, "entrypoint", None, "Move the rest (-m app) to the start of Command"),
    ({"entrypoint": '"python'}, "entrypoint", None, "never closed"),
    ({"workdir": "app"}, "workdir", None, "absolute path in the container"),
    ({"user": "app user"}, "user", None, "without spaces"),
    ({"restart": "sometimes"}, "restart", None, "no, on-failure, always or unless-stopped"),
    ({"auto_remove": True, "restart": "always"}, "restart", None, "cannot combine --rm with a restart policy"),
    ({"restart": "on-failure", "restart_max_retries": -1}, "restart", None, "cannot be negative"),
    ({"restart": "always", "restart_max_retries": 3}, "restart", None, "only with the on-failure policy"),
    ({"ports": (port("0", "5000"),)}, "ports", 0, "Port 0 is not a port you can publish"),
    ({"ports": (port("80", "65536"),)}, "ports", 0, "Port 65536 is too high"),
    ({"ports": (port("abc"),)}, "ports", 0, '"abc" is not a port'),
    ({"ports": (port(""),)}, "ports", 0, "Enter the container port"),
    ({"ports": (port("80-81", "8000-8010"),)}, "ports", 0, "has 11 ports but the container range 80-81 has 2"),
    ({"ports": (port("8010-8000"),)}, "ports", 0, "goes backwards. Write the lower port first: 8000-8010"),
    ({"ports": (port("8000-8001", "5000"),)}, "ports", 0, "needs a host range of the same length"),
    ({"ports": (port("53", "5353", protocol="sctp"),)}, "ports", 0, "must be tcp or udp"),
    ({"ports": (port("80", "5000"), port("81", "5000"))}, "ports", 1, "Host port 5000/tcp is also used by row 1"),
    ({"ports": (port("80", "5000"), port("81", "5000", all_interfaces=True))}, "ports", 1, "also used by row 1"),
    ({"ports": (port("80-82", "5000-5002"), port("90", "5001"))}, "ports", 1, "Host port 5001/tcp"),
    ({"env": (EnvVar("", "x"),)}, "env", 0, "Enter a name for this variable"),
    ({"env": (EnvVar("A B", "x"),)}, "env", 0, "cannot contain spaces"),
    ({"env": (EnvVar("A=B", "x"),)}, "env", 0, "cannot contain ="),
    ({"env": (EnvVar("TOKEN", "a"), EnvVar("TOKEN", "b"))}, "env", 1, "TOKEN is set twice (also in row 1)"),
    ({"mounts": (bind("/data", "/"),)}, "mounts", 0, "cannot replace /"),
    ({"mounts": (bind("/data", "relative"),)}, "mounts", 0, "must be absolute"),
    ({"mounts": (bind("/data", ""),)}, "mounts", 0, "Enter where it appears in the container"),
    ({"mounts": (bind("data", "/data"),)}, "mounts", 0, "The host path data is relative"),
    ({"mounts": (bind("", "/data"),)}, "mounts", 0, "Choose the host folder or file"),
    ({"mounts": (volume("my cache", "/cache"),)}, "mounts", 0, '"my cache" is not a valid volume name'),
    ({"mounts": (volume("/srv/cache", "/cache"),)}, "mounts", 0, "looks like a host folder"),
    ({"mounts": (MountSpec("tmpfs", "", "/tmp"),)}, "mounts", 0, "Choose bind"),
    ({"mounts": (bind("/a", "/data"), volume("cache", "/data/"))}, "mounts", 1, "/data/ is mounted twice"),
    ({"memory": "5m"}, "memory", None, "at least 6 MB"),
    ({"memory": "0"}, "memory", None, "at least 6 MB"),
    ({"memory": "-1g"}, "memory", None, "cannot be negative"),
    ({"memory": "1.5x"}, "memory", None, '"1.5x" is not a size Docker understands'),
    ({"memory": "abc"}, "memory", None, "like 512m or 2g"),
    ({"memory": "2gb2"}, "memory", None, "is not a size"),
    ({"cpus": "0"}, "cpus", None, "must be more than 0"),
    ({"cpus": "-1"}, "cpus", None, "must be more than 0"),
    ({"cpus": "999"}, "cpus", None, "This computer has 4 CPUs, so the limit can be at most 4"),
    ({"cpus": "0.001"}, "cpus", None, "Docker's precision is 0.01 CPU"),
    ({"cpus": "x"}, "cpus", None, '"x" is not a number of CPUs'),
    ({"cpus": "1,5"}, "cpus", None, "is not a number of CPUs"),
    ({"shm_size": "0"}, "shm_size", None, "must be more than 0"),
    ({"shm_size": "big"}, "shm_size", None, '"big" is not a size Docker understands'),
    ({"gpus": GpuSpec(GpuMode.COUNT, count=0)}, "gpus", None, "at least 1 GPU"),
    ({"gpus": GpuSpec(GpuMode.CHOSEN)}, "gpus", None, "Choose at least one GPU from the list"),
    (
        {"gpus": GpuSpec(GpuMode.ALL, capabilities=("compute", "magic"))},
        "gpus",
        None,
        '"magic" is not a GPU capability',
    ),
    ({"gpus": GpuSpec(GpuMode.ALL, capabilities=())}, "gpus", None, "at least one GPU capability"),
]


@pytest.mark.parametrize(
    ("changes", "field", "row", "words"), BAD_INPUTS, ids=[f"{i}-{case[1]}" for i, case in enumerate(BAD_INPUTS)]
)
def test_a_bad_input_is_an_error_next_to_its_field(changes, field, row, words):
    spec = replace(BASE, **changes)
    errors = [problem for problem in spec.problems(host_cpus=HOST_CPUS) if not problem.warning]
    assert [(problem.field, problem.row) for problem in errors] == [(field, row)], errors
    assert words in errors[0].message
    assert errors[0].message[0].isupper() or errors[0].message[0] in '"-/'  # a sentence, not an exception
    if "This computer has" not in errors[0].message:  # the engine may have more CPUs: it judges that itself
        with pytest.raises(ValueError):
            spec.create_kwargs()


WARNINGS = [
    (
        {"ports": (port("80", "5000", all_interfaces=True),)},
        "ports",
        0,
        "Docker publishes it past the host firewall: anyone on your network can reach it",
    ),
    ({"publish_all": True}, "ports", None, "-P publishes on all interfaces"),
    (
        {"mounts": (bind("/var/run/docker.sock", "/var/run/docker.sock"),)},
        "mounts",
        0,
        "full control of the engine, like root on this machine",
    ),
    ({"mounts": (bind("/run/docker.sock", "/sock", read_only=True),)}, "mounts", 0, "full control of the engine"),
    ({"mounts": (bind("/etc/", "/host-etc"),)}, "mounts", 0, "/etc is a system folder, mounted read-write"),
    ({"privileged": True}, "privileged", None, "every device and capability of the host"),
    ({"gpus": GpuSpec(GpuMode.ALL)}, "shm_size", None, "Docker's 64 MB default is often too small: try 1g"),
    ({"env": (EnvVar("1ABC", "x"),)}, "env", 0, "shell scripts in the container cannot read it"),
    ({"env": (EnvVar("my.setting", "x"),)}, "env", 0, "shell scripts in the container cannot read it"),
]


@pytest.mark.parametrize(("changes", "field", "row", "words"), WARNINGS)
def test_a_risky_choice_is_a_warning_that_does_not_block_the_run(changes, field, row, words):
    spec = replace(BASE, **changes)
    problems = spec.problems(host_cpus=HOST_CPUS)
    assert [(problem.field, problem.row, problem.warning) for problem in problems] == [(field, row, True)]
    assert words in problems[0].message
    assert spec.errors == []
    spec.create_kwargs()  # no ValueError


GOOD_INPUTS = [
    {"name": "web-1.a_b"},
    {"command": "sh -c 'echo \"hi\"'", "entrypoint": "'/opt/my app/run'"},
    {"restart": "on-failure", "restart_max_retries": 5},
    {"auto_remove": True, "restart": "no"},
    {"ports": (port("80", "5000"), port("80", "5001"), port("53", "5000", protocol="udp"))},
    {"ports": (port("6000", "16000-16010"), port("6001", "16000-16010"))},  # the engine picks one from each
    {"ports": (port("8000-8010"), port("7000"), port("7000"))},  # random host ports never clash
    {"env": (EnvVar("EMPTY", ""), EnvVar("_UNDER", "x"), EnvVar("lower_case", "y"))},
    {"mounts": (bind("/etc", "/host-etc", read_only=True), volume("model-cache", "/cache"))},
    {"memory": "6m", "cpus": "0.01", "shm_size": "1b"},
    {"memory": "2GiB", "cpus": "4", "shm_size": "1.5g"},
    {"cpus": "1.50"},
    {"gpus": GpuSpec(GpuMode.CHOSEN, device_ids=("GPU-1234",), capabilities=("graphics", "video")), "shm_size": "1g"},
]


@pytest.mark.parametrize("changes", GOOD_INPUTS)
def test_docker_accepts_these_and_so_do_the_checks(changes):
    assert replace(BASE, **changes).problems(host_cpus=HOST_CPUS) == []


def test_the_cpu_limit_defaults_to_this_computers_count(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert "at most 2" in replace(BASE, cpus="3").errors[0].message
    # ...but the outputs leave that limit to the engine, which may be another machine with more CPUs.
    assert replace(BASE, cpus="3").host_config_kwargs()["nano_cpus"] == 3_000_000_000


# --- outputs ---------------------------------------------------------------------------------------------

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


def test_a_full_spec_gives_the_exact_command_line():
    assert FULL.argv(reveal_secrets=True) == [
        "docker",
        "run",
        "--detach",
        "--name",
        "web",
        "--interactive",
        "--tty",
        "--restart",
        "on-failure:3",
        "--workdir",
        "/srv",
        "--user",
        "1000:1000",
        "--entrypoint",
        "python",
        "-p",
        "127.0.0.1:5000:80",
        "-p",
        "127.0.0.1::53/udp",
        "-p",
        "9000-9001:8000-8001",
        "-P",
        "-e",
        "HF_TOKEN=hf_real",
        "-e",
        "MODE=prod",
        "--mount",
        "type=bind,source=/home/me/models,target=/models,readonly",
        "--mount",
        "type=volume,source=cache,target=/root/.cache",
        "--gpus",
        'all,"capabilities=compute,utility"',
        "--memory",
        "2g",
        "--cpus",
        "1.5",
        "--shm-size",
        "1g",
        "--privileged",
        "--label",
        "team=ml",
        "my-app:1",
        "serve",
        "--port",
        "80",
        "a b",
    ]


def test_a_full_spec_gives_the_exact_docker_py_arguments():
    assert FULL.create_kwargs() == {
        "image": "my-app:1",
        "command": ["serve", "--port", "80", "a b"],
        "entrypoint": ["python"],
        "name": "web",
        "working_dir": "/srv",
        "user": "1000:1000",
        "environment": ["HF_TOKEN=hf_real", "MODE=prod"],
        "ports": [(80, "tcp"), (53, "udp"), (8000, "tcp"), (8001, "tcp")],
        "labels": {"team": "ml"},
        "detach": True,
        "stdin_open": True,
        "tty": True,
    }
    assert FULL.host_config_kwargs() == {
        "restart_policy": {"Name": "on-failure", "MaximumRetryCount": 3},
        "port_bindings": {
            "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "5000"}],
            "53/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
            "8000/tcp": [{"HostIp": "", "HostPort": "9000"}],
            "8001/tcp": [{"HostIp": "", "HostPort": "9001"}],
        },
        "publish_all_ports": True,
        "mounts": [
            {"Type": "bind", "Source": "/home/me/models", "Target": "/models", "ReadOnly": True},
            {"Type": "volume", "Source": "cache", "Target": "/root/.cache", "ReadOnly": False},
        ],
        "device_requests": [{"Driver": "", "Count": -1, "Capabilities": [["compute", "utility", "gpu"]]}],
        "mem_limit": 2 * 1024**3,
        "nano_cpus": 1_500_000_000,
        "shm_size": 1024**3,
        "privileged": True,
    }


def test_the_smallest_spec_runs_the_image_as_it_is():
    assert BASE.argv() == ["docker", "run", "--detach", "my-app:1"]
    assert BASE.create_kwargs() == {
        "image": "my-app:1",
        "command": None,
        "entrypoint": None,
        "name": None,
        "working_dir": None,
        "user": None,
        "environment": None,
        "ports": None,
        "labels": None,
        "detach": True,
        "stdin_open": False,
        "tty": False,
    }
    assert BASE.host_config_kwargs() == {"restart_policy": {"Name": "no", "MaximumRetryCount": 0}, "port_bindings": {}}


@pytest.mark.parametrize(
    ("gpus", "flag", "request_"),
    [
        (
            GpuSpec(GpuMode.COUNT, count=2, capabilities=("compute",)),
            "2,capabilities=compute",
            {"Driver": "", "Count": 2, "Capabilities": [["compute", "gpu"]]},
        ),
        (
            GpuSpec(GpuMode.CHOSEN, device_ids=("0", "1")),
            '"device=0,1","capabilities=compute,utility"',
            {"Driver": "", "Count": 0, "DeviceIDs": ["0", "1"], "Capabilities": [["compute", "utility", "gpu"]]},
        ),
        (
            GpuSpec(GpuMode.CHOSEN, device_ids=("GPU-4a7c",), capabilities=("video",)),
            "device=GPU-4a7c,capabilities=video",
            {"Driver": "", "Count": 0, "DeviceIDs": ["GPU-4a7c"], "Capabilities": [["video", "gpu"]]},
        ),
    ],
)
def test_gpu_choices_in_the_clis_csv_syntax_and_as_a_device_request(gpus, flag, request_):
    spec = replace(BASE, gpus=gpus, shm_size="1g")
    argv = spec.argv()
    assert argv[argv.index("--gpus") + 1] == flag
    assert spec.host_config_kwargs()["device_requests"] == [request_]


@pytest.mark.parametrize(
    ("row", "flag"),
    [
        (port("80", "5000"), "127.0.0.1:5000:80"),
        (port("80"), "127.0.0.1::80"),
        (port("80", all_interfaces=True), "80"),
        (port("53", "5353", "udp", all_interfaces=True), "5353:53/udp"),
        (port("6000", "16000-16010"), "127.0.0.1:16000-16010:6000"),
    ],
)
def test_ports_are_written_as_the_cli_takes_them(row, flag):
    assert replace(BASE, ports=(row,)).argv()[3:5] == ["-p", flag]


def test_spaces_around_typed_ports_do_not_change_the_run():
    spec = replace(BASE, ports=(port(" 8000-8001 ", " "),))
    assert spec.argv()[3:5] == ["-p", "127.0.0.1::8000-8001"]
    assert spec.host_config_kwargs()["port_bindings"] == {
        "8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
        "8001/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
    }


def test_mount_fields_with_commas_or_quotes_are_quoted_for_the_clis_csv_reader():
    spec = replace(BASE, mounts=(bind('/data/a,b "c"', "/in"),))
    assert spec.argv()[4] == 'type=bind,"source=/data/a,b ""c""",target=/in'


def test_secrets_are_masked_in_what_is_shown_but_real_in_what_runs():
    spec = replace(
        BASE,
        env=(
            EnvVar("HF_TOKEN", "hf_real"),
            EnvVar("apiKey", "k-123"),
            EnvVar("MODE", "prod"),
            EnvVar("DB_PASSWORD", ""),
        ),
    )
    shown = spec.command_line
    assert "hf_real" not in shown and "k-123" not in shown
    assert f"HF_TOKEN={MASK}" in spec.argv() and f"apiKey={MASK}" in spec.argv() and "MODE=prod" in spec.argv()
    assert "DB_PASSWORD=" in spec.argv()  # empty says "unset", which is no secret
    assert RunContainer(spec).command == shown
    assert spec.create_kwargs()["environment"] == ["HF_TOKEN=hf_real", "apiKey=k-123", "MODE=prod", "DB_PASSWORD="]
    assert spec.argv(reveal_secrets=True)[4] == "HF_TOKEN=hf_real"


def test_the_preview_still_shows_something_while_the_input_is_wrong():
    spec = replace(BASE, command="echo 'unclosed", ports=(port("abc", "x"),), memory="lots")
    assert spec.errors
    assert spec.argv()[-2:] == ["echo", "'unclosed"]
    assert "--memory lots" in spec.command_line
    with pytest.raises(ValueError, match="memory"):
        spec.host_config_kwargs()


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
        BASE, ports=(port("80", "5000"),), env=(EnvVar("A", "1"),), labels=(("a", "b"),)
    )


def test_secret_values_are_not_remembered():
    remembered = FULL.without_secret_values()
    assert remembered.env == (EnvVar("HF_TOKEN", ""), EnvVar("MODE", "prod"))
    assert replace(remembered, env=FULL.env) == FULL


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


# --- parsing and naming ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1024", 1024),
        ("1b", 1),
        ("100k", 100 * 1024),
        ("512m", 512 * 1024**2),
        ("512M", 512 * 1024**2),
        ("2g", 2 * 1024**3),
        ("2GB", 2 * 1024**3),
        ("2gib", 2 * 1024**3),
        ("2GiB", 2 * 1024**3),
        ("1.5g", 1610612736),
        ("1t", 1024**4),
        ("1p", 1024**5),
        ("0.5k", 512),
        (" 64m ", 64 * 1024**2),
        ("64 m", 64 * 1024**2),
        (".5g", 512 * 1024**2),
        ("", None),
        ("abc", None),
        ("-1g", None),
        ("1.5x", None),
        ("2gb2", None),
        ("1ib", None),
        ("1bb", None),
        ("1kk", None),
        ("1 ", 1),
        ("g", None),
        ("1e3", None),
        ("1,5g", None),
    ],
)
def test_parse_size_reads_sizes_as_the_docker_cli_does(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "nano"),
    [
        ("1.5", 1_500_000_000),
        ("2", 2_000_000_000),
        ("0.01", 10_000_000),
        (".5", 500_000_000),
        ("0", 0),
        ("0.000000001", 1),
        ("0.0000000001", None),
        ("-1", None),
        ("x", None),
        ("", None),
        ("1,5", None),
        ("1e3", None),
    ],
)
def test_parse_cpus_gives_nano_cpus(text, nano):
    assert parse_cpus(text) == nano


@pytest.mark.parametrize(
    ("base", "taken", "name"),
    [
        ("web", set(), "web"),
        ("web", {"web"}, "web-2"),
        ("web", {"/web", "web-2"}, "web-3"),  # the engine's names start with /
        ("web-2", {"web", "web-2"}, "web-3"),
        ("my app!", set(), "my-app-"),
        ("-web", set(), "web"),
        ("a", set(), "a-container"),
        ("", set(), "container"),
    ],
)
def test_suggest_name_gives_a_free_valid_name(base, taken, name):
    suggested = suggest_name(base, taken)
    assert suggested == name
    assert replace(BASE, name=suggested).errors == []


# --- the action ------------------------------------------------------------------------------------------


class FakeApi:
    """Records calls; start raises `start_error` when set."""

    def __init__(self, start_error: Exception | None = None, remove_error: Exception | None = None):
        self.calls: list[tuple] = []
        self.start_error, self.remove_error = start_error, remove_error

    def create_host_config(self, **kwargs):
        self.calls.append(("create_host_config", kwargs))
        return {"host": kwargs}

    def create_container(self, **kwargs):
        self.calls.append(("create_container", kwargs))
        return {"Id": "c0ffee" * 10, "Warnings": []}

    def start(self, container_id):
        self.calls.append(("start", container_id))
        if self.start_error:
            raise self.start_error

    def remove_container(self, container_id, force=False):
        self.calls.append(("remove_container", container_id, force))
        if self.remove_error:
            raise self.remove_error


SPEC = replace(BASE, name="web", env=(EnvVar("HF_TOKEN", "hf_real"),), ports=(port("80", "5000"),))


def test_run_creates_with_the_specs_arguments_and_starts():
    api = FakeApi()
    assert RunContainer(SPEC).run(api) == "c0ffee" * 10
    assert api.calls == [
        ("create_host_config", SPEC.host_config_kwargs()),
        ("create_container", {**SPEC.create_kwargs(), "host_config": {"host": SPEC.host_config_kwargs()}}),
        ("start", "c0ffee" * 10),
    ]
    assert RunContainer(SPEC).argv() == SPEC.argv()
    assert RunContainer(SPEC).description == "run the container"


def test_a_container_that_fails_to_start_is_removed_and_the_error_says_so():
    api = FakeApi(start_error=EngineError("Could not start: port 5000 is taken.", "driver failed"))
    with pytest.raises(RunFailed) as failed:
        RunContainer(SPEC).run(api)
    assert failed.value.message == "Could not start: port 5000 is taken. Portside removed the container it had created."
    assert failed.value.detail == "driver failed"
    assert (failed.value.container_id, failed.value.kept) == ("c0ffee" * 10, False)
    assert api.calls[-1] == ("remove_container", "c0ffee" * 10, True)
    assert isinstance(failed.value, EngineError)


def test_a_failed_container_is_kept_when_asked():
    api = FakeApi(start_error=RuntimeError("no GPU"))
    with pytest.raises(RunFailed) as failed:
        RunContainer(SPEC, keep_failed=True).run(api)
    assert failed.value.kept and failed.value.message.startswith("Could not start the container: no GPU")
    assert "is kept" in failed.value.message
    assert not any(call[0] == "remove_container" for call in api.calls)


def test_a_failed_container_that_cannot_be_removed_is_reported():
    api = FakeApi(start_error=RuntimeError("boom"), remove_error=RuntimeError("engine busy"))
    with pytest.raises(RunFailed) as failed:
        RunContainer(SPEC).run(api)
    assert "could not remove the container it had created (c0ffeec0ffee)" in failed.value.message
    assert "boom" in failed.value.message  # the start error is not lost over the clean-up


def test_an_invalid_spec_never_reaches_the_engine():
    api = FakeApi()
    with pytest.raises(ValueError):
        RunContainer(replace(SPEC, memory="5m")).run(api)
    assert api.calls == []


def test_core_stays_light_to_import():
    code = (
        "import sys; import gui.core.run.spec, gui.core.run.checks, gui.core.run.from_inspect; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docker', 'PySide6', 'requests')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
