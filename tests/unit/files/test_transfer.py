"""Copying out of and into a container as tar streams: extraction on the fly with nothing unsafe written, a cancel
that leaves nothing behind, an upload archive that is valid and made in small pieces, and the docker cp twins."""

from __future__ import annotations

import hashlib
import os
import tarfile
import threading
from pathlib import Path

import pytest

from gui.core.errors import EngineError
from gui.core.files.chunks import CHUNK
from gui.core.files.entries import FilesCancelled
from gui.core.files.transfer import download, download_command, plan_upload, tar_chunks, upload, upload_command
from tests.unit.files.fakes import GO_DIR, FakeClient, member, tar_bytes

FOLDER_STAT = {"name": "data", "size": 4096, "mode": GO_DIR}


def folder_client(*extra, chunk=1000) -> FakeClient:
    members = [
        member("data", kind=tarfile.DIRTYPE),
        member("data/sub dir", kind=tarfile.DIRTYPE),
        member("data/sub dir/a.bin", os.urandom(5000)),
        member("data/readme.txt", b"hello"),
        member("data/rel", kind=tarfile.SYMTYPE, link="readme.txt"),
        *extra,
    ]
    return FakeClient(tar_bytes(members), FOLDER_STAT, chunk=chunk)


def calls():
    seen = []
    return seen, lambda done, total: seen.append((done, total))


def test_a_folder_downloads_with_everything_under_it(tmp_path):
    seen, progress = calls()
    done = download(folder_client(), "abc", "/data", tmp_path, progress, threading.Event())
    assert done.written == (str(tmp_path / "data"),)
    assert done.size == 5005
    assert (tmp_path / "data" / "readme.txt").read_bytes() == b"hello"
    assert len((tmp_path / "data" / "sub dir" / "a.bin").read_bytes()) == 5000
    assert os.readlink(tmp_path / "data" / "rel") == "readme.txt"
    assert sorted(os.listdir(tmp_path)) == ["data"]  # no staging folder left
    assert seen[-1][1] is None  # a folder's total is unknown


def test_a_file_downloads_with_its_size_as_the_total(tmp_path):
    data = os.urandom(300_000)
    client = FakeClient(tar_bytes([member("model.bin", data)]), {"name": "model.bin", "size": len(data), "mode": 0o644})
    seen, progress = calls()
    download(client, "abc", "/m/model.bin", tmp_path, progress, threading.Event())
    assert (tmp_path / "model.bin").read_bytes() == data
    assert seen[-1] == (len(data), len(data))
    assert all(done <= total for done, total in seen)


def test_an_existing_target_is_refused_unless_replacing_is_allowed(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "old.txt").write_text("old")
    with pytest.raises(FileExistsError, match=r"already exists\. Choose another folder, or allow replacing it\."):
        download(folder_client(), "abc", "/data", tmp_path, calls()[1], threading.Event())
    assert (tmp_path / "data" / "old.txt").exists()
    download(folder_client(), "abc", "/data", tmp_path, calls()[1], threading.Event(), overwrite=True)
    assert sorted(os.listdir(tmp_path / "data")) == ["readme.txt", "rel", "sub dir"]


@pytest.mark.parametrize("bad_name", ["data/../../escaped.txt", "/etc/escaped.txt"])
def test_a_member_outside_the_download_is_refused_and_nothing_is_kept(tmp_path, bad_name):
    dest = tmp_path / "dest"
    dest.mkdir()
    client = folder_client(member(bad_name, b"evil"))
    with pytest.raises(EngineError, match="outside the download"):
        download(client, "abc", "/data", dest, calls()[1], threading.Event())
    assert os.listdir(dest) == []
    assert not list(tmp_path.rglob("escaped.txt"))


def test_nothing_is_written_through_a_link_that_points_out(tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    client = folder_client(
        member("data/out", kind=tarfile.SYMTYPE, link=str(tmp_path)),
        member("data/out/planted.txt", b"evil"),
        member("data/up", kind=tarfile.SYMTYPE, link="../.."),
        member("data/up/planted.txt", b"evil"),
    )
    download(client, "abc", "/data", dest, calls()[1], threading.Event())
    assert not (tmp_path / "planted.txt").exists()
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("planted.txt")) == [
        "data/out/planted.txt",
        "data/up/planted.txt",
    ]  # the links were left out, so the files landed in plain folders inside the download


