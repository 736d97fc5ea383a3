"""``fieldbook identity show|export-cert|import-p12|request|install``;
``fieldbook trust add|add-crl|list|remove`` (certificates, and the CRLs of trusted authorities)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.context import CliContext, output_file
from app.core.errors import NotFound, UsageError


def register(groups: dict[str, Any], top: Any, common: argparse.ArgumentParser) -> None:
    ident = groups["identity"]
    s = ident.add_parser("show", parents=[common], help="show the signing certificate")
    s.set_defaults(func=cmd_show)
    e = ident.add_parser("export-cert", parents=[common], help="write the signing certificate (PEM)")
    e.add_argument("--out", required=True, type=output_file)
    e.set_defaults(func=cmd_export_cert)
    i = ident.add_parser(
        "import-p12", parents=[common], help="use a certificate issued by the local authority (PKCS#12)"
    )
    i.add_argument("file", type=Path)
    i.set_defaults(func=cmd_import_p12)
    rq = ident.add_parser(
        "request",
        parents=[common],
        help="write a certificate signing request for the vault's key (the key stays in the vault)",
    )
    rq.add_argument(
        "--out", required=True, type=output_file, help="the request to send to the authority (.csr)"
    )
    rq.set_defaults(func=cmd_request)
    ins = ident.add_parser(
        "install", parents=[common], help="install the certificate the authority issued for the request"
    )
    ins.add_argument("cert", type=Path, metavar="CERT", help="the issued certificate (PEM or DER)")
    ins.add_argument("--chain", type=Path, help="the authority's issuing chain up to its root (PEM)")
    ins.set_defaults(func=cmd_install)

    trust = groups["trust"]
    a = trust.add_parser(
        "add", parents=[common], help="trust a practitioner or authority certificate (or keep a CRL)"
    )
    a.add_argument("file", type=Path, help="certificates and/or revocation lists (PEM or DER)")
    a.add_argument("--kind", choices=("practitioner", "root", "recipient"), default="practitioner")
    a.add_argument("--label", default="")
    a.set_defaults(func=cmd_trust_add)
    c = trust.add_parser(
        "add-crl",
        parents=[common],
        help="keep an authority's certificate revocation list (PEM or DER); a newer one replaces it",
    )
    c.add_argument("file", type=Path)
    c.set_defaults(func=cmd_trust_add_crl)
    ls = trust.add_parser("list", parents=[common], help="list trusted certificates")
    ls.set_defaults(func=cmd_trust_list)
    rm = trust.add_parser("remove", parents=[common], help="stop trusting a certificate")
    rm.add_argument("sha256", help="the certificate's SHA-256 (or a unique prefix)")
    rm.set_defaults(func=cmd_trust_remove)


def _store(ctx: CliContext) -> Any:
    from app.core.store import Store

    return Store(ctx.vault())


def _read(path: Path, what: str) -> bytes:
    from app.core.files import read_regular

    return read_regular(path, what=what, limit=10 * 1024 * 1024)


def cmd_show(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.crypto.keys import cert_info
    from app.core.identity import current_certificate

    cert = current_certificate(_store(ctx))
    if cert is None:
        raise NotFound("Signing identity: this vault has none")
    info = cert_info(cert).as_dict()
    ctx.emit(info, "\n".join(f"{k.replace('_', ' ')}: {v}" for k, v in info.items()))
    return 0


def cmd_export_cert(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.crypto.keys import cert_pem, cert_sha256
    from app.core.identity import current_certificate
    from app.core.packs.build import write_atomic

    cert = current_certificate(_store(ctx))
    if cert is None:
        raise NotFound("Signing identity: this vault has none")
    write_atomic(args.out, cert_pem(cert))
    ctx.emit({"file": str(args.out), "sha256": cert_sha256(cert)}, f"Certificate written to {args.out}")
    return 0


def cmd_import_p12(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.identity import import_p12

    data = _read(args.file, "PKCS#12 file")
    store = _store(ctx)
    p12_password = ctx.passphrase("PKCS#12 password: ", env="FIELDBOOK_P12_PASSPHRASE")
    info = import_p12(store, data, p12_password, ctx.passphrase())
    ctx.emit(
        info.as_dict(),
        f"Signing identity is now {info.name} ({info.role}, {info.agency}); "
        f"valid until {info.as_dict()['not_after']}",
    )
    return 0


def cmd_request(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.identity import request_certificate
    from app.core.packs.build import write_atomic

    if not args.out.parent.exists():
        raise UsageError(f"Out: the folder {args.out.parent} does not exist")
    csr = request_certificate(_store(ctx), ctx.passphrase())
    write_atomic(args.out, csr)
    ctx.emit(
        {"file": str(args.out)},
        f"Certificate request written to {args.out}; send it to your authority's certificate team, "
        "then run `fieldbook identity install` with the certificate they return",
    )
    return 0


def cmd_install(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.identity import install_certificate

    cert = _read(args.cert, "Certificate")
    chain = _read(args.chain, "Chain") if args.chain is not None else None
    info = install_certificate(_store(ctx), cert, chain, ctx.passphrase(), clock=ctx.clock)
    ctx.emit(
        info.as_dict(),
        f"Signing identity is now {info.name} ({info.role}, {info.agency}), issued by {info.issuer}; "
        f"valid until {info.as_dict()['not_after']}",
    )
    return 0


def cmd_trust_add(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.identity import add_trust_file

    certs, crls = add_trust_file(_store(ctx), _read(args.file, "Certificate"), args.kind, args.label)
    rows = [c.as_dict() for c in crls]
    ctx.emit(
        {"added": certs, "kind": args.kind, "crls": rows},
        "\n".join([*(f"Trusted {sha}" for sha in certs), *map(_crl_line, rows)]),
    )
    return 0


def cmd_trust_add_crl(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.crypto.trust import load_crls
    from app.core.identity import add_crl

    store = _store(ctx)
    rows = [add_crl(store, crl).as_dict() for crl in load_crls(_read(args.file, "CRL"), what="CRL")]
    ctx.emit({"crls": rows}, "\n".join(map(_crl_line, rows)))
    return 0


def _crl_line(r: dict[str, Any]) -> str:
    nxt = f", next due {r['next_update'][:10]}" if r["next_update"] else ""
    return (
        f"{r['issuer_sha256'][:16]}  crl           {r['issuer']}  "
        f"(dated {r['last_update'][:10]}{nxt}; {r['revoked']} revoked)"
    )


def cmd_trust_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.identity import list_trusted, trust_crls

    store = _store(ctx)
    rows = [t.as_dict() for t in list_trusted(store)]
    crls = [c.as_dict() for c in trust_crls(store)]
    text = (
        "\n".join(
            [
                *(
                    f"{r['sha256'][:16]}  {r['kind']:<12}  {r['label']}  (until {r['not_after']})"
                    for r in rows
                ),
                *map(_crl_line, crls),
            ]
        )
        or "No trusted certificates."
    )
    ctx.emit(rows + crls, text)
    return 0


def cmd_trust_remove(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.identity import remove_trusted

    gone = remove_trusted(_store(ctx), args.sha256)
    ctx.emit(gone.as_dict(), f"No longer trusted: {gone.label} ({gone.sha256[:16]})")
    return 0
