"""The record store: cases and people, the draft → final → addenda lifecycle, search, audit."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound, RecordLocked, ValidationError
from app.core.store import PersonIn, Store

from .conftest import okafor_case

TEXTS = {
    "arabic": "قالت ليلى إنها خائفة من العودة إلى المنزل",
    "hebrew": "נועה אמרה שהיא רוצה לגור עם סבתא",
    "polish": "Zażółć gęślą jaźń — babcia Łucja",
    "greek": "Η Ελένη είπε ότι φοβάται",
    "emoji": "drew a 🏠 with a 😢 face and 👨‍👩‍👧",
    "sql": "Robert'); DROP TABLE records;-- ' OR '1'='1",
    "markup": "<b>bold</b> & <font color=white>hidden</font>",
}


def test_case_with_siblings_and_an_unborn_child(store: Store) -> None:
    """A case holds a sibling group and an unborn baby with a due date instead of a birth date."""
    case = store.get_case(okafor_case(store))
    assert [c.display_name for c in case.children] == ["Maya Okafor", "Leo Okafor", "Baby Okafor"]
    baby = case.children[2]
    assert baby.unborn and baby.dob is None and baby.due_date == "2027-02-01"
    mother = next(p for p in case.people if p.kind == "household")
    assert mother.parental_responsibility is True
    dsl = next(p for p in case.people if p.kind == "professional")
    assert (dsl.agency, dsl.role) == ("Northshire Primary School", "Designated safeguarding lead")
    assert store.find_case("FB-2026-0001") == case.id
    assert store.find_case(case.id[:8]) == case.id


def test_people_are_checked_with_named_fields(store: Store) -> None:
    """Bad people data is refused with a message naming the person and the field."""
    with pytest.raises(ValidationError, match="Expected due date"):
        store.create_case(None, [PersonIn("child", "Baby", "Adeyemi", due_date="soon")])
    with pytest.raises(ValidationError, match="not both"):
        store.create_case(
            None, [PersonIn("child", "Tia", "Adeyemi", dob="2020-01-01", due_date="2027-01-01")]
        )
    with pytest.raises(ValidationError, match="Legal status"):
        store.create_case(None, [PersonIn("child", "Tia", "Adeyemi", legal_status="fostered")])
    with pytest.raises(ValidationError, match="at least one child"):
        store.create_case(None, [])
    assert store.list_cases() == []  # nothing half-written


def test_every_script_comes_back_exactly_and_is_searchable(store: Store) -> None:
    """Arabic, Hebrew, Polish, Greek, emoji, SQL-like and markup text round-trips exactly."""
    case_id = store.create_case(
        None, [PersonIn("child", "ليلى", "حداد"), PersonIn("child", "Ελένη", "Παπαδοπούλου")]
    )
    rid = store.create_record(
        case_id, "chronology_entry", 1, {k: v for k, v in TEXTS.items()}, [], "2026-11-20"
    )
    assert store.get_record(rid).data == TEXTS
    assert store.get_case(case_id).children[0].given_name == "ليلى"
    assert [h.id for h in store.search("Zażółć") if h.kind == "record"] == [rid]
    assert [h.id for h in store.search("gesla") if h.kind == "record"] == [rid]  # no accents
    assert [h.id for h in store.search("Ελένη") if h.kind == "record"] == [rid]
    assert {h.kind for h in store.search("حداد")} == {"person"}
    assert [h.id for h in store.search("DROP TABLE") if h.kind == "record"] == [rid]
    # FTS syntax typed by a user is searched for as words, never parsed as a query.
    assert store.search('"*(:^') == []
    assert [h.id for h in store.search("Robert'); DROP") if h.kind == "record"] == [rid]


def _fts_own_prefix_search(store: Store, text: str, case_id: str | None = None) -> list[str]:
    """FTS5's own answer for the same words (last one as a prefix), newest first."""
    words = text.split()
    match = "".join(f'"{w}" AND ' for w in words[:-1]) + f'"{words[-1]}"*'
    sql = "SELECT object_id FROM search_index WHERE search_index MATCH ?"
    args: list[object] = [match]
    if case_id:
        sql += " AND case_id = ?"
        args.append(case_id)
    return [r[0] for r in store.conn.execute(sql + " ORDER BY rowid DESC", args)]


