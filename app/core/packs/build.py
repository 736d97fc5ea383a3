"""Assembling a signed pack (DESIGN.md §4) from in-memory parts, and writing it atomically.

Order matters: render the PDF with the pack id in it, PAdES-sign it, hash every file into the
manifest, sign the canonical manifest bytes (detached CMS), zip, and only then — if a recipient is
named — encrypt the whole ZIP to the recipient (sign first, then encrypt: the envelope has no
integrity of its own, and the recipient is named inside the signed manifest).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from app import __version__
from app.core.clock import Clock, iso_now
from app.core.crypto.cms import envelope_encrypt, sign_detached
from app.core.crypto.keys import Identity, cert_info, cert_sha256, check_can_sign, public_key_sha256
from app.core.crypto.pades import sign_pdf
from app.core.errors import PackError, UsageError
from app.core.jsonio import canonical_json
from app.core.packs.manifest import FORMAT, KINDS, MEDIA_TYPE, SCHEMA_VERSION
from app.core.packs.safezip import write_zip
from app.core.packs.stamp import author_appearance

AUTHOR_FIELD = "Author"
REVIEW_FIELD = "Review"
_COMPRESSED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")


@dataclass(frozen=True)
class PackContent:
    """What goes into a pack, already chosen by the practitioner (records, date range)."""

    kind: str  # "referral" | "conference"
    case_data: dict[str, Any]  # fieldbook-case/1; attachments carry "path": "attachments/<sha>"
    attachments: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # sha256 → (bytes, type)
    forms: list[tuple[str, int]] = field(default_factory=list)
    sequence: int = 1
    high_water_mark: str | None = None  # latest event time the vault has seen (clock skew check)
    withheld: dict[str, Any] | None = None  # a parent's copy: what was left out and why (no content)
    share: dict[str, str] | None = None  # the sharing-log entry: to whom, why, on what basis
    audit_head: dict[str, Any] | None = None  # the vault's audit chain head {"seq", "hash"}


@dataclass(frozen=True)
class BuiltPack:
    data: bytes  # the file to write: the ZIP, or the CMS envelope around it
    pack_id: str
    manifest: dict[str, Any]
    zip_bytes: bytes
    pdf: bytes  # the signed PDF (also inside the ZIP)
    encrypted: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_pack(
    content: PackContent,
    identity: Identity,
    *,
    clock: Clock,
    render_pdf: Callable[[str], bytes],
    recipient: x509.Certificate | None = None,
    app_version: str = __version__,
    pack_id: str | None = None,
    check_validity: bool = True,
) -> BuiltPack:
    """Build, sign and (optionally) encrypt a pack. ``render_pdf(pack_id)`` returns the unsigned PDF.

    Every signature is stamped with ``clock.now()``. ``check_validity=False`` exists only so that
    tests and the broken golden files can hold a pack signed outside its certificate's validity
    (which the app itself refuses to make).
    """
    if content.kind not in KINDS:
        raise UsageError(f"Pack kind: “{content.kind}” is not one of {', '.join(KINDS)}")
    now = clock.now()
    if check_validity:
        check_can_sign(identity, now)
    case = content.case_data.get("case") or {}
    case_id = case.get("id")
    if not isinstance(case_id, str):
        raise PackError("Case data: it has no case id")
    for sha, (blob, _media) in content.attachments.items():
        if sha256_hex(blob) != sha:
            raise PackError(f"Attachment {sha[:12]}…: its content does not match its fingerprint")
    for att in content.case_data.get("attachments") or []:
        if att.get("sha256") not in content.attachments:
            raise PackError(f"Attachment “{att.get('filename', '?')}”: its content is missing")

    pack_id = pack_id or str(uuid.uuid4())
    created_at = iso_now(clock)
    info = identity.info
    pdf = sign_pdf(
        render_pdf(pack_id),
        identity,
        now=now,
        certify=True,
        field_name=AUTHOR_FIELD,
        reason=f"Author of Fieldbook {content.kind} pack {pack_id}",
        location=info.agency,
        appearance=author_appearance(info, now, REVIEW_FIELD),
        check_validity=check_validity,
    )
    data_json = canonical_json(content.case_data)
    files: list[tuple[str, bytes, str]] = [
        ("data.json", data_json, "application/json"),
        ("pack.pdf", pdf, "application/pdf"),
    ]
    for sha in sorted(content.attachments):
        blob, media = content.attachments[sha]
        files.append((f"attachments/{sha}", blob, media))
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "pack_id": pack_id,
        "kind": content.kind,
        "case_id": case_id,
        "case_reference": case.get("reference"),
        "sequence": content.sequence,
        "created_at": created_at,
        "clock_high_water_mark": content.high_water_mark or created_at,
        "author": {
            "name": info.name,
            "role": info.role,
            "agency": info.agency,
            "certificate_sha256": identity.cert_sha256,
        },
        "recipient": (
            {
                "certificate_sha256": cert_sha256(recipient),
                "public_key_sha256": public_key_sha256(recipient.public_key()),
                "subject": cert_info(recipient).subject,
            }
            if recipient is not None
            else None
        ),
        "app_version": app_version,
        "schema_version": SCHEMA_VERSION,
        "forms": [{"id": fid, "version": ver} for fid, ver in sorted(set(content.forms))],
        **({"share": content.share} if content.share is not None else {}),
        "files": [{"path": p, "size": len(b), "media_type": m, "sha256": sha256_hex(b)} for p, b, m in files],
    }
    if content.withheld is not None:
        manifest["withheld"] = content.withheld
    if content.audit_head is not None:
        # The vault's audit head when the pack was made: a receiver holding two packs from one
        # vault can see that its log only ever grew (the head is anchored in the vault too).
        manifest["vault_audit_head"] = content.audit_head
    manifest_bytes = canonical_json(manifest)
    entries = [
        ("mimetype", MEDIA_TYPE.encode(), False),
        ("manifest.json", manifest_bytes, True),
        ("manifest.json.p7s", sign_detached(manifest_bytes, identity, now=now), False),
    ]
    entries += [(p, b, m not in _COMPRESSED_TYPES) for p, b, m in files]
    zip_bytes = write_zip(entries)
    out = envelope_encrypt(zip_bytes, recipient) if recipient is not None else zip_bytes
    return BuiltPack(out, pack_id, manifest, zip_bytes, pdf, recipient is not None)


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same folder → fsync → rename → fsync the folder; user-only permissions.

    A crash leaves either the old file or the new one, never half a pack.
    """
    publish(stage_file(path, data), path)


def stage_file(path: Path, data: bytes) -> Path:
    """``data`` written and flushed to a temporary file beside ``path`` (user-only), not yet in place."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=".fieldbook-", suffix=".tmp", dir=folder)
    try:
        # mkstemp already creates the file readable and writable by the user only (0600).
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Rename a staged file into place and fsync the folder (the temp file is removed on failure)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dfd = os.open(folder, os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
