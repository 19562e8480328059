"""Dockerfiles that gui.core.dockerfile.recipe generates build on the real engine, and the images run.

The base is a local Python image the tests make (tests/engine/python_base.py: debootstrap +
docker import, cached between runs), so nothing is pulled. Builds have no package index either,
so every project here has a requirements.txt without packages.

What this covers, and what it does not:
- the seed's own sample (app.py on port 80, requirements.txt, CMD ["python", "app.py"]) goes
  through scan -> default_spec -> render -> build -> run -> HTTP, like the wizard would do it;
- each CPU kind (script, HTTP API, notebook), single- and multi-stage, builds and runs. The HTTP
  API and notebook kinds are built with an empty requirements file, no extra packages and a
  stdlib web server as the command, because FastAPI, uvicorn and JupyterLab cannot be installed
  offline: their real commands are checked by hadolint and the round trip in
  tests/unit/dockerfile/test_recipe.py only. Their own parts (HEALTHCHECK, writable workdir for notebooks,
  non-root user, EXPOSE, ENV quoting, .dockerignore) are real here;
- pyproject.toml and environment.yml are not built here (pip's build isolation and conda need a
  package index), nor the GPU kinds (their framework images are several GB from Docker Hub).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import docker
import docker.errors
import pytest

from gui.core.dockerfile.project_scan import scan_project
from gui.core.dockerfile.recipe import AppKind, default_spec, render_dockerfile, render_dockerignore
from gui.core.fileio import atomic_write
from tests.engine import engine_helpers as eh

GREETING = "hello from my-ai-app"

# The seed's sample app, standard library only: answers every GET on port 80 (or $PORT).
APP_PY = f'''\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = "{GREETING}\\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "80"))), Hello).serve_forever()
'''
REQUIREMENTS = "# No packages: this app uses only the standard library.\n"
# Docker must read these back literally: quotes, backslash, dollar sign.
TRICKY_ENV = (("MODEL_NAME", 'tiny "bert" \\ $HOME'), ("GREETING", 'it\'s "here" \\ $X'), ("THREADS", "4"))

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def make_project(folder: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def build(client: docker.DockerClient, context: Path, tag: str, labels: dict[str, str]):
    """docker build as Portside runs it (rm + forcerm). Returns the image and the layer ids
    the log names (for removing a multi-stage builder's leftovers afterwards)."""
    ids: list[str] = []
    started = time.monotonic()
    try:
        image, log = client.images.build(
            path=str(context), tag=tag, rm=True, forcerm=True, pull=False, labels={eh.SHARED_LABEL: "0", **labels}
        )
    except docker.errors.BuildError as exc:
        text = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in exc.build_log)
        pytest.fail(
            f"building {tag} failed: {exc.msg}\n{text}\n--- Dockerfile ---\n{(context / 'Dockerfile').read_text()}"
        )
    for chunk in log:
        line = str(chunk.get("stream") or "").strip()
        if line.startswith("---> ") and " " not in line[5:]:
            ids.append(line[5:])
    print(f"built {tag} in {time.monotonic() - started:.1f} s")
    return image, ids


def remove_builder_leftovers(client: docker.DockerClient, ids: list[str]) -> None:
    """The legacy builder keeps a multi-stage build's builder stage as an untagged image with no
    label of this test. Remove untagged ones, newest first; tagged ones (the bases) never."""
    for image_id in reversed(ids):
        try:
            if client.images.get(image_id).tags:
                continue
            client.images.remove(image_id)
        except docker.errors.APIError:  # NotFound, or still a parent of something: not ours to force
            pass


def http_get(url: str, deadline_s: float = 20) -> str:
    end = time.monotonic() + deadline_s
    while True:
        try:
            with _DIRECT.open(url, timeout=2) as response:
                return response.read().decode()
        except (urllib.error.URLError, OSError):
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def run_and_fetch(client, image, container_port: int, labels, environment=None) -> tuple[object, str]:
    host_port = eh.free_port()
    container = client.containers.run(
        image.id,
        detach=True,
        labels=labels,
        environment=environment or {},
        ports={f"{container_port}/tcp": ("127.0.0.1", host_port)},
    )
    try:
        return container, http_get(f"http://127.0.0.1:{host_port}/")
    except OSError:
        container.reload()
        pytest.fail(
            f"no answer on 127.0.0.1:{host_port} (state {container.status}); logs:\n"
            f"{container.logs().decode(errors='replace')}"
        )


def files_in_image(client, image, labels) -> set[str]:
    listing = client.containers.run(
        image.id,
        [
            "python",
            "-c",
            "import os, json; print(json.dumps([os.path.join(d, f) for d, _, fs in os.walk('.') for f in fs]))",
        ],
        remove=True,
        labels=labels,
    )
    return {path.removeprefix("./") for path in json.loads(listing)}


