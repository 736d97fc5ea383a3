"""What a screen reader would receive: Qt's accessibility events, captured in tests.

PySide6 does not bind ``QAccessible::installUpdateHandler``; it is called through ctypes on the
Qt library PySide6 loaded, and each event is re-wrapped as its concrete class to read its text.
While capturing, accessibility is switched on as a screen reader would switch it on.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import PySide6
import shiboken6
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QAccessibleTextInsertEvent,
    QAccessibleTextRemoveEvent,
    QAccessibleTextUpdateEvent,
    QAccessibleValueChangeEvent,
)

_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_SYMBOL = "_ZN11QAccessible20installUpdateHandlerEPFvP16QAccessibleEventE"


@dataclass
class Heard:
    """One event: its type, the object it came from, and any text or value it carried."""

    type: QAccessible.Event
    source: object
    text: str


def _install() -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    lib = glob.glob(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "lib", "libQt6Gui.so*"))
    gui = ctypes.CDLL(sorted(lib)[0])
    fn = gui[_SYMBOL]
    fn.restype = ctypes.c_void_p
    fn.argtypes = [ctypes.c_void_p]
    return fn


def _text(ptr: int, kind: QAccessible.Event) -> str:
    E = QAccessible.Event
    if kind == E.TextInserted:
        return shiboken6.wrapInstance(ptr, QAccessibleTextInsertEvent).textInserted()
    if kind == E.TextRemoved:
        return shiboken6.wrapInstance(ptr, QAccessibleTextRemoveEvent).textRemoved()
    if kind == E.TextUpdated:
        ev = shiboken6.wrapInstance(ptr, QAccessibleTextUpdateEvent)
        return ev.textInserted() + ev.textRemoved()
    if kind == E.ValueChanged:
        return str(shiboken6.wrapInstance(ptr, QAccessibleValueChangeEvent).value())
    if kind == E.Announcement:
        return shiboken6.wrapInstance(ptr, QAccessibleAnnouncementEvent).message()
    return ""


@contextmanager
def listening() -> Iterator[list[Heard]]:
    """Collect every accessibility event sent while the block runs."""
    heard: list[Heard] = []

    def handler(ptr: int) -> None:
        ev = shiboken6.wrapInstance(ptr, QAccessibleEvent)
        kind, source = ev.type(), ev.object()
        shiboken6.invalidate(ev)  # so the next wrap gets the concrete event class
        heard.append(Heard(kind, source, _text(ptr, kind)))

    callback = _HANDLER(handler)
    install = _install()
    was_active = QAccessible.isActive()
    QAccessible.setActive(True)
    previous = install(ctypes.cast(callback, ctypes.c_void_p))
    try:
        yield heard
    finally:
        install(previous)
        QAccessible.setActive(was_active)
