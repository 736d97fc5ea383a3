"""The record store: cases, people, records and their lifecycle, attachments, search, audit.

Every write is one transaction, and the audit entry describing it is written in that same
transaction, so the log never claims a change that did not happen (or misses one that did).
Validation against forms happens above this layer (``app.core.records``): a draft is always
saved, whatever state it is in.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from app.core.clock import iso_now
from app.core.errors import NotFound, RecordLocked, UsageError, ValidationError
from app.core.store import audit as audit_log
from app.core.store.audit import canonical_json
from app.core.store.schema import FTS_TOKENIZE
from app.core.store.vault import Vault

PERSON_KINDS = ("child", "household", "significant_other", "professional")
LEGAL_STATUSES = (
    "birth_family",
    "kinship_care",
    "special_guardianship",
    "adopted",
    "looked_after",
    "child_arrangements_order",
    "private_fostering",
)
MAX_TEXT = 200_000  # characters in one note field (SECURITY.md import limits)


# --- values going in --------------------------------------------------------------------------


def clean_text(value: str, where: str) -> str:
    """NFC text with no lone surrogates or control characters (tab and newlines allowed)."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationError(f"{where}: contains a broken character (a lone surrogate)")
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in value):
        raise ValidationError(f"{where}: contains a control character that cannot be stored")
    if len(value) > MAX_TEXT:
        raise ValidationError(f"{where}: is {len(value):,} characters long; the limit is {MAX_TEXT:,}")
    return unicodedata.normalize("NFC", value)


def clean_value(value: Any, where: str, depth: int = 0) -> Any:
    """Clean every string in a JSON-like value; refuse NaN and absurd nesting."""
    if depth > 32:
        raise ValidationError(f"{where}: nested too deeply")
    if isinstance(value, str):
        return clean_text(value, where)
    if isinstance(value, dict):
        return {
            clean_text(str(k), where): clean_value(v, f"{where}.{k}", depth + 1) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
        raise ValidationError(f"{where}: is not a number")
    if value is None or isinstance(value, bool | int | float):
        return value
    raise ValidationError(f"{where}: {type(value).__name__} values cannot be stored")


def flatten_text(value: Any) -> list[str]:
    """Every string inside a record's data, for the full-text index."""
    out: list[str] = []
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in ("sha256", "side"):
                continue
            out.extend(flatten_text(v))
    elif isinstance(value, list):
        for v in value:
            out.extend(flatten_text(v))
    return out


def attachment_refs(value: Any) -> set[str]:
    """The attachments a record's data points at (``{"sha256": …}`` anywhere inside)."""
    found: set[str] = set()
    if isinstance(value, dict):
        sha = value.get("sha256")
        if isinstance(sha, str) and len(sha) == 64:
            found.add(sha.lower())
        for v in value.values():
            found |= attachment_refs(v)
    elif isinstance(value, list):
        for v in value:
            found |= attachment_refs(v)
    return found


def content_hash(
    form_id: str, form_version: int, data: Any, children: list[str], occurred_at: str | None
) -> str:
    return hashlib.sha256(
        canonical_json(
            {
                "form_id": form_id,
                "form_version": form_version,
                "data": data,
                "children": sorted(children),
                "occurred_at": occurred_at,
            }
        ).encode("utf-8")
    ).hexdigest()


# --- dataclasses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    name: str
    role: str
    agency: str

    def as_author(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "agency": self.agency}


@dataclass
class PersonIn:
    """A person as entered: a child (with a date of birth, or a due date if unborn), a household
    member, a significant other or a professional."""

    kind: str
    given_name: str = ""
    family_name: str = ""
    known_as: str | None = None
    dob: str | None = None
    due_date: str | None = None
    sex: str | None = None
    legal_status: str | None = None
    relationship: str | None = None
    parental_responsibility: bool | None = None
    agency: str | None = None
    role: str | None = None
    contact: str | None = None
    notes: str | None = None


@dataclass
class Person(PersonIn):
    id: str = ""
    case_id: str = ""

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.given_name, self.family_name) if p)
        return name or (self.known_as or "(no name)")

    @property
    def unborn(self) -> bool:
        return self.kind == "child" and not self.dob and bool(self.due_date)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(PersonIn)}
        out["id"] = self.id
        return out


