"""The export/verify benchmark runs and reports its rows (figures are measured, not asserted)."""

from __future__ import annotations

from app.core.packs.bench import run


def test_bench_quick_reports_every_row() -> None:
    """`fieldbook bench` gets four rows (export time, ratio, verify time, memory) with targets."""
    rows = run(quick=True)
    assert [r["unit"] for r in rows] == ["s", "×", "s", "MB"]
    assert all({"name", "value", "unit", "target", "ok"} <= set(r) and r["value"] > 0 for r in rows)
    # the two timed rows say how they were measured (interleaved pairs, so the ratio is fair)
    assert "interleaved" in rows[1]["detail"] and "median of 1" in rows[0]["detail"]
