"""``fieldbook export``, ``fieldbook verify`` and ``fieldbook review`` (DESIGN.md §5).

``verify`` works without a vault: trust comes from ``--trust`` certificates (files or folders).
When a vault file exists and ``FIELDBOOK_PASSPHRASE`` is set, the vault's trust store is used as
well (it never prompts, so that a front door's pipeline can call it unattended). Exit codes:
0 valid and trusted, 1 invalid or tampered, 3 intact but signer not trusted, 2 bad usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, output_file
from app.core.errors import UsageError

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
CRL_SUFFIXES = (".crl",)


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser("export", parents=[common], help="export a signed referral or conference pack")
    p.add_argument("case", metavar="CASE", help="case id, id prefix or case reference")
    p.add_argument(
        "--kind",
        required=True,
        choices=("referral", "conference", "parents"),
        help="parents: the parent's copy, without what is not for the family",
    )
    p.add_argument("--out", required=True, type=output_file, help="the pack file to write (.fbpack)")
    p.add_argument("--recipient", type=Path, help="encrypt to this certificate (the front door's)")
    p.add_argument("--pdf", type=output_file, help="also write the signed PDF here")
    p.add_argument("--records", help="comma-separated record ids to include (default: all final records)")
    p.add_argument("--from", dest="date_from", help="first date to include (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="last date to include (YYYY-MM-DD)")
    p.add_argument("--withhold", help="parent's copy: comma-separated record ids to keep from the family")
    p.add_argument(
        "--share",
        help="conference pack or parent's copy: strategy discussion record ids to include on purpose "
        "(left out by default)",
    )
    # The sharing log (golden rule 7): defaults from the pack kind, the referral and the profile.
    p.add_argument("--shared-with", dest="shared_with", help="to whom (default: by kind, or the recipient)")
    p.add_argument("--purpose", help="why it is shared (default: by kind)")
    p.add_argument(
        "--lawful-basis",
        dest="lawful_basis",
        help="a lawful_bases code (default: public_task_sch1_18, DPA 2018 Sch 1 para 18)",
    )
    p.add_argument("--consent", choices=("given", "refused", "not_sought"), help="default: the referral's")
    p.add_argument("--decided-by", dest="decided_by", help="who decided to share (default: you)")
    p.set_defaults(func=cmd_export)

    v = top.add_parser("verify", parents=[common], help="verify a pack, an encrypted pack or a signed PDF")
    v.add_argument("file", type=Path)
    v.add_argument(
        "--trust",
        action="append",
        type=Path,
        default=[],
        help="a trusted certificate, or a folder of certificates and CRLs (repeatable)",
    )
    v.add_argument(
        "--crl",
        action="append",
        type=Path,
        default=[],
        help="a certificate revocation list (PEM or DER) from an issuer in the trust store (repeatable)",
    )
    v.add_argument(
        "--at",
        metavar="TIME",
        help="judge the pack as at this UTC time (YYYY-MM-DDTHH:MM:SSZ), e.g. when it was received",
    )
    v.add_argument(
        "--key", type=Path, help="the recipient's private key (PEM/DER or PKCS#12) for an encrypted pack"
    )
    v.set_defaults(func=cmd_verify)

    r = top.add_parser("review", parents=[common], help="countersign a pack as a manager")
    r.add_argument("file", type=Path)
    r.add_argument("--decision", required=True, choices=("approve", "return"))
    r.add_argument("--comment", required=True)
    r.add_argument("--out", required=True, type=output_file)
    r.set_defaults(func=cmd_review)


def _date(value: str | None, label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{label}: “{value}” is not a date (YYYY-MM-DD)") from exc


def _read(path: Path, what: str, limit: int = 200 * 1024 * 1024) -> bytes:
    from app.core.files import read_regular

    return read_regular(path, what=what, limit=limit)


def _at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise UsageError(f"At: “{value}” is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)")
    return when.astimezone(UTC)


def _store(ctx: CliContext) -> Any:
    from app.core.store import Store

    return Store(ctx.vault())


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


def cmd_export(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.crypto.keys import cert_info, load_certificate
    from app.core.identity import load_identity
    from app.core.packs.export import ExportOptions, export_pack, write_and_record
    from app.core.shares import export_share

    recipient = None
    if args.recipient is not None:
        recipient = load_certificate(
            _read(args.recipient, "Recipient certificate"), what="Recipient certificate"
        )
    opts = ExportOptions(
        kind=args.kind,
        record_ids=_ids(args.records),
        date_from=_date(args.date_from, "From"),
        date_to=_date(args.date_to, "To"),
        recipient=recipient,
        withhold=_ids(args.withhold),
        share=_ids(args.share),
    )
    if opts.withhold and opts.kind != "parents":
        raise UsageError("Withhold: it applies only to a parent's copy (--kind parents)")
    if opts.share and opts.kind == "referral":
        raise UsageError("Share: it applies to a conference pack or a parent's copy")
    if opts.date_from and opts.date_to and opts.date_from > opts.date_to:
        raise UsageError("From: the first date is after the last date (--to)")
    if not args.out.parent.exists():
        raise UsageError(f"Out: the folder {args.out.parent} does not exist")
    store = _store(ctx)
    case_id = store.find_case(args.case)
    identity = load_identity(store, ctx.passphrase())
    registry = None
    try:
        from app.core.forms import load_registry

        registry = load_registry(ctx.forms_dir)
    except ImportError:
        registry = None
    share = export_share(
        store,
        case_id,
        args.kind,
        shared_at="",
        recipient=args.shared_with or (cert_info(recipient).subject if recipient is not None else None),
        purpose=args.purpose,
        lawful_basis=args.lawful_basis,
        consent=args.consent,
        decided_by=args.decided_by,
    )
    opts = dataclasses.replace(opts, sharing_log=share)
    built = export_pack(store, registry, case_id, identity, opts, clock=ctx.clock)
    write_and_record(store, case_id, built, args.out, pdf_out=args.pdf)
    data = {
        "pack_id": built.pack_id,
        "kind": args.kind,
        "file": str(args.out),
        "sha256": built.sha256,
        "encrypted": built.encrypted,
        "sequence": built.manifest["sequence"],
    }
    ctx.emit(
        data,
        f"Exported {args.kind} pack {built.pack_id} to {args.out}"
        + _withheld_words(built.manifest.get("withheld"))
        + (" (encrypted)" if built.encrypted else "")
        + f"\nSHA-256 {built.sha256}",
    )
    return 0


def _withheld_words(withheld: dict[str, Any] | None) -> str:
    """What a parent's copy leaves out, said once more after export (it is also in the manifest)."""
    from app.core.packs.export import withheld_reasons

    if withheld is None:
        return ""
    reasons = withheld_reasons(withheld)
    return "\nWithheld from the family: " + "; ".join(reasons) if reasons else "\nNothing was withheld."


