"""Copying files out of and into a container in the Files window: downloads with their closing line, Cancel that
leaves nothing, Replace? for a file already on the host, uploads by drag and drop (into the folder shown or a folder
row), and closing the window while a copy runs."""

from __future__ import annotations

import os

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent
from PySide6.QtWidgets import QApplication

from tests.gui.files.files_driver import WAIT_MS, activate, double_click, drop_files, select, shown, wait_for_folder
from tests.gui.user_actions import answer_message_boxes

BIG = 8 * 1024 * 1024  # 128 pieces of 64 KiB: time to press Cancel with a small delay per piece


def open_data(qtbot, window) -> None:
    window.go_to("/data")
    wait_for_folder(qtbot, window, "/data")


def test_a_download_writes_the_file_and_says_where(qtbot, files_window, container, downloads):
    open_data(qtbot, files_window)
    select(files_window, "model.bin")
    activate(qtbot, files_window)
    issued = []
    files_window.commandIssued.connect(lambda command, what: issued.append(command))
    qtbot.keyClick(files_window.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    result = files_window.transfer.result
    qtbot.waitUntil(lambda: result.isVisible(), timeout=WAIT_MS)
    assert result.text() == f"Downloaded model.bin (1.4 MiB) to {downloads}."
    assert (downloads / "model.bin").read_bytes() == (container / "data" / "model.bin").read_bytes()
    assert files_window.transfer.open_button.isVisible()
    assert issued == [f"docker cp web-1:/data/model.bin {downloads}"]
    assert files_window.twin.text() == f"docker cp web-1:/data/model.bin {downloads}"


def test_double_click_on_a_file_downloads_it(qtbot, files_window, downloads):
    open_data(qtbot, files_window)
    double_click(qtbot, files_window, "notes.txt")
    qtbot.waitUntil(
        lambda: (downloads / "notes.txt").exists() and files_window.transfer.result.isVisible(), timeout=WAIT_MS
    )
    assert (downloads / "notes.txt").read_text() == "remember the milk\n"


def test_several_selected_entries_download_one_after_another(qtbot, files_window, downloads):
    open_data(qtbot, files_window)
    select(files_window, "models", "notes.txt")
    files_window.download_action.trigger()
    qtbot.waitUntil(lambda: files_window.transfer.result.isVisible(), timeout=WAIT_MS)
    assert files_window.transfer.result.text().startswith("Downloaded models and notes.txt (")
    assert (downloads / "models" / "weights.bin").stat().st_size == 200_000
    assert (downloads / "notes.txt").exists()


def test_cancel_mid_download_leaves_nothing(qtbot, files_window, backend, container, downloads):
    (container / "data" / "big.bin").write_bytes(os.urandom(BIG))
    backend.piece_delay = 0.02
    open_data(qtbot, files_window)
    select(files_window, "big.bin")
    files_window.download_action.trigger()
    bar = files_window.transfer
    qtbot.waitUntil(lambda: " of 8.0 MiB" in bar.what.text(), timeout=WAIT_MS)  # progress has come
    assert bar.bar.maximum() > 0 and bar.bar.value() > 0
    qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.result.isVisible(), timeout=WAIT_MS)
    assert bar.result.text() == "Cancelled: nothing was kept."
    assert not bar.open_button.isVisible()
    assert list(downloads.iterdir()) == []


def test_a_file_already_on_the_host_is_replaced_only_when_the_user_says_so(qtbot, files_window, downloads):
    (downloads / "notes.txt").write_text("my own notes\n")
    open_data(qtbot, files_window)
    select(files_window, "notes.txt")
    asked = []
    answer_message_boxes(qtbot, "No", seen=asked)
    files_window.download_action.trigger()
    qtbot.waitUntil(lambda: files_window.transfer.result.isVisible(), timeout=WAIT_MS)
    assert asked and asked[0].startswith(f"{downloads / 'notes.txt'} already exists.")
    assert (downloads / "notes.txt").read_text() == "my own notes\n"
    assert files_window.transfer.result.text() == "Kept the existing notes.txt: not downloaded."

    answer_message_boxes(qtbot, "Yes")
    files_window.download_action.trigger()
    qtbot.waitUntil(lambda: files_window.transfer.result.text().startswith("Downloaded"), timeout=WAIT_MS)
    assert (downloads / "notes.txt").read_text() == "remember the milk\n"


def test_a_host_file_dropped_on_the_table_is_uploaded_into_the_folder_shown(qtbot, files_window, container, tmp_path):
    host_file = tmp_path / "dataset.csv"
    host_file.write_text("a,b\n1,2\n")
    open_data(qtbot, files_window)
    drop_files(files_window, [host_file])
    qtbot.waitUntil(lambda: "dataset.csv" in shown(files_window), timeout=WAIT_MS)  # the folder is read again
    assert (container / "data" / "dataset.csv").read_text() == "a,b\n1,2\n"
    assert files_window.transfer.result.text() == "Uploaded dataset.csv (8 B) to /data."
    assert files_window.twin.text() == f"docker cp {host_file} web-1:/data"


