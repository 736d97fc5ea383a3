"""Records and their lifecycle: draft → final → addenda; a draft can be discarded (audited).

Validation against forms happens above this layer (``app.core.records``): a draft is always
saved, whatever state it is in.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.core.errors import NotFound, RecordLocked, UsageError, ValidationError
from app.core.store.base import StoreBase
from app.core.store.models import Addendum, AddendumRow, ChronologyRow, Record, RecordRow, columns
from app.core.store.values import (
    addendum_hash,
    attachment_refs,
    clean_text,
    clean_value,
    content_hash,
    flatten_text,
)

_RECORD_COLS = columns(RecordRow)


class RecordsRepo(StoreBase):
    """Records, their children, addenda and attachment links."""

    def _check_children(self, case_id: str, children: list[str]) -> list[str]:
        ids = list(dict.fromkeys(children))
        if ids:
            marks = ", ".join("?" for _ in ids)
            found = {
                pid
                for (pid,) in self.conn.execute(
                    f"SELECT id FROM people WHERE case_id = ? AND kind = 'child' AND id IN ({marks})",
                    (case_id, *ids),
                )
            }
            missing = [i for i in ids if i not in found]
            if missing:
                raise ValidationError(f"Children: {', '.join(missing)} is not a child in this case")
        return ids

    def _index_record(
        self, record_id: str, case_id: str, form_id: str, occurred_at: str | None, data: Any, words: str = ""
    ) -> None:
        # ``words``: the record as its form says it (choice labels, dates in words), so a search
        # for "Physical abuse" or "November" finds what the stored codes and ISO dates do not say
        self._index(
            "records",
            "record",
            record_id,
            case_id,
            f"{form_id} {occurred_at or ''}".strip(),
            "\n".join([*flatten_text(data), words] if words else flatten_text(data)),
        )

    def _link_attachments(self, record_id: str, data: Any) -> None:
        self.conn.execute("DELETE FROM record_attachments WHERE record_id = ?", (record_id,))
        for sha in sorted(attachment_refs(data)):
            if not self.conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone():
                raise ValidationError(f"Attachment: {sha[:12]}… is not stored in this vault")
            self.conn.execute("INSERT INTO record_attachments VALUES (?, ?)", (record_id, sha))

    def create_record(
        self,
        case_id: str,
        form_id: str,
        form_version: int,
        data: dict[str, Any],
        children: list[str],
        occurred_at: str | None = None,
        *,
        record_id: str | None = None,
        words: str = "",
    ) -> str:
        """A new draft; the data is kept whether or not it satisfies its form. ``words`` is the
        record in its form's words, for search (``app.core.forms.types.record_words``)."""
        if not isinstance(data, dict):
            raise ValidationError("Record data: must be an object of field values")
        clean = clean_value(data, "Record")
        occurred = clean_text(occurred_at, "When it happened") if occurred_at else None
        record_id = record_id or str(uuid.uuid4())
        author = self.profile()
        now = self._now()
        with self.transaction():
            self._require_case(case_id)
            kids = self._check_children(case_id, children)
            self.conn.execute(
                f"INSERT INTO records ({_RECORD_COLS}) VALUES "
                "(?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 1)",
                (
                    record_id,
                    case_id,
                    form_id,
                    int(form_version),
                    json.dumps(clean, ensure_ascii=False, sort_keys=True),
                    occurred,
                    author.name,
                    author.role,
                    author.agency,
                    now,
                    now,
                ),
            )
            self.conn.executemany("INSERT INTO record_children VALUES (?, ?)", [(record_id, k) for k in kids])
            self._link_attachments(record_id, clean)
            self._index_record(record_id, case_id, form_id, occurred, clean, words)
            self._touch_case(case_id)
            self._log(
                "create",
                "record",
                record_id,
                {"case_id": case_id, "form_id": form_id, "form_version": int(form_version)},
                actor=author.name,
                at=now,
            )
        return record_id

    def import_record(self, case_id: str, rec: dict[str, Any]) -> str:
        """A record exactly as exported (ids, times, author, status, addenda), hash-checked."""
        data = clean_value(rec["data"], "Record")
        author = rec["author"]
        with self.transaction():
            self._require_case(case_id)
            kids = self._check_children(case_id, list(rec["children"]))
            digest = None
            if rec["status"] == "final":
                digest = content_hash(
                    rec["form_id"], int(rec["form_version"]), data, kids, rec.get("occurred_at")
                )
                # A final record arrives with the hash taken when it was attested; without it an
                # edited record could come in looking final (issue 17: never quietly changed).
                if not rec.get("content_hash"):
                    raise ValidationError(
                        f"Record {rec['id']}: content_hash is missing (a final record carries the "
                        "hash taken when it was finalised)"
                    )
                if rec["content_hash"] != digest:
                    raise ValidationError(
                        f"Record {rec['id']}: its content does not match its "
                        "content hash (changed after it was finalised)"
                    )
            self.conn.execute(
                f"INSERT INTO records ({_RECORD_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (
                    rec["id"],
                    case_id,
                    rec["form_id"],
                    int(rec["form_version"]),
                    rec["status"],
                    json.dumps(data, ensure_ascii=False, sort_keys=True),
                    rec.get("occurred_at"),
                    author["name"],
                    author["role"],
                    author["agency"],
                    rec["created_at"],
                    rec["updated_at"],
                    rec.get("finalised_at"),
                    digest,
                ),
            )
            self.conn.executemany("INSERT INTO record_children VALUES (?, ?)", [(rec["id"], k) for k in kids])
            self._link_attachments(rec["id"], data)
            self._index_record(rec["id"], case_id, rec["form_id"], rec.get("occurred_at"), data)
            for add in rec.get("addenda", []):
                a = add["author"]
                self.conn.execute(
                    "INSERT INTO addenda VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        add["id"],
                        rec["id"],
                        add["created_at"],
                        a["name"],
                        a["role"],
                        a["agency"],
                        add["reason"],
                        add["text"],
                        add["content_hash"],
                    ),
                )
                self.conn.execute(
                    "UPDATE search_index SET body = body || ? WHERE rowid = "
                    "(SELECT search_rowid FROM records WHERE id = ?)",
                    (f"\n{add['reason']}\n{add['text']}", rec["id"]),
                )
            self._log("import", "record", rec["id"], {"case_id": case_id, "content_hash": digest})
        return str(rec["id"])

    def _record_row(self, record_id: str) -> RecordRow:
        row = self.conn.execute(f"SELECT {_RECORD_COLS} FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise NotFound(f"Record: no record with id {record_id}")
        return RecordRow._make(row)

    def update_draft(
        self,
        record_id: str,
        data: dict[str, Any],
        children: list[str] | None = None,
        occurred_at: str | None = None,
        *,
        words: str = "",
    ) -> int:
        """Save a new version of a draft (autosave); returns the new draft revision."""
        clean = clean_value(data, "Record")
        with self.transaction():
            row = self._record_row(record_id)
            case_id, form_id, status, rev = row.case_id, row.form_id, row.status, row.draft_rev
            if status == "final":
                raise RecordLocked(
                    "This record is final and cannot be changed; add an addendum to correct or add to it"
                )
            if status == "discarded":
                raise RecordLocked("This draft was discarded and cannot be changed")
            occurred = clean_text(occurred_at, "When it happened") if occurred_at else row.occurred_at
            self.conn.execute(
                "UPDATE records SET data = ?, occurred_at = ?, updated_at = ?, "
                "draft_rev = draft_rev + 1 WHERE id = ?",
                (json.dumps(clean, ensure_ascii=False, sort_keys=True), occurred, self._now(), record_id),
            )
            if children is not None:
                kids = self._check_children(case_id, children)
                self.conn.execute("DELETE FROM record_children WHERE record_id = ?", (record_id,))
                self.conn.executemany(
                    "INSERT INTO record_children VALUES (?, ?)", [(record_id, k) for k in kids]
                )
            self._link_attachments(record_id, clean)
            self._index_record(record_id, case_id, form_id, occurred, clean, words)
            self._touch_case(case_id)
            self._log("edit", "record", record_id, {"draft_rev": rev + 1})
        return int(rev) + 1

    def finalise(self, record_id: str) -> str:
        """Make a draft final and read-only; returns its content hash."""
        with self.transaction():
            row = self._record_row(record_id)
            if row.status != "draft":
                raise RecordLocked(f"Record: it is {row.status}, only a draft can be finalised")
            children = self._children_of(record_id)
            digest = content_hash(
                row.form_id, row.form_version, json.loads(row.data), children, row.occurred_at
            )
            now = self._now()
            self.conn.execute(
                "UPDATE records SET status = 'final', finalised_at = ?, "
                "updated_at = ?, content_hash = ? WHERE id = ?",
                (now, now, digest, record_id),
            )
            self._touch_case(row.case_id)
            self._log("finalise", "record", record_id, {"content_hash": digest}, at=now)
        return digest

    def add_addendum(self, record_id: str, reason: str, text: str) -> str:
        """Add to (or correct) a final record without changing it."""
        reason = clean_text(reason.strip(), "Reason")
        text = clean_text(text.strip(), "Addendum")
        if not reason:
            raise ValidationError("Reason: say why the addendum is being added")
        if not text:
            raise ValidationError("Addendum: the text is empty")
        author = self.profile()
        addendum_id = str(uuid.uuid4())
        now = self._now()
        with self.transaction():
            row = self._record_row(record_id)
            if row.status != "final":
                raise UsageError("Addendum: only a final record takes addenda; edit the draft instead")
            digest = addendum_hash(record_id, row.content_hash, reason, text, now, author.as_author())
            self.conn.execute(
                "INSERT INTO addenda VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (addendum_id, record_id, now, author.name, author.role, author.agency, reason, text, digest),
            )
            self.conn.execute(
                "UPDATE search_index SET body = body || ? WHERE rowid = "
                "(SELECT search_rowid FROM records WHERE id = ?)",
                (f"\n{reason}\n{text}", record_id),
            )
            self._touch_case(row.case_id)
            self._log(
                "addendum",
                "record",
                record_id,
                {"addendum_id": addendum_id, "content_hash": digest},
                actor=author.name,
                at=now,
            )
        return addendum_id

    def discard_draft(self, record_id: str) -> None:
        with self.transaction():
            row = self._record_row(record_id)
            if row.status != "draft":
                raise RecordLocked("Record: only a draft can be discarded; a final record is kept for ever")
            self.conn.execute(
                "UPDATE records SET status = 'discarded', updated_at = ? WHERE id = ?",
                (self._now(), record_id),
            )
            self._unindex("records", record_id)
            self._log("discard", "record", record_id, {})

    def _children_of(self, record_id: str) -> list[str]:
        return [
            value
            for (value,) in self.conn.execute(
                "SELECT rc.person_id FROM record_children rc JOIN people p ON p.id = rc.person_id "
                "WHERE rc.record_id = ? ORDER BY p.position",
                (record_id,),
            )
        ]

    def _addenda_of(self, record_id: str) -> list[Addendum]:
        return [
            AddendumRow._make(r).addendum()
            for r in self.conn.execute(
                f"SELECT {columns(AddendumRow)} FROM addenda WHERE record_id = ? ORDER BY created_at, rowid",
                (record_id,),
            )
        ]

    def _make_record(self, row: RecordRow, children: list[str], addenda: list[Addendum]) -> Record:
        return Record(
            id=row.id,
            case_id=row.case_id,
            form_id=row.form_id,
            form_version=int(row.form_version),
            status=row.status,
            data=json.loads(row.data),
            children=children,
            occurred_at=row.occurred_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            finalised_at=row.finalised_at,
            author={"name": row.author_name, "role": row.author_role, "agency": row.author_agency},
            content_hash=row.content_hash,
            draft_rev=int(row.draft_rev),
            addenda=addenda,
        )

    def get_record(self, record_id: str) -> Record:
        row = self._record_row(record_id)
        return self._make_record(row, self._children_of(record_id), self._addenda_of(record_id))

    def list_records(
        self,
        case_id: str,
        form_id: str | None = None,
        status: str | None = None,
        *,
        exclude_form: str | None = None,
    ) -> list[Record]:
        """A case's records (discarded drafts only when asked for), oldest event first."""
        where = "r.case_id = ?"
        args: list[Any] = [case_id]
        if form_id:
            where += " AND r.form_id = ?"
            args.append(form_id)
        if exclude_form:
            where += " AND r.form_id != ?"
            args.append(exclude_form)
        if status:
            where += " AND r.status = ?"
            args.append(status)
        else:
            where += " AND r.status != 'discarded'"
        # Sorted here rather than by ORDER BY: with temp_store=MEMORY SQLite's sorter allocates
        # every row separately, and with memory security each allocation is an mlock/munlock
        # pair. Text compares the same way (UTF-8 byte order is code point order).
        rows = [
            RecordRow._make(r)
            for r in self.conn.execute(f"SELECT {_RECORD_COLS} FROM records r WHERE {where}", args)
        ]
        rows.sort(key=RecordRow.event_order)
        ids = [r.id for r in rows]
        children: dict[str, list[str]] = {i: [] for i in ids}
        addenda: dict[str, list[Addendum]] = {i: [] for i in ids}
        # The same filter on the joins: a case's other records (10,000 chronology entries when
        # the caller wants the rest) are never read.
        for rid, pid in self.conn.execute(
            "SELECT rc.record_id, rc.person_id FROM record_children rc "
            "JOIN records r ON r.id = rc.record_id JOIN people p ON p.id = rc.person_id "
            f"WHERE {where} ORDER BY p.position",
            args,
        ):
            if rid in children:
                children[rid].append(pid)
        for a in map(
            AddendumRow._make,
            self.conn.execute(
                f"SELECT {columns(AddendumRow, 'a')} FROM addenda a JOIN records r ON r.id = a.record_id "
                f"WHERE {where} ORDER BY a.created_at, a.rowid",
                args,
            ),
        ):
            if a.record_id in addenda:
                addenda[a.record_id].append(a.addendum())
        return [self._make_record(r, children[r.id], addenda[r.id]) for r in rows]

    def chronology_rows(self, case_id: str, *, include_drafts: bool = False) -> list[ChronologyRow]:
        """Hand-made chronology entries, lean: no children or addenda are read, which is what a
        10,000-entry chronology view needs. ``app.core.forms.case_chronology`` makes them lines."""
        sql = (
            f"SELECT {columns(ChronologyRow)} FROM records WHERE case_id = ? AND "
            "form_id = 'chronology_entry' AND status "
            + ("IN ('final', 'draft')" if include_drafts else "= 'final'")
        )
        # raw_decode skips json.loads' argument checks and whitespace scans (the store writes
        # the JSON itself, so there is none): a quarter of the query's time at 10,000 rows
        loads = json.JSONDecoder().raw_decode
        return [
            ChronologyRow(rid, form_id, version, status, occurred, loads(data)[0])
            for rid, form_id, version, status, occurred, data in self.conn.execute(sql, (case_id,))
        ]

    def record_counts(self, case_id: str) -> dict[str, tuple[int, int]]:
        """Per form: (records, of which drafts), discarded drafts not counted."""
        rows = self.conn.execute(
            "SELECT form_id, count(*), sum(status = 'draft') FROM records WHERE case_id = ? "
            "AND status != 'discarded' GROUP BY form_id",
            (case_id,),
        )
        return {form_id: (int(total), int(drafts or 0)) for form_id, total, drafts in rows}
