"""A container's log read in bulk: the HTTP chunks and docker's stream frames of many lines taken apart at once.

docker-py reads a log one frame at a time, with two small reads through urllib3 for each line: some 13 µs a line of
Python, more than all the rest of showing it. A container that prints 100,000 lines a second needs its text in
pieces of many lines (issue 17), so the log's socket is read as it is and the framing taken off here.

No I/O but the read function it is given, so each part can be fed any pieces and tested so.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterator

__all__ = ["PAUSE_AFTER_SMALL_READ_S", "READ_SIZE", "ChunkedBody", "FrameSplitter", "read_payloads"]

READ_SIZE = 64 * 1024
# A container printing as fast as it can writes a line at a time, and a read as soon as there is something gets a
# line or two: thousands of reads a second, each a few µs of Python that the GUI thread waits on (the GIL). After a
# small read the reader waits this long, and the next read gets the lines that came meanwhile, hundreds at a time.
# A quiet log shows its next line this much later at most.
SMALL_READ = 16 * 1024
PAUSE_AFTER_SMALL_READ_S = 0.005
_FRAME_HEADER = struct.Struct(">BxxxL")  # stream (0 stdin, 1 stdout, 2 stderr), 3 bytes unused, payload length
_MAX_SIZE_LINE = 1024  # a chunk-size line is a few hex digits: anything this long is not HTTP


class ChunkedBody:
    """HTTP/1.1's chunked transfer coding taken off a body fed in pieces of any size."""

    def __init__(self) -> None:
        self.finished = False  # the last (empty) chunk came
        self._unread = b""  # an unfinished chunk-size line, or the CRLF after a chunk's data
        self._left = 0  # bytes of the current chunk's data still to come
        self._crlf_due = False

    def feed(self, data: bytes) -> bytes:
        """The body bytes that `data` brings; raises ValueError on a garbled answer."""
        if self._unread:
            data, self._unread = self._unread + data, b""
        parts = []
        position, end = 0, len(data)
        while position < end and not self.finished:
            if self._left:
                take = min(self._left, end - position)
                parts.append(data[position : position + take])
                position += take
                self._left -= take
                self._crlf_due = not self._left
                continue
            line_end = data.find(b"\r\n", position)
            if line_end < 0:
                self._unread = data[position:]
                if len(self._unread) > _MAX_SIZE_LINE:
                    raise ValueError("a chunk's size line never ended")
                break
            if self._crlf_due:
                if line_end != position:
                    raise ValueError("a chunk did not end where its size said")
                self._crlf_due = False
            else:
                size = int(data[position:line_end].split(b";")[0].strip() or b"x", 16)
                self.finished = size == 0  # trailers, if any, do not matter here
                self._left = size
            position = line_end + 2
        return b"".join(parts)


class FrameSplitter:
    """docker's multiplexed stream (a non-TTY container's stdout and stderr, in frames of an 8-byte header and a
    payload) as its payloads' bytes, in the order they came. A payload cut between two pieces is handed on as it
    comes: the lines are put together later."""

    def __init__(self) -> None:
        self._header = b""  # an unfinished frame header
        self._left = 0  # bytes of the current frame's payload still to come

    def feed(self, data: bytes) -> bytes:
        if self._header:
            data, self._header = self._header + data, b""
        parts = []
        position, end = 0, len(data)
        while position < end:
            if self._left:
                take = min(self._left, end - position)
                parts.append(data[position : position + take])
                position += take
                self._left -= take
                continue
            if end - position < _FRAME_HEADER.size:
                self._header = data[position:]
                break
            self._left = _FRAME_HEADER.unpack_from(data, position)[1]
            position += _FRAME_HEADER.size
        return b"".join(parts)


def read_payloads(
    read: Callable[[int], bytes],
    chunked: bool,
    multiplexed: bool,
    length: int | None = None,
    pause_s: float = PAUSE_AFTER_SMALL_READ_S,
) -> Iterator[bytes]:
    """The log's bytes, in pieces as large as what has arrived. read(n): at most n bytes of what the socket has,
    waiting only when it has nothing; b"" at its end. length: the body's Content-Length, when it has one and is not
    chunked (then None reads to the end of the connection). pause_s: the wait after a small read."""
    body = ChunkedBody() if chunked else None
    frames = FrameSplitter() if multiplexed else None
    left = None if chunked else length
    small = False
    while left is None or left > 0:
        if small:
            time.sleep(pause_s)  # once the last piece is on its way: the next read takes what came meanwhile
        data = read(READ_SIZE if left is None else min(READ_SIZE, left))
        if not data:
            return
        small = len(data) < SMALL_READ and pause_s > 0
        if left is not None:
            left -= len(data)
        if body is not None:
            data = body.feed(data)
        if frames is not None:
            data = frames.feed(data)
        if data:
            yield data
        if body is not None and body.finished:
            return
