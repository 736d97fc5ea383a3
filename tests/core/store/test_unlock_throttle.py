"""T04 across processes: unlock guesses made at the same moment are counted and slowed one by one."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.core.errors import VaultError
from app.core.store import Vault

from .conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[3]
WRONG = "not the passphrase at all"

GUESS = """
import sys
from app.core.errors import VaultError
from app.core.store import Vault
try:
    Vault.open(sys.argv[1], sys.argv[2])
except VaultError:
    print("refused", flush=True)
"""


def _failures(vault_path: Path) -> int:
    return int(json.loads(vault_path.with_name(vault_path.name + ".attempts").read_text())["failures"])


def test_parallel_guesses_from_processes_are_all_counted(vault_path: Path) -> None:
    """Five processes guessing at once add five failures (none is lost to a race)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GUESS, str(vault_path), WRONG], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(5)
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert outs == ["refused"] * 5
    assert _failures(vault_path) == 5


def test_parallel_guesses_wait_out_the_back_off_one_after_another(vault_path: Path) -> None:
    """After five failures, four guesses started together wait 5, 10, 20 and 40 s in turn: the
    back-off cannot be skipped by guessing in parallel."""
    clock = FixedClock()
    for _ in range(5):
        with pytest.raises(VaultError):
            Vault.open(vault_path, WRONG, clock=clock)
    assert clock.slept == []
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            Vault.open(vault_path, WRONG, clock=clock)
        except VaultError:
            return
        except BaseException as exc:  # anything but a refusal fails the test
            errors.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert sorted(clock.slept) == [5, 10, 20, 40]
    assert _failures(vault_path) == 9
    with Vault.open(vault_path, PASSPHRASE, clock=clock) as vault:
        assert vault.failed_unlocks == 9
    assert not vault_path.with_name(vault_path.name + ".attempts").exists()
