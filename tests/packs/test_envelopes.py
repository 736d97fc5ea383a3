"""Encryption to the front door: AuthEnvelopedData (AES-256-GCM) with RSA-OAEP or ECDH recipients,
opened by `openssl cms -decrypt` and by `fieldbook verify --key`; old CBC / PKCS#1 v1.5 packs still open."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import NameOID

from app.cli import main
from app.core.clock import FixedClock
from app.core.crypto.cms import envelope_decrypt, envelope_encrypt, envelope_kind, envelope_open, is_envelope
from app.core.crypto.keys import CryptoError, cert_pem, key_pem
from app.core.packs.build import BuiltPack, PackContent, build_pack
from tests.packs.conftest import NOW, People
from tests.packs.helpers import need_tool, renderer
from tests.packs.sample import sample_case

SECRET = b"PK\x03\x04 pack bytes for Leo Okafor"


def ec_recipient(curve: ec.EllipticCurve) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A fictional front door with an EC key-agreement certificate."""
    key = ec.generate_private_key(curve)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Northshire MASH ({curve.name})")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(False, False, False, False, True, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def ec_doors() -> dict[str, tuple[ec.EllipticCurvePrivateKey, x509.Certificate]]:
    """Front doors on P-256 and P-384."""
    return {"P-256": ec_recipient(ec.SECP256R1()), "P-384": ec_recipient(ec.SECP384R1())}


