"""Shared test set-up: isolated settings and logs, and strict checks that apply to every test."""

from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
from pathlib import Path

import pytest

# Logs and settings of the app under test go to a throwaway folder, never the developer's own.
_SANDBOX = Path(tempfile.mkdtemp(prefix="portside-tests-"))
for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
    os.environ[variable] = str(_SANDBOX / variable.lower())
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The fake NVIDIA driver library (tests/fakes/fake_nvml.py), for unit, GUI and engine tests alike.
from tests.fakes.fake_nvml import fake_nvml, fake_nvml_library  # noqa: F401  (pytest finds fixtures by name here)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_unexpected_warnings(request):
    """A warning logged by Portside during a test is a bug unless the test says it expects one."""
    collector = _WarningCollector()
    logger = logging.getLogger("portside")
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
    if "expect_log_warnings" not in request.fixturenames and collector.records:
        messages = "\n".join(f"{r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected warnings logged:\n{messages}", pytrace=False)


@pytest.fixture(autouse=True)
def garbage_collected_in_the_main_thread(request):
    """Qt tests run as the app does (gui.workers.main_thread_gc): no automatic collection, which could run in a
    worker thread and destroy a GUI object there, and a full collection in the main thread after the test."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture
def expect_log_warnings():
    """Use in a test that provokes warnings on purpose."""


# How long a test's teardown waits for the reader threads the app gave up on (below). The app itself never waits.
ABANDONED_READER_GRACE_S = 10


@pytest.fixture(autouse=True)
def no_dangling_workers():
    """Fails a test that leaves a stream thread running (napari's _dangling_qthreads habit).

    A disposed stream whose reader was still blocked on the engine is abandoned by the app (gui.workers.streams):
    its stream is cancelled and its socket closed, so it must end by itself soon. The teardown waits for those a
    bounded time, and fails the test if one is still running then: a thread parked on something that never ends."""
    yield
    if "gui.workers.streams" not in sys.modules:
        return
    from gui.workers import streams

    leaked = streams.live_workers()
    if leaked:
        streams.stop_all()
        pytest.fail(f"test left stream workers running: {[w.name for w in leaked]}", pytrace=False)
    for reader in streams.abandoned_readers():
        reader.thread.join(ABANDONED_READER_GRACE_S)
    stuck = streams.abandoned_readers()
    if stuck:
        pytest.fail(f"abandoned stream readers did not end: {[r.name for r in stuck]}", pytrace=False)


# --- What a run counts, and no silent skips ---------------------------------------------------------------------

_ran: set[str] = set()  # node ids of the cases that ran (a parametrised test has one per parameter set)
_skipped: dict[str, str] = {}  # node id -> why it was skipped (an expected failure, xfail, is not a skip)


def pytest_runtest_logreport(report):
    _ran.add(report.nodeid)
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        _skipped[report.nodeid] = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)


def _function_of(nodeid: str) -> str:
    """The test function of a case: its node id without the [parameters] part."""
    return nodeid.split("[", 1)[0]


def _no_skips() -> bool:
    # packaging/run-tests.sh (and so CI) sets it: there, a test that could not run is a failure of the run.
    return os.environ.get("PORTSIDE_NO_SKIPS") == "1"


def pytest_sessionfinish(session, exitstatus):
    if _no_skips() and _skipped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    functions = len({_function_of(nodeid) for nodeid in _ran})
    terminalreporter.write_line(f"{functions} test functions, {len(_ran)} cases")
    if _no_skips() and _skipped:
        terminalreporter.section("skipped tests fail this run (PORTSIDE_NO_SKIPS=1)", red=True)
        for nodeid, why in sorted(_skipped.items()):
            terminalreporter.write_line(f"{nodeid}: {why}")
