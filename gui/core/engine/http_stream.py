"""An HTTP/1.1 response read in pieces as they arrive, and the JSON documents of a body, one per line.

For streams Portside reads by hand from the engine's socket (gui.workers.monitor.local_stats): no I/O here, only bytes in
and documents out, so it can be tested piece by piece.
"""

from __future__ import annotations

import json
from collections.abc import Iterator


class HttpResponseReader:
    """An HTTP/1.1 response fed in pieces as they arrive: the status line and headers, then the body's bytes,
    chunked or not."""

    def __init__(self):
        self.status: int | None = None
        self.finished = False
        self._buffer = bytearray()
        self._chunked = False
        self._length_left: int | None = None  # Content-Length bodies
        self._chunk_left = 0  # bytes of the current chunk still to come
        self._chunk_end = False  # the CRLF after a chunk's data is due

    def feed(self, data: bytes) -> bytes:
        """The body bytes that `data` completes (chunk framing removed); raises ValueError on a garbled answer."""
        self._buffer += data
        if self.status is None and not self._read_head():
            return b""
        body = bytearray()
        while self._buffer and not self.finished:
            if not self._chunked:
                take = len(self._buffer) if self._length_left is None else min(self._length_left, len(self._buffer))
                body += self._buffer[:take]
                del self._buffer[:take]
                if self._length_left is not None:
                    self._length_left -= take
                    self.finished = self._length_left == 0
                break
            if self._chunk_left:
                take = min(self._chunk_left, len(self._buffer))
                body += self._buffer[:take]
                del self._buffer[:take]
                self._chunk_left -= take
                self._chunk_end = self._chunk_left == 0
                continue
            line_end = self._buffer.find(b"\r\n")
            if line_end < 0:
                break
            line = bytes(self._buffer[:line_end])
            del self._buffer[: line_end + 2]
            if self._chunk_end:  # the CRLF closing a chunk's data
                if line:
                    raise ValueError("a chunk did not end where its size said")
                self._chunk_end = False
                continue
            size = int(line.split(b";")[0].strip() or b"x", 16)
            if size == 0:
                self.finished = True  # trailers, if any, do not matter here
            self._chunk_left = size
        return bytes(body)

    def _read_head(self) -> bool:
        head_end = self._buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        lines = bytes(self._buffer[:head_end]).decode("latin-1").split("\r\n")
        del self._buffer[: head_end + 4]
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ValueError(f"not an HTTP answer: {lines[0][:80]!r}")
        self.status = int(parts[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "transfer-encoding" and "chunked" in value.lower():
                self._chunked = True
            elif name == "content-length" and value.isdigit():
                self._length_left = int(value)
        if not self._chunked and self._length_left == 0:
            self.finished = True
        return True


class JsonLines:
    """JSON documents, one per line, from bytes fed in pieces."""

    def __init__(self):
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[dict]:
        self._buffer += data
        while (line_end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:line_end]).strip()
            del self._buffer[: line_end + 1]
            if line:
                yield json.loads(line)
