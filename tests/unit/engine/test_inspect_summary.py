"""gui.core.engine.inspect_summary against payloads saved from a real engine (tests/fakes)."""

import json
from pathlib import Path

import pytest

from gui.core.engine.inspect_summary import (
    MASK,
    HistoryRow,
    container_summary,
    history_rows,
    history_sizes,
    image_summary,
    is_secret_name,
    mask_env,
    masked_payload,
    parse_timestamp,
)

FAKES = Path(__file__).parents[2] / "fakes"
SECRET_VALUE = "abc123"  # the container fixture was run with -e API_TOKEN=abc123


def _load(name: str):
    return json.loads((FAKES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def container():
    return _load("inspect_container.json")


@pytest.fixture(scope="module")
def image():
    return _load("inspect_image.json")


@pytest.fixture(scope="module")
def history():
    return _load("image_history.json")


def _section(sections, title):
    return dict(sections)[title]


def _values(rows, field):
    return [value for key, value in rows if key == field]


# -- secrets ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "API_TOKEN",
        "HF_TOKEN",
        "api_key",
        "apiKey",
        "AWS_SECRET_ACCESS_KEY",
        "DB_PASSWORD",
        "MYSQL_ROOT_PASSWD",
        "GOOGLE_CREDENTIALS",
        "api-key",
        "Secret",
    ],
)
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["PATH", "MONKEY", "KEYBOARD_LAYOUT", "TOKENIZER", "HOME", ""])
def test_ordinary_names(name):
    assert not is_secret_name(name)


def test_mask_env():
    assert mask_env("API_TOKEN=abc123") == f"API_TOKEN={MASK}"
    assert mask_env("GREETING=hello") == "GREETING=hello"
    assert mask_env("PASSWORD=a=b") == f"PASSWORD={MASK}"
    assert mask_env("NO_EQUALS_SIGN") == "NO_EQUALS_SIGN"
    assert mask_env("TOKEN=") == "TOKEN="  # empty is shown: it says "unset"


def test_masked_payload_leaves_the_original_alone(container):
    masked = masked_payload(container)
    assert SECRET_VALUE not in json.dumps(masked)
    assert f"API_TOKEN={MASK}" in masked["Config"]["Env"]
    assert "API_TOKEN=abc123" in container["Config"]["Env"]


# -- containers ---------------------------------------------------------------


def test_container_general(container):
    general = _section(container_summary(container), "General")
    assert _values(general, "Name") == ["portside-inspect-dev"]
    assert _values(general, "ID") == [container["Id"][:12]]
    assert _values(general, "Image") == ["portside-dev/inspect:1"]
    assert _values(general, "State") == ["running"]
    assert _values(general, "Finished at") == ["—"]  # docker's zero time means "never"


def test_exited_state_explains_exit_code():
    payload = {"State": {"Status": "exited", "ExitCode": 137, "OOMKilled": True}}
    general = _section(container_summary(payload), "General")
    assert _values(general, "State") == [
        "Exited (137): stopped by force (SIGKILL, exit code 137), often because it ignored the polite stop "
        "signal or ran out of memory."
    ]
    assert _values(general, "Out of memory")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("exited", 0, "Exited (0): it finished normally: exit code 0 means success."),
        ("exited", 143, "Exited (143): stopped politely (SIGTERM, exit code 143)"),
        ("exited", 127, "Exited (127): command not found (exit code 127)"),
        ("dead", 3, "Dead (3): exit code 3 is the program's own error code"),
    ],
)
def test_stopped_state_says_what_the_exit_code_means(status, code, expected):
    general = _section(container_summary({"State": {"Status": status, "ExitCode": code}}), "General")
    assert _values(general, "State")[0].startswith(expected)


def test_running_state_has_no_exit_code():
    # A running container reports ExitCode 0, which says nothing yet.
    general = _section(container_summary({"State": {"Status": "running", "ExitCode": 0}}), "General")
    assert _values(general, "State") == ["running"]


def test_container_command(container):
    command = _section(container_summary(container), "Command")
    assert _values(command, "Command") == ["sleep 300"]


def test_published_port_line(container):
    network = _section(container_summary(container), "Network")
    assert _values(network, "Published port") == ["127.0.0.1:18080 -> 80/tcp"]
    assert _values(network, "IP address") == ["172.17.0.2"]
    assert _values(network, "Networks") == ["bridge"]


def test_stopped_container_falls_back_to_configured_ports(container):
    stopped = dict(container, NetworkSettings={"Ports": {}})
    network = _section(container_summary(stopped), "Network")
    assert _values(network, "Published port") == ["127.0.0.1:18080 -> 80/tcp"]


def test_mount_is_read_only(container):
    assert _section(container_summary(container), "Mounts") == [("bind", "/tmp -> /data (ro)")]


def test_environment_is_masked(container):
    summary = container_summary(container)
    environment = dict(_section(summary, "Environment"))
    assert environment["API_TOKEN"] == MASK
    assert environment["GREETING"] == "hello"
    assert SECRET_VALUE not in repr(summary)


def test_resources(container):
    resources = dict(_section(container_summary(container), "Resources"))
    assert resources["Memory limit"] == "no limit"
    assert resources["Shared memory"] == "64.0 MiB"
    assert resources["Restart policy"] == "no"


