"""RunSpec's checks: a bad input is an error next to its field, in the user's words; a risky one is a warning that
does not block the run. Also the parsing of sizes and CPU counts and the suggested container names.

The outputs are in test_spec_outputs.py, the saved and inspected forms in test_spec_round_trip.py."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, parse_cpus, parse_size, suggest_name
from tests.unit.run.spec_examples import BASE, bind, port, volume

HOST_CPUS = 4

# --- checks ----------------------------------------------------------------------------------------------

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
    ({"restart": "sometimes"}, "restart", None, "no, on-failure, always or unless-stopped"),
    ({"auto_remove": True, "restart": "always"}, "restart", None, "cannot combine --rm with a restart policy"),
    ({"restart": "on-failure", "restart_max_retries": -1}, "restart", None, "cannot be negative"),
    ({"restart": "always", "restart_max_retries": 3}, "restart", None, "only with the on-failure policy"),
    ({"ports": (port("80", "65536"),)}, "ports", 0, "Port 65536 is too high"),
    ({"ports": (port("abc"),)}, "ports", 0, '"abc" is not a port'),
    ({"ports": (port(""),)}, "ports", 0, "Enter the container port"),
    ({"ports": (port("80-81", "8000-8010"),)}, "ports", 0, "has 11 ports but the container range 80-81 has 2"),
    ({"ports": (port("8010-8000"),)}, "ports", 0, "goes backwards. Write the lower port first: 8000-8010"),
    ({"ports": (port("8000-8001", "5000"),)}, "ports", 0, "needs a host range of the same length"),
    ({"ports": (port("80", "5000"), port("81", "5000"))}, "ports", 1, "Host port 5000/tcp is also used by row 1"),
    ({"ports": (port("80", "5000"), port("81", "5000", all_interfaces=True))}, "ports", 1, "also used by row 1"),
    ({"ports": (port("80-82", "5000-5002"), port("90", "5001"))}, "ports", 1, "Host port 5001/tcp"),
    ({"env": (EnvVar("", "x"),)}, "env", 0, "Enter a name for this variable"),
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
    ({"memory": "-1g"}, "memory", None, "cannot be negative"),
    ({"memory": "1.5x"}, "memory", None, '"1.5x" is not a size Docker understands'),
    ({"memory": "abc"}, "memory", None, "like 512m or 2g"),
    ({"memory": "2gb2"}, "memory", None, "is not a size"),
    ({"cpus": "-1"}, "cpus", None, "cannot be negative"),
    ({"cpus": "0.0000000001"}, "cpus", None, "at most nine decimals"),
    ({"cpus": "1/3"}, "cpus", None, "at most nine decimals"),
    ({"env": (EnvVar("=B", "x"),)}, "env", 0, "cannot start with ="),
    ({"labels": (("", "x"),)}, "labels", 0, "Enter a name for this label"),
    ({"labels": (("my label", "x"),)}, "labels", 0, 'The label name "my label" has a space'),
    ({"ports": (port("80", "999.1.1.1:5000"),)}, "ports", 0, '"999.1.1.1" is not an IP address'),
    ({"ports": (port("80", "localhost:5000"),)}, "ports", 0, '"localhost" is not an IP address'),
    ({"ports": (port("80", "[::1]:5000"), port("81", "[::1]:5000"))}, "ports", 1, "also used by row 1"),
    ({"ports": (port("80", "5000"), port("81", "0.0.0.0:5000"))}, "ports", 1, "also used by row 1"),
    ({"cpus": "999"}, "cpus", None, "This computer has 4 CPUs, so the limit can be at most 4"),
    ({"cpus": "x"}, "cpus", None, '"x" is not a number of CPUs'),
    ({"cpus": "1,5"}, "cpus", None, "is not a number of CPUs"),
    ({"shm_size": "big"}, "shm_size", None, '"big" is not a size Docker understands'),
]


# Inputs the form once refused that `docker create` accepts (issue 16): no error now; a warning where the
# result is likely not what the user meant, with the reason.
DOCKER_ACCEPTS = [
    ({"memory": "0"}, None),  # 0: no limit
    ({"cpus": "0"}, None),
    ({"shm_size": "0"}, None),  # 0: the engine's default
    ({"cpus": "0.001"}, None),  # the CLI's precision is one billionth of a CPU
    ({"cpus": "3/2"}, None),
    ({"cpus": "1e0"}, None),
    ({"memory": "1e9"}, None),
    ({"memory": "1 g"}, None),
    ({"ports": (port("80", "[::1]:8080"),)}, None),
    ({"ports": (port("80", "::1"),)}, None),
    ({"ports": (port("80", "[::1]"),)}, None),
    ({"ports": (port("80", "127.0.0.1:5000"), port("81", "[::1]:5000"))}, None),
    ({"ports": (port("80", "0"),)}, None),
    ({"ports": (port("53", "5353", protocol="sctp"),)}, None),
    ({"ports": (port("80", "0.0.0.0:5000"),)}, "on all interfaces"),
    ({"ports": (port("0", "5000"),)}, "nothing in the container listens there"),
    ({"mounts": (volume("", "/data"),)}, None),  # an anonymous volume, as -v /data
    ({"labels": (("com.example.role", ""), (" spaced ", "x"))}, None),
    ({"labels": (("a", "1"), ("a", "2"))}, "set twice (also in row 1): the later one wins"),
    ({"labels": (("a=b", "c"),)}, "Docker sets label a to b=c"),
    ({"user": "app user"}, "will not start"),
    ({"env": (EnvVar("A B", "x"),)}, "no program or script can read it"),
    ({"env": (EnvVar("A=B", "x"),)}, "Docker sets A to B=x"),
    ({"env": (EnvVar("TOKEN", "a"), EnvVar("TOKEN", "b"))}, "TOKEN is set twice (also in row 1): the later one wins"),
    ({"gpus": GpuSpec(GpuMode.COUNT, count=0)}, "With 0 GPUs the container gets none"),
    ({"gpus": GpuSpec(GpuMode.CHOSEN), "shm_size": "1g"}, "No GPU is chosen"),
    ({"gpus": GpuSpec(GpuMode.ALL, capabilities=("compute", "magic")), "shm_size": "1g"}, "will not start"),
    ({"gpus": GpuSpec(GpuMode.ALL, capabilities=("compat32",)), "shm_size": "1g"}, None),
]


@pytest.mark.parametrize(("changes", "warning"), DOCKER_ACCEPTS, ids=[str(case[0]) for case in DOCKER_ACCEPTS])
def test_what_docker_accepts_is_no_error(changes, warning):
    spec = replace(BASE, **changes)
    problems = spec.problems(host_cpus=HOST_CPUS)
    assert [problem for problem in problems if not problem.warning] == []
    assert (warning is None) == (problems == []), problems
    if warning:
        assert any(warning in problem.message for problem in problems), problems
    spec.create_kwargs()  # no ValueError
    spec.host_config_kwargs()


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


def test_with_no_cpu_count_known_the_limit_is_one_cpu(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert replace(BASE, cpus="1").errors == []
    assert "at most 1" in replace(BASE, cpus="2").errors[0].message


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
        ("1e3", 1000),
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
        ("-1", -(10**9)),
        ("x", None),
        ("", None),
        ("1,5", None),
        ("1e3", 1000 * 10**9),
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
        ("ab", set(), "ab"),
        ("MyApp", set(), "MyApp"),
        ("Xavier", {"/Xavier"}, "Xavier-2"),
    ],
)
def test_suggest_name_gives_a_free_valid_name(base, taken, name):
    suggested = suggest_name(base, taken)
    assert suggested == name
    assert replace(BASE, name=suggested).errors == []


def test_core_stays_light_to_import():
    code = (
        "import sys; import gui.core.run.spec, gui.core.run.checks, gui.core.run.from_inspect; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docker', 'PySide6', 'requests')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
