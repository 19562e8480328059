"""The real app (gui.app.main, its own event loop, shutdown and exit code) on the fake engine, quit while a Logs
window's stream is still waiting for the engine's first answer. Run by tests/gui/test_quit_with_logs.py as
`python -m tests.gui.quit_driver MODE`:

- stalled: the Logs window is open when the user quits, and the engine never answers its log request (the
  reader is still blocked when the process ends);
- closed-then-late: the Logs window is closed first (its stream given up and deleted), the user quits later,
  and the engine answers the log request while the app is quitting (the reader wakes during the shutdown).

The fake engine replaces the real one at the session's two seams (diagnose, connect); everything else is the
app as a user starts it. Prints "logs asked" once the engine got the log request, "quitting" when the window
closes.
"""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from gui import app
from gui.views.main_window import MainWindow
from gui.workers import session as session_module
from tests.fakes import fake_engine

SAFETY_S = 60  # a stalled request answers after this long at the latest, so no process is left behind


def main(mode: str) -> int:
    engine = fake_engine.FakeEngine()
    web = fake_engine.container("web")
    engine.containers_by_id = {web.id: web}
    asked, answer = threading.Event(), threading.Event()

    def logs(container, timestamps=False, tail=1000, follow=True, since=None):
        asked.set()
        answer.wait(SAFETY_S)
        return fake_engine.FakeStream([b"2026-11-25T10:00:00.000000000Z a late line\n"])

    engine.logs = logs
    session_module._diagnose = fake_engine.diagnosis
    session_module._connect = lambda _diagnosis: engine
    original_show = MainWindow.show

    def show(window: MainWindow) -> None:
        original_show(window)
        window.session.snapshotChanged.connect(lambda _snapshot: window.logs_windows or window.open_logs(web))
        poll = QTimer(window, interval=20)

        def quit() -> None:
            print("quitting", flush=True)
            window.close()

        def once_asked() -> None:
            if not asked.is_set():
                return
            poll.stop()
            print("logs asked", flush=True)
            if mode == "stalled":
                quit()
                return
            QApplication.instance().aboutToQuit.connect(answer.set)
            logs = window.logs_windows[web.id]
            logs.follower._worker.destroyed.connect(lambda: QTimer.singleShot(0, quit))  # once Qt deleted it
            logs.close()

        poll.timeout.connect(once_asked)
        poll.start()

    MainWindow.show = show
    return app.main([])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
