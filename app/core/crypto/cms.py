"""CMS: detached signatures over a pack manifest, and the envelope to a recipient's certificate.

Signing uses ``cryptography`` (which cannot verify CMS); verification uses pyHanko's detached CMS
validation against pinned trust roots only, offline. The envelope (AES-256-CBC, RSA key transport)
has no integrity of its own: callers sign first and then encrypt (SECURITY.md finding 5).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from pyhanko_certvalidator import ValidationContext

from app.core.crypto.keys import CryptoError, Identity, cert_der, cert_sha256


@dataclass(frozen=True)
class SignatureCheck:
    """What a signature check found, in terms the verifier turns into words for a manager."""

    intact: bool  # the signed bytes are unchanged and the signature maths holds
    trusted: bool  # the signer chains to a pinned trust root (valid at the check's moment)
    signer: x509.Certificate | None = None
    signing_time: datetime | None = None
    problem: str = ""
    details: dict[str, str] = field(default_factory=dict)

    @property
    def signer_sha256(self) -> str:
        return cert_sha256(self.signer) if self.signer is not None else ""


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert_der(cert))


def _from_asn1(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def validation_context(
    trust_roots: list[x509.Certificate],
    moment: datetime | None = None,
    other_certs: list[x509.Certificate] | None = None,
) -> ValidationContext:
    """A pyHanko validation context: pinned roots only, never fetching, never the OS store."""
    return ValidationContext(
        trust_roots=[_asn1_cert(c) for c in trust_roots],
        other_certs=[_asn1_cert(c) for c in (other_certs or [])],
        allow_fetching=False,
        moment=moment,
        # Self-issued practitioner certificates carry no CRL pointers; an authority's CRLs are
        # not yet bundled, so revocation is checked when information is present (soft-fail).
        revocation_mode="soft-fail",
        best_signature_time=moment,
    )


def sign_detached(data: bytes, identity: Identity) -> bytes:
    """A detached CMS SignedData (DER, SHA-256, RSA-PSS, signer certificate included)."""
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(
            identity.cert,
            identity.key,
            hashes.SHA256(),
            rsa_padding=padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
        )
    )
    for extra in identity.chain:
        builder = builder.add_certificate(extra)
    return builder.sign(
        serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    )


def verify_detached(
    data: bytes, signature: bytes, trust_roots: list[x509.Certificate], *, moment: datetime | None = None
) -> SignatureCheck:
    """Check a detached CMS signature over ``data``; never raises on bad input."""
    from pyhanko.sign.validation import async_validate_detached_cms

    try:
        info = asn1_cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            return SignatureCheck(False, False, problem="the signature file is not a CMS signature")
        signed_data = info["content"]
        certs = [
            c.chosen
            for c in (signed_data["certificates"] or [])
            if isinstance(c.chosen, asn1_x509.Certificate)
        ]
        # Only the signer's own certificate matters below; it must be embedded.
        if not certs:
            return SignatureCheck(
                False, False, problem="the signature does not include the signer's certificate"
            )
        vc = validation_context(trust_roots, moment)
        status = asyncio.run(async_validate_detached_cms(data, signed_data, signer_validation_context=vc))
        signer = _from_asn1(status.signing_cert)
        when = status.signer_reported_dt
        intact = bool(status.intact and status.valid)
        trusted = bool(intact and status.trusted)
        problem = ""
        if not intact:
            problem = "the signature does not match the signed content"
        elif not trusted:
            problem = _trust_problem(status)
        else:
            # pyHanko does not check a pinned root's own dates; a self-issued certificate is its
            # own root, so its validity at the time of signing is checked here.
            problem = validity_problem(signer, moment or when)
            trusted = not problem
        return SignatureCheck(intact, trusted, signer, when.astimezone(UTC) if when else None, problem)
    except Exception as exc:  # untrusted input: any failure means "invalid", never a crash
        return SignatureCheck(False, False, problem=f"the signature cannot be read ({type(exc).__name__})")


def validity_problem(cert: x509.Certificate, when: datetime | None) -> str:
    """Why ``cert`` was not valid at ``when`` ("" when it was)."""
    if when is None:
        return "the time of signing is unknown"
    if when < cert.not_valid_before_utc:
        return "the signer's certificate was not yet valid at the time of signing"
    if when > cert.not_valid_after_utc:
        return "the signer's certificate had expired at the time of signing"
    return ""


def _trust_problem(status: object) -> str:
    indic = getattr(status, "trust_problem_indic", None)
    name = getattr(indic, "name", "") if indic is not None else ""
    if name in {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}:
        return "the signer's certificate was not valid at the time of signing"
    if name in {"NOT_YET_VALID"}:
        return "the signer's certificate was not yet valid at the time of signing"
    if name in {"REVOKED_NO_POE", "REVOKED_CA_NO_POE"}:
        return "the signer's certificate has been revoked"
    return "the signer is not in the trust store"


def envelope_encrypt(data: bytes, recipient: x509.Certificate) -> bytes:
    """CMS EnvelopedData (DER) to one RSA recipient with AES-256; ``openssl cms -decrypt`` opens it."""
    public = recipient.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise CryptoError("Recipient certificate: only RSA certificates can receive an encrypted pack")
    if public.key_size < 2048:
        raise CryptoError(f"Recipient certificate: its {public.key_size}-bit key is too weak")
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(data)
        .add_recipient(recipient)
        .set_content_encryption_algorithm(algorithms.AES256)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def envelope_decrypt(data: bytes, cert: x509.Certificate, key: rsa.RSAPrivateKey) -> bytes:
    """Open an envelope; one message for every failure (no padding-oracle hints)."""
    try:
        return pkcs7.pkcs7_decrypt_der(data, cert, key, [])
    except Exception as exc:
        raise CryptoError("Encrypted pack: it cannot be opened with this key") from exc


def is_envelope(data: bytes) -> bool:
    """Whether ``data`` looks like CMS EnvelopedData (cheap check before a full parse)."""
    try:
        return bool(
            data[:1] == b"\x30" and asn1_cms.ContentInfo.load(data)["content_type"].native == "enveloped_data"
        )
    except Exception:
        return False


def envelope_decrypt_with_key(data: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """Open an envelope with only the recipient's private key (no certificate at hand).

    Tries each key-transport recipient; AES-CBC content. One message for every failure.
    """
    from cryptography.hazmat.primitives.ciphers import Cipher, modes
    from cryptography.hazmat.primitives.padding import PKCS7

    try:
        env = asn1_cms.ContentInfo.load(data)["content"]
        enc = env["encrypted_content_info"]
        algo = enc["content_encryption_algorithm"]
        iv = algo["parameters"].native
        ciphertext = enc["encrypted_content"].native
        for ri in env["recipient_infos"]:
            if ri.name != "ktri":
                continue
            try:
                cek = key.decrypt(ri.chosen["encrypted_key"].native, padding.PKCS1v15())
                decryptor = Cipher(algorithms.AES(cek), modes.CBC(iv)).decryptor()
                padded = decryptor.update(ciphertext) + decryptor.finalize()
                unpadder = PKCS7(128).unpadder()
                return unpadder.update(padded) + unpadder.finalize()
            except Exception:  # noqa: S112 - one uniform failure; another recipient may match
                continue
    except Exception as exc:
        raise CryptoError("Encrypted pack: it cannot be opened with this key") from exc
    raise CryptoError("Encrypted pack: it cannot be opened with this key")
