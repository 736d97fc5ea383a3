"""Verifying a pack, an encrypted pack or a bare signed PDF (DESIGN.md §4, SECURITY.md T23–T40).

The input is untrusted. Every check is named in words a manager understands and has a typed
``Outcome``; signature checks carry their ``SigStatus``. The verdict (``app.core.outcome.Verdict``)
follows from the outcomes alone: ``valid`` (exit 0, perhaps with warnings such as a signer's clock
running ahead), ``untrusted`` — intact, but nobody here trusts the signer or the signer's clock
(exit 3) — or ``invalid`` (exit 1). Any unexpected exception while reading means "invalid".
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import IO, Any

from cryptography import x509

from app.core.crypto.cms import (
    NotStreamable,
    envelope_open,
    envelope_open_stream,
    envelope_type,
    verify_detached,
)
from app.core.crypto.keys import cert_info, cert_sha256, public_key_sha256
from app.core.crypto.pades import PdfSignatureCheck, pdf_subject, validate_pdf
from app.core.crypto.trust import MAX_AHEAD, SKEW, SignatureCheck, duration
from app.core.errors import FieldbookError
from app.core.jsonio import DEFAULT_JSON_LIMITS, loads
from app.core.outcome import SigStatus, Verdict
from app.core.packs.manifest import MEDIA_TYPE, manifest_problems
from app.core.packs.safezip import DEFAULT_LIMITS, Limits, SafeZip
from app.core.paths import resource

Crls = Sequence[x509.CertificateRevocationList]

REVIEW_FILES = ("review/review.json", "review/manifest.json", "review/manifest.json.p7s")
REVIEW_FORMAT = "fieldbook-review/1"
MAX_SIGNATURE = 1024 * 1024  # a detached CMS signature with its certificates is a few kilobytes


class Outcome(StrEnum):
    """How one check came out; the pack's verdict is decided from these, never from wording."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    WARN = "warn"  # passed, with something the reader should know (the signer's clock was ahead)
    UNTRUSTED = "untrusted"  # nothing changed, but trust cannot be given (exit 3)
    FAIL = "fail"  # changed, malformed, or a fault (exit 1)


_OUTCOME_OF = {
    Verdict.VALID: Outcome.PASS,
    Verdict.UNTRUSTED: Outcome.UNTRUSTED,
    Verdict.INVALID: Outcome.FAIL,
}


@dataclass(frozen=True)
class Check:
    """One named check: what was checked, how it came out, why, and the typed reason."""

    id: str
    title: str
    outcome: Outcome
    detail: str = ""
    reason: SigStatus | None = None  # for signature and trust checks

    @property
    def passed(self) -> bool:
        return self.outcome in (Outcome.PASS, Outcome.WARN)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.title,
            "passed": self.passed,
            "outcome": str(self.outcome),
            "reason": str(self.reason) if self.reason is not None else None,
            "detail": self.detail,
        }


