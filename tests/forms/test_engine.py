"""The forms engine: loading and checking definitions, validation in the practitioner's words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.core.errors import FormError, NotFound
from app.core.forms import (
    FIELD_TYPES,
    ValidationContext,
    case_chronology,
    load_file,
    load_registry,
    practice_prompts,
    validate,
)
from tests.forms.test_after_referral_forms import NEW as AFTER_THE_REFERRAL

REG = load_registry()
CTX = ValidationContext(children=[{"id": "c1"}, {"id": "c2"}], today=date(2026, 11, 23))

FORMS = [
    "childs_voice",
    "chronology_entry",
    "direct_work",
    "strategy_discussion",
    "concern",
    "referral",
    "conference_report",
    "milestone",
    *AFTER_THE_REFERRAL,  # issue 15: ids other tools rely on
]


def messages(form_id: str, data: dict) -> list[str]:
    return [str(p) for p in validate(REG.get(form_id), data, CTX)]


def test_every_form_loads_and_every_field_type_is_used() -> None:
    """The seven record types of DESIGN.md §1 and the case milestone exist as version 1, and
    together they use every field type."""
    assert sorted(f.id for f in REG.latest()) == sorted(FORMS)
    used = {f.type for form in REG.all() for f in form.all_fields()}
    used |= {c.type for form in REG.all() for f in form.all_fields() for c in f.columns}
    assert used >= set(FIELD_TYPES) - {"approximate_date"}
    assert all(REG.get(f, 1).version == 1 for f in FORMS)  # records of every first version still read


def test_chronology_entry_keys_are_the_fixed_ones() -> None:
    """The reference form has exactly the field keys DESIGN.md §1 fixes."""
    keys = [f.key for f in REG.get("chronology_entry").all_fields()]
    assert keys == [
        "date",
        "date_approximate",
        "sequence",
        "source",
        "event",
        "impact",
        "action",
        "significance",
    ]


def test_required_fields_and_future_dates_are_named() -> None:
    """Missing required fields and a future date are reported with the field's label."""
    msgs = messages("chronology_entry", {"date": "2027-01-05", "event": "Visit"})
    assert "Date: 2027-01-05 is in the future" in msgs
    assert "Source: is needed" in msgs
    assert "Significance: is needed" in msgs


def test_strategy_discussion_needs_police_health_and_social_care() -> None:
    """The agencies rule speaks the practitioner's language (issue 3's example message)."""
    msgs = messages(
        "strategy_discussion",
        {
            "participants": [
                {"name": "Sam Carter", "agency": "childrens_social_care"},
                {"name": "Ελένη Παπαδοπούλου", "agency": "health"},
            ]
        },
    )
    assert (
        "Participants: no one from the police is listed — a strategy discussion needs "
        "children's social care, police and health"
    ) in msgs


def test_show_if_and_required_if() -> None:
    """A field that only applies in some answers is required only then."""
    base = {"s47_decision": "no"}
    assert not any("started the section 47" in m for m in messages("strategy_discussion", base))
    joint = messages("strategy_discussion", {"s47_decision": "joint"})
    assert "This discussion started the section 47 enquiry: is needed" in joint
    assert "Criminal investigation: is needed" in joint


def test_table_cells_and_dates_after_other_dates() -> None:
    """Rows name their row number and column; a date before the one it follows is refused."""
    msgs = messages("strategy_discussion", {"actions": [{"action": "Visit", "owner": ""}]})
    assert "Actions, row 1: Owner is needed" in msgs
    concern = messages("concern", {"date_noticed": "2026-11-12", "written_at": "2026-11-11T09:00:00Z"})
    assert any(m.startswith("Date and time of writing: is before Date noticed") for m in concern)


def test_body_map_markers_need_descriptions() -> None:
    """Each body map marker must say what was seen, and sit on the outline."""
    msgs = messages(
        "concern",
        {
            "injury": "yes",
            "body_map": {"markers": [{"n": 1, "side": "front", "x": 0.3, "y": 0.3, "description": ""}]},
        },
    )
    assert "Body map: marker 1 needs a description of what was seen" in msgs
    msgs = messages(
        "concern",
        {
            "injury": "yes",
            "body_map": {"markers": [{"n": 1, "side": "left", "x": 0.3, "y": 0.3, "description": "bruise"}]},
        },
    )
    assert "Body map: each marker must be on the front or the back" in msgs


