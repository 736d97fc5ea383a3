"""Whether a signer is trusted here, and when they signed: certificate paths, revocation, clocks.

pyHanko answers only "is the signature maths intact"; everything about trust is decided here, so
that each fault has its own ``SigStatus`` (and exit code) instead of a generic "not trusted":

* A path runs from the signer up to a pinned certificate in the trust store. Only a certificate
  with ``CA:TRUE`` and ``keyCertSign`` may issue; a pinned practitioner certificate is an end
  entity that vouches for itself and nobody else (issue 17: a practitioner could otherwise mint a
  certificate in a manager's name).
* The signing certificate needs digitalSignature or nonRepudiation and, when it carries an
  extended key usage, one meant for signing documents (a TLS server certificate cannot sign).
* Every key on the path is RSA ≥ 2048 bits or EC ≥ P-256.
* Where a certificate names a CRL distribution point, its issuer's CRL must be at hand (trust
  store or ``--crl``) and a listed certificate fails hard.
* Certificates are judged at the signer's claimed time. A claimed time ahead of this computer's
  clock is a clock problem, not tampering: up to a day ahead is a warning, beyond that the time
  (and so the signature) cannot be trusted.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from pyhanko_certvalidator import ValidationContext

from app.core.crypto.keys import cert_der, cert_sha256
from app.core.outcome import SigStatus

SKEW = timedelta(minutes=5)  # clocks this close are the same clock
MAX_AHEAD = timedelta(hours=24)  # a signer's clock further ahead than this cannot be believed
MAX_PATH = 6
_PEM_CRL = re.compile(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", re.DOTALL)
_E = TypeVar("_E", bound=x509.ExtensionType)
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
DOCUMENT_SIGNING_EKUS = {
    ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # id-kp-documentSigning (RFC 9336)
    ExtendedKeyUsageOID.EMAIL_PROTECTION,  # S/MIME: signs messages and documents
    ObjectIdentifier("1.2.840.113583.1.1.5"),  # Adobe Authentic Documents Trust
    ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),  # Microsoft document signing
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}


@dataclass(frozen=True)
class SignatureCheck:
    """What checking one signature found: a typed status and the same thing in words."""

    status: SigStatus
    signer: x509.Certificate | None = None
    signing_time: datetime | None = None  # what the signer claims (their clock)
    detail: str = ""  # why, in words a manager understands ("" when intact and trusted)
    clock_ahead: timedelta | None = None  # the signer's clock was this far ahead (a warning)

    @property
    def intact(self) -> bool:
        return self.status.intact

    @property
    def trusted(self) -> bool:
        return self.status is SigStatus.INTACT

    @property
    def problem(self) -> str:
        return self.detail

    @property
    def signer_sha256(self) -> str:
        return cert_sha256(self.signer) if self.signer is not None else ""


def integrity_context() -> ValidationContext:
    """A pyHanko context that checks only the signature maths: no roots, no fetching, no OS store
    (trust is ``assess_signer``'s job), so nothing depends on the wall clock either."""
    # With no roots every path search fails, and pyHanko logs each failure as a warning with a
    # traceback (which Python's last-resort handler would print under `fieldbook verify`).
    logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)
    return ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")


def from_asn1(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def embedded_certs(signed_data: object) -> list[x509.Certificate]:
    """The certificates a CMS SignedData carries (the signer's, and any intermediates)."""
    out: list[x509.Certificate] = []
    for choice in signed_data["certificates"] or []:  # type: ignore[index]
        if isinstance(choice.chosen, asn1_x509.Certificate):
            out.append(from_asn1(choice.chosen))
    return out


def judge_status(
    status: Any,
    *,
    now: datetime,
    roots: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList] = (),
    others: Sequence[x509.Certificate] = (),
    fallback_time: datetime | None = None,
) -> SignatureCheck:
    """``judge`` for a pyHanko validation status (CMS or PDF): its maths, signer and claimed time."""
    return judge(
        from_asn1(status.signing_cert),
        intact=bool(status.intact and status.valid),
        claimed=status.signer_reported_dt,
        now=now,
        roots=roots,
        crls=crls,
        others=others,
        fallback_time=fallback_time,
    )


