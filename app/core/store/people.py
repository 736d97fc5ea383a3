"""Cases and the people in them (children, household, significant others, professionals)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from app.core.errors import NotFound, UsageError, ValidationError
from app.core.forms.codelists import codes
from app.core.store.base import StoreBase
from app.core.store.models import (
    PERSON_COLS,
    Case,
    CaseListRow,
    CaseRow,
    CaseSummary,
    Person,
    PersonIn,
    columns,
    display_name_of,
)
from app.core.store.values import (
    ARRANGEMENT_LIST,
    LEGAL_STATUS_LIST,
    ONE_LINE_PERSON_FIELDS,
    PERSON_KINDS,
    clean_text,
)


def _check_code(who: str, label: str, listname: str, value: str | None) -> None:
    allowed = [c for c, _ in codes(listname)]
    if value and value not in allowed:
        raise ValidationError(f"{who}, {label}: “{value}” is not one of " + ", ".join(allowed))


class PeopleRepo(StoreBase):
    """Cases and people."""

    def _person_values(self, person: PersonIn) -> dict[str, Any]:
        if person.kind not in PERSON_KINDS:
            raise ValidationError(f"Person kind: “{person.kind}” is not one of " + ", ".join(PERSON_KINDS))
        vals = asdict(person)
        for key, value in vals.items():
            if isinstance(value, str):
                label = key.replace("_", " ").capitalize()
                one_line = key in ONE_LINE_PERSON_FIELDS
                vals[key] = clean_text(value.strip(), label, multiline=not one_line) or None
        vals["given_name"] = vals["given_name"] or ""
        vals["family_name"] = vals["family_name"] or ""
        vals["name_unknown"] = int(bool(vals["name_unknown"]))
        who = display_name_of(vals) if vals["name_unknown"] else None
        who = who or " ".join(x for x in (vals["given_name"], vals["family_name"]) if x) or "Person"
        if vals["name_unknown"]:
            if person.kind != "child":
                raise ValidationError(
                    f"{person.kind.replace('_', ' ').capitalize()}: only a child can be recorded "
                    "with a name not yet known"
                )
            if vals["given_name"] or vals["family_name"] or vals["known_as"]:
                raise ValidationError(f"{who}: give the child's name or mark it not yet known — not both")
        elif not (vals["given_name"] or vals["family_name"] or vals["known_as"]):
            raise ValidationError(
                f"{person.kind.replace('_', ' ').capitalize()}: a name is needed "
                "(a first name, family name or known-as name)"
            )
        for key in ("dob", "due_date"):
            if vals[key]:
                try:
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
        if vals["legal_status"] in {c for c, _ in codes(ARRANGEMENT_LIST)}:
            raise ValidationError(
                f"{who}, Legal status: “{vals['legal_status']}” is where the child lives (a living "
                "arrangement), not a legal order; give it as the living arrangement"
            )
        _check_code(who, "Legal status", LEGAL_STATUS_LIST, vals["legal_status"])
        _check_code(who, "Living arrangement", ARRANGEMENT_LIST, vals["living_arrangement"])
        if vals["parental_responsibility"] is not None:
            vals["parental_responsibility"] = int(bool(vals["parental_responsibility"]))
        return vals

    def _index_person(self, person_id: str, case_id: str, vals: dict[str, Any]) -> None:
        names = " ".join(
            v for v in (vals.get("given_name"), vals.get("family_name"), vals.get("known_as")) if v
        ) or display_name_of(vals)
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
        ref = clean_text(reference.strip(), "Reference", multiline=False) if reference else None
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
            self._log(
                "create",
                "case",
                case_id,
                {"reference": ref, "people": len(children) + len(others or [])},
                at=now,
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
            cols = ", ".join(PERSON_COLS)
            marks = ", ".join("?" for _ in PERSON_COLS)
            self.conn.execute(
                f"INSERT INTO people (id, case_id, {cols}, position, created_at, updated_at) "
                f"VALUES (?, ?, {marks}, ?, ?, ?)",
                (person_id, case_id, *(vals[c] for c in PERSON_COLS), pos, now, now),
            )
            self._index_person(person_id, case_id, vals)
            self._touch_case(case_id)
            if self._depth == 1:
                self._log("create", "person", person_id, {"case_id": case_id, "kind": person.kind}, at=now)
        return person_id

    def update_person(self, person_id: str, person: PersonIn) -> None:
        vals = self._person_values(person)
        with self.transaction():
            row = self.conn.execute("SELECT case_id FROM people WHERE id = ?", (person_id,)).fetchone()
            if row is None:
                raise NotFound(f"Person: no person with id {person_id}")
            (case_id,) = row
            self._write_person(person_id, case_id, vals)
            self._log("edit", "person", person_id, {"case_id": case_id})

    def name_child(self, person_id: str, given_name: str, family_name: str = "") -> None:
        """Give a child whose name was not yet known their name (audited as ``name``); the flag
        goes. Every other detail of the child is kept."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT case_id, kind, name_unknown FROM people WHERE id = ?", (person_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"Person: no person with id {person_id}")
            case_id, kind, unknown = row
            if kind != "child":
                raise ValidationError("Name: only a child's name can be given this way")
            person = next(p for p in self.get_case(case_id).people if p.id == person_id)
            kept = {c: getattr(person, c) for c in PERSON_COLS}
            named = PersonIn(
                **{**kept, "given_name": given_name, "family_name": family_name, "name_unknown": False}
            )
            self._write_person(person_id, case_id, self._person_values(named))
            # No names in the audit log (DESIGN.md): that it happened, and whether it was a renaming.
            self._log("name", "person", person_id, {"case_id": case_id, "was_unnamed": bool(unknown)})

    def _write_person(self, person_id: str, case_id: str, vals: dict[str, Any]) -> None:
        """Store a person's checked values over the old ones, and re-index their names."""
        sets = ", ".join(f"{c} = ?" for c in PERSON_COLS)
        self.conn.execute(
            f"UPDATE people SET {sets}, updated_at = ? WHERE id = ?",
            (*(vals[c] for c in PERSON_COLS), self._now(), person_id),
        )
        self._index_person(person_id, case_id, vals)
        self._touch_case(case_id)

    def list_cases(self) -> list[CaseSummary]:
        rows = self.conn.execute(
            "SELECT c.id, c.reference, c.created_at, c.updated_at, "
            " (SELECT count(*) FROM records WHERE case_id = c.id AND status != 'discarded'), "
            " (SELECT count(*) FROM records WHERE case_id = c.id AND status = 'draft') "
            "FROM cases c ORDER BY c.updated_at DESC"
        ).fetchall()
        # Children's names in one query, shown as everywhere else (a placeholder if not yet known).
        names: dict[str, list[dict[str, Any]]] = {}
        keys = ("case_id", "given_name", "family_name", "known_as", "dob", "due_date", "name_unknown")
        for p in self.conn.execute(
            f"SELECT {', '.join(keys)} FROM people WHERE kind = 'child' ORDER BY case_id, position"
        ):
            vals = dict(zip(keys, p, strict=True))
            names.setdefault(vals["case_id"], []).append(vals)
        return [
            CaseSummary(
                r.id,
                r.reference,
                r.created_at,
                r.updated_at,
                [display_name_of(k) for k in names.get(r.id, [])],
                r.records,
                r.drafts,
                sum(1 for k in names.get(r.id, []) if k["name_unknown"]),
            )
            for r in map(CaseListRow._make, rows)
        ]

    def get_case(self, case_id: str) -> Case:
        row = self.conn.execute(f"SELECT {columns(CaseRow)} FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            raise NotFound(f"Case: no case with id {case_id}")
        case = CaseRow._make(row)
        names = ("id", "case_id", *PERSON_COLS)
        people = []
        for p in self.conn.execute(
            f"SELECT {', '.join(names)} FROM people WHERE case_id = ? ORDER BY position", (case_id,)
        ):
            vals = dict(zip(names, p, strict=True))
            if vals["parental_responsibility"] is not None:
                vals["parental_responsibility"] = bool(vals["parental_responsibility"])
            vals["name_unknown"] = bool(vals["name_unknown"])
            people.append(Person(**vals))
        return Case(case.id, case.reference, case.created_at, case.updated_at, people)

    def find_case(self, key: str) -> str:
        """A case id from its id, a unique id prefix (4+ characters) or its reference."""
        key = key.strip()
        exact = self.conn.execute("SELECT id FROM cases WHERE id = ? OR reference = ?", (key, key)).fetchall()
        if len(exact) == 1:
            return str(exact[0][0])
        if len(key) >= 4:
            like = key.replace("%", "").replace("_", "") + "%"
            rows = self.conn.execute("SELECT id FROM cases WHERE id LIKE ?", (like,)).fetchall()
            if len(rows) == 1:
                return str(rows[0][0])
            if len(rows) > 1:
                raise UsageError(f"CASE: “{key}” matches {len(rows)} cases; give more of the id")
        raise NotFound(f"CASE: no case with id or reference “{key}”")
