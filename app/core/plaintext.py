"""Plain text in and out: which characters a record may hold, and text made safe for a terminal.

Text arrives from people typing, JSON files, imported cases and packs made elsewhere. Control
characters have no place in a record: ESC and the 8-bit CSI (U+009B) start terminal escape
sequences that can repaint a verdict or hide a line, a carriage return overwrites what was printed,
NUL truncates. They are refused where text enters (record entry, case import), naming the field;
line breaks and tabs are allowed only where a field holds more than one line. On the way out,
``terminal_safe`` shows any such character that is already stored (or comes from a pack) as a
visible escape, together with the bidirectional controls that can reorder a line on screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from app.core.errors import Problem

# Field types whose text may run over several lines (line breaks and tabs allowed).
MULTILINE_TYPES = frozenset({"long_text", "verbatim_quote"})

# C0 controls, DEL and C1 controls. Tab and line feed are judged per field; CR only before LF.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What a terminal must never receive raw: the controls above except tab and line feed, plus the
# bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_UNSAFE_OUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_NAMES = {0: "NUL", 7: "BEL", 8: "BACKSPACE", 9: "TAB", 10: "LINE FEED", 13: "CARRIAGE RETURN", 27: "ESC"}


def _describe(ch: str) -> str:
    code = ord(ch)
    name = _NAMES.get(code) or ("CSI" if code == 0x9B else "")
    return f"U+{code:04X}" + (f" {name}" if name else "")


def control_problem(text: str, *, multiline: bool) -> str | None:
    """Why ``text`` cannot be stored (its first control character), or None when it can."""
    for m in _CONTROL.finditer(text):
        ch, at = m.group(), m.start()
        if multiline and (ch in "\t\n" or (ch == "\r" and text[at + 1 : at + 2] == "\n")):
            continue
        where = "" if multiline or ch not in "\t\n\r" else "; this field holds one line"
        return f"contains a control character ({_describe(ch)}) at position {at + 1}{where}"
    return None


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def record_text_problems(form: Any, data: Mapping[str, Any]) -> list[Problem]:
    """Control characters in a record's values, named by field (and table column) label."""
    problems: list[Problem] = []
    for key, value in data.items():
        f = form.field(key)
        label = f.label if f is not None else key
        if f is not None and f.type == "table" and isinstance(value, list):
            for i, row in enumerate(value):
                cells = row.items() if isinstance(row, Mapping) else [("", row)]
                for col_key, cell in cells:
                    col = f.column(col_key) if col_key else None
                    multiline = col is not None and col.type in MULTILINE_TYPES
                    col_label = f"{label}, row {i + 1}, {col.label if col else col_key}".rstrip(", ")
                    problems += _problems(key, col_label, cell, multiline)
            continue
        problems += _problems(key, label, value, f is not None and f.type in MULTILINE_TYPES)
    return problems


def _problems(key: str, label: str, value: Any, multiline: bool) -> list[Problem]:
    for text in _strings(value):
        why = control_problem(text, multiline=multiline)
        if why:
            return [Problem(key, label, why)]  # one per field is enough to find it
    return []


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal could act on shown as a visible ``\\uXXXX``.

    Line breaks and tabs pass. The escape is also valid inside a JSON string, and such characters
    only ever occur inside strings in JSON output, so the same function serves ``--json``.
    """
    return _UNSAFE_OUT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
