"""The body map as a nursery practitioner uses it: by keyboard, by mouse, and by screen reader."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from app.core import bodymap
from app.ui.main import make_app
from app.ui.widgets.body_map import BodyMapWidget
from tests.ui.user import User


def _map(qtbot) -> BodyMapWidget:  # type: ignore[no-untyped-def]
    make_app()
    widget = BodyMapWidget("Body map")
    widget.setWindowTitle("Body map")
    qtbot.addWidget(widget)
    widget.resize(900, 560)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def test_markers_are_placed_and_described_entirely_by_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Side and region chosen from lists, Add marker, type: each marker is numbered, placed on
    its region and described, and focus lands in the new description."""
    widget = _map(qtbot)
    user = User(qtbot)
    user.choose("Marker side", "Front")
    user.choose("Body region", "Left upper arm")
    user.press("Tab", "Space")  # on to Add marker, and press it
    assert user.focus_name() == "Marker 1 (front) description"
    user.type("round bruise, 1 cm, blue")
    user.choose("Marker side", "Back")
    user.choose("Body region", "Lower back")
    user.click("Add marker")
    user.type("graze, 3 cm")
    value = widget.value()
    assert value is not None
    assert [(m["n"], m["side"], m["description"]) for m in value["markers"]] == [
        (1, "front", "Left upper arm: round bruise, 1 cm, blue"),
        (2, "back", "Lower back: graze, 3 cm"),
    ]
    arm = next(r for r in bodymap.regions("front") if r.name == "Left upper arm")
    first = value["markers"][0]
    assert (first["x"], first["y"]) == (round(arm.x, 3), round(arm.y, 3))
    # the child's left arm is drawn on the viewer's right of the front outline
    assert first["x"] > 0.5


def test_two_markers_on_one_region_do_not_overlap(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A second and third marker on the same arm are placed beside the first, far enough apart
    that every number can be read, on screen and in the stored record."""
    widget = _map(qtbot)
    user = User(qtbot)
    user.choose("Body region", "Left upper arm")
    for text in ("first", "second", "third"):
        user.click("Add marker")
        user.type(text)
    markers = widget.value()["markers"]  # type: ignore[index]
    points = [(m["x"], m["y"]) for m in markers]
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            gap = ((a[0] - b[0]) * 100) ** 2 + ((a[1] - b[1]) * 200) ** 2
            assert gap**0.5 >= bodymap.MIN_GAP - 0.5
    drawn = [d for _, _, d in widget.canvas.placed()]
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert (a - b).manhattanLength() > 22  # two radii: circles do not cover each other


def test_markers_saved_on_top_of_each_other_are_drawn_apart(qtbot) -> None:  # type: ignore[no-untyped-def]
    """An older record with two markers on one spot still shows both numbers, each with a line
    to the spot it marks."""
    widget = _map(qtbot)
    widget.set_value(
        {
            "markers": [
                {"n": 1, "side": "front", "x": 0.30, "y": 0.33, "description": "a"},
                {"n": 2, "side": "front", "x": 0.30, "y": 0.33, "description": "b"},
            ]
        }
    )
    (_, true1, drawn1), (_, true2, drawn2) = widget.canvas.placed()
    assert true1 == true2
    assert (drawn1 - drawn2).manhattanLength() > 22


def test_the_map_is_heard_as_the_list_of_its_markers(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A screen reader on the outline hears how many markers there are and what each one is."""
    widget = _map(qtbot)
    user = User(qtbot)
    assert "no markers" in user.read("Body map: no markers")
    user.choose("Body region", "Face")
    user.click("Add marker")
    user.type("scratch, 2 cm")
    heard = user.read("Body map: 1 marker")
    assert "1, front: Face: scratch, 2 cm" in heard
    assert widget.canvas.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_removing_a_marker_renumbers_the_rest(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Remove marker 1 and the old marker 2 becomes 1, on the map and in its field's name."""
    widget = _map(qtbot)
    user = User(qtbot)
    for region in ("Face", "Chest"):
        user.choose("Body region", region)
        user.click("Add marker")
    user.click("Remove marker 1")
    assert [m["n"] for m in widget.value()["markers"]] == [1]  # type: ignore[index]
    assert user.sees("Marker 1 (front) description")
    assert "Chest" in user.read("Marker 1 (front) description")


def test_clicking_the_outline_places_a_marker_named_by_its_region(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A click on the front outline places marker 1 there, its description begun with the region."""
    widget = _map(qtbot)
    canvas = widget.canvas
    rect = canvas._rects()["front"]
    face = next(r for r in bodymap.regions("front") if r.name == "Face")
    at = QPoint(int(rect.left() + face.x * rect.width()), int(rect.top() + face.y * rect.height()))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at)
    value = widget.value()
    assert value is not None and len(value["markers"]) == 1
    assert value["markers"][0]["side"] == "front"
    assert value["markers"][0]["description"].startswith("Face")


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
