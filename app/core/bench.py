"""``fieldbook bench``: a registry of named benchmarks, each returning rows for one table.

Rows are ``{"name", "value", "unit", "target", "ok"}`` (plus an optional ``detail``). Areas
register a ``run(quick: bool) -> list[row]`` here by module path, so that a benchmark whose area
is not installed (a headless build without Qt, say) is skipped rather than failing the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]

BENCHMARKS: dict[str, str] = {
    "vault": "app.core.store.bench",
    "packs": "app.core.packs.bench",
    "ui": "app.ui.bench",
}


def available() -> dict[str, Callable[..., list[Row]]]:
    out: dict[str, Callable[..., list[Row]]] = {}
    for name, module_name in BENCHMARKS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        out[name] = module.run
    return out


def run(only: list[str] | None = None, quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    for name, func in available().items():
        if only and name not in only:
            continue
        for row in func(quick=quick):
            rows.append({"group": name, **row})
    return rows
