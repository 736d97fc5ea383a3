"""One condition evaluator: the editor on screen (real Qt widgets, offscreen), the validator and
the signed PDF agree on which fields are shown and which must be answered."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from app.core.clock import FixedClock
from app.core.forms import Choice, FieldSpec, FormSpec, Section, ValidationContext, validate
from app.core.forms.conditions import OPERATORS, holds, problems
from app.core.forms.loader import Problems, parse_form
from app.core.packs.pdf import NOT_RECORDED, Ctx, RenderInput, record_flowables, render_pdf
from app.core.store import Case, Person, Record
from tests.packs.helpers import need_tool

CHILD = Person("child", "Maya", "Okafor", dob="2017-03-02", id="c1")
CASE = Case("case-1", "FB-2026-0100", "2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z", [CHILD])
CTX = ValidationContext(children=[CHILD], today=date(2026, 11, 23))
STALE = "Note typed before the answer changed to no"

# A home visit form: the notes on contact with the parent are asked for unless there was none.
NOT_EQUALS_FORM = {
    "id": "home_visit",
    "version": 1,
    "title": "Home visit",
    "sections": [
        {
            "key": "visit",
            "title": "Visit",
            "fields": [
                {
                    "key": "parent_contact",
                    "label": "Contact with the parent",
                    "type": "choice",
                    "choices": [["in_person", "In person"], ["phone", "By phone"], ["no", "None"]],
                },
                {
                    "key": "contact_notes",
                    "label": "What the parent said",
                    "type": "long_text",
                    "show_if": {"field": "parent_contact", "not_equals": "no"},
                    "required_if": {"field": "parent_contact", "not_equals": "no"},
                },
            ],
        }
    ],
}


def home_visit() -> FormSpec:
    probs = Problems("home_visit/v1.toml")
    form = parse_form(NOT_EQUALS_FORM, probs.file, probs)
    assert form is not None and not probs.items, probs.items
    return form


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A desktop session (no vault is opened: the editor only reads the clock here)."""
    from app.ui.main import make_app
    from app.ui.session import Session

    make_app()
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    return Session(tmp_path_factory.mktemp("vault") / "vault.fieldbook", clock=clock, inline=True)


def open_editor(session: Any, form: FormSpec, data: dict[str, Any]) -> Any:
    """The real record editor with a draft holding ``data``."""
    from app.ui.editor import RecordEditor

    draft = Record(
        "r1", CASE.id, form.id, form.version, "draft", data, [CHILD.id], None, "", "", None, {}, None, 1
    )
    return RecordEditor(session, CASE, form, draft)


def on_screen(editor: Any, key: str) -> tuple[bool, bool]:
    """(shown, marked as needed) for a field as the practitioner sees it."""
    label, widget = editor.rows[key]
    shown = label.isVisibleTo(editor)
    assert widget.isVisibleTo(editor) == shown
    return shown, label.text().split("  [")[0].endswith(" *")


def pdf_labels(form: FormSpec, data: dict[str, Any]) -> set[str]:
    """The field labels the PDF's story prints for a record (ReportLab flowables, no rendering)."""
    ctx = Ctx(RenderInput("referral", "p", {"case": {"people": []}}, {}, "", form_lookup=lambda i, v: form))
    rec = {"form_id": form.id, "form_version": form.version, "status": "final", "data": data}
    return {
        f.text for f in record_flowables(ctx, rec) if isinstance(f, Paragraph) and f.style.name == "label"
    }


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    f = tmp_path / "p.pdf"
    f.write_bytes(pdf)
    return subprocess.run([need_tool("pdftotext"), str(f), "-"], capture_output=True, text=True).stdout


def test_not_equals_hides_on_screen_skips_validation_and_is_not_printed(session: Any, tmp_path: Path) -> None:
    """A note shown only when the answer is not "no" is hidden on screen, not checked and not
    printed in the signed PDF once the answer is "no" — and asked for and printed otherwise."""
    form = home_visit()
    for answer, expect_shown in (("no", False), ("phone", True), (None, False)):
        data = {"contact_notes": STALE} | ({"parent_contact": answer} if answer else {})
        editor = open_editor(session, form, data)
        assert editor.data() == data
        assert on_screen(editor, "contact_notes") == (expect_shown, expect_shown)
        needed = validate(form, {k: v for k, v in data.items() if k != "contact_notes"}, CTX)
        assert any(p.field == "contact_notes" for p in needed) == expect_shown
        pdf = render_pdf(
            RenderInput(
                kind="referral",
                pack_id="0b7d2c9e-5d4f-4a51-9c1e-5b0c2f6d8a11",
                case_data={
                    "case": {
                        "reference": "FB-2026-0100",
                        "people": [],
                        "records": [
                            {
                                "id": "r1",
                                "form_id": "home_visit",
                                "form_version": 1,
                                "status": "final",
                                "occurred_at": "2026-11-20",
                                "author": {"name": "Sam Carter"},
                                "data": data,
                            }
                        ],
                    }
                },
                author={"name": "Sam Carter"},
                created_at="2026-11-23T09:00:00Z",
                form_lookup=lambda form_id, version: form,
            )
        )
        printed = " ".join(pdftotext(pdf, tmp_path).split())
        assert (STALE in printed) == expect_shown, answer
        assert ("What the parent said" in printed) == expect_shown


