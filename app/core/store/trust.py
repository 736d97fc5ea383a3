"""The signing identity, trusted certificates and the packs written from this vault."""

from __future__ import annotations

import hashlib

from app.core.errors import NotFound, UsageError
from app.core.store.base import StoreBase
from app.core.store.integrity import put_meta
from app.core.store.models import PackRow, TrustedCert, columns
from app.core.store.values import clean_text

_RESERVED = "pack_sequence:"  # meta key prefix: the last pack number reserved for a case


class TrustRepo(StoreBase):
    """Identity, trust store and the packs register."""

    def put_identity(self, p12: bytes, cert_der: bytes) -> None:
        with self.transaction():
            self.conn.execute("UPDATE identity SET active = 0")
            self.conn.execute(
                "INSERT INTO identity (p12, cert_der, created_at, active) VALUES (?, ?, ?, 1)",
                (bytes(p12), bytes(cert_der), self._now()),
            )

    def get_identity(self) -> tuple[bytes, bytes] | None:
        row = self.conn.execute(
            "SELECT p12, cert_der FROM identity WHERE active = 1 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        p12, cert_der = row
        return bytes(p12), bytes(cert_der)

    def identities(self) -> list[tuple[int, bytes, bool]]:
        """Every stored signing identity: (row id, PKCS#12, whether it is the active one)."""
        return [
            (int(ident_id), bytes(p12), bool(active))
            for ident_id, p12, active in self.conn.execute("SELECT id, p12, active FROM identity ORDER BY id")
        ]

    def add_trusted(self, cert_der: bytes, kind: str, label: str) -> str:
        sha = hashlib.sha256(cert_der).hexdigest()
        with self.transaction():
            self.conn.execute(
                "INSERT INTO trust VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO "
                "UPDATE SET kind = excluded.kind, label = excluded.label",
                (sha, bytes(cert_der), kind, clean_text(label, "Label", multiline=False), self._now()),
            )
            self._log("trust", "certificate", sha, {"kind": kind, "label": label})
        return sha

    def list_trusted(self, kind: str | None = None) -> list[TrustedCert]:
        sql = f"SELECT {columns(TrustedCert)} FROM trust"
        rows = (
            self.conn.execute(sql + " WHERE kind = ? ORDER BY added_at", (kind,))
            if kind
            else self.conn.execute(sql + " ORDER BY added_at")
        )
        return [TrustedCert(sha, bytes(der), kind, label, added) for sha, der, kind, label, added in rows]

    def remove_trusted(self, sha256: str) -> None:
        with self.transaction():
            # The issuer's revocation list goes with it (ON DELETE CASCADE).
            cur = self.conn.execute("DELETE FROM trust WHERE sha256 = ?", (sha256,))
            if cur.rowcount == 0:
                raise NotFound(f"Certificate: {sha256[:12]}… is not trusted by this vault")
            self._log("untrust", "certificate", sha256, {})

    def put_crl(self, issuer_sha256: str, der: bytes, last_update: str) -> bool:
        """Keep a trusted issuer's revocation list (its signature already checked); a newer list
        replaces the older one. False, and nothing changes, when the stored list is newer."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT last_update FROM trust_crls WHERE issuer_sha256 = ?", (issuer_sha256,)
            ).fetchone()
            if row is not None and str(row[0]) > last_update:  # ISO-8601 UTC: text order is time order
                return False
            self.conn.execute(
                "INSERT INTO trust_crls VALUES (?, ?, ?, ?) ON CONFLICT(issuer_sha256) DO UPDATE SET "
                "der = excluded.der, last_update = excluded.last_update, added_at = excluded.added_at",
                (issuer_sha256, bytes(der), last_update, self._now()),
            )
            self._log("trust", "crl", issuer_sha256, {"last_update": last_update})
        return True

    def list_crls(self) -> list[tuple[str, bytes]]:
        """Every stored revocation list: (the trusted issuer's SHA-256, the CRL in DER)."""
        rows = self.conn.execute("SELECT issuer_sha256, der FROM trust_crls ORDER BY issuer_sha256")
        return [(str(sha), bytes(der)) for sha, der in rows]

    def next_pack_sequence(self, case_id: str) -> int:
        """The number the next pack of a case would take (packs written or reserved so far + 1)."""
        used = self.conn.execute(
            "SELECT coalesce(max(sequence), 0) FROM packs WHERE case_id = ?", (case_id,)
        ).fetchone()[0]
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (_RESERVED + case_id,)).fetchone()
        return max(int(used), int(row[0]) if row else 0) + 1

    def reserve_pack_sequence(self, case_id: str) -> int:
        """Take the next pack number for a case at once (committed before the pack is signed), so
        a pack that fails or is abandoned after signing leaves a gap, never a number used twice."""
        with self.transaction():
            sequence = self.next_pack_sequence(case_id)
            put_meta(self.conn, _RESERVED + case_id, str(sequence))
        return sequence

    def record_pack(
        self,
        *,
        pack_id: str,
        case_id: str,
        kind: str,
        sequence: int,
        created_at: str,
        sha256: str,
        recipient: str | None,
        filename: str,
    ) -> None:
        with self.transaction():
            clash = self.conn.execute(
                "SELECT pack_id FROM packs WHERE case_id = ? AND sequence = ?", (case_id, int(sequence))
            ).fetchone()
            if clash:
                raise UsageError(
                    f"Export: pack number {sequence} of this case is already pack {clash[0]}; "
                    "nothing was written — export again"
                )
            self.conn.execute(
                f"INSERT INTO packs ({columns(PackRow)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (pack_id, case_id, kind, int(sequence), created_at, sha256, recipient, filename),
            )

    def list_packs(self, case_id: str | None = None) -> list[PackRow]:
        sql = f"SELECT {columns(PackRow)} FROM packs"
        rows = (
            self.conn.execute(sql + " WHERE case_id = ? ORDER BY sequence", (case_id,))
            if case_id
            else self.conn.execute(sql + " ORDER BY created_at")
        )
        return [PackRow(*r) for r in rows]  # columns(PackRow) lists its fields in order
