"""A table column's show_if/required_if naming another cell of the same row, through the one
evaluator (app.core.forms.conditions): the conference outcome's category is asked for, checked and
printed only for a child given a plan — on screen, in validation and in the PDF alike."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox
from reportlab.platypus import Paragraph, Table

from app.core.clock import FixedClock
from app.core.forms import FormSpec, ValidationContext, validate
from app.core.forms.loader import Problems, load_registry, parse_form
from app.core.packs.pdf import Ctx, RenderInput, record_flowables
from app.core.store import Case, Person, Record
from tests.clirun import fieldbook

MAYA = Person("child", "Maya", "Okafor", dob="2017-03-02", id="c1")
LEO = Person("child", "Leo", "Okafor", dob="2022-01-10", id="c2")
CASE = Case("case-1", "FB-2026-0200", "2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z", [MAYA, LEO])
CTX = ValidationContext(children=[MAYA, LEO], today=date(2026, 11, 23))


def outcome(leo: dict[str, Any]) -> dict[str, Any]:
    """A conference outcome: a plan for Maya (neglect) and Leo's row as given."""
    return {
        "date": "2026-11-20",
        "conference_type": "initial",
        "chair": "Jo Reed, independent chair",
        "threshold_explained": "yes",
        "decisions": [
            {"child": ["c1"], "plan": "yes", "category": "NEG", "reasons": "Home conditions."},
            {"child": ["c2"], "reasons": "As discussed.", **leo},
        ],
        "core_group_members": [{"name": "Sam Carter", "agency": "childrens_social_care"}],
        "further_help": "yes",
    }


@pytest.fixture(scope="module")
def form() -> FormSpec:
    return load_registry().get("conference_outcome", 1)


def category_problems(form: FormSpec, data: dict[str, Any]) -> list[str]:
    return [f"{p.label}: {p.message}" for p in validate(form, data, CTX) if p.field.endswith(".category")]


def test_a_plan_without_a_category_is_named_by_row_and_child(form: FormSpec) -> None:
    """Leo given a plan with no category is refused, naming the table, the row and Leo; with a
    category, or with no plan (a category left over from before is not checked), it is not."""
    assert category_problems(form, outcome({"plan": "yes"})) == [
        "Decision for each child, row 2 (Leo Okafor): "
        "Category of abuse is needed when “Child protection plan” is “Yes”"
    ]
    assert category_problems(form, outcome({"plan": "yes", "category": "EMO"})) == []
    assert category_problems(form, outcome({"plan": "no"})) == []
    assert category_problems(form, outcome({"plan": "no", "category": "XXX"})) == []  # hidden: not checked
    assert category_problems(form, outcome({"plan": "yes", "category": "XXX"})) != []


def test_the_pdf_prints_a_category_only_for_a_child_with_a_plan(form: FormSpec) -> None:
    """Maya's neglect is printed; a category left on Leo's row after his plan became "no" is not."""
    ctx = Ctx(RenderInput("conference", "p", {"case": {"people": []}}, {}, "", form_lookup=lambda i, v: form))
    data = outcome({"plan": "no", "category": "SAB"})
    rec = {"form_id": form.id, "form_version": form.version, "status": "final", "data": data}
    cells = [
        cell.text
        for flow in record_flowables(ctx, rec)
        if isinstance(flow, Table)
        for row in flow._cellvalues
        for cell in row
        if isinstance(cell, Paragraph)
    ]
    assert "Neglect" in cells and "Sexual abuse" not in cells


