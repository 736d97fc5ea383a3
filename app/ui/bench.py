"""Desktop benchmarks (DESIGN.md §6): cold start to the unlock window against a bare PySide6
window, and opening and sorting a case with a 10,000-entry chronology."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

Row = dict[str, Any]
PASSPHRASE = "benchmark heron over the weir"  # noqa: S105 - a throwaway vault

BARE = """
import sys, time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
w = QWidget(); w.show(); app.processEvents()
print(time.perf_counter() - t0)
"""

FIELDBOOK = """
import sys, time
t0 = time.perf_counter()
from pathlib import Path
from app.ui.main import make_app
app = make_app()
from app.ui.main_window import MainWindow
from app.ui.session import Session
w = MainWindow(Session(Path(sys.argv[1]))); w.show(); app.processEvents()
assert w.stack.currentWidget() is w.unlock_page
print(time.perf_counter() - t0)
w.session.shutdown()
"""


def _start(code: str, *args: str, runs: int) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, *args], env=env, check=True, capture_output=True, timeout=120
        )
        times.append(time.perf_counter() - t0)  # whole process: interpreter, imports, window
    return statistics.median(times)


def run(quick: bool = False) -> list[Row]:
    from app.core.demo import add_generated_chronology
    from app.core.forms import load_registry
    from app.core.store import PersonIn, Store, Vault
    from app.ui.case_view import load_snapshot
    from app.ui.main import make_app

    runs = 3 if quick else 7
    # An installed or frozen app starts from compiled bytecode; make sure ours is compiled too
    # (this machine sets PYTHONDONTWRITEBYTECODE, which would otherwise recompile every start).
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1]), quiet=1)
    n = 1_000 if quick else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vault.fieldbook"
        registry = load_registry()
        with Vault.create(path, PASSPHRASE) as vault:
            store = Store(vault)
            store.set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
            case_id = store.create_case("BENCH", [PersonIn("child", "Maya", "Okafor", dob="2017-03-02")])
            add_generated_chronology(store, registry, case_id, n)
        bare = _start(BARE, runs=runs)
        ours = _start(FIELDBOOK, str(path), runs=runs)
        make_app()
        from PySide6.QtCore import Qt

        from app.ui.case_view import CaseWorkspace

        with Vault.open(path, PASSPHRASE) as vault:
            store = Store(vault)
            workspace = CaseWorkspace(registry)
            workspace.resize(1200, 800)
            workspace.show()
            timings = []
            for _ in range(3 if quick else 5):
                t0 = time.perf_counter()
                snap = load_snapshot(store, registry, case_id)
                workspace.show_snapshot(snap)
                head = workspace.chronology.view.horizontalHeader()
                head.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
                head.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
                timings.append((time.perf_counter() - t0) * 1000)
            open_ms = statistics.median(timings)
            workspace.close()
    ratio = ours / bare
    return [
        {
            "name": "cold start to the unlock window / bare PySide6 window",
            "value": round(ratio, 2),
            "unit": "×",
            "target": 1.5,
            "ok": ratio <= 1.5,
            "detail": f"{ours:.2f} s vs {bare:.2f} s, median of {runs}",
        },
        {
            "name": f"open a case with a {n:,}-entry chronology, sorted",
            "value": round(open_ms),
            "unit": "ms",
            "target": 200,
            "ok": open_ms <= 200,
        },
    ]
