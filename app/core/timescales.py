"""Statutory timescales: a working-day calendar for England and Wales and deadlines from records.

Rules are data all the way down (``resources/timescales/rules.toml``): each event names the form
and field that start or meet it and the children it concerns, and each rule runs from events to
events. A local area adds an event, a rule or both in its own file without touching code. Every
deadline carries the rule that produced it, whether that rule is statute, statutory guidance or
local practice, where it comes from, and the children it concerns.

Counting convention (domain.md §1.1, configurable): the trigger date is **day 0** and the due date
is the N-th working day after it, whatever day of the week the trigger fell on. The alternative,
``count_from = "same_day"``, counts the trigger itself as day 1 when it is a working day.
"""

from __future__ import annotations

import calendar
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.core.clock import Clock
from app.core.errors import FormError, UsageError
from app.core.forms.conditions import holds
from app.core.forms.conditions import problems as condition_problems
from app.core.forms.types import is_blank
from app.core.paths import resource
from app.core.wording import count

UNITS = ("working_day", "calendar_day", "week", "calendar_month", "hour")
STATUSES = {
    "statute": "statute",
    "statutory_guidance": "statutory guidance",
    "national_guidance": "national guidance",
    "local": "local practice",
    "unconfirmed": "unconfirmed",
}
UNIT_WORDS = {
    "working_day": ("working day", "working days"),
    "calendar_day": ("day", "days"),
    "week": ("week", "weeks"),
    "calendar_month": ("month", "months"),
    "hour": ("hour", "hours"),
}
SETTINGS_KEY = "timescales"
RULES_ENV = "FIELDBOOK_TIMESCALES"


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimescaleSettings:
    """What a local area may change; stored in the vault under the ``timescales`` setting."""

    count_from: str = "day_after"  # "day_after": trigger is day 0; "same_day": trigger is day 1
    local_closures: tuple[date, ...] = ()  # days the local authority is closed (e.g. 29–31 Dec)
    rules_file: Path | None = None  # local rules replacing or adding to the shipped ones

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> TimescaleSettings:
        """Build from a vault setting / JSON object, naming the setting that is wrong."""
        if not raw:
            return cls()
        if not isinstance(raw, Mapping):
            raise UsageError("Timescale settings: expected an object of settings")
        count_from = raw.get("count_from", "day_after")
        if count_from not in ("day_after", "same_day"):
            raise UsageError(
                f"Timescale settings, count_from: {count_from!r} is not one of day_after, same_day"
            )
        closures: list[date] = []
        for item in raw.get("local_closures", []) or []:
            closures.extend(_parse_closure(item))
        rules_file = raw.get("rules_file")
        return cls(
            count_from=count_from,
            local_closures=tuple(sorted(set(closures))),
            rules_file=Path(rules_file) if rules_file else None,
        )

    def to_mapping(self) -> dict[str, Any]:
        return {
            "count_from": self.count_from,
            "local_closures": [d.isoformat() for d in self.local_closures],
            "rules_file": str(self.rules_file) if self.rules_file else None,
        }


def _parse_closure(item: Any) -> list[date]:
    """A closure day "YYYY-MM-DD" or an inclusive range "YYYY-MM-DD/YYYY-MM-DD"."""
    if not isinstance(item, str):
        raise UsageError(f"Timescale settings, local_closures: {item!r} is not a date")
    first, _, last = item.partition("/")
    start = parse_date(first, "local_closures")
    end = parse_date(last, "local_closures") if last else start
    if end < start:
        raise UsageError(f"Timescale settings, local_closures: {item} ends before it starts")
    if (end - start).days > 366:
        raise UsageError(f"Timescale settings, local_closures: {item} is longer than a year")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse_date(value: Any, what: str = "date") -> date:
    """An ISO date (a date-time is cut to its date), or a UsageError naming ``what``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, Mapping) and "date" in value:  # approximate date {"date": …}
        return parse_date(value["date"], what)
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise UsageError(f"{what}: {value!r} is not a date in the form YYYY-MM-DD")


def settings_from_store(store: Any) -> TimescaleSettings:
    """The vault's timescale settings (defaults when none are saved)."""
    return TimescaleSettings.from_mapping(store.settings_get(SETTINGS_KEY))


