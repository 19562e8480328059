"""The Learn page: the seed tutorial's chapters as steps, each with a check mark that comes from Docker's real
state, a command to copy and a "Do it" button that asks the window to open the right page or dialog.

What the checks need comes from three places: the session's lists and diagnosis and the Monitor's samples (in
memory, read here), and facts that take I/O (the build history, the project's Dockerfile and its lint, an HTTP
request to each published port, the image's RepoDigests), gathered in the session's task pool, throttled, one
round at a time. The progress file is read and written by a one-thread runner, so writes land in order.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.build.history import BuildHistory
from gui.core.engine.rows import ContainerRow
from gui.core.errors import EngineError
from gui.core.learn import progress as checks
from gui.core.learn.facts import Gathered, ProjectChecker
from gui.core.learn.progress import Facts, LearnState, Project
from gui.core.learn.steps import STEPS, Step
from gui.core.learn.store import LearnProgress, LearnStore
from gui.core.monitor.keys import ContainerKey
from gui.views.learn.step_detail import DONE_MARK, NOT_DONE_MARK, StepDetail
from gui.views.widgets.feedback import message_label
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style, text_colour
from gui.workers.monitor.service import MonitorService
from gui.workers.session import EngineSession
from gui.workers.tasks import TaskRunner

logger = log.get("learn")

GATHER_DELAY_MS = 300  # bursts of snapshots (a compose up, a prune) make one round of facts
REPROBE_MS = 2000  # while the project's container runs but its port does not answer yet (the app is starting)
REPROBE_FOR_S = 120  # how long after the last change to keep asking: a port that never answers HTTP is left alone
STEP_ROLE = Qt.ItemDataRole.UserRole
DONE_ROLE = Qt.ItemDataRole.UserRole + 1


class LearnPage(QWidget):
    actionRequested = Signal(str)  # an action id of gui.core.learn.steps.ACTIONS
    skipped = Signal()  # "Skip, I know Docker": the window goes to Containers
    loaded = Signal(object)  # LearnProgress, once read from disk

    def __init__(
        self,
        session: EngineSession,
        monitor: MonitorService,
        history: BuildHistory,
        store: LearnStore,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("learn-page")
        self.session = session
        self.monitor = monitor
        self.store = store
        self.checker = ProjectChecker(history)
        self.progress: LearnProgress | None = None  # None until read from disk
        self.gathered = Gathered(Project(), Facts())
        self.done: frozenset[str] = frozenset()
        self._disk = TaskRunner(self, max_threads=1)  # one at a time: the file's writes land in order
        self._gathering = False
        self._gather_again = False
        self._acting_on: str | None = None  # the step whose "Do it" was pressed last, until it is done
        self._last_change = time.monotonic()
        self._gather_timer = QTimer(self, singleShot=True, interval=GATHER_DELAY_MS, timeout=self._gather)
        self._reprobe_timer = QTimer(self, singleShot=True, interval=REPROBE_MS, timeout=self._gather)
        self._build_widgets()
        session.snapshotChanged.connect(self._on_engine_changed)
        session.diagnosisChanged.connect(self._on_engine_changed)
        monitor.updated.connect(self._update)

    def _build_widgets(self) -> None:
        title = QLabel("Learn Docker", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        intro = message_label(
            self,
            "learn-intro",
            "From an empty machine to an AI app answering in your browser, one step at a time. A check mark "
            "appears when Docker really has what the step makes, whichever way you did it.",
        )
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("learn-progress")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, len(STEPS))
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setAccessibleName("Steps done")
        self.progress_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.steps_list = QListWidget(self)
        self.steps_list.setObjectName("learn-steps")
        self.steps_list.setAccessibleName("Steps")
        self.steps_list.setStyleSheet("QListWidget#learn-steps::item { padding: 0.2em 0.3em; }")
        for number, step in enumerate(STEPS, start=1):
            item = QListWidgetItem(f"{NOT_DONE_MARK} {number}. {step.title}")
            item.setData(STEP_ROLE, step.id)
            item.setData(DONE_ROLE, False)
            self.steps_list.addItem(item)
        width = max(
            self.steps_list.fontMetrics().horizontalAdvance(self.steps_list.item(row).text())
            for row in range(self.steps_list.count())
        )
        self.steps_list.setMaximumWidth(width + self.steps_list.fontMetrics().averageCharWidth() * 6)
        self.steps_list.currentRowChanged.connect(lambda _row: self._show_current())
        self.detail = StepDetail(self)
        self.detail.actionRequested.connect(self._do_it)
        self.detail.nextRequested.connect(self._next)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        # Lines a reader can follow on a wide screen.
        self.detail.setMaximumWidth(self.fontMetrics().averageCharWidth() * 120)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.reset_button = QPushButton("&Reset progress", self)
        self.reset_button.setObjectName("learn-reset")
        self.reset_button.setToolTip("Start the guide again: forget the steps read and the containers seen")
        self.reset_button.clicked.connect(self._ask_reset)
        self.skip_button = QPushButton("&Skip, I know Docker", self)
        self.skip_button.setObjectName("learn-skip")
        self.skip_button.setToolTip("Go to Containers, and start there from now on. Learn stays in the sidebar.")
        self.skip_button.clicked.connect(self.skip)
        self.skipped_note = message_label(
            self,
            "learn-skipped-note",
            "You skipped this guide, so Portside starts on Containers. It stays here whenever you want it.",
            style=colour_style("secondary"),
            hidden=True,
        )

        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch()
        header.addWidget(self.progress_label)
        header.addWidget(self.progress_bar)
        layout.addLayout(header)
        layout.addWidget(intro)
        body = QHBoxLayout()
        body.addWidget(self.steps_list)
        body.addWidget(scroll, 1)
        layout.addLayout(body, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.skipped_note, 1)
        footer.addStretch()
        footer.addWidget(self.reset_button)
        footer.addWidget(self.skip_button)
        layout.addLayout(footer)
        self._update()

    # Progress on disk ----------------------------------------------------------------------------------------

    def load(self) -> None:
        """Reads the stored progress (off the GUI thread); `loaded` tells when it is known."""
        self._disk.submit(self.store.load, while_alive(self, self._on_loaded), while_alive(self, self._on_disk_error))

    def _on_loaded(self, progress: LearnProgress) -> None:
        self.progress = progress
        self.skipped_note.setVisible(progress.skipped)
        self._update()
        self.select_step(checks.first_not_done(self.done) or STEPS[-1].id)
        self.loaded.emit(progress)
        self.refresh_soon()

    def _save(self, progress: LearnProgress) -> None:
        self.progress = replace(progress, stored=True)
        self._disk.submit(lambda: self.store.save(progress), None, while_alive(self, self._on_disk_error))

    def _on_disk_error(self, error: EngineError) -> None:
        # Progress is a convenience: the page keeps working from memory, and the checks from real state.
        logger.info("learn progress not read or saved: %s", error.message)
        if self.progress is None:
            self._on_loaded(LearnProgress(stored=True))

    def skip(self) -> None:
        if self.progress is not None:
            self._save(replace(self.progress, skipped=True))
            self.skipped_note.show()
        self.skipped.emit()

    def _ask_reset(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Reset progress",
            "Start the guide again? Steps read and containers seen are forgotten. A step whose result Docker "
            "still has (an image, a running app) stays checked, because its check looks at Docker itself.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        reset = box.addButton("Reset", QMessageBox.ButtonRole.AcceptRole)
        box.exec()
        if box.clickedButton() is reset:
            self.reset()

    def reset(self) -> None:
        self._save((self.progress or LearnProgress()).reset())
        self.skipped_note.hide()
        self._update()
        self.select_step(checks.first_not_done(self.done) or STEPS[0].id)

    def remember_wizard_folder(self, folder: Path) -> None:
        """The wizard wrote a Dockerfile in `folder`: it is the user's project until a newer build."""
        if self.progress is not None:
            self._save(replace(self.progress, wizard_folder=str(folder), wizard_at=time.time()))
        self.refresh_soon()

    def remember_push(self, reference: str) -> None:
        if self.progress is not None:
            self._save(self.progress.with_push(reference))
        self.refresh_soon()

    # Facts, gathered in the task pool ------------------------------------------------------------------------

    def refresh_soon(self) -> None:
        """Gathers the facts again shortly (throttled)."""
        self._last_change = time.monotonic()
        if not self._gather_timer.isActive():
            self._gather_timer.start()

    def _on_engine_changed(self, _payload=None) -> None:
        self._update()
        self.refresh_soon()

    def _gather(self) -> None:
        if self._gathering:
            self._gather_again = True
            return
        self._gathering = True
        self._reprobe_timer.stop()
        progress = self.progress or LearnProgress()
        containers = list(self._containers())
        engine = self.session.engine
        inspect = engine.api.inspect_image if engine is not None else None
        self.session.tasks.submit(
            lambda: self.checker.gather(containers, progress.wizard_folder, progress.wizard_at, inspect),
            while_alive(self, self._on_gathered),
            while_alive(self, self._on_gather_failed),
        )

    def _on_gathered(self, gathered: Gathered) -> None:
        self._gathering = False
        self.gathered = gathered
        self._update()
        if self._gather_again:
            self._gather_again = False
            self.refresh_soon()
            return
        state = self.state()
        waiting = [url for url in checks.probe_urls(state) if url not in gathered.facts.answering]
        if waiting and time.monotonic() - self._last_change < REPROBE_FOR_S:
            self._reprobe_timer.start()

    def _on_gather_failed(self, error: EngineError) -> None:
        self._gathering = False
        logger.info("learn facts not gathered: %s", error.message)
        if self._gather_again:
            self._gather_again = False
            self.refresh_soon()

    # State and display ---------------------------------------------------------------------------------------

    def _usable(self) -> bool:
        diagnosis = self.session.diagnosis
        return diagnosis is not None and diagnosis.usable and self.session.connected

    def _containers(self) -> list[ContainerRow]:
        snapshot = self.session.snapshot
        return list(snapshot.containers) if snapshot is not None and self._usable() else []

    def state(self) -> LearnState:
        """Everything the checks read, as it is now."""
        snapshot = self.session.snapshot
        usable = self._usable()
        progress = self.progress or LearnProgress()
        return LearnState(
            engine_usable=usable,
            containers=self._containers(),
            images=list(snapshot.images) if snapshot is not None and usable else [],
            project=self.gathered.project,
            facts=self.gathered.facts,
            sampled=frozenset(key.container_id for key in self.monitor.book if isinstance(key, ContainerKey)),
            read=progress.read,
            seen_running=frozenset(progress.seen_running),
            pushed=frozenset(progress.pushed),
        )

    @property
    def project(self) -> Project:
        return self.gathered.project

    def project_containers(self) -> list[ContainerRow]:
        """The containers of the project's image, running ones first, newest first."""
        rows = checks.project_containers(self.state())
        return sorted(rows, key=lambda row: (not row.running, -row.created))

    def _do_it(self, action: str) -> None:
        step = self.current_step().id
        self._acting_on = step if step not in self.done else None
        self.actionRequested.emit(action)

    def _update(self) -> None:
        self._remember_running(self.state())
        done = checks.done_steps(self.state())
        changed = done != self.done
        finished = self._acting_on if self._acting_on in done - self.done else None
        self.done = done
        for row in range(self.steps_list.count()):
            item = self.steps_list.item(row)
            step_done = item.data(STEP_ROLE) in done
            if item.data(DONE_ROLE) != step_done:
                item.setData(DONE_ROLE, step_done)
                mark = DONE_MARK if step_done else NOT_DONE_MARK
                item.setText(f"{mark} {item.text().split(' ', 1)[1]}")
                item.setToolTip("Done" if step_done else "Not done yet")
                # Done steps in green (a shade that reads on this palette): progress shows at a glance.
                item.setData(Qt.ItemDataRole.ForegroundRole, QColor(text_colour("ok")) if step_done else None)
        self.progress_label.setText(f"{len(done)} of {len(STEPS)} done")
        self.progress_bar.setValue(len(done))
        if finished is not None:
            self._acting_on = None
            if self.current_step().id == finished:
                # What "Do it" started is really done: show the step that comes next, as Next step would.
                following = checks.next_not_done(finished, done)
                if following is not None:
                    self.select_step(following)
                    return
        if changed or self.detail.step is None:
            self._show_current()

    def _remember_running(self, state: LearnState) -> None:
        """The project's containers seen running, so "stopped after having run" can be told later."""
        if self.progress is None:
            return
        running = {row.id for row in checks.project_containers(state) if row.running}
        if running - set(self.progress.seen_running):
            self._save(self.progress.with_running(running))

    def current_step(self) -> Step:
        item = self.steps_list.currentItem()
        return next((step for step in STEPS if item is not None and step.id == item.data(STEP_ROLE)), STEPS[0])

    def select_step(self, step_id: str) -> None:
        row = next(index for index, step in enumerate(STEPS) if step.id == step_id)
        self.steps_list.setCurrentRow(row)
        self._show_current()

    def _show_current(self) -> None:
        step = self.current_step()
        project = self.gathered.project
        containers = self.project_containers()
        self.detail.show_step(
            step,
            step.id in self.done,
            project.image,
            containers[0].name if containers else None,
            _project_line(project),
            self.gathered.facts.lint_rules,
        )

    def _next(self) -> None:
        step = self.current_step()
        if step.read_only and self.progress is not None and step.id not in self.progress.read:
            self._save(self.progress.with_read(step.id))
            self._update()
        row = STEPS.index(step)
        if row + 1 < len(STEPS):
            self.steps_list.setCurrentRow(row + 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_soon()  # the Dockerfile may have changed while the page was away


def _project_line(project: Project) -> str:
    if not project.folder:
        return "Your project: none yet. The Dockerfile wizard makes one, or builds a sample app."
    image = f", image {project.image}" if project.image else ", not built yet"
    return f"Your project: {project.folder}{image}."
