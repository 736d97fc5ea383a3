"""``fieldbook bench``: run the performance benchmarks of DESIGN.md §6 and print a table."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext
from app.core.errors import UsageError


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser("bench", parents=[common], help="run the performance benchmarks")
    p.add_argument(
        "--only", action="append", metavar="NAME", help="run only this group (vault, packs, ui); repeatable"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smaller inputs, to check the benchmarks run (not for the targets)",
    )
    p.set_defaults(func=_bench)


def _bench(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.bench import available, run

    names = available()
    for name in args.only or []:
        if name not in names:
            raise UsageError(f"--only: no benchmark group “{name}”; choose from {', '.join(names)}")
    rows = run(args.only, quick=args.quick)
    ctx.emit(rows, format_table(rows))
    return 0


def format_table(rows: list[dict[str, Any]]) -> str:
    """The plain-text table: every name whole, values right-aligned, a verdict against the target."""
    width = max([len("benchmark"), *(len(r["name"]) for r in rows)])  # names are never cut
    lines = [f"{'benchmark':<{width}} {'value':>10}  {'target':>8}  result"]
    for r in rows:
        target = "" if r.get("target") is None else f"≤ {r['target']} {r['unit']}"
        verdict = "ok" if r.get("ok") else "MISSED"
        detail = f"  ({r['detail']})" if r.get("detail") else ""
        lines.append(f"{r['name']:<{width}} {r['value']:>8} {r['unit']:<2} {target:>9}  {verdict}{detail}")
    return "\n".join(lines)
