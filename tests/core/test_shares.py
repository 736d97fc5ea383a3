"""The information-sharing log as a practitioner and an information-governance officer use it:
exports log themselves with defaults from the referral, shares by phone are logged by hand, and
`fieldbook shares CASE` lists them; the signed pack carries its entry in the manifest and on the
cover."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.packs.helpers import need_tool

ROOT = Path(__file__).resolve().parents[2]
PASS = "heron bridge at dawn"


def run(vault: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FIELDBOOK_VAULT": str(vault), "FIELDBOOK_PASSPHRASE": PASS}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True, timeout=180, env=env
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("shares") / "vault.fieldbook"
    assert (
        run(
            vault, "init", "--name", "Sam Carter", "--role", "Social worker", "--agency", "Northshire"
        ).returncode
        == 0
    )
    out = run(vault, "demo")
    assert out.returncode == 0, out.stderr
    return vault


def shares(vault: Path) -> list[dict[str, object]]:
    out = run(vault, "--json", "shares", "FB-2026-0042")
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout))


def test_an_export_is_logged_with_defaults_from_the_referral(demo: Path, tmp_path: Path) -> None:
    """A referral pack exported with only a purpose given: the log names the front door, the
    referral's consent, the Sch 1 para 18 basis and the practitioner; the manifest and the
    cover say the same."""
    before = shares(demo)
    pack = tmp_path / "ref.fbpack"
    out = run(
        demo,
        "--json",
        "export",
        "FB-2026-0042",
        "--kind",
        "referral",
        "--out",
        str(pack),
        "--purpose",
        "Referral: Maya's injury",
    )
    assert out.returncode == 0, out.stderr
    pack_id = json.loads(out.stdout)["pack_id"]
    [entry] = [s for s in shares(demo) if s not in before]
    assert entry["method"] == "export" and entry["pack_id"] == pack_id
    assert entry["recipient"] == "Children's social care front door"
    assert entry["purpose"] == "Referral: Maya's injury"
    assert entry["consent"] == "given"  # the demo referral's consent
    assert entry["lawful_basis"] == "public_task_sch1_18" and "Sch 1 para 18" in str(
        entry["lawful_basis_label"]
    )
    assert entry["decided_by"] == "Sam Carter"
    with zipfile.ZipFile(pack) as z:
        manifest = json.loads(z.read("manifest.json"))
        (tmp_path / "ref.pdf").write_bytes(z.read("pack.pdf"))
    assert manifest["share"]["recipient"] == entry["recipient"]
    assert manifest["share"]["purpose"] == entry["purpose"]
    cover = subprocess.run(
        [need_tool("pdftotext"), "-l", "1", str(tmp_path / "ref.pdf"), "-"], capture_output=True, text=True
    ).stdout
    cover = " ".join(cover.split())
    assert "Shared with Children's social care front door for: Referral: Maya's injury." in cover
    assert "Decided by Sam Carter." in cover
    assert run(demo, "verify", str(pack)).returncode in (0, 3)  # intact (trust is another matter)


def test_a_phone_share_is_logged_and_a_bad_one_names_each_field(demo: Path) -> None:
    """A call to the GP is logged with what, to whom, why and on what basis; a share with no
    description, consent given as the basis after consent was refused, and half a date is
    refused naming each, and nothing is logged."""
    before = shares(demo)
    assert [s["method"] for s in before][:2] == ["phone", "secure_email"]  # the demo's own
    ok = run(
        demo,
        "share",
        "FB-2026-0042",
        "--on",
        "2026-11-24T09:30",
        "--method",
        "phone",
        "--what",
        "The child protection plan",
        "--to",
        "Dr Ames, GP",
        "--purpose",
        "GP in the core group",
        "--consent",
        "given",
        "--lawful-basis",
        "public_task_sch1_18",
    )
    assert ok.returncode == 0, ok.stderr
    after = shares(demo)
    assert len(after) == len(before) + 1
    bad = run(
        demo,
        "share",
        "FB-2026-0042",
        "--on",
        "2026-11",
        "--method",
        "phone",
        "--what",
        " ",
        "--to",
        "Dr Ames",
        "--purpose",
        "GP",
        "--consent",
        "refused",
        "--lawful-basis",
        "consent",
    )
    assert bad.returncode == 2
    for named in ("What was shared", "Lawful basis", "When it was shared"):
        assert named in bad.stderr
    assert len(shares(demo)) == len(after)
    text = run(demo, "shares", "FB-2026-0042").stdout
    assert "Telephone: The child protection plan" in text and "to Dr Ames, GP" in text
