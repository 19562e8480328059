"""PullDialog with a fake engine that replays a recorded `docker pull` stream."""

import json
import threading
from pathlib import Path

import docker.errors
import pytest
from PySide6.QtCore import QObject, Qt, Signal

from gui.views.registry.pull_dialog import NO_MATCHES, NOT_CONNECTED, SEARCH_FAILED, PullDialog
from gui.workers.streams import live_workers, stop_all
from gui.workers.tasks import TaskRunner
from tests.fakes.fake_engine import api_error

MESSAGES = json.loads((Path(__file__).parents[2] / "fakes" / "pull_busybox_messages.json").read_text())
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


# What the engine's /images/search answers (the shape of `docker search --format json`).
SEARCH_RESULTS = [
    {
        "name": "busybox",
        "description": "Busybox base image.",
        "star_count": 3215,
        "is_official": True,
        "is_automated": False,
    },
    {"name": "someone/busybox-tools", "description": "", "star_count": 4, "is_official": False, "is_automated": False},
]
SEARCH_OFFLINE = api_error(
    500,
    'Get "https://index.docker.io/v1/search?q=busy&n=25": dial tcp: lookup '
    "index.docker.io on 127.0.0.53:53: no such host",
)


class FakeEngine:
    def __init__(
        self,
        messages: list = MESSAGES,
        hold_at: int | None = None,
        refusal: Exception | None = None,
        search_results: list = SEARCH_RESULTS,
        search_error: Exception | None = None,
    ):
        self.messages, self.hold_at, self.refusal = messages, hold_at, refusal
        self.search_results, self.search_error = search_results, search_error
        self.pulls: list[tuple[str, str]] = []
        self.auth_headers: list[str | None] = []
        self.searches: list[tuple[str, int]] = []
        self.streams: list[FakeStream] = []

    def pull(self, repository: str, tag: str, auth_header: str | None = None) -> FakeStream:
        self.pulls.append((repository, tag))
        self.auth_headers.append(auth_header)
        if self.refusal:
            raise self.refusal
        self.streams.append(FakeStream(self.messages, self.hold_at))
        return self.streams[-1]

    def search(self, term: str, limit: int = 25) -> list[dict]:
        self.searches.append((term, limit))
        if self.search_error:
            raise self.search_error
        return self.search_results


class FakeSession(QObject):
    commandIssued = Signal(str, str)

    def __init__(self, engine: FakeEngine | None):
        super().__init__()
        self.engine = engine
        self.diagnosis = None  # as a session before its first diagnosis: the free-space check has nothing to read
        self.refreshes = 0
        self.commands: list[tuple[str, str]] = []
        self.commandIssued.connect(lambda command, description: self.commands.append((command, description)))
        self.tasks = TaskRunner(self)

    def refresh(self) -> None:
        self.refreshes += 1

    def run(self, fn, on_done=None, on_error=None) -> bool:
        """As EngineSession.run: the call in a pool thread, its answer back in the GUI thread."""
        engine = self.engine
        if engine is None:
            return False
        self.tasks.submit(lambda: fn(engine), on_done, on_error)
        return True


@pytest.fixture(autouse=True)
def no_leaked_workers():
    yield
    leaked = live_workers()
    stop_all()
    assert not leaked, "a pull worker outlived its test"


def open_dialog(
    qtbot, engine: FakeEngine | None = None, initial: str = "", vault=None
) -> tuple[PullDialog, FakeSession]:
    session = FakeSession(engine if engine is not None else FakeEngine())
    dialog = PullDialog(session, initial=initial, vault=vault)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, session


def pull(qtbot, dialog: PullDialog, reference: str, expect_success: bool) -> None:
    qtbot.keyClicks(dialog.reference_edit, reference)
    with qtbot.waitSignal(dialog.pullFinished, timeout=5000) as finished:
        qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    assert finished.args == [expect_success]


# Typing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("Busybox", "must be lowercase"),
        ("busybox:", "Enter a tag"),
        ("busy box", "cannot contain spaces"),
    ],
)
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
    rows = [
        [dialog.layers_view.topLevelItem(row).text(column) for column in range(3)]
        for row in range(dialog.layers_view.topLevelItemCount())
    ]
    assert rows == [
        ["9ad63333ebc9", "Already exists", ""],
        ["a5d4e2c6e0b1", "Pull complete", "2.1 MiB"],
        ["3f4d90098f5b", "Pull complete", "5.0 MiB"],
    ]
    assert dialog.summary_label.text() == "3 of 3 layers, 7.1 MiB of 7.1 MiB"
    assert dialog.status_label.text() == "Pulled busybox:1.36."
    assert session.refreshes == 1
    assert not dialog.error_label.isVisible() and dialog.pull_button.isEnabled()


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("busybox", ("busybox", "latest")),
        ("registry:5000/team/model:1.0", ("registry:5000/team/model", "1.0")),
        ("busybox@sha256:" + "7b" * 32, ("busybox", "sha256:" + "7b" * 32)),
    ],
)
def test_the_reference_is_split_as_docker_does(qtbot, reference, expected):
    engine = FakeEngine()
    dialog, _ = open_dialog(qtbot, engine)
    pull(qtbot, dialog, reference, expect_success=True)
    assert engine.pulls == [expected]


