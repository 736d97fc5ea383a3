"""PAdES signatures on the pack PDF (pyHanko): sign, countersign, validate.

The author's signature is a certification signature allowing only form filling and further
signatures (``MDPPerm.FILL_FORMS``); a manager's countersignature is an approval signature added
as an incremental update. Validation uses pinned roots only, offline, and accepts a document only
when the last signature covers the whole file and earlier ones saw nothing beyond permitted
changes (SECURITY.md "Validation policy"). Any exception while reading means "invalid".
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.core.crypto.cms import _from_asn1, validation_context, validity_problem
from app.core.crypto.keys import CryptoError, Identity, cert_der, check_can_sign


@dataclass(frozen=True)
class PdfSignatureCheck:
    """One signature in a PDF, as the verifier reports it."""

    field_name: str
    intact: bool  # the signed byte ranges are unchanged and the signature maths holds
    trusted: bool  # chains to a pinned root and was within validity when signed
    covers_whole_file: bool  # nothing at all was appended after this signature
    changes_permitted: bool  # anything appended is only later signatures / form filling
    certification: bool  # the author's certification signature (DocMDP)
    signer: x509.Certificate | None
    signing_time: datetime | None
    problem: str = ""


class _KeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, signing with the already-loaded RSA key.

    SimpleSigner re-parses the DER private key for every signature (and once more to estimate the
    signature's size); RSA key loading validates the key, about a quarter of a second each time.
    """

    def __init__(self, identity: Identity, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = identity.key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # only the length matters when pyHanko sizes the signature container
            return bytes(self._key.key_size // 8)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mechanism["algorithm"].native
        if algo == "rsassa_pss":
            pss, hash_algo = process_pss_params(mechanism["parameters"])
            return self._key.sign(data, pss, hash_algo)
        return self._key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def _signer(identity: Identity, *, prefer_pss: bool = False) -> signers.SimpleSigner:
    key_info = asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    registry = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [asn1_x509.Certificate.load(cert_der(c)) for c in identity.chain]
    )
    return _KeySigner(
        identity,
        signing_cert=asn1_x509.Certificate.load(identity.cert_der),
        signing_key=key_info,
        cert_registry=registry,
        prefer_pss=prefer_pss,
    )


def sign_pdf(
    pdf: bytes,
    identity: Identity,
    *,
    now: datetime,
    certify: bool,
    field_name: str,
    reason: str,
    location: str = "",
    check_validity: bool = True,
    appearance: Appearance | None = None,
) -> bytes:
    """A PAdES B-B signature as an incremental update; the returned bytes extend ``pdf``.

    ``check_validity=False`` exists only so that tests can produce a document signed with an
    expired certificate (which the app itself refuses to do). ``appearance`` makes the signature
    visible (see ``Appearance``); without it the signature is invisible.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    if check_validity:
        check_can_sign(identity, now)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            location=location or None,
            name=identity.info.name,
            subfilter=SigSeedSubFilter.PADES,
            certify=certify,
            docmdp_permissions=MDPPerm.FILL_FORMS,
            md_algorithm="sha256",
        )
        spec, stamp = _visible(writer, field_name, appearance)
        pdf_signer = signers.PdfSigner(meta, signer=_signer(identity), new_field_spec=spec, stamp_style=stamp)
        out = io.BytesIO()
        asyncio.run(pdf_signer.async_sign_pdf(writer, output=out))
        return out.getvalue()
    except CryptoError:
        raise
    except Exception as exc:
        raise CryptoError(f"PDF: it could not be signed ({exc})") from exc


@dataclass(frozen=True)
class Appearance:
    """A visible signature: a box on the last page showing ``stamp`` (a one-page PDF, drawn by the
    pack renderer with its embedded fonts), and empty signature fields to reserve for later signers
    (so that the manager's countersignature fills a field the author's DocMDP already allows)."""

    stamp: bytes
    box: tuple[int, int, int, int]
    reserve: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()


class _PdfBytesPage(PdfContent):
    """pyHanko's ImportedPdfPage, from bytes in memory (no temporary file)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        import binascii
        import uuid

        from pyhanko.pdf_utils.layout import BoxConstraints
        from pyhanko.pdf_utils.reader import PdfFileReader

        xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


def _visible(writer: Any, field_name: str, appearance: Appearance | None) -> tuple[Any, Any]:
    """The new field's spec (None when the field is already there) and the stamp style."""
    from pyhanko.sign import fields
    from pyhanko.stamp import StaticStampStyle

    existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
    if appearance is None:
        spec = None if field_name in existing else fields.SigFieldSpec(sig_field_name=field_name)
        return spec, None
    for name, box in appearance.reserve:
        if name not in existing:
            fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=-1, box=box))
    spec = None if field_name in existing else fields.SigFieldSpec(field_name, on_page=-1, box=appearance.box)
    return spec, StaticStampStyle(background=_PdfBytesPage(appearance.stamp), border_width=0)


def validate_pdf(
    pdf: bytes, trust_roots: list[x509.Certificate], *, now: datetime
) -> tuple[list[PdfSignatureCheck], str]:
    """Every signature in ``pdf`` with its status, and a problem with the file as a whole ("" if none)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:
        return [], f"the PDF cannot be read ({type(exc).__name__})"
    if not embedded:
        return [], "the PDF has no signature"
    checks: list[PdfSignatureCheck] = []
    for sig in embedded:
        name = str(sig.field_name)
        try:
            vc = validation_context(trust_roots, None)
            status = asyncio.run(async_validate_pdf_signature(sig, signer_validation_context=vc))
            signer = _from_asn1(status.signing_cert)
            when = status.signer_reported_dt
            when = when.astimezone(UTC) if when else None
            intact = bool(status.intact and status.valid)
            trusted = bool(intact and status.trusted)
            problem = ""
            if not intact:
                problem = "the signed content of the PDF has been changed"
            elif not trusted:
                problem = "the signer is not in the trust store"
            else:
                problem = validity_problem(signer, when)
                if not problem and when is not None and (when - now).total_seconds() > 300:
                    problem = "the signature claims a time in the future"
                trusted = not problem
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            level = status.modification_level
            permitted = whole or (
                level is not None
                and level <= ModificationLevel.FORM_FILLING
                and bool(status.docmdp_ok is not False)
            )
            checks.append(
                PdfSignatureCheck(
                    field_name=name,
                    intact=intact,
                    trusted=trusted,
                    covers_whole_file=whole,
                    changes_permitted=permitted,
                    certification=sig.docmdp_level is not None,
                    signer=signer,
                    signing_time=when,
                    problem=problem,
                )
            )
        except Exception as exc:  # untrusted input: any failure means invalid
            checks.append(
                PdfSignatureCheck(
                    field_name=name,
                    intact=False,
                    trusted=False,
                    covers_whole_file=False,
                    changes_permitted=False,
                    certification=False,
                    signer=None,
                    signing_time=None,
                    problem=f"the signature cannot be checked ({type(exc).__name__})",
                )
            )
    return checks, ""


def pdf_subject(pdf: bytes) -> str | None:
    """The document information Subject of the last revision (the pack id is bound there)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer_view.get("/Info")
        if info is None:
            return None
        value = info.get_object().get("/Subject")
        return str(value) if value is not None else None
    except Exception:
        return None
