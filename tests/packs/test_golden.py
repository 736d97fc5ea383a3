"""Golden and broken packs (tests/data/packs, made by tests/data/make_golden.py) read at a fixed time.

Every file there was made once and is never remade: if a change to the pack format or to the
verifier makes an old pack read differently — a good pack no longer valid, a broken pack no longer
refused for its reason — a test here fails. The reports' wording may change (rewrite them with
``python -m tests.data.make_golden --reports`` and review the diff); outcomes and reasons may not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.data.make_golden import HERE, TRUST, VERIFY_AT, expected_path, verify_golden

PACKS = sorted(p for p in HERE.iterdir() if p.name.endswith((".fbpack", ".p7m")))


def _meaning(report: dict[str, Any]) -> dict[str, Any]:
    """What must not change: the verdict, each check's outcome and typed reason, who signed, warnings."""
    return {
        "status": report["status"],
        "exit_code": report["exit_code"],
        "subject": report["subject"],
        "pack_id": report["pack_id"],
        "kind": report["kind"],
        "case_reference": report["case_reference"],
        "created_at": report["created_at"],
        "signers": report["signers"],
        "review": report["review"],
        "warnings": report["warnings"],
        "checks": [(c["id"], c["outcome"], c["reason"]) for c in report["checks"]],
    }


def test_the_golden_set_is_complete() -> None:
    """Four good packs (referral, conference, countersigned, encrypted) and at least five broken ones."""
    names = {p.name for p in PACKS}
    assert {"referral-v1.fbpack", "conference-v1.fbpack", "countersigned-v1.fbpack"} <= names
    assert "encrypted-v1.fbpack.p7m" in names
    assert len([n for n in names if n.startswith("broken-")]) >= 5
    assert all(expected_path(p).exists() for p in PACKS)


@pytest.mark.parametrize("pack", PACKS, ids=[p.name for p in PACKS])
def test_golden_pack_reads_as_it_always_did(pack: Path) -> None:
    """Each golden or broken pack, verified at the fixed time, gives the recorded outcome and reasons."""
    expected = json.loads(expected_path(pack).read_text("utf-8"))
    actual = verify_golden(pack).as_dict()
    assert _meaning(actual) == _meaning(expected)
    good = not pack.name.startswith("broken-")
    assert (actual["status"] == "valid") is good and (actual["exit_code"] == 0) is good


def test_golden_packs_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """`fieldbook verify --trust certs/trust --at <fixed time>` gives each pack's recorded exit code."""
    at = VERIFY_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    for pack in PACKS:
        if pack.name.endswith(".p7m"):
            continue  # needs the key: test_golden_pack_reads_as_it_always_did covers it
        expected = json.loads(expected_path(pack).read_text("utf-8"))
        code = main(["verify", str(pack), "--trust", str(TRUST), "--at", at, "--json"])
        doc = json.loads(capsys.readouterr().out)
        assert code == expected["exit_code"] and _meaning(doc) == _meaning(expected), pack.name


def test_encrypted_golden_pack_opens_with_the_front_door_key(capsys: pytest.CaptureFixture[str]) -> None:
    """The encrypted golden pack opens with the front door's PEM key alone and names its recipient."""
    at = VERIFY_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    key = HERE / "certs" / "front-door.key.pem"
    code = main(
        [
            "verify",
            str(HERE / "encrypted-v1.fbpack.p7m"),
            "--trust",
            str(TRUST),
            "--key",
            str(key),
            "--at",
            at,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "[PASS] The pack was meant for this recipient" in out