def _load_trust(paths: list[Path], crl_paths: list[Path]) -> tuple[list[Any], list[Any]]:
    """(certificates, CRLs) from --trust files and folders and --crl files."""
    from app.core.crypto.keys import load_certificates
    from app.core.crypto.trust import load_crls

    certs: list[Any] = []
    crls: list[Any] = []
    suffixes = CERT_SUFFIXES + CRL_SUFFIXES
    for p in paths:
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in suffixes) if p.is_dir() else [p]
        if p.is_dir() and not files:
            raise UsageError(f"Trust: the folder {p} holds no .pem/.crt/.cer/.der certificates")
        for f in files:
            data = _read(f, "Trust certificate", 10 * 1024 * 1024)
            is_crl = f.suffix.lower() in CRL_SUFFIXES
            if is_crl or b"-----BEGIN X509 CRL-----" in data:  # a PEM bundle may carry CRLs too
                crls += load_crls(data, what=f"Trust {f.name}")
            pem = data.lstrip().startswith(b"-----BEGIN")
            if not is_crl and (not pem or b"-----BEGIN CERTIFICATE-----" in data):
                certs += load_certificates(data)
    for p in crl_paths:
        crls += load_crls(_read(p, "CRL", 10 * 1024 * 1024), what=f"CRL {p.name}")
    return certs, crls


def _vault_trust(ctx: CliContext) -> tuple[list[Any], list[Any]]:
    """(certificates, CRLs) from the vault's trust store, when the vault can be opened."""
    if not ctx.vault_path.exists() or os.environ.get("FIELDBOOK_PASSPHRASE") is None:
        return [], []
    from app.core.identity import vault_trust

    return vault_trust(_store(ctx))


def _load_key(path: Path) -> tuple[Any, Any]:
    """(certificate or None, private key) from PEM/DER or PKCS#12."""
    from app.core.crypto.keys import (
        CryptoError,
        load_certificates,
        load_private_key,
        recipient_from_pkcs12,
    )

    data = _read(path, "Key", 1024 * 1024)
    password = os.environ.get("FIELDBOOK_KEY_PASSPHRASE")
    if path.suffix.lower() in (".p12", ".pfx"):
        return recipient_from_pkcs12(data, (password or "").encode())
    key = load_private_key(data, password.encode() if password else None)
    cert = None
    if b"CERTIFICATE" in data:
        try:
            cert = load_certificates(data[data.index(b"-----BEGIN CERTIFICATE") :])[0]
        except (CryptoError, ValueError):
            cert = None
    return cert, key


def cmd_verify(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.files import open_regular
    from app.core.packs.safezip import DEFAULT_LIMITS
    from app.core.packs.verify import verify_stream

    certs, crls = _load_trust(args.trust, args.crl)
    vault_certs, vault_crls = _vault_trust(ctx)
    roots, crls = certs + vault_certs, crls + vault_crls
    key = _load_key(args.key) if args.key is not None else None
    # Streamed from disk in bounded chunks; FIFOs, devices and folders are refused, never read.
    with open_regular(args.file, what="File", limit=DEFAULT_LIMITS.max_file) as fh:
        report = verify_stream(fh, roots, now=_at(args.at) or ctx.clock.now(), key=key, crls=crls)
    ctx.emit(report.as_dict(), report.text())
    return report.exit_code


def cmd_review(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.packs.review import countersign_to

    data = _read(args.file, "File")
    pack_id = countersign_to(
        _store(ctx),
        ctx.passphrase(),
        data,
        args.out,
        decision=args.decision,
        comment=args.comment,
        clock=ctx.clock,
    )
    ctx.emit(
        {"pack_id": pack_id, "decision": args.decision, "file": str(args.out)},
        f"Countersigned pack {pack_id} ({args.decision}) → {args.out}",
    )
    return 0
