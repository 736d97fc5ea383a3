"""``fieldbook init`` and ``fieldbook vault check|backup|restore|passwd``."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, output_file
from app.core.errors import IntegrityFailure, UsageError


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser(
        "init", parents=[common], help="create a vault and the practitioner's signing identity"
    )
    p.add_argument("--name", required=True, help="your name as it appears on records and packs")
    p.add_argument("--role", required=True, help="your role, e.g. Social worker")
    p.add_argument("--agency", required=True, help="your agency, e.g. Northshire Children's Services")
    p.set_defaults(func=_init)

    vault = groups["vault"]
    p = vault.add_parser(
        "check",
        parents=[common],
        help="integrity of the file, the audit chain and its anchor, and every final record's hash",
    )
    p.set_defaults(func=_check)
    p = vault.add_parser("backup", parents=[common], help="an encrypted, verified copy")
    p.add_argument("--out", required=True, type=output_file, help="the backup file to create")
    p.set_defaults(func=_backup)
    p = vault.add_parser(
        "restore", parents=[common], help="put a backup in place (the current vault is kept beside it)"
    )
    p.add_argument("file", type=Path, help="the backup file")
    p.set_defaults(func=_restore)
    p = vault.add_parser("passwd", parents=[common], help="change the passphrase")
    p.set_defaults(func=_passwd)


def _identity_hook() -> Any | None:
    """The signing-identity module, if this build has it (packs are a separate area)."""
    try:
        return importlib.import_module("app.core.identity")
    except ModuleNotFoundError as exc:
        if exc.name == "app.core.identity":
            return None
        raise


def _init(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store, Vault
    from app.core.store.policy import check_passphrase

    path = ctx.vault_path
    if path.exists():
        raise UsageError(
            f"Vault: {path} already exists; it has been left as it is (use --vault to create another)"
        )
    passphrase = ctx.new_passphrase(env="FIELDBOOK_PASSPHRASE")
    check_passphrase(passphrase)
    vault = Vault.create(path, passphrase, clock=ctx.clock)
    ctx._vault = vault  # closed by the CLI when the command ends
    store = Store(vault)
    store.set_profile(args.name, args.role, args.agency)
    cert: dict[str, Any] = {}
    hook = _identity_hook()
    if hook is not None:
        info = hook.on_vault_created(store, passphrase, clock=ctx.clock)
        cert = info.as_dict() if hasattr(info, "as_dict") else {}
    ctx.emit(
        {
            "vault": str(path),
            "profile": {"name": args.name, "role": args.role, "agency": args.agency},
            "certificate": cert,
        },
        f"Created the vault {path} for {args.name} ({args.role}, {args.agency})."
        + (f"\nSigning certificate valid until {cert.get('not_after')}." if cert else ""),
    )
    return 0


def _check(ctx: CliContext, args: argparse.Namespace) -> int:
    report = ctx.vault().check()
    data = {
        "ok": report.ok,
        "integrity": report.integrity or ["ok"],
        "audit_entries": report.audit_entries,
        "audit_broken_at": report.audit_broken_at,
        "audit_head": report.head,
        "anchor": report.anchor,
        "records": [{"record_id": p.record_id, "problem": p.message} for p in report.records],
        "schema_version": report.schema_version,
    }
    lines = [
        "File integrity: "
        + ("ok" if not report.integrity else "FAILED — " + "; ".join(report.integrity[:5])),
        f"Audit log: {report.audit_entries} entries, "
        + (
            "chain intact"
            if report.audit_broken_at is None
            else f"CHAIN BROKEN at entry {report.audit_broken_at} (edited, removed or reordered)"
        ),
        "Audit anchor: "
        + ("matches the head" if not report.anchor else "FAILED — " + "; ".join(report.anchor)),
        "Final records: "
        + ("all match their hashes" if not report.records else f"{len(report.records)} CHANGED OR MISSING"),
        *(f"  ✖ {p.message}" for p in report.records),
        f"Schema version: {report.schema_version}",
    ]
    ctx.emit(data, "\n".join(lines))
    if not report.ok:
        reasons = []
        if report.integrity:
            reasons.append("the file is damaged")
        if report.audit_broken_at is not None:
            reasons.append(f"the audit log was tampered with at entry {report.audit_broken_at}")
        reasons += report.anchor
        reasons += [p.message for p in report.records]
        raise IntegrityFailure("The vault check failed: " + "; ".join(reasons))
    return 0


def _backup(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store

    vault = ctx.vault()
    head = Store(vault).audit_head()
    dest = vault.backup(args.out)
    ctx.emit(
        {"backup": str(dest), "verified": True, "audit_head": head},
        f"Backup written and verified: {dest} (it opens with the same passphrase); "
        f"audit log head: entry {head['seq']}, {head['hash'][:16]}…",
    )
    return 0


def _restore(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Vault

    passphrase = ctx.passphrase("Passphrase of the backup: ")
    kept = Vault.restore(ctx.vault_path, args.file, passphrase, clock=ctx.clock)
    ctx.emit(
        {"restored": str(ctx.vault_path), "previous_kept_as": str(kept) if kept else None},
        f"Restored {args.file} to {ctx.vault_path}."
        + (f"\nThe previous vault was kept as {kept}." if kept else ""),
    )
    return 0


def _passwd(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.store import Store

    vault = ctx.vault()
    old = vault.passphrase()
    new = ctx.new_passphrase()
    hook = _identity_hook()
    if hook is not None:
        hook.change_passphrase(Store(vault), old, new)
    else:
        vault.change_passphrase(old, new)
    ctx.emit(
        {"changed": True},
        "Passphrase changed for the vault and the signing identity. The copy kept under the old "
        "passphrase while the change ran has been overwritten and deleted.",
    )
    return 0
