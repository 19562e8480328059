"""Turn the raw byte stream of a container's logs into lines of text.

Docker hands us arbitrary chunks: a chunk may end in the middle of a line or
of a multi-byte UTF-8 character, and a container may write bytes that are not
text at all.  LineAssembler copes with all of that and keeps memory bounded.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["MAX_LINE_CHARS", "LineAssembler", "split_timestamp"]

# A line longer than this is cut into pieces, so a container that never
# writes a newline cannot make us buffer without limit.
MAX_LINE_CHARS = 64 * 1024


def _build_control_replacements() -> dict[int, str]:
    """Map unsafe control characters to something visible and harmless.

    Kept as they are: tab and newline (text), ESC (starts ANSI colours, handled
    by gui.core.ansi) and carriage return (line endings and progress bars).
    """
    kept = {ord("\t"), ord("\n"), ord("\r"), 0x1B}
    replacements = {code: chr(0x2400 + code) for code in range(0x20) if code not in kept}  # control pictures
    replacements[0x7F] = "\u2421"  # SYMBOL FOR DELETE
    replacements.update({code: "\ufffd" for code in range(0x80, 0xA0)})  # C1 controls have no picture
    return replacements


_CONTROL_REPLACEMENTS = _build_control_replacements()
_CONTROL_RE = re.compile("[" + "".join(map(chr, _CONTROL_REPLACEMENTS)) + "]")


def _make_controls_safe(text: str) -> str:
    # Searching first is much cheaper than translate() on the usual clean text.
    return text.translate(_CONTROL_REPLACEMENTS) if _CONTROL_RE.search(text) else text


class LineAssembler:
    """Collect byte chunks and hand back complete lines of text.

    Lines come back without their line ending; '\\r\\n' counts as one newline.
    Invalid UTF-8 becomes U+FFFD and unsafe control characters become their
    Unicode control pictures (NUL shows as '␀').
    """

    def __init__(self, max_line_chars: int = MAX_LINE_CHARS) -> None:
        if max_line_chars < 1:
            raise ValueError("max_line_chars must be at least 1")
        self._max_line_chars = max_line_chars
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""  # text after the last newline seen so far

    def feed(self, chunk: bytes) -> list[str]:
        """Add a chunk of bytes; return the lines it completed."""
        return self._take_lines(self._decoder.decode(chunk))

    def flush(self) -> list[str]:
        """End of stream: return whatever is left, including a line with no newline."""
        lines = self._take_lines(self._decoder.decode(b"", final=True))
        if self._partial:
            lines.append(_without_carriage_return(self._partial))
            self._partial = ""
        return lines

    def _take_lines(self, text: str) -> list[str]:
        if not text:
            return []
        *complete, partial = (self._partial + _make_controls_safe(text)).split("\n")
        lines: list[str] = []
        for line in complete:
            lines.extend(self._cut(_without_carriage_return(line)))
        self._partial = self._keep_partial_bounded(partial, lines)
        return lines

    def _keep_partial_bounded(self, partial: str, lines: list[str]) -> str:
        """Move full-size pieces of an over-long unfinished line into `lines`."""
        limit = self._max_line_chars
        while len(partial) > limit:
            lines.append(partial[:limit])
            partial = partial[limit:]
        return partial

    def _cut(self, line: str) -> list[str]:
        limit = self._max_line_chars
        if len(line) <= limit:
            return [line]
        return [line[start : start + limit] for start in range(0, len(line), limit)]


def _without_carriage_return(line: str) -> str:
    # '\r\n' endings: the '\n' was the split point, the '\r' must go too.
    return line[:-1] if line.endswith("\r") else line


# Docker's `timestamps=True` prefix: RFC 3339 with nanoseconds, then one space.
_TIMESTAMP_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))(?: |$)",
)


def split_timestamp(line: str) -> tuple[str | None, str]:
    """Split docker's timestamp prefix off a log line.

    '2024-01-01T12:00:00.123456789Z hello' -> ('2024-01-01T12:00:00.123456789Z', 'hello').
    A line without that prefix comes back as (None, line).
    """
    match = _TIMESTAMP_RE.match(line)
    if not match:
        return None, line
    return match.group(1), line[match.end() :]
