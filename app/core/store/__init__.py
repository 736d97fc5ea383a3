"""The encrypted vault and the record store (DESIGN.md §2–3, SECURITY.md).

Names are loaded on first use (PEP 562) so that the desktop app can show its unlock window
before paying for sqlcipher3 and the repositories.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.store.models import (
        Addendum,
        Attachment,
        AuditEntry,
        Case,
        CaseSummary,
        PackRow,
        Person,
        PersonIn,
        Profile,
        Record,
        SearchHit,
        TrustedCert,
    )
    from app.core.store.repo import Store
    from app.core.store.throttle import unlock_delay
    from app.core.store.vault import KDF_ITER, CheckReport, Vault

_MODELS = (
    "Addendum",
    "Attachment",
    "AuditEntry",
    "Case",
    "CaseSummary",
    "PackRow",
    "Person",
    "PersonIn",
    "Profile",
    "Record",
    "SearchHit",
    "TrustedCert",
)
_VAULT = ("KDF_ITER", "CheckReport", "Vault")

__all__ = [
    "KDF_ITER",
    "Addendum",
    "Attachment",
    "AuditEntry",
    "Case",
    "CaseSummary",
    "CheckReport",
    "PackRow",
    "Person",
    "PersonIn",
    "Profile",
    "Record",
    "SearchHit",
    "Store",
    "TrustedCert",
    "Vault",
    "unlock_delay",
]


def __getattr__(name: str) -> Any:
    if name in _MODELS:  # plain data classes: no sqlcipher3 needed
        return getattr(importlib.import_module("app.core.store.models"), name)
    if name == "Store":
        return importlib.import_module("app.core.store.repo").Store
    if name == "unlock_delay":
        return importlib.import_module("app.core.store.throttle").unlock_delay
    if name in _VAULT:
        return getattr(importlib.import_module("app.core.store.vault"), name)
    raise AttributeError(name)
