"""Entry point: ``python -m app``, ``fieldbook`` and the frozen bundle (packaging/entry.py).

With no command it opens the desktop app; with a command it runs the command line (``app.cli``).
Before either, the process is hardened: no core dumps, not dumpable (app.core.process).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.core.process import harden_process

    harden_process()  # first: before any passphrase or case text is in memory
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
