"""``fieldbook deadlines``: a case's statutory deadlines, or those an event on a date starts."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from app.cli.context import CliContext
from app.core.errors import UsageError
from app.core.timescales import (
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
        "Events and rules are declared in resources/timescales/rules.toml (or a local rules file): "
        "`fieldbook deadlines --rules` lists them.",
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
    p.add_argument("--all", action="store_true", help="include deadlines already met or ended")
    p.add_argument("--rules", action="store_true", help="list the events and rules in force, with sources")
    p.set_defaults(func=_deadlines)


def _deadlines(ctx: CliContext, args: argparse.Namespace) -> int:
    today: date = parse_date(args.as_of, "--as-of") if args.as_of else ctx.clock.today()
    if args.rules:
        return _rules(ctx)
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
    case_id = store.find_case(args.case)
    settings = settings_from_store(store)
    records = store.list_records(case_id)
    people = store.get_case(case_id).people
    items = case_deadlines(records, settings, today=today, people=people)
    if not args.all:
        items = [d for d in items if d.is_open]
    _print(ctx, items, header=f"Deadlines for case {args.case} as at {today.isoformat()}:")
    return 0


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
        if d.children:
            lines.append(f"      for {', '.join(d.child_names())}")
        lines.append(
            f"      rule {d.rule.id} ({d.rule.ref or 'local'}): {d.rule.period}, "
            f"{d.rule.status_label}; from {d.anchor.name} on "
            f"{d.anchor.date.isoformat()}"
        )
        lines.append(f"      source: {'; '.join(d.rule.source)}")
    ctx.emit(None, "\n".join(lines))


def _rules(ctx: CliContext) -> int:
    """Every event and rule in force (shipped and local), so an area can check its own file."""
    ruleset = load_rules(TimescaleSettings())
    events = [
        {"event": e.event, "title": e.title, "form": e.form, "date_field": e.date_field, "origin": e.origin}
        for e in ruleset.events
    ]
    rules = [
        {
            "rule": r.id,
            "title": r.title,
            "from_event": list(r.from_events),
            "period": r.period,
            "satisfied_by": list(r.satisfied_by),
            "stopped_by": list(r.stopped_by),
            "status": r.status,
            "source": list(r.source),
            "origin": r.origin,
        }
        for r in ruleset.rules
    ]
    lines = ["Events (what records start, meet or stop a deadline):"]
    lines += [f"  {e['event']:<30} {e['form']}.{e['date_field'] or '(when it happened)'}" for e in events]
    lines.append("Rules:")
    for r in ruleset.rules:
        lines.append(f"  {r.id} ({r.ref or 'local'}): {r.period} from {r.from_event}; {r.status_label}")
        lines.append(f"      source: {'; '.join(r.source)}")
    ctx.emit({"events": events, "rules": rules}, "\n".join(lines))
    return 0
