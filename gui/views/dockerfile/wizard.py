"""The Dockerfile wizard: seven checked pages from a project folder to a Dockerfile and .dockerignore written
safely into it. The pages live in wizard_page (their base), wizard_project_pages, wizard_install_pages,
wizard_runtime_pages and wizard_review_page; this holds them together, builds the spec and writes.

It can also start from nothing: the first page writes Portside's sample AI app into a new folder, and the
wizard then goes on with that folder, straight to the Review page with the sample's answers."""

from __future__ import annotations

import dataclasses
import errno
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import QWidget, QWizard

from gui.core import fileio, log
from gui.core.dockerfile import sample_project
from gui.core.dockerfile.base_choices import with_local_base
from gui.core.dockerfile.project_scan import ProjectScan
from gui.core.dockerfile.recipe import AppKind, DockerfileSpec, default_spec
from gui.core.dockerfile.requirements import pin_requirements
from gui.core.errors import EngineError
from gui.views.dockerfile.wizard_install_pages import BasePage, DepsPage
from gui.views.dockerfile.wizard_project_pages import FolderPage, KindPage
from gui.views.dockerfile.wizard_review_page import ReviewPage
from gui.views.dockerfile.wizard_runtime_pages import FilesPage, PracticePage
from gui.views.widgets.lifetime import while_alive
from gui.workers.session import EngineSession

logger = log.get("ui")


@dataclass(frozen=True)
class WriteJob:
    """Everything the worker needs to write, decided on the GUI thread."""

    folder: Path
    dockerfile: str
    dockerignore: str
    replace: bool  # the user agreed to replace the files that were there
    pins: tuple[tuple[str, str], ...] = ()  # requirements.txt rewrites the user ticked


@dataclass(frozen=True)
class WriteResult:
    dockerfile: Path
    backups: tuple[Path, ...]
    pinned: int


def write_files(job: WriteJob) -> WriteResult:
    """In a worker: requirements.txt (when pinning), the Dockerfile and the .dockerignore, each atomically.

    A file that exists is replaced only when the user agreed, and then only after a backup is made."""
    backups: list[Path] = []
    targets = (("Dockerfile", job.dockerfile), (".dockerignore", job.dockerignore))
    for name, _text in targets:
        if (job.folder / name).exists() and not job.replace:
            raise EngineError(
                f"A {name} appeared in {job.folder} after Portside looked. Nothing was written: "
                "go back to the first page and choose what to do with it."
            )
    pinned = 0
    if job.pins:
        requirements = job.folder / "requirements.txt"
        text = _read(requirements)
        new_text = pin_requirements(text, dict(job.pins))
        if new_text != text:
            pinned = len(job.pins)
            backup = _write(requirements, new_text, backup=True)
            if backup:
                backups.append(backup)
    for name, text in targets:
        path = job.folder / name
        backup = _write(path, text, backup=path.exists())
        if backup:
            backups.append(backup)
    return WriteResult(job.folder / "Dockerfile", tuple(backups), pinned)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EngineError(_os_problem(exc, path, "read"), str(exc)) from exc


def _write(path: Path, text: str, backup: bool) -> Path | None:
    try:
        return fileio.atomic_write(path, text, backup=backup)
    except OSError as exc:
        raise EngineError(_os_problem(exc, path, "write"), str(exc)) from exc


def _os_problem(exc: OSError, path: Path, doing: str) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Could not {doing} {path}: you may not {doing} there. Check the folder's permissions."
    if exc.errno == errno.ENOSPC:
        return f"Could not {doing} {path}: the disk is full."
    if exc.errno == errno.EROFS:
        return f"Could not {doing} {path}: the disk is read-only."
    if exc.errno == errno.ENOENT:
        return f"Could not {doing} {path}: the folder is gone. Choose it again on the first page."
    return f"Could not {doing} {path}: {exc.strerror or exc}."


def preferred_size(widget: QWidget) -> QSize:
    """Room for the review page's Dockerfile without scrolling sideways."""
    metrics = widget.fontMetrics()
    return QSize(metrics.averageCharWidth() * 120, metrics.lineSpacing() * 46)


