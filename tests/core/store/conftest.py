"""One real SQLCipher vault per session (key derivation is deliberately slow), copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.core.store import PersonIn, Store, Vault

PASSPHRASE = "amber kettle on the moor"


@pytest.fixture(scope="session")
def golden_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "vault.fieldbook"
    with Vault.create(path, PASSPHRASE, clock=FixedClock()) as vault:
        Store(vault).set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
    return path


@pytest.fixture
def vault_path(golden_vault: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "vault" / "vault.fieldbook"
    dest.parent.mkdir(mode=0o700)
    shutil.copy2(golden_vault, dest)
    return dest


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store(vault_path: Path, clock: FixedClock) -> Iterator[Store]:
    vault = Vault.open(vault_path, PASSPHRASE, clock=clock)
    try:
        yield Store(vault)
    finally:
        vault.close()


def okafor_case(store: Store) -> str:
    return store.create_case(
        "FB-2026-0001",
        [
            PersonIn("child", "Maya", "Okafor", dob="2017-03-02", living_arrangement="parents"),
            PersonIn("child", "Leo", "Okafor", dob="2022-01-10"),
            PersonIn("child", "Baby", "Okafor", due_date="2027-02-01"),
        ],
        [
            PersonIn("household", "Grace", "Okafor", relationship="mother", parental_responsibility=True),
            PersonIn(
                "professional",
                "Priya",
                "Shah",
                agency="Northshire Primary School",
                role="Designated safeguarding lead",
            ),
        ],
    )
