"""The record store: one ``Store`` over an unlocked vault, made of one repository per concern.

``base`` (connection, transactions, audit, profile, settings), ``people`` (cases and people),
``records`` (records, drafts, finalising, addenda), ``attachments``, ``search`` and ``trust``
(identity, trusted certificates, packs). Callers import ``Store`` and the data classes from
``app.core.store`` (or from here, which re-exports them).
"""

from __future__ import annotations

from app.core.store.attachments import AttachmentsRepo
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
from app.core.store.people import PeopleRepo
from app.core.store.records import RecordsRepo
from app.core.store.search import SearchRepo, fts_words
from app.core.store.shares import Share, SharesRepo
from app.core.store.trust import TrustRepo
from app.core.store.values import (
    LEGAL_STATUSES,
    MAX_TEXT,
    PERSON_KINDS,
    attachment_refs,
    clean_text,
    clean_value,
    content_hash,
    flatten_text,
)

__all__ = [
    "LEGAL_STATUSES",
    "MAX_TEXT",
    "PERSON_KINDS",
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
    "Share",
    "Store",
    "TrustedCert",
    "attachment_refs",
    "clean_text",
    "clean_value",
    "content_hash",
    "flatten_text",
    "fts_words",
]


class Store(RecordsRepo, PeopleRepo, AttachmentsRepo, SearchRepo, TrustRepo, SharesRepo):
    """Repositories over one unlocked vault (same thread as the vault's connection)."""
