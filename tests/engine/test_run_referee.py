"""The referee: for every field of the Run dialog, the form's checks and the real `docker create` agree on what
is accepted. Docker accepts an input <=> the form shows no error for it (warnings are fine: Portside's own
safety rules, like publishing on every interface or a name set twice, are warnings with a reason).

Each row is the spec the form would hold for an input. Docker's side runs the spec's own argv (`docker run`
becomes `docker create`), or the raw flags a user would type where the form writes the input another way.
Rows marked START are refused by Docker only when the container starts (two rows binding one host port), so
those are started too. GPU rows: this engine has no NVIDIA runtime, so they stop at create, where the CLI parses
--gpus and the engine stores the request.
"""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass, field, replace

import pytest

from gui.core.run.checks import spec_problems
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec
from tests.engine import engine_helpers as eh

pytestmark = pytest.mark.engine

START = "start"


@dataclass(frozen=True)
class Row:
    field: str  # the Run dialog's field
    changes: dict  # RunSpec fields; "{port}"/"{port2}", "{name}", "{folder}", "{volume}" are filled in per run
    accepted: bool  # what Docker does (documents the row; the test compares with the real engine, not this)
    raw: tuple[str, ...] = ()  # docker flags a user types, where the spec's argv writes the input another way
    stage: str = "create"  # START: Docker refuses it only when the container starts
    note: str = ""  # "portside rule": a warning by design; anything else: why the row is there
    extra: dict = field(default_factory=dict)


def p(container: str, host: str = "{port}", protocol: str = "tcp", everywhere: bool = False) -> PortSpec:
    return PortSpec(container, host, protocol, everywhere)


def ports(*rows: PortSpec) -> dict:
    return {"ports": rows}


def env(*pairs: tuple[str, str]) -> dict:
    return {"env": tuple(EnvVar(name, value) for name, value in pairs)}


def labels(*pairs: tuple[str, str]) -> dict:
    return {"labels": pairs}


def mount(kind: str, source: str, target: str, read_only: bool = False) -> dict:
    return {"mounts": (MountSpec(kind, source, target, read_only),)}


