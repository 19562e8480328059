"""The spec writes what the form now accepts the way Docker reads it (issue 16): IPv6 and other addresses in
port mappings, anonymous volumes, label names, and odd inspect data read back without a traceback."""

from __future__ import annotations

import pytest

from gui.core.run.checks import spec_problems
from gui.core.run.spec import (
    NANO_CPUS_MAX,
    MountSpec,
    PortSpec,
    RunSpec,
    is_cpus_number,
    parse_cpus,
    parse_size,
    split_host,
)


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


# Found: the form refused forms the docker CLI reads (Go's big.Rat.SetString: hex, octal and binary mantissas with a
# point, binary "p" exponents, octal fractions) and read "010/16" as 10/16. Each verdict below was checked against
# `docker create --cpus` (CLI 28.2, Go 1.24); tests/engine/test_run_referee.py keeps checking a sample of them.
@pytest.mark.parametrize(
    ("text", "nano"),
    [
        ("0x1p-1", 500_000_000),
        ("0X1P-1", 500_000_000),
        ("+0x1p-1", 500_000_000),
        ("-0x1p-1", -500_000_000),
        ("0x.8", 500_000_000),
        ("0x1.8", 1_500_000_000),
        ("0x1.p0", 1_000_000_000),
        ("0x1p+1", 2_000_000_000),
        ("0x1e1", 481 * 10**9),  # e is a hex digit, not an exponent
        ("0x_1", 10**9),
        ("0b1.1", 1_500_000_000),
        ("0b1e1", 10 * 10**9),  # a binary mantissa takes a decimal exponent
        ("0o.4", 500_000_000),
        ("0o7e-1", 700_000_000),
        ("1p0", 10**9),  # a decimal mantissa takes a binary exponent
        ("1.5p1", 3 * 10**9),
        ("5e-1", 500_000_000),
        ("5E-1", 500_000_000),
        ("1.e-1", 100_000_000),
        ("+.5", 500_000_000),
        ("1_0.5", 10_500_000_000),
        ("1.5_0", 1_500_000_000),
        ("1e+0_1", 10 * 10**9),
        ("07", 7 * 10**9),  # a leading 0 is no octal prefix in a number with a point or exponent
        ("010", 10 * 10**9),
        ("08", 8 * 10**9),
        ("0_1", 10**9),
        ("-0", 0),
        ("0e99999999", 0),  # zero with any exponent Go can read
        ("1/2", 500_000_000),
        ("+1/2", 500_000_000),
        ("-1/2", -500_000_000),
        ("0x1/2", 500_000_000),
        ("1/0x2", 500_000_000),
        ("2/1_0", 200_000_000),
        ("010/16", 500_000_000),  # in a fraction a leading 0 is the octal prefix: 8/16
        ("1/010", 125_000_000),
        ("0_7/7", 10**9),
    ],
)
def test_cpus_in_every_form_the_cli_reads(text, nano):
    assert is_cpus_number(text) and parse_cpus(text) == nano


@pytest.mark.parametrize(
    "text",
    ["0.0000000001", "1/3", "0x1p-30", "1e-10", "1/0_7", "0x1.8e1", "0x1.8p-1_0", "1e-1000000", "0x1p-10000000"],
)
def test_cpus_finer_than_a_billionth_are_too_precise(text):
    assert is_cpus_number(text) and parse_cpus(text) is None


@pytest.mark.parametrize(
    "text",
    [
        *("1__0", "0x1__0", "_1", "1_", "1._5", "1_.5", "0_.5", "0x_.8", "1_e1", "1e_1", "1e-9_"),  # separators
        *("1/0", "1/-2", "1/+2", "1.5/2", "1/2e1", "09/2", "08/1", "1/08", "1/_1", "1/1_", "/2", "1/"),  # fractions
        *(".", "0x", "0x.", "0xp0", "0xp-1", "0x1p", "1e", "1e+", "0.5e", ".e1", "+", "+-1", "1.2.3"),  # parts missing
        *("0x1e-1", "5e-10p1", "1e0p0"),  # one exponent at most
        *("1e1000001", "1e-1000001", "0x1p10000001", "0x1p-10000001", "0e9999999999999999999"),  # Go's limits
        *("", "Inf", "NaN", "1.5x", "1,5", "\u0661", "\uff12"),  # not numbers; digits other than ASCII ones
    ],
)
def test_cpus_the_cli_refuses(text):
    assert not is_cpus_number(text) and parse_cpus(text) is None


@pytest.mark.parametrize("text", ["1e10", "1E1_000_000", "0x1p10000000", "9223372036854775808e-9"])
def test_cpus_beyond_what_docker_can_hold_are_kept_beyond_it(text):
    """The CLI keeps nano CPUs in an int64 and silently wraps larger values (1e1000000 becomes "no limit"); the
    form keeps them beyond NANO_CPUS_MAX so its checks refuse them. Large exponents are read at once."""
    assert parse_cpus(text) > NANO_CPUS_MAX
    assert parse_cpus("-" + text) < -NANO_CPUS_MAX
    assert parse_cpus("9223372036854775807e-9") == NANO_CPUS_MAX


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


def test_a_cpu_limit_docker_cannot_hold_is_refused_for_any_engine():
    """Found: with a remote engine (its CPU count unknown) 1e10 CPUs passed the checks, and the engine call then
    failed on a number beyond Docker's int64 (the CLI wraps it round instead)."""
    problems = spec_problems(RunSpec("app", cpus="1e10"), None)
    assert [(p.field, p.message) for p in problems] == [
        ("cpus", "That is more CPUs than Docker can count. Enter a number like 1.5, or leave it empty for no limit.")
    ]
    assert spec_problems(RunSpec("app", cpus="0x1p-1"), None) == []
