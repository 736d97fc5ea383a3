"""The desktop editor and `fieldbook record add` make the same record through the same service."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.errors import UsageError
from app.core.records import add_addendum
from app.core.store import PersonIn, Store, Vault
from app.ui.editor import RecordEditor
from app.ui.main import make_app
from app.ui.session import Session
from tests.clirun import run_app

PASS = "heron on the mill pond at dusk"

# A direct-work session with Leo only, its date typed day-first as a practitioner would.
SESSION = {
    "session_date": "20/11/2026",
    "children": [],  # filled with Leo's id
    "duration_minutes": 30,
    "venue": "Nursery quiet room",
    "present": "Key worker",
    "seen_alone": "yes",
    "purpose": "Hear Leo's view of home.",
    "method": ["play"],
    "observations": "Leo played calmly with the doll's house.",
    "next_steps": "Second session in two weeks.",
}


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, str, str]:
    """A vault with one case of two children; (path, case id, Leo's id)."""
    path = tmp_path / "v.fieldbook"
    with Vault.create(path, PASS, clock=FixedClock()) as v:
        store = Store(v)
        store.set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
        case_id = store.create_case(
            "FB-RS-1",
            [
                PersonIn("child", "Maya", "Okafor", dob="2017-03-02"),
                PersonIn("child", "Leo", "Okafor", dob="2022-01-10"),
            ],
        )
        leo = store.get_case(case_id).children[1].id
    return path, case_id, leo


def _cli(path: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return run_app(*args, vault=path, passphrase=PASS, stdin=stdin)


def _record_add(path: Path, data: dict[str, Any], *options: str) -> subprocess.CompletedProcess[str]:
    """`fieldbook record add FB-RS-1 --form direct_work --json -` with ``data`` on standard input."""
    return _cli(
        path,
        "record",
        "add",
        "FB-RS-1",
        "--form",
        "direct_work",
        "--json",
        "-",
        *options,
        stdin=json.dumps(data),
    )


def _session(path: Path) -> Session:
    make_app()
    session = Session(path, clock=FixedClock(), inline=True)
    errors: list[BaseException] = []
    session.unlock(PASS, lambda _: None, errors.append)
    assert not errors and session.is_unlocked
    return session


def _finalised_in_editor(qtbot, session: Session, case_id: str, data: dict[str, Any]) -> RecordEditor:  # type: ignore[no-untyped-def]
    """A direct-work editor filled through its widgets with ``data`` and finalised."""
    case = session.call(lambda s: s.get_case(case_id))
    editor = RecordEditor(session, case, session.registry.get("direct_work"))
    qtbot.addWidget(editor)
    for key, value in data.items():
        editor.editors[key].set_value(value)
    assert editor.finalise(confirm=False)
    return editor


def _trail(store: Store, record_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The record's audit entries, without the values that differ between two records."""
    drop = {"content_hash", "addendum_id"}
    return [
        (e.action, e.actor, {k: v for k, v in e.details.items() if k not in drop})
        for e in reversed(store.audit_entries())
        if e.object_id == record_id
    ]


def test_cli_and_editor_make_the_same_record(qtbot, vault: tuple[Path, str, str]) -> None:  # type: ignore[no-untyped-def]
    """The same session through `record add --final` and through the editor's widgets concerns
    the same child, stores the same ISO date and event date, the same content hash and audit."""
    path, case_id, leo = vault
    data = {**SESSION, "children": [leo]}
    out = _record_add(path, data, "--final")
    assert out.returncode == 0, out.stderr
    from_cli = out.stdout.strip()

    session = _session(path)
    try:
        editor = _finalised_in_editor(qtbot, session, case_id, data)
        from_gui = editor.record_id
        assert from_gui is not None
        a, b = (session.call(lambda s, rid=rid: s.get_record(rid)) for rid in (from_cli, from_gui))
        assert a.children == b.children == [leo]
        assert a.data["session_date"] == b.data["session_date"] == "2026-11-20"
        assert a.occurred_at == b.occurred_at == "2026-11-20"
        assert a.status == b.status == "final"
        assert a.content_hash == b.content_hash
        trails = session.call(lambda s: (_trail(s, from_cli), _trail(s, from_gui)))
        assert trails[0] == trails[1]
        assert [t[0] for t in trails[0]] == ["create", "finalise"]
    finally:
        session.shutdown()


def test_record_add_final_with_invalid_input_saves_nothing(vault: tuple[Path, str, str]) -> None:
    """`record add --final` with a missing required field exits 2, names it, and adds no record."""
    path, case_id, leo = vault
    data = {**SESSION, "children": [leo], "venue": ""}
    out = _record_add(path, data, "--final")
    assert out.returncode == 2
    assert "Venue" in out.stderr and "Nothing was saved" in out.stderr
    with Vault.open(path, PASS) as v:
        assert Store(v).list_records(case_id) == []


def test_record_add_child_fills_the_picker_and_must_agree_with_it(vault: tuple[Path, str, str]) -> None:
    """`--child Leo` fills an empty child picker; naming Maya against a picker holding Leo is refused."""
    path, case_id, leo = vault
    empty = {**SESSION, "children": []}
    out = _record_add(path, empty, "--child", "Leo")
    assert out.returncode == 0, out.stderr
    rid = out.stdout.split()[0]
    out = _record_add(path, {**SESSION, "children": [leo]}, "--child", "Maya")
    assert out.returncode == 2 and "Children taking part" in out.stderr
    with Vault.open(path, PASS) as v:
        record = Store(v).get_record(rid)
        assert record.children == [leo] and record.data["children"] == [leo]
        assert len(Store(v).list_records(case_id)) == 1


def test_addendum_refuses_anything_but_text(vault: tuple[Path, str, str]) -> None:
    """A button's clicked(bool) passed as the reason is refused with a message; nothing is added."""
    path, case_id, leo = vault
    with Vault.open(path, PASS, clock=FixedClock()) as v:
        store = Store(v)
        from app.core.forms import load_registry
        from app.core.records import add_record

        rid, _ = add_record(
            store, load_registry(), case_id, "direct_work", {**SESSION, "children": [leo]}, final=True
        )
        with pytest.raises(UsageError, match="Reason: expected text, not bool"):
            add_addendum(store, rid, False, "text")  # type: ignore[arg-type]
        assert store.get_record(rid).addenda == []
        add_addendum(store, rid, "Clarification", "The key worker is Mrs Osei.")
        assert [a.reason for a in store.get_record(rid).addenda] == ["Clarification"]


def test_the_addendum_button_asks_for_a_reason(qtbot, vault: tuple[Path, str, str]) -> None:  # type: ignore[no-untyped-def]
    """Clicking 'Add addendum' on a final record opens one dialog for the reason and the text;
    Ctrl+Enter stores them as typed (the button's checked flag never arrives as the reason)."""
    from tests.ui.user import User

    path, case_id, leo = vault
    session = _session(path)
    try:
        editor = _finalised_in_editor(qtbot, session, case_id, {**SESSION, "children": [leo]})
        editor.show()
        user = User(qtbot)
        user.click("Add addendum")
        user.wait_for_window("Add an addendum")
        user.type("Clarification")
        user.press("Tab")
        user.type("Mrs Osei, not Mrs Owusu.")
        user.press("Ctrl+Return")
        user.wait_gone("Add an addendum")
        rid = editor.record_id
        record = session.call(lambda s: s.get_record(rid))
        assert [(a.reason, a.text) for a in record.addenda] == [("Clarification", "Mrs Osei, not Mrs Owusu.")]
    finally:
        session.shutdown()