# --- calendar --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def shipped_bank_holidays() -> dict[date, str]:
    """The England and Wales list shipped in ``resources/`` (works with no network)."""
    out: dict[date, str] = {}
    text = resource("timescales", "bank_holidays_england_wales.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        day, _, name = line.partition(" ")
        out[date.fromisoformat(day)] = name.strip()
    return out


@lru_cache(maxsize=64)
def _package_holidays(year: int) -> dict[date, str]:
    import holidays  # imported lazily: it is only needed when a deadline is computed

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=[year]).items())


def bank_holidays(year: int) -> dict[date, str]:
    """Bank holidays in England and Wales in ``year``: the shipped list plus the package's."""
    out = {d: n for d, n in shipped_bank_holidays().items() if d.year == year}
    for day, name in _package_holidays(year).items():
        out.setdefault(day, name)
    return out


class WorkingCalendar:
    """Monday to Friday, less England and Wales bank holidays and local closure days."""

    def __init__(self, local_closures: Iterable[date] = ()) -> None:
        self._closures = frozenset(local_closures)
        self._years: dict[int, frozenset[date]] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        if year not in self._years:
            self._years[year] = frozenset(bank_holidays(year))
        return self._years[year]

    def non_working_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day, or None if it is one."""
        if day.weekday() >= 5:
            return "weekend"
        if day in self._holidays(day.year):
            return bank_holidays(day.year).get(day, "bank holiday")
        if day in self._closures:
            return "local closure day"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.non_working_reason(day) is None

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int, *, count_from: str = "day_after") -> date:
        """The due date ``n`` working days from ``start`` under the day-0 convention."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        if count_from == "same_day" and self.is_working_day(start):
            n -= 1  # the trigger day is day 1
            if n == 0:
                return start
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def subtract_working_days(self, end: date, n: int) -> date:
        """The working day ``n`` working days before ``end`` (for "at least N days before")."""
        day = end
        for _ in range(n):
            day = self.previous_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def add_months(day: date, months: int) -> date:
    """Calendar months with month-end clamping: 30 November + 3 months = 28 (or 29) February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- rules -----------------------------------------------------------------------------------

KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
SHIFTS = ("before", "after", "keep")  # what a due date on a non-working day does
MATCHES = ("other_records", "same_record", "any")  # where the event that meets a deadline may come from


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    from_events: tuple[str, ...]
    offset: int
    unit: str
    status: str
    source: tuple[str, ...]
    satisfied_by: tuple[str, ...] = ()
    stopped_by: tuple[str, ...] = ()
    direction: str = "after"  # "before": the deadline falls `offset` units before the event
    if_not_working_day: str = "keep"
    satisfied_in: str = "other_records"
    restart: bool = False  # a later start for the same child replaces an open earlier deadline
    notes: str = ""
    ref: str = ""
    origin: str = "shipped"  # "shipped" or the local file that defined it

    @property
    def from_event(self) -> str:
        return " or ".join(self.from_events)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def period(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        text = f"{self.offset} {one if self.offset == 1 else many}"
        return f"{text} before" if self.direction == "before" else text

    def due(self, anchor: Event, cal: WorkingCalendar, settings: TimescaleSettings) -> date:
        """The due date of this rule for an event."""
        start = anchor.date
        if self.direction == "before":
            if self.unit == "working_day":
                return cal.subtract_working_days(start, self.offset)
            if self.unit == "calendar_month":
                return self._shift(add_months(start, -self.offset), cal)
            if self.unit == "hour":
                return (anchor.moment() - timedelta(hours=self.offset)).date()
            return self._shift(start - timedelta(days=self.offset * (7 if self.unit == "week" else 1)), cal)
        if self.unit == "working_day":
            return cal.add_working_days(start, self.offset, count_from=settings.count_from)
        if self.unit == "hour":
            return (anchor.moment() + timedelta(hours=self.offset)).date()
        if self.unit == "calendar_month":
            return self._shift(add_months(start, self.offset), cal)
        days = self.offset * (7 if self.unit == "week" else 1)
        if settings.count_from == "same_day" and days:
            days -= 1
        return self._shift(start + timedelta(days=days), cal)

    def _shift(self, day: date, cal: WorkingCalendar) -> date:
        """A month-based deadline on a Sunday or a bank holiday moves to the working day before."""
        if self.if_not_working_day == "keep" or cal.is_working_day(day):
            return day
        if self.if_not_working_day == "before":
            return cal.previous_working_day(day)
        return cal.next_working_day(day)


@dataclass(frozen=True)
class EventMapping:
    """How a record of a form becomes an event (``[[events]]`` in the rules file).

    One record gives at most one event. With ``rows``, the event concerns the children named in
    the rows of that table that meet ``row_when`` (one conference, a plan for two children and not
    the baby); otherwise the children in ``children_field``, else those the record is about.
    """

    event: str
    form: str
    date_field: str | None = None
    when: Mapping[str, Any] | None = None
    rows: str | None = None
    row_when: Mapping[str, Any] | None = None
    row_child: str = "child"
    children_field: str | None = None
    include_drafts: bool = False
    title: str = ""
    origin: str = "shipped"


@dataclass(frozen=True)
class RuleSet:
    version: int
    rules: tuple[Rule, ...]
    events: tuple[EventMapping, ...]

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UsageError(f"no timescale rule with id {rule_id!r}")

    def for_event(self, event: str) -> list[Rule]:
        return [r for r in self.rules if event in r.from_events]

    @property
    def event_names(self) -> list[str]:
        """Every declared event, in the order the rules files declare them."""
        return list(dict.fromkeys(e.event for e in self.events))


def _problem(file: str, where: str, message: str) -> str:
    return f"{file}: {where}: {message}"


RULE_KEYS = {
    "id",
    "title",
    "from_event",
    "offset",
    "unit",
    "status",
    "source",
    "satisfied_by",
    "stopped_by",
    "direction",
    "if_not_working_day",
    "satisfied_in",
    "restart",
    "notes",
    "ref",
}
EVENT_KEYS = {
    "event",
    "title",
    "form",
    "date_field",
    "when",
    "rows",
    "row_when",
    "row_child",
    "children_field",
    "include_drafts",
}


def _names(raw: Any) -> tuple[str, ...] | None:
    """An event name or a list of them; None when neither."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
        return None
    return tuple(s.strip() for s in items)


