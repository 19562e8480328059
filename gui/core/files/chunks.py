"""The pieces a transfer is made of: a file-like reader over the engine's chunks (so tarfile can read a stream as it
arrives and a cancel is seen between chunks), and progress calls thinned out to about twenty a second."""

from __future__ import annotations

import tarfile
import threading
import time
from collections.abc import Callable, Iterator

from gui.core.files.entries import FilesCancelled

CHUNK = 1 << 20  # 1 MiB: the piece read from the engine or from a host file, and sent at a time

# (bytes so far, total bytes or None when unknown); called at most about 20 times a second
Progress = Callable[[int, "int | None"], None]


class ChunkReader:
    """`read(n)` over an iterator of byte chunks, for tarfile's stream modes ("r|"). Raises FilesCancelled from the
    first read after `cancel` is set; `on_bytes(n)` hears of every chunk that arrives."""

    def __init__(self, chunks: Iterator[bytes], cancel: threading.Event, on_bytes: Callable[[int], None]):
        self._chunks = iter(chunks)
        self._cancel = cancel
        self._on_bytes = on_bytes
        self._chunk = b""
        self._at = 0
        self.delivered = 0  # bytes handed to the reader so far

    def read(self, size: int = -1) -> bytes:
        if self._cancel.is_set():
            raise FilesCancelled()
        while self._at >= len(self._chunk):
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            if self._cancel.is_set():
                raise FilesCancelled()
            self._on_bytes(len(chunk))
            self._chunk, self._at = chunk, 0
        if self._at == 0 and (size < 0 or size >= len(self._chunk)):
            piece = self._chunk  # the whole chunk: no copy
        else:
            end = len(self._chunk) if size < 0 else self._at + size
            piece = self._chunk[self._at : end]
        self._at += len(piece)
        self.delivered += len(piece)
        return piece


def check_complete(tar: tarfile.TarFile, reader: ChunkReader) -> None:
    """Raises tarfile.ReadError when the stream stopped before the archive's end. tarfile's stream mode takes a
    header cut short for the end of the archive; a whole archive has a block of zeros after its last member."""
    if reader.delivered < tar.offset + tarfile.BLOCKSIZE:
        raise tarfile.ReadError("the archive stopped before its end")


class Throttled:
    """Counts bytes and tells `progress` at most every `interval_s` seconds (the window repaints no faster), and
    always once at the end. A count past a known total is shown as the total (tar headers and padding are counted
    while reading but are not part of a file's size)."""

    def __init__(self, progress: Progress, total: int | None, interval_s: float = 0.05):
        self._progress = progress
        self._total = total
        self._interval_s = interval_s
        self._last = 0.0
        self.done = 0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last >= self._interval_s:
            self._last = now
            self._tell()

    def finish(self) -> None:
        self._tell()

    def _tell(self) -> None:
        done = self.done if self._total is None else min(self.done, self._total)
        self._progress(done, self._total)
