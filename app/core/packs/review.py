"""A manager's countersignature on a pack (DESIGN.md §4 "review/…").

Adds ``review/review.json`` (decision, comment, time, reviewer), ``review/manifest.json`` holding
the hashes of the original manifest, the review and the countersigned PDF, its detached CMS
signature, and a second PAdES (approval) signature on the PDF as an incremental update — so the
author's signed revision stays a byte-for-byte prefix of the PDF.
"""

from __future__ import annotations

from typing import Any

from app.core.clock import Clock, iso_now
from app.core.crypto.cms import sign_detached, signer_public_key
from app.core.crypto.keys import Identity
from app.core.crypto.pades import sign_pdf
from app.core.errors import PackError, UsageError
from app.core.packs.build import REVIEW_FIELD, sha256_hex
from app.core.packs.manifest import canonical_json, parse_json
from app.core.packs.safezip import read_zip, write_zip
from app.core.packs.stamp import review_appearance
from app.core.packs.verify import REVIEW_FILES, REVIEW_FORMAT

DECISIONS = ("approve", "return")
MAX_COMMENT = 20_000


def refuse_self_review(manifest: Any, manifest_signature: bytes, identity: Identity) -> None:
    """A countersignature must come from someone other than the author: refuse the author's
    certificate, and any certificate over the author's key (a re-issued certificate is the same person)."""
    author = manifest.get("author") if isinstance(manifest, dict) else None
    author_sha = author.get("certificate_sha256") if isinstance(author, dict) else None
    same_key = signer_public_key(manifest_signature) == identity.public_key_der
    if author_sha == identity.cert_sha256 or same_key:
        raise UsageError(
            "Review: you are the author of this pack (your certificate signed it), and a review must "
            "come from someone else — ask your manager to countersign it"
        )


def add_review(pack: bytes, identity: Identity, *, decision: str, comment: str, clock: Clock) -> bytes:
    """The pack with the reviewer's decision and countersignature added (one review per pack)."""
    if decision not in DECISIONS:
        raise UsageError(f"Decision: “{decision}” is not one of {', '.join(DECISIONS)}")
    if not comment.strip():
        raise UsageError("Comment: is empty — say why the pack is approved or returned")
    if len(comment) > MAX_COMMENT:
        raise UsageError(f"Comment: longer than {MAX_COMMENT} characters")
    entries = read_zip(pack)
    if any(n in entries for n in REVIEW_FILES):
        raise PackError("This pack has already been reviewed; a pack carries one review")
    for needed in ("manifest.json", "pack.pdf"):
        if needed not in entries:
            raise PackError(f"The pack has no {needed}")
    manifest = parse_json(entries["manifest.json"], what="manifest.json")
    refuse_self_review(manifest, entries.get("manifest.json.p7s", b""), identity)
    info = identity.info
    created = iso_now(clock)
    reviewer = {
        "name": info.name,
        "role": info.role,
        "agency": info.agency,
        "certificate_sha256": identity.cert_sha256,
    }
    review: dict[str, Any] = {
        "decision": decision,
        "comment": comment,
        "reviewed_at": created,
        "reviewer": reviewer,
        "pack_id": manifest.get("pack_id"),
    }
    review_bytes = canonical_json(review)
    pdf = sign_pdf(
        entries["pack.pdf"],
        identity,
        now=clock.now(),
        certify=False,
        field_name=REVIEW_FIELD,
        reason=f"Review: {decision}",
        location=info.agency,
        appearance=review_appearance(info, clock.now(), decision),
    )
    rman = {
        "format": REVIEW_FORMAT,
        "pack_id": manifest.get("pack_id"),
        "manifest_sha256": sha256_hex(entries["manifest.json"]),
        "created_at": created,
        "reviewer": reviewer,
        "files": [
            {"path": "review/review.json", "size": len(review_bytes), "sha256": sha256_hex(review_bytes)},
            {"path": "pack.pdf", "size": len(pdf), "sha256": sha256_hex(pdf)},
        ],
    }
    rman_bytes = canonical_json(rman)
    out: list[tuple[str, bytes, bool]] = []
    for name, blob in entries.items():
        if name == "pack.pdf":
            blob = pdf
        out.append((name, blob, name not in ("mimetype", "pack.pdf", "manifest.json.p7s")))
    out += [
        ("review/review.json", review_bytes, True),
        ("review/manifest.json", rman_bytes, True),
        ("review/manifest.json.p7s", sign_detached(rman_bytes, identity, now=clock.now()), False),
    ]
    return write_zip(out)
