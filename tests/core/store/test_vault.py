"""The vault file: encryption at rest, hardened settings, refusal of damage, passphrases."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
import sqlcipher3

from app.core.clock import FixedClock
from app.core.errors import UsageError, VaultDamaged, VaultError, VaultMissing, WeakPassphrase
from app.core.store import PersonIn, Store, Vault, unlock_delay
from app.core.store import vault as vault_module
from app.core.store.policy import check_passphrase

from .conftest import PASSPHRASE, okafor_case

SECRET_NAME = "Xanthippe Qwillerby-Ørnsköld"
SECRET_NOTE = "Zebrafinch-Marmalade said the cupboard was locked"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_near(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.is_file()]


def test_no_plaintext_in_vault_wal_shm_temp_or_config(vault_path: Path, clock: FixedClock) -> None:
    """T01: names, record text and attachments never appear in clear in any file we write."""
    temp_before = set(Path(tempfile.gettempdir()).iterdir())
    vault = Vault.open(vault_path, PASSPHRASE, clock=clock)
    store = Store(vault)
    case_id = store.create_case(None, [PersonIn("child", *SECRET_NAME.split(" ", 1))])
    sha256 = store.put_attachment(("drawing " + SECRET_NOTE).encode(), "text/plain", "note.txt")
    store.create_record(
        case_id,
        "chronology_entry",
        1,
        {"event": SECRET_NOTE, "source": "School", "photo": {"sha256": sha256}},
        [],
        "2026-11-20",
    )
    # While open: the WAL and shared-memory files hold fresh pages.
    on_disk = [p for p in files_near(vault_path)]
    assert any(p.name.endswith("-wal") for p in on_disk)
    needles = [SECRET_NAME.split()[1], "Zebrafinch-Marmalade", "Qwillerby"]
    config = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    new_temp = set(Path(tempfile.gettempdir()).iterdir()) - temp_before
    candidates = on_disk + [p for p in new_temp if p.is_file()]
    candidates += [p for p in config.rglob("*") if p.is_file()] if config.exists() else []
    for path in candidates:
        blob = path.read_bytes()
        for needle in needles:
            for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
                assert encoded not in blob, f"{needle!r} in clear in {path}"
    vault.close()
    blob = vault_path.read_bytes()
    assert not blob.startswith(b"SQLite format 3")
    assert b"Zebrafinch" not in blob


def test_hardened_settings_are_in_force(store: Store) -> None:
    """T02: the cipher and SQLite settings of SECURITY.md, read back from the live connection."""

    def pragma(name: str) -> object:
        return store.conn.execute(f"PRAGMA {name}").fetchone()[0]

    assert str(pragma("cipher_memory_security")) == "1"
    # Tests key vaults with a token work factor (tests/child_env); the product's is checked below.
    assert int(pragma("kdf_iter")) == vault_module.KDF_ITER
    assert int(pragma("cipher_page_size")) == 4096
    assert int(pragma("temp_store")) == 2  # MEMORY
    assert pragma("journal_mode") == "wal"
    assert int(pragma("synchronous")) == 2  # FULL
    assert int(pragma("secure_delete")) == 1
    assert int(pragma("trusted_schema")) == 0
    assert int(pragma("foreign_keys")) == 1
    assert "SHA512" in str(pragma("cipher_kdf_algorithm")).upper()


def test_outside_the_test_harness_keys_take_600000_rounds(vault_path: Path) -> None:
    """T06: a process started without the harness's PYTHONPATH (as a frozen build always is)
    derives keys with 600,000 PBKDF2-SHA512 rounds, so a vault keyed for tests does not open there."""
    code = (
        "import sys\n"
        "from app.core.errors import WrongPassphrase\n"
        "from app.core.store import vault\n"
        "print(vault.KDF_ITER)\n"
        "try:\n"
        "    vault.Vault.open(sys.argv[1], sys.argv[2]).close()\n"
        "except WrongPassphrase:\n"
        "    print('refused')\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-E", "-c", code, str(vault_path), PASSPHRASE],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == ["600000", "refused"], out.stderr


def test_vault_file_is_readable_by_the_user_only(vault_path: Path, tmp_path: Path) -> None:
    """A new vault and its side files are 0600 whatever the umask."""
    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "vault.fieldbook"
        with Vault.create(path, PASSPHRASE) as vault:
            Store(vault).set_profile("Sam Carter", "Social worker", "Northshire")
            for p in files_near(path):
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    finally:
        os.umask(old)


def test_create_refuses_an_existing_file(vault_path: Path) -> None:
    """Creating a vault over an existing one is refused and the file is left untouched."""
    before = sha(vault_path)
    with pytest.raises(UsageError, match="already exists"):
        Vault.create(vault_path, PASSPHRASE)
    assert sha(vault_path) == before


def test_wrong_passphrase_is_generic_and_writes_nothing(vault_path: Path) -> None:
    """T03: a wrong passphrase gives the one generic message and leaves the file byte-for-byte."""
    before = sha(vault_path)
    names_before = sorted(p.name for p in files_near(vault_path))
    with pytest.raises(VaultError) as err:
        Vault.open(vault_path, "amber kettle on the moon")
    assert err.value.message == VaultError.GENERIC
    assert err.value.exit_code == 4
    assert sha(vault_path) == before
    new = sorted(p.name for p in files_near(vault_path))
    assert [n for n in new if n not in names_before] == ["vault.fieldbook.attempts"]


def test_back_off_grows_after_five_failures(vault_path: Path) -> None:
    """After five failures each further attempt waits 5, 10, 20 … seconds (≤10 guesses in 5 min)."""
    clock = FixedClock()
    waits = []
    for _ in range(8):
        waits.append(unlock_delay(vault_path, clock))
        start = clock.now()
        with pytest.raises(VaultError):
            Vault.open(vault_path, "not the passphrase at all", clock=clock)
        assert (clock.now() - start).total_seconds() == pytest.approx(waits[-1])
    assert waits == [0, 0, 0, 0, 0, 5, 10, 20]
    # Ten guesses take more than five minutes once the back-off runs.
    assert sum([0] * 5 + [5 * 2**i for i in range(5)]) < 300 <= sum(min(5 * 2**i, 300) for i in range(6))
    vault = Vault.open(vault_path, PASSPHRASE, clock=clock)
    store = Store(vault)
    store.note_failed_unlocks()
    entry = store.audit_entries(limit=1)[0]
    assert entry.action == "failed_unlock" and entry.details == {"count": 8}
    vault.close()
    assert unlock_delay(vault_path, clock) == 0


@pytest.mark.parametrize(
    ("passphrase", "why"),
    [
        ("short words", "at least 12"),
        ("Password2026!", "commonly used"),
        ("liverpool1234", "commonly used"),
        ("P@ssw0rd!!!!", "commonly used"),
        ("aaaaaaaaaaaaaa", "repeats"),
    ],
)
def test_weak_passphrases_are_refused_in_plain_words(passphrase: str, why: str) -> None:
    """T04: the policy says what is wrong (length, deny-list) without complexity rules."""
    with pytest.raises(WeakPassphrase, match=why):
        check_passphrase(passphrase)


def test_nfc_forms_of_the_same_passphrase_open_the_vault(tmp_path: Path) -> None:
    """T04: "Zoë" typed as one character or as e + combining diaeresis opens the same vault."""
    composed = "Zoë walks the long canal path"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    path = tmp_path / "v.fieldbook"
    Vault.create(path, composed).close()
    Vault.open(path, decomposed).close()


@pytest.mark.parametrize("damage", ["missing", "empty", "truncated"])
def test_missing_empty_or_truncated_vault_is_refused_and_kept(vault_path: Path, damage: str) -> None:
    """T07: never a fresh empty vault where one is expected; the damaged file is kept as it is."""
    if damage == "missing":
        vault_path.unlink()
    elif damage == "empty":
        vault_path.write_bytes(b"")
    else:
        data = vault_path.read_bytes()
        vault_path.write_bytes(data[: len(data) // 2 + 100])
    before = vault_path.read_bytes() if vault_path.exists() else None
    with pytest.raises((VaultMissing, VaultDamaged)) as err:
        Vault.open(vault_path, PASSPHRASE)
    assert err.value.exit_code == 4
    if damage == "missing":
        assert not vault_path.exists()
        assert "fieldbook init" in err.value.message
    else:
        assert vault_path.read_bytes() == before
        assert "kept" in err.value.message


def test_a_truncated_vault_with_whole_pages_fails_its_check(vault_path: Path) -> None:
    """T07: losing whole pages at the end is caught by the integrity check at unlock."""
    with Vault.open(vault_path, PASSPHRASE) as vault:
        store = Store(vault)
        case_id = okafor_case(store)
        for i in range(60):
            store.create_record(
                case_id,
                "chronology_entry",
                1,
                {"event": f"visit {i} " + "x" * 3000, "source": "CSC"},
                [],
                None,
            )
    data = vault_path.read_bytes()
    vault_path.write_bytes(data[: len(data) - 4096 * 3])
    before = sha(vault_path)
    with pytest.raises(VaultError):
        Vault.open(vault_path, PASSPHRASE)
    assert sha(vault_path) == before


def test_a_flipped_byte_in_a_page_is_detected(vault_path: Path) -> None:
    """T08: a single changed byte inside a page is refused at unlock (per-page HMAC)."""
    with Vault.open(vault_path, PASSPHRASE) as vault:
        okafor_case(Store(vault))
    data = bytearray(vault_path.read_bytes())
    data[4096 * 2 + 300] ^= 0x01
    vault_path.write_bytes(bytes(data))
    with pytest.raises(VaultError) as err:
        Vault.open(vault_path, PASSPHRASE)
    assert err.value.message == VaultError.GENERIC


def test_change_passphrase_old_fails_new_works(vault_path: Path) -> None:
    """T05: after a change the old passphrase fails, the new one works, data is intact, the
    change is audited, and no copy under the old passphrase is left beside the vault."""
    new = "violet harbour under snow"
    before = {p.name for p in files_near(vault_path)}
    with Vault.open(vault_path, PASSPHRASE) as vault:
        case_id = okafor_case(Store(vault))
        # a copy like the one kept before a schema upgrade: it holds the old passphrase too
        vault.backup(vault_path.with_name(vault_path.name + ".pre-v2.bak"))
        vault.change_passphrase(PASSPHRASE, new)
        assert Store(vault).get_case(case_id).reference == "FB-2026-0001"
        assert vault.check().ok
    with pytest.raises(VaultError):
        Vault.open(vault_path, PASSPHRASE)
    with Vault.open(vault_path, new) as vault:
        assert Store(vault).get_case(case_id).children[0].given_name == "Maya"
        assert Store(vault).audit_entries(limit=1)[0].action == "passphrase_change"
    assert {p.name for p in files_near(vault_path)} - before == set()


def test_backup_then_restore_round_trips(vault_path: Path, tmp_path: Path) -> None:
    """T16: a verified backup restores the vault exactly; the replaced vault is kept, not deleted."""
    with Vault.open(vault_path, PASSPHRASE) as vault:
        store = Store(vault)
        case_id = okafor_case(store)
        backup = vault.backup(tmp_path / "backups" / "monday.fieldbook")
        store.create_case(
            "LATER", [__import__("app.core.store", fromlist=["PersonIn"]).PersonIn("child", "Later", "Child")]
        )
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    kept = Vault.restore(vault_path, backup, PASSPHRASE)
    assert kept is not None and kept.exists()
    with Vault.open(vault_path, PASSPHRASE) as vault:
        refs = {c.reference for c in Store(vault).list_cases()}
        assert refs == {"FB-2026-0001"}
        assert Store(vault).get_case(case_id).children[2].due_date == "2027-02-01"
    with Vault.open(kept, PASSPHRASE) as vault:
        assert {c.reference for c in Store(vault).list_cases()} == {"FB-2026-0001", "LATER"}


def test_restore_refuses_a_damaged_backup_and_changes_nothing(vault_path: Path, tmp_path: Path) -> None:
    """A backup that fails its check is refused; the current vault stays as it was."""
    bad = tmp_path / "bad.fieldbook"
    shutil.copy2(vault_path, bad)
    data = bytearray(bad.read_bytes())
    data[4096 + 77] ^= 0xFF
    bad.write_bytes(bytes(data))
    before = sha(vault_path)
    with pytest.raises(VaultError):
        Vault.restore(vault_path, bad, PASSPHRASE)
    assert sha(vault_path) == before


def test_migration_takes_a_verified_backup_first(vault_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a vault with an older schema backs it up (and the backup opens) before migrating."""
    from app.core.store import schema
    from app.core.store import vault as vault_mod

    current = schema.SCHEMA_VERSION
    upgraded = current + 1

    def next_version(conn: object) -> None:
        conn.execute("CREATE TABLE reminders (id TEXT PRIMARY KEY)")  # type: ignore[attr-defined]

    monkeypatch.setattr(vault_mod, "MIGRATIONS", [*schema.MIGRATIONS, next_version])
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", upgraded)
    with Vault.open(vault_path, PASSPHRASE) as vault:
        assert vault.conn.execute("PRAGMA user_version").fetchone()[0] == upgraded
        vault.conn.execute("SELECT count(*) FROM reminders").fetchone()
    pre = vault_path.with_name(f"{vault_path.name}.pre-v{upgraded}.bak")
    assert pre.exists()
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", current)
    with Vault.open(pre, PASSPHRASE) as old:
        assert old.conn.execute("PRAGMA user_version").fetchone()[0] == current


