"""What a user does in Portside, driven through the real window while a fault proxy (fault_proxy.py) stands
between the app and the engine: start-up, every page, a container's logs opened and closed, a build, a pull
of a name no registry has, and quitting. Shared by tests/engine/test_fault_modes.py (which asserts outcomes)
and tests/bench/bench_faults.py (which prints the table).

Each activity records the longest gap of a 5 ms GUI-thread heartbeat while it ran (the worst freeze a user
would have felt), its outcome in one of five words (ok, recovered, clear message, waiting, lost data) and what
the window said. Nothing here asserts a duration; a wait that runs out means the window never got there.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.bench.benchkit import Heartbeat
from tests.engine import engine_helpers as eh
from tests.engine.fault_proxy import FaultProxy

# Each mode with its value: delay holds every request 1 s (a slow engine, still within every timeout); drop cuts
# each connection after 64 KiB of answer, and each activity also cuts every connection mid-way (drop_now).
MODES: dict[str, float | None] = {"pass": None, "delay": 1.0, "stall": None, "drop": 64 * 1024}
ACTIVITIES = ("start-up", "pages", "logs", "build", "pull", "quit")
PULL_NAME = "portside-test/fault-nothing-here:1"  # no registry is reachable: the engine refuses at once
WAIT_S = 60  # the longest any activity waits for the window to get where it should (a slow engine included)

Wait = Callable[[Callable[[], bool], float], None]  # wait(condition, timeout_s): raises when it never holds
Settle = Callable[[float], None]  # settle(seconds): turn the event loop that long (measuring only)


@dataclass
class Step:
    activity: str
    longest_gap_ms: int
    outcome: str  # ok / recovered / clear message / waiting / lost data
    said: str = ""  # what the window said, in its own words


@dataclass
class TourState:
    window: QWidget | None = None
    container_id: str = ""
    container_name: str = ""
    steps: list[Step] = field(default_factory=list)


def open_window(host: str, folder: Path, index: int = 0):
    """The real app's MainWindow and EngineSession for the engine at `host` (a DOCKER_HOST value), shown and
    started, as gui.app.run_gui wires them; settings and build history in `folder`."""
    from gui.core.build.history import BuildHistory
    from gui.core.engine.connection import Endpoint, diagnose
    from gui.views.main_window import MainWindow
    from gui.workers.session import EngineSession

    endpoint = Endpoint(host, "DOCKER_HOST")
    session = EngineSession(diagnose_fn=lambda: diagnose(endpoint))
    window = MainWindow(
        session,
        QSettings(str(folder / f"s{index}.ini"), QSettings.Format.IniFormat),
        BuildHistory(folder / f"builds{index}"),
    )
    session.start()
    window.show()
    return window


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def names(page) -> set[str]:
    return {page.proxy.index(row, 0).data() for row in range(page.proxy.rowCount())}


def crash_texts() -> list[str]:
    """Visible message boxes that show a traceback or the crash reporter's words: never acceptable."""
    found = []
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            text = f"{widget.text()}\n{widget.detailedText()}"
            if "Traceback" in text or "unexpected error" in text.lower():
                found.append(text)
    return found


