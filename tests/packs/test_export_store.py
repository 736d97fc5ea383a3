"""Export against a real vault: final records only, chosen kind and date range, attachments from
the vault, a per-case sequence, and every export in the packs table and the audit log."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.errors import UsageError
from app.core.forms.dates import in_words
from tests.packs.conftest import NOW
from tests.packs.sample import png

pytestmark = pytest.mark.skipif(importlib.util.find_spec("app.core.store") is None, reason="needs the vault")
PASS = "plum otter lantern quietly 62"


def case_json(store: Any, case_id: str) -> dict[str, Any]:
    """The case in the fieldbook-case/1 shape, read straight from the store."""
    case = store.get_case(case_id)
    records = []
    for r in store.list_records(case_id):
        d = dataclasses.asdict(r)
        d.pop("case_id", None)
        d.pop("draft_rev", None)
        d["addenda"] = [{k: v for k, v in a.items() if k != "record_id"} for a in d["addenda"]]
        records.append(d)
    shas = store.attachments_of_case(case_id)
    atts = []
    for sha in shas:
        a = store.get_attachment(sha)
        atts.append(
            {
                "sha256": sha,
                "media_type": a.media_type,
                "size": a.size,
                "filename": a.filename,
                "path": f"attachments/{sha}",
            }
        )
    return {
        "format": "fieldbook-case/1",
        "exported_at": "2026-11-23T09:00:00Z",
        "app_version": "0.1.0",
        "case": {
            "id": case.id,
            "reference": case.reference,
            "created_at": case.created_at,
            "people": [p.to_json() for p in case.people],
            "records": records,
        },
        "attachments": atts,
    }


def referral(setup: tuple[Any, Any, str, dict[str, str]]) -> Any:
    """A referral pack of the whole case, built (not yet written) at the fixed time."""
    from app.core.packs.export import ExportOptions, export_pack

    store, ident, case_id, _ = setup
    return export_pack(
        store,
        None,
        case_id,
        ident,
        ExportOptions("referral"),
        clock=FixedClock(NOW),
        case_data=case_json(store, case_id),
    )


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Any, Any, str, dict[str, str]]:
    """A vault with Sam Carter's identity and a case with chronology, a child's voice and a draft."""
    from app.core.identity import load_identity, on_vault_created
    from app.core.store import PersonIn, Store, Vault

    clock = FixedClock(NOW)
    vault = Vault.create(tmp_path / "v.fieldbook", PASS, clock=clock)
    store = Store(vault)
    store.set_profile("Sam Carter", "Social Worker", "Northshire Children's Services")
    on_vault_created(store, PASS, clock=clock)
    case_id = store.create_case(
        "FB-2026-0042",
        [PersonIn("child", "Maya", "Okafor", dob="2017-03-02")],
        [PersonIn("household", "Zofia", "Wójcik-Łęcka", relationship="grandmother")],
    )
    maya = store.get_case(case_id).children[0].id
    sha = store.put_attachment(png(), "image/png", "drawing.png")
    ids = {}
    for day in ("2026-03-01", "2026-09-15"):
        rid = store.create_record(
            case_id,
            "chronology_entry",
            1,
            {"date": day, "source": "School", "event": f"Seen on {day}", "significance": "medium"},
            [maya],
            day,
        )
        store.finalise(rid)
        ids[day] = rid
    voice = store.create_record(
        case_id,
        "childs_voice",
        1,
        {
            "date_seen": "2026-10-01",
            "children_seen": [maya],
            "location": "home",
            "seen_alone": "yes",
            "methods": ["words"],
            "child_wishes": "To see nan every week",
            "quotes": [{"words": "I like my nan's house"}],
            "drawing": {"sha256": sha, "caption": "Nan's house"},
        },
        [maya],
        "2026-10-01",
    )
    store.finalise(voice)
    ids["voice"] = voice
    ids["draft"] = store.create_record(
        case_id, "concern", 1, {"seen": "DRAFT-ONLY-TEXT"}, [maya], "2026-10-02"
    )
    yield store, load_identity(store, PASS), case_id, ids
    vault.close()


def test_export_records_the_pack_and_audits_it(
    setup: tuple[Any, Any, str, dict[str, str]], tmp_path: Path
) -> None:
    """An export writes a valid pack, adds it to the case's packs with sequence 1, 2 … and audits it."""
    from app.core.identity import trust_roots
    from app.core.packs.export import write_and_record
    from app.core.packs.verify import verify_bytes

    store, _, case_id, _ = setup
    for n in (1, 2):
        built = referral(setup)
        write_and_record(store, case_id, built, tmp_path / f"p{n}.fbpack")
        assert built.manifest["sequence"] == n
        report = verify_bytes((tmp_path / f"p{n}.fbpack").read_bytes(), trust_roots(store), now=NOW)
        assert report.status == "valid", report.text()
    packs = store.list_packs(case_id)
    assert [p.sequence for p in packs] == [1, 2]
    entry = store.audit_entries(1)[0]
    assert entry.action == "export" and entry.details["pack_id"] == built.pack_id
    assert entry.details["sha256"] == built.sha256 and entry.details["kind"] == "referral"


