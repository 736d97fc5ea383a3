"""Code lists (categories of abuse, CIN factors, referral sources, agencies, ethnicity …).

They live in versioned data files under ``resources/codelists/`` because the DfE changes them
every year; forms refer to them by name (``codelist = "agencies"``).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from typing import Any

from app.core.errors import FormError
from app.core.paths import resource


@lru_cache(maxsize=1)
def all_codelists() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    folder = resource("codelists")
    for path in sorted(folder.glob("*.toml")):
        try:
            doc = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise FormError(f"{path.name}: not valid TOML ({exc})") from None
        for name, body in doc.items():
            if not isinstance(body, dict) or not isinstance(body.get("codes"), list):
                raise FormError(f"{path.name}: [{name}] needs a list of codes")
            out[name] = {
                "version": body.get("version", ""),
                "source": body.get("source", ""),
                "codes": [(str(c[0]), str(c[1])) for c in body["codes"]],
            }
    return out


def codes(name: str) -> list[tuple[str, str]]:
    try:
        return list(all_codelists()[name]["codes"])
    except KeyError:
        raise FormError(f"no code list called “{name}”") from None


def label(name: str, code: str) -> str:
    for c, text in all_codelists().get(name, {}).get("codes", []):
        if c == code:
            return str(text)
    return code
