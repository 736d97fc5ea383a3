"""``fieldbook case add|list|show|name``, ``record add`` and ``search``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.context import CliContext
from app.core.errors import UsageError, ValidationError
from app.core.plaintext import control_problem, terminal_safe

# What each option after --child sets on the child just named.
_CHILD_OPTIONS = {
    "--dob": "dob",
    "--due": "due_date",
    "--legal-status": "legal_status",
    "--arrangement": "living_arrangement",
}


class _ChildAction(argparse.Action):
    """--child NAME (or --unnamed-child, or --child "") starts a child; the --dob/--due,
    --legal-status and --arrangement that follow apply to it."""

    def __call__(self, parser: Any, ns: argparse.Namespace, value: Any, option: Any = None) -> None:
        children = list(getattr(ns, "children", None) or [])
        if option in ("--child", "--unnamed-child"):
            children.append({"name": value or ""})
        else:
            if not children:
                raise UsageError(f"{option}: give it after the --child it belongs to")
            key = _CHILD_OPTIONS[str(option)]
            who = children[-1]["name"] or "the child whose name is not yet known"
            if key in ("dob", "due_date") and (children[-1].get("dob") or children[-1].get("due_date")):
                raise UsageError(f"{option}: {who} already has a date; use --dob or --due once per child")
            if key in children[-1]:
                raise UsageError(f"{option}: given twice for {who}")
            children[-1][key] = value
        ns.children = children


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    case = groups["case"]
    p = case.add_parser("add", parents=[common], help="a new case with one or more children")
    p.add_argument(
        "--child",
        action=_ChildAction,
        metavar='"GIVEN FAMILY"',
        dest="children",
        help="a child's name (repeat for siblings)",
    )
    p.add_argument(
        "--dob",
        action=_ChildAction,
        metavar="YYYY-MM-DD",
        dest="children",
        help="date of birth of the child just named",
    )
    p.add_argument(
        "--due",
        action=_ChildAction,
        metavar="YYYY-MM-DD",
        dest="children",
        help="expected due date of the unborn child just named",
    )
    p.add_argument(
        "--unnamed-child",
        action=_ChildAction,
        nargs=0,
        dest="children",
        help="a child whose name is not yet known (unborn, newborn, or not named by the referrer; "
        'same as --child ""): shown as a placeholder and flagged until `case name`',
    )
    p.add_argument(
        "--legal-status",
        action=_ChildAction,
        metavar="CODE",
        dest="children",
        help="legal status of the child just named: a code of the child_legal_status list "
        "(none, child_in_need, child_protection_plan, looked_after_s20, care_order, …)",
    )
    p.add_argument(
        "--arrangement",
        action=_ChildAction,
        metavar="CODE",
        dest="children",
        help="where the child just named lives, a code of the living_arrangements list (parents, "
        "kinship_care, foster_care, …): kinship care is an arrangement, not an order",
    )
    p.add_argument("--ref", help="the case reference, e.g. FB-2026-0001")
    p.set_defaults(func=_case_add)
    p = case.add_parser("list", parents=[common], help="every case in the vault")
    p.set_defaults(func=_case_list)
    p = case.add_parser("show", parents=[common], help="a case's people and records")
    p.add_argument("case", metavar="CASE", help="case id, id prefix or reference")
    p.set_defaults(func=_case_show)
    p = case.add_parser("name", parents=[common], help="give a child whose name was not yet known their name")
    p.add_argument("case", metavar="CASE", help="case id, id prefix or reference")
    p.add_argument("child", metavar="CHILD", help="the child's id, id prefix or name as shown")
    p.add_argument("--name", required=True, metavar='"GIVEN FAMILY"', help="the child's name")
    p.set_defaults(func=_case_name)

    p = top.add_parser("record", parents=[common], help="add a record to a case")
    sub = p.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda ctx, a: (p.print_help(sys.stderr), 2)[1])
    # Not parents=[common]: here --json names the input file (DESIGN.md §5); the global --json
    # (before the command) still selects machine-readable output.
    a = sub.add_parser("add", help="add a record from JSON (prints its id)")
    a.add_argument("--vault", metavar="PATH", default=argparse.SUPPRESS)
    a.add_argument("--forms", metavar="DIR", default=argparse.SUPPRESS)
    a.add_argument("case", metavar="CASE")
    a.add_argument("--form", required=True, help="form id, e.g. chronology_entry")
    a.add_argument("--form-version", type=int, help="form version (default: the latest)")
    a.add_argument(
        "--json",
        dest="data_file",
        required=True,
        metavar="FILE|-",
        help="the record's field values as a JSON object ('-' reads standard input)",
    )
    a.add_argument(
        "--child",
        action="append",
        default=[],
        metavar="PERSON",
        help="a child the record concerns (id or name; default: the form's child picker, "
        "or every child for a form without one)",
    )
    a.add_argument("--final", action="store_true", help="finalise it (only if it is valid)")
    a.set_defaults(func=_record_add)

    p = top.add_parser("search", parents=[common], help="full-text search of records and names")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_search)


def _split_name(name: str, option: str = "--child") -> tuple[str, str]:
    why = control_problem(name, multiline=False)
    if why:
        raise UsageError(f"{option}: “{terminal_safe(name)}” {why}")
    parts = name.strip().split()
    if not parts:
        raise UsageError(f"{option}: the name is empty")
    return (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (parts[0], "")


def _one_child(case: Any, key: str, option: str) -> str:
    """The id of the one child of ``case`` that ``key`` names: an id or id prefix, the name as
    shown (a placeholder for a child not yet named) or the first name."""
    match: list[str] = [
        c.id
        for c in case.children
        if c.id == key
        or c.id.startswith(key)
        or c.display_name.casefold() == key.casefold()
        or (c.given_name and c.given_name.casefold() == key.casefold())
    ]
    if len(match) != 1:
        raise UsageError(f"{option}: “{terminal_safe(key)}” is not one child of this case")
    return match[0]


def _case_add(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import PersonIn, Store

    children = getattr(args, "children", None) or []
    if not children:
        raise UsageError('case add: give at least one --child "GIVEN FAMILY"')
    people = []
    for child in children:
        # An empty name is a child whose name is not yet known (--unnamed-child); a name of only
        # spaces is a mistake.
        unnamed = child["name"] == ""
        given, family = ("", "") if unnamed else _split_name(child["name"])
        people.append(
            PersonIn(
                "child",
                given,
                family,
                dob=child.get("dob"),
                due_date=child.get("due_date"),
                legal_status=child.get("legal_status"),
                living_arrangement=child.get("living_arrangement"),
                name_unknown=unnamed,
            )
        )
    why = control_problem(args.ref or "", multiline=False)
    if why:
        raise UsageError(f"--ref: {why}")
    store = Store(ctx.vault())
    case_id = store.create_case(args.ref, people)
    ctx.emit({"case_id": case_id, "reference": args.ref}, case_id)
    return 0


def _case_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store
    from app.core.store.models import NAME_FLAG

    cases = Store(ctx.vault()).list_cases()
    data = [
        {
            "id": c.id,
            "reference": c.reference,
            "children": c.children,
            "unnamed_children": c.unnamed_children,
            "records": c.record_count,
            "drafts": c.draft_count,
            "updated_at": c.updated_at,
        }
        for c in cases
    ]
    lines = [
        f"{c.id[:8]}  {c.reference or '-':<14} {', '.join(c.children):<40} "
        f"{c.record_count} records ({c.draft_count} drafts)  updated {c.updated_at}"
        + (f"  [{NAME_FLAG}: {c.unnamed_children}]" if c.unnamed_children else "")
        for c in cases
    ] or ["No cases yet: add one with `fieldbook case add`."]
    ctx.emit(data, "\n".join(lines))
    return 0


def _case_show(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store
    from app.core.store.models import status_words

    store = Store(ctx.vault())
    case = store.get_case(store.find_case(args.case))
    records = store.list_records(case.id)
    data = {
        "id": case.id,
        "reference": case.reference,
        "created_at": case.created_at,
        "people": [{**p.to_json(), "display_name": p.display_name, "flag": p.flag} for p in case.people],
        "records": [
            {
                "id": r.id,
                "form_id": r.form_id,
                "form_version": r.form_version,
                "status": r.status,
                "occurred_at": r.occurred_at,
                "children": r.children,
                "addenda": len(r.addenda),
                "author": r.author["name"],
            }
            for r in records
        ],
    }
    lines = [f"Case {case.reference or case.id}  (id {case.id})", "People:"]
    for p in case.people:
        when = f"born {p.dob}" if p.dob else (f"unborn, due {p.due_date}" if p.due_date else "")
        status = [f"{what}: {words}" for what, words in status_words(p.__dict__)]
        extra = ", ".join(x for x in (when, *status, p.relationship, p.role, p.agency) if x)
        flag = f"  [{p.flag}: `fieldbook case name` when known]" if p.flag else ""
        lines.append(f"  {p.kind:<18} {p.display_name}" + (f" ({extra})" if extra else "") + flag)
    lines.append("Records:" if records else "Records: none yet")
    for r in records:
        add = f", {len(r.addenda)} addenda" if r.addenda else ""
        lines.append(f"  {r.id[:8]}  {r.occurred_at or '-':<20} {r.form_id:<20} {r.status}{add}")
    ctx.emit(data, "\n".join(lines))
    return 0


def _case_name(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store

    given, family = _split_name(args.name, "--name")
    store = Store(ctx.vault())
    case = store.get_case(store.find_case(args.case))
    child_id = _one_child(case, args.child, "CHILD")
    store.name_child(child_id, given, family)
    named = next(p for p in store.get_case(case.id).children if p.id == child_id)
    ctx.emit(
        {"person_id": child_id, "name": named.display_name}, f"{child_id[:8]}  named {named.display_name}"
    )
    return 0


def _read_json(source: str) -> Any:
    from app.core.casedata import CASE_JSON_LIMITS
    from app.core.files import read_regular
    from app.core.jsonio import loads

    if source == "-":
        raw: str | bytes = sys.stdin.read()
    else:
        raw = read_regular(Path(source), what="--json", limit=CASE_JSON_LIMITS.max_bytes)
    # The same hostile-input rules as case import: duplicate keys, NaN, depth, lone surrogates.
    data = loads(raw, what="--json", limits=CASE_JSON_LIMITS)
    if not isinstance(data, dict):
        raise UsageError("--json: expected an object of field values")
    return data


def _record_add(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.records import add_record
    from app.core.store import Store

    data = _read_json(args.data_file)
    store = Store(ctx.vault())
    case = store.get_case(store.find_case(args.case))
    children: list[str] | None = None
    if args.child:
        children = [_one_child(case, key, "--child") for key in args.child]
    try:
        record_id, problems = add_record(
            store,
            ctx.registry(),
            case.id,
            args.form,
            data,
            children=children,
            final=args.final,
            form_version=args.form_version,
        )
    except ValidationError as exc:
        if not args.final:
            raise
        raise ValidationError(
            exc.problems, context="Nothing was saved (--final needs a complete record)"
        ) from None
    status = "final" if args.final else "draft"
    text = record_id
    if problems:
        text += "\n" + "\n".join(f"warning: {p}" for p in problems)
    ctx.emit(
        {
            "record_id": record_id,
            "status": status,
            "problems": [{"field": p.field, "label": p.label, "message": p.message} for p in problems],
        },
        text,
    )
    return 0


def _search(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store

    hits = Store(ctx.vault()).search(" ".join(args.query), limit=args.limit)
    data = [
        {"kind": h.kind, "id": h.id, "case_id": h.case_id, "title": h.title, "snippet": h.snippet}
        for h in hits
    ]
    lines = [
        f"{h.kind:<7} {h.id[:8]}  case {h.case_id[:8]}  {h.title}"
        + (f"\n          {h.snippet.replace(chr(10), ' ')}" if h.snippet else "")
        for h in hits
    ] or ["No matches."]
    ctx.emit(data, "\n".join(lines))
    return 0