def test_an_error_inside_the_stream_shows_the_plain_sentence(qtbot):
    failing = MESSAGES[:FIRST_DOWNLOAD] + [
        {
            "errorDetail": {"message": "manifest for busybox:1.99 not found: manifest unknown: manifest unknown"},
            "error": "manifest for busybox:1.99 not found: manifest unknown: manifest unknown",
        }
    ]
    dialog, session = open_dialog(qtbot, FakeEngine(failing))
    pull(qtbot, dialog, "busybox:1.99", expect_success=False)

    assert dialog.error_label.text() == (
        "No image called busybox with tag 1.99 exists on the registry. Check the spelling and the tag."
    )
    assert dialog.error_label.isVisible()
    assert dialog.status_label.text() == "The pull failed."
    assert dialog.pull_button.isEnabled() and not dialog.reference_edit.isReadOnly()
    assert not dialog.cancel_button.isEnabled()
    assert session.refreshes == 0


def test_a_refusal_before_the_stream_shows_the_plain_sentence(qtbot):
    refusal = docker.errors.APIError(
        "404 Client Error",
        explanation=("pull access denied for secret/model, repository does not exist or may require 'docker login'"),
    )
    dialog, _ = open_dialog(qtbot, FakeEngine(refusal=refusal))
    pull(qtbot, dialog, "secret/model", expect_success=False)
    assert dialog.error_label.text() == (
        "The registry refused access to secret/model: the image may be private (sign in first) or may not exist."
    )


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


@pytest.mark.parametrize("how", ["close button", "close while hidden"])
def test_every_way_of_closing_stops_the_pull(qtbot, how):
    engine = FakeEngine(hold_at=FIRST_DOWNLOAD)
    dialog, _ = open_dialog(qtbot, engine)
    qtbot.keyClicks(dialog.reference_edit, "busybox:1.36")
    qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.layers_view.topLevelItemCount() > 0)

    if how == "close button":
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    else:
        dialog.hide()  # QDialog turns only a visible dialog's close into done()
        dialog.close()

    assert engine.streams[0].cancelled
    assert not live_workers()


# Searching ----------------------------------------------------------------------------------------


def result_texts(dialog: PullDialog) -> list[str]:
    return [dialog.search_results.item(row).text() for row in range(dialog.search_results.count())]


def search(qtbot, dialog: PullDialog, term: str) -> None:
    qtbot.keyClicks(dialog.search_edit, term)
    qtbot.waitUntil(lambda: dialog.search_results.isVisible() or dialog.search_status.isVisible(), timeout=5000)


def test_typing_a_search_lists_what_docker_hub_has(qtbot):
    engine = FakeEngine()
    dialog, session = open_dialog(qtbot, engine)
    search(qtbot, dialog, "busy")

    assert result_texts(dialog) == ["busybox  (official, ★ 3,215)\nBusybox base image.", "someone/busybox-tools  (★ 4)"]
    assert engine.searches[-1] == ("busy", 25)
    assert ("b", 25) not in engine.searches  # one letter is too little to search for
    assert not dialog.search_status.isVisible()
    assert session.commands == [] and engine.pulls == []  # searching pulls nothing


def test_choosing_a_result_fills_the_image_field_and_it_pulls(qtbot):
    engine = FakeEngine()
    dialog, _session = open_dialog(qtbot, engine)
    search(qtbot, dialog, "busy")
    second = dialog.search_results.item(1)
    qtbot.mouseClick(
        dialog.search_results.viewport(),
        Qt.MouseButton.LeftButton,
        pos=dialog.search_results.visualItemRect(second).center(),
    )

    assert dialog.reference_edit.text() == "someone/busybox-tools"
    assert dialog.command_label.text() == "docker pull someone/busybox-tools"
    assert engine.pulls == []  # choosing is not pulling
    with qtbot.waitSignal(dialog.pullFinished, timeout=5000):
        qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    assert engine.pulls == [("someone/busybox-tools", "latest")]


