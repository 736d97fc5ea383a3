"""Body map: click on the front or back outline to place a numbered marker, then describe it.

The outline is the same vector data the PDF draws (``resources/body_map/child.json``); markers
are stored as fractions of the outline's width and height, so they land in the same place.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.paths import resource


@lru_cache(maxsize=1)
def outline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("body_map", "child.json").read_text("utf-8"))
    return data


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


class BodyCanvas(QWidget):
    """The two outlines side by side; a click adds a marker on that side."""

    clicked = Signal(str, float, float)

    def __init__(self) -> None:
        super().__init__()
        self.markers: list[dict[str, Any]] = []
        self.setMinimumSize(320, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Body map outline: click to place a marker")

    def _rects(self) -> dict[str, QRectF]:
        data = outline()
        w, h = float(data["width"]), float(data["height"])
        avail_w = (self.width() - 60) / 2
        scale = min(avail_w / w, (self.height() - 40) / h)
        bw, bh = w * scale, h * scale
        top = 30.0
        return {"front": QRectF(20, top, bw, bh), "back": QRectF(40 + bw, top, bw, bh)}

    def paintEvent(self, event: QPaintEvent) -> None:
        data = outline()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        w, h = float(data["width"]), float(data["height"])
        for side, rect in self._rects().items():
            p.setPen(QColor("#333333"))
            p.drawText(
                QRectF(rect.left(), 4, rect.width(), 22), Qt.AlignmentFlag.AlignCenter, side.capitalize()
            )
            body = data["sides"][side]
            p.setPen(QPen(QColor("#4a5568"), 1.6))
            p.setBrush(Qt.BrushStyle.NoBrush)
            for cmds in body.get("paths", []):
                p.fillPath(_path(cmds, rect, w, h), QColor("#eef2f7"))
                p.drawPath(_path(cmds, rect, w, h))
            p.setPen(QPen(QColor("#a0aec0"), 0.8))
            for cmds in body.get("details", []):
                p.drawPath(_path(cmds, rect, w, h))
            font = QFont(self.font())
            font.setBold(True)
            p.setFont(font)
            for m in self.markers:
                if m["side"] != side:
                    continue
                c = QPointF(rect.left() + m["x"] * rect.width(), rect.top() + m["y"] * rect.height())
                p.setPen(QPen(QColor("#ffffff"), 1.5))
                p.setBrush(QColor("#b3261e"))
                p.drawEllipse(c, 10, 10)
                p.drawText(QRectF(c.x() - 10, c.y() - 10, 20, 20), Qt.AlignmentFlag.AlignCenter, str(m["n"]))
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
    """Canvas plus one description field per marker (keyboard users add markers by button)."""

    changed = Signal()

    def __init__(self, label: str = "Body map") -> None:
        super().__init__()
        self.setAccessibleName(label)
        lay = QHBoxLayout(self)
        self.canvas = BodyCanvas()
        self.canvas.clicked.connect(self.add_marker)
        lay.addWidget(self.canvas, 1)
        side = QVBoxLayout()
        self.rows = QVBoxLayout()
        side.addWidget(QLabel("<b>Markers</b> — describe size, colour and shape"))
        side.addLayout(self.rows)
        add_front = QPushButton("Add marker (front)")
        add_front.setAccessibleName("Add marker on the front")
        add_front.clicked.connect(lambda: self.add_marker("front", 0.5, 0.5))
        add_back = QPushButton("Add marker (back)")
        add_back.setAccessibleName("Add marker on the back")
        add_back.clicked.connect(lambda: self.add_marker("back", 0.5, 0.5))
        side.addWidget(add_front)
        side.addWidget(add_back)
        side.addStretch(1)
        lay.addLayout(side, 1)
        self._edits: list[QLineEdit] = []
        self._rows: list[QWidget] = []

    def add_marker(self, side: str, x: float, y: float, description: str = "") -> None:
        n = len(self.canvas.markers) + 1
        self.canvas.markers.append({"n": n, "side": side, "x": x, "y": y, "description": description})
        # each description is labelled with the number drawn on the map, so the two are linked
        # by text, not by position or colour
        row = QWidget()
        row_lay = QHBoxLayout(row)
        row_lay.setContentsMargins(0, 0, 0, 0)
        tag = QLabel(f"<b>{n}</b> {side}")
        tag.setMinimumWidth(tag.fontMetrics().horizontalAdvance("99 front "))
        edit = QLineEdit(description)
        edit.setAccessibleName(f"Marker {n} ({side}) description")
        edit.setPlaceholderText("size, colour, shape, where")
        edit.setToolTip(description)
        edit.setCursorPosition(0)  # show how a saved description begins, not how it ends
        tag.setBuddy(edit)
        edit.textChanged.connect(lambda text, i=n - 1: self._describe(i, text))
        row_lay.addWidget(tag)
        row_lay.addWidget(edit, 1)
        self.rows.addWidget(row)
        self._rows.append(row)
        self._edits.append(edit)
        self.canvas.update()
        edit.setFocus()
        self.changed.emit()

    def _describe(self, i: int, text: str) -> None:
        self.canvas.markers[i]["description"] = text
        self._edits[i].setToolTip(text)  # the whole description, when the field is too narrow
        self.changed.emit()

    def value(self) -> dict[str, Any] | None:
        return {"markers": [dict(m) for m in self.canvas.markers]} if self.canvas.markers else None

    def set_value(self, value: Any) -> None:
        for row in self._rows:
            self.rows.removeWidget(row)
            row.deleteLater()
        self._rows.clear()
        self._edits.clear()
        self.canvas.markers = []
        for m in (value or {}).get("markers", []):
            self.add_marker(m["side"], float(m["x"]), float(m["y"]), m.get("description", ""))

    def set_read_only(self, ro: bool) -> None:
        self.canvas.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, ro)
        for edit in self._edits:
            edit.setReadOnly(ro)
        for button in self.findChildren(QPushButton):
            button.setVisible(not ro)
