"""A container's log read in bulk (gui.core.engine.log_frames): the same bytes as docker-py's frame-at-a-time reader,
in pieces of many lines, whatever size the socket's pieces come in; and Engine.logs reading so from a socket."""

from __future__ import annotations

import random
import struct

import pytest

from gui.core.engine import log_frames
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.engine.log_frames import ChunkedBody, FrameSplitter, read_payloads
from tests.fakes.unix_server import UnixServer, each_request, json_answer

CONTAINER_ID = "b0b" + "0" * 61


def frame(payload: bytes, stream: int = 1) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def chunked(*chunks: bytes) -> bytes:
    return b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for chunk in chunks) + b"0\r\n\r\n"


def in_pieces(data: bytes, rnd: random.Random) -> list[bytes]:
    pieces, start = [], 0
    while start < len(data):
        size = rnd.choice([1, 2, 3, 7, 8, 9, 64, 1000])
        pieces.append(data[start : start + size])
        start += size
    return pieces


LINES = [b"2026-11-25T10:00:00.000000001Z \x1b[32m1\x1b[0m first\n", b"second \xc3\xa9\n", b"", b"x" * 70_000 + b"\n"]


@pytest.mark.parametrize("seed", range(5))
def test_frames_come_apart_whatever_the_pieces(seed):
    splitter = FrameSplitter()
    stream = b"".join(frame(line, 1 + number % 2) for number, line in enumerate(LINES))
    out = b"".join(splitter.feed(piece) for piece in in_pieces(stream, random.Random(seed)))
    assert out == b"".join(LINES)


@pytest.mark.parametrize("seed", range(5))
def test_chunked_coding_comes_off_whatever_the_pieces(seed):
    body = ChunkedBody()
    out = b"".join(body.feed(piece) for piece in in_pieces(chunked(*LINES[:2], b"tail"), random.Random(seed)))
    assert out == LINES[0] + LINES[1] + b"tail"
    assert body.finished


def test_a_garbled_chunk_is_an_error():
    with pytest.raises(ValueError):
        ChunkedBody().feed(b"zz\r\nhello\r\n")
    with pytest.raises(ValueError):
        ChunkedBody().feed(b"2\r\nhello\r\n")  # longer than its size said


def reader_of(pieces: list[bytes]):
    """A socket file's read1: at most n bytes of the next piece that arrived."""
    queue = list(pieces)

    def read(size: int) -> bytes:
        if not queue:
            return b""
        piece = queue.pop(0)
        if len(piece) > size:
            queue.insert(0, piece[size:])
        return piece[:size]

    return read


def test_read_payloads_hands_over_what_arrived_together_in_one_piece():
    lines = [f"line {number}\n".encode() for number in range(1000)]
    body = chunked(*(frame(line) for line in lines))  # as dockerd sends it: a chunk per frame
    pieces = list(read_payloads(reader_of([body]), chunked=True, multiplexed=True, pause_s=0))
    assert b"".join(pieces) == b"".join(lines)
    assert len(pieces) == 1


def test_read_payloads_stops_at_the_last_chunk_without_waiting_for_more():
    read = reader_of([chunked(frame(b"only\n")), b"not for us"])
    assert list(read_payloads(read, chunked=True, multiplexed=True, pause_s=0)) == [b"only\n"]


def test_a_tty_container_s_log_is_its_bytes_as_they_are():
    read = reader_of([b"\x1b[31mred\r\n", b"more"])
    assert (
        b"".join(read_payloads(read, chunked=False, multiplexed=False, length=15, pause_s=0)) == b"\x1b[31mred\r\nmore"
    )


def test_after_a_small_piece_the_reader_waits_for_more(monkeypatch):
    waits = []
    monkeypatch.setattr(log_frames.time, "sleep", waits.append)
    pieces = [chunked(frame(b"a\n"))[:-5], b"0\r\n\r\n"]
    assert list(read_payloads(reader_of(pieces), chunked=True, multiplexed=True, pause_s=0.005)) == [b"a\n"]
    assert waits == [0.005]  # once, after the first piece was handed over


# ---------------------------------------------------------------- Engine.logs


class FrameEngine(UnixServer):
    """A Unix-socket engine whose one container's log is `frames`, a chunk each (as dockerd sends them)."""

    def __init__(self, path, frames: list[bytes], tty: bool = False):
        self.frames, self.tty = frames, tty
        super().__init__(path)

    def serve(self, connection) -> None:
        with connection:
            for request in each_request(connection):
                if request.path.endswith("/json"):
                    inspect = {"Id": CONTAINER_ID, "State": {"StartedAt": "x"}, "Config": {"Tty": self.tty}}
                    connection.sendall(json_answer(inspect))
                else:
                    connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(*self.frames))


@pytest.mark.parametrize("tty", [False, True])
def test_engine_logs_reads_many_lines_at_a_time(tmp_path, tty):
    lines = [f"2026-11-25T10:00:00.{number:09d}Z line {number}\n".encode() for number in range(3000)]
    server = FrameEngine(tmp_path / "engine.sock", lines if tty else [frame(line) for line in lines], tty=tty)
    engine = Engine(Endpoint(server.host, "DOCKER_HOST"), "1.41")
    stream = engine.logs(CONTAINER_ID, timestamps=True)
    pieces = list(stream)
    assert b"".join(pieces) == b"".join(lines)
    assert len(pieces) < len(lines) / 10
    stream.close()
    engine.close()
    server.close()
