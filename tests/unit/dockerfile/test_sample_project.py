"""gui.core.dockerfile.sample_project: the sample AI app is written into a new folder without overwriting
anything, its app.py serves the page and the model over HTTP, and the wizard's answers for it render a
Dockerfile that exposes its port and starts it with python app.py."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

from gui.core.dockerfile.lint import lint_dockerfile
from gui.core.dockerfile.project_scan import scan_project
from gui.core.dockerfile.recipe import AppKind, render_dockerfile
from gui.core.dockerfile.sample_project import (
    APP_PY,
    SAMPLE_FILES,
    SAMPLE_FOLDER_NAME,
    SAMPLE_PORT,
    create_sample_project,
    free_folder,
    sample_spec,
    sample_target,
)
from gui.core.engine.rows import ImageRow
from gui.core.errors import EngineError

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy


# Where it goes -----------------------------------------------------------------------------------------


def test_the_proposed_folder_is_a_free_one_in_home(tmp_path):
    assert free_folder(tmp_path) == tmp_path / SAMPLE_FOLDER_NAME
    (tmp_path / SAMPLE_FOLDER_NAME).mkdir()
    assert free_folder(tmp_path) == tmp_path / f"{SAMPLE_FOLDER_NAME}-2"
    (tmp_path / f"{SAMPLE_FOLDER_NAME}-2").write_text("a file takes the name too")
    assert free_folder(tmp_path) == tmp_path / f"{SAMPLE_FOLDER_NAME}-3"


def test_a_typed_new_or_empty_folder_is_used_else_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    new = tmp_path / "my-first-app"
    assert sample_target(f"  {new}  ", home) == new
    new.mkdir()
    assert sample_target(str(new), home) == new  # empty: fine
    (new / "notes.txt").write_text("mine")
    assert sample_target(str(new), home) == home / SAMPLE_FOLDER_NAME  # not empty: never mixed in
    assert sample_target("relative/folder", home) == home / SAMPLE_FOLDER_NAME
    assert sample_target("", home) == home / SAMPLE_FOLDER_NAME


# Writing -----------------------------------------------------------------------------------------------


def test_the_files_are_written_into_a_new_folder(tmp_path):
    folder = create_sample_project(tmp_path / "deep" / "sample")
    assert folder == (tmp_path / "deep" / "sample").resolve()
    assert sorted(path.name for path in folder.iterdir()) == ["README.md", "app.py", "requirements.txt"]
    for name, text in SAMPLE_FILES.items():
        assert (folder / name).read_text(encoding="utf-8") == text


def test_an_existing_file_is_never_overwritten_and_nothing_is_written(tmp_path):
    (tmp_path / "app.py").write_text("my own app\n")
    with pytest.raises(EngineError, match=r"already has app\.py.*never overwrites"):
        create_sample_project(tmp_path)
    assert (tmp_path / "app.py").read_text() == "my own app\n"
    assert not (tmp_path / "README.md").exists() and not (tmp_path / "requirements.txt").exists()


def test_a_path_through_a_file_is_a_sentence(tmp_path):
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(EngineError, match="is a file, not a folder"):
        create_sample_project(tmp_path / "taken" / "sample")


def test_requirements_list_no_package_and_say_why():
    lines = SAMPLE_FILES["requirements.txt"].splitlines()
    assert lines and all(line.startswith("#") for line in lines)
    assert "standard library" in SAMPLE_FILES["requirements.txt"]


# The app -----------------------------------------------------------------------------------------------


def test_the_app_compiles():
    compile(APP_PY, "app.py", "exec")


@pytest.fixture
def served(tmp_path):
    """The written app.py's handler, serving on 127.0.0.1 and a free port in a thread."""
    folder = create_sample_project(tmp_path / "sample")
    spec = importlib.util.spec_from_file_location("sample_app", folder / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the server starts only under __main__: importing it serves nothing

    class Quiet(module.Handler):
        def log_message(self, *args):  # the test's output stays readable
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", module
    server.shutdown()
    server.server_close()
    thread.join()


def request(url: str, body: bytes | None = None) -> tuple[int, str, str]:
    try:
        with _DIRECT.open(urllib.request.Request(url, data=body), timeout=5) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_the_page_says_what_it_is(served):
    url, _module = served
    status, content_type, body = request(url + "/")
    assert status == 200 and content_type.startswith("text/html")
    assert "Portside sample AI app" in body and "sentiment model" in body


def test_predict_answers_json(served):
    url, _module = served
    for text, label in (
        ("I love this, great work", "positive"),
        ("This is terrible", "negative"),
        ("A cup", "neutral"),
    ):
        status, content_type, body = request(url + "/predict", json.dumps({"text": text}).encode())
        assert (status, content_type) == (200, "application/json")
        assert json.loads(body)["label"] == label and json.loads(body)["text"] == text
    assert json.loads(request(url + "/predict", b'{"text": "good good bad"}')[2])["score"] == 1


def test_bad_input_and_unknown_paths_are_explained(served):
    url, _module = served
    for body in (b"not json", b'{"words": "hi"}', b'{"text": 3}'):
        status, _type, answer = request(url + "/predict", body)
        assert status == 400 and "Send JSON with a text" in json.loads(answer)["error"]
    assert request(url + "/nowhere")[0] == 404
    assert request(url + "/health")[:3] == (200, "application/json", '{"status": "ok"}')


def test_the_app_listens_on_every_interface_of_its_container(served):
    _url, module = served
    assert (module.HOST, module.PORT) == ("0.0.0.0", SAMPLE_PORT)


# The wizard's answers ----------------------------------------------------------------------------------


def test_the_sample_spec_serves_http_on_its_port(tmp_path):
    scan = scan_project(create_sample_project(tmp_path / "sample"))
    assert (scan.dependency_file, scan.entry_script, scan.requirements) == ("requirements.txt", "app.py", ())
    spec = sample_spec(scan)
    assert (spec.kind, spec.port, spec.command, spec.extra_packages) == (
        AppKind.HTTP_API,
        SAMPLE_PORT,
        ("python", "app.py"),
        (),
    )
    assert spec.problems() == {}
    dockerfile = render_dockerfile(spec)
    assert f"EXPOSE {SAMPLE_PORT}" in dockerfile and 'CMD ["python", "app.py"]' in dockerfile
    assert lint_dockerfile(dockerfile) == []


def test_the_sample_spec_prefers_a_python_image_on_this_machine(tmp_path):
    scan = scan_project(create_sample_project(tmp_path / "sample"))
    here = ImageRow("sha256:" + "a" * 64, "portside-test/python", "3.11-slim", time.time(), 150 * 1024**2)
    spec = sample_spec(scan, [here])
    assert (spec.base_image, spec.python_version) == ("portside-test/python:3.11-slim", "3.11")
    assert spec.problems() == {}
