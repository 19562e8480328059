"""The sample AI app, end to end on the real engine, the way the wizard, the Build dialog and the Run dialog
make it: the sample is written, the wizard's answers for it (a Python image already on the engine as the base)
render its Dockerfile, it builds without any download, runs with its exposed port published on 127.0.0.1 as
the Run dialog fills it in, and answers GET / and POST /predict. `docker stop` ends it cleanly (exit code 0:
the app handles SIGTERM as PID 1)."""

from __future__ import annotations

import dataclasses
import json
import urllib.request

import pytest

from gui.core.build.spec import suggested_tag
from gui.core.dockerfile.project_scan import scan_project
from gui.core.dockerfile.recipe import AppKind, render_dockerfile, render_dockerignore
from gui.core.dockerfile.sample_project import SAMPLE_FOLDER_NAME, SAMPLE_PORT, create_sample_project, sample_spec
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.engine.rows import image_rows
from gui.core.fileio import atomic_write
from gui.core.run.context import default_spec as run_defaults
from gui.core.run.context import load_context, preflight
from gui.core.run.ports import port_is_free
from gui.core.run.spec import RunContainer
from tests.engine import engine_helpers as eh
from tests.engine.test_generated_builds import build, healthcheck_passes, http_get

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy


@pytest.fixture
def engine(docker_client):
    engine = Engine(Endpoint(eh.engine_url(), "DOCKER_HOST"), docker_client.api.api_version)
    yield engine
    engine.close()


def post_json(url: str, data: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"})
    with _DIRECT.open(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_the_sample_app_builds_offline_runs_and_answers(docker_client, engine, python_base, test_labels, tmp_path):
    folder = create_sample_project(tmp_path / SAMPLE_FOLDER_NAME)
    scan = scan_project(folder)

    # The wizard's answers, with the engine's own list of images: only the local base, so the choice is known.
    rows = [row for row in image_rows(docker_client.api.images(), []) if row.reference == python_base]
    assert rows, f"{python_base} is not listed by the engine"
    spec = sample_spec(scan, rows)
    assert (spec.kind, spec.base_image, spec.python_version) == (AppKind.HTTP_API, python_base, "3.11")
    assert (spec.port, spec.command) == (SAMPLE_PORT, ("python", "app.py"))
    atomic_write(folder / "Dockerfile", render_dockerfile(spec))
    atomic_write(folder / ".dockerignore", render_dockerignore(spec, scan))

    # The Build dialog's suggestion, under the tests' own name.
    assert suggested_tag(folder) == f"{SAMPLE_FOLDER_NAME}:1.0"
    tag = f"portside-test/{SAMPLE_FOLDER_NAME}:{test_labels[eh.CASE_LABEL]}"
    image, _ids = build(docker_client, folder, tag, test_labels)
    assert f"{SAMPLE_PORT}/tcp" in image.attrs["Config"]["ExposedPorts"]

    # The Run dialog's defaults for the fresh image: its port on 127.0.0.1, the same number when free.
    port_was_free = port_is_free(SAMPLE_PORT)
    context = load_context(engine, tag, gpu_support=None)
    run = run_defaults(tag, context)
    (published,) = run.ports
    assert published.container == str(SAMPLE_PORT) and not published.all_interfaces
    if port_was_free:
        assert published.host == str(SAMPLE_PORT)
    run = dataclasses.replace(run, labels=tuple(test_labels.items()))
    assert [problem for problem in preflight(run, context) if not problem.warning] == []
    action = RunContainer(run)
    assert f"-p 127.0.0.1:{published.host}:{SAMPLE_PORT}" in action.command
    container_id = engine.perform(action)

    base = f"http://127.0.0.1:{published.host}"
    try:
        page = http_get(base + "/", deadline_s=30)
    except OSError:
        pytest.fail(f"no answer on {base}; logs:\n{docker_client.api.logs(container_id).decode(errors='replace')}")
    assert "Portside sample AI app" in page
    assert post_json(base + "/predict", {"text": "I love this"})["label"] == "positive"
    assert post_json(base + "/predict", {"text": "this is terrible"})["label"] == "negative"
    assert json.loads(http_get(base + "/health")) == {"status": "ok"}
    assert healthcheck_passes(docker_client.containers.get(container_id), image)

    docker_client.api.stop(container_id, timeout=30)
    state = docker_client.api.inspect_container(container_id)["State"]
    assert state["ExitCode"] == 0, "SIGTERM should end the app; 137 means Docker had to kill it"