def test_unfinished_last_word_finds_what_fts5_would_newest_first(store: Store) -> None:
    """Typing the start of a word finds every record FTS5's own prefix search finds, in the same
    newest-first order, whether the start matches a few words, many, or hundreds (the three ways
    the store answers it), with accents and case ignored and within one case."""
    case_a = okafor_case(store)
    case_b = store.create_case(None, [PersonIn("child", "Tia", "Wójcik")])
    with store.transaction():
        for i in range(400):  # ref0 … ref399: 400 distinct words starting with "ref"
            store.create_record(
                case_a if i % 3 else case_b,
                "chronology_entry",
                1,
                {
                    "event": f"ref{i} grand{'mother' if i % 2 else 'father'} visited"
                    + " police" * (i % 5 == 0),
                    "source": "Wójcik" if i % 7 == 0 else "school",
                },
                [],
                None,
            )
    checks = [
        ("ref1", None, 111),
        ("ref", None, 400),
        ("re", case_b, 134),
        ("grand", None, 400),
        ("police vis", None, 80),
        ("WOJC", case_a, None),
        ("wójcik", None, None),
        ("ref39", case_a, None),
        ("ref1", case_b, None),
        ("zebra", None, 0),
    ]
    for text, case, count in checks:
        expected = _fts_own_prefix_search(store, text, case)
        got = [h.id for h in store.search(text, limit=1000, case_id=case)]
        assert got == expected, text
        if count is not None:
            assert len(got) == count, text
    newest = store.search("ref", limit=5)
    assert [h.id for h in newest] == _fts_own_prefix_search(store, "ref")[:5]
    assert newest[0].snippet.count("[") >= 1  # the matching word is marked in the snippet


def test_broken_text_is_refused_naming_the_field(store: Store) -> None:
    """A lone surrogate or a control character is refused, not stored half-broken."""
    case_id = okafor_case(store)
    with pytest.raises(ValidationError, match="event"):
        store.create_record(case_id, "chronology_entry", 1, {"event": "bad \ud800 text"}, [], None)
    with pytest.raises(ValidationError, match="not a number"):
        store.create_record(case_id, "chronology_entry", 1, {"score": float("nan")}, [], None)


def test_lifecycle_draft_final_addendum(store: Store) -> None:
    """Drafts change freely; a final record is read-only and takes addenda; nothing deletes it."""
    case_id = okafor_case(store)
    maya = store.get_case(case_id).children[0].id
    rid = store.create_record(case_id, "chronology_entry", 1, {"event": "Home visit"}, [maya], "2026-11-20")
    assert store.update_draft(rid, {"event": "Home visit, Maya seen alone"}) == 2
    digest = store.finalise(rid)
    record = store.get_record(rid)
    assert record.status == "final" and record.content_hash == digest and record.finalised_at
    assert record.children == [maya]
    assert record.author == {
        "name": "Sam Carter",
        "role": "Social worker",
        "agency": "Northshire Children's Services",
    }
    with pytest.raises(RecordLocked, match="addendum"):
        store.update_draft(rid, {"event": "rewritten history"})
    with pytest.raises(RecordLocked):
        store.discard_draft(rid)
    store.add_addendum(rid, "Date correction", "The visit was on 19 November, not 20 November.")
    record = store.get_record(rid)
    assert record.data == {"event": "Home visit, Maya seen alone"}
    assert [a.reason for a in record.addenda] == ["Date correction"]
    assert [h.id for h in store.search("19 November")] == [rid]
    draft = store.create_record(case_id, "chronology_entry", 1, {"event": "typo"}, [], None)
    store.discard_draft(draft)
    assert [r.id for r in store.list_records(case_id)] == [rid]
    assert store.get_record(draft).status == "discarded"  # kept, only hidden


def test_children_must_belong_to_the_case(store: Store) -> None:
    """A record can only concern children of its own case."""
    case_a = okafor_case(store)
    case_b = store.create_case(None, [PersonIn("child", "Tia", "Adeyemi")])
    tia = store.get_case(case_b).children[0].id
    with pytest.raises(ValidationError, match="not a child in this case"):
        store.create_record(case_a, "chronology_entry", 1, {"event": "x"}, [tia], None)