def test_the_rows_and_selection_stay_while_the_folder_is_read_again_after_an_upload(
    qtbot, files_window, container, tmp_path
):
    host_file = tmp_path / "extra.txt"
    host_file.write_text("more\n")
    open_data(qtbot, files_window)
    select(files_window, "notes.txt")
    drop_files(files_window, [host_file])
    qtbot.waitUntil(lambda: "extra.txt" in shown(files_window), timeout=WAIT_MS)
    assert [entry.name for entry in files_window.selected_entries()] == ["notes.txt"]
    assert files_window.twin.text() == f"docker cp {host_file} web-1:/data"  # the upload's twin, until a new pick


def test_files_dropped_on_a_folder_row_go_into_that_folder(qtbot, files_window, container, tmp_path):
    host_folder = tmp_path / "runs"
    (host_folder / "run-1").mkdir(parents=True)
    (host_folder / "run-1" / "log.txt").write_text("loss 0.1\n")
    open_data(qtbot, files_window)
    drop_files(files_window, [host_folder], on="models")
    qtbot.waitUntil(lambda: files_window.transfer.result.isVisible(), timeout=WAIT_MS)
    assert (container / "data" / "models" / "runs" / "run-1" / "log.txt").read_text() == "loss 0.1\n"
    assert files_window.transfer.result.text().endswith("to /data/models.")


def test_upload_files_asks_which_and_uploads_into_the_folder_shown(qtbot, files_window, container, tmp_path):
    host_file = tmp_path / "weights.pt"
    host_file.write_bytes(b"\0" * 70_000)
    files_window.ask_upload_files = lambda start: [host_file]
    open_data(qtbot, files_window)
    activate(qtbot, files_window)
    qtbot.keyClick(files_window.table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "weights.pt" in shown(files_window), timeout=WAIT_MS)
    assert (container / "data" / "weights.pt").stat().st_size == 70_000


def test_closing_during_a_transfer_cancels_it_and_closes_the_backend(
    qtbot, files_window, backend, container, downloads
):
    (container / "data" / "big.bin").write_bytes(os.urandom(BIG))
    backend.piece_delay = 0.02
    open_data(qtbot, files_window)
    select(files_window, "big.bin")
    files_window.download_action.trigger()
    qtbot.waitUntil(lambda: " of 8.0 MiB" in files_window.transfer.what.text(), timeout=WAIT_MS)
    thread = files_window.transfers.job.thread
    files_window.close()
    qtbot.waitUntil(backend.closed.is_set, timeout=WAIT_MS)
    thread.join(WAIT_MS / 1000)
    assert not thread.is_alive()
    assert not (downloads / "big.bin").exists()


def test_a_folder_row_is_outlined_while_files_are_dragged_over_it(qtbot, files_window, tmp_path):
    host_file = tmp_path / "x.txt"
    host_file.write_text("x")
    open_data(qtbot, files_window)
    table = files_window.table
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(host_file))])
    over = table.visualRect(table.model().index(shown(files_window).index("models"), 0)).center()
    buttons, modifiers, action = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, Qt.DropAction.CopyAction
    QApplication.sendEvent(table.viewport(), QDragEnterEvent(over, action, mime, buttons, modifiers))
    QApplication.sendEvent(table.viewport(), QDragMoveEvent(over, action, mime, buttons, modifiers))
    assert table.drop_row == shown(files_window).index("models")
    over_file = table.visualRect(table.model().index(shown(files_window).index("notes.txt"), 0)).center()
    QApplication.sendEvent(table.viewport(), QDragMoveEvent(over_file, action, mime, buttons, modifiers))
    assert table.drop_row == -1  # a file row takes no drop of its own: it goes to the folder shown
    QApplication.sendEvent(table.viewport(), QDragLeaveEvent())


def test_a_copy_of_unknown_size_shows_a_moving_bar_and_the_bytes_so_far(qtbot):
    from gui.views.files.transfer_bar import TransferBar

    bar = TransferBar()
    qtbot.addWidget(bar)
    bar.begin("Downloading data")
    bar.show_progress(3 * 1024 * 1024, None)
    assert bar.bar.maximum() == 0  # Qt's busy bar
    assert bar.what.text() == "Downloading data: 3.0 MiB so far"
    bar.show_progress(512 * 1024 * 1024, 1024 * 1024 * 1024)
    assert (bar.bar.value(), bar.bar.maximum()) == (500, 1000)
    assert bar.what.text() == "Downloading data: 512.0 MiB of 1.0 GiB"
