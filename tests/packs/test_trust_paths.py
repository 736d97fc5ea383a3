"""Certificate path validation that means it (issue 17 item 1), through `fieldbook verify`.

A small fictional PKI is made per module (RSA-2048 keys, for speed): a local authority root, an
intermediate, and signers with every fault the attack run found. Each fault exits 1 and names its
real reason; exit 3 is kept for "intact, but nobody here trusts the signer".
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from app.cli import main
from app.core.clock import FixedClock
from app.core.crypto.keys import Identity, cert_pem
from app.core.packs.build import build_pack
from app.core.packs.review import add_review
from tests.packs.conftest import NOW
from tests.packs.pki import Spec, crl, make
from tests.packs.test_pack_tamper import _content, _render


@dataclass
class Pki:
    root: Identity
    intermediate: Identity
    practitioner: Identity  # pinned on its own (self-issued, CA:FALSE)
    folder: Path  # trust folder: the root and the practitioner


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A root, an intermediate under it, and a self-issued practitioner, with a trust folder."""
    root = make(Spec("Northshire Test Root", ca=True))
    intermediate = make(Spec("Northshire Issuing CA", issuer=root, ca=True, path_length=0))
    practitioner = make(Spec("Sam Carter"))
    folder = tmp_path_factory.mktemp("trust")
    (folder / "root.pem").write_bytes(cert_pem(root.cert))
    (folder / "sam.pem").write_bytes(cert_pem(practitioner.cert))
    return Pki(root, intermediate, practitioner, folder)


def verify(pki: Pki, identity: Identity, tmp_path: Path, *extra: str, at: datetime = NOW) -> tuple[int, dict]:
    """Build a pack signed by ``identity`` (as another tool might: no checks) and verify it by CLI."""
    pack = build_pack(_content(), identity, clock=FixedClock(NOW), render_pdf=_render, check_validity=False)
    path = tmp_path / "p.fbpack"
    path.write_bytes(pack.data)
    return _cli(path, pki, *extra, at=at)


def _cli(path: Path, pki: Pki, *extra: str, at: datetime = NOW) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "verify",
                str(path),
                "--trust",
                str(pki.folder),
                "--at",
                at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "--json",
                *extra,
            ]
        )
    return code, json.loads(out.getvalue())


def _reasons(doc: dict) -> set[str]:
    return {c["reason"] for c in doc["checks"] if not c["passed"]}


def test_certificate_issued_by_the_authority_is_valid(pki: Pki, tmp_path: Path) -> None:
    """A practitioner certificate issued under the trusted root (via an intermediate) verifies: exit 0."""
    signer = make(Spec("Amira Haddad", issuer=pki.intermediate))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 0 and doc["status"] == "valid", doc


def test_pinned_practitioner_cannot_vouch_for_a_colleague(pki: Pki, tmp_path: Path) -> None:
    """A certificate 'issued' by a pinned practitioner (CA:FALSE) in a manager's name: exit 1, named."""
    forged = make(Spec("Priya Shah", issuer=pki.practitioner))
    code, doc = verify(pki, forged, tmp_path)
    assert code == 1 and _reasons(doc) == {"bad-issuer"}
    assert any("may not vouch for anyone else" in c["detail"] for c in doc["checks"])


def test_forged_manager_cannot_approve_a_review(pki: Pki, tmp_path: Path) -> None:
    """An 'approved' review signed with a practitioner-minted manager certificate is refused (exit 1)."""
    pack = build_pack(_content(), pki.practitioner, clock=FixedClock(NOW), render_pdf=_render)
    forged = make(Spec("Priya Shah", issuer=pki.practitioner))
    reviewed = add_review(pack.data, forged, decision="approve", comment="Fine", clock=FixedClock(NOW))
    (tmp_path / "r.fbpack").write_bytes(reviewed)
    code, doc = _cli(tmp_path / "r.fbpack", pki)
    assert code == 1 and "bad-issuer" in _reasons(doc)


def test_non_ca_intermediate_cannot_issue(pki: Pki, tmp_path: Path) -> None:
    """An end-entity certificate under the root used as an issuer is refused: exit 1, bad issuer."""
    not_a_ca = make(Spec("Northshire Web Server", issuer=pki.root))
    signer = make(Spec("Amira Haddad", issuer=not_a_ca))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 1 and _reasons(doc) == {"bad-issuer"}


