"""The signing identity and trust store inside a real vault: `init` makes and trusts a
practitioner certificate; `identity show|export-cert|import-p12`; `trust add|list|remove`;
the identity survives `vault passwd`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from app.cli import main
from app.core.crypto.keys import cert_pem, generate_identity, to_pkcs12
from tests.conftest import GOLDEN_PASSPHRASE, copy_vault
from tests.packs.conftest import NOW

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("app.core.store", "app.cli.vault_cmds")),
    reason="needs the vault",
)
PASS = GOLDEN_PASSPHRASE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def vault(golden_sam_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the vault `init` made for Sam Carter."""
    monkeypatch.setenv("FIELDBOOK_PASSPHRASE", PASS)
    return copy_vault(golden_sam_vault, tmp_path / "sam.fieldbook")


def test_init_makes_a_trusted_practitioner_certificate(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After init, `identity show` names the practitioner and `trust list` holds that certificate."""
    code, out = run(capsys, "--vault", str(vault), "identity", "show", "--json")
    info = json.loads(out)
    assert code == 0 and (info["name"], info["role"]) == ("Sam Carter", "Social Worker")
    assert info["non_repudiation"] and info["self_signed"]
    code, out = run(capsys, "--vault", str(vault), "trust", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [(r["sha256"], r["kind"]) for r in rows] == [(info["sha256"], "practitioner")]
    code, _ = run(capsys, "--vault", str(vault), "identity", "export-cert", "--out", str(tmp_path / "c.pem"))
    assert code == 0 and (tmp_path / "c.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    assert (tmp_path / "c.pem").stat().st_mode & 0o777 == 0o600


def test_trust_add_list_remove(vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A colleague's certificate can be trusted, listed and removed again by a prefix of its hash."""
    colleague = generate_identity("Priya Shah", "Team Manager", "Northshire", now=NOW)
    (tmp_path / "priya.pem").write_bytes(cert_pem(colleague.cert))
    code, out = run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "priya.pem"), "--json")
    assert code == 0 and json.loads(out)["added"] == [colleague.cert_sha256]
    code, out = run(capsys, "--vault", str(vault), "trust", "list")
    assert "Priya Shah" in out
    code, out = run(capsys, "--vault", str(vault), "trust", "remove", colleague.cert_sha256[:12])
    assert code == 0 and "Priya Shah" in out
    code, out = run(capsys, "--vault", str(vault), "trust", "remove", colleague.cert_sha256[:12])
    assert code == 2 and "no trusted certificate" in out
    (tmp_path / "junk.pem").write_text("hello")
    code, out = run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "junk.pem"))
    assert code == 2 and "Certificate" in out


def test_import_p12_replaces_the_signing_identity(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A certificate the local authority issued replaces the self-issued one; a wrong password is refused."""
    issued = generate_identity("Sam Carter", "Social Worker", "Northshire Council", now=NOW)
    (tmp_path / "la.p12").write_bytes(to_pkcs12(issued, b"la-issued-password"))
    monkeypatch.setenv("FIELDBOOK_P12_PASSPHRASE", "wrong")
    code, out = run(capsys, "--vault", str(vault), "identity", "import-p12", str(tmp_path / "la.p12"))
    assert code == 2 and "wrong password" in out
    monkeypatch.setenv("FIELDBOOK_P12_PASSPHRASE", "la-issued-password")
    code, out = run(capsys, "--vault", str(vault), "identity", "import-p12", str(tmp_path / "la.p12"))
    assert code == 0, out
    code, out = run(capsys, "--vault", str(vault), "identity", "show", "--json")
    assert json.loads(out)["sha256"] == issued.cert_sha256


def test_identity_survives_a_passphrase_change(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `vault passwd` the signing key opens with the new passphrase."""
    from app.core.identity import load_identity
    from app.core.store import Store, Vault

    new = "amber tundra pickle orbit 7"
    monkeypatch.setenv("FIELDBOOK_NEW_PASSPHRASE", new)
    code, out = run(capsys, "--vault", str(vault), "vault", "passwd")
    assert code == 0, out
    v = Vault.open(vault, new)
    try:
        ident = load_identity(Store(v), new)
        assert ident.info.name == "Sam Carter"
    finally:
        v.close()