RULE = "portside rule"
ROWS: list[Row] = [
    # --- ports ---
    Row("ports", ports(p("80")), True),
    Row("ports", ports(p("80", "")), True),
    Row("ports", ports(p("80", everywhere=True)), True, note=RULE),
    Row("ports", ports(p("80", "[::1]:{port}")), True, note="IPv6 address"),
    Row("ports", ports(p("80", "::1")), True, note="IPv6 address, random port"),
    Row("ports", ports(p("80", "[::1]")), True, note="IPv6 address in brackets, random port"),
    Row("ports", ports(p("80")), True, raw=("-p", "[::1]:{port}:80")),
    Row("ports", ports(p("80")), True, raw=("-p", "::1:{port}:80")),
    Row("ports", ports(p("80", "0.0.0.0:{port}")), True, note=RULE),
    Row("ports", ports(p("80", "192.168.1.5:{port}")), True),
    Row("ports", ports(p("80", "999.1.1.1:{port}")), False),
    Row("ports", ports(p("80", "localhost:{port}")), False),
    Row("ports", ports(p("80", "[fe80::1%eth0]:{port}")), False),
    Row("ports", ports(p("0")), True, note=RULE),
    Row("ports", ports(p("80", "0")), True),
    Row("ports", ports(p("70000")), False),
    Row("ports", ports(p("80", "70000")), False),
    Row("ports", ports(p("8010-8000", "")), False),
    Row("ports", ports(p("80-81", "6000-6010")), False),
    Row("ports", ports(p("80-81")), False),
    Row("ports", ports(p("8000-8002", "")), True),
    Row("ports", ports(p("80", "6000-6010")), True),
    Row("ports", ports(p("53", protocol="udp")), True),
    Row("ports", ports(p("53", protocol="sctp")), True),
    Row("ports", ports(p("53", protocol="xyz")), False),
    Row("ports", ports(p("abc")), False),
    Row("ports", ports(p("80", "abc")), False),
    Row("ports", ports(p("80"), p("81")), False, stage=START),
    Row("ports", ports(p("80"), p("81", "127.0.0.2:{port}")), True, stage=START),
    Row("ports", ports(p("80"), p("80", protocol="udp")), True, stage=START),
    Row("ports", ports(p("80"), p("81", "{port2}")), True, stage=START),
    Row("ports", ports(p("80", "[::1]:{port}"), p("81", "[::1]:{port}")), False, stage=START),
    Row("ports", {"publish_all": True}, True, note=RULE),
    # --- name ---
    Row("name", {"name": "ab{name}"}, True),
    Row("name", {"name": "1a{name}"}, True),
    Row("name", {"name": "a.b{name}"}, True),
    Row("name", {"name": "a_b-{name}"}, True),
    Row("name", {"name": "a"}, False),
    Row("name", {"name": "_ab{name}"}, False),
    Row("name", {"name": "-ab{name}"}, False),
    Row("name", {"name": "a b{name}"}, False),
    Row("name", {"name": "é1{name}"}, False),
    Row("name", {"name": "ab{name}\n"}, False, note="a trailing newline"),
    Row("name", {"name": "a/b{name}"}, False),
    # --- memory ---
    Row("memory", {"memory": "0"}, True, note="no limit"),
    Row("memory", {"memory": "0b"}, True),
    Row("memory", {"memory": "-0"}, True),
    Row("memory", {"memory": "6m"}, True),
    Row("memory", {"memory": "5m"}, False),
    Row("memory", {"memory": "6291455"}, False),
    Row("memory", {"memory": "1.5g"}, True),
    Row("memory", {"memory": "1gb"}, True),
    Row("memory", {"memory": "1GiB"}, True),
    Row("memory", {"memory": "1 g"}, True),
    Row("memory", {"memory": "1e9"}, True),
    Row("memory", {"memory": ".5g"}, True),
    Row("memory", {"memory": "-1g"}, False),
    Row("memory", {"memory": "1ib"}, False),
    Row("memory", {"memory": "abc"}, False),
    Row("memory", {"memory": "1x"}, False),
    # --- CPUs ---
    Row("cpus", {"cpus": "0"}, True, note="no limit"),
    Row("cpus", {"cpus": "0.0"}, True),
    Row("cpus", {"cpus": "0.001"}, True),
    Row("cpus", {"cpus": "0.000000001"}, True),
    Row("cpus", {"cpus": "0.0000000001"}, False, note="too precise"),
    Row("cpus", {"cpus": "1/3"}, False, note="too precise"),
    Row("cpus", {"cpus": "3/2"}, True),
    Row("cpus", {"cpus": "1.5"}, True),
    Row("cpus", {"cpus": ".5"}, True),
    Row("cpus", {"cpus": "1e0"}, True),
    Row("cpus", {"cpus": "+1"}, True),
    Row("cpus", {"cpus": "0x1"}, True),
    Row("cpus", {"cpus": "-1"}, False),
    Row("cpus", {"cpus": "x"}, False),
    Row("cpus", {"cpus": "1,5"}, False),
    Row("cpus", {"cpus": "{too_many_cpus}"}, False),
    Row("cpus", {"cpus": "0x1p-1"}, True, note="hex with a binary exponent"),
    Row("cpus", {"cpus": "0X1P-1"}, True),
    Row("cpus", {"cpus": "0x.8"}, True),
    Row("cpus", {"cpus": "0x1.8"}, True),
    Row("cpus", {"cpus": "0b1.1"}, True),
    Row("cpus", {"cpus": "0o.4"}, True),
    Row("cpus", {"cpus": "0o7e-1"}, True, note="octal with a decimal exponent"),
    Row("cpus", {"cpus": "1p0"}, True, note="decimal with a binary exponent"),
    Row("cpus", {"cpus": "5e-1"}, True),
    Row("cpus", {"cpus": "1.e-1"}, True),
    Row("cpus", {"cpus": "+.5"}, True),
    Row("cpus", {"cpus": "1.5_0"}, True),
    Row("cpus", {"cpus": "0_1"}, True),
    Row("cpus", {"cpus": "0e99999999"}, True, note="zero takes any exponent"),
    Row("cpus", {"cpus": "1/2"}, True),
    Row("cpus", {"cpus": "1/0x2"}, True),
    Row("cpus", {"cpus": "0x1/2"}, True),
    Row("cpus", {"cpus": "2/1_0"}, True),
    Row("cpus", {"cpus": "1/012"}, True, note="octal denominator: 1/10 (1/12 would be too precise)"),
    Row("cpus", {"cpus": "0x1p-30"}, False, note="too precise"),
    Row("cpus", {"cpus": "0x1.8e1"}, False, note="too precise: e is a hex digit"),
    Row("cpus", {"cpus": "1/0_7"}, False, note="too precise"),
    Row("cpus", {"cpus": "1e-1000000"}, False, note="too precise"),
    Row("cpus", {"cpus": "1_.5"}, False),
    Row("cpus", {"cpus": "0x_.8"}, False),
    Row("cpus", {"cpus": "1e_1"}, False),
    Row("cpus", {"cpus": "09/2"}, False, note="9 is no octal digit"),
    Row("cpus", {"cpus": "1/+2"}, False),
    Row("cpus", {"cpus": "1.5/2"}, False),
    Row("cpus", {"cpus": "0x1e-1"}, False),
    Row("cpus", {"cpus": "5e-10p1"}, False, note="two exponents"),
    Row("cpus", {"cpus": "1e1000001"}, False, note="Go's exponent limit"),
    Row("cpus", {"cpus": "0e9999999999999999999"}, False, note="the exponent overflows int64"),
    Row("cpus", {"cpus": "\u0661"}, False, note="an Arabic-Indic digit"),
    # --- shared memory ---
    Row("shm_size", {"shm_size": "0"}, True, note="the engine's default"),
    Row("shm_size", {"shm_size": "1"}, True),
    Row("shm_size", {"shm_size": "0.5"}, True),
    Row("shm_size", {"shm_size": "1g"}, True),
    Row("shm_size", {"shm_size": "1 g"}, True),
    Row("shm_size", {"shm_size": "-1"}, False),
    Row("shm_size", {"shm_size": "big"}, False),
    # --- volumes and binds ---
    Row("mounts", mount("bind", "{folder}", "/data"), True),
    Row("mounts", mount("bind", "{folder}", "/data", read_only=True), True),
    Row("mounts", mount("bind", "{folder}", "/work, with a comma"), True),
    Row("mounts", mount("bind", "relative", "/data"), False),
    Row("mounts", mount("volume", "{volume}", "/cache"), True),
    Row("mounts", mount("volume", "", "/data"), True, note="anonymous volume"),
    Row("mounts", mount("volume", "", "/data"), True, raw=("-v", "/data")),
    Row("mounts", mount("volume", "a", "/data"), False),
    Row("mounts", mount("volume", "/abs", "/data"), False),
    Row("mounts", mount("volume", "a b", "/data"), False),
    Row("mounts", mount("volume", "_ab", "/data"), False),
    Row("mounts", mount("volume", "{volume}", "/"), False),
    Row("mounts", mount("volume", "{volume}", "rel"), False),
    Row(
        "mounts",
        {"mounts": (MountSpec("volume", "{volume}", "/x"), MountSpec("bind", "{folder}", "/x"))},
        False,
    ),
    # --- environment ---
    Row("env", env(("A", "1")), True),
    Row("env", env(("A", "")), True),
    Row("env", env(("A", "two\nlines")), True),
    Row("env", env(("", "x")), False),
    Row("env", env(("=B", "x")), False),
    Row("env", env(("A B", "1")), True, note=RULE),
    Row("env", env((" A", "1")), True, note=RULE),
    Row("env", env(("A=B", "C")), True, note=RULE),
    Row("env", env(("A", "1"), ("A", "2")), True, note=RULE),
    Row("env", env(("1ABC", "x")), True, note=RULE),
    Row("env", env(("é", "x")), True, note=RULE),
    # --- labels ---
    Row("labels", labels(("com.example.role", "web")), True),
    Row("labels", labels(("a", "")), True),
    Row("labels", labels(("", "x")), False),
    Row("labels", labels(("a b", "1")), False),
    Row("labels", labels(("a\tb", "1")), False),
    Row("labels", labels((" a", "1")), True),
    Row("labels", labels(("a", "1"), ("a", "2")), True, note=RULE),
    Row("labels", labels(("a=b", "c")), True, note=RULE),
    Row("labels", labels(("é", "1")), True),
    # --- restart policy ---
    Row("restart", {"restart": "no"}, True),
    Row("restart", {"restart": "always"}, True),
    Row("restart", {"restart": "unless-stopped"}, True),
    Row("restart", {"restart": "on-failure", "restart_max_retries": 3}, True),
    Row("restart", {"restart": "on-failure"}, True, raw=("--restart", "on-failure:0")),
    Row("restart", {"restart": "no", "restart_max_retries": 1}, False, raw=("--restart", "no:1")),
    Row("restart", {"restart": "always", "restart_max_retries": 2}, False, raw=("--restart", "always:2")),
    Row("restart", {"restart": "on-failure", "restart_max_retries": -1}, False),
    Row("restart", {"restart": "bogus"}, False),
    Row("restart", {"restart": "always", "auto_remove": True}, False),
    Row("restart", {"restart": "no", "auto_remove": True}, True),
    # --- user ---
    Row("user", {"user": "1000:1000"}, True),
    Row("user", {"user": "app"}, True),
    Row("user", {"user": "a:"}, True),
    Row("user", {"user": ":a"}, True),
    Row("user", {"user": "a b"}, True, note=RULE),
    Row("user", {"user": " a"}, True, note=RULE),
    # --- working dir ---
    Row("workdir", {"workdir": "/srv/app"}, True),
    Row("workdir", {"workdir": "/a b"}, True),
    Row("workdir", {"workdir": "/"}, True),
    Row("workdir", {"workdir": "rel"}, False),
    Row("workdir", {"workdir": "~"}, False),
    Row("workdir", {"workdir": " /a"}, False),
    # --- GPU requests (the CLI's parse and the engine's create; no NVIDIA runtime here) ---
    Row("gpus", {"gpus": GpuSpec(GpuMode.ALL), "shm_size": "1g"}, True),
    Row("gpus", {"gpus": GpuSpec(GpuMode.COUNT, count=2), "shm_size": "1g"}, True),
    Row("gpus", {"gpus": GpuSpec(GpuMode.COUNT, count=0), "shm_size": "1g"}, True, note=RULE),
    Row("gpus", {"gpus": GpuSpec(GpuMode.CHOSEN, device_ids=("0", "GPU-4a7c")), "shm_size": "1g"}, True),
    Row("gpus", {"gpus": GpuSpec(GpuMode.CHOSEN), "shm_size": "1g"}, True, note=RULE),
    Row("gpus", {"gpus": GpuSpec(GpuMode.ALL, capabilities=("magic",)), "shm_size": "1g"}, True, note=RULE),
    Row("gpus", {"gpus": GpuSpec(GpuMode.ALL, capabilities=("compat32",)), "shm_size": "1g"}, True),
    Row("gpus", {"gpus": GpuSpec(GpuMode.ALL)}, True, note=RULE),  # the /dev/shm advice
    # --- privileged ---
    Row("privileged", {"privileged": True}, True, note=RULE),
]


