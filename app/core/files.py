"""Opening a path the user named: regular files only, of bounded size, never blocking.

A FIFO would make a reader wait for ever and a device (``/dev/zero``) would never end, so every
command that reads a path it was given opens it through here (issue 17): the path is opened
without blocking, checked to be a regular file, and refused with a message naming it otherwise.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import IO, BinaryIO

from app.core.errors import NotFound, UsageError


def open_regular(path: Path, *, what: str, limit: int) -> BinaryIO:
    """``path`` opened for reading; refuses what is missing, not a regular file, or over ``limit``."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait for ever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise NotFound(f"{what}: {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{what}: {path} is a folder, not a file") from None
    except OSError as exc:
        raise UsageError(f"{what}: {path} cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{what}: {path} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{what}: {path} is not a regular file (a pipe, socket or device)")
        if info.st_size > limit:
            raise UsageError(f"{what}: {path} is larger than {_size(limit)}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, *, what: str, limit: int) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes (see ``open_regular``)."""
    with open_regular(path, what=what, limit=limit) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise UsageError(f"{what}: {path} is larger than {_size(limit)}")
    return data


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n >= mb else f"{n:,} bytes"


def window(fh: IO[bytes], offset: int, length: int) -> IO[bytes]:
    """A read-only, seekable, buffered view of ``length`` bytes at ``offset`` in ``fh`` (no copy):
    lets a parser read one entry of a large archive, or one revision of a PDF, in place."""
    return io.BufferedReader(_Window(fh, offset, length), 1024 * 1024)


class _Window(io.RawIOBase):
    """A read-only, seekable view of ``length`` bytes at ``offset`` in another seekable file."""

    def __init__(self, fh: IO[bytes], offset: int, length: int) -> None:
        super().__init__()
        self._fh, self._offset, self._length, self._pos = fh, offset, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = max(0, min(len(buffer), self._length - self._pos))
        if n == 0:
            return 0
        self._fh.seek(self._offset + self._pos)
        got = self._fh.readinto(memoryview(buffer)[:n])  # type: ignore[attr-defined]
        self._pos += got or 0
        return got or 0
