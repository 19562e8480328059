"""The Files window: one container's (or one volume's) folders to browse, files to download and upload.

Every listing and copy runs as a FileJob off the GUI thread; a new navigation cancels the listing before it, and
copies run one at a time in the order asked. The line under the table is the CLI twin: the `docker cp` that does
what is selected (or the upload that ran). Closing the window cancels what runs and closes the backend (a volume's
helper container is removed) on a thread of its own.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.core.files.entries import FilesCancelled, normalise
from gui.models.files import FilesModel
from gui.views.files.files_table import FilesTable
from gui.views.files.transfer_bar import TransferBar
from gui.views.files.transfers import Transfer, TransferQueue, names, sentence
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import error_label_style, set_secondary
from gui.workers.file_jobs import FileJob, close_after

if TYPE_CHECKING:
    from gui.core.files.backend import ContainerFiles
    from gui.core.files.entries import FileEntry, Listing

HOW_READ = {
    "exec": "Listed inside a running container (stat): quick, whatever the files weigh",
    "archive": "Read through the engine's archive API (works on stopped containers; folder sizes are the total of "
    "their files)",
}
EMPTY_FOLDER = "This folder is empty. Drop files here from your computer to upload them."
NO_TWIN = "Select a file or folder: the docker cp command that downloads it shows here."


class FilesWindow(QWidget):
    """`commandIssued(command, what)` for each copy started (the main window's Commands panel lists it);
    `closed` once the window closed."""

    commandIssued = Signal(str, str)
    closed = Signal()

    def __init__(self, backend: ContainerFiles, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("files-window")
        self.setWindowTitle(backend.title)
        self.backend = backend
        self.listing: Listing | None = None
        self.download_folder: Path | None = None  # the host folder chosen last
        self._back: list[str] = []
        self._forward: list[str] = []
        self._listing_job: FileJob | None = None
        self._upload_twin = ""  # shown until the selection changes
        self._closing = False
        self._build()
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 34)
        self.table.setFocus()
        self.go_to(backend.root)

    # Layout ------------------------------------------------------------------------------------

    def _build(self) -> None:
        style = self.style()
        icon = style.standardIcon
        pixmap = QStyle.StandardPixmap
        self.back_action = self._action("Back", "Alt+Left", self.back, icon(pixmap.SP_ArrowBack))
        self.forward_action = self._action("Forward", "Alt+Right", self.forward, icon(pixmap.SP_ArrowForward))
        self.up_action = self._action("Up", "Alt+Up", self.up, icon(pixmap.SP_ArrowUp))
        self.home_action = self._action("Home", "Alt+Home", self.home, icon(pixmap.SP_DirHomeIcon))
        self.refresh_action = self._action(
            "Refresh", QKeySequence.StandardKey.Refresh, self.refresh, icon(pixmap.SP_BrowserReload)
        )
        self.download_action = self._action("&Download…", "Ctrl+S", self.download_selected)
        self.upload_files_action = self._action("&Upload files…", "Ctrl+U", self.upload_files)
        self.upload_folder_action = self._action("Upload &folder…", "Ctrl+Shift+U", self.upload_folder)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("files-path")
        self.path_edit.setAccessibleName("Folder")
        self.path_edit.setToolTip("The folder shown. Type a path and press Enter to go there.")
        self.path_edit.returnPressed.connect(lambda: self.go_to(self._typed_path()))
        top = QHBoxLayout()
        for action in (self.back_action, self.forward_action, self.up_action, self.home_action):
            top.addWidget(self._tool_button(action))
        top.addWidget(self.path_edit, 1)
        top.addWidget(self._tool_button(self.refresh_action))

        self.error = message_label(self, "files-error", style=error_label_style(), hidden=True)
        self.model = FilesModel(self._icons(), self)
        self.table = FilesTable(self)
        self.table.setModel(self.model)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(self._activated)
        self.table.filesDropped.connect(self._dropped)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        metrics = self.table.fontMetrics()
        padding = metrics.averageCharWidth() * 3
        self.table.setColumnWidth(0, metrics.averageCharWidth() * 40)
        self.table.setColumnWidth(1, metrics.horizontalAdvance("1023.9 MiB") + padding)
        self.table.setColumnWidth(2, metrics.horizontalAdvance("2026-12-31 23:59:59") + padding)

        self.how = QLabel(self)
        self.how.setObjectName("files-how")
        self.how.setWordWrap(True)
        set_secondary(self.how)
        actions = QHBoxLayout()
        actions.addWidget(self.how, 1)
        for action in (self.download_action, self.upload_files_action, self.upload_folder_action):
            button = QPushButton(action.text(), self)
            button.setToolTip(f"{action.toolTip()}")
            button.clicked.connect(action.trigger)
            actions.addWidget(button)
        self.transfer = TransferBar(self)
        self.transfers = TransferQueue(self.backend, self.transfer, lambda question: self.ask_replace(question), self)
        self.transfers.commandIssued.connect(self.commandIssued)
        self.transfers.failed.connect(lambda text: show_message(self.error, text))
        self.transfers.uploaded.connect(self.refresh)

        self.twin = QLineEdit(self)
        self.twin.setObjectName("files-command")
        self.twin.setReadOnly(True)
        self.twin.setAccessibleName("Command")
        self.twin.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.twin.setPlaceholderText(NO_TWIN)
        self.twin.setToolTip("The docker command that does the same, to copy into a terminal")
        copy = QPushButton("Copy", self)
        copy.setToolTip("Copy the command")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.twin.text()))
        twin_row = QHBoxLayout()
        twin_row.addWidget(QLabel("Command:", self))
        twin_row.addWidget(self.twin, 1)
        twin_row.addWidget(copy)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.transfer)
        layout.addLayout(twin_row)
        self._update_actions()

    def _action(self, text: str, keys, slot, icon=None) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        tip = text.replace("&", "")
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        if icon is not None:
            action.setIcon(icon)
        action.triggered.connect(slot)
        self.addAction(action)  # its shortcut works anywhere in the window
        return action

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        return button

    def _icons(self) -> dict[str, Any]:
        icon, pixmap = self.style().standardIcon, QStyle.StandardPixmap
        return {
            "folder": icon(pixmap.SP_DirIcon),
            "file": icon(pixmap.SP_FileIcon),
            "link": icon(pixmap.SP_FileLinkIcon),
        }

    # Browsing ----------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The folder shown (the last one read)."""
        return self.listing.path if self.listing is not None else self.backend.root

    def go_to(self, path: str, move: str = "new") -> None:
        """Reads `path` off the GUI thread; `move` says what it does to the history: new, back, forward or none."""
        path = normalise(path)
        if self._listing_job is not None:
            self._listing_job.abandon()  # its answer is no longer wanted
        if self.listing is not None and path == self.listing.path:  # read again: rows and selection stay meanwhile
            self.how.setText(f"Reading {path}…")
        else:
            self.model.set_rows([])
            self.table.show_placeholder(f"Reading {path}…")
        self.path_edit.setText(path)
        backend = self.backend  # the job's thread holds the backend, never the window
        job = self._listing_job = FileJob(lambda _progress, cancel: backend.list_folder(path, cancel), "file listing")
        job.setParent(self)
        job.finished.connect(lambda listing: self._listed(job, listing, move))
        job.failed.connect(lambda exc: self._list_failed(job, path, exc))
        job.start()
        self._update_actions()

    def _listed(self, job: FileJob, listing: Listing, move: str) -> None:
        self._job_done(job)
        previous = self.listing.path if self.listing is not None else None
        if move == "back":
            self._back.pop()
            self._forward.append(previous)
        elif move == "forward":
            self._forward.pop()
            self._back.append(previous)
        elif move == "new" and previous is not None and previous != listing.path:
            self._back.append(previous)
            self._forward.clear()
        self.listing = listing
        self.model.set_rows(listing.entries)
        self.table.show_placeholder(EMPTY_FOLDER)
        self.path_edit.setText(listing.path)
        self.how.setText(HOW_READ.get(listing.how, ""))
        show_message(self.error, None)
        self._update_actions()
        self._update_twin()

    def _list_failed(self, job: FileJob, path: str, exc: BaseException) -> None:
        self._job_done(job)
        if isinstance(exc, FilesCancelled):
            return
        show_message(self.error, sentence(exc, f"read {path}"))
        if self.listing is not None:  # stay where we were
            self.model.set_rows(self.listing.entries)
            self.path_edit.setText(self.listing.path)
            self.table.show_placeholder(EMPTY_FOLDER)
        else:
            self.table.show_placeholder(f"Could not read {path}. Press F5 to try again.")
        self._update_actions()

    def _job_done(self, job: FileJob) -> None:
        if job is self._listing_job:
            self._listing_job = None
        job.deleteLater()

    def _typed_path(self) -> str:
        typed = self.path_edit.text().strip() or "/"
        return typed if typed.startswith("/") else posixpath.join(self.path, typed)

    def back(self) -> None:
        if self._back:
            self.go_to(self._back[-1], "back")

    def forward(self) -> None:
        if self._forward:
            self.go_to(self._forward[-1], "forward")

    def up(self) -> None:
        if self.path not in ("/", self.backend.root):
            self.go_to(posixpath.dirname(self.path))

    def home(self) -> None:
        self.go_to(self.backend.root)

    def refresh(self) -> None:
        self.go_to(self.path, "none")

    def _activated(self, index) -> None:
        entry: FileEntry = self.model.row_at(index.row())
        if entry.kind in ("folder", "link"):  # a link is most often to a folder (/lib -> usr/lib)
            self.go_to(entry.path)
        else:
            self.download([entry])

    def _update_actions(self) -> None:
        self.back_action.setEnabled(bool(self._back))
        self.forward_action.setEnabled(bool(self._forward))
        self.up_action.setEnabled(self.path not in ("/", self.backend.root))

    # The CLI twin ------------------------------------------------------------------------------

    def selected_entries(self) -> list[FileEntry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(row) for row in rows]

    def _selection_changed(self) -> None:
        if self.table.selectionModel().hasSelection():  # the user picked something: its download's twin now
            self._upload_twin = ""
        self._update_twin()

    def _update_twin(self) -> None:
        if self._upload_twin:
            self.twin.setText(for_engine(self._upload_twin))
            return
        folder = self.download_folder or default_download_folder()
        commands = [self.backend.download_command(entry.path, folder) for entry in self.selected_entries()]
        self.twin.setText(" && ".join(for_engine(command) for command in commands))
        self.twin.setCursorPosition(0)

    # Asking the user (tests replace these) -----------------------------------------------------

    def ask_download_folder(self, start: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, "Download to folder", str(start))
        return Path(chosen) if chosen else None

    def ask_upload_files(self, start: Path) -> list[Path]:
        chosen, _filter = QFileDialog.getOpenFileNames(self, f"Upload files to {self.path}", str(start))
        return [Path(name) for name in chosen]

    def ask_upload_folder(self, start: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, f"Upload a folder to {self.path}", str(start))
        return Path(chosen) if chosen else None

    def ask_replace(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Replace?",
            f"{question}\n\nReplace it with the copy from the container?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # Copies ------------------------------------------------------------------------------------

    def download_selected(self) -> None:
        entries = self.selected_entries()
        if not entries:
            show_message(self.error, "Select the files or folders to download first.")
            return
        self.download(entries)

    def download(self, entries: list[FileEntry]) -> None:
        folder = self.ask_download_folder(self.download_folder or default_download_folder())
        if folder is None:
            return
        self.download_folder = folder
        self._update_twin()
        transfers = [
            Transfer(True, e.name, self.backend.download_command(e.path, folder), folder, e.path) for e in entries
        ]
        self._enqueue(transfers)

    def upload_files(self) -> None:
        paths = self.ask_upload_files(Path.home())
        if paths:
            self.upload(paths, self.path)

    def upload_folder(self) -> None:
        folder = self.ask_upload_folder(Path.home())
        if folder is not None:
            self.upload([folder], self.path)

    def upload(self, sources: list[Path], dest_folder: str) -> None:
        twin = self.backend.upload_command(sources, dest_folder)
        self._upload_twin = twin
        self.twin.setText(for_engine(twin))
        name = names([path.name for path in sources])
        self._enqueue([Transfer(False, name, twin, container_path=dest_folder, sources=tuple(sources))])

    def _dropped(self, paths: list[Path], row: int) -> None:
        dest = self.model.row_at(row).path if row >= 0 else self.path
        self.upload(paths, dest)

    def _enqueue(self, transfers: list[Transfer]) -> None:
        show_message(self.error, None)
        self.transfers.add(transfers)

    # Closing -----------------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        if not self._closing:
            self._closing = True
            jobs = [job for job in (self._listing_job, self.transfers.stop()) if job is not None]
            self._listing_job = None
            close_after(jobs, self.backend.close)
            self.closed.emit()
        super().closeEvent(event)


def default_download_folder() -> Path:
    """~/Downloads where the desktop has one (no disk access: the desktop's setting), else the home folder."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return Path(location) if location else Path.home()
