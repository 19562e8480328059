"""The Learn progress file (round trip, a corrupt file set aside, reset) and the facts a worker gathers (HTTP probe,
lint of the project's Dockerfile, RepoDigests)."""

import json
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gui.core.build.history import BuildHistory, BuildRecord
from gui.core.engine.rows import ContainerRow, PublishedPort
from gui.core.learn.facts import ProjectChecker, answers_http
from gui.core.learn.store import MAX_REMEMBERED, LearnProgress, LearnStore, default_path

IMAGE_ID = "sha256:" + "ab12" * 16


def test_nothing_stored_is_the_very_first_start(tmp_path):
    progress = LearnStore(tmp_path / "learn.json").load()
    assert progress == LearnProgress() and progress.stored is False


def test_round_trip(tmp_path):
    store = LearnStore(tmp_path / "data" / "learn.json")
    progress = (
        LearnProgress(skipped=True, wizard_folder="/home/me/app", wizard_at=12.5)
        .with_read("what-is-docker")
        .with_running({"c1", "c2"})
        .with_push("127.0.0.1:5000/app:1.0")
    )
    store.save(progress)
    again = store.load()
    assert again.stored and again == LearnProgress(**{**progress.__dict__, "stored": True})
    assert json.loads(store.path.read_text())["version"] == 1


def test_remembered_lists_stay_small_and_keep_the_newest(tmp_path):
    progress = LearnProgress()
    for number in range(MAX_REMEMBERED + 5):
        progress = progress.with_running({f"c{number:03d}"}).with_push(f"r/app:{number}")
    assert len(progress.seen_running) == MAX_REMEMBERED and progress.seen_running[-1] == f"c{MAX_REMEMBERED + 4:03d}"
    assert len(progress.pushed) == MAX_REMEMBERED and progress.pushed[-1] == f"r/app:{MAX_REMEMBERED + 4}"


@pytest.mark.parametrize(
    "text", ["{not json", '["a list"]', '{"read": "what-is-docker"}', '{"skipped": "yes"}', "\udcff"]
)
def test_a_corrupt_file_is_set_aside_and_counts_as_a_returning_user(tmp_path, text, caplog):
    path = tmp_path / "learn.json"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    with caplog.at_level(logging.INFO, logger="portside"):
        progress = LearnStore(path).load()
    assert progress.stored and progress.read == frozenset() and not progress.skipped
    assert not path.exists() and (tmp_path / "learn.json.corrupt").exists()
    assert "learn.json.corrupt" in caplog.text


def test_unknown_steps_of_another_version_are_dropped(tmp_path):
    path = tmp_path / "learn.json"
    path.write_text(json.dumps({"read": ["what-is-docker", "gone-step"]}))
    assert LearnStore(path).load().read == {"what-is-docker"}


def test_reset_forgets_progress_but_keeps_the_project_and_the_file(tmp_path):
    store = LearnStore(tmp_path / "learn.json")
    store.save(LearnProgress(skipped=True, wizard_folder="/p", wizard_at=3).with_read("where-next").with_push("a/b:1"))
    kept = store.reset()
    assert kept == LearnProgress(wizard_folder="/p", wizard_at=3, stored=True)
    assert store.load() == kept


def test_the_file_lives_in_the_users_data_folder():
    assert Path(os.environ["XDG_DATA_HOME"]) in default_path().parents  # tests keep it in a sandbox


# Facts --------------------------------------------------------------------------------------------------------


@pytest.fixture
def http_port():
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(404)  # any answer counts: the app is there
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_port_that_answers_http_counts_whatever_the_status(http_port):
    assert answers_http(f"http://127.0.0.1:{http_port}")
    assert not answers_http(f"http://127.0.0.1:{free_port()}")
    assert not answers_http("udp://127.0.0.1:53") and not answers_http("http://127.0.0.1")


def write_project(tmp_path, dockerfile: str) -> tuple[BuildHistory, Path]:
    folder = tmp_path / "sample-app"
    folder.mkdir()
    (folder / "Dockerfile").write_text(dockerfile)
    (folder / ".dockerignore").write_text(".git\n")
    history = BuildHistory(tmp_path / "builds")
    history.add(
        BuildRecord(
            id="20260101-000000-abcdef",
            tags=("sample-app:1.0",),
            context=str(folder),
            dockerfile="Dockerfile",
            started=100.0,
            duration_s=1.0,
            result="succeeded",
            image_id=IMAGE_ID,
            image_size=1,
            command="docker build -t sample-app:1.0 .",
        ),
        [],
    )
    return history, folder


GOOD = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 80\nCMD ["python", "app.py"]\n'


def container(port: int) -> ContainerRow:
    return ContainerRow(
        id="c" * 64,
        name="app",
        image="sample-app:1.0",
        image_id=IMAGE_ID,
        command="python app.py",
        state="running",
        status="Up",
        created=0,
        ports=(PublishedPort(port, 80, "tcp", "127.0.0.1"),),
    )


def test_gather_finds_the_project_lints_it_and_probes_its_port(tmp_path, http_port):
    history, folder = write_project(tmp_path, GOOD)
    checker = ProjectChecker(history)
    inspected = []

    def inspect(image_id):
        inspected.append(image_id)
        return {"RepoDigests": ["127.0.0.1:5000/sample-app@sha256:" + "1" * 64]}

    gathered = checker.gather([container(http_port)], None, 0, inspect)
    assert gathered.project.folder == str(folder) and gathered.project.image_id == IMAGE_ID
    assert gathered.facts.dockerfile_found and gathered.facts.lint_rules == frozenset()
    assert gathered.facts.answering == {f"http://127.0.0.1:{http_port}"}
    assert gathered.facts.repo_digests == ("127.0.0.1:5000/sample-app@sha256:" + "1" * 64,)
    assert inspected == [IMAGE_ID]


def test_lint_runs_again_only_when_the_dockerfile_changed(tmp_path):
    history, folder = write_project(tmp_path, GOOD)
    checker = ProjectChecker(history, probe=lambda url: False)
    assert checker.gather([], None, 0).facts.lint_rules == frozenset()
    (folder / "Dockerfile").write_text(GOOD.replace("python:3.12-slim", "python:3.12") + "ENV API_KEY=abc\n")
    rules = checker.gather([], None, 0).facts.lint_rules
    assert {"PS001", "PS003"} <= rules


def test_a_missing_dockerfile_and_a_failing_inspect_are_facts_not_errors(tmp_path):
    history, folder = write_project(tmp_path, GOOD)
    (folder / "Dockerfile").unlink()

    def inspect(_image_id):
        raise RuntimeError("no such image")

    facts = ProjectChecker(history).gather([], None, 0, inspect).facts
    assert not facts.dockerfile_found and facts.lint_rules is None and facts.repo_digests == ()
