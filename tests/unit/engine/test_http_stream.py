"""Reading an HTTP response in pieces and the JSON lines of its body (gui.core.engine.http_stream)."""

import json

import pytest

from gui.core.engine.http_stream import HttpResponseReader, JsonLines
from tests.fakes.http_answers import chunked

RUNNING = {"read": "2026-12-03T07:00:00.1Z", "cpu_stats": {"cpu_usage": {"total_usage": 5}}}


@pytest.mark.parametrize("piece", [1, 2, 7, 64, 100_000])
def test_the_answer_reads_the_same_in_any_pieces(piece):
    answer = chunked(RUNNING, {"read": "x", "n": list(range(50))}) + b"0\r\n\r\n"
    reader, lines, documents = HttpResponseReader(), JsonLines(), []
    for start in range(0, len(answer), piece):
        documents += lines.feed(reader.feed(answer[start : start + piece]))
    assert reader.status == 200 and reader.finished
    assert documents == [RUNNING, {"read": "x", "n": list(range(50))}]


def test_a_document_split_over_two_chunks_is_one_payload():
    line = json.dumps(RUNNING).encode() + b"\n"
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{10:x}\r\n".encode()
        + line[:10]
        + b"\r\n"
        + f"{len(line) - 10:x}\r\n".encode()
        + line[10:]
        + b"\r\n"
    )
    reader, lines = HttpResponseReader(), JsonLines()
    assert list(lines.feed(reader.feed(answer))) == [RUNNING]


@pytest.mark.parametrize(
    "answer",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX\r\n",
    ],
)
def test_a_garbled_answer_is_an_error_not_a_hang(answer):
    with pytest.raises(ValueError):
        HttpResponseReader().feed(answer)
