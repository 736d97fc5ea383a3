"""Statutory timescales: a working-day calendar for England and Wales and deadlines from records.

Rules are data (``resources/timescales/rules.toml``), so a local area can change a timescale, its
status or its source without touching code. Every deadline carries the rule that produced it,
whether that rule is statute, statutory guidance or local practice, and where it comes from.

Counting convention (domain.md §1.1, configurable): the trigger date is **day 0** and the due date
is the N-th working day after it, whatever day of the week the trigger fell on. The alternative,
``count_from = "same_day"``, counts the trigger itself as day 1 when it is a working day.
"""

from __future__ import annotations

import calendar
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
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

UNITS = ("working_day", "calendar_day", "week", "calendar_month")
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
}
# The events of DESIGN.md §5 plus the early-years and school ones the rules need.
EVENTS = (
    "referral",
    "referral_decision",
    "assessment_completed",
    "strategy_discussion",
    "icpc",
    "core_group",
    "review_conference",
    "serious_incident_awareness",
    "serious_incident_notification",
    "rapid_review",
    "early_years_serious_incident",
    "ofsted_notified",
    "school_transfer",
    "cp_file_transferred",
)
SETTINGS_KEY = "timescales"
RULES_ENV = "FIELDBOOK_TIMESCALES"


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimescaleSettings:
    """What a local area may change; stored in the vault under the ``timescales`` setting."""

    count_from: str = "day_after"  # "day_after": trigger is day 0; "same_day": trigger is day 1
    icpc_anchor: str = "s47_initiating"  # or "last": the latest s47 strategy discussion
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
        anchor = raw.get("icpc_anchor", "s47_initiating")
        if anchor not in ("s47_initiating", "last"):
            raise UsageError(
                f"Timescale settings, icpc_anchor: {anchor!r} is not one of s47_initiating, last"
            )
        closures: list[date] = []
        for item in raw.get("local_closures", []) or []:
            closures.extend(_parse_closure(item))
        rules_file = raw.get("rules_file")
        return cls(
            count_from=count_from,
            icpc_anchor=anchor,
            local_closures=tuple(sorted(set(closures))),
            rules_file=Path(rules_file) if rules_file else None,
        )

    def to_mapping(self) -> dict[str, Any]:
        return {
            "count_from": self.count_from,
            "icpc_anchor": self.icpc_anchor,
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


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    from_event: str
    offset: int
    unit: str
    status: str
    source: tuple[str, ...]
    satisfied_by: str | None = None
    notes: str = ""
    ref: str = ""
    origin: str = "shipped"  # "shipped" or the local file that defined it

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def period(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        return f"{self.offset} {one if self.offset == 1 else many}"

    def due(self, anchor: date, cal: WorkingCalendar, settings: TimescaleSettings) -> date:
        """The due date of this rule for an event on ``anchor``."""
        if self.unit == "working_day":
            return cal.add_working_days(anchor, self.offset, count_from=settings.count_from)
        if self.unit == "calendar_month":
            return add_months(anchor, self.offset)
        days = self.offset * (7 if self.unit == "week" else 1)
        if settings.count_from == "same_day" and days:
            days -= 1
        return anchor + timedelta(days=days)


@dataclass(frozen=True)
class EventMapping:
    """How a record of a form becomes an event (``[[events]]`` in the rules file)."""

    event: str
    form: str
    date_field: str | None = None
    when: Mapping[str, Any] | None = None
    anchor_field: str | None = None
    include_drafts: bool = False


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
        return [r for r in self.rules if r.from_event == event]


def _problem(file: str, where: str, message: str) -> str:
    return f"{file}: {where}: {message}"


def _parse_rules_doc(
    doc: Mapping[str, Any], file: str, problems: list[str]
) -> tuple[list[Rule], list[EventMapping]]:
    rules: list[Rule] = []
    seen: set[str] = set()
    raw_rules = doc.get("rules", [])
    if not isinstance(raw_rules, list):
        problems.append(_problem(file, "rules", "must be a list of [[rules]] tables"))
        raw_rules = []
    allowed = {
        "id",
        "title",
        "from_event",
        "offset",
        "unit",
        "status",
        "source",
        "satisfied_by",
        "notes",
        "ref",
    }
    for i, raw in enumerate(raw_rules):
        rid = raw.get("id") if isinstance(raw, dict) else None
        where = f"rule {rid!r}" if isinstance(rid, str) and rid else f"rules[{i}]"
        if not isinstance(raw, dict):
            problems.append(_problem(file, where, "must be a table"))
            continue
        before = len(problems)
        for key in sorted(set(raw) - allowed):
            problems.append(_problem(file, f"{where}.{key}", "unknown key"))
        if not isinstance(rid, str) or not rid.strip():
            problems.append(_problem(file, f"{where}.id", "missing or empty"))
        elif rid in seen:
            problems.append(_problem(file, f"{where}.id", "defined twice in this file"))
        for key in ("title", "from_event", "unit", "status"):
            if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
                problems.append(_problem(file, f"{where}.{key}", "missing or not text"))
        if raw.get("from_event") not in EVENTS and isinstance(raw.get("from_event"), str):
            problems.append(
                _problem(
                    file,
                    f"{where}.from_event",
                    f"unknown event {raw['from_event']!r}; known: " + ", ".join(EVENTS),
                )
            )
        sat = raw.get("satisfied_by")
        if sat is not None and sat not in EVENTS:
            problems.append(_problem(file, f"{where}.satisfied_by", f"unknown event {sat!r}"))
        offset = raw.get("offset")
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 1000:
            problems.append(
                _problem(file, f"{where}.offset", f"{offset!r} is not a whole number between 0 and 1000")
            )
        if isinstance(raw.get("unit"), str) and raw["unit"] not in UNITS:
            problems.append(
                _problem(file, f"{where}.unit", f"{raw['unit']!r} is not one of " + ", ".join(UNITS))
            )
        if isinstance(raw.get("status"), str) and raw["status"] not in STATUSES:
            problems.append(
                _problem(file, f"{where}.status", f"{raw['status']!r} is not one of " + ", ".join(STATUSES))
            )
        source = raw.get("source")
        if isinstance(source, str):
            source = [source]
        if (
            not isinstance(source, list)
            or not source
            or not all(isinstance(s, str) and s.strip() for s in source)
        ):
            problems.append(
                _problem(file, f"{where}.source", "every rule needs at least one source (a URL or reference)")
            )
        if len(problems) > before:
            continue
        assert isinstance(rid, str) and isinstance(offset, int) and isinstance(source, list)
        seen.add(rid)
        rules.append(
            Rule(
                id=rid,
                title=raw["title"].strip(),
                from_event=raw["from_event"],
                offset=offset,
                unit=raw["unit"],
                status=raw["status"],
                source=tuple(source),
                satisfied_by=sat,
                notes=str(raw.get("notes", "")),
                ref=str(raw.get("ref", "")),
                origin="shipped" if file == "rules.toml" else file,
            )
        )
    events: list[EventMapping] = []
    raw_events = doc.get("events", [])
    if not isinstance(raw_events, list):
        problems.append(_problem(file, "events", "must be a list of [[events]] tables"))
        raw_events = []
    ev_allowed = {"event", "form", "date_field", "when", "anchor_field", "include_drafts"}
    for i, raw in enumerate(raw_events):
        where = f"events[{i}]"
        if not isinstance(raw, dict):
            problems.append(_problem(file, where, "must be a table"))
            continue
        before = len(problems)
        for key in sorted(set(raw) - ev_allowed):
            problems.append(_problem(file, f"{where}.{key}", "unknown key"))
        if raw.get("event") not in EVENTS:
            problems.append(_problem(file, f"{where}.event", f"unknown event {raw.get('event')!r}"))
        if not isinstance(raw.get("form"), str) or not raw["form"]:
            problems.append(_problem(file, f"{where}.form", "missing form id"))
        when = raw.get("when")
        if when is not None:
            for inside, err in condition_problems(when):
                problems.append(_problem(file, f"{where}.when{inside}", err))
        if len(problems) > before:
            continue
        events.append(
            EventMapping(
                event=raw["event"],
                form=raw["form"],
                date_field=raw.get("date_field"),
                when=when,
                anchor_field=raw.get("anchor_field"),
                include_drafts=bool(raw.get("include_drafts", False)),
            )
        )
    return rules, events


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
    """The shipped rules, with a local file (settings or FIELDBOOK_TIMESCALES) applied on top.

    Raises ``FormError`` listing every problem with the file, the rule and what is wrong.
    """
    settings = settings or TimescaleSettings()
    shipped_path = shipped or resource("timescales", "rules.toml")
    problems: list[str] = []
    doc = _load_toml(shipped_path)
    rules, events = _parse_rules_doc(doc, shipped_path.name, problems)
    local = settings.rules_file or (Path(os.environ[RULES_ENV]) if os.environ.get(RULES_ENV) else None)
    if local is not None:
        ldoc = _load_toml(local)
        lrules, levents = _parse_rules_doc(ldoc, local.name, problems)
        by_id = {r.id: r for r in rules}
        for rule in lrules:
            by_id[rule.id] = replace(rule, origin=str(local))
        rules = list(by_id.values())
        if levents:
            # A local file that maps events replaces the mapping for those events wholesale.
            names = {e.event for e in levents}
            events = [e for e in events if e.event not in names] + levents
    if problems:
        raise FormError("timescale rules have problems:\n  " + "\n  ".join(problems))
    return RuleSet(version=int(doc.get("version", 1)), rules=tuple(rules), events=tuple(events))


def check_rules_file(path: Path) -> list[str]:
    """Problems in a local rules file (empty when it is fine); used by settings screens."""
    problems: list[str] = []
    _parse_rules_doc(_load_toml(path), path.name, problems)
    return problems


# Conditions of event mappings are the forms' own format, checked and evaluated by the forms'
# one evaluator (app.core.forms.conditions), so a rule means what a show_if means.
condition_holds = holds


# --- deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something that happened on a date and starts or meets a timescale."""

    name: str
    date: date
    record_id: str | None = None
    anchor: bool = False  # the practitioner marked it (e.g. the s47-initiating discussion)
    children: frozenset[str] = frozenset()  # whom the record concerns (empty: not recorded)

    def concerns_same_child(self, other: Event) -> bool:
        """True unless both events name children and none is shared: Maya's file transfer
        does not meet the deadline that Leo's school move started."""
        return not (self.children and other.children) or bool(self.children & other.children)


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    anchor: Event
    due: date
    state: str  # due | overdue | met | met_late
    met_by: Event | None = None
    days_left: int | None = None  # calendar days from today; negative when overdue

    @property
    def state_label(self) -> str:
        if self.state == "met":
            return f"met on {fmt_date(self.met_by.date)}" if self.met_by else "met"
        if self.state == "met_late":
            return f"met late on {fmt_date(self.met_by.date)}" if self.met_by else "met late"
        if self.state == "overdue":
            return f"OVERDUE by {count(-(self.days_left or 0), 'day')}"
        if self.days_left == 0:
            return "due today"
        return f"due in {count(self.days_left or 0, 'day')}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "ref": self.rule.ref,
            "title": self.rule.title,
            "due": self.due.isoformat(),
            "status": self.rule.status,
            "status_label": self.rule.status_label,
            "source": list(self.rule.source),
            "rule_origin": self.rule.origin,
            "offset": self.rule.offset,
            "unit": self.rule.unit,
            "from_event": self.rule.from_event,
            "anchor_date": self.anchor.date.isoformat(),
            "anchor_record": self.anchor.record_id,
            "state": self.state,
            "state_label": self.state_label,
            "met_by_record": self.met_by.record_id if self.met_by else None,
            "met_on": self.met_by.date.isoformat() if self.met_by else None,
            "days_left": self.days_left,
        }

    def describe(self) -> str:
        """One line a practitioner can act on, naming the rule, its status and its source."""
        return (
            f"{fmt_date(self.due)}  [{self.state_label}]  {self.rule.title} "
            f"— {self.rule.status_label}; source: {self.rule.source[0]}"
        )


def fmt_date(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b %Y')}"


def _get(record: Any, name: str, default: Any = None) -> Any:
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


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
            if mapping.form != form_id:
                continue
            if status != "final" and not mapping.include_drafts:
                continue
            if not holds(mapping.when, data):
                continue
            raw = data.get(mapping.date_field) if mapping.date_field else None
            if is_blank(raw):
                raw = _get(rec, "occurred_at")
            if is_blank(raw):
                continue
            try:
                day = parse_date(raw)
            except UsageError:
                continue  # a draft with a half-typed date starts no timescale
            anchor = bool(mapping.anchor_field and data.get(mapping.anchor_field) in (True, "yes", "true"))
            kids = frozenset(str(c) for c in (_get(rec, "children") or []))
            events.append(Event(mapping.event, day, _get(rec, "id"), anchor, kids))
    events.sort(key=lambda e: (e.date, e.name))
    return events


def _state(due: date, met: Event | None, today: date) -> tuple[str, int]:
    left = (due - today).days
    if met is not None:
        return ("met" if met.date <= due else "met_late"), left
    return ("overdue" if today > due else "due"), left


def deadlines_for_events(
    events: Sequence[Event],
    *,
    settings: TimescaleSettings | None = None,
    ruleset: RuleSet | None = None,
    today: date,
) -> list[Deadline]:
    """Every deadline started by ``events``, each marked due, overdue, met or met late."""
    settings = settings or TimescaleSettings()
    ruleset = ruleset or load_rules(settings)
    cal = WorkingCalendar(settings.local_closures)
    out: list[Deadline] = []
    for rule in ruleset.rules:
        anchors = [e for e in events if e.name == rule.from_event]
        if rule.id == "icpc_after_strategy" or (
            rule.from_event == "strategy_discussion" and rule.satisfied_by == "icpc"
        ):
            anchors = _icpc_anchor(anchors, settings)
        for anchor in anchors:
            due = rule.due(anchor.date, cal, settings)
            met = None
            if rule.satisfied_by:
                later = [
                    e
                    for e in events
                    if e.name == rule.satisfied_by
                    and e is not anchor
                    and (e.date > anchor.date or (e.date == anchor.date and e.name != anchor.name))
                    and e.concerns_same_child(anchor)
                ]
                met = min(later, key=lambda e: e.date) if later else None
            state, left = _state(due, met, today)
            out.append(Deadline(rule, anchor, due, state, met, left))
    out.sort(key=lambda d: (d.due, d.rule.id))
    return out


def _icpc_anchor(anchors: list[Event], settings: TimescaleSettings) -> list[Event]:
    """The strategy discussion the conference is counted from (domain.md §11.2)."""
    if not anchors:
        return []
    if settings.icpc_anchor == "last":
        return [max(anchors, key=lambda e: e.date)]
    marked = [e for e in anchors if e.anchor]
    # Without a mark, the first discussion that decided on section 47 is the one that started it.
    return [min(marked or anchors, key=lambda e: e.date)]


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
    if event not in EVENTS:
        raise UsageError(
            f"--event: {event!r} is not a known event; choose one of "
            + ", ".join(sorted({r.from_event for r in ruleset.rules}))
        )
    day = parse_date(on, "--date")
    rules = ruleset.for_event(event)
    if not rules:
        raise UsageError(f"--event: no timescale starts from {event!r}")
    return deadlines_for_events(
        [Event(event, day)],
        settings=settings,
        ruleset=RuleSet(ruleset.version, tuple(rules), ruleset.events),
        today=today or day,
    )


def case_deadlines(
    records: Iterable[Any],
    settings: TimescaleSettings | None = None,
    clock: Clock | None = None,
    *,
    today: date | None = None,
    ruleset: RuleSet | None = None,
) -> list[Deadline]:
    """Every deadline that a case's records start, with its state today."""
    settings = settings or TimescaleSettings()
    ruleset = ruleset or load_rules(settings)
    if today is None:
        if clock is None:
            raise ValueError("case_deadlines needs a clock or today")
        today = clock.today()
    events = record_events(records, ruleset, settings)
    return deadlines_for_events(events, settings=settings, ruleset=ruleset, today=today)


def upcoming_deadlines(
    records: Iterable[Any],
    settings: TimescaleSettings | None = None,
    clock: Clock | None = None,
    limit: int = 5,
    *,
    today: date | None = None,
) -> list[Deadline]:
    """Open deadlines, overdue first then soonest: what a case header or pack cover shows."""
    open_ = [
        d for d in case_deadlines(records, settings, clock, today=today) if d.state in ("due", "overdue")
    ]
    open_.sort(key=lambda d: (d.state != "overdue", d.due))
    return open_[:limit]


__all__ = [
    "EVENTS",
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