def test_scale_choice_and_child_picker_shapes() -> None:
    """Values of the wrong shape are named: scale 0–10, choices from the list, this case's children."""
    msgs = messages(
        "conference_report",
        {"scaling": [{"scorer": "Sam", "score": 11}], "conference_type": "final", "children": ["zz"]},
    )
    assert any(
        m.startswith("Scaling") and m.endswith("row 1, Score (0–10): should be a whole number from 0 to 10")
        for m in msgs
    )
    assert "Type of conference: “final” is not one of the choices" in msgs
    assert "Children: choose children from this case" in msgs


def test_conference_report_recommends_each_child_on_its_own_row() -> None:
    """New conference reports (version 2) ask for a recommendation per child: a plan needs its
    category on that child's row, and a row without a plan needs none (issue 16)."""
    form = REG.get("conference_report")
    assert form.version == 2 and form.field("recommendation") is None
    rows = [
        {"child": ["c1"], "plan": "yes", "reasons": "Hurt"},
        {"child": ["c2"], "plan": "no", "reasons": "Unborn"},
    ]
    msgs = [str(p) for p in validate(form, {"recommendations": rows}, CTX)]
    category = [m for m in msgs if "Category of abuse" in m]
    assert len(category) == 1 and category[0].startswith("Recommendation for each child, row 1 ")
    assert category[0].endswith(
        "Category of abuse is needed when “Recommendation” is “Child protection plan”"
    )


def test_unknown_keys_are_reported() -> None:
    """Data for a field the form does not have is reported, not silently kept."""
    assert any(
        "is not a field of Chronology entry" in m for m in messages("chronology_entry", {"colour": "red"})
    )


@pytest.mark.parametrize(
    ("form_id", "data", "prompt"),
    [
        ("childs_voice", {"seen_alone": "no"}, "not_seen_alone"),
        ("childs_voice", {}, "no_words"),
        ("referral", {"family_aware": "no"}, "family_not_told"),
        ("strategy_discussion", {"other_children_considered": "no"}, "other_children"),
        ("strategy_discussion", {}, "family_not_told"),
        ("concern", {"injury": "yes"}, "injury_no_map"),
        ("conference_report", {}, "not_shared"),
        ("direct_work", {"seen_alone": "unknown"}, "not_seen_alone"),
    ],
)
def test_practice_prompts(form_id: str, data: dict, prompt: str) -> None:
    """Soft warnings from the practice standards appear when their condition holds."""
    keys = [p.key for p in practice_prompts(REG.get(form_id), data, CTX)]
    assert prompt in keys


def test_prompts_go_away_when_answered() -> None:
    """A prompt is not shown once the practitioner has addressed it."""
    data = {"seen_alone": "yes", "quotes": [{"words": "hi"}], "child_agreed_sharing": "yes"}
    assert practice_prompts(REG.get("childs_voice"), data, CTX) == []


def test_derived_chronology_lines_link_to_their_records() -> None:
    """Each form adds a one-line chronology entry linked to its record, in date order."""
    records = [
        {
            "id": "r2",
            "form_id": "strategy_discussion",
            "form_version": 1,
            "status": "final",
            "data": {"date": "2026-10-29", "format": "video", "s47_decision": "joint"},
            "author": {"agency": "Northshire CSC"},
        },
        {
            "id": "r1",
            "form_id": "chronology_entry",
            "form_version": 1,
            "status": "final",
            "data": {"date": "2026-09-30", "source": "Police", "event": "Call-out", "significance": "high"},
        },
        {
            "id": "r3",
            "form_id": "concern",
            "form_version": 1,
            "status": "draft",
            "data": {"date_noticed": "2026-11-12"},
        },
    ]
    lines = case_chronology(REG, records)
    assert [ln.record_id for ln in lines] == ["r1", "r2"]  # drafts are not in the chronology
    sd = lines[1]
    assert sd.derived and sd.form_id == "strategy_discussion"
    assert (
        sd.event == "Strategy discussion (Video call): section 47 decision — Section 47 — "
        "joint with the police"
    )
    assert sd.source == "Northshire CSC" and sd.significance == "high"
    entry = lines[0]
    assert not entry.derived and (entry.source, entry.event) == ("Police", "Call-out")
    assert entry.significance_label == "High" and entry.form_title == "Chronology entry"