def _reporter(
    raw: Mapping[str, Any], allowed: set[str], where: str, file: str, problems: list[str]
) -> Callable[[str, str], None]:
    """A function that adds "file: where.key: message" problems; unknown keys are added at once."""

    def bad(key: str, message: str) -> None:
        problems.append(_problem(file, f"{where}.{key}", message))

    for key in sorted(set(raw) - allowed):
        bad(key, "unknown key")
    return bad


def _parse_rule(raw: dict[str, Any], where: str, file: str, problems: list[str]) -> Rule | None:
    before = len(problems)
    bad = _reporter(raw, RULE_KEYS, where, file, problems)
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.strip():
        bad("id", "missing or empty")
    for key in ("title", "unit", "status"):
        if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
            bad(key, "missing or not text")
    starts = _names(raw.get("from_event"))
    if not starts:
        bad("from_event", "missing: the event (or list of events) the rule runs from")
    events: dict[str, tuple[str, ...]] = {}
    for key in ("satisfied_by", "stopped_by"):
        if key in raw:
            names = _names(raw[key])
            if names is None:
                bad(key, "must be an event name or a list of them")
            events[key] = names or ()
    offset = raw.get("offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 1000:
        bad("offset", f"{offset!r} is not a whole number between 0 and 1000")
    unit = raw.get("unit", "")
    if isinstance(unit, str) and unit and unit not in UNITS:
        bad("unit", f"{unit!r} is not one of " + ", ".join(UNITS))
    if isinstance(raw.get("status"), str) and raw["status"] not in STATUSES:
        bad("status", f"{raw['status']!r} is not one of " + ", ".join(STATUSES))
    choices = {
        "direction": (("after", "before"), "after"),
        "if_not_working_day": (SHIFTS, "before" if unit == "calendar_month" else "keep"),
        "satisfied_in": (MATCHES, "other_records"),
    }
    picked: dict[str, str] = {}
    for key, (allowed, default) in choices.items():
        value = raw.get(key, default)
        if value not in allowed:
            bad(key, f"{value!r} is not one of " + ", ".join(allowed))
        picked[key] = str(value)
    if not isinstance(raw.get("restart", False), bool):
        bad("restart", "must be true or false")
    source = raw.get("source")
    if isinstance(source, str):
        source = [source]
    if not isinstance(source, list) or not source or not all(isinstance(s, str) and s for s in source):
        bad("source", "every rule needs at least one source (a URL or reference)")
    if len(problems) > before:
        return None
    assert isinstance(rid, str) and isinstance(offset, int) and isinstance(source, list) and starts
    return Rule(
        id=rid,
        title=raw["title"].strip(),
        from_events=starts,
        offset=offset,
        unit=unit,
        status=raw["status"],
        source=tuple(source),
        satisfied_by=events.get("satisfied_by", ()),
        stopped_by=events.get("stopped_by", ()),
        direction=picked["direction"],
        if_not_working_day=picked["if_not_working_day"],
        satisfied_in=picked["satisfied_in"],
        restart=bool(raw.get("restart", False)),
        notes=str(raw.get("notes", "")),
        ref=str(raw.get("ref", "")),
        origin="shipped" if file == "rules.toml" else file,
    )


def _parse_event(raw: dict[str, Any], where: str, file: str, problems: list[str]) -> EventMapping | None:
    before = len(problems)
    bad = _reporter(raw, EVENT_KEYS, where, file, problems)
    name = raw.get("event")
    if not isinstance(name, str) or not name or not set(name) <= KEY_CHARS:
        bad("event", f"{name!r} is not an event name (lower_case_with_underscores)")
    if not isinstance(raw.get("form"), str) or not raw["form"]:
        bad("form", "missing form id")
    for key in ("date_field", "rows", "row_child", "children_field", "title"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key]):
            bad(key, "must be text")
    for key in ("when", "row_when"):
        if raw.get(key) is not None:
            _check_condition(raw[key], f"{where}.{key}", file, problems)
    if "row_when" in raw and "rows" not in raw:
        bad("row_when", "needs rows = the table whose rows it tests")
    if len(problems) > before:
        return None
    assert isinstance(name, str)
    return EventMapping(
        event=name,
        form=raw["form"],
        date_field=raw.get("date_field"),
        when=raw.get("when"),
        rows=raw.get("rows"),
        row_when=raw.get("row_when"),
        row_child=raw.get("row_child", "child"),
        children_field=raw.get("children_field"),
        include_drafts=bool(raw.get("include_drafts", False)),
        title=str(raw.get("title", "")),
        origin="shipped" if file == "rules.toml" else file,
    )


