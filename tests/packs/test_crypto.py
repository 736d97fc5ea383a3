"""Keys, certificates, PKCS#12, detached CMS signatures and envelopes, cross-checked with openssl."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.crypto.cms import (
    sign_detached,
    verify_detached,
)
from app.core.crypto.keys import (
    CryptoError,
    cert_pem,
    check_can_sign,
    from_pkcs12,
    generate_identity,
    load_certificate,
    to_pkcs12,
)
from app.core.outcome import SigStatus
from tests.packs.conftest import NOW, People
from tests.packs.helpers import need_tool

MANIFEST = b'{"case_reference":"FB-2026-0007","child":"Maya Okafor"}'


def test_practitioner_certificate_says_who_signs(people: People) -> None:
    """The certificate names the practitioner, role and agency, allows non-repudiation, lasts ≤ 2 years."""
    info = people.author.info
    assert (info.name, info.role, info.agency) == (
        "Sam Carter",
        "Social Worker",
        "Northshire Children's Services",
    )
    assert info.non_repudiation and info.self_signed
    assert info.not_after - info.not_before <= timedelta(days=730)
    assert people.author.key.key_size == 3072


def test_empty_name_is_refused_with_the_field_named() -> None:
    """A certificate without a name cannot be made, and the message says which field is empty."""
    with pytest.raises(CryptoError, match="Name"):
        generate_identity("  ", "Social Worker", "Northshire", now=NOW, key_bits=2048)


def test_pkcs12_round_trip_and_wrong_password(people: People) -> None:
    """An exported PKCS#12 comes back as the same identity; a wrong password is a clear error."""
    blob = to_pkcs12(people.author, b"correct horse battery")
    back = from_pkcs12(blob, b"correct horse battery")
    assert back.cert_sha256 == people.author.cert_sha256
    with pytest.raises(CryptoError, match="wrong password"):
        from_pkcs12(blob, b"not the password")
    with pytest.raises(CryptoError, match="PKCS#12"):
        from_pkcs12(b"not a pkcs12 file", b"x")


def test_pkcs12_opens_with_openssl(people: People, tmp_path: Path) -> None:
    """A local authority's tools (openssl) can read the PKCS#12 the app writes."""
    openssl = need_tool("openssl")
    p12 = tmp_path / "id.p12"
    p12.write_bytes(to_pkcs12(people.author, b"pw-for-test"))
    out = subprocess.run(
        [openssl, "pkcs12", "-in", str(p12), "-passin", "pass:pw-for-test", "-nokeys", "-clcerts"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Sam Carter" in out


def test_certificate_loading_accepts_pem_and_der_and_names_bad_input(people: People) -> None:
    """PEM and DER certificates load; anything else gets a message naming the certificate."""
    pem = cert_pem(people.author.cert)
    assert load_certificate(pem).serial_number == people.author.cert.serial_number
    assert load_certificate(people.author.cert_der).serial_number == people.author.cert.serial_number
    with pytest.raises(CryptoError, match="Recipient certificate"):
        load_certificate(b"hello", what="Recipient certificate")


def test_refuses_to_sign_with_expired_certificate(people: People) -> None:
    """The app will not sign with a certificate that has expired or is not yet valid."""
    with pytest.raises(CryptoError, match="expired"):
        check_can_sign(people.expired, NOW)
    with pytest.raises(CryptoError, match="not valid until"):
        check_can_sign(people.author, NOW - timedelta(days=1))
    check_can_sign(people.author, NOW)


def test_detached_signature_verifies_and_detects_change(people: People) -> None:
    """A signed manifest verifies against the trusted author; one changed byte is detected."""
    sig = sign_detached(MANIFEST, people.author, now=NOW)
    ok = verify_detached(MANIFEST, sig, [people.author.cert], now=NOW)
    assert ok.intact and ok.trusted and ok.signer_sha256 == people.author.cert_sha256
    changed = verify_detached(MANIFEST.replace(b"Maya", b"Mayb"), sig, [people.author.cert], now=NOW)
    assert changed.status is SigStatus.CHANGED and not changed.intact and changed.detail


def test_same_name_different_key_is_not_trusted(people: People) -> None:
    """A signature by an impostor certificate with the author's name is intact but untrusted."""
    sig = sign_detached(MANIFEST, people.impostor, now=NOW)
    res = verify_detached(MANIFEST, sig, [people.author.cert], now=NOW)
    assert res.status is SigStatus.UNTRUSTED and res.status.verdict.exit_code == 3


def test_expired_signer_is_not_trusted(people: People) -> None:
    """A signature made with an expired certificate is a fault (exit 1), even though it is trusted."""
    sig = sign_detached(MANIFEST, people.expired, now=NOW)
    res = verify_detached(MANIFEST, sig, [people.expired.cert], now=NOW)
    assert res.status is SigStatus.EXPIRED and res.status.verdict.exit_code == 1 and "expired" in res.detail


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01\x01", b"x" * 100, b"\x30\x82\xff\xff"])
def test_garbage_signature_is_invalid_not_a_crash(people: People, garbage: bytes) -> None:
    """A damaged signature file is reported as unreadable, never an exception."""
    res = verify_detached(MANIFEST, garbage, [people.author.cert], now=NOW)
    assert res.status is SigStatus.UNREADABLE and not res.intact and res.detail


def test_openssl_accepts_our_detached_signature(people: People, tmp_path: Path) -> None:
    """`openssl cms -verify -binary -inform DER` accepts the manifest signature (interoperability)."""
    openssl = need_tool("openssl")
    (tmp_path / "m.json").write_bytes(MANIFEST)
    (tmp_path / "m.p7s").write_bytes(sign_detached(MANIFEST, people.author, now=NOW))
    (tmp_path / "ca.pem").write_bytes(cert_pem(people.author.cert))
    res = subprocess.run(
        [
            openssl,
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
            str(tmp_path / "ca.pem"),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    (tmp_path / "m.json").write_bytes(MANIFEST + b" ")
    bad = subprocess.run(
        [
            openssl,
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
            str(tmp_path / "ca.pem"),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