def healthcheck_passes(container, image) -> bool:
    """Run the image's HEALTHCHECK command in the running container, as the engine would."""
    test = image.attrs["Config"]["Healthcheck"]["Test"]
    assert test[0] == "CMD"
    exit_code, _output = container.exec_run(test[1:])
    return exit_code == 0


def test_seed_sample_from_the_wizard_builds_runs_and_answers(docker_client, python_base, test_labels, tmp_path):
    project = make_project(
        tmp_path / "my-ai-app",
        {
            "app.py": APP_PY,
            "requirements.txt": REQUIREMENTS,
            ".env": "HF_TOKEN=do-not-ship-me\n",  # .dockerignore keeps secrets out
            "models/weights.pt": "pretend weights\n",  # ... and large model files
            "__pycache__/app.cpython-311.pyc": "x",
        },
    )
    scan = scan_project(project)
    assert (scan.dependency_file, scan.entry_script, scan.suggested_kind) == (
        "requirements.txt",
        "app.py",
        AppKind.SCRIPT,
    )
    # The wizard's defaults for the scan, with the base set to the local Python image.
    spec = replace(default_spec(AppKind.SCRIPT, scan), base_image=python_base, python_version="3.11")
    assert (spec.port, spec.command, spec.dependency_file) == (80, ("python", "app.py"), "requirements.txt")
    assert spec.problems() == {}
    atomic_write(project / "Dockerfile", render_dockerfile(spec))
    atomic_write(project / ".dockerignore", render_dockerignore(spec, scan))

    tag = f"portside-test/my-ai-app:{test_labels[eh.CASE_LABEL]}"
    image, ids = build(docker_client, project, tag, test_labels)
    try:
        assert tag in image.tags
        config = image.attrs["Config"]
        assert "80/tcp" in config["ExposedPorts"] and config["Cmd"] == ["python", "app.py"]
        assert config["User"] == "10001:10001" and config["WorkingDir"] == "/app"

        container, body = run_and_fetch(docker_client, image, 80, test_labels)
        assert body == GREETING + "\n"
        assert container.exec_run(["id", "-u"]).output.decode().strip() == "10001"  # not root

        files = files_in_image(docker_client, image, test_labels)
        assert {"app.py", "requirements.txt"} <= files
        assert not {".env", "models/weights.pt"} & files and not any(".pyc" in f for f in files)
    finally:
        remove_builder_leftovers(docker_client, ids)


CPU_KINDS = (AppKind.SCRIPT, AppKind.HTTP_API, AppKind.NOTEBOOK)


@pytest.mark.parametrize("multi_stage", [False, True], ids=["single-stage", "multi-stage"])
@pytest.mark.parametrize("kind", CPU_KINDS, ids=[kind.value for kind in CPU_KINDS])
def test_cpu_kinds_build_and_run(docker_client, python_base, test_labels, tmp_path, kind, multi_stage):
    project = make_project(
        tmp_path / "project", {"app.py": APP_PY, "requirements.txt": REQUIREMENTS, "notebook.ipynb": "{}"}
    )
    scan = scan_project(project)
    port = kind.default_port
    spec = replace(
        default_spec(kind, scan),
        base_image=python_base,
        python_version="3.11",
        multi_stage=multi_stage,
        healthcheck=True,
        env=TRICKY_ENV + (("PORT", str(port)),),
        runtime_env=("HF_TOKEN",),
        # Offline: no uvicorn / JupyterLab to install, so the stdlib server stands in (see the docstring).
        extra_packages=(),
        command=("python", "app.py"),
    )
    assert spec.problems() == {}
    text = render_dockerfile(spec)
    assert text.count("\nFROM ") == (2 if multi_stage else 1)
    atomic_write(project / "Dockerfile", text)
    atomic_write(project / ".dockerignore", render_dockerignore(spec, scan))

    tag = f"portside-test/{kind.value}:{test_labels[eh.CASE_LABEL]}"
    image, ids = build(docker_client, project, tag, test_labels)
    try:
        config = image.attrs["Config"]
        env = dict(entry.split("=", 1) for entry in config["Env"])
        for name, value in TRICKY_ENV:
            assert env[name] == value  # Docker read the quoting back literally
        assert "HF_TOKEN" not in env  # a runtime variable, never baked in
        assert f"{port}/tcp" in config["ExposedPorts"] and config["User"] == "10001:10001"

        container, body = run_and_fetch(
            docker_client, image, port, test_labels, environment={"HF_TOKEN": "given-at-run-time"}
        )
        assert body == GREETING + "\n"
        assert healthcheck_passes(container, image)
        can_write = container.exec_run(["python", "-c", "open('saved.ipynb', 'w').write('{}')"]).exit_code == 0
        # Notebooks are saved next to the others; other kinds' code stays read-only to the app.
        assert can_write == (kind is AppKind.NOTEBOOK)
    finally:
        remove_builder_leftovers(docker_client, ids)
