"""Command line and start-up: `portside`, `portside doctor [--json]`, `portside --screenshot FILE`."""

from __future__ import annotations

import argparse
import os
import sys
import time

from gui.core import log
from gui.core.version import version

logger = log.get("app")
STARTED = time.perf_counter()
GIL_SWITCH_INTERVAL_S = 0.001  # see run_gui
QUIT_GRACE_MS = 500  # see _shut_down: quitting takes at most about this long, whatever the engine does
# The pages --page accepts: gui.views.main_window.PAGES, written out here so that reading the command line
# needs no Qt (tests/unit/test_app_cli.py checks that both lists match).
PAGES = (
    "containers",
    "images",
    "volumes",
    "networks",
    "builds",
    "registries",
    "monitor",
    "disk",
    "engine",
    "learn",
    "services",
    "settings",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="portside", description="Manage AI containers, and learn Docker while you click."
    )
    parser.add_argument("--version", action="version", version=f"Portside {version()}")
    sub = parser.add_subparsers(dest="command")
    doctor = sub.add_parser("doctor", help="check the Docker engine and print what to fix")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--screenshot", metavar="FILE", help="render the main window to a PNG and exit")
    parser.add_argument(
        "--page",
        default="containers",
        choices=PAGES,  # a wrong name stops here (exit code 2) with the list of valid ones
        help="page for --screenshot: learn, containers, images, builds, registries, monitor, engine",
    )
    parser.add_argument("--screenshot-timeout", type=float, default=20.0, help=argparse.SUPPRESS)
    # For looking at every page as a user would (issue 14): the window's size and a light or dark desktop.
    parser.add_argument("--size", type=_window_size, metavar="WxH", help=argparse.SUPPRESS)
    parser.add_argument("--theme", choices=("light", "dark"), help=argparse.SUPPRESS)
    # For tests/bench: print start-up milestones (ms) and exit once the lists are filled.
    parser.add_argument("--startup-report", action="store_true", help=argparse.SUPPRESS)
    # For tests: close the window after MS milliseconds, as the user would (issue 15: quitting never waits).
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _window_size(text: str) -> tuple[int, int]:
    """'1280x800' -> (1280, 800); anything else is refused by argparse with this message."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, such as 1280x800, not {text!r}")
    return int(width), int(height)


def run_doctor(as_json: bool) -> int:
    from gui.core.engine import doctor
    from gui.core.engine.connection import diagnose
    from gui.core.run.gpus import read_inventory

    diagnosis = diagnose()
    items = doctor.checks(diagnosis, gpus=read_inventory())
    print(doctor.render_json(diagnosis, items) if as_json else doctor.render_text(items))
    return doctor.exit_code(diagnosis)


def _skip_pyside_source_scan() -> None:
    """Once PySide6 is imported it reads the source file of every module imported after it (some 600 at start-up,
    sources Python does not otherwise read: measured 30 ms of the GUI thread warm, 60-100 ms cold, tests/bench/
    bench_startup.py), only to see whether the text mentions PySide6: such a module gets feature selection 0 (Qt's
    own names), any other -1 (whatever selection is in effect), for the opt-in `from __feature__ import snake_case,
    true_property`. Nothing in Portside or its libraries opts in, so the selection in effect is always 0 and both
    answers give the same names: every module is taken as one that uses PySide6, unread. A module that does opt in
    still gets its feature (tests/gui/test_startup.py). A PySide6 without this private hook is left as it is."""
    try:
        from shibokensupport import feature
    except ImportError:
        return
    if callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = lambda _module: True


def _route_qt_messages() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_logger = log.get("qt")
    levels = {
        QtMsgType.QtDebugMsg: 10,
        QtMsgType.QtInfoMsg: 20,
        QtMsgType.QtWarningMsg: 30,
        QtMsgType.QtCriticalMsg: 40,
        QtMsgType.QtFatalMsg: 50,
    }
    qInstallMessageHandler(lambda kind, _context, message: qt_logger.log(levels.get(kind, 30), "%s", message))


def _icon():
    from PySide6.QtGui import QIcon

    from gui.core import resources

    icon = QIcon()
    for png in resources.app_icons():
        icon.addFile(str(png))
    return icon if not icon.isNull() else QIcon.fromTheme(resources.APP_ID)


def _keep_private(settings_file: str) -> None:
    """The settings file is 0600 in a 0700 folder like every file Portside writes. QSettings saves through
    QSaveFile, which keeps an existing file's mode, so the file is made (empty) with that mode before Qt writes."""
    import os
    from pathlib import Path

    from gui.core.fileio import private_dir

    path = Path(settings_file)
    try:
        private_dir(path.parent)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:  # settings still work; the mode is a precaution
        logger.warning("could not make %s private: %s", path, exc)


def _apply_preferences(app, settings, theme: str | None) -> None:
    """The saved appearance and engine, before the window shows (`theme`: --theme, for screenshots, wins). A value
    read back broken is logged here; the Settings page says it too."""
    from gui.core.settings import contexts, preferences

    prefs, problems = preferences.load(settings)
    for problem in problems:
        logger.warning("%s", problem)
    contexts.choose(prefs.engine)
    theme = theme or prefs.appearance
    if theme != preferences.SYSTEM:  # the system's look is Qt's own: nothing to do
        from gui.views.widgets.style import apply_theme

        apply_theme(app, theme)


