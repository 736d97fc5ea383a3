"""The body map's named regions and marker placement, shared by the desktop widget and the PDF.

``resources/body_map/child.json`` draws a child in a 100 × 200 box; records keep a marker's x and
y as fractions of that box. Here: the regions a keyboard user chooses from, the region nearest a
clicked point, a free spot near a region (two markers put on one arm do not sit on top of each
other), and where to draw markers that were saved too close, so every number stays legible.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.core.paths import resource

WIDTH, HEIGHT = 100.0, 200.0
SIDES = ("front", "back")
# Closest two marker centres may be, in box units: a marker is drawn about 8 units across.
MIN_GAP = 10.0


@lru_cache(maxsize=1)
def outline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("body_map", "child.json").read_text("utf-8"))
    return data


@dataclass(frozen=True)
class Region:
    side: str
    name: str
    x: float  # fraction of the width
    y: float  # fraction of the height


def regions(side: str) -> list[Region]:
    """The named places on ``side`` ("front" or "back"), head to foot."""
    return [
        Region(side, r["name"], float(r["x"]) / WIDTH, float(r["y"]) / HEIGHT)
        for r in outline()["sides"][side].get("regions", [])
    ]


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two fractional points, in box units (the box is twice as tall as wide)."""
    return math.hypot((a[0] - b[0]) * WIDTH, (a[1] - b[1]) * HEIGHT)


def nearest_region(side: str, x: float, y: float) -> Region | None:
    """The region whose centre is nearest the point (a clicked marker is named by it)."""
    return min(regions(side), key=lambda r: _distance((r.x, r.y), (x, y)), default=None)


def free_spot(
    x: float, y: float, taken: list[tuple[float, float]], gap: float = MIN_GAP
) -> tuple[float, float]:
    """The point nearest (x, y) at least ``gap`` box units from every taken point: tried on
    rings of growing radius around it, so a second marker on one region sits just beside the first."""
    candidates = [(x, y)]
    for ring in range(1, 6):
        radius = gap * ring
        steps = 8 * ring
        for k in range(steps):
            angle = 2 * math.pi * k / steps + math.pi / 2  # start below, then round
            candidates.append((x + radius * math.cos(angle) / WIDTH, y + radius * math.sin(angle) / HEIGHT))
    for cx, cy in candidates:
        if 0 <= cx <= 1 and 0 <= cy <= 1 and all(_distance((cx, cy), t) >= gap for t in taken):
            return round(cx, 3), round(cy, 3)
    return x, y


def spread(points: list[tuple[float, float]], gap: float, rounds: int = 60) -> list[tuple[float, float]]:
    """Where to draw points (in any one unit, e.g. pixels) so that no two are closer than ``gap``:
    points too close are pushed apart along the line between them, a little at a time, and stay
    as near their true places as they can. Points already far enough apart do not move."""
    out = [list(p) for p in points]
    for _ in range(rounds):
        moved = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                dx, dy = out[j][0] - out[i][0], out[j][1] - out[i][1]
                dist = math.hypot(dx, dy)
                if dist >= gap - 1e-6:
                    continue
                if dist < 1e-6:  # the same point: separate along a fixed diagonal
                    dx, dy, dist = 0.6, 0.8, 1.0
                push = (gap - dist) / 2 + 0.01
                ux, uy = dx / dist, dy / dist
                out[i][0] -= ux * push
                out[i][1] -= uy * push
                out[j][0] += ux * push
                out[j][1] += uy * push
                moved = True
        if not moved:
            break
    return [(p[0], p[1]) for p in out]
