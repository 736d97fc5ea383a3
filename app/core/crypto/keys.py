"""Keys and certificates: the practitioner's signing identity, PKCS#12, certificate facts.

This package is the only importer of ``cryptography`` and ``pyhanko``. Private keys leave it only
as PKCS#12 bytes encrypted with a passphrase (stored inside the SQLCipher vault by the caller).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.core.errors import UsageError

RSA_BITS = 3072
MAX_VALIDITY_DAYS = 730  # at most two years (SECURITY.md "Signing keys and certificates")
# PBKDF2 rounds protecting the PKCS#12 (read at each call: the test harness lowers it for its own
# processes, tests/child_env/sitecustomize.py; the product has no setting for it).
P12_KDF_ROUNDS = 100_000


# A key that can open a pack encrypted to its certificate (RSA-OAEP, or ECDH on P-256 / P-384).
DecryptionKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
DECRYPTION_CURVES = ("secp256r1", "secp384r1")


class CryptoError(UsageError):
    """A key, certificate or PKCS#12 file cannot be used (bad input: exit 2)."""


@dataclass(frozen=True)
class CertInfo:
    """The facts about a certificate that a practitioner or manager needs to see."""

    subject: str  # the full distinguished name, RFC 4514
    name: str  # common name
    role: str
    agency: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str  # of the DER encoding, lower-case hex
    self_signed: bool
    non_repudiation: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "name": self.name,
            "role": self.role,
            "agency": self.agency,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
            "sha256": self.sha256,
            "self_signed": self.self_signed,
            "non_repudiation": self.non_repudiation,
        }


