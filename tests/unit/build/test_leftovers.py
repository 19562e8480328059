"""The step container a build cut off by the engine's crash left, found without its "Running in" line: every mark
must hold, so the user's own containers are never taken for it. Container commands are the engine's own (dockerd
20.10's container list, read during builds)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.core.build.leftovers import StepTrace, left_behind, runs_step
from gui.core.build.progress import BuildProgress
from gui.core.engine.rows import ContainerRow

BASE = "1234567890ab"  # the image the step's container is made from (" ---> 1234567890ab")
BASE_ID = f"sha256:{BASE}{'c' * 52}"
STARTED = 1_700_000_000.4  # the build began
ENDED = STARTED + 40  # its stream was cut
TRACE = StepTrace(BASE, "RUN pip install -r requirements.txt", STARTED, ENDED)

STEP = ContainerRow(
    id="f00dfeed" * 8,
    name="eager_turing",
    image=BASE_ID,
    image_id=BASE_ID,
    command="/bin/sh -c 'pip install -r requirements.txt'",
    state="exited",  # a killed engine's containers come back stopped
    status="Exited (137) 3 seconds ago",
    created=STARTED + 12,
)


def cut_off_progress(*lines: str) -> BuildProgress:
    progress = BuildProgress()
    for line in lines:
        progress.feed({"stream": line + "\n"})
    return progress


def test_the_step_container_is_found_by_its_image_time_state_and_command():
    assert left_behind(TRACE, [STEP]) == [STEP.id]
    assert left_behind(TRACE, [replace(STEP, image="1234567890ab", image_id=BASE_ID)]) == [STEP.id]
    assert left_behind(TRACE, [replace(STEP, state="created")]) == [STEP.id]  # killed before it started
    # Created is in whole seconds: a container made in the second the build began still counts.
    assert left_behind(TRACE, [replace(STEP, created=float(int(STARTED)))]) == [STEP.id]


@pytest.mark.parametrize(
    ("why", "changes"),
    [
        ("created before the build began: the user's own, from the same image", {"created": STARTED - 3600}),
        ("created after the build was cut off", {"created": ENDED + 5}),
        ("running", {"state": "running"}),
        ("paused", {"state": "paused"}),
        ("from another image", {"image": "sha256:" + "9" * 64, "image_id": "sha256:" + "9" * 64}),
        ("another command", {"command": "/bin/sh -c 'pip install flask'"}),
        ("the command typed by a person, without the step's", {"command": "python app.py"}),
    ],
)
def test_a_container_missing_any_mark_is_kept(why, changes):
    assert left_behind(TRACE, [replace(STEP, **changes)]) == [], why


def test_only_the_step_container_goes_among_the_users_own():
    users_old = replace(STEP, id="a" * 64, name="debugging", created=STARTED - 600)  # docker run <layer> to debug
    users_running = replace(STEP, id="b" * 64, name="web", state="running", created=STARTED + 5)
    users_other = replace(STEP, id="c" * 64, name="notebook", image="jupyter", image_id="sha256:" + "d" * 64)
    assert left_behind(TRACE, [users_old, users_running, STEP, users_other]) == [STEP.id]


def test_a_too_short_image_id_matches_nothing():
    assert left_behind(replace(TRACE, image="1234"), [STEP]) == []


@pytest.mark.parametrize(
    ("instruction", "command"),
    [
        ("RUN sleep 30", "/bin/sh -c 'sleep 30'"),
        ("RUN true", "/bin/sh -c true"),
        ("RUN sleep 2 && echo 'it''s'", "/bin/sh -e -c 'sleep 2 && echo 'it''s''"),  # SHELL ["/bin/sh", "-e", "-c"]
        ('RUN ["/bin/sh", "-c", "sleep 2"]', "/bin/sh -c 'sleep 2'"),  # exec form
        ('RUN ["python", "-c", "print(1)"]', "python -c print(1)"),
        ("ARG GREETING=x", "/bin/sh -c '#(nop) ' 'ARG GREETING=x'"),
        ('ENTRYPOINT ["/bin/echo", "ep"]', "/bin/echo ep /bin/sh -c '#(nop) ' 'ENTRYPOINT [\"/bin/echo\" \"ep\"]'"),
        ('SHELL ["/bin/sh", "-e", "-c"]', "/bin/echo ep /bin/sh -e -c '#(nop) ' 'SHELL [/bin/sh -e -c]'"),
    ],
)
def test_the_engines_own_spelling_of_a_steps_command_matches(instruction, command):
    assert runs_step(instruction, command)


@pytest.mark.parametrize(
    ("instruction", "command"),
    [
        ("RUN sleep 30", "/bin/sh -c 'sleep 300'"),
        ("RUN sleep 30", "sleep 30"),  # not given to a shell: not the builder's
        ('RUN ["python", "-c", "print(1)"]', "/bin/sh -c 'python -c print(1)'"),
        ("ARG GREETING=x", "/bin/sh -c 'ARG GREETING=x'"),  # no builder's mark
        ("ENV A=1", "/bin/sh -c '#(nop) ' 'ARG A=1'"),
        ("RUN", "/bin/sh -c ''"),
    ],
)
def test_other_commands_do_not_match(instruction, command):
    assert not runs_step(instruction, command)


def test_the_trace_follows_the_log_up_to_the_cut():
    progress = cut_off_progress(
        "Step 1/3 : FROM python:3.12-slim", f" ---> {BASE}", "Step 2/3 : RUN pip install -r requirements.txt"
    )  # cut off before " ---> Running in <id>"
    assert StepTrace.of(progress, STARTED, ENDED) == TRACE


def test_the_trace_is_of_the_last_image_before_the_step():
    progress = cut_off_progress(
        "Step 1/3 : FROM python:3.12-slim",
        " ---> aaaaaaaaaaaa",
        "Step 2/3 : RUN echo one",
        " ---> Running in bbbbbbbbbbbb",
        "Removing intermediate container bbbbbbbbbbbb",
        f" ---> {BASE}",
        "Step 3/3 : RUN pip install -r requirements.txt",
    )
    assert StepTrace.of(progress, STARTED, ENDED) == TRACE


@pytest.mark.parametrize(
    "lines",
    [
        [],  # cut off while sending the folder
        ["Step 1/2 : FROM python:3.12-slim"],  # pulling the base image: no container
        ["Step 1/2 : FROM python:3.12-slim", f" ---> {BASE}", "Step 2/2 : COPY . /app"],  # COPY makes none here
        # The step had made its image: its container was removed, the next one's instruction is unknown.
        ["Step 1/2 : FROM python:3.12-slim", f" ---> {BASE}", "Step 2/2 : RUN echo", " ---> 9876543210ab"],
    ],
)
def test_no_trace_when_the_step_has_no_container_to_leave(lines):
    assert StepTrace.of(cut_off_progress(*lines), STARTED, ENDED) is None
