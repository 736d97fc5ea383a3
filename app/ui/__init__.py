"""The PySide6 desktop app over ``app.core`` (STYLE.md: one database worker thread)."""

from __future__ import annotations

import ctypes
import sys


def immortalise_none() -> None:
    """Work around PySide6 6.12 on Python 3.11, where every void Qt method (``show``,
    ``setToolTip``, ``processEvents`` …) returns None without a new reference: None's reference
    count falls by one per call until CPython deallocates None and aborts the process
    ("none_dealloc", or a bare segfault). Python 3.12 made None immortal; on 3.11 we do the same
    by giving None a reference count no session can use up. Measured: -100 per 100 calls."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):  # immortal / debug build
        return
    refcnt = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    # Only if the field holds the count we think it does, and only once.
    if abs(refcnt.value - sys.getrefcount(None)) < 10_000 and refcnt.value < 1 << 40:
        refcnt.value += 1 << 60


immortalise_none()
