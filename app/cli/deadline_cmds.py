"""``fieldbook deadlines``: a case's statutory deadlines, or those an event on a date starts."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from app.cli.context import CliContext
from app.core.errors import NotFound, UsageError
from app.core.timescales import (
    EVENTS,
    Deadline,
    TimescaleSettings,
    case_deadlines,
    event_deadlines,
    load_rules,
    parse_date,
    settings_from_store,
)


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser(
        "deadlines",
        parents=[common],
        help="statutory deadlines for a case, or for an event on a date",
        description="Deadlines for CASE (from its final records), or for --event on --date. "
        "Events: " + ", ".join(EVENTS),
    )
    p.add_argument("case", nargs="?", metavar="CASE", help="case id, id prefix or reference")
    p.add_argument("--event", metavar="EVENT", help="an event name, e.g. strategy_discussion")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the date of the event")
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        dest="as_of",
        help="work out due/overdue as at this date (default: today)",
    )
    p.add_argument("--all", action="store_true", help="include deadlines already met")
    p.set_defaults(func=_deadlines)


def _deadlines(ctx: CliContext, args: argparse.Namespace) -> int:
    today: date = parse_date(args.as_of, "--as-of") if args.as_of else ctx.clock.today()
    if args.event or args.date:
        if args.case:
            raise UsageError("deadlines: give either CASE or --event with --date, not both")
        if not args.event:
            raise UsageError("--event: missing; give the event that happened, e.g. referral")
        if not args.date:
            raise UsageError("--date: missing; give the date of the event as YYYY-MM-DD")
        settings = TimescaleSettings()
        items = event_deadlines(
            args.event, args.date, settings=settings, ruleset=load_rules(settings), today=today
        )
        _print(ctx, items, header=f"Deadlines started by {args.event} on {args.date}:")
        return 0
    if not args.case:
        raise UsageError("deadlines: give CASE, or --event EVENT --date YYYY-MM-DD")
    from app.core.store import Store

    store = Store(ctx.vault())
    case_id = resolve_case(store, args.case)
    settings = settings_from_store(store)
    records = store.list_records(case_id)
    items = case_deadlines(records, settings, today=today)
    if not args.all:
        items = [d for d in items if d.state in ("due", "overdue")]
    _print(ctx, items, header=f"Deadlines for case {args.case} as at {today.isoformat()}:")
    return 0


def resolve_case(store: Any, key: str) -> str:
    """A case id from its id, a unique id prefix or its reference."""
    cases = store.list_cases()
    exact = [c for c in cases if c.id == key or (getattr(c, "reference", None) or "") == key]
    if len(exact) == 1:
        return str(exact[0].id)
    prefix = [c for c in cases if c.id.startswith(key)] if len(key) >= 4 else []
    if len(prefix) == 1:
        return str(prefix[0].id)
    if len(prefix) > 1 or len(exact) > 1:
        raise UsageError(f"CASE: {key!r} matches more than one case; give more of the id")
    raise NotFound(f"CASE: no case with id or reference {key!r}")


def _print(ctx: CliContext, items: list[Deadline], header: str) -> None:
    if ctx.json:
        ctx.emit([d.to_json() for d in items])
        return
    if not items:
        ctx.emit([], header + "\n  (no open deadlines)")
        return
    lines = [header]
    for d in items:
        lines.append(f"  {d.due.isoformat()}  {d.state_label}")
        lines.append(f"      {d.rule.title}")
        lines.append(
            f"      rule {d.rule.id} ({d.rule.ref or 'local'}): {d.rule.period}, "
            f"{d.rule.status_label}; from {d.rule.from_event} on "
            f"{d.anchor.date.isoformat()}"
        )
        lines.append(f"      source: {'; '.join(d.rule.source)}")
    ctx.emit(None, "\n".join(lines))
