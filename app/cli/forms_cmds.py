"""``fieldbook forms list`` and ``fieldbook forms check [DIR]``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.context import CliContext
from app.core.errors import IntegrityFailure, UsageError
from app.core.wording import count


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    forms = groups["forms"]
    p = forms.add_parser("list", parents=[common], help="every form and version available")
    p.set_defaults(func=_list)
    p = forms.add_parser(
        "check", parents=[common], help="check form definitions (the built-in ones, or those in DIR)"
    )
    p.add_argument("dir", nargs="?", type=Path, help="a folder of <form id>/v<N>.toml files")
    p.set_defaults(func=_check)
    p = forms.add_parser(
        "docs", parents=[common], help="write a Markdown page per form (docs/forms) from the definitions"
    )
    p.add_argument("--out", type=Path, default=Path("docs/forms"), help="folder for the pages")
    p.set_defaults(func=_docs)
    p = forms.add_parser(
        "schemas",
        parents=[common],
        help="write the JSON Schema of each form's record data (with --forms: a local authority's too)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for <form>.v<N>.schema.json files")
    p.set_defaults(func=_schemas)


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    registry = ctx.registry()
    forms = registry.all()
    data = [
        {
            "id": f.id,
            "version": f.version,
            "title": f.title,
            "fields": len(f.all_fields()),
            "prompts": len(f.prompts),
            "origin": f.origin,
        }
        for f in forms
    ]
    lines = [
        f"{f.id:<22} v{f.version:<3} {f.title:<28} {len(f.all_fields()):>3} fields  "
        f"{len(f.prompts)} prompts  ({f.origin})"
        for f in forms
    ]
    ctx.emit(data, "\n".join(lines))
    return 0


def _check(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.forms import scan
    from app.core.paths import builtin_forms_dir

    folder = args.dir or ctx.forms_dir or builtin_forms_dir()
    if not Path(folder).is_dir():
        raise UsageError(f"DIR: {folder} is not a folder")
    specs, problems = scan(Path(folder))
    if args.dir is not None or ctx.forms_dir is not None:
        builtin, _ = scan(builtin_forms_dir())
        published = {(f.id, f.version) for f in builtin}
        problems += [
            f"{s.path}: version: {s.id} v{s.version} is a published built-in version; "
            "give your version a new number"
            for s in specs
            if (s.id, s.version) in published and Path(folder) != builtin_forms_dir()
        ]
    data = {"folder": str(folder), "forms": [f"{s.id} v{s.version}" for s in specs], "problems": problems}
    text = (
        "\n".join(problems)
        if problems
        else (f"{len(specs)} form definitions in {folder}: no problems found.")
    )
    ctx.emit(data, text)
    if problems:
        raise IntegrityFailure(f"{count(len(problems), 'problem')} in the form definitions")
    return 0


def _docs(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.forms import load_registry
    from app.core.forms.docs import write_docs

    # Built-in forms only: the pages document what Fieldbook ships.
    written = write_docs(load_registry(None), args.out)
    ctx.emit([str(p) for p in written], f"wrote {len(written)} pages to {args.out}")
    return 0


def _schemas(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.forms.record_schemas import write_schemas

    if not args.out.parent.exists():
        raise UsageError(f"Out: the folder {args.out.parent} does not exist")
    # With --forms, a local authority publishes its own forms' schemas for its receivers.
    written = write_schemas(ctx.registry(), args.out)
    ctx.emit([str(p) for p in written], f"wrote {len(written)} record schemas to {args.out}")
    return 0
