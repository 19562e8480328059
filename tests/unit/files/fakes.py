"""A stand-in for docker-py's APIClient as the Files core uses it, over tar archives made in memory."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator

GO_DIR = 1 << 31


def tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def member(name: str, data: bytes | None = None, *, kind: bytes = tarfile.REGTYPE, link: str = "", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime = kind, link, mode, 1_700_000_000
    if kind == tarfile.DIRTYPE:
        info.mode = 0o755
    return info, data


class FakeClient:
    """get_archive answers with `archive` in chunks of `chunk` bytes and the stat header `stat`; put_archive reads
    the whole body it is given (a generator) and keeps the members' names and contents."""

    def __init__(self, archive: bytes = b"", stat: dict | None = None, chunk: int = 1000):
        self.archive = archive
        self.stat = stat if stat is not None else {"name": "x", "size": 0, "mode": GO_DIR}
        self.chunk = chunk
        self.chunks_sent = 0
        self.received: dict[str, bytes | None] = {}
        self.put_chunk_sizes: list[int] = []

    def get_archive(self, container, path, chunk_size=None):
        return self._chunks(), self.stat

    def _chunks(self) -> Iterator[bytes]:
        for at in range(0, len(self.archive), self.chunk):
            self.chunks_sent += 1
            yield self.archive[at : at + self.chunk]

    def put_archive(self, container, path, data):
        reader = _GeneratorReader(data, self.put_chunk_sizes)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for info in tar:
                self.received[info.name] = tar.extractfile(info).read() if info.isreg() else None
        return True

    def _url(self, template, *args):
        return template.format(*args)

    def head(self, url, params):
        return _Answer({"X-Docker-Container-Path-Stat": ""})

    def _raise_for_status(self, answer):
        pass


class _Answer:
    def __init__(self, headers):
        self.headers = headers


class _GeneratorReader:
    def __init__(self, chunks, sizes: list[int]):
        self._chunks = iter(chunks)
        self._buffer = b""
        self._sizes = sizes

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._sizes.append(len(chunk))
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else size
        piece, self._buffer = self._buffer[:size], self._buffer[size:]
        return piece