@dataclass
class CaseSummary:
    id: str
    reference: str | None
    created_at: str
    updated_at: str
    children: list[str]
    record_count: int
    draft_count: int


@dataclass
class Case:
    id: str
    reference: str | None
    created_at: str
    updated_at: str
    people: list[Person] = field(default_factory=list)

    @property
    def children(self) -> list[Person]:
        return [p for p in self.people if p.kind == "child"]


@dataclass
class Addendum:
    id: str
    record_id: str
    created_at: str
    author: dict[str, str]
    reason: str
    text: str
    content_hash: str


@dataclass
class Record:
    id: str
    case_id: str
    form_id: str
    form_version: int
    status: str
    data: dict[str, Any]
    children: list[str]
    occurred_at: str | None
    created_at: str
    updated_at: str
    finalised_at: str | None
    author: dict[str, str]
    content_hash: str | None
    draft_rev: int
    addenda: list[Addendum] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return self.status == "final"


@dataclass
class Attachment:
    sha256: str
    media_type: str
    size: int
    filename: str
    data: bytes


@dataclass
class SearchHit:
    kind: str  # "record" | "person"
    id: str
    case_id: str
    title: str
    snippet: str


@dataclass
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    hash: str


@dataclass
class TrustedCert:
    sha256: str
    der: bytes
    kind: str
    label: str
    added_at: str


@dataclass
class PackRow:
    pack_id: str
    case_id: str
    kind: str
    sequence: int
    created_at: str
    sha256: str
    recipient: str | None
    filename: str


_PERSON_COLS = [f.name for f in fields(PersonIn)]
_RECORD_COLS = (
    "id, case_id, form_id, form_version, status, data, occurred_at, author_name, "
    "author_role, author_agency, created_at, updated_at, finalised_at, content_hash, "
    "draft_rev"
)


def _event_order(row: Any) -> tuple[str, str]:
    """A record row (``_RECORD_COLS``) in event order: when it happened, else when written."""
    return (row[6] or row[10], row[10])


def fts_words(text: str) -> list[str]:
    """The words of what the user typed (letters and digits only, NFC), at most 16."""
    return [
        w for w in "".join(c if c.isalnum() else " " for c in unicodedata.normalize("NFC", text)).split() if w
    ][:16]


# How the last, unfinished word of a search is matched (see Store.search). FTS5 answers ``word*``
# by building the whole merged list of matching rows in memory and, for newest-first order, walks
# it backwards growing an offsets array 8 entries at a time. With SQLCipher's memory security on,
# every one of those reallocations copies and wipes the whole array, so the cost is quadratic in
# the number of matching rows: "p*" over 100,000 records took 5.3 s (11 ms with it off). The same
# words as an OR of exact terms are walked page by page and stay in milliseconds; a prefix with
# very many terms is walked oldest-first, which is linear, and the newest rows taken from its end.
_PREFIX_CHUNK = 64  # exact terms per OR group
_PREFIX_OR_MAX = 256  # more terms than this: the oldest-first walk


