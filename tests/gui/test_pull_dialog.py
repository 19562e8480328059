"""PullDialog with a fake engine that replays a recorded `docker pull` stream."""
import json
import threading
from pathlib import Path

import docker.errors
import pytest
from PySide6.QtCore import QObject, Qt, Signal

from gui.views.pull_dialog import NOT_CONNECTED, PullDialog
from gui.workers.streams import live_workers, stop_all

MESSAGES = json.loads((Path(__file__).parents[1] / "fakes" / "pull_busybox_messages.json").read_text())
FIRST_DOWNLOAD = next(i for i, m in enumerate(MESSAGES) if m["status"] == "Downloading")


class FakeStream:
    """Replays messages; with `hold_at`, blocks before that message until close(), like a slow registry."""

    def __init__(self, messages: list, hold_at: int | None = None):
        self._messages = messages
        self._hold_at = hold_at
        self._closed = threading.Event()

    def __iter__(self):
        for index, message in enumerate(self._messages):
            if index == self._hold_at:
                self._closed.wait(timeout=10)
            if self._closed.is_set():
                return
            yield message

    @property
    def cancelled(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()


class FakeEngine:
    def __init__(self, messages: list = MESSAGES, hold_at: int | None = None, refusal: Exception | None = None):
        self.messages, self.hold_at, self.refusal = messages, hold_at, refusal
        self.pulls: list[tuple[str, str]] = []
        self.streams: list[FakeStream] = []

    def pull(self, repository: str, tag: str) -> FakeStream:
        self.pulls.append((repository, tag))
        if self.refusal:
            raise self.refusal
        self.streams.append(FakeStream(self.messages, self.hold_at))
        return self.streams[-1]


class FakeSession(QObject):
    commandIssued = Signal(str, str)

    def __init__(self, engine: FakeEngine | None):
        super().__init__()
        self.engine = engine
        self.refreshes = 0
        self.commands: list[tuple[str, str]] = []
        self.commandIssued.connect(lambda command, description: self.commands.append((command, description)))

    def refresh(self) -> None:
        self.refreshes += 1


@pytest.fixture(autouse=True)
def no_leaked_workers():
    yield
    leaked = live_workers()
    stop_all()
    assert not leaked, "a pull worker outlived its test"


def open_dialog(qtbot, engine: FakeEngine | None = None, initial: str = "") -> tuple[PullDialog, FakeSession]:
    session = FakeSession(engine if engine is not None else FakeEngine())
    dialog = PullDialog(session, initial=initial)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, session


def pull(qtbot, dialog: PullDialog, reference: str, expect_success: bool) -> None:
    qtbot.keyClicks(dialog.reference_edit, reference)
    with qtbot.waitSignal(dialog.pullFinished, timeout=5000) as finished:
        qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    assert finished.args == [expect_success]


# Typing -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, problem", [
    ("Busybox", "must be lowercase"),
    ("busybox:", "Enter a tag"),
    ("busy box", "cannot contain spaces"),
])
def test_an_invalid_reference_is_explained_and_cannot_be_pulled(qtbot, typed, problem):
    engine = FakeEngine()
    dialog, session = open_dialog(qtbot, engine)
    qtbot.keyClicks(dialog.reference_edit, typed)

    assert problem in dialog.error_label.text() and dialog.error_label.isVisible()
    assert not dialog.pull_button.isEnabled()
    qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    dialog.start_pull()
    assert engine.pulls == [] and session.commands == []


def test_an_empty_field_disables_pull_without_scolding(qtbot):
    dialog, _ = open_dialog(qtbot)
    assert not dialog.pull_button.isEnabled()
    assert not dialog.error_label.isVisible()
    assert dialog.reference_edit.placeholderText() == "e.g. busybox:1.36 or registry:5000/team/model:1.0"


def test_the_equivalent_command_follows_the_typing(qtbot):
    dialog, _ = open_dialog(qtbot)
    qtbot.keyClicks(dialog.reference_edit, "busybox:1.36")
    assert dialog.command_label.text() == "docker pull busybox:1.36"
    assert dialog.pull_button.isEnabled() and not dialog.error_label.isVisible()


def test_the_initial_reference_is_checked_too(qtbot):
    dialog, _ = open_dialog(qtbot, initial="Busybox")
    assert "lowercase" in dialog.error_label.text() and not dialog.pull_button.isEnabled()


# Pulling ------------------------------------------------------------------------------------------