def test_a_failed_export_leaves_no_pack_row_or_entry_and_its_number_is_not_reused(
    setup: tuple[Any, Any, str, dict[str, str]], tmp_path: Path
) -> None:
    """Writing a pack that cannot be put in place (its name is a folder) leaves no file, no packs
    row and no export entry; the next pack takes the next number, not the failed one's."""
    from app.core.packs.export import write_and_record

    store, _, case_id, _ = setup
    entries = len(store.audit_entries())
    failed = referral(setup)
    blocked = tmp_path / "out" / "pack.fbpack"
    blocked.mkdir(parents=True)
    with pytest.raises(OSError):
        write_and_record(store, case_id, failed, blocked)
    assert store.list_packs(case_id) == []
    assert len(store.audit_entries()) == entries
    assert sorted(p.name for p in blocked.parent.iterdir()) == ["pack.fbpack"]  # the folder only
    second = referral(setup)
    assert second.manifest["vault_audit_head"] == store.audit_head()  # the vault's head, signed
    write_and_record(store, case_id, second, tmp_path / "p2.fbpack")
    assert failed.manifest["sequence"] == 1 and second.manifest["sequence"] == 2
    assert [p.sequence for p in store.list_packs(case_id)] == [2]
    assert store.vault.check().ok


def test_export_refuses_a_final_record_changed_behind_the_audit_log(
    setup: tuple[Any, Any, str, dict[str, str]],
) -> None:
    """A final record whose stored words no longer match its hash is never signed into a pack."""
    from app.core.errors import IntegrityFailure
    from app.core.packs.export import ExportOptions, export_pack

    store, ident, case_id, ids = setup
    store.conn.execute(
        "UPDATE records SET data = json_set(data, '$.event', 'Nothing') WHERE id = ?", (ids["2026-03-01"],)
    )
    with pytest.raises(IntegrityFailure, match=ids["2026-03-01"]) as err:
        export_pack(store, None, case_id, ident, ExportOptions("referral"), clock=FixedClock(NOW))
    assert err.value.exit_code == 1


def test_only_final_records_in_range_go_into_the_pack(setup: tuple[Any, Any, str, dict[str, str]]) -> None:
    """Drafts stay out; the date range is honoured; the attachment travels with its record."""
    from datetime import date

    from app.core.packs.export import ExportOptions, export_pack

    store, ident, case_id, ids = setup
    built = export_pack(
        store,
        None,
        case_id,
        ident,
        ExportOptions("referral", date_from=date(2026, 6, 1)),
        clock=FixedClock(NOW),
        case_data=case_json(store, case_id),
    )
    import io
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as zf:
        data = json.loads(zf.read("data.json"))
        names = zf.namelist()
    got = {r["id"] for r in data["case"]["records"]}
    assert got == {ids["2026-09-15"], ids["voice"]}
    assert any(n.startswith("attachments/") for n in names)
    assert b"DRAFT-ONLY-TEXT" not in built.zip_bytes


