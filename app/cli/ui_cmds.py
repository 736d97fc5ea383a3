"""Commands that need Qt: the desktop app (no command) and ``screenshots``.

Qt is imported only inside the handlers so that headless commands start fast and work on a server.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.context import CliContext


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser("screenshots", parents=[common], help="render every main screen to PNG (offscreen)")
    p.add_argument("--out", required=True, type=Path, help="folder for the PNG files")
    p.add_argument("--scale", type=float, default=1.0, help="device pixel ratio, e.g. 2 for 200%%")
    p.set_defaults(func=_screenshots)


def run_gui(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.ui.main import run

    return run(vault_path=ctx.vault_path, forms_dir=ctx.forms_dir)


def _screenshots(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.ui.screenshots import render_all

    written = render_all(args.out, scale=args.scale, forms_dir=ctx.forms_dir)
    ctx.emit([str(p) for p in written], "\n".join(str(p) for p in written))
    return 0
