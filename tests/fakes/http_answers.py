"""Engine answers as bytes on the wire, for code that reads the engine's socket by hand (gui.workers.monitor.local_stats)."""

from __future__ import annotations

import json


def chunked(*documents: dict) -> bytes:
    """A 200 answer's head and one chunk per JSON line, as the engine writes a stats stream."""
    out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    for document in documents:
        line = json.dumps(document).encode() + b"\n"
        out += f"{len(line):x}\r\n".encode() + line + b"\r\n"
    return out
