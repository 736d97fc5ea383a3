"""Entry point: ``python -m app`` or ``fieldbook``.

With no command it opens the desktop app; with a command it runs the command line (``app.cli``).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
