"""The vault benchmarks run end to end (figures are reported by `fieldbook bench`, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.core.store.bench import _measure

ROOT = Path(__file__).resolve().parents[3]


def test_vault_measurements_are_real_timings() -> None:
    """The workload runs on both engines and search returns a latency for every query set."""
    m = _measure(200, 500)
    assert m["cipher"] > 0 and m["plain"] > 0 and m["unlock"] > 0.05  # the KDF really runs
    assert 0 < m["median"] <= m["p95"]


def test_bench_command_prints_json_rows_and_a_table_with_whole_names() -> None:
    """`fieldbook bench --only vault --quick --json` gives rows with name, value, unit, target,
    ok; the plain table shows every name whole, so the two vault modes and the median and 95th
    percentile rows can be told apart."""

    def bench(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "bench", "--only", "vault", "--quick", *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ},
        )

    out = bench("--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    names = " ".join(r["name"] for r in rows)
    assert "memory security on" in names and "memory security off" in names
    assert all({"name", "value", "unit", "target", "ok"} <= set(r) for r in rows)
    table = bench()
    assert table.returncode == 0, table.stderr
    for row in rows:
        assert row["name"] in table.stdout
