"""Dates as practitioners type them: English day-first input made ISO, and ISO read back in words.

Records store ISO 8601 (what validation, the chronology and packs read). People in England write
20/11/2026, so the editor turns day-first input into ISO when a field is left, and shows the date
in words beside it so a slip (a month in the day's place, the wrong year) is seen at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

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


def describe(text: str, kind: str) -> str:
    """The value in words ("Friday 20 November 2026, 10:00"), or what is wrong with it; empty
    text gives an empty description."""
    value = text.strip()
    if not value:
        return ""
    example = "DD/MM/YYYY or YYYY-MM-DD" + (", then a time as HH:MM" if kind == "date_time" else "")
    if not ISO_START.match(value):  # what validation accepts, and what sorts as text
        return f"Not a date: use {example}"
    try:
        if kind == "date" or len(value) == 10:
            day = date.fromisoformat(value)
            return _words(day) + (" (no time given)" if kind == "date_time" else "")
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"Not a date: use {example}"
    zone = ""
    if stamp.tzinfo is not None:  # isoformat ends with the offset, e.g. +01:00
        zone = " UTC" if not stamp.utcoffset() else f" (UTC{stamp.isoformat()[-6:]})"
    return f"{_words(stamp.date())}, {stamp:%H:%M}{zone}"


def _words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def normalise_record(form: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every field normalised by its type (day-first dates, in table columns too,
    made ISO), so a record added from the command line reads like one typed in the app. Anything
    else is left exactly as given."""
    from app.core.forms.types import normalise_values  # types builds on this module

    return normalise_values(form.all_fields(), data)
