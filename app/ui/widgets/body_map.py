"""Body map: place numbered markers on the front or back outline and describe each one.

By keyboard: choose the side and a body region from lists, then Add marker; the description
field takes the focus with the region already written in. By mouse: click on the outline. The
outline is the same vector data the PDF draws (``resources/body_map/child.json``); markers are
stored as fractions of the outline's width and height, so they land in the same place. Markers
saved too close together are drawn pushed apart with a thin line to the spot they mark, so every
number stays legible. A screen reader hears the map as its list of markers.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core import bodymap
from app.ui.theme import colour

RADIUS = 11.0  # px; a marker's circle


def _path(cmds: list[list[Any]], rect: QRectF, w: float, h: float) -> QPainterPath:
    path = QPainterPath()
    sx, sy = rect.width() / w, rect.height() / h

    def pt(x: float, y: float) -> QPointF:
        return QPointF(rect.left() + x * sx, rect.top() + y * sy)

    for c in cmds:
        op, n = c[0], [float(v) for v in c[1:]]
        if op == "M":
            path.moveTo(pt(n[0], n[1]))
        elif op == "L":
            path.lineTo(pt(n[0], n[1]))
        elif op == "C":
            path.cubicTo(pt(n[0], n[1]), pt(n[2], n[3]), pt(n[4], n[5]))
        elif op == "Z":
            path.closeSubpath()
    return path


def describe_marker(m: dict[str, Any]) -> str:
    """One marker as a screen reader hears it: "1, front: Round bruise, left upper arm"."""
    return f"{m['n']}, {m['side']}: {m.get('description') or 'not described yet'}"


class BodyCanvas(QWidget):
    """The two outlines side by side; a click adds a marker on that side."""

    clicked = Signal(str, float, float)

    def __init__(self) -> None:
        super().__init__()
        self.markers: list[dict[str, Any]] = []
        self.setMinimumSize(300, 340)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _rects(self) -> dict[str, QRectF]:
        data = bodymap.outline()
        w, h = float(data["width"]), float(data["height"])
        top = 8.0 + self.fontMetrics().height() * 1.4
        scale = min((self.width() - 60) / 2 / w, (self.height() - top - 14) / h)
        bw, bh = w * scale, h * scale
        left = (self.width() - 2 * bw - 20) / 2
        return {"front": QRectF(left, top, bw, bh), "back": QRectF(left + bw + 20, top, bw, bh)}

    def placed(self) -> list[tuple[dict[str, Any], QPointF, QPointF]]:
        """Each marker with the point it marks and where its numbered circle is drawn."""
        out = []
        rects = self._rects()
        for side, rect in rects.items():
            mine = [m for m in self.markers if m["side"] == side]
            true = [(rect.left() + m["x"] * rect.width(), rect.top() + m["y"] * rect.height()) for m in mine]
            drawn = bodymap.spread(true, 2 * RADIUS + 3)
            for m, (tx, ty), (dx, dy) in zip(mine, true, drawn, strict=True):
                out.append((m, QPointF(tx, ty), QPointF(dx, dy)))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        data = bodymap.outline()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), colour("base"))
        w, h = float(data["width"]), float(data["height"])
        for side, rect in self._rects().items():
            p.setPen(colour("text"))
            p.drawText(
                QRectF(rect.left(), 4, rect.width(), rect.top() - 6),
                Qt.AlignmentFlag.AlignCenter,
                side.capitalize(),
            )
            body = data["sides"][side]
            p.setPen(QPen(colour("outline"), 1.6))
            p.setBrush(Qt.BrushStyle.NoBrush)
            for cmds in body.get("paths", []):
                p.fillPath(_path(cmds, rect, w, h), colour("outline_fill"))
                p.drawPath(_path(cmds, rect, w, h))
            p.setPen(QPen(colour("outline_detail"), 0.8))
            for cmds in body.get("details", []):
                p.drawPath(_path(cmds, rect, w, h))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        for m, true, drawn in self.placed():
            if (drawn - true).manhattanLength() > 2:  # pushed aside: a line to the spot it marks
                p.setPen(QPen(colour("marker"), 1.2))
                p.drawLine(true, drawn)
                p.setBrush(colour("marker"))
                p.drawEllipse(true, 2.5, 2.5)
            p.setPen(QPen(colour("marker_text"), 1.5))
            p.setBrush(colour("marker"))
            p.drawEllipse(drawn, RADIUS, RADIUS)
            p.drawText(
                QRectF(drawn.x() - RADIUS, drawn.y() - RADIUS, 2 * RADIUS, 2 * RADIUS),
                Qt.AlignmentFlag.AlignCenter,
                str(m["n"]),
            )
        if self.hasFocus():  # the focus ring, 2 px, like every other control's
            p.setPen(QPen(colour("focus"), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        for side, rect in self._rects().items():
            if rect.contains(pos):
                self.clicked.emit(
                    side,
                    round((pos.x() - rect.left()) / rect.width(), 3),
                    round((pos.y() - rect.top()) / rect.height(), 3),
                )
                return


class BodyMapWidget(QWidget):
    """The outline, a side-and-region chooser, and one description field per marker."""

    changed = Signal()

    def __init__(self, label: str = "Body map") -> None:
        super().__init__()
        self.label = label
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.canvas = BodyCanvas()
        self.canvas.clicked.connect(self._clicked)
        lay.addWidget(self.canvas, 1)
        side = QVBoxLayout()
        self.chooser = QWidget()
        grid = QGridLayout(self.chooser)
        grid.setContentsMargins(0, 0, 0, 0)
        self.side = QComboBox()
        self.side.setAccessibleName("Marker side")
        self.side.addItem("Front", "front")
        self.side.addItem("Back", "back")
        self.region = QComboBox()
        self.region.setAccessibleName("Body region")
        self.side.currentIndexChanged.connect(self._fill_regions)
        self.add_button = QPushButton("Add &marker")
        self.add_button.setAccessibleName("Add marker")
        self.add_button.clicked.connect(self._add_chosen)
        for row, (text, widget) in enumerate((("Si&de", self.side), ("Re&gion", self.region))):
            tag = QLabel(text)
            tag.setBuddy(widget)
            grid.addWidget(tag, row, 0)
            grid.addWidget(widget, row, 1)
        grid.addWidget(self.add_button, 2, 1, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.chooser)
        heading = QLabel("<b>Markers</b> — describe size, colour and shape")
        heading.setWordWrap(True)
        side.addWidget(heading)
        self.rows = QVBoxLayout()
        side.addLayout(self.rows)
        side.addStretch(1)
        lay.addLayout(side, 1)
        self._edits: list[QLineEdit] = []
        self._texts: list[QLabel] = []
        self._rows: list[QWidget] = []
        self._read_only = False
        self._loading = False
        self._fill_regions()
        self._announce_markers()

    # -- placing ------------------------------------------------------------------------------
    def _fill_regions(self) -> None:
        self.region.clear()
        for r in bodymap.regions(self.side.currentData()):
            self.region.addItem(r.name, (r.x, r.y))

    def _add_chosen(self) -> None:
        side = self.side.currentData()
        x, y = self.region.currentData()
        taken = [(m["x"], m["y"]) for m in self.canvas.markers if m["side"] == side]
        # beside any marker already there, so both numbers can be read (on screen and in the PDF)
        x, y = bodymap.free_spot(x, y, taken)
        self.add_marker(side, x, y, f"{self.region.currentText()}: ")

    def _clicked(self, side: str, x: float, y: float) -> None:
        region = bodymap.nearest_region(side, x, y)
        self.add_marker(side, x, y, f"{region.name}: " if region else "")

    def add_marker(self, side: str, x: float, y: float, description: str = "") -> None:
        n = len(self.canvas.markers) + 1
        self.canvas.markers.append({"n": n, "side": side, "x": x, "y": y, "description": description})
        # each description is labelled with the number drawn on the map, so the two are linked
        # by text, not by position or colour
        row = QWidget()
        row_lay = QHBoxLayout(row)
        row_lay.setContentsMargins(0, 0, 0, 0)
        tag = QLabel(f"<b>{n}</b> {side}")
        tag.setMinimumWidth(tag.fontMetrics().horizontalAdvance("99 front  "))
        edit = QLineEdit(description)
        edit.setAccessibleName(f"Marker {n} ({side}) description")
        edit.setPlaceholderText("size, colour, shape, where")
        edit.setToolTip(description)
        tag.setBuddy(edit)
        edit.textChanged.connect(lambda text, i=n - 1: self._describe(i, text))
        remove = QPushButton("Remove")
        remove.setAccessibleName(f"Remove marker {n}")
        remove.clicked.connect(lambda _=False, i=n - 1: self.remove_marker(i))
        edit.setReadOnly(self._read_only)
        # read-only, the description is wrapping text (a line edit cut long descriptions short)
        text = QLabel(description)
        text.setObjectName("readValue")
        text.setWordWrap(True)
        text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        text.setAccessibleDescription(f"Marker {n} ({side})")
        row_lay.addWidget(tag)
        row_lay.addWidget(edit, 1)
        row_lay.addWidget(text, 1)
        row_lay.addWidget(remove)
        text.setVisible(self._read_only)
        edit.setHidden(self._read_only)
        remove.setHidden(self._read_only)  # once parented: shown alone it would be a window
        self.rows.addWidget(row)
        row.show()  # now, not when the layout gets round to it: the focus must land in it
        self._rows.append(row)
        self._edits.append(edit)
        self._texts.append(text)
        self.canvas.update()
        self._announce_markers()
        if not self._read_only and not self._loading:
            edit.setFocus()
            edit.end(False)
        else:
            edit.setCursorPosition(0)  # show how a saved description begins, not how it ends
        self.changed.emit()

    def remove_marker(self, index: int) -> None:
        """Take a marker off; the others are renumbered so the numbers stay 1, 2, 3 …"""
        kept = [m for i, m in enumerate(self.canvas.markers) if i != index]
        self.set_value({"markers": kept} if kept else None)
        (self._edits[min(index, len(self._edits) - 1)] if self._edits else self.add_button).setFocus()
        self.changed.emit()

    def _describe(self, i: int, text: str) -> None:
        self.canvas.markers[i]["description"] = text
        self._texts[i].setText(text)
        self._edits[i].setToolTip(text)  # the whole description, when the field is too narrow
        self._announce_markers()
        self.changed.emit()

    def _announce_markers(self) -> None:
        """The canvas reads as the list of its markers, not as a picture."""
        markers = self.canvas.markers
        count = f"{len(markers)} marker{'s' if len(markers) != 1 else ''}" if markers else "no markers"
        self.canvas.setAccessibleName(f"{self.label}: {count}")
        self.canvas.setAccessibleDescription(
            "; ".join(describe_marker(m) for m in markers)
            or "Choose a side and a body region, then Add marker (or click on the outline)."
        )

    # -- value --------------------------------------------------------------------------------
    def value(self) -> dict[str, Any] | None:
        return {"markers": [dict(m) for m in self.canvas.markers]} if self.canvas.markers else None

    def set_value(self, value: Any) -> None:
        for row in self._rows:
            self.rows.removeWidget(row)
            row.hide()
            row.deleteLater()
        self._rows.clear()
        self._edits.clear()
        self._texts.clear()
        self.canvas.markers = []
        self._loading = True
        try:
            for m in (value or {}).get("markers", []):
                self.add_marker(m["side"], float(m["x"]), float(m["y"]), m.get("description", ""))
        finally:
            self._loading = False
        self._announce_markers()
        self.canvas.update()

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self.canvas.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, ro)
        self.chooser.setVisible(not ro)
        for edit, text in zip(self._edits, self._texts, strict=True):
            edit.setReadOnly(ro)
            edit.setHidden(ro)
            text.setVisible(ro)
        for row in self._rows:
            for button in row.findChildren(QPushButton):
                button.setVisible(not ro)