def test_attachments_live_inside_the_vault(store: Store) -> None:
    """Attachments are stored in the vault, de-duplicated by hash, and linked to records."""
    case_id = okafor_case(store)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    sha = store.put_attachment(png, "image/png", "drawing.png")
    assert store.put_attachment(png, "image/png", "again.png") == sha
    rid = store.create_record(
        case_id, "direct_work", 1, {"artefacts": [{"sha256": sha, "caption": "Three houses"}]}, [], None
    )
    got = store.get_attachment(sha)
    assert (got.data, got.media_type, got.size) == (png, "image/png", len(png))
    assert store.attachments_of_case(case_id) == [sha]
    with pytest.raises(ValidationError, match="not stored"):
        store.update_draft(rid, {"artefacts": [{"sha256": "0" * 64}]})
    with pytest.raises(NotFound):
        store.get_attachment("f" * 64)


def test_audit_log_records_each_action_in_a_chain(store: Store) -> None:
    """Create, edit, finalise, addendum, discard and export are audited, in an intact chain."""
    case_id = okafor_case(store)
    rid = store.create_record(case_id, "chronology_entry", 1, {"event": "a"}, [], None)
    store.update_draft(rid, {"event": "b"})
    store.finalise(rid)
    store.add_addendum(rid, "why", "more")
    other = store.create_record(case_id, "chronology_entry", 1, {"event": "c"}, [], None)
    store.discard_draft(other)
    store.audit("export", "case", case_id, {"pack_id": "p1"})
    actions = [e.action for e in reversed(store.audit_entries())]
    for expected in ("create", "edit", "finalise", "addendum", "discard", "export"):
        assert expected in actions
    assert store.verify_audit() is None


def test_audit_log_refuses_edits_and_reports_tampering(store: Store) -> None:
    """The log is append-only; an edit made around the triggers is found by the chain check."""
    okafor_case(store)
    with pytest.raises(Exception, match="append-only"):
        store.conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
    with pytest.raises(Exception, match="append-only"):
        store.conn.execute("DELETE FROM audit WHERE seq = 2")
    # Someone with the key drops the trigger and rewrites history:
    store.conn.execute("DROP TRIGGER audit_no_update")
    store.conn.execute('UPDATE audit SET details = \'{"reference":"other"}\' WHERE seq = 2')
    assert store.verify_audit() == 2
    report = store.vault.check()
    assert not report.ok and report.audit_broken_at == 2


def test_transaction_is_all_or_nothing(store: Store) -> None:
    """A failure half-way through a unit of work leaves nothing behind."""
    case_id = okafor_case(store)
    with pytest.raises(ValidationError), store.transaction():
        store.create_record(case_id, "chronology_entry", 1, {"event": "first"}, [], None)
        store.create_record(case_id, "chronology_entry", 1, {"event": "\x00"}, [], None)
    assert store.list_records(case_id) == []


def test_settings_live_in_the_vault(store: Store) -> None:
    """Settings are JSON values inside the encrypted vault."""
    store.settings_set("timescales", {"count_from": "same_day"})
    assert store.settings_get("timescales") == {"count_from": "same_day"}
    assert store.settings_get("missing", 5) == 5


def test_filtered_record_lists_keep_each_records_children_and_addenda(store: Store) -> None:
    """Listing by form, without a form, or by status gives whole records: the right children in
    case order and every addendum, whatever else the case holds."""
    case_id = okafor_case(store)
    kids = [c.id for c in store.get_case(case_id).children]
    entry = store.create_record(
        case_id, "chronology_entry", 1, {"event": "School report"}, [kids[0]], "2026-11-01"
    )
    store.finalise(entry)
    store.add_addendum(entry, "Source", "Class teacher, by phone.")
    voice = store.create_record(
        case_id, "childs_voice", 1, {"child_wishes": "Stay with Nan"}, list(reversed(kids)), "2026-11-02"
    )
    store.finalise(voice)
    store.add_addendum(voice, "Clarification", "Nan is the maternal grandmother.")
    draft = store.create_record(case_id, "direct_work", 1, {"purpose": "Worries"}, [kids[-1]], "2026-11-03")

    def shape(records: list) -> list[tuple[str, list[str], list[str]]]:
        return [(r.id, r.children, [a.reason for a in r.addenda]) for r in records]

    everything = shape(store.list_records(case_id))
    assert everything == [
        (entry, [kids[0]], ["Source"]),
        (voice, kids, ["Clarification"]),  # case order, not the order given
        (draft, [kids[-1]], []),
    ]
    assert shape(store.list_records(case_id, exclude_form="chronology_entry")) == everything[1:]
    assert shape(store.list_records(case_id, form_id="childs_voice")) == [everything[1]]
    assert shape(store.list_records(case_id, status="final")) == everything[:2]
    assert shape(store.list_records(case_id, status="draft")) == [everything[2]]
