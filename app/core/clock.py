"""The clock: nothing in Fieldbook calls ``datetime.now()`` directly.

Deadlines, auto-lock, unlock back-off and certificate validity are tested by moving a
``FixedClock``, never by sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Source of the current time (always timezone-aware, UTC) and of monotonic seconds."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        # The practitioner's calendar day: local time, not UTC (a visit at 00:30 BST is "today").
        return datetime.now().astimezone().date()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FixedClock:
    """A clock that only moves when told to; ``sleep`` advances it instead of waiting."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._mono = 1000.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        delta = timedelta(seconds=seconds, **kwargs)
        self._now += delta
        self._mono += delta.total_seconds()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def set(self, when: datetime) -> None:
        self._mono += (when - self._now).total_seconds()
        self._now = when


SYSTEM_CLOCK: Clock = SystemClock()


def iso_now(clock: Clock) -> str:
    """The current time as ISO 8601 UTC with seconds ("2026-11-23T09:00:00Z")."""
    return clock.now().astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
