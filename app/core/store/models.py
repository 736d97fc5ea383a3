"""What the store hands out (dataclasses) and the rows it reads (named tuples, one per query shape).

A row class's fields are the columns its query selects, in order, so ``RecordRow._fields`` *is*
the column list and no reader counts positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, NamedTuple

# What a child whose name is not yet known is called everywhere (screen, CLI, packs, PDFs), and
# the flag shown beside it until the child is named (WT 2026: unborn children; domain.md §11.3).
UNBORN_UNNAMED = "Unborn baby (name not yet known)"
CHILD_UNNAMED = "Child not yet named"
NAME_FLAG = "NAME NOT YET KNOWN"


def display_name_of(p: Mapping[str, Any]) -> str:
    """A person's name as shown, from a person's fields (a Person's or case-data JSON's):
    the placeholder for a child whose name is not yet known, never an empty string."""
    if p.get("name_unknown"):
        return UNBORN_UNNAMED if (p.get("due_date") and not p.get("dob")) else CHILD_UNNAMED
    name = " ".join(x for x in (p.get("given_name"), p.get("family_name")) if x)
    return name or (p.get("known_as") or "(no name)")


@dataclass(frozen=True)
class Profile:
    name: str
    role: str
    agency: str

    def as_author(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "agency": self.agency}


def status_words(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A child's legal status and living arrangement in words, as (what, words) pairs for those
    recorded. A code from an older file that the list no longer has is shown as written."""
    from app.core.forms.codelists import label

    out = []
    for key, what, listname in (
        ("legal_status", "legal status", "child_legal_status"),
        ("living_arrangement", "lives", "living_arrangements"),
    ):
        if p.get(key):
            out.append((what, label(listname, str(p[key])).replace("_", " ")))
    return out


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
    # Where the child lives (code list living_arrangements): kinship care is an arrangement, not
    # an order; legal_status (code list child_legal_status) is the order or plan, if any.
    living_arrangement: str | None = None
    # A child opened before their name is known (unborn, newborn, or the referrer could not say):
    # shown with a placeholder and flagged until named (``fieldbook case name``).
    name_unknown: bool = False


@dataclass
class Person(PersonIn):
    id: str = ""
    case_id: str = ""

    @property
    def display_name(self) -> str:
        return display_name_of(self.__dict__)

    @property
    def flag(self) -> str | None:
        """What needs doing about this person's record, shown beside their name."""
        return NAME_FLAG if self.name_unknown else None

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
    unnamed_children: int = 0  # children whose name is not yet known (flagged in lists)


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


# --- rows as read -----------------------------------------------------------------------------


class RecordRow(NamedTuple):
    id: str
    case_id: str
    form_id: str
    form_version: int
    status: str
    data: str
    occurred_at: str | None
    author_name: str
    author_role: str
    author_agency: str
    created_at: str
    updated_at: str
    finalised_at: str | None
    content_hash: str | None
    draft_rev: int

    def event_order(self) -> tuple[str, str]:
        """When it happened, else when it was written; then when written."""
        return (self.occurred_at or self.created_at, self.created_at)


class ChronologyRow(NamedTuple):
    """A chronology entry as the lean chronology query reads it (``data`` decoded)."""

    id: str
    form_id: str
    form_version: int
    status: str
    occurred_at: str | None
    data: Any


class AddendumRow(NamedTuple):
    id: str
    record_id: str
    created_at: str
    author_name: str
    author_role: str
    author_agency: str
    reason: str
    text: str
    content_hash: str

    def addendum(self) -> Addendum:
        author = {"name": self.author_name, "role": self.author_role, "agency": self.author_agency}
        return Addendum(
            self.id, self.record_id, self.created_at, author, self.reason, self.text, self.content_hash
        )


class CaseRow(NamedTuple):
    id: str
    reference: str | None
    created_at: str
    updated_at: str


class AuditRow(NamedTuple):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: str
    hash: str


def columns(row: type[Any], alias: str = "") -> str:
    """The SELECT list for a row class, a named tuple or a dataclass whose fields are columns
    (``alias.`` before each column when given)."""
    names = [f.name for f in fields(row)] if is_dataclass(row) else list(row._fields)
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in names)


PERSON_COLS = [f.name for f in fields(PersonIn)]


class CaseListRow(NamedTuple):
    id: str
    reference: str | None
    created_at: str
    updated_at: str
    records: int
    drafts: int
