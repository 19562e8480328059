"""Run from a command, held to the real docker CLI: each pasted line, created by `docker create` with the words
the shell hands docker, and the Run form's spec read from the same line, created through the API, end up with the
same settings on the engine (the comparison of test_run_agreement). The images are swapped for the test busybox,
host paths live under a temporary folder, and containers are created, never started.

Also: the option table Portside reads lines with is the one `docker run --help` and `docker create --help` print."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from gui.core.run.command_flags import ALIASES, RUN_FLAGS
from gui.core.run.command_line import PastedCommand, parse_command
from gui.core.run.spec import RunSpec
from tests.engine import engine_helpers as eh
from tests.engine.test_run_agreement import created_through_api, settings
from tests.unit.run.paste_lines import ENVIRON, LINES, Line

pytestmark = pytest.mark.engine

AGREE = [line for line in LINES if line.agree]
# Shown by --help only for newer engines or for Windows, or hidden: the CLI knows them all the same.
NOT_IN_HELP = {"annotation", "health-start-interval", "cpu-count", "cpu-percent", "io-maxbandwidth", "io-maxiops"}


def help_options(command: str) -> dict[str, tuple[str, bool]]:
    """{long name: (short letter, takes a value)} from `docker COMMAND --help`."""
    text = subprocess.run(["docker", command, "--help"], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in text.splitlines():
        match = re.match(r"^\s+(?:-(\w), )?--([\w-]+)(?: (\S+))?\s{2,}", line)
        if match:
            found[match.group(2)] = (match.group(1) or "", match.group(3) is not None)
    return found


@pytest.mark.parametrize("command", ["run", "create"])
def test_the_option_table_is_the_clis(command):
    table = {
        flag.name: (flag.short, flag.takes_value)
        for flag in RUN_FLAGS
        if flag.name not in ALIASES and flag.name not in NOT_IN_HELP and not (command == "create" and flag.run_only)
    }
    assert help_options(command) == table


def test_the_options_the_help_leaves_out_are_known_to_the_cli(docker_cli, busybox_image):
    for name in sorted(NOT_IN_HELP | set(ALIASES)):
        result = docker_cli("create", f"--{name}=1", "--help", check=False)
        assert "unknown flag" not in result.stderr, name


# --- the same container both ways -----------------------------------------------------------------------------


def cli_arguments(pasted: PastedCommand, image: str, labels: dict[str, str], name: str) -> list[str]:
    """The words docker got, for `docker create`: -d left out (create has none), the image swapped, the name
    made the test's own, the test's labels added."""
    options, words = [], list(pasted.arguments[: pasted.image_index])
    while words:
        word = words.pop(0)
        if word in ("--detach", "-d") or word.startswith("--detach="):
            continue
        if word == "--name" and words:
            words.pop(0)
            word = f"--name={name}"
        elif word.startswith("--name="):
            word = f"--name={name}"
        elif re.fullmatch(r"-[a-zA-Z]+", word) and "d" in word:
            word = word.replace("d", "")  # -dit -> -it (the letters before any value are on-off switches)
        options.append(word)
    for key, value in labels.items():
        options += ["--label", f"{key}={value}"]
    return [*options, image, *pasted.arguments[pasted.image_index + 1 :]]


def resolved_mounts(inspected: dict) -> list[tuple]:
    """What is mounted where: -v and --mount store it differently in HostConfig, the same here. An anonymous
    volume has a random name."""
    return sorted(
        (
            mount["Type"],
            "" if re.fullmatch(r"[0-9a-f]{64}", mount.get("Name") or "") else mount.get("Name") or mount["Source"],
            mount["Destination"],
            mount["RW"],
        )
        for mount in inspected["Mounts"] or ()
    )


def compared(inspected: dict) -> dict:
    chosen = settings(inspected)
    chosen.pop("HostConfig.Mounts")
    chosen["Mounts"] = resolved_mounts(inspected)
    return chosen


def prepare(spec: RunSpec, docker_client, test_labels) -> None:
    """The bind folders exist (the form's --mount needs them) and named volumes carry the test's labels."""
    for mount in spec.mounts:
        if mount.kind == "bind":
            Path(mount.source).mkdir(parents=True, exist_ok=True)
        elif mount.source:
            docker_client.volumes.create(mount.source, labels=test_labels)


@pytest.mark.parametrize("line", AGREE, ids=lambda line: line.id)
def test_the_pasted_line_and_the_form_create_the_same_container(
    line: Line, docker_client, docker_cli, busybox_image, test_labels, tmp_path, monkeypatch
):
    home, folder = tmp_path / "home", tmp_path / "project"
    folder.mkdir()
    environ = {**ENVIRON, "HOME": str(home), "TESTDATA": str(home / "testdata"), "volume": str(home / "data")}
    pasted = parse_command(line.text, environ, str(home), str(folder))
    assert pasted.ok, pasted.errors
    name = f"paste-{test_labels[eh.CASE_LABEL]}"
    spec = replace(
        pasted.spec,
        image=busybox_image,
        name=name if pasted.spec.name else "",
        labels=pasted.spec.labels + tuple(test_labels.items()),
    )
    prepare(spec, docker_client, test_labels)
    monkeypatch.chdir(folder)  # where the CLI makes ./relative paths absolute
    arguments = cli_arguments(pasted, busybox_image, test_labels, name)
    # -e NAME takes NAME from docker's environment: the one the line gives it.
    cli_env = {var.name: var.value for var in spec.env}
    container_id = docker_cli("create", *arguments, env=cli_env).stdout.strip().splitlines()[-1]
    through_cli = docker_client.api.inspect_container(container_id)
    docker_client.api.remove_container(container_id, v=True, force=True)  # so the form's may take its name
    through_api = created_through_api(docker_client, spec)

    from_cli, from_api = compared(through_cli), compared(through_api)
    notes = " ".join(note.message for note in pasted.notes)
    if "names no capabilities" in notes:
        # The one difference the user is told of: the form spells out what the GPUs are for.
        for request in from_cli["HostConfig.DeviceRequests"]:
            assert request["Capabilities"] == [["gpu"]]
            request["Capabilities"] = [["compute", "utility", "gpu"]]
    if any("without -i" in finding.message for finding in pasted.dropped):
        assert (from_cli.pop("Config.Tty"), from_api.pop("Config.Tty")) == (True, False)  # -t alone: left out
    assert from_cli == from_api
    assert (through_api["Name"] == f"/{name}") == bool(pasted.spec.name)


def test_the_table_has_enough_lines_that_run_here():
    assert len(AGREE) >= 40