def test_tls_server_certificate_cannot_sign(pki: Pki, tmp_path: Path) -> None:
    """A TLS server certificate from the trusted root cannot sign a pack: exit 1, key usage."""
    tls = make(
        Spec("fieldbook.northshire.invalid", issuer=pki.intermediate, eku=(ExtendedKeyUsageOID.SERVER_AUTH,))
    )
    code, doc = verify(pki, tls, tmp_path)
    assert code == 1 and _reasons(doc) == {"key-usage"}
    assert any("not for signing documents" in c["detail"] for c in doc["checks"])


def test_document_signing_eku_is_accepted(pki: Pki, tmp_path: Path) -> None:
    """An extended key usage for document signing (here S/MIME) is accepted: exit 0."""
    signer = make(Spec("Amira Haddad", issuer=pki.intermediate, eku=(ExtendedKeyUsageOID.EMAIL_PROTECTION,)))
    assert verify(pki, signer, tmp_path)[0] == 0


def test_certificate_without_signing_usage_is_refused(pki: Pki, tmp_path: Path) -> None:
    """A certificate allowing neither digitalSignature nor nonRepudiation: exit 1, key usage."""
    signer = make(Spec("Amira Haddad", issuer=pki.intermediate, signing=False))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 1 and _reasons(doc) == {"key-usage"}


def test_weak_key_is_refused(pki: Pki, tmp_path: Path) -> None:
    """A 1024-bit RSA signing key is a fault (exit 1, weak key), not 'untrusted'."""
    signer = make(Spec("Amira Haddad", issuer=pki.intermediate, key_bits=1024))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 1 and _reasons(doc) == {"weak-key"}


def test_expired_intermediate_is_refused(pki: Pki, tmp_path: Path) -> None:
    """A signer under an intermediate that had expired when it signed: exit 1, expired."""
    old = make(Spec("Old Issuing CA", issuer=pki.root, ca=True, start=NOW - timedelta(days=400), days=365))
    signer = make(Spec("Amira Haddad", issuer=old, start=NOW - timedelta(days=30)))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 1 and _reasons(doc) == {"expired"}


def test_not_yet_valid_signer_is_refused(pki: Pki, tmp_path: Path) -> None:
    """A certificate that only becomes valid after the signing time: exit 1, not yet valid."""
    signer = make(Spec("Amira Haddad", issuer=pki.intermediate, start=NOW + timedelta(days=2)))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 1 and _reasons(doc) == {"not-yet-valid"}


def test_unknown_authority_is_untrusted_not_invalid(pki: Pki, tmp_path: Path) -> None:
    """A sound certificate from an authority nobody here trusts: exit 3, untrusted."""
    other_root = make(Spec("Southshire Root", ca=True))
    signer = make(Spec("Amira Haddad", issuer=other_root))
    code, doc = verify(pki, signer, tmp_path)
    assert code == 3 and _reasons(doc) == {"untrusted"}


def test_revocation_is_required_and_hard_fails(pki: Pki, tmp_path: Path) -> None:
    """Where the issuer publishes a CRL it must be at hand (exit 1 without it); a listed certificate
    is revoked (exit 1) whether the CRL comes from --crl or the trust folder; an unlisted one passes."""
    revoked = make(Spec("Amira Haddad", issuer=pki.intermediate, crl=True))
    fine = make(Spec("Jo Bloggs", issuer=pki.intermediate, crl=True))
    (tmp_path / "issuing.crl").write_bytes(
        crl(pki.intermediate, [revoked.cert], NOW).public_bytes(serialization.Encoding.PEM)
    )
    code, doc = verify(pki, revoked, tmp_path)
    assert code == 1 and _reasons(doc) == {"revocation-unknown"}
    code, doc = verify(pki, revoked, tmp_path, "--crl", str(tmp_path / "issuing.crl"))
    assert code == 1 and _reasons(doc) == {"revoked"}
    code, doc = verify(pki, fine, tmp_path, "--crl", str(tmp_path / "issuing.crl"))
    assert code == 0, doc
    folder = tmp_path / "trust-with-crl"
    folder.mkdir()
    for f in pki.folder.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "issuing.crl").write_bytes((tmp_path / "issuing.crl").read_bytes())
    pki_crl = Pki(pki.root, pki.intermediate, pki.practitioner, folder)
    code, doc = verify(pki_crl, revoked, tmp_path)
    assert code == 1 and _reasons(doc) == {"revoked"}


def test_crl_option_refuses_a_file_that_is_not_a_crl(pki: Pki, tmp_path: Path) -> None:
    """--crl with something that is not a CRL is bad usage (exit 2), naming the file."""
    (tmp_path / "x.crl").write_text("not a CRL")
    (tmp_path / "p.fbpack").write_bytes(b"PK")
    assert main(["verify", str(tmp_path / "p.fbpack"), "--crl", str(tmp_path / "x.crl")]) == 2
