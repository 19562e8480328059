"""Recovery copies of unsaved editor buffers: what the editor relies on to never lose an edit."""

from __future__ import annotations

import codecs
import errno
import json
import os
import time
from pathlib import Path

import pytest

from gui.core.dockerfile import text_file
from gui.core.dockerfile.recovery import (
    RecoveryStore,
    SaveFailed,
    default_folder,
    drop_recovery_copy,
    keep_recovery_copy,
    pending_copies,
)
from gui.core.dockerfile.text_file import UTF8, read_text_document, save_text_document
from gui.core.errors import EngineError


def test_saved_text_comes_back_for_the_same_document(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    document = tmp_path / "app" / "Dockerfile"
    store.save(document, "FROM python:3.12-slim\nRUN echo 'héllo ✓'\n")
    assert store.load(document) == "FROM python:3.12-slim\nRUN echo 'héllo ✓'\n"
    # A new store on the same folder (the app after a crash) finds it too.
    assert RecoveryStore(tmp_path / "recovery").load(document) == "FROM python:3.12-slim\nRUN echo 'héllo ✓'\n"


def test_no_copy_means_none(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    assert store.load(tmp_path / "Dockerfile") is None
    assert store.saved_at(tmp_path / "Dockerfile") is None
    assert store.pending() == []


def test_documents_are_kept_apart_and_a_relative_path_is_the_same_file(tmp_path, monkeypatch):
    store = RecoveryStore(tmp_path / "recovery")
    first, second = tmp_path / "a" / "Dockerfile", tmp_path / "b" / "Dockerfile"
    store.save(first, "FROM a")
    store.save(second, "FROM b")
    monkeypatch.chdir(tmp_path / "recovery")
    assert store.load(first) == "FROM a"
    assert store.load(second) == "FROM b"
    monkeypatch.chdir(tmp_path)
    assert store.load(first.relative_to(tmp_path)) == "FROM a"


def test_a_new_save_replaces_the_copy_and_leaves_one_file(tmp_path):
    folder = tmp_path / "recovery"
    store = RecoveryStore(folder)
    document = tmp_path / "Dockerfile"
    before = time.time()
    store.save(document, "one")
    store.save(document, "two")
    assert store.load(document) == "two"
    assert len(list(folder.iterdir())) == 1  # no temp files left behind
    saved = store.saved_at(document)
    assert saved is not None and before - 1 <= saved <= time.time() + 1


def test_discard_forgets_and_is_idempotent(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    document = tmp_path / "Dockerfile"
    store.save(document, "FROM scratch")
    store.discard(document)
    store.discard(document)
    assert store.load(document) is None
    assert store.pending() == []
    store.discard(tmp_path / "never-saved")  # no folder, no copy: still fine


def test_pending_lists_documents_with_a_copy(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    documents = [tmp_path / "b" / "Dockerfile", tmp_path / "a" / "Dockerfile"]
    for document in documents:
        store.save(document, "FROM scratch")
    assert store.pending() == sorted(documents)
    store.discard(documents[0])
    assert store.pending() == [documents[1]]


def test_damaged_copies_are_ignored_not_fatal(tmp_path):
    folder = tmp_path / "recovery"
    store = RecoveryStore(folder)
    document = tmp_path / "Dockerfile"
    store.save(document, "FROM scratch")
    (copy,) = folder.iterdir()
    copy.write_text("{not json", encoding="utf-8")
    assert store.load(document) is None
    assert store.pending() == []
    copy.write_text(json.dumps({"path": str(document), "text": 3}), encoding="utf-8")
    assert store.load(document) is None
    store.save(document, "FROM again")  # a damaged copy is simply replaced
    assert store.load(document) == "FROM again"


def test_default_folder_is_in_the_user_state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_folder() == tmp_path / "state" / "portside" / "recovery"
    assert RecoveryStore().folder == default_folder()


# Reading and saving documents ---------------------------------------------------------------------------


def test_an_unreadable_path_says_why(tmp_path):
    folder = tmp_path / "Dockerfile"
    folder.mkdir()
    with pytest.raises(EngineError, match="Could not read Dockerfile: that is a folder"):
        read_text_document(folder)


def test_a_save_discards_the_copies_of_this_and_older_names(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    old, new = tmp_path / "Dockerfile.old", tmp_path / "Dockerfile"
    store.save(old, "FROM a")
    store.save(new, "FROM a")
    assert save_text_document(new, "FROM a", UTF8, store, forget=(old,)) == "FROM a"
    assert new.read_text(encoding="utf-8") == "FROM a"
    assert store.pending() == []


def test_a_failed_save_keeps_the_text_in_the_recovery_copy(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    path = tmp_path / "missing-folder" / "Dockerfile"
    with pytest.raises(SaveFailed, match=r"Not saved to .*Dockerfile: its folder does not exist") as failed:
        save_text_document(path, "FROM precious", UTF8, store)
    assert failed.value.recovery_saved and "safe in a recovery copy" in failed.value.message
    assert store.load(path) == "FROM precious"


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_that_refuses_the_recovery_copy_too_says_so(tmp_path, monkeypatch):
    """Found: the message claimed the text was "also in a recovery copy" when that write had failed too."""
    store = RecoveryStore(tmp_path / "recovery")
    path = tmp_path / "Dockerfile"
    path.write_text("FROM old", encoding="utf-8")
    monkeypatch.setattr(text_file, "atomic_write_bytes", _disk_full)
    monkeypatch.setattr(store, "save", _disk_full)
    with pytest.raises(EngineError) as failed:
        save_text_document(path, "FROM precious", UTF8, store)
    assert failed.value.message == (
        f"Not saved to {path}: the disk is full. The recovery copy could not be written either: "
        "copy your text somewhere safe now."
    )
    assert not failed.value.recovery_saved
    assert path.read_text(encoding="utf-8") == "FROM old"


def test_a_full_disk_that_takes_the_recovery_copy_says_the_text_is_safe(tmp_path, monkeypatch):
    store = RecoveryStore(tmp_path / "recovery")
    path = tmp_path / "Dockerfile"
    real_write = text_file.atomic_write_bytes

    def document_full(target, *args, **kwargs):
        if Path(target) == path:
            _disk_full()
        return real_write(target, *args, **kwargs)

    monkeypatch.setattr(text_file, "atomic_write_bytes", document_full)
    with pytest.raises(SaveFailed) as failed:
        save_text_document(path, "FROM precious", UTF8, store)
    assert failed.value.message.startswith(
        f"Not saved to {path}: the disk is full. Your text is safe in a recovery copy"
    )
    assert failed.value.recovery_saved and store.load(path) == "FROM precious"


def test_a_copy_that_cannot_be_removed_after_a_save_is_no_failed_save(tmp_path, monkeypatch):
    store = RecoveryStore(tmp_path / "recovery")
    path = tmp_path / "Dockerfile"
    monkeypatch.setattr(store, "discard", _disk_full)
    assert save_text_document(path, "FROM saved", UTF8, store) == "FROM saved"
    assert path.read_text(encoding="utf-8") == "FROM saved"


def test_recovery_copy_and_discard_failures_are_sentences(tmp_path, monkeypatch):
    store = RecoveryStore(tmp_path / "recovery")
    monkeypatch.setattr(store, "save", _disk_full)
    monkeypatch.setattr(store, "discard", _disk_full)
    with pytest.raises(EngineError, match=r"^Could not keep a recovery copy: the disk is full\.$"):
        keep_recovery_copy(store, tmp_path / "Dockerfile", "FROM x")
    with pytest.raises(EngineError, match=r"^Could not delete the recovery copy of Dockerfile: the disk is full\.$"):
        drop_recovery_copy(store, tmp_path / "Dockerfile")


# Copies offered at start-up ------------------------------------------------------------------------------


def test_pending_copies_say_what_each_file_holds_now(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    unchanged, changed, same = (tmp_path / name / "Dockerfile" for name in ("unchanged", "changed", "same"))
    gone, no_folder, unreadable = tmp_path / "Dockerfile.gone", tmp_path / "nowhere" / "Dockerfile", tmp_path / "bin"
    for path in (unchanged, changed, same):
        path.parent.mkdir()
        path.write_text("FROM a\nRUN old\n", encoding="utf-8")
    unreadable.write_bytes(b"FROM a\x00\x01\x02")
    for path in (unchanged, changed, gone, no_folder, unreadable):
        store.save(path, "FROM a\nRUN new\n")
    store.save(same, "FROM a\nRUN old\n")
    later = time.time() + 60
    os.utime(changed, (later, later))  # written after the copy was made

    copies = {copy.path: copy for copy in pending_copies(store)}
    assert sorted(copies) == sorted([unchanged, changed, gone, no_folder, unreadable])
    assert store.load(same) is None  # a copy equal to its file keeps nothing unsaved: removed, not offered
    first = copies[unchanged]
    assert first.text == "FROM a\nRUN new\n" and first.disk_text == "FROM a\nRUN old\n"
    assert not first.changed_since and not first.gone and first.folder_exists and first.saved_at
    assert "-RUN old" in first.diff.splitlines() and "+RUN new" in first.diff.splitlines()
    assert copies[changed].changed_since
    assert copies[gone].gone and copies[gone].folder_exists and "+FROM a" in copies[gone].diff.splitlines()
    assert copies[no_folder].gone and not copies[no_folder].folder_exists
    assert not copies[unreadable].gone and "not a text file" in copies[unreadable].unreadable


def test_no_copies_means_nothing_to_offer(tmp_path):
    assert pending_copies(RecoveryStore(tmp_path / "never-made")) == []


def test_copies_of_latin1_and_utf16_files_are_compared_with_what_the_file_says(tmp_path):
    """Found: the offer read files as UTF-8 only, so the copy of a Latin-1 or UTF-16 Dockerfile (which the
    editor opens and saves) was offered as "cannot be read", with Restore turned off."""
    store = RecoveryStore(tmp_path / "recovery")
    latin1, utf16, same = tmp_path / "latin1", tmp_path / "utf16", tmp_path / "same"
    latin1.write_bytes(b"FROM a\n# caf\xe9\n")
    utf16.write_bytes(codecs.BOM_UTF16_LE + "FROM a\r\n# café\r\n".encode("utf-16-le"))
    same.write_bytes(b"FROM a\r\n# na\xefve\r\n")
    store.save(latin1, "FROM a\n# café\nUSER app\n")
    store.save(utf16, "FROM b\n# café\n")
    store.save(same, "FROM a\n# naïve\n")  # what the editor held: the file's text with "\n" line breaks

    copies = {copy.path: copy for copy in pending_copies(store)}
    assert sorted(copies) == sorted([latin1, utf16])
    assert store.load(same) is None  # equal to its Latin-1, CRLF file: nothing unsaved, removed
    assert copies[latin1].unreadable is None and copies[latin1].disk_text == "FROM a\n# café\n"
    assert copies[latin1].diff.splitlines()[-1] == "+USER app"
    assert copies[utf16].unreadable is None and copies[utf16].disk_text == "FROM a\n# café\n"
    assert {"-FROM a", "+FROM b"} <= set(copies[utf16].diff.splitlines())
