"""PAdES signatures on the pack PDF (pyHanko): sign, countersign, validate.

The author's signature is a certification signature allowing only form filling and further
signatures (``MDPPerm.FILL_FORMS``); a manager's countersignature is an approval signature added
as an incremental update. Validation uses pinned roots only, offline, and accepts a document only
when the last signature covers the whole file and earlier ones saw nothing beyond permitted
changes (SECURITY.md "Validation policy"). Any exception while reading means "invalid". The
signing time is the caller's (the injected clock); trust is decided by ``app.core.crypto.trust``.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import IO, Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.core.crypto.keys import CryptoError, Identity, cert_der, check_can_sign
from app.core.crypto.trust import SignatureCheck, embedded_certs, integrity_context, judge_status
from app.core.files import window
from app.core.outcome import SigStatus


@dataclass(frozen=True)
class PdfSignatureCheck(SignatureCheck):
    """One signature in a PDF: its status (as for any signature) and what it covers."""

    field_name: str = ""
    covers_whole_file: bool = False  # nothing at all was appended after this signature
    changes_permitted: bool = False  # anything appended is only later signatures / form filling
    certification: bool = False  # the author's certification signature (DocMDP)


class _ClockedPdfSigner(signers.PdfSigner):
    """pyHanko's PdfSigner with the signing time (the signature dictionary's /M) set by the caller;
    pyHanko itself would take the wall clock."""

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._now
        return session


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


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, leaving the document's metadata as the renderer wrote it.

    pyHanko would stamp /ModDate and xmp:ModifyDate with the wall clock (never the injected one)
    and write a Producer in the XMP that differs from the Info dictionary's, which PDF/A forbids.
    The signature itself carries its signing time (/M and the CMS signing-time attribute).
    """

    def _update_meta(self) -> None:
        return


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
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    if check_validity:
        check_can_sign(identity, now)
    try:
        writer = _MetadataKeepingWriter(io.BytesIO(pdf), strict=False)
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
        pdf_signer = _ClockedPdfSigner(
            meta, signer=_signer(identity), new_field_spec=spec, stamp_style=stamp, now=now
        )
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
    # False: show the stamp only in a field reserved earlier; a document without one (a pack made
    # before visible signatures) is signed invisibly rather than drawn over its last page.
    new_field: bool = True


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
    if appearance is not None and not appearance.new_field and field_name not in existing:
        appearance = None
    if appearance is None:
        spec = None if field_name in existing else fields.SigFieldSpec(sig_field_name=field_name)
        return spec, None
    for name, box in appearance.reserve:
        if name not in existing:
            fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=-1, box=box))
    spec = None if field_name in existing else fields.SigFieldSpec(field_name, on_page=-1, box=appearance.box)
    return spec, StaticStampStyle(background=_PdfBytesPage(appearance.stamp), border_width=0)


def validate_pdf(
    pdf: bytes | IO[bytes],
    trust_roots: Sequence[x509.Certificate],
    *,
    now: datetime,
    crls: Sequence[x509.CertificateRevocationList] = (),
) -> tuple[list[PdfSignatureCheck], str]:
    """Every signature in ``pdf`` with its status, and a problem with the file as a whole ("" if none)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(_stream(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:
        return [], f"the PDF cannot be read ({type(exc).__name__})"
    if not embedded:
        return [], "the PDF has no signature"
    checks: list[PdfSignatureCheck] = []
    for sig in embedded:
        name = str(sig.field_name)
        try:
            status = asyncio.run(
                async_validate_pdf_signature(sig, signer_validation_context=integrity_context())
            )
            others = embedded_certs(sig.signed_data)
            judged = judge_status(status, now=now, roots=trust_roots, crls=crls, others=others)
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            level = status.modification_level
            permitted = whole or (
                level is not None
                and level <= ModificationLevel.FORM_FILLING
                and bool(status.docmdp_ok is not False)
            )
            checks.append(
                PdfSignatureCheck(
                    **{f.name: getattr(judged, f.name) for f in fields(SignatureCheck)},
                    field_name=name,
                    covers_whole_file=whole,
                    changes_permitted=permitted,
                    certification=sig.docmdp_level is not None,
                )
            )
        except Exception as exc:  # untrusted input: any failure means invalid
            checks.append(
                PdfSignatureCheck(
                    SigStatus.UNREADABLE,
                    detail=f"the signature cannot be checked ({type(exc).__name__})",
                    field_name=name,
                )
            )
    return checks, ""


def _stream(pdf: bytes | IO[bytes], prefix: int | None = None) -> IO[bytes]:
    if isinstance(pdf, bytes):
        return io.BytesIO(pdf[:prefix] if prefix is not None else pdf)
    if prefix is not None:
        return window(pdf, 0, prefix)
    pdf.seek(0)
    return pdf


def pdf_subject(pdf: bytes | IO[bytes], *, prefix: int | None = None) -> str | None:
    """The document information Subject of the last revision (the pack id is bound there), or of
    the revision that ends at byte ``prefix`` (the author's, in a countersigned PDF)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(_stream(pdf, prefix), strict=False)
        info = reader.trailer_view.get("/Info")
        if info is None:
            return None
        value = info.get_object().get("/Subject")
        return str(value) if value is not None else None
    except Exception:
        return None
