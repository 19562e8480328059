"""The spec writes what the form now accepts the way Docker reads it (issue 16): IPv6 and other addresses in
port mappings, anonymous volumes, label names, and odd inspect data read back without a traceback."""

from __future__ import annotations

import pytest

from gui.core.run.spec import MountSpec, PortSpec, RunSpec, cpus_value, parse_cpus, parse_size, split_host


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("5000", (None, "5000")),
        ("", (None, "")),
        ("[::1]:8080", ("::1", "8080")),
        ("[::1]", ("::1", "")),
        ("::1", ("::1", "")),
        ("192.168.1.5:5000", ("192.168.1.5", "5000")),
        ("192.168.1.5", ("192.168.1.5", "")),
        ("localhost:5000", ("localhost", "5000")),  # an address the checks refuse
    ],
)
def test_split_host(host, expected):
    assert split_host(host) == expected


@pytest.mark.parametrize(
    ("row", "published", "binding"),
    [
        (PortSpec("80", "[::1]:8080"), "[::1]:8080:80", {"HostIp": "::1", "HostPort": "8080"}),
        (PortSpec("80", "::1"), "[::1]::80", {"HostIp": "::1", "HostPort": ""}),
        (PortSpec("80", "10.0.0.2:5000"), "10.0.0.2:5000:80", {"HostIp": "10.0.0.2", "HostPort": "5000"}),
        (PortSpec("80", "5000"), "127.0.0.1:5000:80", {"HostIp": "127.0.0.1", "HostPort": "5000"}),
    ],
)
def test_an_address_in_the_host_field_is_published_on(row, published, binding):
    spec = RunSpec("web", ports=(row,))
    argv = spec.argv()
    assert argv[argv.index("-p") + 1] == published
    assert spec.host_config_kwargs()["port_bindings"] == {"80/tcp": [binding]}


def test_an_anonymous_volume_has_no_source():
    spec = RunSpec("web", mounts=(MountSpec("volume", "", "/data"),))
    assert spec.errors == []
    assert spec.argv()[spec.argv().index("--mount") + 1] == "type=volume,target=/data"
    assert spec.host_config_kwargs()["mounts"] == [
        {"Type": "volume", "Source": "", "Target": "/data", "ReadOnly": False}
    ]


def test_a_label_name_is_trimmed_as_the_cli_does():
    spec = RunSpec("web", labels=((" role ", "web"),))
    assert spec.create_kwargs()["labels"] == {"role": "web"}
    assert "role=web" in spec.argv()


@pytest.mark.parametrize(
    ("text", "size"),
    [("0", 0), ("-0", 0), ("1 g", 1024**3), ("1e9", 10**9), ("1.g", 1024**3), ("0x1p4", 16), (" 1g ", 1024**3)],
)
def test_sizes_the_cli_reads(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["-1", "1ib", "1kbb", "inf", "nan", "1_0", "g", "1x"])
def test_sizes_the_cli_refuses(text):
    assert parse_size(text) is None


@pytest.mark.parametrize(
    ("text", "nano"),
    [("0.001", 10**6), ("0.000000001", 1), ("3/2", 1_500_000_000), ("0x2", 2 * 10**9), ("1_0", 10 * 10**9)],
)
def test_cpus_the_cli_reads(text, nano):
    assert parse_cpus(text) == nano


@pytest.mark.parametrize("text", ["0.0000000001", "1/3"])
def test_cpus_finer_than_a_billionth_are_too_precise(text):
    assert cpus_value(text) is not None and parse_cpus(text) is None


@pytest.mark.parametrize("text", ["1__0", "1/0", "Inf", "1.5x", "1,5", ""])
def test_cpus_the_cli_refuses(text):
    assert cpus_value(text) is None


def test_a_port_on_one_address_reads_back_with_it():
    bindings = {"80/tcp": [{"HostIp": "::1", "HostPort": "8080"}], "81/tcp": [{"HostIp": "10.0.0.2", "HostPort": ""}]}
    spec = RunSpec.from_inspect({"Config": {"Image": "web"}, "HostConfig": {"PortBindings": bindings}})
    assert set(spec.ports) == {PortSpec("80", "[::1]:8080"), PortSpec("81", "10.0.0.2")}


ODD_INSPECT = [
    {"Config": None, "HostConfig": "x"},
    {"Config": {"Env": [5, None, "A=1"], "Labels": [1], "Cmd": "sh", "Entrypoint": 3}},
    {"HostConfig": {"PortBindings": {"abc/tcp": [{}], "80/tcp": ["junk", {"HostPort": 5}]}}},
    {"HostConfig": {"RestartPolicy": {"MaximumRetryCount": "x"}, "Memory": "big", "NanoCpus": [], "ShmSize": "1"}},
    {"HostConfig": {"Mounts": [5, {"Type": "volume"}], "Binds": [7, "a:/b:ro"], "DeviceRequests": [{"Count": "x"}]}},
    {"HostConfig": {"DeviceRequests": [5, {"Capabilities": "gpu", "DeviceIDs": [0]}]}},
]


@pytest.mark.parametrize("inspected", ODD_INSPECT)
def test_odd_inspect_data_gives_a_spec_never_a_traceback(inspected):
    spec = RunSpec.from_inspect(inspected, {"Config": {"Env": 5}})
    spec.problems(host_cpus=4)  # the form shows what is wrong
    spec.argv()


@pytest.mark.parametrize(
    "saved",
    [
        {"labels": 7, "gpus": {"mode": ["x"], "device_ids": 5, "capabilities": "compute"}},
        {"ports": "80", "env": 5, "mounts": [None, 3]},
        {"memory": 5, "cpus": 1.5, "restart_max_retries": "x"},
    ],
)
def test_odd_saved_settings_give_a_spec_never_a_traceback(saved):
    spec = RunSpec.from_dict({"image": "web", **saved})
    spec.problems(host_cpus=4)
    spec.argv()
