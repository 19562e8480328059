"""BuildHistory: records and logs kept between sessions, bounded, written atomically, and an unreadable index
set aside instead of crashing the app."""

import json
import logging
import os
import threading
from pathlib import Path

import pytest

from gui.core.build.history import BuildHistory, BuildRecord, capped_log, default_folder, new_record_id


def record(number: int, **changes) -> BuildRecord:
    values = {
        "id": f"20240601-1200{number:02d}-abc{number:03d}",
        "tags": ("my-ai-app:1.0",),
        "context": "/home/me/project",
        "dockerfile": "Dockerfile",
        "started": 1_717_243_200.0 + number,
        "duration_s": 12.5,
        "result": "succeeded",
        "image_id": "sha256:" + "a" * 64,
        "image_size": 123_456_789,
        "command": "docker build -t my-ai-app:1.0 --force-rm /home/me/project",
    }
    return BuildRecord(**{**values, **changes})


def test_records_and_logs_come_back_newest_first(tmp_path):
    history = BuildHistory(tmp_path / "builds")
    assert history.records() == []
    history.add(record(1), ["Step 1/2 : FROM x", "Successfully built abc"])
    history.add(
        record(3, result="failed", image_id=None, image_size=None, error="The step `RUN x` failed."),
        ["Step 1/1 : RUN x", "\x1b[91moops\x1b[0m"],
    )
    history.add(record(2, result="cancelled", tags=()), [])

    again = BuildHistory(tmp_path / "builds")  # another session
    assert [item.id for item in again.records()] == [record(3).id, record(2).id, record(1).id]
    assert again.records()[0] == record(
        3, result="failed", image_id=None, image_size=None, error="The step `RUN x` failed."
    )
    assert again.records()[1].tags == ()
    assert again.log(record(1).id) == "Step 1/2 : FROM x\nSuccessfully built abc\n"
    assert again.log(record(3).id).splitlines()[1] == "\x1b[91moops\x1b[0m"
    assert again.log(record(2).id) == ""
    assert again.log("no-such-build") == "" and again.log("../../etc/passwd") == ""


def test_adding_a_record_again_replaces_it(tmp_path):
    history = BuildHistory(tmp_path)
    history.add(record(1, result="cancelled"), ["first"])
    history.add(record(1), ["second"])
    assert [item.result for item in history.records()] == ["succeeded"]
    assert history.log(record(1).id) == "second\n"


def test_old_records_and_their_logs_are_dropped(tmp_path):
    history = BuildHistory(tmp_path, max_records=3)
    for number in range(5):
        history.add(record(number), [f"log {number}"])
    assert [item.id for item in history.records()] == [record(4).id, record(3).id, record(2).id]
    assert sorted(path.name for path in tmp_path.glob("*.log")) == sorted(f"{record(n).id}.log" for n in (2, 3, 4))


def test_a_long_log_keeps_its_end_under_a_note(tmp_path):
    history = BuildHistory(tmp_path, max_log_bytes=10_000)
    lines = [f"line {number:05d} " + "x" * 80 for number in range(1000)]
    history.add(record(1), lines)
    text = history.log(record(1).id)
    assert len(text.encode()) <= 10_000
    first, *kept = text.splitlines()
    assert first.startswith("[Log cut: the first ") and "lines were left out" in first
    assert kept[-1] == lines[-1] and kept == lines[-len(kept) :]  # whole lines, the end of the log
    dropped = int(first.split("first ")[1].split(" ")[0])
    assert dropped + len(kept) == len(lines)


def test_capped_log_leaves_short_logs_alone_and_cuts_on_characters_not_bytes():
    assert capped_log(["a", "b"], 1000) == "a\nb\n"
    assert capped_log([], 1000) == ""
    text = capped_log(["é" * 600] * 10, 2000)
    assert text.startswith("[Log cut") and text.endswith("é\n")
    text.encode("utf-8")  # still valid UTF-8


def test_remove(tmp_path):
    history = BuildHistory(tmp_path)
    history.add(record(1), ["one"])
    history.add(record(2), ["two"])
    history.remove(record(1).id)
    history.remove("never-there")
    assert [item.id for item in history.records()] == [record(2).id]
    assert not (tmp_path / f"{record(1).id}.log").exists()


def test_a_corrupt_index_is_set_aside_and_the_history_starts_again(tmp_path, caplog, expect_log_warnings):
    history = BuildHistory(tmp_path)
    history.add(record(1), ["one"])
    (tmp_path / "index.json").write_text('{"version": 1, "records": [')  # cut short by a crash elsewhere
    with caplog.at_level(logging.WARNING, logger="portside.builds"):
        assert history.records() == []
    assert (tmp_path / "index.json.corrupt").read_text() == '{"version": 1, "records": ['
    assert "cannot be read" in caplog.text and "index.json.corrupt" in caplog.text
    history.add(record(2), ["two"])
    assert [item.id for item in history.records()] == [record(2).id]


@pytest.mark.parametrize("content", ["[]", '{"records": {}}', '"text"', "\x00\x01"])
def test_an_index_of_the_wrong_shape_is_corrupt_too(tmp_path, content, expect_log_warnings):
    (tmp_path / "index.json").write_text(content)
    assert BuildHistory(tmp_path).records() == []
    assert (tmp_path / "index.json.corrupt").exists()


def test_one_unreadable_record_is_skipped_not_the_whole_history(tmp_path):
    good = record(1).to_json()
    (tmp_path / "index.json").write_text(
        json.dumps(
            {
                "version": 1,
                "records": [
                    good,
                    {"id": "x"},
                    "nonsense",
                    {**good, "id": "../escape"},
                    {**good, "id": "later-one", "future": 1},
                    {**good, "id": "bad-tags", "tags": [1, 2]},
                    {**good, "id": "bad-time", "started": "noon"},
                ],
            }
        )
    )
    records = BuildHistory(tmp_path).records()
    assert [item.id for item in records] == [record(1).id, "later-one"]


def test_bad_ids_and_results_are_refused(tmp_path):
    history = BuildHistory(tmp_path)
    with pytest.raises(ValueError):
        history.add(record(1, id="../../x"), [])
    with pytest.raises(ValueError):
        history.add(record(1, result="exploded"), [])
    with pytest.raises(ValueError):
        history.remove("a/b")
    assert not list(tmp_path.iterdir())


def test_writes_are_atomic(tmp_path, monkeypatch):
    history = BuildHistory(tmp_path)
    history.add(record(1), ["one"])
    before = (tmp_path / "index.json").read_text()

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        history.add(record(2), ["two"])
    monkeypatch.undo()
    assert (tmp_path / "index.json").read_text() == before
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []
    assert [item.id for item in history.records()] == [record(1).id]


def test_stray_logs_are_removed(tmp_path):
    (tmp_path / "20200101-000000-dead00.log").write_text("left by a crash")
    BuildHistory(tmp_path).add(record(1), ["one"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["20240601-120001-abc001.log", "index.json"]


def test_adds_from_several_threads_all_land(tmp_path):
    history = BuildHistory(tmp_path)
    threads = [threading.Thread(target=history.add, args=(record(n), [str(n)])) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(history.records()) == 20


def test_ids_and_the_default_folder():
    first, second = new_record_id(1_717_243_200), new_record_id(1_717_243_200)
    assert first != second and first[:15] == second[:15]
    assert Path(os.environ["XDG_DATA_HOME"]) in default_folder().parents  # tests keep it in a sandbox
    assert default_folder().name == "builds"
