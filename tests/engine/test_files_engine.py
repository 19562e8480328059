"""The Files core on the real engine: a folder listed inside a running container (exec) and read from the archive of
a stopped one agree; files and folders go in and come back byte for byte; a volume's files through its helper
container stay in the volume; a missing path is a sentence; a 1 GB round trip keeps the process's memory flat."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import psutil
import pytest

from gui.core.errors import EngineError, NotFound
from gui.core.files.backend import ContainerFiles, VolumeFiles
from gui.core.files.volume_helper import HELPER_LABEL
from tests.engine import engine_helpers as eh

SETUP = (
    "mkdir -p '/data/my models/v2' /data/empty && printf 'weights' > '/data/my models/v2/w one.bin' && "
    "printf '{}' > /data/config.json && printf 'x' > /data/.hidden && ln -s 'my models/v2' /data/latest"
)


def no_progress(done, total):
    pass


def started(docker_client, image, labels, command=("sleep", "600")):
    container = docker_client.containers.create(image, list(command), labels=labels, network_mode="none")
    container.start()
    return container


@pytest.mark.parametrize("image_fixture", ["busybox_image", "python_base"])
def test_exec_and_archive_listings_agree(request, engine, docker_client, test_labels, image_fixture):
    container = started(docker_client, request.getfixturevalue(image_fixture), test_labels)
    code, output = engine.exec_run(container.id, ["sh", "-c", SETUP], timeout_s=30)
    assert code == 0, output
    cancel = threading.Event()

    by_exec = ContainerFiles(engine, container.id, container.name, running=True).list_folder("/data", cancel)
    container.kill()
    stopped = ContainerFiles(engine, container.id, container.name, running=False)
    by_archive = stopped.list_folder("/data", cancel)
    through_link = stopped.list_folder("/data/latest", cancel)  # the engine's archive of a link holds only the link
    assert [(e.path, e.size) for e in through_link.entries] == [("/data/latest/w one.bin", 7)]

    assert (by_exec.how, by_archive.how) == ("exec", "archive")
    seen = [(e.name, e.kind, e.mode, e.target) for e in by_exec.entries]
    assert seen == [(e.name, e.kind, e.mode, e.target) for e in by_archive.entries]
    assert seen == [
        ("empty", "folder", 0o755, ""),
        ("my models", "folder", 0o755, ""),
        (".hidden", "file", 0o644, ""),
        ("config.json", "file", 0o644, ""),
        ("latest", "link", 0o777, "my models/v2"),
    ]
    sizes = {e.name: (e.size, e.path) for e in by_archive.entries}
    assert sizes["my models"] == (7, "/data/my models")  # the archive sums the files under a folder
    assert {e.name: e.size for e in by_exec.entries}["my models"] is None
    assert {e.name: e.size for e in by_exec.entries}["config.json"] == 2


def test_files_and_folders_go_in_and_come_back_byte_for_byte(
    engine, docker_client, busybox_image, test_labels, tmp_path
):
    container = started(docker_client, busybox_image, test_labels)
    files = ContainerFiles(engine, container.id, container.name, running=True)
    project = tmp_path / "out" / "my project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('hello')\n")
    (project / "data.bin").write_bytes(os.urandom(3_000_000))
    (project / "run.sh").write_text("#!/bin/sh\n")
    (project / "run.sh").chmod(0o755)
    single = tmp_path / "out" / "notes one.txt"
    single.write_text("a note")
    cancel = threading.Event()
    seen = []

    sent = files.upload([project, single], "/tmp", lambda done, total: seen.append((done, total)), cancel)
    assert sent.written == ("/tmp/my project", "/tmp/notes one.txt")
    assert seen[-1] == (sent.size, sent.size) == (3_000_000 + 15 + 10 + 6,) * 2
    assert [e.name for e in files.list_folder("/tmp/my project", cancel).entries] == ["src", "data.bin", "run.sh"]

    back = tmp_path / "back"
    back.mkdir()
    got = files.download("/tmp/my project", back, no_progress, cancel)
    files.download("/tmp/notes one.txt", back, no_progress, cancel)
    assert got.written == (str(back / "my project"),)
    for path in [p for p in project.rglob("*") if p.is_file()]:
        copy = back / "my project" / path.relative_to(project)
        assert copy.read_bytes() == path.read_bytes(), copy
        assert copy.stat().st_mode & 0o777 == path.stat().st_mode & 0o777
    assert (back / "notes one.txt").read_text() == "a note"
    with pytest.raises(FileExistsError):
        files.download("/tmp/notes one.txt", back, no_progress, cancel)


def test_a_volumes_files_through_its_helper(engine, docker_client, busybox_image, test_labels, tmp_path):
    volume = docker_client.volumes.create(f"portside-test-files-{test_labels[eh.CASE_LABEL]}", labels=test_labels)
    (tmp_path / "weights.bin").write_bytes(b"w" * 1000)
    cancel = threading.Event()
    files = VolumeFiles.open(engine, volume.name)
    try:
        helper = docker_client.containers.get(files.container_id)
        assert helper.status == "created" and helper.labels[HELPER_LABEL] == "volume"
        assert files.root == "/volume" and files.title == f"Files in volume {volume.name}"
        files.upload([tmp_path / "weights.bin"], "/volume", no_progress, cancel)
        listed = files.list_folder("/volume", cancel)
        assert [(e.name, e.size) for e in listed.entries] == [("weights.bin", 1000)]
        (tmp_path / "back").mkdir()
        files.download("/volume/weights.bin", tmp_path / "back", no_progress, cancel)
        assert (tmp_path / "back" / "weights.bin").read_bytes() == b"w" * 1000
        assert files.download_command("/volume/weights.bin", Path("/home/u")) == (
            f"docker cp {helper.name}:/volume/weights.bin /home/u"
        )
    finally:
        files.close()
    assert not docker_client.containers.list(all=True, filters={"id": files.container_id})
    reader = docker_client.containers.run(
        busybox_image,
        ["cat", "/v/weights.bin"],
        volumes={volume.name: {"bind": "/v", "mode": "ro"}},
        labels=test_labels,
        network_mode="none",
    )  # not remove=True: docker-py removes the container before reading its output, which then may be lost
    assert reader == b"w" * 1000


def test_a_missing_path_is_a_sentence(engine, docker_client, busybox_image, test_labels, tmp_path):
    container = started(docker_client, busybox_image, test_labels)
    cancel = threading.Event()
    running = ContainerFiles(engine, container.id, container.name, running=True)
    stopped = ContainerFiles(engine, container.id, container.name, running=False)
    there_is_none = "There is no /nowhere in the container. It may have been moved or removed; refresh the folder."
    for files in (running, stopped):
        with pytest.raises(NotFound) as refused:
            files.list_folder("/nowhere", cancel)
        assert refused.value.message == there_is_none
    with pytest.raises(NotFound) as refused:
        running.download("/nowhere", tmp_path, no_progress, cancel)
    assert refused.value.message == there_is_none
    assert os.listdir(tmp_path) == []
    (tmp_path / "a.txt").write_text("a")
    with pytest.raises(NotFound) as refused:
        running.upload([tmp_path / "a.txt"], "/nowhere", no_progress, cancel)
    assert refused.value.message == (
        "The folder /nowhere does not exist in the container. Create it first, or pick another folder."
    )
    with pytest.raises(EngineError, match="is a file in the container, not a folder"):
        running.upload([tmp_path / "a.txt"], "/bin/busybox", no_progress, cancel)


class PeakRss:
    """The process's resident memory sampled on a thread: the most it grew above where it started."""

    def __init__(self):
        self._process = psutil.Process()
        self._start = self._process.memory_info().rss
        self.peak = self._start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def growth(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak - self._start


def test_a_1_gb_round_trip_keeps_memory_flat(engine, docker_client, busybox_image, test_labels, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as out:
        out.truncate(1 << 30)
        out.seek(700_000_000)
        out.write(b"a marker so the copy is checked, not only its size")
    container = docker_client.containers.create(busybox_image, ["true"], labels=test_labels, network_mode="none")
    files = ContainerFiles(engine, container.id, container.name, running=False)
    cancel = threading.Event()
    (tmp_path / "back").mkdir()
    started_at = time.monotonic()
    memory = PeakRss()
    files.upload([big], "/tmp", no_progress, cancel)
    files.download("/tmp/big.bin", tmp_path / "back", no_progress, cancel)
    growth = memory.growth()
    print(f"1 GB up and down in {time.monotonic() - started_at:.1f} s, peak RSS growth {growth / 2**20:.1f} MiB")
    assert growth < 100 * 2**20
    copy = tmp_path / "back" / "big.bin"
    assert copy.stat().st_size == 1 << 30
    assert _sha256(copy) == _sha256(big)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while piece := source.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def test_a_volume_a_running_container_mounts_is_listed_inside_it(engine, docker_client, busybox_image, test_labels):
    volume = docker_client.volumes.create(f"portside-test-files-{test_labels[eh.CASE_LABEL]}", labels=test_labels)
    trainer = docker_client.containers.run(
        busybox_image,
        ["sh", "-c", "mkdir -p /models/llama && echo 42 > /models/llama/config.json && sleep 600"],
        detach=True,
        volumes={volume.name: {"bind": "/models", "mode": "rw"}},
        labels=test_labels,
        network_mode="none",
    )
    cancel = threading.Event()
    files = VolumeFiles.open(engine, volume.name)
    try:
        assert files.user == (trainer.id, "/models")
        deadline = time.monotonic() + 30
        while trainer.exec_run(["cat", "/models/llama/config.json"]).exit_code and time.monotonic() < deadline:
            time.sleep(0.1)  # the container writes its file as it starts
        listed = files.list_folder("/volume/llama", cancel)
        assert listed.how == "exec"
        assert [(e.path, e.size) for e in listed.entries] == [("/volume/llama/config.json", 3)]
        trainer.kill()  # no container to list in any more: the archive reads it, the same files
        listed = files.list_folder("/volume/llama", cancel)
        assert listed.how == "archive" and [e.path for e in listed.entries] == ["/volume/llama/config.json"]
    finally:
        files.close()
