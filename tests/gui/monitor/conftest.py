"""Fixtures for the monitor view tests: `monitor` is a stub Monitor service (monitor_stub.py).

test_monitor_service.py defines a `monitor` of its own, the real MonitorService, which takes precedence there.
"""

from __future__ import annotations

import pytest

from tests.gui.monitor.monitor_stub import StubMonitor


@pytest.fixture
def monitor(qtbot):
    return StubMonitor()