def test_a_v1_vault_with_records_upgrades_to_comparison_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vault written by schema 1 opens under schema 2: a backup first, every record and person
    kept exactly, the constraints still refuse a bad status or kind, and a new record saves."""
    from app.core.store import schema
    from app.core.store import vault as vault_mod

    path = tmp_path / "v1.fieldbook"
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", 1)
    with Vault.create(path, PASSPHRASE) as vault:
        store = Store(vault)
        store.set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
        # The case and child as schema 1 stored them (today's people have columns it lacks).
        case_id, now = "v1-case", "2026-10-02T09:00:00Z"
        vault.conn.execute("INSERT INTO cases VALUES (?, 'V1-CASE', ?, ?)", (case_id, now, now))
        vault.conn.execute(
            "INSERT INTO people (id, case_id, kind, given_name, family_name, created_at, updated_at)"
            " VALUES ('v1-zofia', ?, 'child', 'Zofia', 'Wójcik', ?, ?)",
            (case_id, now, now),
        )
        rid = store.create_record(
            case_id,
            "chronology_entry",
            1,
            {
                "date": "2026-10-02",
                "source": "School",
                "event": "Said «nie chcę iść do domu».",
                "impact": "Worried",
                "significance": "high",
            },
            [],
            None,
        )
        store.finalise(rid)
        before = [tuple(r) for r in vault.conn.execute("SELECT * FROM records")]
        people = [tuple(r) for r in vault.conn.execute("SELECT * FROM people")]
        assert (
            "status IN"
            in vault.conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'records'").fetchone()[0]
        )
    monkeypatch.setattr(vault_mod, "MIGRATIONS", schema.MIGRATIONS[:2])  # schema 2 exactly
    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", 2)
    with Vault.open(path, PASSPHRASE) as vault:
        conn = vault.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert [tuple(r) for r in conn.execute("SELECT * FROM records")] == before
        assert [tuple(r) for r in conn.execute("SELECT * FROM people")] == people
        for table in ("people", "records", "trust"):
            sql = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
            assert " IN (" not in sql
        with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"):
            conn.execute("UPDATE records SET status = 'archived' WHERE id = ?", (rid,))
        with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"):
            conn.execute(
                "INSERT INTO people (id, case_id, kind, created_at, updated_at) "
                "VALUES ('p', ?, 'stranger', 't', 't')",
                (case_id,),
            )
        store = Store(vault)
        store.create_record(
            case_id,
            "chronology_entry",
            1,
            {"date": "2026-10-03", "source": "GP", "event": "Seen", "impact": "None", "significance": "low"},
            [],
            None,
        )
        assert len(store.list_records(case_id)) == 2
        assert vault.check().ok
    assert path.with_name(path.name + ".pre-v2.bak").exists()


def test_saving_a_record_builds_no_temporary_btree(store: Store) -> None:
    """The statements that save a record compile without an ephemeral table (see schema v2)."""
    case_id = store.create_case(None, [PersonIn("child", "Eleni", "Papadopoulou")])
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    with store.transaction():
        store.create_record(
            case_id,
            "chronology_entry",
            1,
            {
                "date": "2026-10-02",
                "source": "School",
                "event": "Seen",
                "impact": "None",
                "significance": "low",
            },
            [],
            None,
        )
    store.conn.set_trace_callback(None)
    writes = [s for s in seen if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) >= 3
    for sql in writes:
        ops = [row[1] for row in store.conn.execute("EXPLAIN " + sql)]
        assert "OpenEphemeral" not in ops, sql


def test_vault_connections_get_a_large_lookaside_pool(store: Store, vault_path: Path) -> None:
    """The connection has the enlarged pool (so the sqlite3 * handle was found and checked), and
    saving a hundred records in one transaction never finds it full."""
    from app.core.store import lookaside

    stats = lookaside.stats(store.conn, vault_path)
    assert stats is not None, "the sqlite3 handle could not be found: check lookaside.py"
    case_id = store.create_case(None, [PersonIn("child", "Noa", "Cohen")])
    with store.transaction():
        for i in range(100):
            store.create_record(
                case_id,
                "chronology_entry",
                1,
                {
                    "date": "2026-10-02",
                    "source": "School",
                    "event": f"Entry {i} " * 20,
                    "impact": "None",
                    "significance": "low",
                },
                [],
                None,
            )
    stats = lookaside.stats(store.conn, vault_path)
    assert stats is not None
    assert stats["peak_used"] > 123  # more than SQLite's default pool could hold
    assert stats["misses_full"] == 0


def test_lookaside_refuses_a_handle_that_names_another_file(store: Store, tmp_path: Path) -> None:
    """The handle is only trusted when SQLite says it is the file we opened."""
    from app.core.store import lookaside

    assert lookaside.stats(store.conn, tmp_path / "some-other.fieldbook") is None
    assert lookaside.enlarge(store.conn, tmp_path / "some-other.fieldbook") is False


def test_a_vault_from_a_newer_fieldbook_is_not_touched(
    vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer schema is refused with advice, not downgraded or damaged."""
    from app.core.store import vault as vault_mod

    monkeypatch.setattr(vault_mod, "SCHEMA_VERSION", 0)
    monkeypatch.setattr(vault_mod, "MIGRATIONS", [])
    with pytest.raises(VaultError, match="newer Fieldbook"):
        Vault.open(vault_path, PASSPHRASE)
