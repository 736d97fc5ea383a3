"""The practitioner's signing identity and the vault's trust store.

At ``init`` (``on_vault_created``) a fresh RSA-3072 key and a self-issued practitioner certificate
are made from the vault profile and kept inside the encrypted vault as PKCS#12, protected again by
the vault passphrase; the certificate is added to the trust store as a practitioner. A local
authority's certificate replaces it with ``import_p12``. The PKCS#12 password follows the vault
passphrase: ``vault passwd`` goes through ``change_passphrase``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from app.core.clock import SYSTEM_CLOCK, Clock
from app.core.crypto.keys import (
    CertInfo,
    CryptoError,
    Identity,
    cert_der,
    cert_info,
    cert_sha256,
    certificate_request,
    from_pkcs12,
    generate_identity,
    issued_identity,
    load_certificate,
    load_certificates,
    to_pkcs12,
)
from app.core.errors import NotFound, UsageError

TRUST_KINDS = ("practitioner", "root", "recipient")


@dataclass(frozen=True)
class TrustedCert:
    sha256: str
    kind: str
    label: str
    cert: x509.Certificate
    added_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        info = cert_info(self.cert)
        return {
            "sha256": self.sha256,
            "kind": self.kind,
            "label": self.label,
            "subject": info.subject,
            "not_after": info.as_dict()["not_after"],
            "added_at": self.added_at,
        }


def _get(row: Any, name: str, index: int) -> Any:
    if isinstance(row, dict):
        return row.get(name)
    if hasattr(row, name):
        return getattr(row, name)
    return row[index]


def on_vault_created(store: Any, passphrase: str, *, clock: Clock = SYSTEM_CLOCK) -> CertInfo:
    """Create the practitioner's key and certificate from the profile; store and trust it."""
    profile = store.profile()
    identity = generate_identity(
        _get(profile, "name", 0), _get(profile, "role", 1), _get(profile, "agency", 2), now=clock.now()
    )
    _store_identity(store, identity, passphrase)
    return identity.info


def _store_identity(store: Any, identity: Identity, passphrase: str) -> None:
    store.put_identity(to_pkcs12(identity, passphrase.encode("utf-8")), identity.cert_der)
    add_trusted(store, identity.cert, "practitioner", f"{identity.info.name} (this vault's signer)")
    store.audit(
        "identity",
        "certificate",
        identity.cert_sha256,
        {"subject": identity.info.subject, "not_after": identity.info.as_dict()["not_after"]},
    )


def load_identity(store: Any, passphrase: str) -> Identity:
    """The practitioner's signing identity from the vault."""
    row = store.get_identity()
    if row is None:
        raise NotFound(
            "Signing identity: this vault has none — run `fieldbook identity import-p12` "
            "or create the vault with `fieldbook init`"
        )
    p12 = row[0] if isinstance(row, tuple | list) else _get(row, "p12", 0)
    return from_pkcs12(p12, passphrase.encode("utf-8"))


def current_certificate(store: Any) -> x509.Certificate | None:
    row = store.get_identity()
    if row is None:
        return None
    der = row[1] if isinstance(row, tuple | list) else _get(row, "cert_der", 1)
    return load_certificate(der)


def import_p12(store: Any, data: bytes, p12_password: str, passphrase: str) -> CertInfo:
    """Replace the signing identity with one a local authority issued (and trust its chain)."""
    identity = from_pkcs12(data, p12_password.encode("utf-8"))
    if not identity.info.non_repudiation:
        raise CryptoError("PKCS#12 file: its certificate does not allow non-repudiation signatures")
    _store_identity(store, identity, passphrase)
    for extra in identity.chain:
        add_trusted(store, extra, "root", cert_info(extra).subject)
    return identity.info


def change_passphrase(store: Any, old: str, new: str) -> None:
    """Change the vault's passphrase and its signing identities' with it, as one change.

    Each stored PKCS#12 is re-protected with the new passphrase first; the vault then takes the
    new key and the new PKCS#12s together (``Vault.change_passphrase``), so a crash at any moment
    leaves both on the old passphrase or both on the new one.
    """
    from app.core.store.policy import check_passphrase

    check_passphrase(new)
    reprotected: dict[int, bytes] = {}
    for ident_id, p12, active in store.identities():
        try:
            identity = from_pkcs12(p12, old.encode("utf-8"))
        except CryptoError:
            if active:
                raise
            continue  # an old, inactive identity under some earlier password stays as it was
        reprotected[ident_id] = to_pkcs12(identity, new.encode("utf-8"))
    store.vault.change_passphrase(old, new, identities=reprotected)


def add_trusted(store: Any, cert: x509.Certificate, kind: str, label: str = "") -> str:
    if kind not in TRUST_KINDS:
        raise UsageError(f"Kind: “{kind}” is not one of {', '.join(TRUST_KINDS)}")
    sha = cert_sha256(cert)
    if any(t.sha256 == sha for t in list_trusted(store)):
        return sha
    store.add_trusted(cert_der(cert), kind, label or cert_info(cert).subject)
    return sha


def _field(row: Any, names: tuple[str, ...], index: int) -> Any:
    """A column of a store row: a dict, an object, or a tuple (sha256, der, kind, label, added_at)."""
    for name in names:
        if isinstance(row, dict) and name in row:
            return row[name]
        if not isinstance(row, dict) and hasattr(row, name):
            return getattr(row, name)
    if isinstance(row, tuple | list) and len(row) > index:
        return row[index]
    return None


