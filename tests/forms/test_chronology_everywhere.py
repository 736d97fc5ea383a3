"""One chronology line, the same words everywhere: the store's lean query, the case screen's
model, the signed pack's PDF and its data.json show the same lines."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.clock import FixedClock
from app.core.forms import load_registry
from app.core.forms.chronology import COLUMNS
from app.core.packs.export import ExportOptions, export_pack
from tests.packs.helpers import demo_vault, need_tool

PASS = "heron under the old stone bridge"
REG = load_registry()


@pytest.fixture
def vault_case(tmp_path: Path) -> Iterator[tuple[Any, Any, str]]:
    """A vault with an approximate, high-significance entry and a core group milestone."""
    from app.core.identity import load_identity, on_vault_created
    from app.core.records import add_record
    from app.core.store import PersonIn, Store, Vault

    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    vault = Vault.create(tmp_path / "v.fieldbook", PASS, clock=clock)
    store = Store(vault)
    store.set_profile("Sam Carter", "Social Worker", "Northshire Children's Services")
    on_vault_created(store, PASS, clock=clock)
    case_id = store.create_case("FB-2026-0301", [PersonIn("child", "Maya", "Okafor", dob="2017-03-02")])
    maya = store.get_case(case_id).children[0].id
    entry = {
        "date": "2026-03-01",
        "date_approximate": "yes",
        "source": "Health visitor",
        "event": "Missed the 2-year check",
        "impact": "Development not reviewed",
        "action": "GP told",
        "significance": "high",
    }
    milestone = {"milestone": "core_group", "date": "2026-10-29", "children": [maya], "details": "First one"}
    for form_id, data in (("chronology_entry", entry), ("milestone", milestone)):
        _, problems = add_record(store, REG, case_id, form_id, data, children=[maya], final=True)
        assert not problems, problems
    yield store, load_identity(store, PASS), case_id
    vault.close()


def test_screen_pdf_and_data_json_show_the_same_lines(
    vault_case: tuple[Any, Any, str], tmp_path: Path
) -> None:
    """An approximate date reads "about Sun 1 Mar 2026" and significance "High" on screen, in the
    PDF and in data.json; headings are the entry form's labels; derived lines say their form."""
    from app.ui.case_view import load_snapshot
    from app.ui.main import make_app
    from app.ui.models import ChronologyModel

    store, identity, case_id = vault_case
    make_app()
    snap = load_snapshot(store, REG, case_id)
    lines = snap.chronology
    assert [ln.form_id for ln in lines] == ["chronology_entry", "milestone"]
    assert lines[1].event == "Core group meeting held: First one"  # the choice's label, not its code
    model = ChronologyModel()
    model.set_rows(lines)
    on_screen = [
        [model.index(r, c).data(Qt.ItemDataRole.DisplayRole) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    headings = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headings[:4] == [h for _, h in COLUMNS][:4] and "Significance" in headings
    assert on_screen[0][:3] == ["about Sun 1 Mar 2026", "Health visitor", "Missed the 2-year check"]
    assert "High" in on_screen[0] and "↗ Case milestone" in on_screen[1]

    built = export_pack(store, REG, case_id, identity, ExportOptions("conference"), clock=store.vault.clock)
    with zipfile.ZipFile(io.BytesIO(built.data)) as z:
        data = json.loads(z.read("data.json"))
    assert data["chronology"] == [ln.as_json() for ln in lines]
    assert data["chronology"][0]["when"] == "about Sun 1 Mar 2026"
    assert data["chronology"][0]["significance_label"] == "High"

    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(built.pdf)
    out = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True).stdout
    table = " ".join(out.split()).split("Chronology (2 entries)")[1]
    for line in lines:
        for words in (line.when, line.significance_label, line.source):
            assert words in table, words
    assert "c. 2026" not in table and " high " not in table


def test_search_finds_a_record_by_the_words_its_form_shows(vault_case: tuple[Any, Any, str]) -> None:
    """Search finds a milestone by its choice's label ("meeting held", stored as core_group) and an
    entry by its month in words ("March", stored as 2026-03-01), as a practitioner would look."""
    store, _, case_id = vault_case
    kinds = {r.id: r.form_id for r in store.list_records(case_id)}
    assert [kinds.get(h.id) for h in store.search("meeting held")] == ["milestone"]
    assert [kinds.get(h.id) for h in store.search("March")] == ["chronology_entry"]


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_demo_chronology_names_children_not_their_ids(tmp_path: Path) -> None:
    """Child pickers and child columns in tables read as the child's name ("Child: Maya Okafor")
    in the demo case's chronology on screen, in data.json and in the PDF: never a raw id."""
    from app.ui.case_view import load_snapshot

    demo = demo_vault(tmp_path, FixedClock(datetime(2026, 12, 2, 10, 0, tzinfo=UTC)))
    try:
        store, case_id = demo["store"], demo["case"]
        lines = load_snapshot(store, REG, case_id).chronology
        said = [" | ".join(getattr(ln, key) for key, _ in COLUMNS) for ln in lines]
        assert any("Child: Maya Okafor" in s for s in said), said
        assert not [s for s in said if UUID.search(s)]
        opts = ExportOptions("conference")
        built = export_pack(store, REG, case_id, demo["identity"], opts, clock=demo["clock"])
    finally:
        demo["vault"].close()
    with zipfile.ZipFile(io.BytesIO(built.data)) as z:
        chronology = json.loads(z.read("data.json"))["chronology"]
    assert not [ln for ln in chronology if UUID.search(json.dumps({**ln, "record_id": ""}))]
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(built.pdf)
    out = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True).stdout
    table = " ".join(out.split()).split(f"Chronology ({len(chronology)} entries)")[1]
    assert "Child: Maya Okafor" in table
    assert not UUID.search(table.replace(str(built.pack_id), "")), "an id in the chronology"
