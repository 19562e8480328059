"""Browsing a container's folders in the Files window: opening folders, Up, Back and Forward, the path bar, what the
table and the status line say, errors as sentences, and the CLI twin of the selection."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from gui.core.errors import EngineError
from gui.views.files.files_window import FilesWindow
from tests.fakes.fake_files import FakeFiles
from tests.gui.files.files_driver import WAIT_MS, activate, double_click, select, shown, wait_for_folder

ALT = Qt.KeyboardModifier.AltModifier


def test_it_opens_at_the_root_with_folders_first_and_says_how_it_read(files_window):
    assert files_window.windowTitle() == "Files in web-1"
    assert shown(files_window) == ["data", "etc", "app.py"]
    assert files_window.path_edit.text() == "/"
    assert files_window.how.text() == "Listed inside a running container (stat): quick, whatever the files weigh"


def test_double_click_opens_a_folder_and_up_back_forward_move_through_them(qtbot, files_window):
    double_click(qtbot, files_window, "data")
    wait_for_folder(qtbot, files_window, "/data")
    assert shown(files_window) == ["empty", "models", "model.bin", "notes.txt"]
    double_click(qtbot, files_window, "models")
    wait_for_folder(qtbot, files_window, "/data/models")
    assert shown(files_window) == ["weights.bin"]

    activate(qtbot, files_window)
    qtbot.keyClick(files_window.table, Qt.Key.Key_Up, ALT)
    wait_for_folder(qtbot, files_window, "/data")
    qtbot.keyClick(files_window.table, Qt.Key.Key_Left, ALT)  # back: where Up came from
    wait_for_folder(qtbot, files_window, "/data/models")
    qtbot.keyClick(files_window.table, Qt.Key.Key_Left, ALT)
    wait_for_folder(qtbot, files_window, "/data")
    qtbot.keyClick(files_window.table, Qt.Key.Key_Right, ALT)
    wait_for_folder(qtbot, files_window, "/data/models")
    assert files_window.path_edit.text() == "/data/models"


def test_enter_on_a_folder_row_opens_it(qtbot, files_window):
    select(files_window, "etc")
    files_window.table.setCurrentIndex(files_window.table.model().index(1, 0))
    qtbot.keyClick(files_window.table, Qt.Key.Key_Return)
    wait_for_folder(qtbot, files_window, "/etc")
    assert shown(files_window) == ["hostname"]


def test_a_path_typed_in_the_bar_opens_on_enter(qtbot, files_window):
    files_window.path_edit.clear()
    qtbot.keyClicks(files_window.path_edit, "/data/models/")
    qtbot.keyClick(files_window.path_edit, Qt.Key.Key_Return)
    wait_for_folder(qtbot, files_window, "/data/models")
    assert shown(files_window) == ["weights.bin"]
    assert files_window.path_edit.text() == "/data/models"
    assert files_window.back_action.isEnabled()


def test_a_folder_that_does_not_exist_is_said_and_the_window_stays_where_it_was(qtbot, files_window):
    files_window.path_edit.clear()
    qtbot.keyClicks(files_window.path_edit, "/nowhere")
    qtbot.keyClick(files_window.path_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: files_window.error.isVisible(), timeout=WAIT_MS)
    assert files_window.error.text() == "Could not open /nowhere: there is no such folder in web-1. Check the path."
    assert files_window.path_edit.text() == "/"
    assert shown(files_window) == ["data", "etc", "app.py"]


def test_an_engine_error_while_listing_shows_its_sentence_not_a_traceback(qtbot, backend, files_window):
    backend.list_error = EngineError(
        "Could not read /data: the container was removed. Close this window.", "No such container: 1234"
    )
    double_click(qtbot, files_window, "data")
    qtbot.waitUntil(lambda: files_window.error.isVisible(), timeout=WAIT_MS)
    assert files_window.error.text() == "Could not read /data: the container was removed. Close this window."
    backend.list_error = None
    activate(qtbot, files_window)
    qtbot.keyClick(files_window.table, Qt.Key.Key_F5)  # the error goes once a listing works again
    qtbot.waitUntil(lambda: not files_window.error.isVisible(), timeout=WAIT_MS)


def test_the_table_says_reading_while_a_listing_runs_and_a_new_one_cancels_it(qtbot, backend, files_window):
    backend.list_gate = threading.Event()
    double_click(qtbot, files_window, "data")
    qtbot.waitUntil(lambda: backend.listed[-1:] == ["/data"], timeout=WAIT_MS)
    assert shown(files_window) == []
    assert files_window.table.placeholder == "Reading /data…"
    first = files_window._listing_job.thread
    files_window.home()  # the user goes elsewhere before /data was read
    first.join(WAIT_MS / 1000)
    assert not first.is_alive()  # the first listing stopped though its folder never answered
    backend.list_gate.set()
    wait_for_folder(qtbot, files_window, "/")
    assert shown(files_window) == ["data", "etc", "app.py"]


def test_an_empty_folder_says_what_to_do(qtbot, files_window):
    files_window.go_to("/data/empty")
    wait_for_folder(qtbot, files_window, "/data/empty")
    assert shown(files_window) == []
    assert files_window.table.placeholder.startswith("This folder is empty. Drop files here")


def test_a_stopped_container_read_through_the_archive_api_says_so(qtbot, container):
    window = FilesWindow(FakeFiles(container, name="old-job", how="archive"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.listing is not None, timeout=WAIT_MS)
    assert window.how.text().startswith("Read through the engine's archive API (works on stopped containers")
    window.close()


def test_the_cli_twin_follows_the_selection(qtbot, files_window, downloads):
    files_window.go_to("/data")
    wait_for_folder(qtbot, files_window, "/data")
    select(files_window, "model.bin")
    assert files_window.twin.text().startswith("docker cp web-1:/data/model.bin ")
    select(files_window, "model.bin", "notes.txt")
    expected_folder = files_window.twin.text().split()[-1]
    assert files_window.twin.text() == (
        f"docker cp web-1:/data/model.bin {expected_folder} && docker cp web-1:/data/notes.txt {expected_folder}"
    )
    files_window.table.clearSelection()
    assert files_window.twin.text() == ""
    assert files_window.twin.placeholderText().startswith("Select a file or folder")


def test_sizes_read_in_human_units_with_exact_bytes_in_the_tooltip(qtbot, files_window):
    files_window.go_to("/data")
    wait_for_folder(qtbot, files_window, "/data")
    model = files_window.table.model()
    row = shown(files_window).index("model.bin")
    assert model.index(row, 1).data() == "1.4 MiB"
    assert model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole) == "1,500,000 bytes"
    assert model.index(row, 3).data() == "-rw-r-----"
    folder = shown(files_window).index("models")
    assert model.index(folder, 1).data() == ""  # a folder listed with ls has no size
    assert model.index(folder, 3).data().startswith("d")
    assert model.index(folder, 0).data(Qt.ItemDataRole.DecorationRole) is not None


def test_a_listing_that_answers_after_the_window_closed_is_dropped(qtbot, backend, container):
    window = FilesWindow(backend)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.listing is not None, timeout=WAIT_MS)
    backend.list_gate = threading.Event()
    window.go_to("/data")
    qtbot.waitUntil(lambda: backend.listed[-1:] == ["/data"], timeout=WAIT_MS)
    window.close()
    qtbot.waitUntil(backend.closed.is_set, timeout=WAIT_MS)  # closed once the listing stopped
    backend.list_gate.set()
    qtbot.wait(200)  # a few delivery turns: the closed window shows nothing new
    assert window.listing.path == "/"
    assert shown(window) == []