def list_trusted(store: Any, kind: str | None = None) -> list[TrustedCert]:
    out: list[TrustedCert] = []
    for row in store.list_trusted(kind) if kind else store.list_trusted():
        der = _field(row, ("der", "cert_der", "certificate"), 1)
        if der is None:
            continue
        cert = load_certificate(bytes(der))
        out.append(
            TrustedCert(
                cert_sha256(cert),
                str(_field(row, ("kind",), 2) or ""),
                str(_field(row, ("label",), 3) or ""),
                cert,
                str(_field(row, ("added_at",), 4) or ""),
            )
        )
    return out


def remove_trusted(store: Any, sha_prefix: str) -> TrustedCert:
    matches = [t for t in list_trusted(store) if t.sha256.startswith(sha_prefix.lower())]
    if not matches:
        raise NotFound(f"Certificate: no trusted certificate starts with “{sha_prefix}”")
    if len(matches) > 1:
        raise UsageError(f"Certificate: “{sha_prefix}” matches {len(matches)} certificates; give more of it")
    store.remove_trusted(matches[0].sha256)
    return matches[0]


def trust_roots(store: Any) -> list[x509.Certificate]:
    """Certificates that verification trusts: practitioners and local authority roots."""
    return [t.cert for t in list_trusted(store) if t.kind in ("practitioner", "root")]


@dataclass(frozen=True)
class StoredCrl:
    """An issuer's certificate revocation list kept in the trust store."""

    issuer_sha256: str  # the trusted certificate whose key signed it
    crl: x509.CertificateRevocationList

    def as_dict(self) -> dict[str, Any]:
        nxt = self.crl.next_update_utc
        return {
            "kind": "crl",
            "issuer_sha256": self.issuer_sha256,
            "issuer": self.crl.issuer.rfc4514_string(),
            "last_update": self.crl.last_update_utc.isoformat(),
            "next_update": nxt.isoformat() if nxt else None,
            "revoked": len(self.crl),
        }


def add_crl(store: Any, crl: x509.CertificateRevocationList) -> StoredCrl:
    """Keep an issuer's revocation list once its signature checks against an authority this vault
    trusts; a newer list from the same issuer replaces the older one, an older one is refused."""
    from app.core.crypto.trust import crl_signer

    issuer = crl_signer(crl, [t.cert for t in list_trusted(store)])
    who = crl.issuer.rfc4514_string()
    if issuer is None:
        raise UsageError(
            f"CRL: the list from “{who}” is not signed by a certificate authority in this vault's "
            "trust store; trust the authority's certificate first (`fieldbook trust add --kind root`)"
        )
    stored = StoredCrl(cert_sha256(issuer), crl)
    der = crl.public_bytes(serialization.Encoding.DER)
    if not store.put_crl(stored.issuer_sha256, der, stored.as_dict()["last_update"]):
        raise UsageError(f"CRL: the vault already holds a newer list from “{who}”; it was kept")
    return stored


def trust_crls(store: Any) -> list[StoredCrl]:
    """The revocation lists in the trust store, for every verification that uses it."""
    return [StoredCrl(sha, x509.load_der_x509_crl(der)) for sha, der in store.list_crls()]


def vault_trust(store: Any) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    """(trusted certificates, their issuers' CRLs): what verifying against this vault uses."""
    return trust_roots(store), [c.crl for c in trust_crls(store)]


def add_trust_file(store: Any, data: bytes, kind: str, label: str = "") -> tuple[list[str], list[StoredCrl]]:
    """Trust what a file holds, PEM or DER: certificates (their SHA-256s) and CRLs (as kept)."""
    from app.core.crypto.trust import load_crls

    if data.lstrip().startswith(b"-----BEGIN"):
        has_crl = b"-----BEGIN X509 CRL-----" in data
        # Neither kind: the certificate reader says what is wrong with the file.
        has_cert = b"-----BEGIN CERTIFICATE-----" in data or not has_crl
    else:
        has_crl = _der_is_crl(data)
        has_cert = not has_crl
    certs = [add_trusted(store, c, kind, label) for c in load_certificates(data)] if has_cert else []
    crls = [add_crl(store, crl) for crl in load_crls(data)] if has_crl else []
    return certs, crls


def _der_is_crl(data: bytes) -> bool:
    try:
        x509.load_der_x509_crl(data)
    except ValueError:
        return False
    return True


# --- Local authority PKI: request a certificate for the vault's key, install what was issued ------


def request_certificate(store: Any, passphrase: str) -> bytes:
    """A certificate signing request (PEM) for the vault's signing key; the key stays in the vault."""
    identity = load_identity(store, passphrase)
    csr = certificate_request(identity)
    store.audit("identity", "certificate_request", identity.cert_sha256, {"subject": identity.info.subject})
    return csr


def install_certificate(
    store: Any, cert_data: bytes, chain_data: bytes | None, passphrase: str, *, clock: Clock = SYSTEM_CLOCK
) -> CertInfo:
    """Install the certificate an authority issued for the vault's key, with its chain; trust its root.

    The previous certificate stays in the trust store, so packs signed before still verify.
    """
    identity = load_identity(store, passphrase)
    cert = load_certificate(cert_data)
    chain = load_certificates(chain_data) if chain_data else []
    issued = issued_identity(identity, cert, chain, now=clock.now())
    _store_identity(store, issued, passphrase)
    root = issued.chain[-1]
    add_trusted(store, root, "root", f"{cert_info(root).name or cert_info(root).subject} (authority root)")
    return issued.info
