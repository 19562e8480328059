"""The object the Files window talks to: which way it lists, what it calls itself, its docker cp twins, and its
progress reports thinned out for the window."""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path

import pytest

from gui.core.files.backend import ContainerFiles, VolumeFiles
from gui.core.files.chunks import Throttled
from gui.core.files.entries import FilesCancelled
from gui.core.files.volume_helper import helper_name
from tests.unit.files.fakes import FakeClient, member, tar_bytes


class FakeEngine:
    def __init__(self, exec_answer):
        self.exec_answer = exec_answer
        self.clients: list[FakeClient] = []

    def exec_run(self, container, argv, timeout_s):
        return self.exec_answer

    def new_client(self, timeout=60):
        client = FakeClient(tar_bytes([member("data", kind=tarfile.DIRTYPE), member("data/a.txt", b"abc")]))
        client.closed = False
        client.close = lambda: setattr(client, "closed", True)
        self.clients.append(client)
        return client


def test_a_running_container_is_listed_by_exec():
    files = ContainerFiles(FakeEngine((0, "81a4 3 1700000000 b.txt\n//links\n")), "id1", "web-1", running=True)
    listed = files.list_folder("/data/", threading.Event())
    assert (listed.how, listed.path, [e.name for e in listed.entries]) == ("exec", "/data", ["b.txt"])
    assert files.title == "Files in web-1" and files.root == "/"


def test_without_sh_or_stat_the_archive_lists_and_its_client_is_closed():
    engine = FakeEngine((127, 'exec: "sh": executable file not found in $PATH'))
    listed = ContainerFiles(engine, "id1", "web-1", running=True).list_folder("/data", threading.Event())
    assert (listed.how, [e.name for e in listed.entries]) == ("archive", ["a.txt"])
    assert engine.clients[0].closed


def test_a_stopped_container_is_listed_from_the_archive():
    engine = FakeEngine(AssertionError("no exec for a stopped container"))
    listed = ContainerFiles(engine, "id1", "web-1", running=False).list_folder("/data", threading.Event())
    assert listed.how == "archive"


def test_a_listing_asked_after_its_cancel_does_nothing():
    cancel = threading.Event()
    cancel.set()
    engine = FakeEngine((0, ""))
    with pytest.raises(FilesCancelled):
        ContainerFiles(engine, "id1", "web-1", running=True).list_folder("/data", cancel)
    assert engine.clients == []


def test_a_volume_is_named_by_its_volume_and_copied_through_its_helper():
    files = VolumeFiles(FakeEngine((0, "")), "models", "id2", "portside-volume-models-a1b2c3")
    assert (files.title, files.root) == ("Files in volume models", "/volume")
    assert files.download_command("/volume/w.bin", Path("/home/u")) == (
        "docker cp portside-volume-models-a1b2c3:/volume/w.bin /home/u"
    )
    assert files.upload_command([Path("/home/u/w.bin")], "/volume") == (
        "docker cp /home/u/w.bin portside-volume-models-a1b2c3:/volume"
    )


def test_helper_names_are_valid_container_names_and_differ():
    first, second = helper_name("models"), helper_name("models")
    assert first.startswith("portside-volume-models-") and first != second
    assert len(helper_name("f" * 64)) <= len("portside-volume-") + 40 + 7


def test_progress_is_thinned_out_and_always_ends_with_the_total():
    seen = []
    meter = Throttled(lambda done, total: seen.append((done, total)), total=10_000 * 100)
    for _ in range(10_000):
        meter.add(100)
    meter.finish()
    assert len(seen) < 1_000  # a report per add would be 10,000
    assert seen[-1] == (1_000_000, 1_000_000)


def test_a_folder_the_archive_read_passed_through_opens_without_a_second_read_until_refreshed():
    class RootEngine(FakeEngine):  # the engine's archive of "/": a root named "" and members "/data"...
        def new_client(self, timeout=60):
            client = super().new_client(timeout)
            client.archive = tar_bytes(
                [member("", kind=tarfile.DIRTYPE), member("/data", kind=tarfile.DIRTYPE), member("/data/a.txt", b"abc")]
            )
            return client

    engine = RootEngine(AssertionError("no exec for a stopped container"))
    files = ContainerFiles(engine, "id1", "web-1", running=False)
    assert [e.name for e in files.list_folder("/", threading.Event()).entries] == ["data"]
    assert [e.name for e in files.list_folder("/data", threading.Event()).entries] == ["a.txt"]
    assert len(engine.clients) == 1  # /data came with the read of /
    files.list_folder("/data", threading.Event())  # the same folder again: Refresh reads anew
    assert len(engine.clients) == 2
    files.upload([], "/data", lambda *_: None, threading.Event())  # what was read before no longer holds
    files.list_folder("/", threading.Event())
    assert len(engine.clients) == 4


def test_a_volume_is_listed_inside_a_running_container_that_mounts_it_with_the_helper_s_paths():
    asked = []

    class Engine(FakeEngine):
        def exec_run(self, container, argv, timeout_s):
            asked.append((container, argv[-1]))
            return 0, "81a4 3 1700000000 weights.bin\n//links\n"

    files = VolumeFiles(Engine(None), "models", "helper1", "portside-volume-models-1", user=("trainer1", "/models"))
    listed = files.list_folder("/volume/llama", threading.Event())
    assert asked == [("trainer1", "/models/llama")]
    assert (listed.how, [e.path for e in listed.entries]) == ("exec", ["/volume/llama/weights.bin"])
