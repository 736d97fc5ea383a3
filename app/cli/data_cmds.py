"""``fieldbook case export-json|import`` and ``fieldbook demo``."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, output_file
from app.core.errors import UsageError


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    case = groups["case"]
    p = case.add_parser("export-json", parents=[common], help="a whole case as case-data JSON")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--out", required=True, type=output_file)
    p.add_argument("--drafts", action="store_true", help="include draft records")
    p.set_defaults(func=_export)
    p = case.add_parser("import", parents=[common], help="import a case-data JSON file (all or nothing)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=_import)
    p = top.add_parser("demo", parents=[common], help="add a fictional demo case that uses every form")
    p.add_argument(
        "--chronology",
        type=int,
        default=0,
        metavar="N",
        help="also add N generated chronology entries (scale tests)",
    )
    p.set_defaults(func=_demo)


def _export(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.casedata import export_case
    from app.core.store import Store

    store = Store(ctx.vault())
    case_id = store.find_case(args.case)
    doc = export_case(store, case_id, include_drafts=args.drafts)
    data = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    tmp = args.out.with_name(f".{args.out.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, args.out)
    store.audit(
        "export",
        "case",
        case_id,
        {"format": "case-data json", "file": args.out.name, "records": len(doc["case"]["records"])},
    )
    ctx.emit(
        {"file": str(args.out), "records": len(doc["case"]["records"])},
        f"Wrote {len(doc['case']['records'])} records to {args.out}",
    )
    return 0


def _import(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.casedata import MAX_BYTES, import_case
    from app.core.files import read_regular
    from app.core.store import Store

    raw = read_regular(args.file, what="FILE", limit=MAX_BYTES)
    store = Store(ctx.vault())
    case_id = import_case(store, ctx.registry(), raw)
    ctx.emit({"case_id": case_id}, case_id)
    return 0


def _demo(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.demo import create_demo
    from app.core.store import Store

    if args.chronology < 0 or args.chronology > 1_000_000:
        raise UsageError("--chronology: give a number from 0 to 1,000,000")
    store = Store(ctx.vault())
    case_id = create_demo(store, ctx.registry(), chronology=args.chronology)
    ctx.emit({"case_id": case_id}, case_id)
    return 0