def _tables(doc: Mapping[str, Any], key: str, file: str, problems: list[str]) -> list[tuple[str, Any]]:
    raw = doc.get(key, [])
    if not isinstance(raw, list):
        problems.append(_problem(file, key, f"must be a list of [[{key}]] tables"))
        return []
    out = []
    for i, item in enumerate(raw):
        rid = item.get("id") if isinstance(item, dict) and key == "rules" else None
        where = f"rule {rid!r}" if isinstance(rid, str) and rid else f"{key}[{i}]"
        if not isinstance(item, dict):
            problems.append(_problem(file, where, "must be a table"))
            continue
        out.append((where, item))
    return out


def _parse_rules_doc(
    doc: Mapping[str, Any], file: str, problems: list[str]
) -> tuple[list[Rule], list[EventMapping]]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for where, raw in _tables(doc, "rules", file, problems):
        rule = _parse_rule(raw, where, file, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(_problem(file, f"{where}.id", "defined twice in this file"))
            continue
        seen.add(rule.id)
        rules.append(rule)
    events = [
        e
        for where, raw in _tables(doc, "events", file, problems)
        if (e := _parse_event(raw, where, file, problems)) is not None
    ]
    return rules, events


def _check_references(rules: Sequence[Rule], events: Sequence[EventMapping], problems: list[str]) -> None:
    """Every event a rule names must be declared by an [[events]] table (here or shipped)."""
    known = list(dict.fromkeys(e.event for e in events))
    for rule in rules:
        where = rule.origin if rule.origin != "shipped" else "rules.toml"
        for key, names in (
            ("from_event", rule.from_events),
            ("satisfied_by", rule.satisfied_by),
            ("stopped_by", rule.stopped_by),
        ):
            for name in names:
                if name not in known:
                    problems.append(
                        _problem(
                            Path(where).name,
                            f"rule {rule.id!r}.{key}",
                            f"unknown event {name!r}; declare it in an [[events]] table "
                            "(the form and field that record it), or use one of: " + ", ".join(known),
                        )
                    )


def _load_toml(path: Path) -> dict[str, Any]:
    """The parsed file (read-only: shared between calls). Opening a case reads the rules, so
    parses are cached by content: reading a few kilobytes is cheap, parsing TOML is not, and an
    edited file is never served stale (a timestamp can repeat within the file system's tick)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FormError(f"timescale rules file {path} does not exist") from None
    return _parse_toml(path.name, raw)


@lru_cache(maxsize=8)
def _parse_toml(name: str, raw: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FormError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"{name}: not valid TOML ({exc})") from None


def load_rules(settings: TimescaleSettings | None = None, *, shipped: Path | None = None) -> RuleSet:
    """The shipped rules and events, with a local file (settings or FIELDBOOK_TIMESCALES) on top.

    A local rule replaces the shipped rule with the same id or is added; a local event mapping
    for an event name replaces the shipped mappings of that name, and a new name is added.
    Raises ``FormError`` listing every problem with the file, the rule and what is wrong.
    """
    settings = settings or TimescaleSettings()
    shipped_path = shipped or resource("timescales", "rules.toml")
    problems: list[str] = []
    doc = _load_toml(shipped_path)
    rules, events = _parse_rules_doc(doc, shipped_path.name, problems)
    local = settings.rules_file or (Path(os.environ[RULES_ENV]) if os.environ.get(RULES_ENV) else None)
    if local is not None:
        lrules, levents = _parse_rules_doc(_load_toml(local), local.name, problems)
        by_id = {r.id: r for r in rules}
        for rule in lrules:
            by_id[rule.id] = replace(rule, origin=str(local))
        rules = list(by_id.values())
        names = {e.event for e in levents}
        events = [e for e in events if e.event not in names]
        events += [replace(e, origin=str(local)) for e in levents]
    _check_references(rules, events, problems)
    if problems:
        raise FormError("timescale rules have problems:\n  " + "\n  ".join(problems))
    return RuleSet(version=int(doc.get("version", 1)), rules=tuple(rules), events=tuple(events))


def check_rules_file(path: Path) -> list[str]:
    """Problems in a local rules file (empty when it is fine); used by settings screens."""
    try:
        load_rules(TimescaleSettings(rules_file=path))
    except FormError as exc:
        return [line.strip() for line in exc.message.splitlines()[1:]]
    return []


# --- conditions: the forms' one evaluator (app.core.forms.conditions), so a rule's "when" means
# exactly what a show_if means.


def _check_condition(cond: Any, where: str, file: str, problems: list[str]) -> None:
    for inside, err in condition_problems(cond):
        problems.append(_problem(file, f"{where}{inside}", err))


def condition_holds(cond: Mapping[str, Any] | None, data: Mapping[str, Any]) -> bool:
    return holds(cond, data)


# --- events from records ---------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something that happened on a date and starts, meets or stops a timescale."""

    name: str
    date: date
    record_id: str | None = None
    children: frozenset[str] = frozenset()  # whom it concerns (empty: not recorded, so everyone)
    at: datetime | None = None  # the time too, when the record gave one (72-hour rules)

    def moment(self) -> datetime:
        return self.at or datetime.combine(self.date, datetime.min.time())

    def concerns(self, child: str | None) -> bool:
        """Maya's file transfer does not meet the deadline that Leo's school move started."""
        return child is None or not self.children or child in self.children


def _get(record: Any, name: str, default: Any = None) -> Any:
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def _is_empty(value: Any) -> bool:
    return is_blank(value)


def _child_ids(value: Any) -> set[str]:
    """A child picker's list, or one child id."""
    if isinstance(value, str) and value:
        return {value}
    if isinstance(value, list):
        return {str(v) for v in value if isinstance(v, str) and v}
    return set()


def _event_time(raw: Any) -> tuple[date, datetime | None] | None:
    try:
        day = parse_date(raw)
    except UsageError:
        return None  # a draft with a half-typed date starts no timescale
    if isinstance(raw, str) and len(raw.strip()) > 10:
        try:
            return day, datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            pass
    return day, None


def _mapped_event(rec: Any, data: Mapping[str, Any], mapping: EventMapping) -> Event | None:
    if not condition_holds(mapping.when, data):
        return None
    # A declared date field left blank means the step has not happened yet (no interview offered).
    raw = data.get(mapping.date_field) if mapping.date_field else _get(rec, "occurred_at")
    when = None if _is_empty(raw) else _event_time(raw)
    if when is None:
        return None
    if mapping.rows:
        rows = [r for r in data.get(mapping.rows) or [] if isinstance(r, Mapping)]
        hits = [r for r in rows if condition_holds(mapping.row_when, r)]
        if not hits:
            return None
        kids = set().union(*(_child_ids(r.get(mapping.row_child)) for r in hits))
    elif mapping.children_field:
        kids = _child_ids(data.get(mapping.children_field))
    else:
        kids = set()
    kids = kids or {str(c) for c in (_get(rec, "children") or [])}
    return Event(mapping.event, when[0], _get(rec, "id"), frozenset(kids), when[1])


def record_events(
    records: Iterable[Any], ruleset: RuleSet, settings: TimescaleSettings | None = None
) -> list[Event]:
    """The timescale events found in a case's records (store Records or case-data dicts)."""
    events: list[Event] = []
    for rec in records:
        status = _get(rec, "status", "final")
        if status == "discarded":
            continue
        data = _get(rec, "data", {}) or {}
        form_id = _get(rec, "form_id")
        for mapping in ruleset.events:
            if mapping.form == form_id and (status == "final" or mapping.include_drafts):
                event = _mapped_event(rec, data, mapping)
                if event is not None:
                    events.append(event)
    events.sort(key=lambda e: (e.date, e.name))
    return events


# --- deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    anchor: Event
    due: date
    state: str  # due | overdue | met | met_late | stopped | superseded
    met_by: Event | None = None
    days_left: int | None = None  # calendar days from today; negative when overdue
    children: tuple[str, ...] = ()  # ids of the children this deadline concerns
    names: Mapping[str, str] | None = None  # child id → name, for output

    @property
    def state_label(self) -> str:
        on = f" on {fmt_date(self.met_by.date)}" if self.met_by else ""
        if self.state == "met":
            return f"met{on}"
        if self.state == "met_late":
            return f"met late{on}"
        if self.state == "stopped":
            return f"no longer needed: ended{on}"
        if self.state == "superseded":
            return f"replaced by a later start{on}"
        if self.state == "overdue":
            return f"OVERDUE by {count(-(self.days_left or 0), 'day')}"
        if self.days_left == 0:
            return "due today"
        return f"due in {count(self.days_left or 0, 'day')}"

    @property
    def is_open(self) -> bool:
        return self.state in ("due", "overdue")

    def child_names(self) -> list[str]:
        names = self.names or {}
        return [names.get(c, c) for c in self.children]

    def to_json(self) -> dict[str, Any]:
        names = self.names or {}
        return {
            "rule": self.rule.id,
            "ref": self.rule.ref,
            "title": self.rule.title,
            "due": self.due.isoformat(),
            "status": self.rule.status,
            "status_label": self.rule.status_label,
            "source": list(self.rule.source),
            "notes": self.rule.notes,
            "rule_origin": self.rule.origin,
            "offset": self.rule.offset,
            "unit": self.rule.unit,
            "direction": self.rule.direction,
            "from_event": self.anchor.name,
            "anchor_date": self.anchor.date.isoformat(),
            "anchor_record": self.anchor.record_id,
            "children": [{"id": c, "name": names.get(c, "")} for c in self.children],
            "state": self.state,
            "state_label": self.state_label,
            "met_by_record": self.met_by.record_id if self.met_by else None,
            "met_on": self.met_by.date.isoformat() if self.met_by else None,
            "days_left": self.days_left,
        }

    def describe(self) -> str:
        """One line a practitioner can act on, naming the rule, its status and its source."""
        who = f" ({', '.join(self.child_names())})" if self.children else ""
        return (
            f"{fmt_date(self.due)}  [{self.state_label}]  {self.rule.title}{who} "
            f"— {self.rule.status_label}; source: {self.rule.source[0]}"
        )


def fmt_date(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b %Y')}"


def _after(event: Event, anchor: Event, rule: Rule) -> bool:
    """Whether ``event`` may meet, stop or replace the deadline ``anchor`` started."""
    if event is anchor:
        return False
    same = event.record_id is not None and event.record_id == anchor.record_id
    if rule.satisfied_in == "same_record":
        return same
    if rule.satisfied_in == "any" and same:
        return True
    # The record that started a clock cannot meet it (a review both holds and keeps a plan).
    return not same and event.date >= anchor.date


def _outcome(
    rule: Rule, anchor: Event, child: str | None, events: Sequence[Event], due: date, today: date
) -> tuple[str, Event | None]:
    """The state of one child's deadline: met, met late, ended, replaced, due or overdue."""

    def first(names: Sequence[str], *, same_ok: bool = False) -> Event | None:
        hits = [
            e
            for e in events
            if e.name in names
            and e.concerns(child)
            and (_after(e, anchor, rule) if not same_ok else e is not anchor and e.date >= anchor.date)
        ]
        return min(hits, key=lambda e: e.date) if hits else None

    met = first(rule.satisfied_by)
    # A plan ended at a review stops the clocks it started; a later start replaces an open one.
    stop = first(rule.stopped_by, same_ok=True)
    if rule.restart:
        later = [
            e for e in events if e.name in rule.from_events and e.concerns(child) and e.date > anchor.date
        ]
        nxt = min(later, key=lambda e: e.date) if later else None
        if nxt is not None and (met is None or nxt.date < met.date):
            return "superseded", nxt
    if stop is not None and (met is None or stop.date < met.date):
        return "stopped", stop
    if met is not None:
        return ("met" if met.date <= due else "met_late"), met
    return ("overdue" if today > due else "due"), None


def deadlines_for_events(
    events: Sequence[Event],
    *,
    settings: TimescaleSettings | None = None,
    ruleset: RuleSet | None = None,
    today: date,
    names: Mapping[str, str] | None = None,
) -> list[Deadline]:
    """Every deadline the events start, per anchor and per child: children whose deadline ended
    the same way share one entry; a sibling whose conference has not happened gets their own."""
    settings = settings or TimescaleSettings()
    ruleset = ruleset or load_rules(settings)
    cal = WorkingCalendar(settings.local_closures)
    order = {child: i for i, child in enumerate(names or {})}

    def rank(child: str) -> tuple[int, str]:
        """Children in the case's own order (Maya, Leo, then the baby), not by id."""
        return order.get(child, len(order)), child

    out: list[Deadline] = []
    for rule in ruleset.rules:
        for anchor in (e for e in events if e.name in rule.from_events):
            try:
                due = rule.due(anchor, cal, settings)
            except OverflowError:  # a date in year 1 or 9999: no calendar to count on
                source = f"the record {anchor.record_id[:8]}" if anchor.record_id else "--date"
                raise UsageError(
                    f"{source}: {anchor.name} on {anchor.date.isoformat()} is too near the start or "
                    f"end of the calendar to count “{rule.id}” from; check that date"
                ) from None
            groups: dict[tuple[str, str | None, int], list[str]] = {}
            kids: list[str | None] = [*sorted(anchor.children, key=rank)] or [None]
            found: dict[tuple[str, str | None, int], tuple[str, Event | None]] = {}
            for child in kids:
                state, by = _outcome(rule, anchor, child, events, due, today)
                key = (state, by.record_id if by else None, id(by))
                groups.setdefault(key, []).append(child or "")
                found[key] = (state, by)
            for key, members in groups.items():
                state, by = found[key]
                out.append(
                    Deadline(
                        rule,
                        anchor,
                        due,
                        state,
                        by,
                        (due - today).days,
                        tuple(c for c in members if c),
                        names,
                    )
                )
    out.sort(key=lambda d: (d.due, d.rule.id, d.children))
    return out


def event_deadlines(
    event: str,
    on: date | str,
    *,
    settings: TimescaleSettings | None = None,
    ruleset: RuleSet | None = None,
    today: date | None = None,
) -> list[Deadline]:
    """The deadlines an event on a given date starts (``fieldbook deadlines --event``)."""
    settings = settings or TimescaleSettings()
    ruleset = ruleset or load_rules(settings)
    starts = sorted({name for r in ruleset.rules for name in r.from_events})
    if event not in ruleset.event_names:
        raise UsageError(f"--event: {event!r} is not a known event; choose one of " + ", ".join(starts))
    day = parse_date(on, "--date")
    rules = ruleset.for_event(event)
    if not rules:
        raise UsageError(f"--event: no timescale starts from {event!r}; choose one of " + ", ".join(starts))
    return deadlines_for_events(
        [Event(event, day)],
        settings=settings,
        ruleset=RuleSet(ruleset.version, tuple(rules), ruleset.events),
        today=today or day,
    )


def _child_names(people: Iterable[Any] | None) -> dict[str, str]:
    from app.core.store.models import display_name_of

    out: dict[str, str] = {}
    for p in people or []:
        pid = _get(p, "id")
        name = _get(p, "display_name") or (display_name_of(p) if isinstance(p, Mapping) else "")
        if pid:
            out[str(pid)] = str(name or "")
    return out


def case_deadlines(
    records: Iterable[Any],
    settings: TimescaleSettings | None = None,
    clock: Clock | None = None,
    *,
    today: date | None = None,
    ruleset: RuleSet | None = None,
    people: Iterable[Any] | None = None,
) -> list[Deadline]:
    """Every deadline that a case's records start, with its state today and the children it
    concerns (named from ``people``, the case's Person objects or dicts)."""
    settings = settings or TimescaleSettings()
    ruleset = ruleset or load_rules(settings)
    if today is None:
        if clock is None:
            raise ValueError("case_deadlines needs a clock or today")
        today = clock.today()
    events = record_events(records, ruleset, settings)
    return deadlines_for_events(
        events, settings=settings, ruleset=ruleset, today=today, names=_child_names(people)
    )


def upcoming_deadlines(
    records: Iterable[Any],
    settings: TimescaleSettings | None = None,
    clock: Clock | None = None,
    limit: int = 5,
    *,
    today: date | None = None,
    people: Iterable[Any] | None = None,
) -> list[Deadline]:
    """Open deadlines, overdue first then soonest: what a case header or pack cover shows."""
    open_ = [d for d in case_deadlines(records, settings, clock, today=today, people=people) if d.is_open]
    open_.sort(key=lambda d: (d.state != "overdue", d.due))
    return open_[:limit]


__all__ = [
    "STATUSES",
    "Deadline",
    "Event",
    "EventMapping",
    "Rule",
    "RuleSet",
    "TimescaleSettings",
    "WorkingCalendar",
    "add_months",
    "bank_holidays",
    "case_deadlines",
    "check_rules_file",
    "condition_holds",
    "deadlines_for_events",
    "event_deadlines",
    "load_rules",
    "parse_date",
    "record_events",
    "settings_from_store",
    "shipped_bank_holidays",
    "upcoming_deadlines",
]