def test_naming_a_draft_is_refused(setup: tuple[Any, Any, str, dict[str, str]]) -> None:
    """Asking for a draft record by id is refused with a message naming the record."""
    from app.core.packs.export import ExportOptions, export_pack

    store, ident, case_id, ids = setup
    with pytest.raises(UsageError, match="draft"):
        export_pack(
            store,
            None,
            case_id,
            ident,
            ExportOptions("referral", record_ids=(ids["draft"],)),
            clock=FixedClock(NOW),
            case_data=case_json(store, case_id),
        )


def _cover(built: Any, tmp_path: Path) -> str:
    """The first page of the pack's PDF as poppler reads it, whitespace folded."""
    import io
    import subprocess
    import zipfile

    from tests.packs.helpers import need_tool

    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as zf:
        (tmp_path / "cover.pdf").write_bytes(zf.read("pack.pdf"))
    out = subprocess.run(
        [need_tool("pdftotext"), "-l", "1", str(tmp_path / "cover.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(out.split())


def test_conference_cover_deadlines_see_milestones_and_local_settings(
    setup: tuple[Any, Any, str, dict[str, str]], tmp_path: Path
) -> None:
    """The core group deadline is on the cover until a core group milestone meets it, and the
    vault's local closure days move it exactly as they do in the case header."""
    from datetime import timedelta

    from app.core.packs.export import ExportOptions, export_pack
    from app.core.timescales import settings_from_store, upcoming_deadlines

    store, ident, case_id, _ = setup
    maya = store.get_case(case_id).children[0].id
    icpc_day = NOW.date() - timedelta(days=4)
    icpc = store.create_record(  # the conference held: its outcome gives Maya a plan
        case_id,
        "conference_outcome",
        1,
        {
            "date": icpc_day.isoformat(),
            "conference_type": "initial",
            "decisions": [{"child": [maya], "plan": "yes", "category": "NEG", "reasons": "Neglect"}],
        },
        [maya],
        icpc_day.isoformat(),
    )
    store.finalise(icpc)

    def cover(**options: Any) -> str:
        built = export_pack(
            store,
            None,
            case_id,
            ident,
            ExportOptions("conference", **options),
            clock=FixedClock(NOW),
            case_data=case_json(store, case_id),
        )
        return _cover(built, tmp_path)

    def core_group_due() -> str:
        records = [dataclasses.asdict(r) for r in store.list_records(case_id)]
        found = [
            d
            for d in upcoming_deadlines(records, settings_from_store(store), clock=FixedClock(NOW))
            if d.rule.id == "core_group_after_icpc"
        ]
        return found[0].due.isoformat() if found else ""

    due = core_group_due()
    # the cover says the date in words, as everywhere in a pack
    assert due and f"{in_words(due)}: First core group within 10 working days" in cover()
    # the local authority closes for the week after the conference: the header and the cover
    # both move the deadline by the same working days
    closed = f"{(icpc_day + timedelta(days=1)).isoformat()}/{(icpc_day + timedelta(days=7))}"
    store.settings_set("timescales", {"local_closures": [closed]})
    later = core_group_due()
    assert later > due and f"{in_words(later)}: First core group within 10 working days" in cover()
    held = store.create_record(
        case_id,
        "milestone",
        1,
        {"milestone": "core_group", "date": NOW.date().isoformat()},
        [maya],
        NOW.date().isoformat(),
    )
    store.finalise(held)
    assert core_group_due() == ""
    assert "First core group" not in cover()
    # a pack covering only the days up to the conference still shows the case's deadlines as
    # they are: the milestone outside the range has met the core group deadline
    assert "First core group" not in cover(date_to=icpc_day)
    assert "First review child protection conference" in cover(date_to=icpc_day)
