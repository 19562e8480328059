"""Guards against a Qt binding that corrupts the interpreter: PySide6 6.12.0 on Python 3.11 lost one
reference to None per void call, and a long session aborted with `none_dealloc`."""
import sys

from PySide6.QtCore import QObject, QPoint, Signal


class Emitter(QObject):
    fired = Signal(bool)


def test_void_calls_and_signals_keep_reference_counts(qtbot):
    point, emitter = QPoint(), Emitter()
    emitter.fired.connect(lambda _value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        point.setX(1)
        emitter.fired.emit(True)
    # A few references may come and go with the interpreter's own caches; a leak loses a thousand.
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert abs(sys.getrefcount(True) - true_before) < 50
