"""Dates as practitioners type them: English day-first input made ISO, and ISO read back in words.

Records store ISO 8601 (what validation, the chronology and packs read). People in England write
20/11/2026, so the editor turns day-first input into ISO when a field is left, and shows the date
in words beside it so a slip (a month in the day's place, the wrong year) is seen at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from app.core.forms.spec import FormSpec

# Stored dates start YYYY-MM-DD: other ISO spellings (20261120, 2026-W47-5) would parse but
# sort wrongly as text in the chronology.
ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T]+(\d{1,2})[:.](\d{2}))?\s*$")


def normalise(text: str, kind: str) -> str:
    """``text`` in ISO form if it is a valid day-first date (``kind`` "date" or "date_time");
    otherwise unchanged, so nothing typed is ever lost and validation can name the problem."""
    m = _DAY_FIRST.match(text)
    if not m:
        return text
    day, month, year, hour, minute = m.groups()
    try:
        when = date(int(year), int(month), int(day))
        if hour is None:
            return when.isoformat()
        if kind != "date_time":
            return text  # a time in a date-only field: leave it for validation to flag
        stamp = datetime(when.year, when.month, when.day, int(hour), int(minute))
    except ValueError:
        return text
    return stamp.isoformat(timespec="minutes")


def describe(text: str, kind: str, tz: tzinfo | None = None) -> str:
    """The value in words in local time ("Friday 20 November 2026, 10:00"), or what is wrong
    with it; empty text gives an empty description. ``tz`` is the reader's zone (default: this
    computer's); a time stored with an offset is shown in it, so nobody reads UTC."""
    value = text.strip()
    if not value:
        return ""
    example = "DD/MM/YYYY or YYYY-MM-DD" + (", then a time as HH:MM" if kind == "date_time" else "")
    when = _when(value, tz)
    if when is None:  # what validation accepts, and what sorts as text
        return f"Not a date: use {example}"
    if not isinstance(when, datetime):
        return _words(when) + (" (no time given)" if kind == "date_time" else "")
    return f"{_words(when.date())}, {when:%H:%M}"


def shown(value: Any, tz: tzinfo | None = None) -> str:
    """A stored date or date-time as a list or a read view shows it: "Fri 30 Oct 2026, 15:30"
    in local time (``tz``, default this computer's); anything that is not a date comes back as
    it is."""
    return in_words(value, short=True, tz=tz)


def day_first(value: str, kind: str, tz: tzinfo | None = None) -> str:
    """A stored date as it is typed back: "30/10/2026" or "30/10/2026 15:30" in local time (the
    editor shows a draft's dates this way); anything that is not a date comes back unchanged."""
    when = _when(value.strip(), tz)
    if when is None:
        return value
    text = f"{when:%d/%m/%Y}"
    return f"{text} {when:%H:%M}" if isinstance(when, datetime) and kind == "date_time" else text


def _when(value: str, tz: tzinfo | None) -> date | datetime | None:
    if not ISO_START.match(value):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(tz) if stamp.tzinfo is not None else stamp


def _words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# Packs are read in England: times are shown on the clock there (GMT or BST), never as UTC ISO.
UK = ZoneInfo("Europe/London")


def in_words(value: Any, *, short: bool = False, tz: tzinfo | None = UK) -> str:
    """A stored date or date-time as people read it: "Friday 30 October 2026" (``short``: "Fri 30
    Oct 2026", for lists and tables), a time on the clock in ``tz`` (England unless told) as
    "…, 15:30". Anything else is returned as it is, so nothing typed is hidden."""
    when = _when(str(value).strip(), tz) if value is not None else None
    if when is None:
        return "" if value is None else str(value)
    day = when.date() if isinstance(when, datetime) else when
    words = f"{day:%a} {day.day} {day:%b %Y}" if short else _words(day)
    return f"{words}, {when:%H:%M}" if isinstance(when, datetime) else words


def normalise_record(form: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every field normalised by its type (day-first dates, in table columns too,
    made ISO), so a record added from the command line reads like one typed in the app. Anything
    else is left exactly as given."""
    from app.core.forms.types import normalise_values  # types builds on this module

    return normalise_values(form.all_fields(), data)
