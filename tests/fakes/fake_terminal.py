"""A scripted `docker exec -it` session for GUI tests: a line-at-a-time "shell" that echoes what is typed, as a TTY
does, and runs a few commands: `echo WORDS`, `size` (the rows and columns it was given), `fullscreen` (draws on the
alternate screen, as top does, until `q`), `flood N` (N numbered lines at once), `exit [CODE]`."""

from __future__ import annotations

import queue
import threading

PROMPT = b"$ "


class FakeTerminal:
    def __init__(self, command: list[str], rows: int, columns: int):
        self.command = command
        self.rows, self.columns = rows, columns
        self.resizes: list[tuple[int, int]] = []
        self.typed = bytearray()  # everything received, as sent
        self.code: int | None = None
        self.closed = threading.Event()
        self._out: queue.SimpleQueue = queue.SimpleQueue()
        self._line = bytearray()
        self._fullscreen = False
        self._out.put(PROMPT)

    # ExecTerminal's interface
    def read(self) -> bytes:
        data = self._out.get()
        return b"" if data is None else data

    def write(self, data: bytes) -> None:
        self.typed += data
        for byte in data:
            self._key(bytes([byte]))

    def resize(self, rows: int, columns: int) -> None:
        self.rows, self.columns = rows, columns
        self.resizes.append((rows, columns))

    def exit_code(self) -> int | None:
        return self.code

    def close(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            self._out.put(None)

    # The "shell"
    def _key(self, key: bytes) -> None:
        if self._fullscreen:
            if key == b"q":
                self._fullscreen = False
                self._out.put(b"\x1b[?1049l")
            return
        if key == b"\r":
            self._out.put(b"\r\n")
            self._run(self._line.decode())
            self._line.clear()
        elif key == b"\x7f":
            if self._line:
                self._line.pop()
                self._out.put(b"\b \b")
        else:
            self._line += key
            self._out.put(key)

    def _run(self, line: str) -> None:
        word, _, rest = line.strip().partition(" ")
        if word == "exit":
            self.code = int(rest or 0)
            self.close()
            return
        if word == "echo":
            self._out.put(rest.encode() + b"\r\n")
        elif word == "size":
            self._out.put(f"{self.rows} {self.columns}\r\n".encode())
        elif word == "fullscreen":
            self._fullscreen = True
            self._out.put(b"\x1b[?1049h\x1b[H\x1b[2JFULL SCREEN (q quits)")
            return
        elif word == "flood":
            self._out.put(b"".join(f"line {i}\r\n".encode() for i in range(int(rest))))
        elif word:
            self._out.put(f"sh: {word}: not found\r\n".encode())
        self._out.put(PROMPT)
