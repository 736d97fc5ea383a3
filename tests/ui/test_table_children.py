"""The records after the referral in the desktop app: every form can be started from the case,
and a conference decision per child is typed into the editor's table, where the child column is
a drop-down of the case's children and the plan column a yes / no / not known drop-down."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from app.core.forms import load_registry
from app.ui.fields import make_editor


def test_decisions_table_picks_a_child_per_row_and_round_trips(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Each row's child is chosen from the case's children and stored as a child picker value;
    a saved decision opens with the same child and plan selected."""
    spec = load_registry().get("conference_outcome").field("decisions")
    assert spec is not None
    kids = [("c-maya", "Maya Okafor"), ("c-leo", "Leo Okafor")]
    saved = [{"child": ["c-leo"], "plan": "no", "reasons": "Safe with his father"}]
    editor = make_editor(spec, children=kids, put_attachment=lambda *a: "", get_attachment=lambda s: b"")
    editor.set_value(saved)
    qtbot.addWidget(editor.widget)
    table = editor.table  # type: ignore[attr-defined]
    child = table.cellWidget(0, 0)
    plan = table.cellWidget(0, 1)
    assert isinstance(child, QComboBox) and isinstance(plan, QComboBox)
    assert [child.itemText(i) for i in range(child.count())] == ["", "Maya Okafor", "Leo Okafor"]
    assert child.currentText() == "Leo Okafor"
    assert editor.value() == saved
    child.setCurrentIndex(child.findData("c-maya"))
    plan.setCurrentIndex(plan.findData("yes"))
    assert editor.value()[0]["child"] == ["c-maya"] and editor.value()[0]["plan"] == "yes"


def test_every_record_type_can_be_started_from_the_case(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Each form of the registry has a "New …" button on some tab of the case workspace, so the
    records after the referral are reachable without the command line."""
    from PySide6.QtWidgets import QPushButton

    from app.ui.case_view import TABS

    registry = load_registry()
    on_tabs = {fid for _title, forms in TABS for fid in forms}
    missing = {f.id for f in registry.latest()} - on_tabs - {"chronology_entry", "milestone"}
    assert missing == set()  # the chronology and milestones have their own buttons
    from app.ui.case_view import RecordsTab

    tab = RecordsTab("Plans && visits", ["conference_outcome", "home_visit"], registry)
    qtbot.addWidget(tab)
    names = {b.accessibleName() for b in tab.findChildren(QPushButton)}
    assert {"New Conference outcome", "New Home visit"} <= names
