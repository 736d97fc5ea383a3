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
    p.add_argument(
        "--scale",
        type=float,
        default=None,
        help="only this scale, e.g. 2 for 200%% (default: 100%% and 200%%)",
    )
    p.add_argument(
        "--theme", choices=("light", "dark"), default=None, help="only this theme (default: light, and dark)"
    )
    p.set_defaults(func=_screenshots)


def run_gui(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.ui.main import run

    return run(vault_path=ctx.vault_path, forms_dir=ctx.forms_dir)


# Variants besides 100% light, each in its own folder under --out: (folder, scale, theme).
VARIANTS = (("200", 2.0, "light"), ("dark", 1.0, "dark"))


def _screenshots(ctx: CliContext, args: argparse.Namespace) -> int:
    """100% light into --out; then 200% and dark into folders beside them. The scale and the
    palette are fixed when Qt starts, so each variant is rendered by a fresh process."""
    from app.ui.screenshots import render_all

    if args.scale is not None or args.theme is not None:
        written = render_all(
            args.out, scale=args.scale or 1.0, forms_dir=ctx.forms_dir, theme=args.theme or "light"
        )
    else:
        import subprocess
        import sys

        written = render_all(args.out, forms_dir=ctx.forms_dir)
        me = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "app"]
        for folder, scale, theme in VARIANTS:
            extra = ["--forms", str(ctx.forms_dir)] if ctx.forms_dir else []
            out = Path(args.out) / folder
            cmd = [*me, *extra, "screenshots", "--out", str(out), "--scale", str(scale), "--theme", theme]
            subprocess.run(cmd, check=True, capture_output=True)
            written += sorted(out.glob("*.png"))
    ctx.emit([str(p) for p in written], "\n".join(str(p) for p in written))
    return 0