def test_a_pull_shows_every_layer_and_ends_full(qtbot):
    engine = FakeEngine()
    dialog, session = open_dialog(qtbot, engine)
    pull(qtbot, dialog, "busybox:1.36", expect_success=True)

    assert engine.pulls == [("busybox", "1.36")]
    assert session.commands == [("docker pull busybox:1.36", "pull the image")]
    assert dialog.progress_bar.maximum() > 0
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()
    rows = [[dialog.layers_view.topLevelItem(row).text(column) for column in range(3)]
            for row in range(dialog.layers_view.topLevelItemCount())]
    assert rows == [["9ad63333ebc9", "Already exists", ""],
                    ["a5d4e2c6e0b1", "Pull complete", "2.1 MiB"],
                    ["3f4d90098f5b", "Pull complete", "5.0 MiB"]]
    assert dialog.summary_label.text() == "3 of 3 layers, 7.1 MiB of 7.1 MiB"
    assert dialog.status_label.text() == "Pulled busybox:1.36."
    assert session.refreshes == 1
    assert not dialog.error_label.isVisible() and dialog.pull_button.isEnabled()


@pytest.mark.parametrize("reference, expected", [
    ("busybox", ("busybox", "latest")),
    ("registry:5000/team/model:1.0", ("registry:5000/team/model", "1.0")),
    ("busybox@sha256:" + "7b" * 32, ("busybox", "sha256:" + "7b" * 32)),
])
def test_the_reference_is_split_as_docker_does(qtbot, reference, expected):
    engine = FakeEngine()
    dialog, _ = open_dialog(qtbot, engine)
    pull(qtbot, dialog, reference, expect_success=True)
    assert engine.pulls == [expected]


def test_an_error_inside_the_stream_shows_the_plain_sentence(qtbot):
    failing = MESSAGES[:FIRST_DOWNLOAD] + [{
        "errorDetail": {"message": "manifest for busybox:1.99 not found: manifest unknown: manifest unknown"},
        "error": "manifest for busybox:1.99 not found: manifest unknown: manifest unknown"}]
    dialog, session = open_dialog(qtbot, FakeEngine(failing))
    pull(qtbot, dialog, "busybox:1.99", expect_success=False)

    assert dialog.error_label.text() == ("No image called busybox with tag 1.99 exists on the registry. "
                                         "Check the spelling and the tag.")
    assert dialog.error_label.isVisible()
    assert dialog.status_label.text() == "The pull failed."
    assert dialog.pull_button.isEnabled() and not dialog.reference_edit.isReadOnly()
    assert not dialog.cancel_button.isEnabled()
    assert session.refreshes == 0


def test_a_refusal_before_the_stream_shows_the_plain_sentence(qtbot):
    refusal = docker.errors.APIError("404 Client Error", explanation=(
        "pull access denied for secret/model, repository does not exist or may require 'docker login'"))
    dialog, _ = open_dialog(qtbot, FakeEngine(refusal=refusal))
    pull(qtbot, dialog, "secret/model", expect_success=False)
    assert dialog.error_label.text() == ("The registry refused access to secret/model: the image may be "
                                         "private (sign in first) or may not exist.")


def test_a_stream_that_stops_without_confirmation_is_not_a_success(qtbot):
    dialog, session = open_dialog(qtbot, FakeEngine(MESSAGES[:-2]))
    pull(qtbot, dialog, "busybox:1.36", expect_success=False)
    assert "without confirming" in dialog.error_label.text()
    assert session.refreshes == 0


def test_without_an_engine_nothing_starts(qtbot):
    session = FakeSession(None)
    dialog = PullDialog(session)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.reference_edit, "busybox")
    dialog.start_pull()
    assert dialog.error_label.text() == NOT_CONNECTED
    assert session.commands == [] and not live_workers()


# Stopping -----------------------------------------------------------------------------------------

def test_cancel_stops_a_slow_pull(qtbot):
    engine = FakeEngine(hold_at=FIRST_DOWNLOAD + 1)
    dialog, session = open_dialog(qtbot, engine)
    qtbot.keyClicks(dialog.reference_edit, "busybox:1.36")
    qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.layers_view.topLevelItemCount() == 3)

    assert dialog.progress_bar.maximum() == 0  # busy: a waiting layer's size is unknown
    assert dialog.reference_edit.isReadOnly() and not dialog.pull_button.isEnabled()
    with qtbot.waitSignal(dialog.pullFinished) as finished:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    assert finished.args == [False]
    assert dialog.status_label.text() == "Pull cancelled."
    assert engine.streams[0].cancelled
    assert not live_workers()
    assert session.refreshes == 0 and dialog.pull_button.isEnabled()


def test_closing_the_dialog_cancels_the_pull_and_waits_for_it(qtbot):
    engine = FakeEngine(hold_at=FIRST_DOWNLOAD)
    dialog, _ = open_dialog(qtbot, engine)
    qtbot.keyClicks(dialog.reference_edit, "busybox:1.36")
    qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.layers_view.topLevelItemCount() > 0)

    dialog.close()

    assert engine.streams[0].cancelled
    assert not live_workers()
    assert not dialog.isVisible()
