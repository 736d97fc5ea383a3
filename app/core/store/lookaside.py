"""A larger lookaside allocator for each database connection.

Why: SQLite serves small allocations (bound values, cursors, expression trees) from a
per-connection *lookaside* pool; anything that does not fit goes to the heap. The default pool
(123 slots) is used up by the prepared-statement cache, so saving one chronology entry sent about
90 allocations to the heap. With SQLCipher memory security on, each heap allocation is an
``mlock`` system call and each free a random wipe plus an ``munlock``: that was most of the
vault's write cost (``fieldbook bench``: 2.5× plain sqlite3 before, see issue 2).

With a pool of ``SLOTS`` slots those allocations stay inside one block that SQLCipher locked once
when the connection opened and wipes when it closes (lock, quit). The block is allocated on its
own pages, so it stays locked the whole time; small heap allocations share pages, and SQLCipher's
``munlock`` on one free unlocks its neighbours. What changes: a freed slot is overwritten by the
next use or at close rather than at once. SQLite's default pool already behaves this way.

Python's sqlite modules do not expose ``sqlite3_db_config``, so this reads the ``sqlite3 *``
handle that both pysqlite-derived modules (``sqlcipher3`` and the standard ``sqlite3``) keep as
the first field after the object header, and calls the C API of the library the module is linked
with. The handle is checked (``sqlite3_db_filename`` must name the file that was opened) before it
is configured; on any mismatch the connection keeps SQLite's default pool, which is slower but
correct. ``tests/core/store/test_vault.py`` fails if a module upgrade changes the layout.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

SLOT_SIZE = 1200  # SQLite's default slot size: fits bound text of a typical field and most nodes
SLOTS = 1000  # ~1.2 MB per connection; a 100-record transaction peaks at ~490 slots

_SQLITE_OK = 0
_SQLITE_DBCONFIG_LOOKASIDE = 1001
_SQLITE_DBSTATUS_LOOKASIDE_USED = 0
_SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL = 6
# PyObject_HEAD: reference count and type pointer. Debug builds (Py_TRACE_REFS) add two more.
_HEAD = 2 * ctypes.sizeof(ctypes.c_void_p)


@cache
def _library(module_file: str) -> Any:
    """The SQLite C API that a sqlite extension module uses (dlopen returns the loaded copy)."""
    lib = ctypes.CDLL(module_file)
    lib.sqlite3_db_filename.restype = ctypes.c_char_p
    lib.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.sqlite3_db_status.restype = ctypes.c_int
    lib.sqlite3_db_status.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    # sqlite3_db_config is variadic: fixed arguments declared, the rest passed as typed values.
    lib.sqlite3_db_config.restype = ctypes.c_int
    return lib


def _module_file(conn: Any) -> str | None:
    """The C extension behind the connection's class: sqlcipher3's or the standard library's."""
    package = type(conn).__module__.partition(".")[0]
    extension = {"sqlcipher3": "sqlcipher3._sqlite3", "sqlite3": "_sqlite3"}.get(package)
    module = sys.modules.get(extension) if extension else None
    path = getattr(module, "__file__", None)
    return str(path) if path else None


def _handle(conn: Any, path: Path) -> tuple[Any, int] | None:
    """(library, sqlite3 *) of an open connection to ``path``, or None if it cannot be trusted."""
    if hasattr(sys, "gettotalrefcount"):  # a debug build of Python: the header is larger
        return None
    module_file = _module_file(conn)
    if module_file is None:
        return None
    try:
        lib = _library(module_file)
    except OSError:
        return None
    db = ctypes.c_void_p.from_address(id(conn) + _HEAD).value
    if not db:
        return None
    name = lib.sqlite3_db_filename(db, b"main")
    if not name or os.path.realpath(os.fsdecode(name)) != os.path.realpath(path):
        return None
    return lib, db


def enlarge(conn: Any, path: Path, slots: int = SLOTS) -> bool:
    """Give a freshly opened connection a pool of ``slots`` slots; True when it took effect.

    Must run before the connection prepares any statement (SQLite refuses while slots are used).
    """
    found = _handle(conn, path)
    if found is None:
        return False
    lib, db = found
    rc = lib.sqlite3_db_config(
        ctypes.c_void_p(db),
        ctypes.c_int(_SQLITE_DBCONFIG_LOOKASIDE),
        ctypes.c_void_p(None),
        ctypes.c_int(SLOT_SIZE),
        ctypes.c_int(slots),
    )
    return bool(rc == _SQLITE_OK)


def stats(conn: Any, path: Path) -> dict[str, int] | None:
    """Slots in use at most, and allocations that found the pool full (for tests and bench)."""
    found = _handle(conn, path)
    if found is None:
        return None
    lib, db = found
    out = {}
    for name, op in (
        ("peak_used", _SQLITE_DBSTATUS_LOOKASIDE_USED),
        ("misses_full", _SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL),
    ):
        cur, high = ctypes.c_int(), ctypes.c_int()
        lib.sqlite3_db_status(db, op, ctypes.byref(cur), ctypes.byref(high), 0)
        out[name] = high.value
    return out
