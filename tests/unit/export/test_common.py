"""`differences` compares runs by what they do, in sentences a user reads, and never shows a secret's value."""

from __future__ import annotations

import pytest

from gui.core.export.common import can_reference, differences, reference, secret_env_names, size_text
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec

SECRET = "hf_abcdefghijklmnopqrstuvwxyzABCDEF12"
BASE = RunSpec(
    "python:3.11",
    command="python -m http.server 80",
    ports=(PortSpec("80", "5000"), PortSpec("53", "5353", "udp")),
    env=(EnvVar("MODE", "prod"), EnvVar("HF_TOKEN", SECRET)),
    mounts=(MountSpec("volume", "models", "/models"),),
    memory="512m",
    cpus="1.5",
    labels=(("team", "ml"),),
)


def with_(**changes) -> RunSpec:
    from dataclasses import replace

    return replace(BASE, **changes)


def test_a_spec_agrees_with_itself():
    assert differences(BASE, BASE) == []


@pytest.mark.parametrize(
    ("changes", "same_as"),
    [
        ({"memory": "536870912"}, "512m is 536870912 bytes"),
        ({"memory": "0.5g"}, "half a gigabyte is 512m"),
        ({"cpus": "3/2"}, "the CLI reads 3/2 as 1.5"),
        ({"command": 'python -m "http.server" 80'}, "the same words, quoted otherwise"),
        ({"ports": (PortSpec("53", "5353", "udp"), PortSpec("80", "127.0.0.1:5000"))}, "order and 127.0.0.1"),
        ({"env": (EnvVar("MODE", "prod"), EnvVar("HF_TOKEN", "${HF_TOKEN}"))}, "a secret as its reference"),
        ({"restart": "no"}, "no is the default"),
    ],
)
def test_settings_that_do_the_same_agree(changes, same_as):
    assert differences(BASE, with_(**changes)) == [], same_as


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"memory": "1g"}, 'Memory limit: "512m" became "1g".'),
        ({"cpus": ""}, 'CPU limit: "1.5" became none.'),
        ({"image": "python:3.12"}, 'Image: "python:3.11" became "python:3.12".'),
        ({"restart": "on-failure", "restart_max_retries": 3}, 'Restart policy: "no" became "on-failure:3".'),
        (
            {"ports": (PortSpec("80", "5000", all_interfaces=True), BASE.ports[1])},
            "Port 127.0.0.1:5000 -> 80/tcp is missing.",
        ),
        ({"ports": BASE.ports[:1]}, "Port 127.0.0.1:5353 -> 53/udp is missing."),
        ({"env": BASE.env[1:]}, "Environment variable MODE is missing."),
        ({"env": (EnvVar("MODE", "dev"), BASE.env[1])}, 'Environment variable MODE: "prod" became "dev".'),
        (
            {"mounts": (MountSpec("volume", "models", "/models", True),)},
            "Mount of volume models at /models is missing.",
        ),
        ({"gpus": GpuSpec(GpuMode.COUNT, count=2)}, "GPUs: none became 2 (compute, utility)."),
        ({"auto_remove": True}, "Removed when it stops (--rm): off became on."),
        ({"labels": (("team", "web"),)}, "Label team has another value."),
    ],
)
def test_each_lost_setting_is_named_in_a_sentence(changes, sentence):
    assert sentence in differences(BASE, with_(**changes))


def test_a_secret_that_does_not_come_back_is_named_without_its_value():
    found = differences(BASE, with_(env=(BASE.env[0], EnvVar("HF_TOKEN", "something else"))))

    assert found == ["Environment variable HF_TOKEN (a secret) does not read back as ${HF_TOKEN}."]


def test_gpus_agree_by_mode_count_devices_and_capabilities_in_any_order():
    chosen = GpuSpec(GpuMode.CHOSEN, device_ids=("0", "1"), capabilities=("utility", "compute"))
    assert differences(with_(gpus=chosen), with_(gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "1")))) == []
    assert differences(with_(gpus=chosen), with_(gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("1",)))) == [
        "GPUs: devices 0,1 (utility, compute) became devices 1 (compute, utility)."
    ]


def test_the_helpers_other_formats_share():
    assert reference("HF_TOKEN") == "${HF_TOKEN}"
    assert can_reference("HF_TOKEN") and not can_reference("my.token") and not can_reference("1X")
    assert secret_env_names(BASE) == ("HF_TOKEN",)
    assert [size_text(n) for n in (0, 1000, 1024, 512 * 1024**2, 2 * 1024**3)] == ["", "1000", "1k", "512m", "2g"]
