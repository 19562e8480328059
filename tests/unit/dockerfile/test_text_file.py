"""A Dockerfile's bytes as text and back: encodings detected, binary files refused, and an unchanged save
writes the very bytes that were read."""

from __future__ import annotations

import codecs

import pytest

from gui.core.dockerfile.recovery import RecoveryStore
from gui.core.dockerfile.text_file import (
    UTF8,
    NotText,
    TextForm,
    as_utf8,
    decode_text,
    encode_text,
    open_text_document,
    read_text_document,
    save_text_document,
)
from gui.core.errors import EngineError

SAMPLES = {
    "utf-8": "FROM python:3.12\n# café ✓\nRUN true\n".encode(),
    "utf-8, no final newline": b"FROM python:3.12\nRUN true",
    "utf-8 with BOM, CRLF": codecs.BOM_UTF8 + b"FROM a\r\nRUN true\r\n",
    "latin-1 (cp1252)": b"FROM a\n# caf\xe9 \x80 na\xefve\n",
    "latin-1 with a byte cp1252 lacks": b"FROM a\n# \x81 caf\xe9\n",
    "utf-16 le with BOM, CRLF": codecs.BOM_UTF16_LE + "FROM a\r\n# café\r\n".encode("utf-16-le"),
    "utf-16 be with BOM": codecs.BOM_UTF16_BE + "FROM a\n".encode("utf-16-be"),
    "CRLF, no final newline": b"FROM a\r\nRUN true",
    "empty": b"",
}


@pytest.mark.parametrize("data", SAMPLES.values(), ids=SAMPLES.keys())
def test_an_unchanged_text_encodes_to_the_bytes_it_came_from(data):
    text, form = decode_text(data)
    assert "\r" not in text
    assert encode_text(text, form) == data


@pytest.mark.parametrize(
    ("data", "encoding", "bom", "newline"),
    [
        (b"FROM a\n", "utf-8", False, "\n"),
        (codecs.BOM_UTF8 + b"FROM a\n", "utf-8", True, "\n"),
        (b"FROM a\n# caf\xe9\n", "cp1252", False, "\n"),
        (b"FROM a\n# \x81\xe9\n", "latin-1", False, "\n"),
        (codecs.BOM_UTF16_LE + "FROM a\r\n".encode("utf-16-le"), "utf-16-le", True, "\r\n"),
    ],
)
def test_the_encoding_and_line_ending_are_detected(data, encoding, bom, newline):
    _text, form = decode_text(data)
    assert form == TextForm(encoding, bom, newline)


@pytest.mark.parametrize(
    "data",
    [
        b"FROM a\x00\x01\x02",  # NUL bytes
        bytes(range(256)) * 8,  # every byte value
        b"\x7fELF\x02\x01\x01" + b"\x03\x04\x05\x06\x07\x08" * 50,  # control characters, no NUL
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # a BOM followed by data that is not UTF-16
    ],
)
def test_binary_data_is_refused(data):
    with pytest.raises(NotText, match="not a text file"):
        decode_text(data, "model.bin")


def test_labels_name_the_encoding_for_the_user():
    assert UTF8.label == "UTF-8" and UTF8.is_plain_utf8
    assert TextForm("cp1252").label.startswith("Windows-1252")
    assert TextForm("utf-16-le", bom=True).label == "UTF-16 (little-endian) with BOM"
    assert as_utf8(TextForm("utf-16-le", True, "\r\n")) == TextForm("utf-8", False, "\r\n")


def test_a_character_the_encoding_cannot_hold_is_named_and_nothing_is_written(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n# caf\xe9\n")
    with pytest.raises(EngineError, match="Convert to UTF-8") as raised:
        save_text_document(path, "FROM a\n# → ✓\n", TextForm("cp1252"), RecoveryStore(tmp_path / "r"))
    assert "'→'" in raised.value.message
    assert path.read_bytes() == b"FROM a\n# caf\xe9\n"


@pytest.mark.parametrize("data", SAMPLES.values(), ids=SAMPLES.keys())
def test_open_then_save_unchanged_keeps_the_bytes(tmp_path, data):
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    store = RecoveryStore(tmp_path / "recovery")
    opened = open_text_document(path, store)
    save_text_document(path, opened.document.text, opened.document.form, store)
    assert path.read_bytes() == data


def test_an_edit_keeps_the_encoding_and_converting_writes_utf8(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\r\n# caf\xe9\r\n")
    store = RecoveryStore(tmp_path / "recovery")
    document = read_text_document(path)
    save_text_document(path, document.text + "USER nobody\n", document.form, store)
    assert path.read_bytes() == b"FROM a\r\n# caf\xe9\r\nUSER nobody\r\n"
    save_text_document(path, document.text, as_utf8(document.form), store)
    assert path.read_bytes() == "FROM a\r\n# café\r\n".encode()


def test_a_missing_file_reads_as_none_in_utf8(tmp_path):
    document = read_text_document(tmp_path / "nothing")
    assert document.text is None and document.form == UTF8


@pytest.mark.parametrize(
    ("data", "newline", "mixed"),
    [
        (b"FROM a\r\nRUN true\r\nUSER app\n", "\r\n", True),
        (b"FROM a\r\nRUN true\n", "\r\n", True),  # a tie: CRLF
        (b"FROM a\nRUN true\nUSER app\r\n", "\n", True),
        (b"FROM a\r\nRUN true\r\n", "\r\n", False),
        (b"FROM a\nRUN true\n", "\n", False),
        (b"FROM a", "\n", False),
    ],
)
def test_mixed_line_endings_are_noticed_and_saved_with_the_usual_one(data, newline, mixed):
    text, form = decode_text(data)
    assert (form.newline, form.mixed_newlines) == (newline, mixed)
    assert encode_text(text, form) == text.replace("\n", newline).encode()
