"""Engine.build on the real dockerd (legacy builder): the log and the image, a failure pointing at its
Dockerfile line, the command shown building the same image, and cancelling leaving no container behind."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import docker.errors
import pytest

from gui.core.build.failures import BuildError
from gui.core.build.progress import BuildProgress, failing_line
from gui.core.build.spec import BuildSpec
from gui.core.engine.build_request import apply_extra_tags, open_build
from tests.engine import engine_helpers as eh

DEADLINE_S = 15


def make_project(folder: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text(dockerfile)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


def build_labels(test_labels) -> tuple[tuple[str, str], ...]:
    # Images FROM the shared busybox inherit its "shared" marker; reset it, as images.build_image does.
    return tuple({eh.SHARED_LABEL: "0", **test_labels}.items())


def run_build(engine, spec: BuildSpec) -> tuple[BuildProgress, list[str]]:
    progress = BuildProgress(spec.dockerfile_path.read_text())
    lines: list[str] = []
    stream = open_build(engine, spec)
    try:
        for message in stream:
            lines += progress.feed(message)
    finally:
        stream.close()
    return progress, lines + progress.flush()


def containers_of(lines: list[str]) -> list[str]:
    """The step containers the log names (" ---> Running in <id>")."""
    return [line.split()[-1] for line in lines if line.startswith(" ---> Running in ")]


def gone(api, container: str) -> bool:
    try:
        api.inspect_container(container)
    except docker.errors.NotFound:
        return True
    return False


def test_a_build_streams_its_log_and_makes_the_tagged_image(engine, docker_cli, busybox_image, test_labels, tmp_path):
    token = secrets.token_hex(6)
    project = make_project(
        tmp_path / "app",
        f"""\
FROM {busybox_image}
WORKDIR /app
COPY app.txt .
RUN echo "built {token}" && \\
    cat app.txt
ENV GREETING=hello
CMD ["cat", "/app/app.txt"]
""",
        {"app.txt": "the app\n", "big.bin": "x" * 1000, ".dockerignore": "*.bin\n"},
    )
    spec = BuildSpec(
        project, tags=("portside-test/build-ok:1.0", "portside-test/build-ok:latest"), labels=build_labels(test_labels)
    )

    progress, lines = run_build(engine, spec)

    assert progress.finished and not progress.failed, lines
    assert progress.total_steps == 6 + len(spec.labels)  # the file's 6 instructions, then one LABEL per label
    assert lines[0] == f"Step 1/{progress.total_steps} : FROM {busybox_image}"
    assert f"built {token}" in lines and "the app" in lines  # the RUN's own output, line by line
    assert "" not in lines
    assert lines[-1] == "Successfully tagged portside-test/build-ok:1.0"
    image = engine.api.inspect_image("portside-test/build-ok:1.0")
    assert progress.image_id == image["Id"]
    assert image["Config"]["Labels"][eh.CASE_LABEL] == test_labels[eh.CASE_LABEL]
    assert image["Config"]["Env"][-1] == "GREETING=hello"

    apply_extra_tags(engine.api, progress.image_id, spec.extra_tags)  # the API took only the first tag
    assert engine.api.inspect_image("portside-test/build-ok:latest")["Id"] == image["Id"]
    assert all(gone(engine.api, container) for container in containers_of(lines))  # rm: none left

    # .dockerignore was honoured: the file never reached the engine.
    listing = docker_cli(
        "run",
        "--rm",
        "--label",
        f"{eh.CASE_LABEL}={test_labels[eh.CASE_LABEL]}",
        "portside-test/build-ok:1.0",
        "ls",
        "/app",
    ).stdout.split()
    assert listing == ["app.txt"]

    # The command shown to the user builds the same image: every step comes from the cache.
    shown = docker_cli(*spec.argv()[1:], env={"DOCKER_BUILDKIT": "0"})
    assert shown.stdout.count("Using cache") == progress.total_steps - 1  # all but FROM
    assert engine.api.inspect_image("portside-test/build-ok:1.0")["Id"] == image["Id"]


DOCKERFILE_THAT_FAILS = """\
ARG GREETING=hi

# The first stage
FROM {base} AS base
RUN echo "$GREETING from the base" && \\
    # a comment inside the continuation
    echo done

FROM base
WORKDIR /app
RUN echo "about to fail" >&2 && \\
    exit 7
