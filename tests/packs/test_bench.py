"""The export/verify benchmark's rows and table, from fixed figures.

The benchmark itself is run by `fieldbook bench` (DESIGN.md §6), not by the suite: its figures are
measured, never asserted."""

from __future__ import annotations

from app.cli.bench_cmds import format_table
from app.core.packs.bench import rows_for


def test_bench_rows_say_how_they_were_measured_and_judge_the_targets() -> None:
    """Four rows (export time, ratio, verify time, memory) with targets; the timed rows give the
    median and range of their runs (interleaved pairs, so the ratio is fair); a slow export is
    judged missed and shows as MISSED in the table."""
    rows = rows_for(2000, 10, [1.9, 1.7, 2.4], [1.31, 1.34, 1.52], 0.42, 20.2, 212.0)
    assert [r["unit"] for r in rows] == ["s", "×", "s", "MB"]
    assert [(r["value"], r["ok"]) for r in rows] == [(1.9, True), (1.34, True), (0.42, True), (212.0, True)]
    assert rows[0]["detail"] == "median of 3, range 1.70-2.40 s"
    assert rows[1]["detail"] == "median of 3 interleaved pairs, range 1.31-1.52"
    assert rows[2]["name"] == "verify a 20 MB pack"
    slow = rows_for(2000, 10, [2.5], [1.6], 1.2, 20.0, 310.0)
    assert [r["ok"] for r in slow] == [False, False, False, False]
    table = format_table(slow).splitlines()
    assert all(line.split("  ")[0].strip() and "MISSED" in line for line in table[1:])
    assert table[1].startswith("export conference pack (2000 chronology, 10 images, signed)")


def test_reportlab_draws_with_its_c_accelerator() -> None:
    """ReportLab formats numbers, measures TrueType text and escapes strings in C (rl-accel, a
    declared dependency), not in its pure-Python fallbacks: a large export depends on it."""
    from reportlab.lib import rl_accel

    used = {
        name: getattr(rl_accel, name).__module__ for name in ("fp_str", "escapePDF", "instanceStringWidthTTF")
    }
    assert set(used.values()) == {"_rl_accel"}, used