def openssl_decrypt(tmp: Path, envelope: bytes, key_pem_bytes: bytes, cert: x509.Certificate) -> bytes:
    openssl = need_tool("openssl")
    (tmp / "p.p7m").write_bytes(envelope)
    (tmp / "k.pem").write_bytes(key_pem_bytes)
    (tmp / "c.pem").write_bytes(cert_pem(cert))
    res = subprocess.run(
        [
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            str(tmp / "p.p7m"),
            "-inkey",
            str(tmp / "k.pem"),
            "-recip",
            str(tmp / "c.pem"),
        ],
        capture_output=True,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def openssl_print(tmp: Path, envelope: bytes) -> str:
    (tmp / "print.p7m").write_bytes(envelope)
    return subprocess.run(
        [need_tool("openssl"), "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(tmp / "print.p7m")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_rsa_recipient_gets_oaep_and_gcm_that_openssl_opens(people: People, tmp_path: Path) -> None:
    """An RSA front door receives AuthEnvelopedData with RSA-OAEP; openssl shows and opens it."""
    env = envelope_encrypt(SECRET, people.front_door.cert)
    assert is_envelope(env) and not is_envelope(SECRET)
    printed = openssl_print(tmp_path, env)
    assert "authEnvelopedData" in printed and "rsaesOaep" in printed and "aes-256-gcm" in printed
    assert "sha256" in printed  # OAEP's hash, not the SHA-1 default
    assert openssl_decrypt(tmp_path, env, key_pem(people.front_door.key), people.front_door.cert) == SECRET
    assert envelope_decrypt(env, people.front_door.cert, people.front_door.key) == SECRET
    with pytest.raises(CryptoError, match="cannot be opened"):
        envelope_decrypt(env, people.author.cert, people.author.key)


@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_ec_recipient_openssl_and_fieldbook_open_it(
    ec_doors: dict[str, tuple[ec.EllipticCurvePrivateKey, x509.Certificate]], curve: str, tmp_path: Path
) -> None:
    """An EC front door (ECDH, X9.63 KDF, AES key wrap) opens the envelope with openssl and with Fieldbook."""
    key, cert = ec_doors[curve]
    env = envelope_encrypt(SECRET, cert)
    printed = openssl_print(tmp_path, env)
    assert "authEnvelopedData" in printed and "dhSinglePass-stdDH-sha" in printed
    assert "id-aes256-wrap" in printed
    assert openssl_decrypt(tmp_path, env, key_pem(key), cert) == SECRET
    assert envelope_open(env, key) == SECRET
    other_key, _ = ec_doors["P-256" if curve == "P-384" else "P-384"]
    with pytest.raises(CryptoError, match="cannot be opened"):
        envelope_open(env, other_key)


def test_envelopes_written_by_openssl_open_too(
    ec_doors: dict[str, tuple[ec.EllipticCurvePrivateKey, x509.Certificate]], tmp_path: Path
) -> None:
    """An envelope made by openssl's defaults (SHA-1 KDF for EC) is read by Fieldbook."""
    openssl = need_tool("openssl")
    key, cert = ec_doors["P-256"]
    (tmp_path / "m.bin").write_bytes(SECRET)
    (tmp_path / "c.pem").write_bytes(cert_pem(cert))
    out = str(tmp_path / "o.p7m")
    subprocess.run(
        [
            openssl,
            "cms",
            "-encrypt",
            "-binary",
            "-aes-256-gcm",
            "-in",
            str(tmp_path / "m.bin"),
            "-outform",
            "DER",
            "-out",
            out,
            str(tmp_path / "c.pem"),
        ],
        check=True,
        capture_output=True,
    )
    assert envelope_open((tmp_path / "o.p7m").read_bytes(), key) == SECRET


def test_old_cbc_envelope_still_opens(people: People) -> None:
    """A pack encrypted the old way (EnvelopedData, PKCS#1 v1.5, AES-CBC) still opens."""
    old = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(SECRET)
        .add_recipient(people.front_door.cert)
        .set_content_encryption_algorithm(algorithms.AES256)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    assert envelope_kind(old) == {
        "content_type": "enveloped_data",
        "cipher": "aes256_cbc",
        "key_transport": "rsaes_pkcs1v15",
    }
    assert envelope_open(old, people.front_door.key) == SECRET
    assert envelope_decrypt(old, people.front_door.cert, people.front_door.key) == SECRET


def test_changed_ciphertext_is_refused(people: People) -> None:
    """One flipped byte in the encrypted content fails GCM's check: the pack does not open at all."""
    env = bytearray(envelope_encrypt(SECRET * 4, people.front_door.cert))
    env[-19] ^= 0x01  # the last ciphertext byte: the envelope ends with the 18-byte tag (MAC)
    with pytest.raises(CryptoError, match="cannot be opened"):
        envelope_open(bytes(env), people.front_door.key)


def test_unsupported_recipient_key_is_named() -> None:
    """A certificate on a curve the front door cannot use is refused with a message naming it."""
    _key, cert = ec_recipient(ec.SECP521R1())
    with pytest.raises(CryptoError, match=r"Recipient certificate: .*P-256 or P-384"):
        envelope_encrypt(SECRET, cert)


def _ec_pack(people: People, cert: x509.Certificate) -> BuiltPack:
    case_data, attachments, chronology = sample_case(2)
    return build_pack(
        PackContent("referral", case_data, {k: (v, "image/png") for k, v in attachments.items()}),
        people.author,
        clock=FixedClock(NOW),
        render_pdf=renderer(case_data, attachments, chronology),
        recipient=cert,
    )


def test_verify_key_opens_an_ec_pack_pem_and_pkcs12(
    people: People,
    ec_doors: dict[str, tuple[ec.EllipticCurvePrivateKey, x509.Certificate]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`fieldbook verify --key` opens a pack encrypted to an EC front door, from PEM and from PKCS#12."""
    key, cert = ec_doors["P-384"]
    built = _ec_pack(people, cert)
    assert envelope_kind(built.data)["content_type"] == "authenticated_enveloped_data"
    (tmp_path / "p.fbpack.p7m").write_bytes(built.data)
    (tmp_path / "author.pem").write_bytes(cert_pem(people.author.cert))
    (tmp_path / "fd.key").write_bytes(key_pem(key))
    (tmp_path / "fd.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"fd", key, cert, None, serialization.BestAvailableEncryption(b"front-door-pw")
        )
    )
    base = ["verify", str(tmp_path / "p.fbpack.p7m"), "--trust", str(tmp_path / "author.pem"), "--key"]
    monkeypatch.delenv("FIELDBOOK_PASSPHRASE", raising=False)
    assert main([*base, str(tmp_path / "fd.key")]) == 0, capsys.readouterr().out
    monkeypatch.setenv("FIELDBOOK_KEY_PASSPHRASE", "front-door-pw")
    assert main([*base, str(tmp_path / "fd.p12")]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "meant for this recipient" in out