@dataclass
class Report:
    """The verifier's answer: every check, the verdict, and who signed."""

    subject: str  # "pack", "encrypted pack", "PDF"
    checks: list[Check] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    signers: list[dict[str, Any]] = field(default_factory=list)
    review: dict[str, Any] | None = None
    clock_ahead: timedelta | None = None  # the furthest any signer's clock ran ahead (a warning)

    def add(self, id: str, title: str, passed: bool, detail: str = "") -> bool:
        """A plain check: passed, or failed (the file is invalid)."""
        self.checks.append(Check(id, title, Outcome.PASS if passed else Outcome.FAIL, detail))
        return passed

    def add_outcome(
        self, id: str, title: str, outcome: Outcome, detail: str = "", reason: SigStatus | None = None
    ) -> None:
        self.checks.append(Check(id, title, outcome, detail, reason))

    def add_trust(self, id: str, title: str, sigs: list[SignatureCheck]) -> None:
        """One check over the trust in one or more signatures: the worst status decides."""
        worst = max(sigs, key=lambda c: _SEVERITY[c.status.verdict]) if sigs else None
        if worst is None:
            return
        faults = [c.detail for c in sigs if c.status.verdict is worst.status.verdict and c.detail]
        self.add_outcome(id, title, _OUTCOME_OF[worst.status.verdict], "; ".join(faults), worst.status)

    def warn_clock(self, sigs: list[SignatureCheck]) -> None:
        """A warning (not a failure) when a signer's clock ran ahead of this computer's, within a day."""
        ahead = [c.clock_ahead for c in sigs if c.clock_ahead is not None and c.status is SigStatus.INTACT]
        if ahead:  # one warning for the whole file, naming the largest difference
            self.clock_ahead = max([*ahead, *([self.clock_ahead] if self.clock_ahead else [])])
            self.checks = [c for c in self.checks if c.id != "clock"]
            self.add_outcome(
                "clock",
                "The signer's clock agrees with this computer's",
                Outcome.WARN,
                f"the signer's clock was ahead by {duration(self.clock_ahead)}",
                SigStatus.INTACT,
            )

    @property
    def status(self) -> Verdict:
        outcomes = {c.outcome for c in self.checks}
        if not self.checks or Outcome.FAIL in outcomes:
            return Verdict.INVALID
        return Verdict.UNTRUSTED if Outcome.UNTRUSTED in outcomes else Verdict.VALID

    @property
    def exit_code(self) -> int:
        return self.status.exit_code

    @property
    def reasons(self) -> list[str]:
        return [f"{c.title}: {c.detail}" if c.detail else c.title for c in self.checks if not c.passed]

    @property
    def warnings(self) -> list[str]:
        return [c.detail for c in self.checks if c.outcome is Outcome.WARN]

    def as_dict(self) -> dict[str, Any]:
        m = self.manifest or {}
        return {
            "status": str(self.status),
            "exit_code": self.exit_code,
            "subject": self.subject,
            "pack_id": m.get("pack_id"),
            "kind": m.get("kind"),
            "case_reference": m.get("case_reference"),
            "created_at": m.get("created_at"),
            "signers": self.signers,
            "review": self.review,
            "warnings": self.warnings,
            "checks": [c.as_dict() for c in self.checks],
        }

    def text(self) -> str:
        lines = [HEADLINE[self.status]]
        lines += [f"Warning: {w}" for w in self.warnings]
        m = self.manifest or {}
        if m:
            lines.append(
                f"Pack {m.get('pack_id')} ({m.get('kind')}), case {m.get('case_reference')}, "
                f"created {m.get('created_at')}"
            )
        for s in self.signers:
            lines.append(
                f"Signed by {s.get('name')} ({s.get('role')}, {s.get('agency')}) as "
                f"{s.get('as')} at {s.get('signed_at')}"
            )
        if self.review:
            lines.append(f"Review decision: {self.review.get('decision')} — “{self.review.get('comment')}”")
        for c in self.checks:
            mark = {Outcome.PASS: "PASS", Outcome.WARN: "WARN"}.get(c.outcome, "FAIL")
            lines.append(f"  [{mark}] {c.title}" + (f" — {c.detail}" if c.detail else ""))
        return "\n".join(lines)


