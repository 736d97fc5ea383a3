"""The body map widget: markers placed by keyboard or click, each described beside its number."""

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
        (2, "back", "Graze, 3 cm, lower back")]
    edits = widget.findChildren(QLineEdit)
    assert [e.accessibleName() for e in edits] == ["Marker 1 (front) description",
                                                   "Marker 2 (back) description"]
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
    widget.set_value({"markers": [{"n": 1, "side": "back", "x": 0.5, "y": 0.6,
                                   "description": "only this one"}]})
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
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton,
                     pos=QPoint(canvas.width() // 4, canvas.height() // 2))
    value = widget.value()
    assert value is not None and len(value["markers"]) == 1
    assert value["markers"][0]["side"] == "front"
