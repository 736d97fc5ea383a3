"""The crash log: what support needs to find a bug, and nothing a case could leak through.

An unexpected error in a command is written here as the exception's type and the stack of code
locations it passed through (file, line, function), for it and for the errors it arose from. No
message, no argument and no local value is written: any of them could hold a child's name or a
passphrase. The file is user-only and kept small (the previous one is kept as ``crash.log.1``).
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
from pathlib import Path

from app import __version__
from app.core.clock import SYSTEM_CLOCK, iso_now
from app.core.paths import user_log_dir

MAX_BYTES = 256 * 1024
APP_ROOT = Path(__file__).resolve().parents[1]


def _where(filename: str) -> str:
    """A code location without the user's folders: app/… for ours, the last two parts otherwise."""
    path = Path(filename)
    with contextlib.suppress(ValueError):
        return str(Path("app") / path.resolve().relative_to(APP_ROOT))
    return "/".join(path.parts[-2:])


def describe(exc: BaseException, command: str) -> str:
    """The log entry for ``exc``: time, version, command name, types and code locations only."""
    lines = [
        f"{iso_now(SYSTEM_CLOCK)} fieldbook {__version__} python {platform.python_version()} "
        f"{sys.platform} command: {command}"
    ]
    seen: set[int] = set()
    current: BaseException | None = exc
    prefix = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{prefix}{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {_where(frame.filename)}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        prefix = "arising from "
    return "\n".join(lines) + "\n\n"


def write(exc: BaseException, command: str) -> Path | None:
    """Append ``exc`` to the crash log; its path, or None if it could not be written."""
    folder = user_log_dir()
    path = folder / "crash.log"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name("crash.log.1"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(describe(exc, command))
    except OSError:
        return None
    return path
