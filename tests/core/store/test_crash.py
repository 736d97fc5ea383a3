"""T11 and T05: kill -9 in the middle of writing never corrupts the vault or loses a write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.store import Store, Vault

from .conftest import PASSPHRASE, okafor_case

ROOT = Path(__file__).resolve().parents[3]

WRITER = """
import sys
from app.core.store import Store, Vault
vault = Vault.open(sys.argv[1], sys.argv[2])
store = Store(vault)
case_id = sys.argv[3]
i = 0
while True:
    rid = store.create_record(case_id, "chronology_entry", 1,
                              {"event": f"entry {i} " + "words " * 200, "source": "CSC"}, [], None)
    print(rid, flush=True)   # acknowledged only after the commit returned
    i += 1
"""

REKEY = """
import sys
from app.core import identity
from app.core.store import Store, Vault
vault = Vault.open(sys.argv[1], sys.argv[2])
print("open", flush=True)
identity.change_passphrase(Store(vault), sys.argv[2], sys.argv[3])
print("done", flush=True)
"""


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_kill_9_while_writing_never_loses_an_acknowledged_record(vault_path: Path) -> None:
    """Eight rounds of SIGKILL mid-write: every acknowledged record is there, integrity holds."""
    with Vault.open(vault_path, PASSPHRASE) as vault:
        case_id = okafor_case(Store(vault))
    rng = random.Random(7)
    acknowledged: list[str] = []
    for _ in range(8):
        proc = _spawn(WRITER, str(vault_path), PASSPHRASE, case_id)
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()  # the writer is past unlock and writing
        assert first, proc.stderr.read() if proc.stderr else ""
        acknowledged.append(first)
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged += [line.strip() for line in out.splitlines() if len(line.strip()) == 36]
    with Vault.open(vault_path, PASSPHRASE) as vault:
        store = Store(vault)
        assert vault.check().ok
        present = {r.id for r in store.list_records(case_id)}
    missing = [rid for rid in acknowledged if rid not in present]
    assert not missing, f"{len(missing)} acknowledged records lost"
    assert len(acknowledged) > 8


@pytest.mark.slow
def test_kill_9_during_passphrase_change_keeps_vault_and_identity_together(vault_path: Path) -> None:
    """Killed at any moment of `vault passwd`, the vault and its signing identity open with the
    same passphrase (old or new), the vault is intact, and no copy under the old one is left."""
    from app.core import identity

    new = "copper lantern by the weir"
    with Vault.open(vault_path, PASSPHRASE) as vault:
        store = Store(vault)
        case_id = okafor_case(store)
        cert = identity.on_vault_created(store, PASSPHRASE).sha256
    rng = random.Random(3)
    # One change run to the end says how long a change takes here (it depends on the key
    # derivation and the machine's load); the kills then land anywhere within that time.
    start = time.monotonic()
    proc = _spawn(REKEY, str(vault_path), PASSPHRASE, new)
    out, err = proc.communicate()
    assert "done" in out, err
    span = time.monotonic() - start
    outcomes = []
    for _ in range(10):
        current = _which_opens(vault_path, (PASSPHRASE, new))
        other = new if current == PASSPHRASE else PASSPHRASE
        proc = _spawn(REKEY, str(vault_path), current, other)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "open"
        time.sleep(rng.uniform(0.0, span))  # anywhere: re-protect, backup, pending, rekey, settle
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        outcomes.append("done" in out)
        now = _which_opens(vault_path, (PASSPHRASE, new))
        with Vault.open(vault_path, now) as vault:
            report = vault.check()
            assert report.ok, (report.integrity, report.anchor, report.records)
            store = Store(vault)
            assert store.get_case(case_id).reference == "FB-2026-0001"
            assert identity.load_identity(store, now).cert_sha256 == cert  # same passphrase as the vault
        assert not [p.name for p in vault_path.parent.iterdir() if "before-passwd" in p.name]
    assert not all(outcomes), "every change finished before the kill: the loop tested nothing"


def _which_opens(vault_path: Path, candidates: tuple[str, ...]) -> str:
    """The one passphrase of ``candidates`` that opens the vault (exactly one must)."""
    opened = []
    for candidate in candidates:
        try:
            Vault.open(vault_path, candidate).close()
        except Exception:
            continue
        opened.append(candidate)
    assert len(opened) == 1, f"{len(opened)} passphrases open the vault"
    return opened[0]