def test_limits_and_gpus():
    payload = {
        "HostConfig": {
            "Memory": 2 * 1024**3,
            "NanoCpus": 1_500_000_000,
            "DeviceRequests": [{"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}],
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3},
        }
    }
    resources = dict(_section(container_summary(payload), "Resources"))
    assert resources["Memory limit"] == "2.0 GiB"
    assert resources["CPUs"] == "1.5"
    assert resources["GPUs"] == "all (nvidia)"
    assert resources["Restart policy"] == "on-failure:3"


def test_container_labels(container):
    assert _section(container_summary(container), "Labels") == [("x", "y")]


# -- images -------------------------------------------------------------------


def test_image_general(image):
    general = dict(_section(image_summary(image), "General"))
    assert general["Tags"] == "portside-dev/inspect:1"
    assert general["ID"] == image["Id"].split(":")[1][:12]
    assert general["Platform"] == "linux/amd64"
    assert f"{image['Size']:,} bytes" in general["Size"]


def test_image_config(image):
    summary = image_summary(image)
    config = dict(_section(summary, "Config"))
    assert config["Command"] == "sh"
    assert config["Exposed ports"] == "80/tcp"
    assert dict(_section(summary, "Environment"))["A"] == "1"
    assert _section(summary, "Labels") == [("x", "y")]


def test_image_environment_is_masked(image):
    payload = masked_payload(image)  # a copy we may change
    payload["Config"]["Env"].append("HF_TOKEN=abc123")
    assert SECRET_VALUE not in repr(image_summary(payload))


# -- history ------------------------------------------------------------------


def test_history_commands_are_cleaned(history):
    commands = [row[1] for row in history_rows(history)]
    assert commands[0] == 'CMD ["sh"]'
    assert "EXPOSE 80" in commands
    assert "/bin/busybox --install -s /bin" in commands
    assert not any(command.startswith("/bin/sh -c") for command in commands)


def test_history_sizes(history):
    rows = history_rows(history)
    assert len(rows) == len(history)
    assert all(len(row.cells) == 4 for row in rows)
    assert rows[0].size == "0 B"
    assert rows[-1].size == "1.9 MiB"
    assert history_sizes(history) == [layer["Size"] for layer in history]
    assert [row.size_bytes for row in rows] == [layer["Size"] for layer in history]


def test_history_rows_are_not_converted_twice(history):
    """The image window converts what it is given; rows a caller already made must survive that."""
    rows = history_rows(history)
    assert history_rows(rows) == rows
    assert history_sizes(rows) == [layer["Size"] for layer in history]


def test_history_created_is_relative(history):
    created = history[0]["Created"]
    assert history_rows(history, now=created + 3 * 3600)[0][0] == "3 hours ago"


# -- odd payloads -------------------------------------------------------------


def test_empty_payloads_do_not_raise():
    container_titles = [title for title, _ in container_summary({})]
    assert container_titles == ["General", "Command", "Network", "Mounts", "Environment", "Resources", "Labels"]
    assert [title for title, _ in image_summary({})] == ["General", "Config", "Environment", "Labels"]
    assert history_rows([]) == []
    assert history_rows([{}]) == [HistoryRow("—", "", "—", "", None)]


def test_null_values_do_not_raise():
    payload = {
        "State": None,
        "Config": None,
        "HostConfig": None,
        "NetworkSettings": None,
        "Mounts": None,
        "RepoTags": None,
    }
    assert container_summary(payload)
    assert image_summary(payload)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        ("not a time", None),
        (None, None),
        (1_700_000_000, 1_700_000_000.0),
        ("2023-11-14T22:13:20.123456789Z", pytest.approx(1_700_000_000.123456)),
    ],
)
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


# -- secrets the name alone does not give away ---------------------------------


def test_summaries_mask_secrets_by_name_and_shape_in_every_field(container, image):
    """Found: GITHUBTOKEN, MY_PASS and DATABASE_URL's password showed in the inspect summaries."""
    token = "ghp_R4nd0mL00k1ngT0k3nW1thDigits0123456"
    config = {
        **container["Config"],
        "Env": ["GITHUBTOKEN=plain-but-secret", "MY_PASS=hunter22", "DATABASE_URL=postgres://app:pg-s3cret@db/x"],
        "Cmd": ["serve", "--token", token],
        "Labels": {"deploy.api_key": "k-123", "version": "1.0"},
    }
    sections = container_summary({**container, "Config": config})
    environment = dict(_section(sections, "Environment"))
    assert environment == {"GITHUBTOKEN": MASK, "MY_PASS": MASK, "DATABASE_URL": f"postgres://app:{MASK}@db/x"}
    assert _values(_section(sections, "Command"), "Command") == [f"serve --token {MASK}"]
    assert dict(_section(sections, "Labels")) == {"deploy.api_key": MASK, "version": "1.0"}
    image_sections = image_summary({**image, "Config": {**image["Config"], "Env": config["Env"]}})
    assert dict(_section(image_sections, "Environment"))["MY_PASS"] == MASK


def test_history_steps_mask_build_argument_secrets():
    rows = history_rows(
        [
            {"CreatedBy": "|1 GITHUBTOKEN=plain-but-secret /bin/sh -c pip install x", "Size": 1},
            {"CreatedBy": "/bin/sh -c #(nop)  ENV DATABASE_URL=postgres://app:pg-s3cret@db/x", "Size": 0},
        ]
    )
    assert rows[0].created_by == f"|1 GITHUBTOKEN={MASK} /bin/sh -c pip install x"
    assert rows[1].created_by == f"ENV DATABASE_URL=postgres://app:{MASK}@db/x"
