"""Day-first dates as typed in England become ISO; ISO values are read back in words."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from app.core.forms import FieldSpec, ValidationContext, load_registry, validate
from app.core.forms.dates import describe, normalise, shown


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["/", ".", "-"]))
def test_any_day_first_date_becomes_the_same_day_in_iso(day: date, sep: str) -> None:
    typed = f"{day.day}{sep}{day.month}{sep}{day.year}"
    assert normalise(typed, "date") == day.isoformat()


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)))
def test_a_day_first_date_and_time_keeps_the_minute(when: datetime) -> None:
    typed = f"{when.day:02}/{when.month:02}/{when.year} {when.hour}:{when.minute:02}"
    assert normalise(typed, "date_time") == when.replace(second=0, microsecond=0).isoformat(
        timespec="minutes"
    )


def test_impossible_or_unrecognised_input_is_kept_exactly_as_typed() -> None:
    for typed in ("31/02/2026", "yesterday", "20/11/26", "2026-11-20", "  ", "13/13/2026"):
        assert normalise(typed, "date") == typed
    # a time typed into a date-only field is not silently dropped
    assert normalise("20/11/2026 10:00", "date") == "20/11/2026 10:00"


def test_dates_are_read_back_in_words_and_mistakes_are_named() -> None:
    """Words in the reader's own time: a summer time stored in UTC reads an hour on in London."""
    london = ZoneInfo("Europe/London")
    assert describe("2026-11-20", "date") == "Friday 20 November 2026"
    assert describe("2026-10-30T15:30:00Z", "date_time", london) == "Friday 30 October 2026, 15:30"
    assert describe("2026-06-01T09:00Z", "date_time", london) == "Monday 1 June 2026, 10:00"
    assert describe("2026-06-01T09:00+01:00", "date_time", london) == "Monday 1 June 2026, 09:00"
    assert describe("2026-06-01T09:00", "date_time", london) == "Monday 1 June 2026, 09:00"
    assert describe("2026-11-20", "date_time") == "Friday 20 November 2026 (no time given)"
    assert describe("", "date") == ""
    assert describe("20/13/2026", "date").startswith("Not a date: use DD/MM/YYYY")
    assert "HH:MM" in describe("soon", "date_time")


def test_stored_dates_are_shown_short_in_words_never_iso_or_utc() -> None:
    """Lists and read views show "Fri 30 Oct 2026, 15:30" in local time; other text is kept."""
    london = ZoneInfo("Europe/London")
    assert shown("2026-10-30T15:30:00Z", london) == "Fri 30 Oct 2026, 15:30"
    assert shown("2026-07-30T15:30:00+00:00", london) == "Thu 30 Jul 2026, 16:30"
    assert shown("2026-11-20", london) == "Fri 20 Nov 2026"
    assert shown("soon", london) == "soon"
    assert shown(None) == ""


def test_normalised_input_passes_the_forms_own_validation() -> None:
    """What the editor stores from day-first input is a date the validator accepts."""
    form = load_registry().get("chronology_entry")
    field: FieldSpec | None = form.field("date")
    assert field is not None and field.type == "date"
    data = {
        "date": normalise("3/11/2026", "date"),
        "date_approximate": "no",
        "source": "Sample School",
        "event": "Attendance fell to 60%",
        "significance": "medium",
    }
    problems = validate(form, data, ValidationContext(today=date(2026, 11, 22)))
    assert [p for p in problems if p.field == "date"] == []
    # and the same check does catch a date left in day-first form
    data["date"] = "3/11/2026"
    problems = validate(form, data, ValidationContext(today=date(2026, 11, 22)))
    assert [p.field for p in problems if p.field == "date"] == ["date"]


def test_only_dates_that_sort_as_text_are_accepted_or_read_back() -> None:
    """Compact or week-date ISO spellings would sort wrongly in the chronology: the read-back
    and validation both refuse them, and they agree."""
    form = load_registry().get("chronology_entry")
    for odd in ("20261120", "2026-W47-5", "2026-11-20junk"):
        assert describe(odd, "date").startswith("Not a date")
        data = {"date": odd, "source": "School", "event": "Seen", "significance": "low"}
        problems = validate(form, data, ValidationContext(today=date(2026, 11, 22)))
        assert [p.field for p in problems] == ["date"], odd


def test_a_record_from_the_command_line_gets_the_same_date_handling() -> None:
    """Day-first dates in a JSON record, top-level and in table cells, are stored as ISO."""
    from app.core.forms.dates import normalise_record

    form = load_registry().get("strategy_discussion")
    table = next(
        f for f in form.all_fields() if f.type == "table" and any(c.type == "date" for c in f.columns)
    )
    col = next(c for c in table.columns if c.type == "date")
    date_field = next(f for f in form.all_fields() if f.type == "date")
    data = {
        date_field.key: "29/10/2026",
        table.key: [{col.key: "5/11/2026"}, {col.key: "soon"}],
        "untouched": "1/2/2026",
    }
    out = normalise_record(form, data)
    assert out[date_field.key] == "2026-10-29"
    assert [r[col.key] for r in out[table.key]] == ["2026-11-05", "soon"]
    assert out["untouched"] == "1/2/2026" and data[date_field.key] == "29/10/2026"
