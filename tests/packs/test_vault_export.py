"""End to end through the vault: `init` creates the signing identity, the demo case exports as a
referral and a conference pack that verify (fieldbook, pdfsig, openssl, qpdf), every name in the
pack's data prints in the PDF, a manager countersigns, and identity/trust commands work.

These need the vault (app.core.store), the forms engine (app.core.casedata, app.core.demo) and
their CLI commands; they are skipped until those exist."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import GOLDEN_PASSPHRASE, copy_vault
from tests.packs.helpers import need_tool

NEEDED = ("app.core.store", "app.core.casedata", "app.core.demo", "app.cli.vault_cmds", "app.cli.data_cmds")
pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in NEEDED),
    reason="needs the vault, case data and demo modules",
)
PASS = GOLDEN_PASSPHRASE
MANAGER_PASS = "velvet harbour kite mosaic 19"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def vault(
    golden_demo_vault: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """A copy of Sam Carter's vault after `init` and `demo`; returns (vault path, case id)."""
    monkeypatch.setenv("FIELDBOOK_PASSPHRASE", PASS)
    golden, case_id = golden_demo_vault
    return copy_vault(golden, tmp_path / "sam.fieldbook"), case_id


def test_init_creates_a_trusted_signing_identity(
    vault: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After init the vault holds a certificate naming the practitioner, and trusts it."""
    v, _ = vault
    code, out = run(capsys, "--vault", str(v), "identity", "show", "--json")
    info = json.loads(out)
    assert code == 0 and info["name"] == "Sam Carter" and info["non_repudiation"]
    code, out = run(capsys, "--vault", str(v), "trust", "list", "--json")
    assert code == 0 and [t["sha256"] for t in json.loads(out)] == [info["sha256"]]
    code, _ = run(capsys, "--vault", str(v), "identity", "export-cert", "--out", str(tmp_path / "sam.pem"))
    assert code == 0 and b"BEGIN CERTIFICATE" in (tmp_path / "sam.pem").read_bytes()


def test_demo_referral_pack_verifies_everywhere(
    vault: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo case exports as a referral pack that fieldbook, pdfsig, openssl and qpdf accept."""
    v, case_id = vault
    pack, pdf = tmp_path / "referral.fbpack", tmp_path / "referral.pdf"
    code, out = run(
        capsys,
        "--vault",
        str(v),
        "export",
        case_id,
        "--kind",
        "referral",
        "--out",
        str(pack),
        "--pdf",
        str(pdf),
    )
    assert code == 0, out
    assert pack.stat().st_mode & 0o777 == 0o600
    code, out = run(capsys, "--vault", str(v), "verify", str(pack))
    assert code == 0, out
    run(capsys, "--vault", str(v), "identity", "export-cert", "--out", str(tmp_path / "sam.pem"))
    monkeypatch.delenv("FIELDBOOK_PASSPHRASE")
    code, out = run(
        capsys,
        "--vault",
        str(tmp_path / "none.fieldbook"),
        "verify",
        str(pack),
        "--trust",
        str(tmp_path / "sam.pem"),
    )
    assert code == 0, out
    code, _ = run(capsys, "--vault", str(tmp_path / "none.fieldbook"), "verify", str(pack))
    assert code == 3
    sig = subprocess.run([need_tool("pdfsig"), str(pdf)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in sig and "Total document signed" in sig
    assert subprocess.run([need_tool("qpdf"), "--check", str(pdf)], capture_output=True).returncode == 0
    with zipfile.ZipFile(pack) as zf:
        (tmp_path / "m.json").write_bytes(zf.read("manifest.json"))
        (tmp_path / "m.p7s").write_bytes(zf.read("manifest.json.p7s"))
        data = json.loads(zf.read("data.json"))
    res = subprocess.run(
        [
            need_tool("openssl"),
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "m.p7s"),
            "-content",
            str(tmp_path / "m.json"),
            "-CAfile",
            str(tmp_path / "sam.pem"),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    text = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True).stdout
    text = unicodedata.normalize("NFKC", re.sub("[\u202a-\u202e\u2066-\u2069]", "", text))
    for person in data["case"]["people"]:
        for part in (person.get("given_name"), person.get("family_name")):
            if part:
                assert unicodedata.normalize("NFC", part) in text, part


def test_conference_pack_encrypted_and_countersigned(
    vault: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A conference pack encrypted to the front door opens with its key; a manager countersigns a pack."""
    from app.core.clock import SYSTEM_CLOCK
    from app.core.crypto.keys import cert_pem, generate_identity, key_pem

    v, case_id = vault
    front = generate_identity("Northshire MASH", "Front Door", "Northshire Council", now=SYSTEM_CLOCK.now())
    (tmp_path / "fd.pem").write_bytes(cert_pem(front.cert))
    (tmp_path / "fd.key").write_bytes(key_pem(front.key))
    enc = tmp_path / "conf.fbpack.p7m"
    code, out = run(
        capsys,
        "--vault",
        str(v),
        "export",
        case_id,
        "--kind",
        "conference",
        "--out",
        str(enc),
        "--recipient",
        str(tmp_path / "fd.pem"),
    )
    assert code == 0, out
    code, out = run(capsys, "--vault", str(v), "verify", str(enc), "--key", str(tmp_path / "fd.key"))
    assert code == 0, out

    plain = tmp_path / "conf.fbpack"
    assert (
        run(capsys, "--vault", str(v), "export", case_id, "--kind", "conference", "--out", str(plain))[0] == 0
    )
    # The cover lists the case's next deadlines, each naming its rule, status and source.
    with zipfile.ZipFile(plain) as z:
        (tmp_path / "conf.pdf").write_bytes(z.read("pack.pdf"))
    cover = subprocess.run(
        [need_tool("pdftotext"), "-l", "2", str(tmp_path / "conf.pdf"), "-"], capture_output=True, text=True
    ).stdout
    cover = " ".join(cover.split())
    assert "Upcoming deadlines" in cover
    assert (
        "First review child protection conference within 3 months of the conference that made "
        "the plan for Maya Okafor, Leo Okafor" in cover
    )
    assert "statutory guidance Source: https://" in cover
    run(capsys, "--vault", str(v), "identity", "export-cert", "--out", str(tmp_path / "sam.pem"))
    m = tmp_path / "manager.fieldbook"
    monkeypatch.setenv("FIELDBOOK_PASSPHRASE", MANAGER_PASS)
    assert (
        run(
            capsys,
            "--vault",
            str(m),
            "init",
            "--name",
            "Priya Shah",
            "--role",
            "Team Manager",
            "--agency",
            "Northshire Children's Services",
        )[0]
        == 0
    )
    reviewed = tmp_path / "reviewed.fbpack"
    code, out = run(
        capsys,
        "--vault",
        str(m),
        "review",
        str(plain),
        "--decision",
        "approve",
        "--comment",
        "Clear analysis",
        "--out",
        str(reviewed),
    )
    assert code == 3  # the author is not yet trusted by the manager's vault
    assert run(capsys, "--vault", str(m), "trust", "add", str(tmp_path / "sam.pem"))[0] == 0
    code, out = run(
        capsys,
        "--vault",
        str(m),
        "review",
        str(plain),
        "--decision",
        "approve",
        "--comment",
        "Clear analysis",
        "--out",
        str(reviewed),
    )
    assert code == 0, out
    code, out = run(capsys, "--vault", str(m), "verify", str(reviewed), "--json")
    doc = json.loads(out)
    assert code == 0 and [s["name"] for s in doc["signers"]] == ["Sam Carter", "Priya Shah"]
    assert doc["review"]["decision"] == "approve"


def test_export_rejects_bad_input(
    vault: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unknown case, bad dates and unknown records are usage errors naming the field."""
    v, case_id = vault
    out_file = str(tmp_path / "x.fbpack")
    code, out = run(
        capsys, "--vault", str(v), "export", "no-such-case", "--kind", "referral", "--out", out_file
    )
    assert code == 2 and "CASE" in out and "no-such-case" in out
    code, out = run(
        capsys,
        "--vault",
        str(v),
        "export",
        case_id,
        "--kind",
        "referral",
        "--out",
        out_file,
        "--from",
        "23/11/2026",
    )
    assert code == 2 and "From" in out
    code, out = run(
        capsys,
        "--vault",
        str(v),
        "export",
        case_id,
        "--kind",
        "referral",
        "--out",
        out_file,
        "--records",
        "does-not-exist",
    )
    assert code == 2 and "Records" in out
    assert not Path(out_file).exists()