def judge(
    signer: x509.Certificate,
    *,
    intact: bool,
    claimed: datetime | None,
    now: datetime,
    roots: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList] = (),
    others: Sequence[x509.Certificate] = (),
    fallback_time: datetime | None = None,
) -> SignatureCheck:
    """The status of a signature by ``signer`` whose maths is (or is not) ``intact``."""
    claimed = claimed.astimezone(UTC) if claimed is not None else None
    if not intact:
        return SignatureCheck(
            SigStatus.CHANGED, signer, claimed, "the signed content has been changed since it was signed"
        )
    when = claimed or fallback_time
    if when is None:
        return SignatureCheck(SigStatus.CLOCK, signer, None, "the signature does not say when it was made")
    status, detail = assess_signer(signer, when=when, roots=roots, crls=crls, others=others)
    ahead = when - now
    if status is SigStatus.INTACT and ahead > MAX_AHEAD:
        status = SigStatus.CLOCK
        detail = (
            f"it claims to have been signed {duration(ahead)} in the future: the signer's clock is "
            "wrong by more than a day, so the time of signing cannot be trusted"
        )
    return SignatureCheck(status, signer, claimed, detail, ahead if ahead > SKEW else None)


def assess_signer(
    signer: x509.Certificate,
    *,
    when: datetime,
    roots: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList] = (),
    others: Sequence[x509.Certificate] = (),
) -> tuple[SigStatus, str]:
    """(status, why) for a signing certificate used at ``when``: usage, keys, path, dates, CRLs."""
    problem = _key_problem(signer, "the signer's certificate")
    if problem:
        return SigStatus.WEAK_KEY, problem
    problem = _usage_problem(signer)
    if problem:
        return SigStatus.KEY_USAGE, problem
    path, status, detail = _build_path(signer, roots, others)
    if status is not SigStatus.INTACT:
        return status, detail
    for depth, cert in enumerate(path):
        who = "the signer's certificate" if depth == 0 else f"the issuing certificate “{_name(cert)}”"
        if depth and (problem := _key_problem(cert, who)):
            return SigStatus.WEAK_KEY, problem
        if when < cert.not_valid_before_utc:
            return SigStatus.NOT_YET_VALID, f"{who} was not yet valid at the time of signing"
        if when > cert.not_valid_after_utc:
            return SigStatus.EXPIRED, f"{who} had expired at the time of signing"
    for cert, issuer in itertools.pairwise(path):
        status, detail = _revocation(cert, issuer, crls)
        if status is not SigStatus.INTACT:
            return status, detail
    return SigStatus.INTACT, ""


def _build_path(
    signer: x509.Certificate, roots: Sequence[x509.Certificate], others: Sequence[x509.Certificate]
) -> tuple[list[x509.Certificate], SigStatus, str]:
    pinned = {cert_der(c) for c in roots}
    pool = [*roots, *others]
    path = [signer]
    while cert_der(path[-1]) not in pinned:
        current = path[-1]
        if len(path) > MAX_PATH:
            return path, SigStatus.UNTRUSTED, "the signer's certificate path is too long"
        issuers = [c for c in pool if c.subject == current.issuer and _issued(current, c)]
        issuers = [c for c in issuers if cert_der(c) != cert_der(current)]
        if not issuers:
            return path, SigStatus.UNTRUSTED, "the signer is not in the trust store"
        good = [c for c in issuers if not _issuer_problem(c, len(path) - 1)]
        if not good:
            issuer = issuers[0]
            return path, SigStatus.BAD_ISSUER, _issuer_problem(issuer, len(path) - 1)
        # Prefer a pinned issuer; any good one makes the same path shape.
        good.sort(key=lambda c: cert_der(c) not in pinned)
        path.append(good[0])
    return path, SigStatus.INTACT, ""


