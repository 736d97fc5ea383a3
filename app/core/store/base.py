"""What every repository shares: the connection, transactions, the audit log, profile, settings.

The repositories (``people``, ``records``, ``attachments``, ``search``, ``trust``) are mixins over
``StoreBase``; ``repo.Store`` puts them together. Every write is one transaction, and the audit
entry describing it is written in that same transaction, so the log never claims a change that
did not happen (or misses one that did).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from app.core.clock import iso_now
from app.core.errors import NotFound, ValidationError
from app.core.store import audit as audit_log
from app.core.store import integrity
from app.core.store.models import AuditEntry, AuditRow, Profile, columns
from app.core.store.values import clean_text, clean_value
from app.core.store.vault import Vault


class StoreBase:
    """The shared part of the repositories over one unlocked vault (same thread as the vault's
    connection)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._depth = 0
        self._profile: Profile | None = None
        self._head_moved = False  # an audit entry was appended in the open transaction

    @property
    def conn(self) -> Any:
        return self.vault.conn

    def _now(self) -> str:
        return iso_now(self.vault.clock)

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        self._head_moved = False
        try:
            yield
            if self._head_moved:  # the anchor follows the chain's head in the same transaction
                integrity.seal(self.conn, self.vault.anchor_keys())
        except BaseException:
            with contextlib.suppress(Exception):
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
            self._head_moved = False
        self.conn.execute("COMMIT")

    # -- audit --------------------------------------------------------------------------------
    def _actor(self) -> str:
        try:
            return self.profile().name
        except NotFound:
            return "(no profile)"

    def _log(
        self,
        action: str,
        object_type: str,
        object_id: str,
        details: dict[str, Any],
        *,
        actor: str | None = None,
        at: str | None = None,
    ) -> int:
        """Append an audit entry inside the caller's transaction (the change it describes)."""
        self._head_moved = True
        return audit_log.append(
            self.conn,
            at=at or self._now(),
            actor=self._actor() if actor is None else actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )

    def audit(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any] | None = None
    ) -> int:
        with self.transaction():
            return self._log(action, object_type, object_id, details or {})

    def audit_entries(self, limit: int | None = None) -> list[AuditEntry]:
        sql = f"SELECT {columns(AuditRow)} FROM audit ORDER BY seq DESC"
        rows = map(AuditRow._make, self.conn.execute(sql + (f" LIMIT {int(limit)}" if limit else "")))
        return [
            AuditEntry(
                r.seq, r.at, r.actor, r.action, r.object_type, r.object_id, json.loads(r.details), r.hash
            )
            for r in rows
        ]

    def audit_head(self) -> dict[str, Any]:
        """The audit chain's head ({"seq", "hash"}), carried in packs and backups."""
        top = integrity.head(self.conn)
        return {"seq": top["seq"], "hash": top["hash"]}

    def tampered_records(self, case_id: str | None = None) -> list[integrity.RecordProblem]:
        """Final records (and addenda) that no longer match their hashes or the audit log."""
        return integrity.record_problems(self.conn, case_id)

    def verify_audit(self) -> int | None:
        """The first broken entry of the audit chain, or None when it is intact."""
        return audit_log.verify_chain(self.conn)[0]

    def note_failed_unlocks(self) -> None:
        """Record failed unlocks since the last success (called once after unlocking)."""
        if self.vault.failed_unlocks:
            self.audit("failed_unlock", "vault", "vault", {"count": self.vault.failed_unlocks})
            self.vault.failed_unlocks = 0

    # -- profile and settings -----------------------------------------------------------------
    def set_profile(self, name: str, role: str, agency: str) -> None:
        vals = [
            clean_text(v.strip(), label, multiline=False)
            for v, label in ((name, "Name"), (role, "Role"), (agency, "Agency"))
        ]
        for v, label in zip(vals, ("Name", "Role", "Agency"), strict=True):
            if not v:
                raise ValidationError(f"{label}: required")
        self._profile = None
        with self.transaction():
            self.conn.execute(
                "INSERT INTO profile (id, name, role, agency, created_at) VALUES (1, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name=excluded.name, role=excluded.role, "
                "agency=excluded.agency",
                (*vals, self._now()),
            )
            self._log("profile", "profile", "1", {"role": vals[1], "agency": vals[2]}, actor=vals[0])

    def profile(self) -> Profile:
        if self._profile is None:
            row = self.conn.execute("SELECT name, role, agency FROM profile WHERE id = 1").fetchone()
            if row is None:
                raise NotFound("This vault has no practitioner profile yet")
            self._profile = Profile(*row)
        return self._profile

    def settings_get(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def settings_set(self, key: str, value: Any) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                "DO UPDATE SET value = excluded.value",
                (key, json.dumps(clean_value(value, key), ensure_ascii=False)),
            )

    # -- search index rows and case timestamps (shared by people and records) ------------------
    def _index(self, table: str, kind: str, object_id: str, case_id: str, title: str, body: str) -> None:
        """(Re)write an object's row in the full-text index, found by rowid (never by scan)."""
        old = self.conn.execute(f"SELECT search_rowid FROM {table} WHERE id = ?", (object_id,)).fetchone()
        if old and old[0] is not None:
            self.conn.execute("DELETE FROM search_index WHERE rowid = ?", (old[0],))
        cur = self.conn.execute(
            "INSERT INTO search_index (kind, object_id, case_id, title, body) VALUES (?, ?, ?, ?, ?)",
            (kind, object_id, case_id, title, body),
        )
        self.conn.execute(f"UPDATE {table} SET search_rowid = ? WHERE id = ?", (cur.lastrowid, object_id))

    def _unindex(self, table: str, object_id: str) -> None:
        old = self.conn.execute(f"SELECT search_rowid FROM {table} WHERE id = ?", (object_id,)).fetchone()
        if old and old[0] is not None:
            self.conn.execute("DELETE FROM search_index WHERE rowid = ?", (old[0],))
            self.conn.execute(f"UPDATE {table} SET search_rowid = NULL WHERE id = ?", (object_id,))

    def _require_case(self, case_id: str) -> None:
        if not self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone():
            raise NotFound(f"Case: no case with id {case_id}")

    def _touch_case(self, case_id: str) -> None:
        self.conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (self._now(), case_id))
