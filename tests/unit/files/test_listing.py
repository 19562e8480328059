"""Listing a container's folder: the exec script's stat lines read into entries, and the archive walk that reads
tar headers only."""

from __future__ import annotations

import tarfile
import threading

import pytest

from gui.core.errors import EngineError, NotFound
from gui.core.files.entries import FilesCancelled, normalise
from gui.core.files.listing import LIST_SCRIPT, list_by_archive, list_by_exec, parse_stat_output
from tests.unit.files.fakes import FakeClient, member, tar_bytes

STAT_OUTPUT = "\n".join(
    [
        "41ed 4096 1700000000 my models",  # a folder with a space in its name
        "81a4 1234 1700000001 .env",  # hidden
        "81a4 5 1700000002 notes  two spaces.txt",
        "a1ff 11 1700000003 latest",
        "2190 0 1700000004 null",  # a character device
        "stat: can't stat '..?*': No such file or directory",  # an error that slipped through
        "second half of a name cut at a newline",
        "//links",
        "latest",
        "my models/v2",
        "",
    ]
)


def test_stat_lines_become_entries_with_kinds_sizes_modes_and_link_targets():
    entries = {e.name: e for e in parse_stat_output(STAT_OUTPUT, "/data")}
    assert set(entries) == {"my models", ".env", "notes  two spaces.txt", "latest", "null"}
    folder = entries["my models"]
    assert (folder.kind, folder.size, folder.mode, folder.path) == ("folder", None, 0o755, "/data/my models")
    assert (entries[".env"].kind, entries[".env"].size, entries[".env"].modified) == ("file", 1234, 1700000001.0)
    assert entries["notes  two spaces.txt"].path == "/data/notes  two spaces.txt"
    assert (entries["latest"].kind, entries["latest"].target, entries["latest"].mode) == ("link", "my models/v2", 0o777)
    assert entries["null"].kind == "other"


def test_the_script_is_handed_the_folder_as_an_argument_not_spliced_into_it():
    class Engine:
        def exec_run(self, container, argv, timeout_s):
            self.argv = argv
            return 0, STAT_OUTPUT

    engine = Engine()
    listed = list_by_exec(engine, "abc", "/data/it's here")
    assert engine.argv == ["sh", "-c", LIST_SCRIPT, "sh", "/data/it's here"]
    assert listed.how == "exec"
    assert [e.name for e in listed.entries] == ["my models", ".env", "latest", "notes  two spaces.txt", "null"]


@pytest.mark.parametrize(
    ("code", "outcome"),
    [(2, NotFound), (3, EngineError), (4, None), (5, None), (126, None), (127, None)],
)
def test_exec_answers_a_missing_path_a_file_or_hands_over_to_the_archive(code, outcome):
    class Engine:
        def exec_run(self, container, argv, timeout_s):
            return code, 'OCI runtime exec failed: exec: "sh": executable file not found'

    if outcome is None:
        assert list_by_exec(Engine(), "abc", "/data") is None
    else:
        with pytest.raises(outcome) as refused:
            list_by_exec(Engine(), "abc", "/data")
        assert "/data" in refused.value.message


def test_a_stopped_container_hands_over_to_the_archive():
    class Engine:
        def exec_run(self, container, argv, timeout_s):
            raise EngineError("Could not run a command in the container: the container is not running.")

    assert list_by_exec(Engine(), "abc", "/data") is None


def folder_archive(root: str = "data") -> bytes:
    prefix = f"{root}/" if root else "/"
    return tar_bytes(
        [
            member(root, kind=tarfile.DIRTYPE),
            member(f"{prefix}weights", kind=tarfile.DIRTYPE),
            member(f"{prefix}weights/a.bin", b"a" * 3000),
            member(f"{prefix}weights/deep", kind=tarfile.DIRTYPE),
            member(f"{prefix}weights/deep/b.bin", b"b" * 500),
            member(f"{prefix}config two.json", b"{}"),
            member(f"{prefix}.hidden", b"x"),
            member(f"{prefix}current", kind=tarfile.SYMTYPE, link="weights/a.bin"),
            member(f"{prefix}copy", kind=tarfile.LNKTYPE, link=f"{prefix}config two.json"),
        ]
    )


def test_the_archive_walk_lists_children_and_sums_each_folder():
    listed = list_by_archive(FakeClient(folder_archive()), "abc", "/data", threading.Event())
    assert listed.how == "archive" and listed.path == "/data"
    assert [(e.name, e.kind, e.size) for e in listed.entries] == [
        ("weights", "folder", 3500),
        (".hidden", "file", 1),
        ("config two.json", "file", 2),
        ("copy", "file", None),
        ("current", "link", None),
    ]
    current = listed.entries[-1]
    assert (current.path, current.target, current.modified) == ("/data/current", "weights/a.bin", 1_700_000_000.0)


def test_the_archive_walk_of_the_root_folder():
    """The engine names the root "" and its members "/bin", "/etc"..."""
    listed = list_by_archive(FakeClient(folder_archive(root="")), "abc", "/", threading.Event())
    assert [e.path for e in listed.entries][:2] == ["/weights", "/.hidden"]


def test_a_file_is_not_listed_as_a_folder():
    client = FakeClient(b"", stat={"name": "a.bin", "size": 3, "mode": 0o644})
    with pytest.raises(EngineError, match="is a file, not a folder"):
        list_by_archive(client, "abc", "/data/a.bin", threading.Event())


def test_a_cancelled_archive_walk_stops_reading():
    cancel = threading.Event()
    cancel.set()
    client = FakeClient(folder_archive())
    with pytest.raises(FilesCancelled):
        list_by_archive(client, "abc", "/data", cancel)
    assert client.chunks_sent <= 1


@pytest.mark.parametrize(("given", "normal"), [("", "/"), ("/", "/"), ("//data/", "/data"), ("/a/../b/./c", "/b/c")])
def test_paths_are_normalised(given, normal):
    assert normalise(given) == normal


def test_one_archive_read_lists_every_folder_below_with_its_own_sizes():
    from gui.core.files.listing import walk_archive

    walked = walk_archive(FakeClient(folder_archive()), "abc", "/data", threading.Event())
    assert set(walked) == {"/data", "/data/weights", "/data/weights/deep"}
    assert [(e.path, e.size) for e in walked["/data/weights"].entries] == [
        ("/data/weights/deep", 500),
        ("/data/weights/a.bin", 3000),
    ]
    assert [e.path for e in walked["/data/weights/deep"].entries] == ["/data/weights/deep/b.bin"]