def _issued(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # wrong name, bad signature, unsupported key: not this issuer
        return False
    return True


def _issuer_problem(issuer: x509.Certificate, intermediates_below: int) -> str:
    """Why ``issuer`` may not issue ("" when it may), with ``intermediates_below`` CAs under it."""
    bc = _ext(issuer, x509.BasicConstraints)
    ku = _ext(issuer, x509.KeyUsage)
    if bc is None or not bc.ca or ku is None or not ku.key_cert_sign:
        return (
            f"the signer's certificate was issued by “{_name(issuer)}”, which is not a certificate "
            "authority (CA:TRUE with keyCertSign) and may not vouch for anyone else"
        )
    if bc.path_length is not None and intermediates_below > bc.path_length:
        return f"the certificate authority “{_name(issuer)}” may not have this many authorities under it"
    return ""


def _usage_problem(cert: x509.Certificate) -> str:
    ku = _ext(cert, x509.KeyUsage)
    if ku is None:
        return "the signer's certificate does not say it may sign (it has no key usage)"
    if not (ku.digital_signature or ku.content_commitment):
        return "the signer's certificate may not sign (neither digitalSignature nor nonRepudiation)"
    eku = _ext(cert, x509.ExtendedKeyUsage)
    if eku is None:
        return ""
    if not DOCUMENT_SIGNING_EKUS & set(eku):
        uses = ", ".join(getattr(oid, "_name", oid.dotted_string) for oid in eku)
        return f"the signer's certificate is not for signing documents (it is for: {uses})"
    return ""


def _key_problem(cert: x509.Certificate, who: str) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            return f"{who} has a {key.key_size}-bit RSA key; at least {MIN_RSA_BITS} bits are required"
        return ""
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < MIN_EC_BITS:
            return f"{who} has a {key.curve.name} key; P-256 or stronger is required"
        return ""
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return ""
    return f"{who} has a key of a kind Fieldbook does not accept"


def _revocation(
    cert: x509.Certificate, issuer: x509.Certificate, crls: Sequence[x509.CertificateRevocationList]
) -> tuple[SigStatus, str]:
    lists = [c for c in crls if c.issuer == issuer.subject and _crl_signed_by(c, issuer)]
    who = "the signer's certificate" if not _is_ca(cert) else f"the certificate “{_name(cert)}”"
    for crl in lists:
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            on = entry.revocation_date_utc.date().isoformat()
            return SigStatus.REVOKED, f"{who} was revoked by “{_name(issuer)}” on {on}"
    if not lists and _publishes_crl(cert):
        return SigStatus.REVOCATION_UNKNOWN, (
            f"“{_name(issuer)}” publishes a revocation list (CRL) for {who}, and none is at hand: "
            "add the current CRL to the trust store or give it with --crl"
        )
    return SigStatus.INTACT, ""


def crl_signer(
    crl: x509.CertificateRevocationList, candidates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate authority among ``candidates`` that signed ``crl`` (None: none did)."""
    for cert in candidates:
        ku = _ext(cert, x509.KeyUsage)
        may_sign = _is_ca(cert) and (ku is None or ku.crl_sign)
        if may_sign and cert.subject == crl.issuer and _crl_signed_by(crl, cert):
            return cert
    return None


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        return bool(crl.is_signature_valid(issuer.public_key()))  # type: ignore[arg-type]
    except Exception:  # an unsupported key type cannot have signed it
        return False


def _ext(cert: x509.Certificate, kind: type[_E]) -> _E | None:
    """The value of one extension, or None when absent (a malformed one counts as absent)."""
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def _publishes_crl(cert: x509.Certificate) -> bool:
    return _ext(cert, x509.CRLDistributionPoints) is not None


def _is_ca(cert: x509.Certificate) -> bool:
    bc = _ext(cert, x509.BasicConstraints)
    return bool(bc is not None and bc.ca)


def _name(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else cert.subject.rfc4514_string()


def duration(delta: timedelta) -> str:
    """A human length of time: "2 h 10 min", "3 days 4 h", "45 s"."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'s' * (days != 1)}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def load_crls(data: bytes, *, what: str = "CRL") -> list[x509.CertificateRevocationList]:
    """Every CRL in PEM bytes (one or more ``X509 CRL`` blocks) or the single DER CRL."""
    from app.core.crypto.keys import CryptoError

    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            blocks = _PEM_CRL.findall(data)
            if not blocks:
                raise ValueError("no CRL in the PEM text")
            return [x509.load_pem_x509_crl(b) for b in blocks]
        return [x509.load_der_x509_crl(data)]
    except Exception as exc:  # any parser failure is the same thing to the user
        raise CryptoError(f"{what}: not a readable certificate revocation list (PEM or DER)") from exc