CMD ["sh"]
"""


def test_a_failing_run_points_at_its_dockerfile_line(engine, busybox_image, test_labels, tmp_path):
    text = DOCKERFILE_THAT_FAILS.format(base=busybox_image)
    project = make_project(tmp_path / "app", text)
    spec = BuildSpec(project, tags=("portside-test/build-fails:1",), labels=build_labels(test_labels))

    progress, lines = run_build(engine, spec)

    assert not progress.finished and progress.image_id is None
    error = progress.error
    assert isinstance(error, BuildError)
    assert error.message == (
        'The step RUN echo "about to fail" >&2 && exit 7 failed with exit code 7. '
        "Scroll up in the log for the command's own error."
    )
    # Steps count every instruction of every stage: ARG 1, FROM 2, RUN 3, FROM 4, WORKDIR 5, RUN 6.
    assert progress.failed_step == 6
    assert failing_line(text, progress.failed_step) == progress.failed_line == 11
    assert text.splitlines()[10].startswith('RUN echo "about to fail"')
    assert any("about to fail" in line for line in lines)
    # forcerm: the failed step's container is removed too.
    assert containers_of(lines) and all(gone(engine.api, container) for container in containers_of(lines))
    # What the builder committed before the failure stays as its cache: remove it here, it carries no labels.
    for layer in reversed(progress.layer_ids[1:]):
        try:
            engine.api.remove_image(layer)
        except docker.errors.APIError:
            pass  # still the parent of another cached step: the session sweep or a prune takes it


def test_a_dockerfile_the_engine_cannot_parse_names_its_line(engine, busybox_image, tmp_path):
    project = make_project(tmp_path / "app", f"FROM {busybox_image}\nRUN echo hi\nRUNN echo typo\n")
    with pytest.raises(BuildError) as caught:
        open_build(engine, BuildSpec(project, tags=("portside-test/build-typo:1",)))
    assert caught.value.line == 3
    assert caught.value.message.endswith("Did you mean RUN?")


def test_closing_the_stream_cancels_the_build_and_leaves_no_container(engine, busybox_image, test_labels, tmp_path):
    token = secrets.token_hex(6)
    project = make_project(
        tmp_path / "app",
        f"""\
FROM {busybox_image}
RUN echo {token} > /token
RUN echo "sleeping {token}" && sleep 60
RUN echo never
""",
    )
    spec = BuildSpec(project, tags=("portside-test/build-cancel:1",), labels=build_labels(test_labels))
    progress = BuildProgress(spec.dockerfile_path.read_text())
    lines: list[str] = []
    started = threading.Event()
    reader_error: list[BaseException] = []
    stream = open_build(engine, spec)

    def read():  # the StreamWorker's thread, in miniature
        try:
            for message in stream:
                lines.extend(progress.feed(message))
                if f"sleeping {token}" in lines:
                    started.set()
        except Exception as exc:  # the connection closed under it
            reader_error.append(exc)
        finally:
            started.set()

    reader = threading.Thread(target=read, name="build-reader")
    reader.start()
    assert started.wait(DEADLINE_S), lines
    assert progress.step == 3 and progress.current_instruction.startswith('RUN echo "sleeping')
    step_container = containers_of(lines)[-1]
    cached_layer = progress.layer_ids[-1]  # the image step 2 committed
    assert engine.api.inspect_container(step_container)["State"]["Running"]

    stream.close()  # what StreamWorker.cancel does
    reader.join(DEADLINE_S)
    try:
        assert not reader.is_alive() and stream.cancelled
        # The engine kills and removes the step's container (forcerm) well before `sleep 60` would end.
        assert eh.wait_until(lambda: gone(engine.api, step_container), DEADLINE_S), "step container left behind"
        assert engine.api.containers(all=True, filters={"ancestor": cached_layer}) == []
        # Nothing of the cancelled step was committed: no image has step 2's image as its parent, and no
        # image was tagged.
        children = [
            image["Id"]
            for image in engine.api.images(all=True)
            if engine.api.inspect_image(image["Id"]).get("Parent", "").startswith(f"sha256:{cached_layer}")
        ]
        assert children == []
        assert engine.api.images(name="portside-test/build-cancel") == []
        assert not progress.finished and progress.error is None
        # Step 2's image stays as the builder's cache (dangling until a prune, or reused by the next build).
        dangling = [image["Id"] for image in engine.api.images(filters={"dangling": True})]
        assert any(image.startswith(f"sha256:{cached_layer}") for image in dangling)
    finally:
        try:
            engine.api.remove_image(cached_layer)
        except docker.errors.APIError:
            pass