class FaultTour:
    """One mode's tour. `make_window()` opens the window (on the proxy); `wait` and `settle` turn the event loop
    (pytest-qt's in the tests, benchkit's in the benchmark)."""

    def __init__(
        self,
        proxy: FaultProxy,
        mode: str,
        make_window: Callable[[], QWidget],
        wait: Wait,
        settle: Settle,
        client,
        busybox: str,
        labels: dict[str, str],
        workdir: Path,
    ):
        self.proxy, self.mode, self.value = proxy, mode, MODES[mode]
        self._make_window, self._wait, self._settle = make_window, wait, settle
        self.client, self.busybox, self.labels, self.workdir = client, busybox, labels, workdir
        self.heartbeat = Heartbeat()
        self.state = TourState()

    @property
    def window(self):
        assert self.state.window is not None
        return self.state.window

    def run(self) -> list[Step]:
        """Every activity in turn; the steps so far are in self.state.steps should one fail."""
        self.prepare()
        for activity in (self.start_up, self.pages, self.logs, self.build, self.pull, self.quit):
            try:
                activity()
            except Exception as exc:
                raise AssertionError(f"{activity.__name__} under {self.mode}: {exc!r}; {self.describe()}") from exc
        return self.state.steps

    def describe(self) -> str:
        """Where the window is, for a wait that ran out."""
        window = self.state.window
        if window is None:
            return "no window yet"
        session = window.session
        diagnosis = session.diagnosis
        listed = [row.name for row in window.containers_page.model.rows]
        return (
            f"page {window.current_page}; engine {diagnosis.state.value if diagnosis else 'not checked'}; "
            f"connected {session.connected}; proxy {self.proxy.mode}, {self.proxy.open_connections} connections; "
            f"containers listed {listed[:5]}; in the session's snapshot "
            f"{[row.name for row in session.snapshot.containers][:5] if session.snapshot else None}; "
            f"tasks in flight {session.tasks.active}"
        )

    def _record(self, activity: str, outcome: str, said: str = "") -> Step:
        self.heartbeat.stop()
        plain = re.sub(r"<[^>]+>", "", said)  # the status bar's rich text, as read
        step = Step(activity, self.heartbeat.longest, outcome, " ".join(plain.split())[:160])
        self.state.steps.append(step)
        return step

    def _beside(self, fn: Callable[[], object]):
        """The test's own engine calls (docker-py, straight to the engine) run beside the GUI thread while its
        event loop turns: they are not the app's, and must not show up as its freezes."""
        box: dict[str, object] = {}

        def run() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:
                box["error"] = exc

        thread = threading.Thread(target=run, name="fault tour", daemon=True)
        thread.start()
        self._wait(lambda: not thread.is_alive(), WAIT_S)
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _fault(self) -> None:
        self.proxy.set_mode(self.mode, self.value)

    # Activities -------------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """A container that prints steadily (its logs are the stream under test), made past the proxy."""
        script = 'i=0; while true; do echo "line $i of a container that keeps talking"; i=$((i+1)); usleep 20000; done'
        name = f"fault-{self.mode}-{eh.SESSION_SALT}"
        container = self._beside(
            lambda: self.client.containers.run(
                self.busybox, ["sh", "-c", script], detach=True, labels=self.labels, name=name
            )
        )
        self.state.container_id, self.state.container_name = container.id, container.name

    def start_up(self) -> Step:
        """Under the fault from the first byte: the window reaches the lists, or the Engine page says why not.
        A window that cannot connect is then given a working engine for a moment, so that the other activities
        meet the fault on a connected window (as when an engine hangs or slows down while in use)."""
        self._fault()
        self.state.window = window = self._make_window()
        session = window.session
        self.heartbeat.start()
        self._wait(lambda: session.diagnosis is not None and (not session.diagnosis.usable or session.snapshot), WAIT_S)
        if session.snapshot is not None:
            return self._record("start-up", "ok", f"lists: {len(window.containers_page.model.rows)} containers")
        said = f"{window.engine_page.title.text()} {window.engine_label.text()}"
        assert window.current_page == "engine" and window.engine_page.title.text(), "no sentence on the Engine page"
        self.proxy.pass_through()
        self._wait(lambda: session.snapshot is not None, WAIT_S)
        step = self._record("start-up", "clear message", said + " (the lists came once the engine answered)")
        self._fault()
        return step

    def pages(self) -> Step:
        """Every page, from the sidebar, as the user clicks them."""
        window = self.window
        self.heartbeat.start()
        closed = []
        for row in range(window.sidebar.count()):
            item = window.sidebar.item(row)
            name = item.data(Qt.ItemDataRole.UserRole)
            rect = window.sidebar.visualItemRect(item)
            QTest.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                self._wait(lambda name=name: window.current_page == name, 10)
            else:
                closed.append(name)
            self._settle(0.25)  # what the page starts (a list read, a chart) runs here, under the heartbeat
        said = f"closed while the engine is away: {', '.join(closed)}" if closed else "every page opened"
        return self._record("pages", "ok", said)

    def logs(self) -> Step:
        """The container's Logs window from the Containers page; lines, or what the window says; then closed."""
        window, state = self.window, self.state
        window.show_page("containers")
        page = window.containers_page
        self.heartbeat.start()
        self._wait(lambda: state.container_name in names(page), WAIT_S)
        page.filter_edit.setText(state.container_name)
        self._wait(lambda: page.proxy.rowCount() == 1, 10)
        page.table.selectRow(0)
        click(page.toolbar.widgetForAction(page.logs_action))
        logs = window.logs_windows[state.container_id]
        outcome, said = self._follow_logs(logs)
        logs.close()
        assert state.container_id not in window.logs_windows
        page.filter_edit.clear()
        step = self._record("logs", outcome, said)
        if outcome == "stopped?":
            running = self._beside(lambda: self.client.containers.get(state.container_id).status) == "running"
            step.outcome = "wrong message" if running else "clear message"  # a dropped connection is no stop
        return step

    def _follow_logs(self, logs) -> tuple[str, str]:
        def lines() -> int:
            return logs.view.plain_text().count("\n")

        if self.mode == "stall":
            self._settle(1.5)  # no answer comes: the window stays usable and says it is following
            return "waiting", logs.status_label.text()
        self._wait(lambda: "of a container that keeps talking" in logs.view.plain_text(), WAIT_S)
        if self.mode != "drop":
            return "ok", f"{lines()} lines; {logs.status_label.text()}"
        before, status = lines(), logs.status_label.text()
        self.proxy.drop_now()
        self._wait(lambda: logs.status_label.text() != status or lines() > before + 5, 15)
        self._settle(1.5)  # a resumed stream brings new lines here
        said = logs.status_label.text()
        text = logs.view.plain_text()
        repeated = len(text.splitlines()) - len(set(text.splitlines()))
        if repeated:
            return "lost data", f"{repeated} lines shown twice; {said}"
        if lines() > before + 5:
            return "recovered", said
        if "stopped" in said.lower():
            return "stopped?", said  # the container did not stop, unless the engine says so (logs() asks it)
        return "clear message", said

    def build(self) -> Step:
        """A tiny busybox build from the Build dialog; cancelled where the engine does not answer."""
        window = self.window
        context = self.workdir / f"build-{self.mode}"
        context.mkdir(parents=True, exist_ok=True)
        labels = " ".join(f"{key}={value}" for key, value in {**self.labels, eh.SHARED_LABEL: "0"}.items())
        (context / "Dockerfile").write_text(
            f"FROM {self.busybox}\nLABEL {labels}\nRUN echo building && sleep 2 && echo built\n", encoding="utf-8"
        )
        tag = f"portside-test/fault-{self.mode}-{eh.SESSION_SALT}:1"
        self.heartbeat.start()
        dialog = window.open_build(context, "Dockerfile", tag)
        self._wait(lambda: dialog.build_button.isEnabled(), 20)
        click(dialog.build_button)
        if self.mode == "stall":
            self._wait(lambda: "Sending the build context" in dialog.step_label.text(), 10)
            self._settle(1.0)
            click(dialog.cancel_button)
        elif self.mode == "drop":
            self._wait(lambda: "building" in dialog.log_view.plain_text(), WAIT_S)
            self.proxy.drop_now()
        self._wait(lambda: bool(dialog.result_label.text()), WAIT_S)
        said = dialog.result_label.text()
        outcome = "ok" if said.startswith("Built") else "clear message"
        dialog.close()
        step = self._record("build", outcome, said)
        if self.mode == "drop" and outcome == "clear message":
            step.said += f" [step containers left: {self._step_containers_left()}]"
        return step

    def _step_containers_left(self, within_s: float = 10) -> int:
        """The build's step containers still there after `within_s` (they carry the Dockerfile's LABEL)."""
        label = f"{eh.CASE_LABEL}={self.labels[eh.CASE_LABEL]}"
        deadline = time.monotonic() + within_s
        while True:
            found = self._beside(
                lambda: self.client.containers.list(all=True, filters={"label": label}, ignore_removed=True)
            )
            left = [c for c in found if c.id != self.state.container_id]
            if not left or time.monotonic() > deadline:
                return len(left)
            self._settle(0.5)

    def pull(self) -> Step:
        """The Pull dialog from the Images page, asked for a name no registry has (none is reachable)."""
        window = self.window
        window.show_page("images")
        page = window.images_page
        self.heartbeat.start()
        self._wait(lambda: page.pull_action.isEnabled(), WAIT_S)
        click(page.toolbar.widgetForAction(page.pull_action))
        dialog = next(d for d in reversed(window._dialogs) if type(d).__name__ == "PullDialog")
        QTest.keyClicks(dialog.reference_edit, PULL_NAME)
        click(dialog.pull_button)
        if self.mode == "stall":
            self._wait(lambda: dialog.status_label.text().startswith("Pulling"), 10)
            self._settle(1.0)
            click(dialog.cancel_button)
            self._wait(lambda: not dialog.transfer_run.running, WAIT_S)
            outcome, said = "waiting", dialog.status_label.text()
        else:
            self._wait(lambda: bool(dialog.error_label.text()), WAIT_S)
            outcome, said = "clear message", dialog.error_label.text()
        click(dialog.close_button)
        return self._record("pull", outcome, said)

    def quit(self) -> Step:
        """Closing the window, then what gui.app does after the event loop: stop the session, cancel streams."""
        from gui.app import QUIT_GRACE_MS
        from gui.workers import streams

        window = self.window
        self.heartbeat.start()
        began = time.perf_counter()
        window.close()
        self._settle(0.05)  # the heartbeat's next beat: the gap the close itself made
        gap_step = self._record("quit", "ok")
        window.session.stop()
        streams.cancel_all()
        window.session.tasks.wait_idle(QUIT_GRACE_MS)  # the app's bounded grace for saves
        gap_step.said = f"window closed; quitting took {(time.perf_counter() - began) * 1000:.0f} ms"
        assert not window.isVisible()
        return gap_step
