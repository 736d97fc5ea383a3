"""Attachments: bytes kept inside the vault (never as loose files), named by their SHA-256."""

from __future__ import annotations

import hashlib

from app.core.errors import NotFound
from app.core.store.base import StoreBase
from app.core.store.models import Attachment
from app.core.store.values import clean_text


class AttachmentsRepo(StoreBase):
    """Attachments and which of a case's records use them."""

    def put_attachment(self, data: bytes, media_type: str, filename: str) -> str:
        """Store bytes inside the vault (never as a loose file); returns their SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        name = clean_text(filename, "File name", multiline=False)[:255] or "attachment"
        with self.transaction():
            if not self.conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone():
                self.conn.execute(
                    "INSERT INTO attachments VALUES (?, ?, ?, ?, ?, ?)",
                    (sha, media_type, len(data), name, bytes(data), self._now()),
                )
                self._log("create", "attachment", sha, {"media_type": media_type, "size": len(data)})
        return sha

    def get_attachment(self, sha256: str) -> Attachment:
        row = self.conn.execute(
            "SELECT sha256, media_type, size, filename, data FROM attachments WHERE sha256 = ?",
            (sha256.lower(),),
        ).fetchone()
        if row is None:
            raise NotFound(f"Attachment: {sha256[:12]}… is not in this vault")
        sha, media_type, size, filename, data = row
        return Attachment(sha, media_type, int(size), filename, bytes(data))

    def attachments_of_case(self, case_id: str) -> list[str]:
        return [
            value
            for (value,) in self.conn.execute(
                "SELECT DISTINCT ra.sha256 FROM record_attachments ra JOIN records r ON "
                "r.id = ra.record_id WHERE r.case_id = ? AND r.status != 'discarded' ORDER BY 1",
                (case_id,),
            )
        ]