def _fill(value, values: dict[str, str]):
    if isinstance(value, str):
        for key, text in values.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, tuple):
        return tuple(_fill(item, values) for item in value)
    if isinstance(value, (PortSpec, EnvVar, MountSpec)):
        return replace(value, **{name: _fill(getattr(value, name), values) for name in value.__dataclass_fields__})
    return value


def _docker_accepts(docker_cli, argv: list[str], start: bool) -> tuple[bool, str]:
    created = docker_cli("create", *argv, check=False)
    if created.returncode != 0:
        return False, created.stderr.strip().splitlines()[-1] if created.stderr.strip() else "refused"
    if start:
        started = docker_cli("start", created.stdout.strip(), check=False)
        if started.returncode != 0:
            return False, started.stderr.strip()
    return True, ""


def test_the_form_and_docker_create_agree_on_every_input(
    docker_client, docker_cli, busybox_image, test_labels, tmp_path
):
    assert len(ROWS) >= 100
    cpus = docker_client.info()["NCPU"]
    volume = docker_client.volumes.create(f"portside-referee-{test_labels[eh.CASE_LABEL]}", labels=test_labels)
    label_flags = [word for key, value in test_labels.items() for word in ("--label", f"{key}={value}")]
    disagreements, rules = [], 0
    for index, row in enumerate(ROWS):
        values = {
            "port": str(eh.free_port()),
            "port2": str(eh.free_port()),
            "name": f"-referee-{uuid.uuid4().hex[:8]}",
            "folder": str(tmp_path),
            "volume": volume.name,
            "too_many_cpus": str(cpus + 1),
        }
        spec = RunSpec(busybox_image, **{key: _fill(value, values) for key, value in row.changes.items()})
        spec = replace(spec, labels=spec.labels + tuple(test_labels.items()))
        problems = spec_problems(spec, cpus)
        errors = [problem.message for problem in problems if not problem.warning]
        raw = [*label_flags, *_fill(row.raw, values), busybox_image]
        argv = raw if row.raw else spec.argv(reveal_secrets=True)[3:]
        accepted, why = _docker_accepts(docker_cli, argv, row.stage == START)
        if row.note == RULE:
            rules += 1
            assert any(problem.warning for problem in problems), f"row {index}: a Portside rule needs its warning"
        if accepted != (not errors):
            disagreements.append(f"row {index} {row.field} {row.changes}: docker {accepted} ({why}); form {errors}")
        elif accepted != row.accepted:
            disagreements.append(
                f"row {index} {row.field}: the table says accepted={row.accepted}, both say {accepted}"
            )
    print(f"\nreferee: {len(ROWS)} inputs, {rules} Portside rules (warnings), {len(disagreements)} disagreements")
    for line in disagreements:
        print("  " + line)
    assert disagreements == []


