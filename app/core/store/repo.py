"""The record store: one ``Store`` over an unlocked vault, made of one repository per concern.

``base`` (connection, transactions, audit, profile, settings), ``people`` (cases and people),
``records`` (records, drafts, finalising, addenda), ``attachments``, ``search`` and ``trust``
(identity, trusted certificates, packs). Callers import ``Store`` and the data classes
(``models``) from ``app.core.store``.
"""

from __future__ import annotations

from app.core.store.attachments import AttachmentsRepo
from app.core.store.people import PeopleRepo
from app.core.store.records import RecordsRepo
from app.core.store.search import SearchRepo
from app.core.store.shares import SharesRepo
from app.core.store.trust import TrustRepo


class Store(RecordsRepo, PeopleRepo, AttachmentsRepo, SearchRepo, TrustRepo, SharesRepo):
    """Repositories over one unlocked vault (same thread as the vault's connection)."""