def run_gui(args: argparse.Namespace) -> int:
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QTimer

    _skip_pyside_source_scan()  # before the window's modules are imported
    from PySide6.QtWidgets import QApplication

    from gui.core.settings.contexts import diagnose_chosen
    from gui.views.crash import CrashReporter
    from gui.views.main_window import MainWindow
    from gui.views.widgets.style import install_focus_style
    from gui.workers import streams
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from gui.workers.session import EngineSession

    log.setup_file_logging()
    _route_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("portside")
    app.setOrganizationName("portside")
    app.setApplicationDisplayName("Portside")
    app.setDesktopFileName("io.github.portside.Portside")
    app.setWindowIcon(_icon())
    crash = CrashReporter(app)
    crash.install()
    MainThreadGarbageCollector(app).start()  # worker threads must never destroy GUI objects
    # Threads that run Python beside the GUI thread (an engine elsewhere still has a stats thread per container,
    # gui.workers.monitor.threaded_stats) keep it waiting for the GIL up to a switch interval at a time. Measured with a
    # thread per container, 100 containers, 3 min (tests/bench/bench_monitor.py): 2 stalls over 50 ms at Python's
    # default 5 ms, none at 1 ms, for the same CPU use.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)

    vault = None  # the user's own sign-ins
    if args.screenshot:
        # A screenshot shows the defaults, and never touches the user's own settings or sign-ins.
        import tempfile
        from pathlib import Path

        from gui.core.registry.credentials import CredentialVault

        scratch = tempfile.TemporaryDirectory(prefix="portside-shot-", ignore_cleanup_errors=True)
        folder = Path(scratch.name)
        settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
        vault = CredentialVault(docker_config_dir=folder / "docker", index_path=folder / "registries.json")
    else:
        settings = QSettings()
        _keep_private(settings.fileName())
    _apply_preferences(app, settings, args.theme)
    install_focus_style(app)  # where the keyboard is, visible in every window
    session = EngineSession(diagnose_fn=diagnose_chosen)  # the engine chosen on the Settings page, if any
    session.start()  # the engine check (and docker-py's import) overlaps with building the window
    window = MainWindow(session, settings, vault=vault)

    if args.screenshot:
        try:
            return _screenshot(app, window, session, args)
        finally:
            # Written now, so that no later save creates the folder again once it is gone.
            settings.sync()
            scratch.cleanup()

    window.show()
    if args.startup_report:
        _report_startup(app, window, session)
    _after_first_paint(window, _first_painted)
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.close)
    code = app.exec()
    _shut_down(session, streams)
    return code


def _shut_down(session, streams) -> None:
    """Quitting never waits for the engine (issue 15): streams are cancelled (their sockets closed) and calls still
    in flight are abandoned on their daemon threads. Only jobs already running or queued get a short grace, so a
    save asked for just before quitting is written; an engine call stuck among them costs at most that grace."""
    session.stop()
    streams.cancel_all()
    session.tasks.wait_idle(QUIT_GRACE_MS)


def _elapsed_ms() -> float:
    """Milliseconds since this module was imported: the start-up milestones in the log and in --startup-report."""
    return (time.perf_counter() - STARTED) * 1000


def _after_first_paint(window, callback) -> None:
    """Calls `callback` once the window has painted for the first time (in the event loop's next turn, so the
    painted frame is on screen first)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, _watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, callback)
            return False

    window.installEventFilter(FirstPaint(window))


def _first_painted() -> None:
    logger.info("first window painted after %.0f ms", _elapsed_ms())


def _report_startup(app, window, session) -> None:
    """For tests/bench: prints each milestone as it passes, in ms since start-up began (first_window_ms: shown,
    before its first paint; first_paint_ms: painted; lists_filled_ms), and quits once the last has passed."""
    from PySide6.QtCore import QTimer

    passed: set[str] = set()

    def milestone(name: str, extra: str = "") -> None:
        print(f"{name}_ms {_elapsed_ms():.0f}{extra}", flush=True)
        passed.add(name)
        if {"first_paint", "lists_filled"} <= passed:
            QTimer.singleShot(0, app.quit)

    QTimer.singleShot(0, lambda: milestone("first_window"))
    _after_first_paint(window, lambda: milestone("first_paint"))

    def lists_filled(snapshot) -> None:
        session.snapshotChanged.disconnect(lists_filled)
        milestone("lists_filled", f" containers {len(snapshot.containers)} images {len(snapshot.images)}")

    session.snapshotChanged.connect(lists_filled)


def _screenshot(app, window, session, args) -> int:
    """Wait for the engine's answer and the first lists (bounded), then grab the window."""
    from PySide6.QtCore import QEventLoop, QSize, QTimer

    window.resize(QSize(*args.size) if args.size else window.sizeHint())
    window.show()
    deadline = time.monotonic() + args.screenshot_timeout
    while time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if session.diagnosis is not None and (not session.diagnosis.usable or session.snapshot is not None):
            break
        time.sleep(0.02)
    if session.diagnosis is not None and session.diagnosis.usable and args.page in window.pages:
        window.show_page(args.page)
    # Live figures (Monitor, the containers' CPU and memory) need a few samples, CPU % two; other pages only need
    # their layouts to settle.
    settle = time.monotonic() + (4.0 if args.page in ("monitor", "containers") else 0.2)
    while time.monotonic() < settle:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
    ok = window.grab().save(args.screenshot, "PNG")
    session.stop()
    window.close()
    QTimer.singleShot(0, app.quit)
    print(f"screenshot {'written to' if ok else 'FAILED:'} {args.screenshot}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "doctor":
        return run_doctor(args.json)
    return run_gui(args)


if __name__ == "__main__":
    raise SystemExit(main())