def test_the_editor_greys_out_the_category_until_a_plan_is_chosen(form: FormSpec, tmp_path: Path) -> None:
    """In the record editor the category cell of a row with no plan cannot be chosen; choosing
    "Yes" for the plan makes it available, and the problem list asks for it."""
    from app.ui.editor import RecordEditor
    from app.ui.main import make_app
    from app.ui.session import Session

    make_app()
    session = Session(
        tmp_path / "vault.fieldbook", clock=FixedClock(datetime(2026, 11, 23, tzinfo=UTC)), inline=True
    )
    draft = Record(
        "r1",
        CASE.id,
        form.id,
        1,
        "draft",
        outcome({"plan": "no"}),
        ["c1", "c2"],
        None,
        "",
        "",
        None,
        {},
        None,
        1,
    )
    editor = RecordEditor(session, CASE, form, draft)
    table = editor.editors["decisions"].table
    plan_col, cat_col = (
        next(i for i, c in enumerate(form.field("decisions").columns) if c.key == k)
        for k in ("plan", "category")
    )  # type: ignore[union-attr]

    def combo(row: int, col: int) -> QComboBox:
        widget = table.cellWidget(row, col)
        assert isinstance(widget, QComboBox)
        return widget

    assert combo(0, cat_col).isEnabled() and not combo(1, cat_col).isEnabled()
    combo(1, plan_col).setCurrentIndex(combo(1, plan_col).findData("yes"))
    assert combo(1, cat_col).isEnabled()
    editor.timer.stop()  # no vault is open: the draft is not autosaved
    editor._refresh()
    assert "row 2 (Leo Okafor): Category of abuse is needed" in editor.problems.text()


def test_forms_check_refuses_a_column_condition_naming_no_column_of_the_row() -> None:
    """A column's condition must name a column of its own table; a typo is named by field."""
    doc = {
        "id": "decisions_only",
        "version": 1,
        "title": "Decisions",
        "sections": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {
                        "key": "decisions",
                        "label": "Decisions",
                        "type": "table",
                        "columns": [
                            {"key": "plan", "label": "Plan", "type": "yes_no_unknown"},
                            {
                                "key": "category",
                                "label": "Category",
                                "type": "text",
                                "required_if": {"field": "planned", "equals": "yes"},
                            },
                        ],
                    }
                ],
            }
        ],
    }
    probs = Problems("decisions_only/v1.toml")
    parse_form(doc, probs.file, probs)
    assert probs.items == [
        "decisions_only/v1.toml: field decisions.category.required_if: "
        "refers to a field “planned” that this form does not have"
    ]


def test_record_add_final_refuses_a_plan_without_a_category(tmp_path: Path) -> None:
    """`fieldbook record add --final` names Leo's row and saves nothing; with the category it saves."""
    env = {"FIELDBOOK_VAULT": str(tmp_path / "v.fieldbook"), "FIELDBOOK_PASSPHRASE": "heron bridge at dawn"}
    assert (
        fieldbook(
            "init", "--name", "Sam Carter", "--role", "SW", "--agency", "Northshire", env=env
        ).returncode
        == 0
    )
    made = fieldbook(
        "--json",
        "case",
        "add",
        "--child",
        "Maya Okafor",
        "--dob",
        "2017-03-02",
        "--child",
        "Leo Okafor",
        "--dob",
        "2022-01-10",
        env=env,
    )
    case_id = json.loads(made.stdout)["case_id"]
    kids = {
        p["given_name"]: p["id"]
        for p in json.loads(fieldbook("--json", "case", "show", case_id, env=env).stdout)["people"]
    }
    data = outcome({"plan": "yes"})
    data["date"] = "2026-11-20"
    data["decisions"][0]["child"], data["decisions"][1]["child"] = [kids["Maya"]], [kids["Leo"]]
    args = ("record", "add", case_id, "--form", "conference_outcome", "--json", "-", "--final")
    out: subprocess.CompletedProcess[str] = fieldbook(*args, env=env, stdin=json.dumps(data))
    assert out.returncode != 0
    assert "Decision for each child, row 2 (Leo Okafor): Category of abuse is needed" in out.stderr
    assert json.loads(fieldbook("--json", "case", "show", case_id, env=env).stdout)["records"] == []
    data["decisions"][1]["category"] = "PHY"
    assert fieldbook(*args, env=env, stdin=json.dumps(data)).returncode == 0