def test_links_out_and_devices_are_left_out_and_the_rest_kept(tmp_path):
    client = folder_client(
        member("data/passwd", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        member("data/up", kind=tarfile.SYMTYPE, link="../../x"),
        member("data/null", kind=tarfile.CHRTYPE),
    )
    download(client, "abc", "/data", tmp_path, calls()[1], threading.Event())
    assert sorted(os.listdir(tmp_path / "data")) == ["readme.txt", "rel", "sub dir"]


def test_a_cancel_midway_removes_everything_the_download_wrote(tmp_path):
    cancel = threading.Event()
    client = folder_client(member("data/big.bin", os.urandom(200_000)), chunk=4096)
    sent = client._chunks

    def chunks_then_cancel():
        for number, chunk in enumerate(sent()):
            if number == 20:  # the first file is written, the big one begun
                cancel.set()
            yield chunk

    client._chunks = chunks_then_cancel
    with pytest.raises(FilesCancelled):
        download(client, "abc", "/data", tmp_path, calls()[1], cancel)
    assert os.listdir(tmp_path) == []
    assert client.chunks_sent < len(client.archive) // 4096


def test_a_damaged_archive_is_a_sentence_and_leaves_nothing(tmp_path):
    client = folder_client()
    client.archive = client.archive[:1500]  # cut inside a header: tarfile alone would take it for the end
    with pytest.raises(EngineError, match="ended early or was damaged"):
        download(client, "abc", "/data", tmp_path, calls()[1], threading.Event())
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("cut", [1024, 1500, 2000])  # at a header, inside one, inside a file's data
def test_a_listing_of_an_archive_cut_short_is_a_sentence(cut):
    from gui.core.files.listing import list_by_archive

    client = folder_client()
    client.archive = client.archive[:cut]
    with pytest.raises(EngineError, match="ended early or was damaged"):
        list_by_archive(client, "abc", "/data", threading.Event())


def test_upload_sends_files_and_folders_as_one_archive(tmp_path):
    (tmp_path / "proj" / "src").mkdir(parents=True)
    (tmp_path / "proj" / "src" / "main.py").write_text("print('hi')\n")
    (tmp_path / "proj" / "empty").mkdir()
    (tmp_path / "proj" / "link").symlink_to("src/main.py")
    (tmp_path / "notes one.txt").write_bytes(b"n" * 2000)
    client = FakeClient()
    seen, progress = calls()
    done = upload(client, "abc", [tmp_path / "proj", tmp_path / "notes one.txt"], "/data/", progress, threading.Event())
    assert done.written == ("/data/proj", "/data/notes one.txt")
    assert done.size == 2012 and seen[-1] == (2012, 2012)
    assert client.received == {
        "proj": None,
        "proj/empty": None,
        "proj/link": None,
        "proj/src": None,
        "proj/src/main.py": b"print('hi')\n",
        "notes one.txt": b"n" * 2000,
    }


def test_the_upload_archive_of_a_big_file_comes_in_small_pieces(tmp_path):
    """A 50 MB sparse file: every chunk stays within 2 MiB, and the archive holds the file byte for byte."""
    big = tmp_path / "big.bin"
    with open(big, "wb") as out:
        out.truncate(50_000_000)
        out.seek(30_000_000)
        out.write(b"marker in the middle")
    sizes = []
    digest = hashlib.sha256()

    def chunks():
        for chunk in tar_chunks(plan_upload([big]), threading.Event()):
            sizes.append(len(chunk))
            yield chunk

    from tests.unit.files.fakes import _GeneratorReader

    with tarfile.open(fileobj=_GeneratorReader(chunks(), []), mode="r|") as tar:
        info = tar.next()
        source = tar.extractfile(info)
        while piece := source.read(CHUNK):
            digest.update(piece)
    assert info.name == "big.bin" and info.size == 50_000_000
    assert digest.hexdigest() == hashlib.sha256(big.read_bytes()).hexdigest()
    assert max(sizes) <= 2 * CHUNK
    assert len(sizes) >= 48


def test_a_cancelled_upload_stops_reading(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as out:
        out.truncate(20_000_000)
    cancel = threading.Event()
    read = 0

    def progress(done, total):
        nonlocal read
        read = done
        cancel.set()

    with pytest.raises(FilesCancelled):
        upload(FakeClient(), "abc", [big], "/data", progress, cancel)
    assert read < 20_000_000


def test_a_missing_source_is_a_sentence_before_anything_is_sent(tmp_path):
    client = FakeClient()
    with pytest.raises(EngineError, match=r"Could not read .*gone\.txt: No such file or directory"):
        upload(client, "abc", [tmp_path / "gone.txt"], "/data", calls()[1], threading.Event())
    assert client.put_chunk_sizes == []


def test_a_file_as_the_destination_is_refused():
    client = FakeClient()
    client.head = lambda url, params: type("A", (), {"headers": {"X-Docker-Container-Path-Stat": _stat_header()}})()
    with pytest.raises(EngineError, match=r"^/data/a\.txt is a file in the container, not a folder"):
        upload(client, "abc", [Path("/etc/hostname")], "/data/a.txt", calls()[1], threading.Event())


def _stat_header() -> str:
    import base64
    import json

    return base64.b64encode(json.dumps({"name": "a.txt", "size": 3, "mode": 0o644}).encode()).decode()


def test_the_docker_cp_twins_quote_what_the_shell_would_split():
    assert download_command("web-1", "/data/model.bin", Path("/home/u/Downloads")) == (
        "docker cp web-1:/data/model.bin /home/u/Downloads"
    )
    assert download_command("web-1", "/data/my model.bin", Path("/home/u/My Files")) == (
        "docker cp 'web-1:/data/my model.bin' '/home/u/My Files'"
    )
    assert upload_command("web-1", [Path("/home/u/a b.txt"), Path("/home/u/proj")], "/data") == (
        "docker cp '/home/u/a b.txt' web-1:/data && docker cp /home/u/proj web-1:/data"
    )


class LinkingClient(FakeClient):
    """/data/current is a link to model.bin beside it; the engine's archive of a link holds only the link."""

    def get_archive(self, container, path, chunk_size=None):
        if path == "/data/current":
            link = tar_bytes([member("current", kind=tarfile.SYMTYPE, link="model.bin")])
            return iter([link]), {"name": "current", "size": 9, "mode": 1 << 27 | 0o777, "linkTarget": "model.bin"}
        assert path == "/data/model.bin"
        return super().get_archive(container, path, chunk_size)


def test_a_link_downloads_as_the_file_it_points_to_under_its_own_name(tmp_path):
    client = LinkingClient(
        tar_bytes([member("model.bin", b"weights")]), {"name": "model.bin", "size": 7, "mode": 0o644}
    )
    done = download(client, "abc", "/data/current", tmp_path, calls()[1], threading.Event())
    assert done.written == (str(tmp_path / "current"),)
    assert (tmp_path / "current").read_bytes() == b"weights" and not (tmp_path / "current").is_symlink()


def test_an_engine_that_stops_sending_midway_is_named_not_the_disk(tmp_path):
    import requests.exceptions

    client = folder_client(member("data/big.bin", os.urandom(100_000)), chunk=4096)
    sent = client._chunks

    def chunks_then_break():
        for number, chunk in enumerate(sent()):
            if number == 10:
                raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(0 bytes read)")
            yield chunk

    client._chunks = chunks_then_break
    with pytest.raises(EngineError) as refused:
        download(client, "abc", "/data", tmp_path, calls()[1], threading.Event())
    assert refused.value.message == (
        "The engine stopped sending /data partway. Try again; if it keeps happening, check that Docker is healthy "
        "(run docker info in a terminal)."
    )
    assert os.listdir(tmp_path) == []
