"""Body map and table widgets: markers described beside their numbers, dates in table cells."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from app.ui.main import make_app
from app.ui.widgets.body_map import BodyMapWidget


def test_markers_added_from_the_keyboard_are_numbered_and_described(qtbot) -> None:  # type: ignore[no-untyped-def]
    make_app()
    widget = BodyMapWidget()
    qtbot.addWidget(widget)
    widget.show()
    front, back = (b for b in widget.findChildren(QPushButton))
    front.setFocus()
    qtbot.keyClick(front, Qt.Key.Key_Space)
    # focus moves to the new description, so the practitioner can type straight away
    qtbot.keyClicks(widget.focusWidget(), "Round bruise, 1 cm, blue, left upper arm")
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(widget.focusWidget(), "Graze, 3 cm, lower back")
    value = widget.value()
    assert value is not None
    assert [(m["n"], m["side"], m["description"]) for m in value["markers"]] == [
        (1, "front", "Round bruise, 1 cm, blue, left upper arm"),
        (2, "back", "Graze, 3 cm, lower back"),
    ]
    edits = widget.findChildren(QLineEdit)
    assert [e.accessibleName() for e in edits] == [
        "Marker 1 (front) description",
        "Marker 2 (back) description",
    ]
    tags = [lab for lab in widget.findChildren(QLabel) if lab.buddy() in edits]
    assert sorted(t.text() for t in tags) == ["<b>1</b> front", "<b>2</b> back"]
    assert edits[0].toolTip() == "Round bruise, 1 cm, blue, left upper arm"


def test_loading_a_record_replaces_the_marker_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    make_app()
    widget = BodyMapWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.add_marker("front", 0.3, 0.4, "first")
    widget.add_marker("front", 0.6, 0.4, "second")
    widget.set_value(
        {"markers": [{"n": 1, "side": "back", "x": 0.5, "y": 0.6, "description": "only this one"}]}
    )
    qtbot.waitUntil(lambda: len(widget.findChildren(QLineEdit)) == 1)
    assert widget.findChildren(QLineEdit)[0].text() == "only this one"
    value = widget.value()
    assert value is not None and len(value["markers"]) == 1


def test_clicking_the_outline_places_a_marker_where_clicked(qtbot) -> None:  # type: ignore[no-untyped-def]
    make_app()
    widget = BodyMapWidget()
    qtbot.addWidget(widget)
    widget.show()
    canvas = widget.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() // 4, canvas.height() // 2))
    value = widget.value()
    assert value is not None and len(value["markers"]) == 1
    assert value["markers"][0]["side"] == "front"


def test_a_day_first_date_typed_in_a_table_cell_is_saved_as_iso(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The actions table of a strategy discussion: "5/11/2026" in the due column is stored ISO."""
    from app.core.forms import load_registry
    from app.ui.fields import TableEditor

    make_app()
    form = load_registry().get("strategy_discussion")
    spec = next(
        f for f in form.all_fields() if f.type == "table" and any(c.type == "date" for c in f.columns)
    )
    col = next(i for i, c in enumerate(spec.columns) if c.type == "date")
    editor = TableEditor(spec)
    qtbot.addWidget(editor.widget)
    editor._add_row({})
    editor.table.item(0, col).setText("5/11/2026")
    assert editor.value()[0][spec.columns[col].key] == "2026-11-05"