class Store:
    """Repositories over one unlocked vault (same thread as the vault's connection)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._depth = 0
        self._profile: Profile | None = None
        self._fold_conn: Any = None  # the connection whose temp tables fold search words

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
        try:
            yield
        except BaseException:
            self._depth = 0
            with contextlib.suppress(Exception):
                self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    # -- audit --------------------------------------------------------------------------------
    def _actor(self) -> str:
        try:
            return self.profile().name
        except NotFound:
            return "(no profile)"

    def audit(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any] | None = None
    ) -> int:
        with self.transaction():
            return audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details or {},
            )

    def audit_entries(self, limit: int | None = None) -> list[AuditEntry]:
        sql = (
            "SELECT seq, at, actor, action, object_type, object_id, details, hash FROM audit "
            "ORDER BY seq DESC"
        )
        rows = self.conn.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

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
            clean_text(v.strip(), label) for v, label in ((name, "Name"), (role, "Role"), (agency, "Agency"))
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
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=vals[0],
                action="profile",
                object_type="profile",
                object_id="1",
                details={"role": vals[1], "agency": vals[2]},
            )

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

    # -- cases and people ---------------------------------------------------------------------
    def _person_values(self, person: PersonIn) -> dict[str, Any]:
        if person.kind not in PERSON_KINDS:
            raise ValidationError(f"Person kind: “{person.kind}” is not one of " + ", ".join(PERSON_KINDS))
        vals = asdict(person)
        for key, value in vals.items():
            if isinstance(value, str):
                vals[key] = clean_text(value.strip(), key.replace("_", " ").capitalize()) or None
        vals["given_name"] = vals["given_name"] or ""
        vals["family_name"] = vals["family_name"] or ""
        who = " ".join(x for x in (vals["given_name"], vals["family_name"]) if x) or "Person"
        if not (vals["given_name"] or vals["family_name"] or vals["known_as"]):
            raise ValidationError(
                f"{person.kind.replace('_', ' ').capitalize()}: a name is needed "
                "(a first name, family name or known-as name)"
            )
        for key in ("dob", "due_date"):
            if vals[key]:
                try:
                    from datetime import date

                    date.fromisoformat(vals[key])
                except ValueError:
                    label = "Date of birth" if key == "dob" else "Expected due date"
                    raise ValidationError(
                        f"{who}, {label}: “{vals[key]}” is not a date (YYYY-MM-DD)"
                    ) from None
        if person.kind == "child" and vals["dob"] and vals["due_date"]:
            raise ValidationError(
                f"{who}: give a date of birth or, for an unborn child, an expected due date — not both"
            )
        if vals["legal_status"] and vals["legal_status"] not in LEGAL_STATUSES:
            raise ValidationError(
                f"{who}, Legal status: “{vals['legal_status']}” is not one of " + ", ".join(LEGAL_STATUSES)
            )
        if vals["parental_responsibility"] is not None:
            vals["parental_responsibility"] = int(bool(vals["parental_responsibility"]))
        return vals

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

    def _index_person(self, person_id: str, case_id: str, vals: dict[str, Any]) -> None:
        names = " ".join(
            v for v in (vals.get("given_name"), vals.get("family_name"), vals.get("known_as")) if v
        )
        extra = " ".join(v for v in (vals.get("role"), vals.get("agency"), vals.get("relationship")) if v)
        self._index("people", "person", person_id, case_id, names, extra)

    def create_case(
        self,
        reference: str | None,
        children: list[PersonIn],
        others: list[PersonIn] | None = None,
        *,
        case_id: str | None = None,
        person_ids: list[str] | None = None,
    ) -> str:
        if not children:
            raise ValidationError(
                "Children: a case needs at least one child (an unborn child with an expected due date counts)"
            )
        if any(c.kind != "child" for c in children):
            raise ValidationError("Children: everyone in the children list must be a child")
        ref = clean_text(reference.strip(), "Reference") if reference else None
        case_id = case_id or str(uuid.uuid4())
        ids = list(person_ids or [])
        now = self._now()
        with self.transaction():
            if ref and self.conn.execute("SELECT 1 FROM cases WHERE reference = ?", (ref,)).fetchone():
                raise ValidationError(f"Reference: another case already uses “{ref}”")
            self.conn.execute(
                "INSERT INTO cases (id, reference, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (case_id, ref or None, now, now),
            )
            for i, person in enumerate([*children, *(others or [])]):
                self.add_person(case_id, person, person_id=ids[i] if i < len(ids) else None)
            audit_log.append(
                self.conn,
                at=now,
                actor=self._actor(),
                action="create",
                object_type="case",
                object_id=case_id,
                details={"reference": ref, "people": len(children) + len(others or [])},
            )
        return case_id

    def add_person(self, case_id: str, person: PersonIn, *, person_id: str | None = None) -> str:
        vals = self._person_values(person)
        person_id = person_id or str(uuid.uuid4())
        now = self._now()
        with self.transaction():
            self._require_case(case_id)
            pos = self.conn.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM people WHERE case_id = ?", (case_id,)
            ).fetchone()[0]
            cols = ", ".join(_PERSON_COLS)
            marks = ", ".join("?" for _ in _PERSON_COLS)
            self.conn.execute(
                f"INSERT INTO people (id, case_id, {cols}, position, created_at, updated_at) "
                f"VALUES (?, ?, {marks}, ?, ?, ?)",
                (person_id, case_id, *(vals[c] for c in _PERSON_COLS), pos, now, now),
            )
            self._index_person(person_id, case_id, vals)
            self._touch_case(case_id)
            if self._depth == 1:
                audit_log.append(
                    self.conn,
                    at=now,
                    actor=self._actor(),
                    action="create",
                    object_type="person",
                    object_id=person_id,
                    details={"case_id": case_id, "kind": person.kind},
                )
        return person_id

    def update_person(self, person_id: str, person: PersonIn) -> None:
        vals = self._person_values(person)
        with self.transaction():
            row = self.conn.execute("SELECT case_id FROM people WHERE id = ?", (person_id,)).fetchone()
            if row is None:
                raise NotFound(f"Person: no person with id {person_id}")
            sets = ", ".join(f"{c} = ?" for c in _PERSON_COLS)
            self.conn.execute(
                f"UPDATE people SET {sets}, updated_at = ? WHERE id = ?",
                (*(vals[c] for c in _PERSON_COLS), self._now(), person_id),
            )
            self._index_person(person_id, row[0], vals)
            self._touch_case(row[0])
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action="edit",
                object_type="person",
                object_id=person_id,
                details={"case_id": row[0]},
            )

    def _require_case(self, case_id: str) -> None:
        if not self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone():
            raise NotFound(f"Case: no case with id {case_id}")

    def _touch_case(self, case_id: str) -> None:
        self.conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (self._now(), case_id))

    def list_cases(self) -> list[CaseSummary]:
        rows = self.conn.execute(
            "SELECT c.id, c.reference, c.created_at, c.updated_at, "
            " (SELECT group_concat(trim(given_name || ' ' || family_name), '|') FROM "
            "   (SELECT given_name, family_name FROM people WHERE case_id = c.id AND kind = 'child'"
            "    ORDER BY position)), "
            " (SELECT count(*) FROM records WHERE case_id = c.id AND status != 'discarded'), "
            " (SELECT count(*) FROM records WHERE case_id = c.id AND status = 'draft') "
            "FROM cases c ORDER BY c.updated_at DESC"
        ).fetchall()
        return [
            CaseSummary(r[0], r[1], r[2], r[3], (r[4] or "").split("|") if r[4] else [], r[5], r[6])
            for r in rows
        ]

    def get_case(self, case_id: str) -> Case:
        row = self.conn.execute(
            "SELECT id, reference, created_at, updated_at FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"Case: no case with id {case_id}")
        cols = ", ".join(_PERSON_COLS)
        people = []
        for p in self.conn.execute(
            f"SELECT id, case_id, {cols} FROM people WHERE case_id = ? ORDER BY position", (case_id,)
        ):
            vals = dict(zip(_PERSON_COLS, p[2:], strict=True))
            if vals["parental_responsibility"] is not None:
                vals["parental_responsibility"] = bool(vals["parental_responsibility"])
            people.append(Person(id=p[0], case_id=p[1], **vals))
        return Case(row[0], row[1], row[2], row[3], people)

    def find_case(self, key: str) -> str:
        """A case id from its id, a unique id prefix (4+ characters) or its reference."""
        key = key.strip()
        row = self.conn.execute("SELECT id FROM cases WHERE id = ? OR reference = ?", (key, key)).fetchall()
        if len(row) == 1:
            return str(row[0][0])
        if len(key) >= 4:
            like = key.replace("%", "").replace("_", "") + "%"
            rows = self.conn.execute("SELECT id FROM cases WHERE id LIKE ?", (like,)).fetchall()
            if len(rows) == 1:
                return str(rows[0][0])
            if len(rows) > 1:
                raise UsageError(f"CASE: “{key}” matches {len(rows)} cases; give more of the id")
        raise NotFound(f"CASE: no case with id or reference “{key}”")

    # -- records ------------------------------------------------------------------------------
    def _check_children(self, case_id: str, children: list[str]) -> list[str]:
        ids = list(dict.fromkeys(children))
        if ids:
            marks = ", ".join("?" for _ in ids)
            found = {
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM people WHERE case_id = ? AND kind = 'child' AND id IN ({marks})",
                    (case_id, *ids),
                )
            }
            missing = [i for i in ids if i not in found]
            if missing:
                raise ValidationError(f"Children: {', '.join(missing)} is not a child in this case")
        return ids

    def _index_record(
        self, record_id: str, case_id: str, form_id: str, occurred_at: str | None, data: Any
    ) -> None:
        self._index(
            "records",
            "record",
            record_id,
            case_id,
            f"{form_id} {occurred_at or ''}".strip(),
            "\n".join(flatten_text(data)),
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
    ) -> str:
        """A new draft; the data is kept whether or not it satisfies its form."""
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
            self._index_record(record_id, case_id, form_id, occurred, clean)
            self._touch_case(case_id)
            audit_log.append(
                self.conn,
                at=now,
                actor=author.name,
                action="create",
                object_type="record",
                object_id=record_id,
                details={"case_id": case_id, "form_id": form_id, "form_version": int(form_version)},
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
                if rec.get("content_hash") and rec["content_hash"] != digest:
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
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action="import",
                object_type="record",
                object_id=rec["id"],
                details={"case_id": case_id, "content_hash": digest},
            )
        return str(rec["id"])

    def _record_row(self, record_id: str) -> Any:
        row = self.conn.execute(f"SELECT {_RECORD_COLS} FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise NotFound(f"Record: no record with id {record_id}")
        return row

    def update_draft(
        self,
        record_id: str,
        data: dict[str, Any],
        children: list[str] | None = None,
        occurred_at: str | None = None,
    ) -> int:
        """Save a new version of a draft (autosave); returns the new draft revision."""
        clean = clean_value(data, "Record")
        with self.transaction():
            row = self._record_row(record_id)
            case_id, form_id, status, rev = row[1], row[2], row[4], row[14]
            if status == "final":
                raise RecordLocked(
                    "This record is final and cannot be changed; add an addendum to correct or add to it"
                )
            if status == "discarded":
                raise RecordLocked("This draft was discarded and cannot be changed")
            occurred = clean_text(occurred_at, "When it happened") if occurred_at else row[6]
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
            self._index_record(record_id, case_id, form_id, occurred, clean)
            self._touch_case(case_id)
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action="edit",
                object_type="record",
                object_id=record_id,
                details={"draft_rev": rev + 1},
            )
        return int(rev) + 1

    def finalise(self, record_id: str) -> str:
        """Make a draft final and read-only; returns its content hash."""
        with self.transaction():
            row = self._record_row(record_id)
            if row[4] != "draft":
                raise RecordLocked(f"Record: it is {row[4]}, only a draft can be finalised")
            children = self._children_of(record_id)
            digest = content_hash(row[2], row[3], json.loads(row[5]), children, row[6])
            now = self._now()
            self.conn.execute(
                "UPDATE records SET status = 'final', finalised_at = ?, "
                "updated_at = ?, content_hash = ? WHERE id = ?",
                (now, now, digest, record_id),
            )
            self._touch_case(row[1])
            audit_log.append(
                self.conn,
                at=now,
                actor=self._actor(),
                action="finalise",
                object_type="record",
                object_id=record_id,
                details={"content_hash": digest},
            )
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
            if row[4] != "final":
                raise UsageError("Addendum: only a final record takes addenda; edit the draft instead")
            digest = hashlib.sha256(
                canonical_json(
                    {
                        "record_id": record_id,
                        "record_hash": row[13],
                        "reason": reason,
                        "text": text,
                        "created_at": now,
                        "author": author.as_author(),
                    }
                ).encode()
            ).hexdigest()
            self.conn.execute(
                "INSERT INTO addenda VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (addendum_id, record_id, now, author.name, author.role, author.agency, reason, text, digest),
            )
            self.conn.execute(
                "UPDATE search_index SET body = body || ? WHERE rowid = "
                "(SELECT search_rowid FROM records WHERE id = ?)",
                (f"\n{reason}\n{text}", record_id),
            )
            self._touch_case(row[1])
            audit_log.append(
                self.conn,
                at=now,
                actor=author.name,
                action="addendum",
                object_type="record",
                object_id=record_id,
                details={"addendum_id": addendum_id, "content_hash": digest},
            )
        return addendum_id

    def discard_draft(self, record_id: str) -> None:
        with self.transaction():
            row = self._record_row(record_id)
            if row[4] != "draft":
                raise RecordLocked("Record: only a draft can be discarded; a final record is kept for ever")
            self.conn.execute(
                "UPDATE records SET status = 'discarded', updated_at = ? WHERE id = ?",
                (self._now(), record_id),
            )
            self._unindex("records", record_id)
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action="discard",
                object_type="record",
                object_id=record_id,
                details={},
            )

    def _children_of(self, record_id: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT rc.person_id FROM record_children rc JOIN people p ON p.id = rc.person_id "
                "WHERE rc.record_id = ? ORDER BY p.position",
                (record_id,),
            )
        ]

    def _addenda_of(self, record_id: str) -> list[Addendum]:
        return [
            Addendum(r[0], r[1], r[2], {"name": r[3], "role": r[4], "agency": r[5]}, r[6], r[7], r[8])
            for r in self.conn.execute(
                "SELECT * FROM addenda WHERE record_id = ? ORDER BY created_at, rowid", (record_id,)
            )
        ]

    def _make_record(self, row: Any, children: list[str], addenda: list[Addendum]) -> Record:
        return Record(
            id=row[0],
            case_id=row[1],
            form_id=row[2],
            form_version=int(row[3]),
            status=row[4],
            data=json.loads(row[5]),
            children=children,
            occurred_at=row[6],
            created_at=row[10],
            updated_at=row[11],
            finalised_at=row[12],
            author={"name": row[7], "role": row[8], "agency": row[9]},
            content_hash=row[13],
            draft_rev=int(row[14]),
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
        rows = self.conn.execute(f"SELECT {_RECORD_COLS} FROM records r WHERE {where}", args).fetchall()
        rows.sort(key=_event_order)
        ids = [r[0] for r in rows]
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
        for r in self.conn.execute(
            "SELECT a.* FROM addenda a JOIN records r ON r.id = a.record_id "
            f"WHERE {where} ORDER BY a.created_at, a.rowid",
            args,
        ):
            if r[1] in addenda:
                addenda[r[1]].append(
                    Addendum(r[0], r[1], r[2], {"name": r[3], "role": r[4], "agency": r[5]}, r[6], r[7], r[8])
                )
        return [self._make_record(r, children[r[0]], addenda[r[0]]) for r in rows]

    def chronology_rows(self, case_id: str, *, include_drafts: bool = False) -> list[dict[str, Any]]:
        """Hand-made chronology entries as plain rows: what a 10,000-entry chronology view
        needs, without building full Record objects (children, addenda) for each."""
        sql = (
            "SELECT id, status, occurred_at, data FROM records WHERE case_id = ? AND "
            "form_id = 'chronology_entry' AND status "
            + ("IN ('final', 'draft')" if include_drafts else "= 'final'")
        )
        out: list[dict[str, Any]] = []
        append = out.append
        loads = json.JSONDecoder().decode  # skips json.loads' per-call argument checks
        for rid, status, occurred, raw in self.conn.execute(sql, (case_id,)).fetchall():
            d = loads(raw)
            get = d.get
            day = get("date") or occurred or ""
            if day.__class__ is not str:
                day = str(day.get("date", "")) if isinstance(day, dict) else str(day)
            seq = get("sequence")
            append(
                {
                    "id": rid,
                    "status": status,
                    "date": day[:10],
                    "approximate": get("date_approximate") == "yes",
                    "sequence": int(seq) if isinstance(seq, int | float) else 0,
                    "source": get("source") or "",
                    "event": get("event") or "",
                    "impact": get("impact") or "",
                    "action": get("action") or "",
                    "significance": get("significance") or "medium",
                    "derived": False,
                }
            )
        return out

    def record_counts(self, case_id: str) -> dict[str, tuple[int, int]]:
        """Per form: (records, of which drafts), discarded drafts not counted."""
        rows = self.conn.execute(
            "SELECT form_id, count(*), sum(status = 'draft') FROM records WHERE case_id = ? "
            "AND status != 'discarded' GROUP BY form_id",
            (case_id,),
        )
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    # -- attachments --------------------------------------------------------------------------
    def put_attachment(self, data: bytes, media_type: str, filename: str) -> str:
        """Store bytes inside the vault (never as a loose file); returns their SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        name = clean_text(filename, "File name")[:255] or "attachment"
        with self.transaction():
            if not self.conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone():
                self.conn.execute(
                    "INSERT INTO attachments VALUES (?, ?, ?, ?, ?, ?)",
                    (sha, media_type, len(data), name, bytes(data), self._now()),
                )
                audit_log.append(
                    self.conn,
                    at=self._now(),
                    actor=self._actor(),
                    action="create",
                    object_type="attachment",
                    object_id=sha,
                    details={"media_type": media_type, "size": len(data)},
                )
        return sha

    def get_attachment(self, sha256: str) -> Attachment:
        row = self.conn.execute(
            "SELECT sha256, media_type, size, filename, data FROM attachments WHERE sha256 = ?",
            (sha256.lower(),),
        ).fetchone()
        if row is None:
            raise NotFound(f"Attachment: {sha256[:12]}… is not in this vault")
        return Attachment(row[0], row[1], int(row[2]), row[3], bytes(row[4]))

    def attachments_of_case(self, case_id: str) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT ra.sha256 FROM record_attachments ra JOIN records r ON "
                "r.id = ra.record_id WHERE r.case_id = ? AND r.status != 'discarded' ORDER BY 1",
                (case_id,),
            )
        ]

    # -- search -------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 50, case_id: str | None = None) -> list[SearchHit]:
        """Full-text search over record text and people's names (accents optional), newest first.

        Every word must match; the last one may be unfinished (``okaf`` finds Okafor).
        """
        words = fts_words(query)
        if not words or limit <= 0:
            return []
        head = "".join(f'"{w}" AND ' for w in words[:-1])  # FTS5 needs AND before a group
        native = f'{head}"{words[-1]}"*'
        terms = self._prefix_terms(words[-1])
        if terms is None:  # FTS5 folds this word into more than one token: let it expand itself
            return self._newest([native], limit, case_id)
        if not terms:
            return []
        if len(terms) > _PREFIX_OR_MAX:
            return self._newest_by_forward_walk(native, limit, case_id)
        groups = [
            " OR ".join('"' + t.replace('"', '""') + '"' for t in terms[i : i + _PREFIX_CHUNK])
            for i in range(0, len(terms), _PREFIX_CHUNK)
        ]
        return self._newest([f"{head}({g})" for g in groups], limit, case_id)

    _HIT_SQL = (
        "SELECT rowid, kind, object_id, case_id, title, "
        "snippet(search_index, 4, '[', ']', '…', 12) FROM search_index "
        "WHERE search_index MATCH ?"
    )

    @staticmethod
    def _in_case(case_id: str | None) -> tuple[str, list[Any]]:
        return (" AND case_id = ?", [case_id]) if case_id else ("", [])

    def _newest(self, matches: list[str], limit: int, case_id: str | None) -> list[SearchHit]:
        # Newest first: FTS5 walks its index in rowid order and stops at the limit, where ranking
        # by relevance would score every match (166 ms → a few ms at 100,000 records).
        where, extra = self._in_case(case_id)
        sql = self._HIT_SQL + where + " ORDER BY rowid DESC LIMIT ?"
        rows: list[Any] = []
        for match in matches:
            rows.extend(self.conn.execute(sql, [match, *extra, limit]))
        if len(matches) > 1:  # each row holds one folded form per term group: no duplicates
            rows.sort(key=lambda r: r[0], reverse=True)
        return [SearchHit(*r[1:]) for r in rows[:limit]]

    def _newest_by_forward_walk(self, match: str, limit: int, case_id: str | None) -> list[SearchHit]:
        where, extra = self._in_case(case_id)
        ids = [
            r[0]
            for r in self.conn.execute(
                "SELECT rowid FROM search_index WHERE search_index MATCH ?" + where, [match, *extra]
            )
        ]
        if not ids:
            return []
        rows = self.conn.execute(
            self._HIT_SQL + where + " AND rowid >= ? ORDER BY rowid", [match, *extra, ids[-limit:][0]]
        ).fetchall()
        return [SearchHit(*r[1:]) for r in reversed(rows)][:limit]

    def _prefix_terms(self, word: str) -> list[str] | None:
        """The index's exact terms that start with ``word`` (up to one more than the OR limit).

        The word is folded by FTS5 itself (a scratch table with the index's tokenizer), so case and
        accents match exactly what the index stored; None when it folds into more than one token.
        """
        c = self.conn
        if self._fold_conn is not c:  # temp tables live as long as the connection
            c.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.fb_fold USING fts5(x, tokenize = '{FTS_TOKENIZE}')"
            )
            c.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fb_fold_vocab USING fts5vocab(temp, fb_fold, row)"
            )
            c.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fb_search_vocab "
                "USING fts5vocab(main, search_index, row)"
            )
            self._fold_conn = c
        c.execute("INSERT INTO temp.fb_fold (rowid, x) VALUES (1, ?)", (word,))
        try:
            folded = [r[0] for r in c.execute("SELECT term FROM temp.fb_fold_vocab")]
        finally:
            c.execute("DELETE FROM temp.fb_fold")
        if len(folded) != 1:
            return None
        return [
            r[0]
            for r in c.execute(
                "SELECT term FROM temp.fb_search_vocab WHERE term >= ? AND term < ? LIMIT ?",
                (folded[0], folded[0] + "\U0010ffff", _PREFIX_OR_MAX + 1),
            )
        ]

    # -- identity, trust and packs ------------------------------------------------------------
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
        return (bytes(row[0]), bytes(row[1])) if row else None

    def add_trusted(self, cert_der: bytes, kind: str, label: str) -> str:
        sha = hashlib.sha256(cert_der).hexdigest()
        with self.transaction():
            self.conn.execute(
                "INSERT INTO trust VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO "
                "UPDATE SET kind = excluded.kind, label = excluded.label",
                (sha, bytes(cert_der), kind, clean_text(label, "Label"), self._now()),
            )
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action="trust",
                object_type="certificate",
                object_id=sha,
                details={"kind": kind, "label": label},
            )
        return sha

    def list_trusted(self, kind: str | None = None) -> list[TrustedCert]:
        sql = "SELECT sha256, der, kind, label, added_at FROM trust"
        rows = (
            self.conn.execute(sql + " WHERE kind = ? ORDER BY added_at", (kind,))
            if kind
            else self.conn.execute(sql + " ORDER BY added_at")
        )
        return [TrustedCert(r[0], bytes(r[1]), r[2], r[3], r[4]) for r in rows]

    def remove_trusted(self, sha256: str) -> None:
        with self.transaction():
            cur = self.conn.execute("DELETE FROM trust WHERE sha256 = ?", (sha256,))
            if cur.rowcount == 0:
                raise NotFound(f"Certificate: {sha256[:12]}… is not trusted by this vault")
            audit_log.append(
                self.conn,
                at=self._now(),
                actor=self._actor(),
                action="untrust",
                object_type="certificate",
                object_id=sha256,
                details={},
            )

    def next_pack_sequence(self, case_id: str) -> int:
        row = self.conn.execute(
            "SELECT coalesce(max(sequence), 0) + 1 FROM packs WHERE case_id = ?", (case_id,)
        ).fetchone()
        return int(row[0])

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
            self.conn.execute(
                "INSERT INTO packs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (pack_id, case_id, kind, int(sequence), created_at, sha256, recipient, filename),
            )

    def list_packs(self, case_id: str | None = None) -> list[PackRow]:
        sql = "SELECT * FROM packs"
        rows = (
            self.conn.execute(sql + " WHERE case_id = ? ORDER BY sequence", (case_id,))
            if case_id
            else self.conn.execute(sql + " ORDER BY created_at")
        )
        return [PackRow(*r) for r in rows]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