_SEVERITY = {Verdict.VALID: 0, Verdict.UNTRUSTED: 1, Verdict.INVALID: 2}
HEADLINE = {
    Verdict.VALID: "VALID — the pack is intact and signed by a trusted practitioner",
    Verdict.UNTRUSTED: "INTACT BUT NOT TRUSTED — nothing was changed, but the signer (or the signer's "
    "clock) is not trusted here",
    Verdict.INVALID: "INVALID — do not rely on this file",
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def verify_bytes(
    data: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    now: datetime,
    key: tuple[x509.Certificate | None, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    crls: Crls = (),
) -> Report:
    """Verify a pack (ZIP), an encrypted pack (CMS envelope, needs ``key``) or a bare signed PDF."""
    return verify_stream(io.BytesIO(data), trust_roots, now=now, key=key, limits=limits, crls=crls)


def verify_stream(
    fh: IO[bytes],
    trust_roots: Sequence[x509.Certificate],
    *,
    now: datetime,
    key: tuple[x509.Certificate | None, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    crls: Crls = (),
) -> Report:
    """Verify from a seekable binary stream (see ``verify_bytes``)."""
    head = fh.read(4096)
    fh.seek(0)
    envelope = envelope_type(head)
    subject = "PDF" if head[:5] == b"%PDF-" else "encrypted pack" if envelope else "pack"
    report = Report(subject)
    try:
        if subject == "PDF":
            _verify_pdf_only(report, fh, trust_roots, now, crls)
        elif subject == "encrypted pack":
            title = "The encrypted pack can be opened"
            if key is None:
                report.add(
                    "decrypt", title, False, "it is encrypted: give the recipient's private key (--key)"
                )
                return report
            try:
                inner = _open_envelope(fh, envelope, key, limits)
            except FieldbookError as exc:
                report.add("decrypt", title, False, exc.message)
                return report
            opened_by = f"opened with the key of {cert_info(key[0]).name}" if key[0] is not None else ""
            report.add("decrypt", title, True, opened_by)
            _verify_zip(report, inner, trust_roots, now, limits, crls, recipient=key)
        else:
            _verify_zip(report, fh, trust_roots, now, limits, crls, recipient=None)
    except Exception as exc:  # untrusted input must never crash the verifier
        report.add("read", "The file can be read", False, f"unexpected problem ({type(exc).__name__})")
    return report


def _open_envelope(
    fh: IO[bytes], kind: str | None, key: tuple[x509.Certificate | None, Any], limits: Limits
) -> IO[bytes]:
    """The pack inside an envelope: AES-GCM streamed from the file (the ciphertext is never held
    whole); the old AES-CBC envelopes (packs made before AuthEnvelopedData) read whole."""
    if kind == "authenticated_enveloped_data":
        try:
            return envelope_open_stream(fh, key[1], key[0])
        except NotStreamable:  # BER from another tool: read whole
            fh.seek(0)
    data = fh.read(limits.max_file + 1)
    return io.BytesIO(envelope_open(data, key[1], key[0]))


def _verify_zip(
    report: Report,
    fh: IO[bytes],
    roots: Sequence[x509.Certificate],
    now: datetime,
    limits: Limits,
    crls: Crls,
    recipient: tuple[x509.Certificate | None, Any] | None,
) -> None:
    # The archive's layout and declared sizes first; then the manifest; then each listed entry,
    # streamed and checked against the size the manifest declares. Nothing large is held whole.
    try:
        z = SafeZip(fh, limits)
        names = z.names
        mimetype = z.read("mimetype", 100) if "mimetype" in z.infos else b""
    except FieldbookError as exc:
        report.add("zip", "The pack is a safe, readable archive", False, exc.message)
        return
    report.add("zip", "The pack is a safe, readable archive", True)
    if not names or names[0] != "mimetype" or mimetype != MEDIA_TYPE.encode():
        report.add(
            "mimetype",
            "The file says it is a Fieldbook pack",
            False,
            "the first entry is not the Fieldbook pack type",
        )
        return
    if "manifest.json" not in z.infos or "manifest.json.p7s" not in z.infos:
        report.add(
            "manifest",
            "The pack's contents list (manifest) is well formed",
            False,
            "the manifest or its signature is missing",
        )
        return
    try:
        manifest_bytes = z.read("manifest.json", DEFAULT_JSON_LIMITS.max_bytes)
        manifest_sig = z.read("manifest.json.p7s", MAX_SIGNATURE)
        manifest = loads(manifest_bytes, what="manifest.json")
    except FieldbookError as exc:
        report.add("manifest", "The pack's contents list (manifest) is well formed", False, exc.message)
        return
    problems = manifest_problems(manifest)
    if not report.add(
        "manifest", "The pack's contents list (manifest) is well formed", not problems, "; ".join(problems)
    ):
        return
    report.manifest = manifest
    author_sha = manifest["author"]["certificate_sha256"]
    created = _parse_time(manifest["created_at"])
    high_water = _parse_time(manifest["clock_high_water_mark"])

    # The CMS signature over the exact manifest bytes, by the manifest's author.
    sig = verify_detached(manifest_bytes, manifest_sig, roots, now=now, crls=crls, moment=created)
    report.add_outcome(
        "manifest_signature",
        "The contents list is signed and unchanged since signing",
        Outcome.PASS if sig.intact else Outcome.FAIL,
        "" if sig.intact else sig.detail,
        None if sig.intact else sig.status,
    )
    if sig.intact:
        report.add(
            "manifest_signer",
            "The contents list was signed by the author it names",
            sig.signer_sha256 == author_sha,
            ""
            if sig.signer_sha256 == author_sha
            else "the signing certificate is not the one the manifest names",
        )

    # Files: every listed file present with the right size and hash, nothing else present.
    review_present = any(n in z.infos for n in REVIEW_FILES)
    listed = {f["path"]: f for f in manifest["files"]}
    allowed = {"mimetype", "manifest.json", "manifest.json.p7s", *listed}
    if review_present:
        allowed |= set(REVIEW_FILES)
    extra = [n for n in names if n not in allowed]
    missing = [p for p in listed if p not in z.infos]
    report.add(
        "complete",
        "Nothing has been added to or removed from the pack",
        not extra and not missing,
        "; ".join(
            [f"added: {', '.join(extra)}"] * bool(extra) + [f"missing: {', '.join(missing)}"] * bool(missing)
        ),
    )
    changed = []
    for path, f in listed.items():
        if path not in z.infos:
            continue
        # The author's revision is a prefix of a countersigned PDF; anything else must match the
        # size the signed manifest declares (the archive's own declaration is not trusted).
        prefix = path == "pack.pdf" and review_present
        if z.declared_size(path) != f["size"] and not (prefix and z.declared_size(path) > f["size"]):
            changed.append(path)
            continue
        digest, size = z.digest(path, limit=f["size"] if prefix else None)
        if size != f["size"] or digest != f["sha256"]:
            changed.append(path)
    report.add(
        "hashes",
        "Every file is exactly as the author signed it",
        not changed,
        f"changed: {', '.join(changed)}" if changed else "",
    )

    # data.json is strict, well-formed JSON for this case.
    if "data.json" in z.infos:
        try:
            case_data = loads(z.read("data.json", DEFAULT_JSON_LIMITS.max_bytes), what="data.json")
            case = case_data.get("case") if isinstance(case_data, dict) else None
            ok = isinstance(case, dict) and case.get("id") == manifest["case_id"]
            report.add(
                "data",
                "The case data is well formed and belongs to this case",
                ok,
                "" if ok else "the case data is for a different case",
            )
            problem = schema_problem(case_data)
            if problem is not None:
                report.add(
                    "schema", "The case data follows the published case-data format", not problem, problem
                )
            # Each record's data against its form's published schema (app.core.forms.record_schemas).
            if not problem:
                from app.core.forms.record_schemas import check_records

                fits, detail = check_records(case_data, withheld=manifest.get("withheld"))
                report.add("records", "Every record's data fits its form", fits, detail)
        except FieldbookError as exc:
            report.add("data", "The case data is well formed and belongs to this case", False, exc.message)

    # The signed PDF: intact, covering the document, bound to this pack, by the author.
    if "pack.pdf" not in z.infos:
        return
    try:
        pdf = z.window("pack.pdf")
    except FieldbookError as exc:
        report.add("pdf_signature", "The PDF's signatures are intact", False, exc.message)
        return
    review = _verify_review(report, z, roots, now, crls, manifest, manifest_bytes) if review_present else None
    checks = _pdf_checks(report, pdf, roots, now, crls)
    if checks:
        first = checks[0]
        by_author = first.signer is not None and cert_sha256(first.signer) == author_sha
        report.add(
            "pdf_author",
            "The PDF was signed by the pack's author",
            by_author and first.certification,
            "" if by_author else "the PDF's signer is not the author named in the manifest",
        )
        expected_count = 2 if review_present else 1
        report.add(
            "pdf_signature_count",
            "The PDF carries the expected signatures",
            len(checks) == expected_count,
            ""
            if len(checks) == expected_count
            else f"found {len(checks)} signatures, expected {expected_count}",
        )
        if review is not None and len(checks) >= 2 and checks[-1].signer is not None:
            same = cert_sha256(checks[-1].signer) == review.get("certificate_sha256")
            report.add(
                "pdf_reviewer",
                "The PDF's second signature is by the reviewer",
                same,
                "" if same else "the second PDF signature is not by the reviewer",
            )
    author_size = listed.get("pack.pdf", {}).get("size")
    subject = pdf_subject(pdf, prefix=author_size if isinstance(author_size, int) else None) or ""
    report.add(
        "pdf_binding",
        "The PDF belongs to this pack",
        manifest["pack_id"] in subject,
        "" if manifest["pack_id"] in subject else "the PDF names a different pack",
    )

    # Trust and time.
    if sig.intact:  # trust means nothing for a signature that does not hold
        report.add_trust(
            "trusted", "The author is trusted here and their certificate was valid when they signed", [sig]
        )
    _time_check(report, created, high_water, now)
    report.warn_clock([sig, *checks])
    if recipient is not None:
        _recipient_check(report, manifest, *recipient)
    if sig.signer is not None:
        info = cert_info(sig.signer)
        report.signers.insert(
            0,
            {
                "as": "author",
                "name": info.name,
                "role": info.role,
                "agency": info.agency,
                "certificate_sha256": info.sha256,
                "signed_at": manifest["created_at"],
            },
        )


def _time_check(report: Report, created: datetime | None, high_water: datetime | None, now: datetime) -> None:
    """The manifest's own time: a clock problem (exit 3), not tampering, when it cannot be believed."""
    title = "The pack's date is plausible (not far in the future, not before earlier work)"
    if created is None:
        report.add("time", title, False, "the pack's creation time is missing")
    elif created > now + MAX_AHEAD:
        report.add_outcome(
            "time",
            title,
            Outcome.UNTRUSTED,
            f"the pack claims to have been made {duration(created - now)} in the future: the author's "
            "clock is wrong by more than a day",
            SigStatus.CLOCK,
        )
    elif high_water is not None and high_water > created + SKEW:
        report.add_outcome(
            "time",
            title,
            Outcome.UNTRUSTED,
            f"the pack claims a time {duration(high_water - created)} before earlier work on the author's "
            "laptop: the author's clock was set back",
            SigStatus.CLOCK,
        )
    else:
        report.add("time", title, True)


def _recipient_check(
    report: Report, manifest: dict[str, Any], cert: x509.Certificate | None, key: Any
) -> None:
    """Whoever opened the envelope must be the recipient the author signed for (no forwarding):
    by certificate when one is given, else by the public key of the private key that opened it."""
    title = "The pack was meant for this recipient"
    named = manifest.get("recipient")
    if not isinstance(named, dict):
        report.add(
            "recipient", title, False, "the signed manifest names no recipient, yet the pack was encrypted"
        )
        return
    if cert is not None:
        same = named.get("certificate_sha256") == cert_sha256(cert)
    elif isinstance(named.get("public_key_sha256"), str):
        same = named["public_key_sha256"] == public_key_sha256(key.public_key())
    else:
        report.add(
            "recipient",
            title,
            False,
            "the signed manifest names its recipient only by certificate: give the recipient's "
            "certificate with the key (a PKCS#12 file, or the certificate in the key's PEM file)",
        )
        return
    report.add("recipient", title, same, "" if same else "the signed manifest names a different recipient")


def _pdf_checks(
    report: Report, pdf: bytes | IO[bytes], roots: Sequence[x509.Certificate], now: datetime, crls: Crls
) -> list[PdfSignatureCheck]:
    checks, problem = validate_pdf(pdf, roots, now=now, crls=crls)
    if problem:
        report.add("pdf_signature", "The PDF's signatures are intact", False, problem)
        return []
    broken = [c for c in checks if not c.intact]
    report.add_outcome(
        "pdf_signature",
        "The PDF's signatures are intact",
        Outcome.FAIL if broken else Outcome.PASS,
        "; ".join(c.detail for c in broken),
        broken[0].status if broken else None,
    )
    last_whole = checks[-1].covers_whole_file
    report.add(
        "pdf_coverage",
        "Nothing was added to the PDF after the last signature",
        last_whole,
        "" if last_whole else "the PDF was changed after it was signed",
    )
    earlier_ok = all(c.changes_permitted for c in checks[:-1])
    report.add(
        "pdf_changes",
        "Later additions to the PDF are only permitted signatures",
        earlier_ok,
        "" if earlier_ok else "the PDF was edited after an earlier signature",
    )
    report.add_trust(
        "pdf_trusted",
        "Every PDF signer is trusted here and their certificate was valid when they signed",
        [c for c in checks if c.intact],
    )
    return checks


@lru_cache(maxsize=1)
def _schema_validator() -> Any:
    """The case-data JSON Schema validator, or None while the schema is not installed."""
    path = resource("schemas", "case-data.schema.json")
    if not path.exists():
        return None

    import jsonschema

    schema = loads(path.read_bytes(), what="the case-data schema")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def schema_problem(case_data: Any) -> str | None:
    """None when there is no schema to check against; "" when valid; else the first problem."""
    validator = _schema_validator()
    if validator is None:
        return None
    error = next(iter(validator.iter_errors(case_data)), None)
    if error is None:
        return ""
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"data.json at {where}: {error.message[:200]}"


def _verify_pdf_only(
    report: Report, pdf: bytes | IO[bytes], roots: Sequence[x509.Certificate], now: datetime, crls: Crls
) -> None:
    checks = _pdf_checks(report, pdf, roots, now, crls)
    report.warn_clock(list(checks))
    for i, c in enumerate(checks):
        if c.signer is not None:
            info = cert_info(c.signer)
            report.signers.append(
                {
                    "as": "author" if i == 0 else "reviewer",
                    "name": info.name,
                    "role": info.role,
                    "agency": info.agency,
                    "certificate_sha256": info.sha256,
                    "signed_at": c.signing_time.isoformat() if c.signing_time else None,
                }
            )


def _verify_review(
    report: Report,
    z: SafeZip,
    roots: Sequence[x509.Certificate],
    now: datetime,
    crls: Crls,
    manifest: dict[str, Any],
    manifest_bytes: bytes,
) -> dict[str, Any] | None:
    title = "The manager's review is complete, signed and unchanged"
    if not all(n in z.infos for n in REVIEW_FILES):
        report.add("review", title, False, "part of the review is missing")
        return None
    try:
        rman_bytes = z.read("review/manifest.json", DEFAULT_JSON_LIMITS.max_bytes)
        rman_sig = z.read("review/manifest.json.p7s", MAX_SIGNATURE)
        rman = loads(rman_bytes, what="review/manifest.json")
        review = loads(z.read("review/review.json", DEFAULT_JSON_LIMITS.max_bytes), what="review/review.json")
    except FieldbookError as exc:
        report.add("review", title, False, exc.message)
        return None
    if not isinstance(rman, dict) or not isinstance(review, dict) or rman.get("format") != REVIEW_FORMAT:
        report.add("review", title, False, "the review manifest is malformed")
        return None
    reviewer: dict[str, Any] = rman["reviewer"] if isinstance(rman.get("reviewer"), dict) else {}
    when = _parse_time(rman.get("created_at"))
    sig = verify_detached(rman_bytes, rman_sig, roots, now=now, crls=crls, moment=when)
    problems = []
    if not sig.intact:
        problems.append(sig.problem)
    elif sig.signer_sha256 != reviewer.get("certificate_sha256"):
        problems.append("the review was signed by someone other than the reviewer it names")
    if sig.intact and sig.signer_sha256 == manifest["author"]["certificate_sha256"]:
        problems.append("the review was signed by the pack's own author")  # no self-approval
    if rman.get("pack_id") != manifest["pack_id"] or rman.get("manifest_sha256") != _sha(manifest_bytes):
        problems.append("the review belongs to a different pack")
    files: list[Any] = rman["files"] if isinstance(rman.get("files"), list) else []
    for f in files:
        path = f.get("path") if isinstance(f, dict) else None
        digest = z.digest(path)[0] if isinstance(path, str) and path in z.infos else None
        if digest is None or digest != f.get("sha256"):
            problems.append(f"the reviewed file {path} has changed")
    if {f.get("path") for f in files if isinstance(f, dict)} != {"review/review.json", "pack.pdf"}:
        problems.append("the review does not cover the review and the PDF")
    if not report.add("review", title, not problems, "; ".join(problems)):
        return None
    report.add_trust(
        "review_trusted",
        "The reviewer is trusted here and their certificate was valid when they signed",
        [sig],
    )
    report.warn_clock([sig])
    if sig.signer is not None:
        info = cert_info(sig.signer)
        report.signers.append(
            {
                "as": "reviewer",
                "name": info.name,
                "role": info.role,
                "agency": info.agency,
                "certificate_sha256": info.sha256,
                "signed_at": rman.get("created_at"),
            }
        )
    report.review = {
        "decision": review.get("decision"),
        "comment": review.get("comment"),
        "reviewed_at": rman.get("created_at"),
        "reviewer": info.name if sig.signer else None,
    }
    return dict(reviewer)
