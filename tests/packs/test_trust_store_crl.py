"""The vault's trust store holds authorities' CRLs (issue 17): `fieldbook trust add-crl` (or `trust
add` with a CRL file) keeps a list only when a trusted authority signed it, a newer list replaces
the older one, and `verify` with the vault and `review` judge revocation with the stored lists."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from app.core.clock import FixedClock
from app.core.crypto.keys import Identity, cert_pem
from app.core.packs.build import build_pack
from tests.conftest import GOLDEN_PASSPHRASE, copy_vault
from tests.packs.conftest import NOW
from tests.packs.pki import Spec, crl, make
from tests.packs.test_identity_cli import run
from tests.packs.test_pack_tamper import _content, _render


@pytest.fixture
def vault(golden_sam_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of Sam Carter's vault that trusts the Northshire authority (a root publishing CRLs)."""
    monkeypatch.setenv("FIELDBOOK_PASSPHRASE", GOLDEN_PASSPHRASE)
    return copy_vault(golden_sam_vault, tmp_path / "sam.fieldbook")


@pytest.fixture(scope="module")
def authority() -> Identity:
    return make(Spec("Northshire Council Root CA", ca=True))


def _pack(tmp_path: Path, signer: Identity, name: str) -> Path:
    path = tmp_path / f"{name}.fbpack"
    path.write_bytes(
        build_pack(_content(), signer, clock=FixedClock(NOW), render_pdf=_render, check_validity=False).data
    )
    return path


def _verify(capsys: pytest.CaptureFixture[str], vault: Path, pack: Path) -> tuple[int, set[str]]:
    at = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    code, out = run(capsys, "--vault", str(vault), "verify", str(pack), "--at", at, "--json")
    return code, {c["reason"] for c in json.loads(out)["checks"] if not c["passed"]}


def _write_crl(path: Path, issuer: Identity, revoked: list[Identity], days_ago: int = 0) -> Path:
    listed = crl(issuer, [r.cert for r in revoked], NOW - timedelta(days=days_ago))
    path.write_bytes(listed.public_bytes(serialization.Encoding.DER))
    return path


def test_stored_crl_revokes_and_clears_authority_issued_signers(
    vault: Path, authority: Identity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a CRL: revocation unknown (exit 1); with the authority's CRL stored: a listed
    practitioner is revoked (exit 1, and `review` refuses), an unlisted one verifies (exit 0)."""
    good = _pack(tmp_path, make(Spec("Jo Bloggs", issuer=authority, crl=True)), "good")
    (tmp_path / "root.pem").write_bytes(cert_pem(authority.cert))
    assert (
        run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "root.pem"), "--kind", "root")[0]
        == 0
    )
    assert _verify(capsys, vault, good) == (1, {"revocation-unknown"})
    amira = make(Spec("Amira Haddad", issuer=authority, crl=True))
    revoked = _pack(tmp_path, amira, "revoked")
    crl_file = _write_crl(tmp_path / "northshire.crl", authority, [amira])
    code, out = run(capsys, "--vault", str(vault), "trust", "add-crl", str(crl_file))
    assert code == 0 and "Northshire Council Root CA" in out and "1 revoked" in out, out
    assert _verify(capsys, vault, revoked) == (1, {"revoked"})
    assert _verify(capsys, vault, good) == (0, set())
    review = ["review", "--decision", "approve", "--comment", "Seen", "--out", str(tmp_path / "r.fbpack")]
    code, out = run(capsys, "--vault", str(vault), *review[:1], str(revoked), *review[1:])
    assert code == 1 and "revoked" in out, out
    code, out = run(capsys, "--vault", str(vault), *review[:1], str(good), *review[1:])
    assert code == 0, out


def test_newer_crl_replaces_older_and_trust_add_takes_a_crl(
    vault: Path, authority: Identity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`trust add` accepts a PEM CRL; a newer list replaces the stored one, an older one is refused
    with the stored list kept; `trust list` shows the list with its date."""
    amira = make(Spec("Amira Haddad", issuer=authority, crl=True))
    pack = _pack(tmp_path, amira, "amira")
    (tmp_path / "root.pem").write_bytes(cert_pem(authority.cert))
    assert (
        run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "root.pem"), "--kind", "root")[0]
        == 0
    )
    old = crl(authority, [], NOW - timedelta(days=7)).public_bytes(serialization.Encoding.PEM)
    (tmp_path / "old.pem").write_bytes(old)
    code, out = run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "old.pem"), "--json")
    assert code == 0 and json.loads(out)["crls"][0]["revoked"] == 0, out
    assert _verify(capsys, vault, pack) == (0, set())
    newer = _write_crl(tmp_path / "new.crl", authority, [amira])
    assert run(capsys, "--vault", str(vault), "trust", "add-crl", str(newer))[0] == 0
    assert _verify(capsys, vault, pack) == (1, {"revoked"})
    code, out = run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "old.pem"))
    assert code != 0 and "newer" in out, out
    assert _verify(capsys, vault, pack) == (1, {"revoked"})
    code, out = run(capsys, "--vault", str(vault), "trust", "list")
    assert code == 0 and f"dated {(NOW - timedelta(days=1)).date().isoformat()}" in out, out


def test_crl_from_an_untrusted_issuer_is_refused(
    vault: Path, authority: Identity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CRL whose signer is not a trusted authority (or that a forger signed under its name) is
    refused, naming the CRL, and nothing is stored."""
    forger = make(Spec("Northshire Council Root CA", ca=True))  # same name, another key
    forged = _write_crl(tmp_path / "forged.crl", forger, [])
    code, out = run(capsys, "--vault", str(vault), "trust", "add-crl", str(forged))
    assert code == 2 and "CRL" in out and "not signed by a certificate authority" in out, out
    (tmp_path / "root.pem").write_bytes(cert_pem(authority.cert))
    assert (
        run(capsys, "--vault", str(vault), "trust", "add", str(tmp_path / "root.pem"), "--kind", "root")[0]
        == 0
    )
    code, out = run(capsys, "--vault", str(vault), "trust", "add-crl", str(forged))
    assert code == 2 and "not signed by a certificate authority" in out, out
    code, out = run(capsys, "--vault", str(vault), "trust", "list", "--json")
    assert [r["kind"] for r in json.loads(out)].count("crl") == 0