@dataclass(frozen=True)
class Identity:
    """A private key with its certificate (and any issuing chain, leaf first excluded)."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_sha256(self) -> str:
        return hashlib.sha256(self.cert_der).hexdigest()

    @property
    def public_key_der(self) -> bytes:
        """The SubjectPublicKeyInfo (DER): the same for every certificate issued over this key."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def info(self) -> CertInfo:
        return cert_info(self.cert)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def generate_identity(
    name: str,
    role: str,
    agency: str,
    *,
    now: datetime,
    days: int = MAX_VALIDITY_DAYS,
    key_bits: int = RSA_BITS,
    not_before: datetime | None = None,
) -> Identity:
    """A new RSA key and a self-issued practitioner certificate (nonRepudiation, SHA-256).

    ``not_before`` exists so that tests can make certificates that have already expired.
    """
    for label, value in (("Name", name), ("Role", role), ("Agency", agency)):
        if not value or not value.strip():
            raise CryptoError(f"{label}: is empty — the certificate must say who signs")
    if not 1 <= days <= MAX_VALIDITY_DAYS:
        raise CryptoError(f"Certificate validity: {days} days is outside 1–{MAX_VALIDITY_DAYS}")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name.strip()),
            x509.NameAttribute(NameOID.TITLE, role.strip()),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.strip()),
        ]
    )
    # Back-date a little so that a laptop clock a few minutes slow can still validate.
    start = (not_before or now - timedelta(minutes=10)).astimezone(UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(practitioner_key_usage(key_encipherment=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(key=key, cert=cert)


def practitioner_key_usage(*, key_encipherment: bool) -> x509.KeyUsage:
    """A practitioner's signing certificate: digital signature and non-repudiation (no CA rights)."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def cert_info(cert: x509.Certificate) -> CertInfo:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        nr = bool(ku.content_commitment)
    except x509.ExtensionNotFound:
        nr = False
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        name=_attr(cert.subject, NameOID.COMMON_NAME),
        role=_attr(cert.subject, NameOID.TITLE),
        agency=_attr(cert.subject, NameOID.ORGANIZATION_NAME),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert_sha256(cert),
        self_signed=cert.issuer == cert.subject,
        non_repudiation=nr,
    )


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert_der(cert)).hexdigest()


def public_key_sha256(key: Any) -> str:
    """SHA-256 of a public key's SubjectPublicKeyInfo (the same for every certificate over it)."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def load_certificate(data: bytes, *, what: str = "Certificate") -> x509.Certificate:
    """A certificate from PEM or DER bytes; a clear message when it is neither."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except Exception as exc:  # any parser failure is the same thing to the user
        raise CryptoError(f"{what}: not a readable X.509 certificate (PEM or DER)") from exc


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the single DER certificate."""
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            return list(x509.load_pem_x509_certificates(data))
        except Exception as exc:
            raise CryptoError("Certificate: not a readable PEM certificate bundle") from exc
    return [load_certificate(data)]


def load_private_key(data: bytes, password: bytes | None = None) -> DecryptionKey:
    """An RSA or EC (P-256 / P-384) private key from PEM or DER (PKCS#1, SEC 1 or PKCS#8)."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password)
        else:
            key = serialization.load_der_private_key(data, password)
    except Exception as exc:
        raise CryptoError("Key: not a readable private key, or the key's password is wrong") from exc
    return _decryption_key(key, "Key")


def _decryption_key(key: object, what: str) -> DecryptionKey:
    if isinstance(key, rsa.RSAPrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in DECRYPTION_CURVES:
        return key
    raise CryptoError(f"{what}: only RSA keys and EC keys on P-256 or P-384 can open an encrypted pack")


def recipient_from_pkcs12(data: bytes, password: bytes) -> tuple[x509.Certificate, DecryptionKey]:
    """A recipient's (front door's) certificate and decryption key from PKCS#12: RSA or EC."""
    key, cert, _extra = _open_pkcs12(data, password)
    return cert, _decryption_key(key, "PKCS#12 file")


def _open_pkcs12(data: bytes, password: bytes) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    """(key, certificate, extra certificates) from PKCS#12; both of the first two must be there."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except Exception as exc:
        raise CryptoError("PKCS#12 file: cannot be opened — wrong password or not a PKCS#12 file") from exc
    if key is None or cert is None:
        raise CryptoError("PKCS#12 file: it must hold a private key and its certificate")
    return key, cert, list(extra or ())


def key_pem(key: DecryptionKey) -> bytes:
    """Unencrypted PKCS#8 PEM (for a recipient's test key; never used for the practitioner's key)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def to_pkcs12(identity: Identity, password: bytes, *, friendly_name: str = "fieldbook") -> bytes:
    """The identity as PKCS#12 protected by ``password`` (AES-256 / PBKDF2, not legacy RC2)."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(P12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password)
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(), identity.key, identity.cert, list(identity.chain) or None, encryption
    )


def from_pkcs12(data: bytes, password: bytes) -> Identity:
    """An identity from PKCS#12 bytes; refuses files without an RSA key and its certificate."""
    key, cert, extra = _open_pkcs12(data, password)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CryptoError("PKCS#12 file: only RSA signing keys are supported")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        raise CryptoError("PKCS#12 file: the private key does not belong to the certificate")
    return Identity(key=key, cert=cert, chain=tuple(extra or ()))


def check_can_sign(identity: Identity, now: datetime) -> None:
    """Refuse to sign with a certificate that is expired, not yet valid or lacks nonRepudiation."""
    info = identity.info
    if now < info.not_before:
        raise CryptoError(
            f"Signing certificate: not valid until {_iso(info.not_before)} — check the laptop's clock"
        )
    if now > info.not_after:
        raise CryptoError(
            f"Signing certificate: expired on {_iso(info.not_after)} — "
            "a new certificate is needed before signing"
        )
    if not info.non_repudiation:
        raise CryptoError("Signing certificate: it does not allow non-repudiation signatures")


# --- A certificate from a local authority's CA, for the key that stays in the vault --------------


def certificate_request(identity: Identity) -> bytes:
    """A PKCS#10 certificate signing request (PEM) over the identity's key, signed by that key.

    The subject is the current certificate's (name, role, agency); the request asks for the key
    usages a practitioner's signature needs. The private key is used, never written out.
    """
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(identity.cert.subject)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(practitioner_key_usage(key_encipherment=False), critical=True)
        .sign(identity.key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM)


def issued_identity(
    identity: Identity, cert: x509.Certificate, chain: list[x509.Certificate], *, now: datetime
) -> Identity:
    """The identity with ``cert`` (issued by an authority for its key) and the issuing ``chain``.

    Refuses a certificate for another key, one that cannot sign packs (no nonRepudiation, a CA
    certificate, expired or not yet valid), and a chain that does not lead from it to a root.
    """
    public = identity.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if (
        cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        != public
    ):
        raise CryptoError(
            "Certificate: it was not issued for this vault's key — send the authority the request "
            "made by `fieldbook identity request` and install what it returns"
        )
    try:
        if cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise CryptoError("Certificate: it is a CA certificate, not a practitioner's")
    except x509.ExtensionNotFound:
        pass
    candidate = Identity(identity.key, cert, tuple(c for c in chain if c != cert))
    check_can_sign(candidate, now)
    path = [cert]
    pool = list(candidate.chain)
    while path[-1].issuer != path[-1].subject:
        issuer = next((c for c in pool if c.subject == path[-1].issuer and _issued_by(path[-1], c)), None)
        if issuer is None:
            raise CryptoError(
                "Chain: it does not hold the certificate that issued "
                f"“{_attr(path[-1].subject, NameOID.COMMON_NAME) or path[-1].subject.rfc4514_string()}” "
                "— give the authority's full chain up to its root (--chain)"
            )
        pool.remove(issuer)
        path.append(issuer)
    if len(path) == 1:
        raise CryptoError("Certificate: it is self-issued; a local authority's CA must issue it")
    return Identity(identity.key, cert, tuple(path[1:]))


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