def test_the_keyboard_goes_from_search_to_result_to_field_without_pulling(qtbot):
    engine = FakeEngine()
    dialog, _ = open_dialog(qtbot, engine)
    search(qtbot, dialog, "busy")
    dialog.activateWindow()
    dialog.search_edit.setFocus()

    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert dialog.search_results.currentRow() == 0
    qtbot.keyClick(dialog.search_results, Qt.Key.Key_Return)

    assert dialog.reference_edit.text() == "busybox"
    assert engine.pulls == [] and not live_workers()


def test_a_search_with_no_matches_says_so(qtbot):
    dialog, _ = open_dialog(qtbot, FakeEngine(search_results=[]))
    search(qtbot, dialog, "zzzz-nothing")
    assert dialog.search_status.text() == NO_MATCHES
    assert not dialog.search_results.isVisible()


def test_a_failed_search_shows_one_calm_line_and_pulling_by_name_still_works(qtbot):
    engine = FakeEngine(search_error=SEARCH_OFFLINE)
    dialog, _ = open_dialog(qtbot, engine)
    search(qtbot, dialog, "busy")

    assert dialog.search_status.text() == SEARCH_FAILED
    assert "could not reach the registry" in dialog.search_status.toolTip()
    assert not dialog.search_results.isVisible()
    assert not dialog.error_label.isVisible()  # the Image field is not at fault
    pull(qtbot, dialog, "busybox:1.36", expect_success=True)
    assert engine.pulls == [("busybox", "1.36")]


def test_clearing_the_search_clears_its_results(qtbot):
    dialog, _ = open_dialog(qtbot)
    search(qtbot, dialog, "busy")
    dialog.search_edit.clear()
    assert not dialog.search_results.isVisible() and dialog.search_results.count() == 0


# Signing in ---------------------------------------------------------------------------------------


class FakeVault:
    def __init__(self, headers: dict[str, str], broken: bool = False):
        self.headers, self.broken = headers, broken
        self.asked: list[str] = []

    def auth_header(self, registry: str) -> str | None:
        self.asked.append(registry)
        if self.broken:
            raise RuntimeError("the keyring is locked")
        return self.headers.get(registry)


def test_a_sign_in_from_the_vault_goes_with_the_pull(qtbot):
    engine = FakeEngine()
    vault = FakeVault({"127.0.0.1:5000": "header-for-local"})
    dialog, _ = open_dialog(qtbot, engine, vault=vault)
    pull(qtbot, dialog, "127.0.0.1:5000/team/app:1.0", expect_success=True)
    assert vault.asked == ["127.0.0.1:5000"]
    assert engine.auth_headers == ["header-for-local"]


def test_without_a_sign_in_the_docker_cli_logins_are_left_to_the_engine(qtbot):
    engine = FakeEngine()
    dialog, _ = open_dialog(qtbot, engine, vault=FakeVault({}))
    pull(qtbot, dialog, "busybox", expect_success=True)
    assert engine.auth_headers == [None]


def test_a_vault_that_cannot_be_read_does_not_stop_a_pull(qtbot, expect_log_warnings, fail_on_unexpected_warnings):
    engine = FakeEngine()
    dialog, _ = open_dialog(qtbot, engine, vault=FakeVault({}, broken=True))
    pull(qtbot, dialog, "busybox", expect_success=True)
    assert engine.auth_headers == [None]
    assert "the keyring is locked" in fail_on_unexpected_warnings.records[0].getMessage()


class DeafStream(FakeStream):
    """An engine that has stopped answering: closing the stream does not wake the reader; only `release` does."""

    def __init__(self, messages: list):
        super().__init__(messages)
        self.release = threading.Event()
        self.reading = threading.Event()

    def __iter__(self):
        yield self._messages[0]
        self.reading.set()
        self.release.wait(timeout=30)


def test_closing_the_dialog_never_waits_for_a_silent_engine(qtbot):
    engine = FakeEngine()
    stream = DeafStream(MESSAGES)
    engine.pull = lambda repository, tag, auth_header=None: stream
    dialog, _ = open_dialog(qtbot, engine)
    qtbot.keyClicks(dialog.reference_edit, "busybox:1.36")
    qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(stream.reading.is_set)

    dialog.close()  # returns at once: the reader is left stuck on the engine, the dialog does not wait for it

    assert not dialog.isVisible() and stream.cancelled
    assert not stream.release.is_set()  # so the reader cannot have ended: close did not wait for it
    stream.release.set()  # the engine answers at last: the abandoned reader ends by itself
