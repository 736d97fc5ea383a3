"""The information-sharing log: one append-only row per share of a case's information."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from app.core.store.base import StoreBase
from app.core.store.models import columns
from app.core.store.values import clean_text


@dataclass(frozen=True)
class Share:
    """What was shared, with whom, why, on what basis and who decided (domain.md §10.3)."""

    id: str
    case_id: str
    shared_at: str
    method: str
    what: str
    recipient: str
    purpose: str
    consent: str
    lawful_basis: str
    decided_by: str
    family_informed: str
    notes: str
    pack_id: str | None
    created_at: str
    created_by: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


SHARE_TEXT = ("method", "what", "recipient", "purpose", "consent", "lawful_basis", "decided_by")


class SharesRepo(StoreBase):
    """The sharing log of each case (written with the export or share it describes)."""

    def add_share(self, case_id: str, shared_at: str, *, pack_id: str | None = None, **text: str) -> str:
        """Log one share; the caller has validated the values (``app.core.shares``)."""
        share_id = str(uuid.uuid4())
        vals = {k: clean_text(str(text.get(k) or ""), k) for k in (*SHARE_TEXT, "family_informed", "notes")}
        with self.transaction():
            self.conn.execute(
                f"INSERT INTO shares ({columns(Share)}) VALUES ({', '.join('?' * 15)})",
                (
                    share_id,
                    case_id,
                    shared_at,
                    *(vals[k] for k in SHARE_TEXT),
                    vals["family_informed"],
                    vals["notes"],
                    pack_id,
                    self._now(),
                    self._actor(),
                ),
            )
            self._log(
                "share",
                "case",
                case_id,
                {
                    "share_id": share_id,
                    "recipient": vals["recipient"],
                    "method": vals["method"],
                    "pack_id": pack_id,
                },
            )
        return share_id

    def list_shares(self, case_id: str) -> list[Share]:
        rows = self.conn.execute(
            f"SELECT {columns(Share)} FROM shares WHERE case_id = ? ORDER BY shared_at, created_at",
            (case_id,),
        )
        return [Share(*row) for row in rows]
