"""A manager's countersignature on a pack (DESIGN.md §4 "review/…").

Adds ``review/review.json`` (decision, comment, time, reviewer), ``review/manifest.json`` holding
the hashes of the original manifest, the review and the countersigned PDF, its detached CMS
signature, and a second PAdES (approval) signature on the PDF as an incremental update — so the
author's signed revision stays a byte-for-byte prefix of the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.clock import Clock, iso_now
from app.core.crypto.cms import envelope_decrypt, is_envelope, sign_detached, signer_public_key
from app.core.crypto.keys import Identity
from app.core.crypto.pades import sign_pdf
from app.core.errors import FieldbookError, PackError, UntrustedSigner, UsageError
from app.core.jsonio import canonical_json, loads
from app.core.outcome import Verdict
from app.core.packs.build import REVIEW_FIELD, sha256_hex
from app.core.packs.safezip import read_zip, write_zip
from app.core.packs.stamp import review_appearance
from app.core.packs.verify import REVIEW_FILES, REVIEW_FORMAT, Report, verify_bytes

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
    manifest = loads(entries["manifest.json"], what="manifest.json")
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
    now = clock.now()
    pdf = sign_pdf(
        entries["pack.pdf"],
        identity,
        now=now,
        certify=False,
        field_name=REVIEW_FIELD,
        reason=f"Review: {decision}",
        location=info.agency,
        appearance=review_appearance(info, now, decision),
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
        ("review/manifest.json.p7s", sign_detached(rman_bytes, identity, now=now), False),
    ]
    return write_zip(out)


@dataclass
class OpenedPack:
    """A pack as a reviewer sees it: the verifier's report and what can be shown of the contents."""

    report: Report
    pack: bytes  # the plain pack (decrypted if it arrived encrypted); what a review is added to
    pdf: bytes | None = None
    case_data: dict[str, Any] | None = None
    problem: str = ""  # why the contents cannot be shown, in plain words

    @property
    def childs_words(self) -> list[dict[str, str]]:
        """Every verbatim quote in the pack's records, in record order (date, who asked, words)."""
        out: list[dict[str, str]] = []
        records = ((self.case_data or {}).get("case") or {}).get("records") or []
        for rec in records if isinstance(records, list) else []:
            if not isinstance(rec, dict):
                continue
            when = str(rec.get("occurred_at") or rec.get("created_at") or "")
            for quote in _quotes(rec.get("data")):
                out.append({"when": when[:16], **{k: str(quote.get(k) or "") for k in QUOTE_KEYS}})
        return out


QUOTE_KEYS = ("words", "asked_by", "question", "context")


def _quotes(value: Any) -> list[dict[str, Any]]:
    """Verbatim-quote values (dicts with the child's ``words``) anywhere in a record's data."""
    if isinstance(value, dict):
        if isinstance(value.get("words"), str):
            return [value]
        return [q for v in value.values() for q in _quotes(v)]
    if isinstance(value, list):
        return [q for v in value for q in _quotes(v)]
    return []


def open_pack(store: Any, passphrase: str, data: bytes, *, now: datetime) -> OpenedPack:
    """Verify a pack, an encrypted pack (opened with this vault's key) or a signed PDF against
    this vault's trust store, and unpack what a reviewer reads. Never raises on bad input."""
    from app.core.identity import load_identity, vault_trust

    roots, crls = vault_trust(store)
    key = None
    if is_envelope(data):
        identity = load_identity(store, passphrase)
        key = (identity.cert, identity.key)
    report = verify_bytes(data, roots, now=now, key=key, crls=crls)
    if report.subject == "PDF":
        return OpenedPack(report, data, pdf=data)
    plain = data
    if key is not None:
        try:
            plain = envelope_decrypt(data, key[0], key[1])
        except FieldbookError as exc:
            return OpenedPack(report, data, problem=exc.message)
    try:
        entries = read_zip(plain)
        case_data = loads(entries["data.json"], what="data.json") if "data.json" in entries else None
        return OpenedPack(
            report,
            plain,
            pdf=entries.get("pack.pdf"),
            case_data=case_data if isinstance(case_data, dict) else None,
        )
    except FieldbookError as exc:
        return OpenedPack(report, plain, problem=exc.message)
    except Exception as exc:  # untrusted input: shown as unreadable, never a crash
        return OpenedPack(report, plain, problem=f"unexpected problem ({type(exc).__name__})")


def countersign_problem(opened: OpenedPack, identity: Identity) -> str | None:
    """Why this reviewer may not countersign this pack, in plain words (None: they may)."""
    report = opened.report
    if report.subject == "PDF":
        return "A bare PDF cannot be countersigned: open the pack (.zip) it came from"
    if report.status is Verdict.INVALID:
        return "The pack is not valid, so it cannot be countersigned: " + "; ".join(report.reasons)
    if report.status is Verdict.UNTRUSTED:
        return (
            "The pack's author is not in this vault's trust store; add their certificate "
            "(Settings… or `fieldbook trust add`) before countersigning"
        )
    if report.review:
        return "This pack has already been reviewed; a pack carries one review"
    try:
        entries = read_zip(opened.pack)
        refuse_self_review(report.manifest, entries.get("manifest.json.p7s", b""), identity)
    except FieldbookError as exc:
        return exc.message
    return None


def reviewer_problem(store: Any, passphrase: str, opened: OpenedPack) -> str | None:
    """``countersign_problem`` for this vault's own signing identity."""
    from app.core.identity import load_identity

    return countersign_problem(opened, load_identity(store, passphrase))


def countersign_to(
    store: Any, passphrase: str, pack: bytes, out: Path, *, decision: str, comment: str, clock: Clock
) -> str:
    """Check, countersign and write the pack atomically to ``out``, then audit it; the pack id.

    The desktop app and ``fieldbook pack review`` both come here."""
    from app.core.identity import load_identity
    from app.core.packs.build import write_atomic

    identity = load_identity(store, passphrase)
    opened = open_pack(store, passphrase, pack, now=clock.now())
    report = opened.report
    problem = countersign_problem(opened, identity)
    if problem is not None:
        if report.status is Verdict.UNTRUSTED:
            raise UntrustedSigner(problem)
        raise (PackError if report.status is Verdict.INVALID or report.review else UsageError)(problem)
    reviewed = add_review(opened.pack, identity, decision=decision, comment=comment, clock=clock)
    write_atomic(out, reviewed)
    pack_id = str((report.manifest or {}).get("pack_id"))
    store.audit(
        "review",
        "pack",
        pack_id,
        {
            "decision": decision,
            "file": out.name,
            "case_reference": (report.manifest or {}).get("case_reference"),
        },
    )
    return pack_id
