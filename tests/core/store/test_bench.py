"""The vault benchmark's rows and the `fieldbook bench` table, from fixed figures.

The benchmark itself is run by `fieldbook bench` (DESIGN.md §6), not by the suite: its figures are
measured, never asserted, and running it here only cost half a minute per run."""

from __future__ import annotations

from app.cli.bench_cmds import format_table
from app.core.store.bench import rows_for

FIGURES = {
    "cipher": 2.6,
    "plain": 2.0,
    "unlock": 0.61,
    "median": 4.2,
    "p95": 9.87,
    "build": 30.0,
    "ratio_min": 1.21,
    "ratio_max": 1.34,
}


def test_vault_rows_name_both_modes_and_judge_the_targets() -> None:
    """Each memory-security mode gets a workload ratio, a median and a 95th-percentile row, the
    shipped mode also the unlock time; a ratio above 1.3 is judged missed."""
    on = rows_for("on", 1_000, 10_000, FIGURES)
    off = rows_for("off", 1_000, 10_000, {**FIGURES, "cipher": 2.4})
    assert [r["unit"] for r in on] == ["×", "ms", "ms", "s"]
    assert [r["unit"] for r in off] == ["×", "ms", "ms"]
    assert "shipped: memory security on" in on[0]["name"] and "memory security off" in off[0]["name"]
    assert (on[0]["value"], on[0]["ok"]) == (1.3, True)
    assert (off[0]["value"], off[0]["ok"]) == (1.2, True)
    assert rows_for("on", 1, 1, {**FIGURES, "cipher": 2.8})[0]["ok"] is False
    assert "range 1.21-1.34" in on[0]["detail"]
    assert on[1]["name"].endswith(": median") and on[2]["name"].endswith(": 95th percentile")


def test_table_shows_every_name_whole_with_its_target_and_verdict() -> None:
    """The plain table never cuts a name, so the two vault modes and the median and 95th-percentile
    rows can be told apart; targets read "≤ 1.3 ×", a missed one says MISSED, details follow."""
    rows = rows_for("on", 10_000, 100_000, FIGURES) + rows_for(
        "off", 10_000, 100_000, {**FIGURES, "median": 25}
    )
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["benchmark", "value", "target", "result"]
    for row, line in zip(rows, lines[1:], strict=True):
        assert line.startswith(row["name"] + " ")
    assert "≤ 1.3 ×" in lines[1] and "ok" in lines[1] and "(2.60 s vs 2.00 s;" in lines[1]
    median_off = next(line for line in lines if "memory security off): median" in line)
    assert "≤ 20 ms" in median_off and "MISSED" in median_off
    p95 = next(line for line in lines if "95th percentile" in line)
    assert "≤" not in p95  # no target, so none is printed
    # values line up in one column whatever the name length
    assert len({line.index(" ×") if " ×" in line else None for line in lines[1:]} - {None}) == 1
