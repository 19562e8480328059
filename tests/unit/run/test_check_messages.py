"""The checks' exact words: each problem is shown next to its field (and table row) as a whole sentence that says
what is wrong and what to do, and every problem of the form is listed, not only the first.

test_spec.py holds which inputs are errors, warnings or fine; this file holds what the user reads."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.core.run.checks import DOCKER_SOCKETS, engine_sockets, resolved_bind_problems, spec_problems
from gui.core.run.spec import NANO_CPUS_MAX, GpuMode, GpuSpec, MountSpec, RunSpec
from tests.unit.run.spec_examples import BASE, bind, port, volume

HOST_CPUS = 4
EVERYONE = "Docker publishes it past the host firewall: anyone on your network can reach it."
SOCKET = (
    "gives the container full control of the engine, like root on this machine, even read-only. Do it only for a "
    "tool you trust."
)

# (what the user changed, the one problem shown: field, row, warning, the words in full)
MESSAGES = [
    # general
    (
        {"privileged": True},
        (
            "privileged",
            None,
            True,
            "--privileged gives the container every device and capability of the host. "
            "Use it only for a container you trust completely.",
        ),
    ),
    (
        {"workdir": "app"},
        (
            "workdir",
            None,
            False,
            "The working directory must be an absolute path in the container, starting with / (for example /app).",
        ),
    ),
    (
        {"user": " app"},
        (
            "user",
            None,
            True,
            "The container will not start: no user name has spaces. Write a name or number, "
            "optionally with a group: for example app, 1000 or 1000:1000.",
        ),
    ),
    (
        {"name": "web app"},
        ("name", None, False, "A container name cannot contain spaces. Use - or _ instead, like web-app."),
    ),
    ({"name": "-web"}, ("name", None, False, "A container name must start with a letter or a digit.")),
    ({"name": "a"}, ("name", None, False, "A container name needs at least two characters.")),
    ({"name": "a!"}, ("name", None, False, "A container name may use only letters, digits, _ . and -.")),
    (
        {"command": "echo 'hi"},
        (
            "command",
            None,
            False,
            "The command has a quote (' or \") that is never closed. Close it, or put a \\ in front of it.",
        ),
    ),
    (
        {"entrypoint": "python -m app"},
        (
            "entrypoint",
            None,
            False,
            "The entrypoint is one program (python). Move the rest (-m app) to the start of Command.",
        ),
    ),
    (
        {"restart": "sometimes"},
        ("restart", None, False, "Choose a restart policy: no, on-failure, always or unless-stopped."),
    ),
    (
        {"auto_remove": True, "restart": "always"},
        (
            "restart",
            None,
            False,
            "Docker cannot combine --rm with a restart policy: a container that is removed when "
            "it stops cannot be restarted. Turn one of them off.",
        ),
    ),
    (
        {"restart": "on-failure", "restart_max_retries": -1},
        ("restart", None, False, "The number of retries cannot be negative; 0 means retry for ever."),
    ),
    (
        {"restart": "always", "restart_max_retries": 3},
        (
            "restart",
            None,
            False,
            "A maximum number of retries works only with the on-failure policy. Set it to 0, or choose on-failure.",
        ),
    ),
    # ports
    (
        {"ports": (port("80", all_interfaces=True),)},
        ("ports", 0, True, f"Host port (random) is published on all interfaces: {EVERYONE}"),
    ),
    (
        {"ports": (port("0", "5000"),)},
        (
            "ports",
            0,
            True,
            "Container port 0: nothing in the container listens there. Enter the port the app listens on, like 80.",
        ),
    ),
    (
        {"ports": (port("80", "localhost:5000"),)},
        (
            "ports",
            0,
            False,
            '"localhost" is not an IP address. Write one like 192.168.1.5, or an IPv6 address in '
            "brackets like [::1]:8080, or leave only the port.",
        ),
    ),
    ({"ports": (port("80", protocol="icmp"),)}, ("ports", 0, False, "The protocol must be tcp, udp or sctp.")),
    ({"ports": (port(" "),)}, ("ports", 0, False, "Enter the container port, like 80.")),
    (
        {"ports": (port("8000-8001", "5000"),)},
        (
            "ports",
            0,
            False,
            "A range of container ports (8000-8001) needs a host range of the same length, or leave "
            "the host port empty to let Docker pick free ones.",
        ),
    ),
    (
        {"ports": (port("80-81", "8000-8010"),)},
        (
            "ports",
            0,
            False,
            "The host range 8000-8010 has 11 ports but the container range 80-81 has 2. Make them the same length.",
        ),
    ),
    ({"ports": (port("80", "65536"),)}, ("ports", 0, False, "Port 65536 is too high. Ports go from 1 to 65535.")),
    (
        {"ports": (port("abc"),)},
        ("ports", 0, False, '"abc" is not a port. Enter a number like 80, or a range like 8000-8010.'),
    ),
    (
        {"ports": (port("8010-8000"),)},
        ("ports", 0, False, "The range 8010-8000 goes backwards. Write the lower port first: 8000-8010."),
    ),
    (
        {"ports": (port("80", "5000"), port("81", "5000"))},
        ("ports", 1, False, "Host port 5000/tcp is also used by row 1. Give each row its own host port."),
    ),
    (
        {"publish_all": True},
        (
            "ports",
            None,
            True,
            f"-P publishes on all interfaces: every exposed port gets a random host port, and {EVERYONE}",
        ),
    ),
    # mounts
    (
        {"mounts": (bind("/a", "/data"), volume("cache", "/data/"))},
        ("mounts", 1, False, "/data/ is mounted twice (also in row 1). Give each mount its own container path."),
    ),
    ({"mounts": (bind("", "/data"),)}, ("mounts", 0, False, "Choose the host folder or file to mount.")),
    (
        {"mounts": (bind("data", "/data"),)},
        (
            "mounts",
            0,
            False,
            "The host path data is relative. Use an absolute path, starting with / (like /home/you/data).",
        ),
    ),
    (
        {"mounts": (volume("/srv/cache", "/cache"),)},
        (
            "mounts",
            0,
            False,
            "/srv/cache looks like a host folder. Choose bind to mount a folder; volume is for Docker volumes.",
        ),
    ),
    (
        {"mounts": (volume("my cache", "/cache"),)},
        (
            "mounts",
            0,
            False,
            '"my cache" is not a valid volume name. Use letters, digits, _ . and -, starting with '
            "a letter or digit, at least two characters.",
        ),
    ),
    (
        {"mounts": (MountSpec("tmpfs", "", "/tmp"),)},
        ("mounts", 0, False, "Choose bind (a host folder or file) or volume (a Docker volume)."),
    ),
    ({"mounts": (bind("/data", ""),)}, ("mounts", 0, False, "Enter where it appears in the container, like /data.")),
    (
        {"mounts": (bind("/data", "data"),)},
        ("mounts", 0, False, "The container path data must be absolute, starting with / (like /data)."),
    ),
    (
        {"mounts": (bind("/data", "/"),)},
        (
            "mounts",
            0,
            False,
            "A mount cannot replace / (the container's whole file system). Choose a folder, like /data.",
        ),
    ),
    (
        {"mounts": (bind("/var/run/docker.sock", "/var/run/docker.sock"),)},
        ("mounts", 0, True, f"Mounting the Docker engine's socket {SOCKET}"),
    ),
    (
        {"mounts": (bind("/run/", "/host-run", read_only=True),)},
        ("mounts", 0, True, f"Mounting the Docker engine's socket (/run/docker.sock) {SOCKET}"),
    ),
    (
        {"mounts": (bind("/etc/", "/host-etc"),)},
        (
            "mounts",
            0,
            True,
            "/etc is a system folder, mounted read-write: the container can change or break this "
            "computer. Tick read-only unless it must write there.",
        ),
    ),
    # GPUs
    (
        {"gpus": GpuSpec(GpuMode.COUNT, count=0), "shm_size": "1g"},
        ("gpus", None, True, "With 0 GPUs the container gets none. Ask for at least 1, or choose all GPUs."),
    ),
    (
        {"gpus": GpuSpec(GpuMode.CHOSEN, device_ids=(" ",)), "shm_size": "1g"},
        ("gpus", None, True, "No GPU is chosen: choose at least one from the list."),
    ),
    (
        {"gpus": GpuSpec(GpuMode.ALL, capabilities=("compute", "magic")), "shm_size": "1g"},
        (
            "gpus",
            None,
            True,
            '"magic" is not a GPU capability, so the container will not start. Use compute, '
            "utility, graphics or video.",
        ),
    ),
    (
        {"gpus": GpuSpec(GpuMode.ALL, capabilities=()), "shm_size": "1g"},
        ("gpus", None, True, "No GPU capability is chosen: compute and utility are what CUDA programs need."),
    ),
    (
        {"gpus": GpuSpec(GpuMode.ALL)},
        (
            "shm_size",
            None,
            True,
            "PyTorch DataLoader workers share memory through /dev/shm; Docker's 64 MB default "
            "is often too small: try 1g or more.",
        ),
    ),
    # resources
    (
        {"memory": "5m"},
        (
            "memory",
            None,
            False,
            "Docker needs at least 6 MB of memory for a container. Enter 6m or more, or leave it empty for no limit.",
        ),
    ),
    ({"memory": "-1g"}, ("memory", None, False, "A memory limit cannot be negative. Enter a size like 512m or 2g.")),
    (
        {"memory": "abc"},
        ("memory", None, False, '"abc" is not a size Docker understands. Write a number and a unit, like 512m or 2g.'),
    ),
    (
        {"shm_size": "-1g"},
        ("shm_size", None, False, "A shared memory size cannot be negative. Enter a size like 1g or 512m."),
    ),
    (
        {"shm_size": "big"},
        (
            "shm_size",
            None,
            False,
            '"big" is not a size Docker understands. Write a number and a unit, like 1g or 512m.',
        ),
    ),
    (
        {"cpus": "x"},
        ("cpus", None, False, '"x" is not a number of CPUs. Enter a number like 1.5, or leave it empty for no limit.'),
    ),
    ({"cpus": "1/3"}, ("cpus", None, False, "Docker counts CPUs in billionths: use at most nine decimals, like 0.25.")),
    (
        {"cpus": "-1"},
        (
            "cpus",
            None,
            False,
            "The CPU limit cannot be negative. Enter a number like 1.5, or leave it empty for no limit.",
        ),
    ),
    ({"cpus": "999"}, ("cpus", None, False, "This computer has 4 CPUs, so the limit can be at most 4.")),
]


@pytest.fixture(autouse=True)
def no_docker_host(monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)


def shown(spec: RunSpec, host_cpus: int | None = HOST_CPUS) -> list[tuple]:
    return [(p.field, p.row, p.warning, p.message) for p in spec_problems(spec, host_cpus)]


@pytest.mark.parametrize(("changes", "problem"), MESSAGES, ids=[f"{i}-{case[1][0]}" for i, case in enumerate(MESSAGES)])
def test_each_problem_is_one_whole_sentence_next_to_its_field(changes, problem):
    assert shown(replace(BASE, **changes)) == [problem]


# --- every problem is listed ------------------------------------------------------------------------------


def test_a_bad_command_does_not_hide_a_bad_entrypoint():
    assert [p[0] for p in shown(replace(BASE, command="echo 'hi", entrypoint="python app.py"))] == [
        "command",
        "entrypoint",
    ]


def test_each_bad_row_is_marked_not_only_the_first():
    ports = shown(replace(BASE, ports=(port("abc"), port("80", "99999"))))
    assert [(p[0], p[1]) for p in ports] == [("ports", 0), ("ports", 1)]
    mounts = shown(replace(BASE, mounts=(bind("data", "/a"), bind("/b", "b"), bind("/etc", "/c"))))
    assert [(p[0], p[1], p[2]) for p in mounts] == [("mounts", 0, False), ("mounts", 1, False), ("mounts", 2, True)]


# --- the rules at their edges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"user": "1000:1000"},
        {"ports": (port("65535", "65535"),)},  # the highest port there is
        {"ports": (port("80", "0"), port("81", "0"))},  # host port 0: the engine picks a free one for each
        {"ports": (port("8000-8001", "9000-9001"), port("7000", "9002"))},  # the range ends at 9001
        {"gpus": GpuSpec(GpuMode.COUNT, count=1), "shm_size": "1g"},
        {"gpus": GpuSpec(GpuMode.ALL, count=0), "shm_size": "1g"},  # the count is only read for a number of GPUs
    ],
)
def test_these_are_fine(changes):
    assert shown(replace(BASE, **changes)) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"entrypoint": "python app.py"}, "The entrypoint is one program (python). Move the rest (app.py)"),
        ({"ports": (port("80", "5000"), port("81", "127.0.0.1:5000"))}, "also used by row 1"),  # 127.0.0.1: default
        ({"ports": (port("80", "[fe80::1%eth0]:5000"),)}, '"fe80::1%eth0" is not an IP address'),  # Docker: no zones
        ({"mounts": (bind("/data", "//"),)}, "A mount cannot replace /"),
        ({"memory": "1"}, "at least 6 MB"),  # one byte is a limit, and too small
    ],
)
def test_these_are_errors(changes, words):
    [(_, _, warning, message)] = shown(replace(BASE, **changes))
    assert not warning and words in message


def test_a_clash_names_the_row_that_really_takes_the_port():
    """Found: the third row (10.0.0.2:5000) clashes only with the second (5000 on every interface), yet it was told
    the port was used by row 1 (127.0.0.1:5000, which it does not share)."""
    spec = replace(BASE, ports=(port("80", "5000"), port("81", "0.0.0.0:5000"), port("82", "10.0.0.2:5000")))
    errors = [(row, message) for _, row, warning, message in shown(spec) if not warning]
    assert errors == [
        (1, "Host port 5000/tcp is also used by row 1. Give each row its own host port."),
        (2, "Host port 5000/tcp is also used by row 2. Give each row its own host port."),
    ]


def test_the_most_cpus_docker_can_count_are_accepted_for_a_remote_engine():
    assert shown(replace(BASE, cpus=f"{NANO_CPUS_MAX}e-9"), None) == []


# --- the engine's socket ----------------------------------------------------------------------------------


def test_the_socket_a_docker_host_names():
    assert engine_sockets("unix:///run/user/1000/docker.sock") == (*DOCKER_SOCKETS, "/run/user/1000/docker.sock")
    assert engine_sockets("unix://") == DOCKER_SOCKETS  # no path: no socket named
    assert engine_sockets("tcp://10.0.0.5:2376") == DOCKER_SOCKETS


def test_a_folder_that_holds_a_named_socket(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///home/MAX/docker.sock")
    [(_, _, warning, message)] = shown(replace(BASE, mounts=(bind("/home/MAX", "/home"),)))
    assert warning and message.startswith("Mounting the Docker engine's socket (/home/MAX/docker.sock) gives")


def test_links_are_followed_for_the_docker_host_given():
    problems = resolved_bind_problems(
        [bind("/srv/shortcut", "/s")],
        docker_host="unix:///home/me/docker.sock",
        resolve=lambda path: "/home/me/docker.sock" if path == "/srv/shortcut" else path,
    )
    assert [p.message for p in problems] == [
        f"/srv/shortcut leads to /home/me/docker.sock: Mounting the Docker engine's socket {SOCKET}"
    ]


def test_only_absolute_binds_are_followed():
    """Volumes and relative paths are not host paths Portside can follow (the checks already refuse a relative
    one); a row after them is still looked at."""
    everything_is_etc = lambda path: "/etc"  # noqa: E731
    mounts = [volume("/srv/cache", "/c"), bind("data", "/d"), volume("cache", "/e"), bind("/srv/conf", "/f")]
    problems = resolved_bind_problems(mounts, "", resolve=everything_is_etc)
    assert [(p.row, p.message.split(":")[0]) for p in problems] == [(3, "/srv/conf leads to /etc")]


def test_a_path_the_pure_checks_warn_about_is_not_warned_about_twice():
    var_run_is_run = lambda path: path.replace("/var/run/", "/run/")  # noqa: E731  (as on most systems)
    assert resolved_bind_problems([bind("/var/run/docker.sock", "/s")], "", resolve=var_run_is_run) == []


def test_a_read_only_folder_that_leads_to_the_socket_is_still_warned_about():
    """Read-only keeps a system folder safe, but not a socket: connecting to it is no write."""
    etc_leads_to_run = lambda path: "/run" if path == "/etc" else path  # noqa: E731
    [problem] = resolved_bind_problems([bind("/etc", "/e", read_only=True)], "", resolve=etc_leads_to_run)
    assert problem.message.startswith("/etc leads to /run: Mounting the Docker engine's socket (/run/docker.sock)")