class DockerfileWizard(QWizard):
    written = Signal(Path)  # the Dockerfile, once it and the .dockerignore are on disk
    openExistingRequested = Signal(Path)  # the user chose to edit the Dockerfile already in the folder

    def __init__(self, session: EngineSession, folder: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.scan: ProjectScan | None = None
        self.sample_folder: Path | None = None  # the sample this wizard wrote, resolved
        self._skip_to_review = False  # once the new sample's folder is scanned
        self.setObjectName("dockerfile-wizard")
        self.setWindowTitle("New Dockerfile")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Write")

        self.folder_page = FolderPage(self)
        self.kind_page = KindPage(self)
        self.base_page = BasePage(self)
        self.deps_page = DepsPage(self)
        self.files_page = FilesPage(self)
        self.practice_page = PracticePage(self)
        self.review_page = ReviewPage(self)
        for page in self.pages():
            self.addPage(page)
        self.folder_page.scanned.connect(self._on_scanned)
        self.resize(self.sizeHint())
        if folder is not None:
            self.folder_page.set_folder(folder)

    def pages(self) -> tuple:
        return (
            self.folder_page,
            self.kind_page,
            self.base_page,
            self.deps_page,
            self.files_page,
            self.practice_page,
            self.review_page,
        )

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(preferred_size(self))

    # What the user chose ----------------------------------------------------------------------------

    def _on_scanned(self, scan: ProjectScan) -> None:
        if self.sample_folder is not None and scan.folder == self.sample_folder:
            # The scan sees a plain script (no web framework in requirements.txt); the sample serves HTTP.
            scan = dataclasses.replace(scan, suggested_kind=sample_project.SAMPLE_KIND)
        self.scan = scan
        if self._skip_to_review and self.is_sample():
            self._skip_to_review = False
            QTimer.singleShot(0, self, self._go_to_review)  # once the first page has taken the scan in

    def is_sample(self) -> bool:
        """Whether the folder is the sample app this wizard just wrote."""
        return self.scan is not None and self.sample_folder is not None and self.scan.folder == self.sample_folder

    def sample_created(self, folder: Path) -> None:
        """The first page wrote the sample into `folder`: go on with it as if the user had chosen it."""
        self.sample_folder = folder
        self._skip_to_review = True
        self.folder_page.set_folder(folder)

    def _go_to_review(self) -> None:
        """Next, page by page (each fills in its defaults), until Review; a page that needs the user stops it."""
        while self.currentPage() is not self.review_page:
            page = self.currentPage()
            if not page.isComplete():
                return
            self.next()
            if self.currentPage() is page:
                return

    def local_images(self) -> tuple:
        """The engine's images as the session last listed them (ImageRow); none before the first list."""
        snapshot = self.session.snapshot
        return tuple(snapshot.images) if snapshot is not None else ()

    def kind(self) -> AppKind:
        chosen = self.kind_page.kind()
        if chosen is not None:
            return chosen
        return self.scan.suggested_kind if self.scan is not None else AppKind.SCRIPT

    def default_spec(self, kind: AppKind | None = None) -> DockerfileSpec:
        """The kind's defaults for the folder: on a Python image already on the engine when there is one,
        and for the sample app, its own start command and port."""
        spec = with_local_base(default_spec(kind or self.kind(), self.scan), self.local_images())
        return sample_project.with_sample_defaults(spec) if self.is_sample() else spec

    def spec(self) -> DockerfileSpec:
        """The Dockerfile as the pages describe it now; pages not visited yet give the kind's defaults."""
        kind = self.kind()
        changes: dict = {}
        for page in (self.base_page, self.deps_page, self.files_page, self.practice_page):
            changes.update(page.spec_changes(kind))
        spec = dataclasses.replace(self.default_spec(kind), **changes)
        if spec.port is None and spec.healthcheck:
            spec = dataclasses.replace(spec, healthcheck=False)  # nothing to ask without a port
        return spec

    def write_plan_text(self) -> str:
        scan = self.scan
        if scan is None:
            return ""
        lines = [f"Write puts Dockerfile and .dockerignore into {scan.folder}."]
        if self.is_sample():
            lines = [
                f"The sample app is in {scan.folder}: app.py, requirements.txt and README.md. Write adds this "
                "Dockerfile and .dockerignore; Back shows the choice made on each page."
            ]
        kept = [
            name
            for name, present in (
                ("Dockerfile", bool(scan.existing_dockerfile)),
                (".dockerignore", scan.has_dockerignore),
            )
            if present
        ]
        if kept:
            lines.append("The ones there now are kept as " + " and ".join(f"{name}.bak" for name in kept) + ".")
        pins = self.deps_page.pins_to_write()
        if pins:
            lines.append(
                f"requirements.txt gets {len(pins)} pinned version{'s' if len(pins) != 1 else ''} "
                "(the old one is kept as requirements.txt.bak)."
            )
        return " ".join(lines)

    # Actions ----------------------------------------------------------------------------------------

    def open_existing(self, path: Path) -> None:
        self.openExistingRequested.emit(path)
        self.reject()

    def write(self) -> None:
        review = self.review_page
        if review.writing or self.scan is None:
            return
        job = WriteJob(
            self.scan.folder,
            review.dockerfile_text,
            review.dockerignore_text,
            replace=self.folder_page.replace_agreed(),
            pins=tuple(sorted(self.deps_page.pins_to_write().items())),
        )
        review.writing = True
        review.show_write_error(None)
        review.refresh()
        self.session.tasks.submit(
            lambda: write_files(job), while_alive(self, self._on_written), while_alive(self, self._on_write_failed)
        )

    def _on_written(self, result: WriteResult) -> None:
        review = self.review_page
        review.writing = False
        review.done = True
        logger.info("wrote %s (backups: %s)", result.dockerfile, [str(path) for path in result.backups])
        self.written.emit(result.dockerfile)
        self.accept()

    def _on_write_failed(self, error: EngineError) -> None:
        review = self.review_page
        review.writing = False
        review.show_write_error(error.message)
        review.refresh()
