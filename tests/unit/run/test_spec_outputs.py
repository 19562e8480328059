"""RunSpec's outputs: one spec gives the docker-py arguments and the `docker run` line that match
(tests/engine/test_run_agreement.py holds them to the real engine), with the CLI's quoting and the secrets masked in
what is shown; and RunContainer, which creates and starts the container and cleans up when the start fails."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.core.errors import EngineError
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, RunContainer, RunFailed
from gui.core.secrets import MASK
from tests.unit.run.spec_examples import BASE, FULL, bind, port

# --- outputs ---------------------------------------------------------------------------------------------


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


def test_secrets_found_by_name_or_shape_are_masked_in_the_command():
    """Found: GITHUBTOKEN, MY_PASS and DATABASE_URL's password showed in the command preview."""
    token = "ghp_R4nd0mL00k1ngT0k3nW1thDigits0123456"
    spec = replace(
        BASE,
        env=(
            EnvVar("GITHUBTOKEN", "plain-but-secret"),
            EnvVar("MY_PASS", "hunter22"),
            EnvVar("DATABASE_URL", "postgres://app:pg-s3cret@db:5432/x"),
            EnvVar("SETTING", token),
        ),
        command=f"serve --token {token} --port 80",
        labels=(("deploy.api_key", "k-123"),),
    )
    shown = spec.command_line
    for secret in ("plain-but-secret", "hunter22", "pg-s3cret", token, "k-123"):
        assert secret not in shown
    argv = spec.argv()
    assert f"GITHUBTOKEN={MASK}" in argv and f"MY_PASS={MASK}" in argv and f"SETTING={MASK}" in argv
    assert f"DATABASE_URL=postgres://app:{MASK}@db:5432/x" in argv  # only the password goes
    assert argv[-5:] == ["serve", "--token", MASK, "--port", "80"]
    assert spec.argv(reveal_secrets=True)[-3] == token
    assert spec.create_kwargs()["command"][2] == token  # what runs is the real thing


def test_the_preview_still_shows_something_while_the_input_is_wrong():
    spec = replace(BASE, command="echo 'unclosed", ports=(port("abc", "x"),), memory="lots")
    assert spec.errors
    assert spec.argv()[-2:] == ["echo", "'unclosed"]
    assert "--memory lots" in spec.command_line
    with pytest.raises(ValueError, match="memory"):
        spec.host_config_kwargs()


def test_a_container_removed_when_it_stops():
    spec = replace(BASE, auto_remove=True)
    assert spec.argv() == ["docker", "run", "--detach", "--rm", "my-app:1"]
    assert spec.host_config_kwargs()["auto_remove"] is True


@pytest.mark.parametrize(
    ("restart", "retries", "flag"),
    [
        ("always", 0, "always"),
        ("unless-stopped", 0, "unless-stopped"),
        ("on-failure", 0, "on-failure"),  # 0: retry for ever, which is what the plain policy means
        ("on-failure", 5, "on-failure:5"),
    ],
)
def test_the_restart_policy_on_the_command_line(restart, retries, flag):
    argv = replace(BASE, restart=restart, restart_max_retries=retries).argv()
    assert argv[argv.index("--restart") + 1] == flag


def test_spaces_typed_inside_a_size_are_left_out_of_the_command_line():
    """The CLI would read "1 g" as two words; the spec means one size, as create_kwargs reads it."""
    argv = replace(BASE, memory="1 g", shm_size=" 2 g ").argv()
    assert argv[3:7] == ["--memory", "1g", "--shm-size", "2g"]


def test_an_entrypoint_still_being_typed_is_previewed_as_typed():
    spec = replace(BASE, entrypoint="python -m app")
    assert spec.errors  # the checks say to move "-m app" to Command...
    assert spec.argv()[3:5] == ["--entrypoint", "python -m app"]  # ...and the preview shows what is there


def test_a_secret_label_is_shown_when_asked():
    spec = replace(BASE, labels=(("deploy.api_key", "k-123"),))
    assert spec.argv()[3:5] == ["--label", f"deploy.api_key={MASK}"]
    assert spec.argv(reveal_secrets=True)[3:5] == ["--label", "deploy.api_key=k-123"]


def test_an_invalid_spec_names_each_problem_with_its_field():
    with pytest.raises(ValueError) as raised:
        replace(BASE, image="", memory="5m").create_kwargs()
    message = str(raised.value)
    assert message.startswith("image: Enter an image name")
    assert "; memory: Docker needs at least 6 MB of memory for a container." in message


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
    assert failed.value.message.endswith("The container c0ffeec0ffee is kept, stopped, so you can inspect it.")
    assert not any(call[0] == "remove_container" for call in api.calls)


def test_a_failed_container_that_cannot_be_removed_is_reported():
    api = FakeApi(start_error=RuntimeError("boom"), remove_error=RuntimeError("engine busy"))
    with pytest.raises(RunFailed) as failed:
        RunContainer(SPEC).run(api)
    assert failed.value.message.endswith(
        "Portside could not remove the container it had created (c0ffeec0ffee); remove it from Containers."
    )
    assert "boom" in failed.value.message  # the start error is not lost over the clean-up


def test_an_invalid_spec_never_reaches_the_engine():
    api = FakeApi()
    with pytest.raises(ValueError):
        RunContainer(replace(SPEC, memory="5m")).run(api)
    assert api.calls == []
