"""The vault schema and its ordered migrations (``PRAGMA user_version``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.errors import VaultError

# How the search index splits and folds text; search folds the words it looks up the same way.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

SCHEMA_V1 = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL, role TEXT NOT NULL, agency TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE cases (
    id TEXT PRIMARY KEY, reference TEXT UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('child','household','significant_other','professional')),
    given_name TEXT NOT NULL DEFAULT '', family_name TEXT NOT NULL DEFAULT '', known_as TEXT,
    dob TEXT, due_date TEXT, sex TEXT, legal_status TEXT, relationship TEXT,
    parental_responsibility INTEGER, agency TEXT, role TEXT, contact TEXT, notes TEXT,
    position INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    search_rowid INTEGER);
CREATE INDEX people_case ON people(case_id);
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    form_id TEXT NOT NULL, form_version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','final','discarded')),
    data TEXT NOT NULL, occurred_at TEXT,
    author_name TEXT NOT NULL, author_role TEXT NOT NULL, author_agency TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finalised_at TEXT,
    content_hash TEXT, draft_rev INTEGER NOT NULL DEFAULT 1,
    search_rowid INTEGER);  -- the row of search_index holding this record's text
CREATE INDEX records_case ON records(case_id, form_id, status);
CREATE TABLE record_children (
    record_id TEXT NOT NULL REFERENCES records(id), person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (record_id, person_id));
CREATE TABLE addenda (
    id TEXT PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(id),
    created_at TEXT NOT NULL, author_name TEXT NOT NULL, author_role TEXT NOT NULL,
    author_agency TEXT NOT NULL, reason TEXT NOT NULL, text TEXT NOT NULL, content_hash TEXT NOT NULL);
CREATE INDEX addenda_record ON addenda(record_id);
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, size INTEGER NOT NULL,
    filename TEXT NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE record_attachments (
    record_id TEXT NOT NULL REFERENCES records(id), sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (record_id, sha256));
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    object_type TEXT NOT NULL, object_id TEXT NOT NULL, details TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE identity (
    id INTEGER PRIMARY KEY, p12 BLOB NOT NULL, cert_der BLOB NOT NULL, created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE trust (
    sha256 TEXT PRIMARY KEY, der BLOB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('practitioner','root','recipient')),
    label TEXT NOT NULL, added_at TEXT NOT NULL);
CREATE TABLE packs (
    pack_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL, sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL, sha256 TEXT NOT NULL, recipient TEXT, filename TEXT NOT NULL);
CREATE INDEX packs_case ON packs(case_id, sequence);
CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED, object_id UNINDEXED, case_id UNINDEXED, title, body,
    tokenize = '{FTS_TOKENIZE}');
"""


def statements(script: str) -> list[str]:
    """Split a script into statements (triggers keep their inner semicolons)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlcipher.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _v1(conn: Any) -> None:
    # One statement at a time: executescript would commit the migration's transaction early.
    for statement in statements(SCHEMA_V1):
        conn.execute(statement)


# v2: the same CHECK constraints, written as comparisons. SQLite compiles a CHECK with an IN list
# of three or more values into a temporary b-tree built afresh for every INSERT and UPDATE: about a
# dozen heap allocations per saved record, each an mlock/munlock system call with memory security
# on (``fieldbook bench``: vault writes 1.55x plain sqlite3 with the IN lists, 1.27x without).
CHECKS_V2 = {
    "people": (
        "CHECK (kind IN ('child','household','significant_other','professional'))",
        "CHECK (kind = 'child' OR kind = 'household' OR kind = 'significant_other' OR kind = 'professional')",
    ),
    "records": (
        "CHECK (status IN ('draft','final','discarded'))",
        "CHECK (status = 'draft' OR status = 'final' OR status = 'discarded')",
    ),
    "trust": (
        "CHECK (kind IN ('practitioner','root','recipient'))",
        "CHECK (kind = 'practitioner' OR kind = 'root' OR kind = 'recipient')",
    ),
}


def _v2(conn: Any) -> None:
    # SQLite's documented procedure for changing a CHECK constraint without copying the table
    # (sqlite.org/lang_altertable.html, "other kinds of table schema changes"): the stored rows
    # are untouched and already satisfy the equivalent constraint. Runs inside the migration's
    # transaction; _migrate verifies integrity before COMMIT.
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        for table, (old, new) in CHECKS_V2.items():
            (sql,) = conn.execute(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            if sql.count(old) != 1:
                raise VaultError(
                    f"Vault: schema upgrade 2 expected the original CHECK on table "
                    f"{table}; the vault was not changed"
                )
            conn.execute(
                "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
                (sql.replace(old, new), table),
            )
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


# v3: the information-sharing log (issue 15; domain.md §10.3, golden rule 7): every export, parent's
# copy and recorded share — what, to whom, why, on what basis, who decided. Append-only, like audit.
SCHEMA_V3 = """
CREATE TABLE shares (
    id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id),
    shared_at TEXT NOT NULL, method TEXT NOT NULL, what TEXT NOT NULL, recipient TEXT NOT NULL,
    purpose TEXT NOT NULL, consent TEXT NOT NULL, lawful_basis TEXT NOT NULL,
    decided_by TEXT NOT NULL, family_informed TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
    pack_id TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE INDEX shares_case ON shares(case_id, shared_at);
CREATE TRIGGER shares_no_update BEFORE UPDATE ON shares
    BEGIN SELECT RAISE(ABORT, 'the sharing log is append-only'); END;
CREATE TRIGGER shares_no_delete BEFORE DELETE ON shares
    BEGIN SELECT RAISE(ABORT, 'the sharing log is append-only'); END;
"""


def _v3(conn: Any) -> None:
    for statement in statements(SCHEMA_V3):
        conn.execute(statement)


# v4: a child's living arrangement beside their legal status, and a child whose name is not yet
# known (issue 15; domain.md §13: "kinship care listed as a legal status (it is an arrangement;
# the order, if any, is the legal status)"). The old store-level list mixed the two; each old value
# that was really an arrangement moves to the arrangement and leaves the legal status empty
# ("not recorded": the order, if any, was never asked for). "looked_after" and the orders keep
# their codes; the rest of the new list (s20, s31, interim care order …) is new.
ARRANGEMENT_FROM_V3 = {
    "kinship_care": "kinship_care",
    "birth_family": "parents",
    "private_fostering": "private_fostering",
}


def _v4(conn: Any) -> None:
    conn.execute("ALTER TABLE people ADD COLUMN living_arrangement TEXT")
    conn.execute("ALTER TABLE people ADD COLUMN name_unknown INTEGER NOT NULL DEFAULT 0")
    for old, arrangement in ARRANGEMENT_FROM_V3.items():
        conn.execute(
            "UPDATE people SET living_arrangement = ?, legal_status = NULL WHERE legal_status = ?",
            (arrangement, old),
        )


# v5: issuers' certificate revocation lists beside the certificates they revoke (issue 17), one per
# trusted issuing certificate: a newer list from the same issuer replaces the older one.
SCHEMA_V5 = """
CREATE TABLE trust_crls (
    issuer_sha256 TEXT PRIMARY KEY REFERENCES trust(sha256) ON DELETE CASCADE,
    der BLOB NOT NULL, last_update TEXT NOT NULL, added_at TEXT NOT NULL);
"""


def _v5(conn: Any) -> None:
    for statement in statements(SCHEMA_V5):
        conn.execute(statement)


# Migration N takes a vault at user_version N-1 to N. Append only; never edit a published one.
MIGRATIONS: list[Callable[[Any], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)
