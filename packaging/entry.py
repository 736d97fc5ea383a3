"""Frozen entry point: the same ``app.__main__.main`` as ``fieldbook`` from source."""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
