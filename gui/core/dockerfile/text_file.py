"""A Dockerfile's bytes as text and back: which encoding it uses, its line endings, and refusing files that
are not text. No Qt.

An editor must save a file the way it found it: a Latin-1 file stays Latin-1, a UTF-16 file keeps its byte
order mark, CRLF stays CRLF and a missing final newline stays missing, so that saving without a change
writes the very bytes that were read. The one exception is a file that mixes CRLF and LF lines: it is saved
with its more usual ending on every line (TextForm.mixed_newlines; the editor says so before the first save).
A file that is not text (NUL bytes, control characters) is refused:
shown as text and saved again, it would be destroyed.

Saving goes through gui.core.dockerfile.recovery.write_keeping_recovery, as a UTF-8 save does: the recovery
copy and SaveFailed work the same in any of these encodings.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from gui.core import log
from gui.core.dockerfile.recovery import RecoveryStore, disk_problem, write_keeping_recovery
from gui.core.errors import EngineError
from gui.core.fileio import atomic_write_bytes

__all__ = [
    "UTF8",
    "NotText",
    "OpenedTextDocument",
    "TextDocument",
    "TextForm",
    "as_utf8",
    "decode_text",
    "encode_text",
    "open_text_document",
    "read_text_document",
    "save_text_document",
]

_log = log.get("editor")

# Control characters that real text files hold: tab, line feed, vertical tab, form feed, carriage return, escape.
_TEXT_CONTROLS = frozenset("\t\n\x0b\x0c\r\x1b")
_BINARY_SHARE = 0.01  # more control characters than this (per character) and the file is not text


@dataclass(frozen=True)
class TextForm:
    """How a file's text is stored: its encoding, byte order mark and line ending."""

    encoding: str = "utf-8"  # a Python codec name
    bom: bool = False
    newline: str = "\n"  # "\r\n" when the file used it (saving writes it back)
    mixed_newlines: bool = False  # the file mixes CRLF and LF lines: saving writes `newline` after every line

    @property
    def label(self) -> str:
        """The encoding in words for the user: "UTF-8", "UTF-16 (little-endian) with BOM", "Windows-1252"."""
        names = {
            "utf-8": "UTF-8",
            "utf-16-le": "UTF-16 (little-endian)",
            "utf-16-be": "UTF-16 (big-endian)",
            "cp1252": "Windows-1252 (Latin-1)",
            "latin-1": "Latin-1 (ISO 8859-1)",
        }
        name = names.get(self.encoding, self.encoding)
        return f"{name} with BOM" if self.bom else name

    @property
    def is_plain_utf8(self) -> bool:
        return self.encoding == "utf-8" and not self.bom


UTF8 = TextForm()

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class NotText(EngineError):
    """The file is not text in an encoding Portside reads (binary data): it is refused, never shown empty."""


def decode_text(data: bytes, name: str = "The file") -> tuple[str, TextForm]:
    """The text of `data` (with "\\n" line breaks) and its form. Raises NotText for binary data.

    Tried in order: a byte order mark (UTF-8, UTF-16), UTF-8, then Windows-1252 and Latin-1, the usual
    encodings of older Western files (Latin-1 reads any byte, so the control-character check decides)."""
    text = encoding = None
    bom = False
    for mark, codec in _BOMS:
        if data.startswith(mark):
            try:
                text, encoding, bom = data[len(mark) :].decode(codec), codec, True
            except UnicodeDecodeError:
                raise _not_text(name) from None
            break
    if text is None:
        if b"\x00" in data:  # no text encoding without a BOM (UTF-16 has one here) holds NUL bytes
            raise _not_text(name)
        for codec in ("utf-8", "cp1252", "latin-1"):
            try:
                text, encoding = data.decode(codec), codec
                break
            except UnicodeDecodeError:
                continue
    assert text is not None and encoding is not None  # latin-1 decodes any bytes
    if _looks_binary(text):
        raise _not_text(name)
    crlf, lf = text.count("\r\n"), text.count("\n")
    newline = "\r\n" if crlf > 0 and crlf * 2 >= lf else "\n"  # mixed: the more usual one (CRLF on a tie)
    return text.replace("\r\n", "\n"), TextForm(encoding, bom, newline, mixed_newlines=0 < crlf < lf)


def encode_text(text: str, form: TextForm, name: str = "the file") -> bytes:
    """`text` (with "\\n" line breaks) as bytes in `form`. Raises EngineError naming a character the
    encoding cannot hold (typed into a Latin-1 file, say)."""
    if form.newline != "\n":
        text = text.replace("\n", form.newline)
    try:
        body = text.encode(form.encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise EngineError(
            f"Not saved: {name} is {form.label} text, which cannot hold {bad!r}. Remove that character, "
            "or choose Convert to UTF-8 and save again.",
            str(exc),
        ) from exc
    mark = next((m for m, codec in _BOMS if codec == form.encoding), b"") if form.bom else b""
    return mark + body


def _not_text(name: str) -> NotText:
    return NotText(
        f"{name} is not a text file (it holds binary data), so Portside will not open it: "
        "saving it from an editor would destroy it. Open a Dockerfile instead."
    )


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc")
    return controls > max(1, len(text) * _BINARY_SHARE)


# Reading and saving documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TextDocument:
    text: str | None  # with "\n" line breaks; None when the file does not exist
    form: TextForm


def read_text_document(path: Path) -> TextDocument:
    """A file's text and form (blocking). Raises NotText for a binary file, EngineError when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return TextDocument(None, UTF8)
    except OSError as exc:
        raise disk_problem(exc, f"read {Path(path).name}") from exc
    text, form = decode_text(data, Path(path).name)
    return TextDocument(text, form)


@dataclass(frozen=True)
class OpenedTextDocument:
    document: TextDocument
    recovered: str | None  # the recovery copy's text, if there is one
    recovered_at: float | None  # when it was written


def open_text_document(path: Path, store: RecoveryStore) -> OpenedTextDocument:
    """The file's text, its form and its recovery copy, read together (blocking)."""
    document = read_text_document(path)
    recovered = store.load(path)
    return OpenedTextDocument(document, recovered, store.saved_at(path) if recovered is not None else None)


def save_text_document(
    path: Path, text: str, form: TextForm, store: RecoveryStore, forget: tuple[Path, ...] = ()
) -> str:
    """Writes `text` in `form` atomically (blocking), then drops the recovery copies of `path` and of the
    names in `forget`. A character the encoding cannot hold raises EngineError before anything is written;
    a failed write puts the text in the recovery copy and raises SaveFailed. Returns `text`."""
    data = encode_text(text, form, Path(path).name)
    return write_keeping_recovery(path, lambda: atomic_write_bytes(Path(path), data), text, store, forget)


def as_utf8(form: TextForm) -> TextForm:
    """The same line endings in plain UTF-8 (what Convert to UTF-8 saves)."""
    return replace(form, encoding="utf-8", bom=False)