def test_chronology_columns_are_the_entry_forms_own_labels() -> None:
    """The chronology's headings on screen, in the PDF and in data.json are the labels of the
    chronology entry form, and its mapping names the fields those columns show."""
    from app.core.forms.chronology import COLUMNS

    form = REG.get("chronology_entry")
    mapped = form.chronology
    assert mapped is not None
    by_column = {
        "when": mapped.date_field,
        "source": mapped.source.strip("{}"),
        "event": mapped.summary.strip("{}"),
        "impact": mapped.impact.strip("{}"),
        "action": mapped.action.strip("{}"),
        "significance_label": mapped.significance.removeprefix("field:"),
    }
    for attr, heading in COLUMNS:
        f = form.field(by_column[attr])
        assert f is not None and f.label == heading, (attr, heading)


def test_a_chronology_line_says_about_and_the_chosen_label() -> None:
    """An approximate date reads "about <date>"; significance reads as the label, not the code;
    a choice inside a derived line's words is its label too."""
    entry = {
        "id": "e1",
        "form_id": "chronology_entry",
        "form_version": 1,
        "status": "final",
        "data": {
            "date": "2026-03-01",
            "date_approximate": "yes",
            "sequence": 2,
            "source": "Health visitor",
            "event": "Missed 2-year check",
            "significance": "low",
        },
    }
    concern = {
        "id": "c1",
        "form_id": "concern",
        "form_version": 1,
        "status": "final",
        "data": {"date_noticed": "2026-03-01", "setting": "Rainbow room", "significance": "high"},
        "author": {"agency": "Little Acorns Nursery"},
    }
    lines = {ln.record_id: ln for ln in case_chronology(REG, [concern, entry])}
    line, derived = lines["e1"], lines["c1"]
    assert line.when == "about Sun 1 Mar 2026" and line.sequence == 2 and line.significance_label == "Low"
    assert derived.significance_label == "High" and derived.event == "Concern logged by Rainbow room"
    assert derived.source == "Little Acorns Nursery" and derived.when == "Sun 1 Mar 2026"


def test_a_broken_local_form_is_reported_with_file_key_and_problem(tmp_path: Path) -> None:
    """`forms check` problems name the file, the key and what is wrong."""
    folder = tmp_path / "visit_note"
    folder.mkdir()
    path = folder / "v2.toml"
    path.write_text(
        'id = "visit_notes"\nversion = 1\ntitle = "Visit"\n'
        '[[sections]]\nkey = "a"\ntitle = "A"\n'
        '[[sections.fields]]\nkey = "when"\nlabel = "When"\ntype = "dat"\n'
        '[[sections.fields]]\nkey = "who"\nlabel = "Who"\ntype = "choice"\ncodelist = "nope"\n'
        '[[sections.fields]]\nkey = "who"\nlabel = "Again"\ntype = "text"\n'
        'show_if = { field = "missing", equals = "x" }\nrules = { max_length = "long" }\n',
        encoding="utf-8",
    )
    _, problems = load_file(path)
    text = "\n".join(problems)
    assert f"{path}: sections[0].fields[0] (when).type: unknown type “dat”" in text
    assert "codelist: no code list called “nope”" in text
    assert "field who: the key is used by more than one field" in text
    assert "refers to a field “missing” that this form does not have" in text
    assert "rules.max_length: must be a whole number" in text
    assert "version: is 1 but the file is v2.toml" in text
    assert "id: is “visit_notes” but the folder is “visit_note”" in text


def test_local_forms_take_part_and_cannot_override_published_versions(tmp_path: Path) -> None:
    """A local folder adds form versions; it may not silently replace a built-in version."""
    src = Path(__file__).resolve().parents[2] / "forms" / "chronology_entry" / "v1.toml"
    local = tmp_path / "chronology_entry"
    local.mkdir()
    (local / "v2.toml").write_text(
        src.read_text("utf-8")
        .replace("version = 1", "version = 2")
        .replace('title = "Chronology entry"', 'title = "Chronology entry (Northshire)"'),
        "utf-8",
    )
    reg = load_registry(tmp_path)
    assert reg.get("chronology_entry").version == 2
    assert reg.get("chronology_entry").title == "Chronology entry (Northshire)"
    assert reg.get("chronology_entry", 1).version == 1  # old records keep their version
    (local / "v1.toml").write_text(src.read_text("utf-8"), "utf-8")
    with pytest.raises(FormError, match="published built-in version"):
        load_registry(tmp_path)


def test_unknown_form_or_version() -> None:
    """Asking for a form that does not exist says so by name."""
    with pytest.raises(NotFound, match="no form “visit”"):
        REG.get("visit")
    with pytest.raises(NotFound, match="no version 9"):
        REG.get("referral", 9)