def test_the_cli_refuses_a_gpu_request_the_form_cannot_write(docker_cli, busybox_image):
    """Every GPU request the form can hold is one the CLI parses (the rows above); what it refuses, like
    `--gpus foo`, the form cannot write. This also shows the referee's docker side can say no."""
    result = docker_cli("create", "--gpus", "foo", busybox_image, check=False)
    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode != 0


# Inputs the form used to refuse: through docker-py and through the shown command they make the same container.
NEWLY_ACCEPTED = {
    "ipv6": RunSpec("", ports=(PortSpec("80", "[::1]:{port}"), PortSpec("81", "::1"), PortSpec("82", "10.0.0.2:"))),
    "anonymous_volume": RunSpec("", mounts=(MountSpec("volume", "", "/data"),)),
    "zero_limits": RunSpec("", memory="0", cpus="0", shm_size="0"),
    "fine_cpus": RunSpec("", cpus="0.001"),
    "label_key_spaces": RunSpec("", labels=((" spaced ", "x"),)),
}


@pytest.mark.parametrize("case", sorted(NEWLY_ACCEPTED))
def test_api_and_cli_agree_on_what_the_form_now_accepts(case, docker_client, docker_cli, busybox_image, test_labels):
    from tests.engine.test_run_agreement import created_through_api, created_through_cli, settings

    template = NEWLY_ACCEPTED[case]
    spec = replace(
        template,
        image=busybox_image,
        ports=_fill(template.ports, {"port": str(eh.free_port())}),
        labels=template.labels + tuple(test_labels.items()),
    )
    assert spec.errors == [], spec.errors
    assert settings(created_through_api(docker_client, spec)) == settings(
        created_through_cli(docker_client, docker_cli, spec)
    )
