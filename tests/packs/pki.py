"""A fictional public-key infrastructure for trust tests and the golden packs: certificates with
exactly the properties a test needs (issuer, CA or not, key size, usages, CRL pointer, dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from app.core.crypto.keys import Identity

CRL_URL = "http://crl.northshire.invalid/issuing.crl"


@dataclass
class Spec:
    """How to make one test certificate."""

    name: str
    title: str = ""
    org: str = "Northshire Council"
    issuer: Identity | None = None  # None: self-issued
    ca: bool = False
    key_bits: int = 2048
    signing: bool = True  # digitalSignature + nonRepudiation (end entities)
    eku: tuple[x509.ObjectIdentifier, ...] = ()
    crl: bool = False  # names a CRL distribution point
    start: datetime = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    days: int = 3650
    path_length: int | None = None
    key: rsa.RSAPrivateKey | None = None  # reuse a key (the golden packs keep theirs on disk)


def make(spec: Spec) -> Identity:
    """A certificate and key as the spec says; the identity's chain is what signatures embed."""
    key = spec.key or rsa.generate_private_key(public_exponent=65537, key_size=spec.key_bits)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, spec.name)]
    if spec.title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, spec.title))
    subject = x509.Name([*attrs, x509.NameAttribute(NameOID.ORGANIZATION_NAME, spec.org)])
    issuer = spec.issuer
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    issuer_ski = x509.SubjectKeyIdentifier.from_public_key(issuer.cert.public_key()) if issuer else ski
    end_entity = not spec.ca
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(spec.start)
        .not_valid_after(spec.start + timedelta(days=spec.days))
        .add_extension(x509.BasicConstraints(ca=spec.ca, path_length=spec.path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=spec.signing and end_entity,
                content_commitment=spec.signing and end_entity,
                key_encipherment=end_entity,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=spec.ca,
                crl_sign=spec.ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski), critical=False
        )
    )
    if spec.eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(spec.eku)), critical=False)
    if spec.crl:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Identity(key=key, cert=cert, chain=(issuer.cert, *issuer.chain) if issuer else ())


def crl(issuer: Identity, revoked: list[x509.Certificate], now: datetime) -> x509.CertificateRevocationList:
    """The issuer's CRL listing ``revoked`` (revoked an hour before ``now``)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - timedelta(days=1))
        .next_update(now + timedelta(days=30))
    )
    for cert in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
        builder = builder.add_revoked_certificate(entry.revocation_date(now - timedelta(hours=1)).build())
    return builder.sign(issuer.key, hashes.SHA256())
