"""The field-type registry: every type is complete (docs, shape, widget and PDF keys), and its
plain text uses the words a practitioner chose, never raw codes."""

from __future__ import annotations

from app.core.forms import TYPES, Choice, FieldSpec, FormSpec, Section, load_registry
from app.core.forms.docs import form_page
from app.core.forms.loader import Problems, parse_form
from app.core.forms.types import field_type

REG = load_registry()


def test_every_type_is_documented_and_drawn() -> None:
    """Each type has its docs words, its JSON shape and schema, a widget key and a PDF key (the UI
    and PDF tests check that those keys exist); a form page names a field by its type's words."""
    for name, t in TYPES.items():
        assert t.name == name
        assert t.words.strip() and t.shape.strip() and t.widget and t.pdf, name
        spec = FieldSpec("x", "X", name, choices=(Choice("a", "A"),), columns=(FieldSpec("c", "C", "text"),))
        assert t.schema(spec), f"{name} has no JSON Schema for the published record schemas"
        page = form_page(FormSpec("f", 1, "F", "", (Section("s", "S", (spec,)),)))
        assert f"| {t.words} |" in page


def test_text_is_in_the_practitioners_words() -> None:
    """Choices print as their labels, yes/no/unknown as words, children by name, dates with
    "about" when approximate, tables as labelled cells."""
    participants = REG.get("strategy_discussion").field("participants")
    assert participants is not None
    rows = [{"name": "PC Ruth Jones", "agency": "police"}, {"name": "Dr Omar Ali", "agency": "health"}]
    said = participants.kind.text(participants, rows)
    assert said == "Name: PC Ruth Jones; Agency: Police\nName: Dr Omar Ali; Agency: Health", said
    ynu = FieldSpec("seen", "Seen", "yes_no_unknown")
    assert ynu.kind.text(ynu, "unknown") == "Not known"
    kids = FieldSpec("children", "Children", "child_picker")
    assert kids.kind.text(kids, ["c1", "c2"], {"c1": "Maya Okafor", "c2": "Leo Okafor"}) == (
        "Maya Okafor, Leo Okafor"
    )
    when = FieldSpec("when", "When", "approximate_date")
    assert when.kind.text(when, {"date": "2026-03-01", "approximate": True}) == "about Sunday 1 March 2026"
    assert when.kind.text(when, {"date": "2026-03-01", "approximate": False}) == "Sunday 1 March 2026"
    scale = FieldSpec("safety", "Safety", "scale")
    assert scale.kind.text(scale, 7) == "7 out of 10"


def test_normalising_tidies_what_was_typed_and_keeps_the_rest() -> None:
    """Day-first dates become ISO, digits become numbers (in table cells too); other input is
    kept exactly, for validation to name."""
    table = FieldSpec(
        "actions",
        "Actions",
        "table",
        columns=(FieldSpec("due", "Due", "date"), FieldSpec("hours", "Hours", "number")),
    )
    rows = [{"due": "20/11/2026", "hours": "2"}, {"due": "soon", "hours": "two"}]
    assert table.kind.normalise(table, rows) == [
        {"due": "2026-11-20", "hours": 2},
        {"due": "soon", "hours": "two"},
    ]
    scale = field_type("scale")
    assert scale.normalise(FieldSpec("s", "S", "scale"), "7") == 7


def test_pdf_hints_the_pdf_cannot_honour_are_refused() -> None:
    """A form asking for a PDF hint that the renderer ignores is told so, with the field named."""
    doc = {
        "id": "visit",
        "version": 1,
        "title": "Visit",
        "sections": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {"key": "note", "label": "Note", "type": "text", "pdf": {"width": 3}},
                    {"key": "said", "label": "Said", "type": "text", "pdf": {"emphasis": "bold"}},
                    {"key": "view", "label": "View", "type": "text", "pdf": {"opinion": "yes"}},
                ],
            }
        ],
    }
    probs = Problems("visit/v1.toml")
    parse_form(doc, probs.file, probs)
    text = "\n".join(probs.items)
    assert "(note).pdf.width: unknown PDF hint" in text
    assert "(said).pdf.emphasis" in text
    assert "(view).pdf.opinion: must be true or false" in text
