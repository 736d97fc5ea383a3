"""The command line contract of DESIGN.md §5 for the vault and cases: output and exit codes."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import run_app

PASS = "heron bridge at dawn"


def run(
    vault: Path, *args: str, passphrase: str | None = PASS, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` on ``vault`` (``passphrase`` None: none in the environment)."""
    return run_app(*args, vault=vault, passphrase=passphrase, stdin=stdin, env=env)


@pytest.fixture(scope="module")
def base_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("cli") / "vault.fieldbook"
    out = run(
        vault,
        "init",
        "--name",
        "Sam Carter",
        "--role",
        "Social worker",
        "--agency",
        "Northshire Children's Services",
    )
    assert out.returncode == 0, out.stderr
    out = run(
        vault,
        "case",
        "add",
        "--child",
        "Maya Okafor",
        "--dob",
        "2017-03-02",
        "--child",
        "Baby Okafor",
        "--due",
        "2027-02-01",
        "--ref",
        "FB-2026-0001",
    )
    assert out.returncode == 0, out.stderr
    return vault


@pytest.fixture
def vault(base_vault: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "vault.fieldbook"
    dest.write_bytes(base_vault.read_bytes())
    return dest


def test_init_refuses_an_existing_vault_with_exit_2(vault: Path) -> None:
    """`init` over an existing vault exits 2 and leaves the file as it was."""
    before = hashlib.sha256(vault.read_bytes()).hexdigest()
    out = run(vault, "init", "--name", "A", "--role", "B", "--agency", "C")
    assert out.returncode == 2 and "already exists" in out.stderr
    assert hashlib.sha256(vault.read_bytes()).hexdigest() == before


def test_init_refuses_a_weak_passphrase(tmp_path: Path) -> None:
    """A weak passphrase is refused at init with the reason, and no vault is created."""
    path = tmp_path / "v.fieldbook"
    out = run(path, "init", "--name", "A", "--role", "B", "--agency", "C", passphrase="password123!")
    assert out.returncode == 2 and "commonly used" in out.stderr
    assert not path.exists()


def test_case_list_show_and_json(vault: Path) -> None:
    """Cases list and show in text and JSON, including the unborn child's due date."""
    out = run(vault, "--json", "case", "list")
    assert out.returncode == 0, out.stderr
    [case] = json.loads(out.stdout)
    assert case["reference"] == "FB-2026-0001"
    assert case["children"] == ["Maya Okafor", "Baby Okafor"]
    shown = run(vault, "case", "show", "FB-2026-0001")
    assert "unborn, due 2027-02-01" in shown.stdout
    shown = json.loads(run(vault, "case", "show", case["id"][:8], "--json").stdout)
    assert shown["people"][1]["due_date"] == "2027-02-01"


def test_case_add_needs_a_child_and_valid_dates(vault: Path) -> None:
    """Bad input to `case add` exits 2 naming the problem."""
    out = run(vault, "case", "add", "--ref", "X")
    assert out.returncode == 2 and "--child" in out.stderr
    out = run(vault, "case", "add", "--child", "Tia Adeyemi", "--dob", "31/02/2020")
    assert out.returncode == 2 and "Date of birth" in out.stderr
    out = run(vault, "case", "add", "--dob", "2020-01-01")
    assert out.returncode == 2 and "--child" in out.stderr


def test_wrong_passphrase_exits_4_and_changes_nothing(vault: Path) -> None:
    """A wrong passphrase exits 4 with the generic message; the file is byte-for-byte unchanged."""
    before = vault.read_bytes()
    out = run(vault, "case", "list", passphrase="heron bridge at dusk")
    assert out.returncode == 4
    assert "passphrase is wrong or the vault file is damaged" in out.stderr
    assert vault.read_bytes() == before


def test_missing_vault_exits_4_and_creates_nothing(tmp_path: Path) -> None:
    """A command against a vault that is not there exits 4 and never creates an empty one."""
    path = tmp_path / "nowhere.fieldbook"
    out = run(path, "case", "list")
    assert out.returncode == 4 and "fieldbook init" in out.stderr
    assert not path.exists()


def test_search_finds_names(vault: Path) -> None:
    """`search` finds a child by name."""
    out = run(vault, "--json", "search", "maya")
    hits = json.loads(out.stdout)
    assert [h["title"] for h in hits] == ["Maya Okafor"]


def test_vault_check_reports_a_tampered_audit_chain_with_exit_1(vault: Path) -> None:
    """`vault check` exits 0 on a sound vault and 1 when the audit chain was edited."""
    assert run(vault, "vault", "check").returncode == 0
    from app.core.store import Vault

    with Vault.open(vault, PASS) as v:
        v.conn.execute("DROP TRIGGER audit_no_update")
        v.conn.execute("UPDATE audit SET actor = 'Someone Else' WHERE seq = 2")
    out = run(vault, "--json", "vault", "check")
    assert out.returncode == 1
    assert json.loads(out.stdout)["audit_broken_at"] == 2


def test_backup_restore_and_passwd(vault: Path, tmp_path: Path) -> None:
    """Backup, restore and passphrase change work from the command line."""
    backup = tmp_path / "b" / "copy.fieldbook"
    out = run(vault, "vault", "backup", "--out", str(backup))
    assert out.returncode == 0, out.stderr
    assert run(vault, "case", "add", "--child", "Later Child").returncode == 0
    out = run(vault, "vault", "restore", str(backup))
    assert out.returncode == 0, out.stderr
    assert len(json.loads(run(vault, "--json", "case", "list").stdout)) == 1
    new = "otter swims the millrace"
    out = run(vault, "vault", "passwd", FIELDBOOK_NEW_PASSPHRASE=new)
    assert out.returncode == 0, out.stderr
    assert run(vault, "case", "list").returncode == 4
    assert run(vault, "case", "list", passphrase=new).returncode == 0
    # The signing identity follows the new passphrase.
    ident = run(vault, "--json", "identity", "show", passphrase=new)
    if "invalid choice" not in ident.stderr:
        assert ident.returncode == 0, ident.stderr


def _sql_shell(vault: Path) -> Any:
    """The vault opened with sqlcipher3 and the passphrase, as someone with an SQL shell would."""
    from sqlcipher3 import dbapi2 as sqlcipher

    from app.core.store import KDF_ITER

    conn = sqlcipher.connect(str(vault), isolation_level=None)
    conn.execute(f"PRAGMA key = '{PASS}'")
    conn.execute(f"PRAGMA kdf_iter = {KDF_ITER}")
    return conn


def _final_entry(vault: Path) -> str:
    entry = {
        "date": "2026-11-20",
        "source": "School",
        "event": "Maya said she was hit",
        "significance": "high",
    }
    out = run(
        vault,
        "record",
        "add",
        "FB-2026-0001",
        "--form",
        "chronology_entry",
        "--json",
        "-",
        "--final",
        stdin=json.dumps(entry),
    )
    assert out.returncode == 0, out.stderr
    assert run(vault, "vault", "check").returncode == 0
    return out.stdout.strip()


def test_a_final_record_edited_in_an_sql_shell_fails_check_and_export(vault: Path, tmp_path: Path) -> None:
    """After an SQL-shell edit of a final record, `vault check` exits 1 naming it and `export`
    refuses (exit 1, naming it) and writes nothing."""
    rid = _final_entry(vault)
    shell = _sql_shell(vault)
    shell.execute(
        "UPDATE records SET data = json_set(data, '$.event', 'Nothing happened') WHERE id = ?", (rid,)
    )
    shell.close()
    out = run(vault, "vault", "check")
    assert out.returncode == 1 and rid in out.stdout and rid in out.stderr
    pack = tmp_path / "pack.fbpack"
    out = run(vault, "export", "FB-2026-0001", "--kind", "referral", "--out", str(pack))
    assert out.returncode == 1 and rid in out.stderr and "changed after it was finalised" in out.stderr
    assert not pack.exists() and not list(tmp_path.glob(".fieldbook-*"))


def test_a_final_record_deleted_with_the_audit_tail_fails_check(vault: Path) -> None:
    """Deleting a final record and the tail of the audit log from an SQL shell: `vault check`
    exits 1 and names the record, though the remaining chain is intact."""
    rid = _final_entry(vault)
    shell = _sql_shell(vault)
    (first,) = shell.execute("SELECT min(seq) FROM audit WHERE object_id = ?", (rid,)).fetchone()
    shell.execute("DROP TRIGGER audit_no_delete")
    shell.execute("DELETE FROM audit WHERE seq >= ?", (first,))
    shell.execute("DELETE FROM record_children WHERE record_id = ?", (rid,))
    shell.execute("DELETE FROM records WHERE id = ?", (rid,))
    shell.close()
    out = run(vault, "--json", "vault", "check")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["audit_broken_at"] is None
    assert any(rid in problem for problem in report["anchor"])
