"""The unlock back-off (≤10 guesses in 5 minutes), readable without opening the vault.

Kept apart from ``vault`` so that the unlock window can show its countdown before sqlcipher3 is
even imported.

The count lives in ``<vault>.attempts`` beside the vault. An unlock holds an exclusive lock on
that file (``flock``) from reading the back-off to recording the outcome, so attempts made at the
same moment by several processes (or threads) are counted one after another: each waits for the
one before, then for its own back-off. Without the lock, twenty parallel guesses all read the same
count and all ran at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.core.clock import SYSTEM_CLOCK, Clock

FREE_ATTEMPTS = 5  # failed unlocks before the back-off starts
MAX_DELAY = 300.0


def _attempts_path(path: Path) -> Path:
    return path.with_name(path.name + ".attempts")


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
        if isinstance(data, dict):
            return data
    except (UnicodeDecodeError, ValueError):
        pass
    return {"failures": 0, "last": 0.0}


def _read_attempts(path: Path) -> dict[str, Any]:
    try:
        return _parse(_attempts_path(path).read_bytes())
    except OSError:
        return {"failures": 0, "last": 0.0}


def _delay(state: dict[str, Any], clock: Clock) -> float:
    failures = int(state.get("failures", 0))
    if failures < FREE_ATTEMPTS:
        return 0.0
    delay = min(5.0 * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY)
    elapsed = clock.now().timestamp() - float(state.get("last", 0.0))
    return float(max(0.0, delay - max(elapsed, 0.0)))


def unlock_delay(path: Path, clock: Clock = SYSTEM_CLOCK) -> float:
    """Seconds to wait before the next unlock attempt may run (0 when there is no back-off)."""
    return _delay(_read_attempts(Path(path)), clock)


class Attempt:
    """One unlock attempt holding the attempts file's lock (see ``attempt``)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self._path = path
        self._fd = fd

    def _state(self) -> dict[str, Any]:
        if self._fd is None:
            return _read_attempts(self._path)
        os.lseek(self._fd, 0, os.SEEK_SET)
        return _parse(os.read(self._fd, 4096))

    def wait(self, clock: Clock) -> None:
        """Sleep out the back-off this attempt owes."""
        delay = _delay(self._state(), clock)
        if delay > 0:
            clock.sleep(delay)

    def failed(self, clock: Clock) -> None:
        state = self._state()
        state = {"failures": int(state.get("failures", 0)) + 1, "last": clock.now().timestamp()}
        data = json.dumps(state).encode()
        with contextlib.suppress(OSError):
            if self._fd is None:
                _attempts_path(self._path).write_bytes(data)
                return
            # Rewritten in place: a new file renamed over it would escape the lock.
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.ftruncate(self._fd, 0)
            os.write(self._fd, data)
            os.fsync(self._fd)

    def succeeded(self) -> int:
        """Clear the count; returns the failures since the last success (for the audit log)."""
        failures = int(self._state().get("failures", 0))
        with contextlib.suppress(OSError):
            _attempts_path(self._path).unlink()  # waiters notice the file was replaced
        return failures


@contextlib.contextmanager
def attempt(path: Path) -> Iterator[Attempt]:
    """Hold ``<vault>.attempts`` locked for one unlock attempt (created if missing)."""
    target = _attempts_path(Path(path))
    if sys.platform == "win32":  # no flock: the count is kept, but not across processes
        yield Attempt(Path(path), None)
        return
    import fcntl

    while True:
        try:
            fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:  # a read-only folder: count as well as we can, never refuse the unlock
            yield Attempt(Path(path), None)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # The holder before us may have removed the file (a success): lock the current one.
            if os.fstat(fd).st_ino == os.stat(target).st_ino:
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield Attempt(Path(path), fd)
    finally:
        os.close(fd)  # releases the lock
