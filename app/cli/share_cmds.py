"""``fieldbook shares CASE`` lists a case's information-sharing log; ``fieldbook share CASE``
logs a share made outside Fieldbook (a phone call, a secure email, a meeting)."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext
from app.core.shares import CONSENT, METHODS, ShareIn, basis_label, log_share


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser(
        "shares",
        parents=[common],
        help="a case's information-sharing log",
        description="Every export, parent's copy and recorded share of CASE: what, to whom, why, "
        "consent or lawful basis, and who decided.",
    )
    p.add_argument("case", metavar="CASE", help="case id, id prefix or reference")
    p.set_defaults(func=_shares)
    s = top.add_parser(
        "share",
        parents=[common],
        help="log a share made by phone, secure email or in a meeting",
        description="Log information about CASE shared outside Fieldbook (golden rule 7).",
    )
    s.add_argument("case", metavar="CASE", help="case id, id prefix or reference")
    s.add_argument("--on", required=True, metavar="YYYY-MM-DD[THH:MM]", help="when it was shared")
    s.add_argument("--method", required=True, choices=[m for m in METHODS if m != "export"])
    s.add_argument("--what", required=True, help="what was shared")
    s.add_argument("--to", required=True, dest="recipient", help="to whom (person, role, agency)")
    s.add_argument("--purpose", required=True, help="why it was shared")
    s.add_argument("--consent", required=True, choices=list(CONSENT))
    s.add_argument("--lawful-basis", required=True, dest="lawful_basis", help="a code of lawful_bases")
    s.add_argument("--decided-by", dest="decided_by", help="who decided (default: you)")
    s.add_argument(
        "--family-informed", dest="family_informed", default="", help="told the family? if not, why"
    )
    s.add_argument("--notes", default="")
    s.set_defaults(func=_share)


def _store(ctx: CliContext) -> Any:
    from app.core.store import Store

    return Store(ctx.vault())


def _share(ctx: CliContext, args: argparse.Namespace) -> int:
    store = _store(ctx)
    case_id = store.find_case(args.case)
    share = ShareIn(
        shared_at=args.on,
        method=args.method,
        what=args.what,
        recipient=args.recipient,
        purpose=args.purpose,
        consent=args.consent,
        lawful_basis=args.lawful_basis,
        decided_by=args.decided_by or store.profile().name,
        family_informed=args.family_informed,
        notes=args.notes,
    )
    share_id = log_share(store, case_id, share)
    ctx.emit({"share_id": share_id}, share_id)
    return 0


def _shares(ctx: CliContext, args: argparse.Namespace) -> int:
    store = _store(ctx)
    case_id = store.find_case(args.case)
    shares = store.list_shares(case_id)
    data = [{**s.to_json(), "lawful_basis_label": basis_label(s.lawful_basis)} for s in shares]
    lines = [f"Information shared from case {args.case}:"] if shares else ["Nothing shared yet."]
    for s in shares:
        lines.append(f"  {s.shared_at[:16].replace('T', ' ')}  {METHODS.get(s.method, s.method)}: {s.what}")
        lines.append(f"      to {s.recipient}, for: {s.purpose}")
        lines.append(
            f"      {CONSENT.get(s.consent, s.consent)}; lawful basis: {basis_label(s.lawful_basis)}; "
            f"decided by {s.decided_by}" + (f"; pack {s.pack_id}" if s.pack_id else "")
        )
    ctx.emit(data, "\n".join(lines))
    return 0