def test_condition_semantics() -> None:
    """equals matches a ticked code of a list; not_equals needs an answer; empty means blank."""
    data = {"methods": ["words", "play"], "seen": "no", "note": "  "}
    assert holds({"field": "methods", "equals": "play"}, data)
    assert holds({"field": "methods", "in": ["drawing", "words"]}, data)
    assert not holds({"field": "methods", "not_equals": "play"}, data)
    assert holds({"field": "seen", "not_equals": "yes"}, data)
    assert not holds({"field": "absent", "not_equals": "yes"}, data)
    assert holds({"field": "note", "empty": True}, data)
    assert holds({"field": "note", "not_empty": False}, data)
    assert holds({"any": [{"field": "seen", "equals": "yes"}, {"field": "note", "empty": True}]}, data)
    assert not holds({"all": [{"field": "seen", "equals": "no"}, {"field": "note", "empty": False}]}, data)


def test_condition_problems_say_where() -> None:
    """A broken condition is named: which item, and what is wrong with it."""
    found = problems({"all": [{"field": "a", "equals": 1}, {"field": "zz", "in": "x", "empty": 1}]}, {"a"})
    where = [w for w, _ in found]
    assert where and set(where) == {"[1]"}
    text = " ".join(m for _, m in found)
    assert "“zz”" in text and "exactly one of" in text and "'in' must be a list" in text


# -- property: random forms and data ----------------------------------------------------------

CHOICES = (Choice("a", "Alpha"), Choice("b", "Beta"), Choice("c", "Gamma"))
TYPES = ("choice", "multi_choice", "yes_no_unknown", "text")
VALUES = {
    "choice": st.sampled_from(["a", "b", "c"]),
    "multi_choice": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, unique=True).map(
        lambda v: sorted(v)  # the order the checklist gives them back
    ),
    "yes_no_unknown": st.sampled_from(["yes", "no", "unknown"]),
    "text": st.sampled_from(["Seen at home", "Mum said it was fine", "Nursery"]),  # over max_length
}


@st.composite
def condition(draw: st.DrawFn, keys: list[str], depth: int = 0) -> dict[str, Any]:
    if depth < 1 and draw(st.booleans()):
        items = draw(st.lists(condition(keys, depth + 1), min_size=1, max_size=3))
        return {draw(st.sampled_from(["all", "any"])): items}
    op = draw(st.sampled_from(OPERATORS))
    key = draw(st.sampled_from(keys))
    value: Any = draw(st.sampled_from(["a", "b", "yes", "no", "Nursery"]))
    if op == "in":
        value = draw(st.lists(st.sampled_from(["a", "b", "c", "yes", "unknown"]), min_size=1, max_size=3))
    elif op in ("empty", "not_empty"):
        value = draw(st.booleans())
    return {"field": key, op: value}


@st.composite
def form_and_data(draw: st.DrawFn) -> tuple[FormSpec, dict[str, Any]]:
    n = draw(st.integers(2, 6))
    keys = [f"f{i}" for i in range(n)]
    fields = []
    data: dict[str, Any] = {}
    for i, key in enumerate(keys):
        others = [k for k in keys if k != key]
        ftype = draw(st.sampled_from(TYPES))
        maybe = st.one_of(st.none(), condition(others))
        fields.append(
            FieldSpec(
                key,
                f"Field {i}",
                ftype,
                required=draw(st.booleans()),
                required_if=draw(maybe),
                show_if=draw(maybe),
                choices=CHOICES if "choice" in ftype else (),
                max_length=3 if ftype == "text" else None,  # a long answer is flagged only if shown
                pdf={"hide_if_empty": False} if draw(st.booleans()) else {},
            )
        )
        if draw(st.booleans()):
            data[key] = draw(VALUES[ftype])
    form = FormSpec("random_form", 1, "Random form", "", (Section("s", "Section", tuple(fields)),))
    return form, data


@settings(max_examples=40, deadline=None)
@given(form_and_data())
def test_screen_pdf_and_validator_agree(session: Any, case: tuple[FormSpec, dict[str, Any]]) -> None:
    """For random forms and data, a field is on screen exactly when the validator checks it and
    the PDF prints it, and marked needed on screen exactly when the validator asks for it."""
    form, data = case
    editor = open_editor(session, form, data)
    try:
        assert editor.data() == data  # all three judge the same answers
        problems_by_key: dict[str, list[str]] = {}
        for p in validate(form, data, CTX):
            problems_by_key.setdefault(p.field, []).append(p.message)
        printed = pdf_labels(form, data)
        for f in form.all_fields():
            shown, marked = on_screen(editor, f.key)
            said = problems_by_key.get(f.key, [])
            empty = f.key not in data
            if empty:
                assert (shown and marked) == ("is needed" in said), (f, said)
                assert (f.label in printed) == (shown and f.pdf.get("hide_if_empty") is False)
            else:
                assert (f.label in printed) == shown, (f, printed)
                if f.type == "text":
                    assert any(re.search("characters long", m) for m in said) == shown
    finally:
        editor.deleteLater()
        editor.setParent(None)


def test_not_recorded_is_printed_only_when_the_form_asks() -> None:
    """``hide_if_empty = false`` prints a shown, unanswered field as "Not recorded"."""
    form = home_visit()
    notes = form.field("contact_notes")
    assert notes is not None
    ask = FormSpec(
        form.id, 1, form.title, "", (Section("v", "Visit", (replace(notes, pdf={"hide_if_empty": False}),)),)
    )
    ctx = Ctx(RenderInput("referral", "p", {"case": {"people": []}}, {}, "", form_lookup=lambda i, v: ask))
    rec = {"form_id": form.id, "form_version": 1, "data": {"parent_contact": "phone"}}
    texts = [f.text for f in record_flowables(ctx, rec) if isinstance(f, Paragraph)]
    assert NOT_RECORDED in texts
