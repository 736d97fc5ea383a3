"""Make the golden and broken packs in tests/data/packs (KeePassXC's Format*/Broken* files are the model).

    cd <repo root> && python -m tests.data.make_golden            # make what is missing
    cd <repo root> && python -m tests.data.make_golden --reports  # rewrite only the expected reports

Every pack is signed at ``SIGNED_AT`` by long-lived test certificates (2026–2046) that are kept
beside the packs with their private keys (``certs/``; all names fictional, never real keys), and
each has ``<name>.expected.json``: the verifier's report at the fixed time ``VERIFY_AT`` against the
trust folder ``certs/trust`` (plus the front door's key for the encrypted pack).
tests/packs/test_golden.py verifies every pack it finds at that fixed time and compares the
outcome, every check's outcome and typed reason, the signers and the warnings with the report —
so a change to the format or the verifier that breaks an old pack fails a test.

Old packs are the point: this script never remakes a pack that exists. A new format version adds
new files (``referral-v2.fbpack`` …) beside the old ones. After a deliberate change of wording in
the verifier, ``--reports`` rewrites the expected reports from the existing packs (review the diff:
outcomes and reasons must not move).

The packs:

* ``referral-v1`` — a referral by Sam Carter (self-issued certificate, pinned), with a photo;
* ``conference-v1`` — a conference report by Amira Haddad, whose certificate the (test) local
  authority root issued; only the root is in the trust folder;
* ``countersigned-v1`` — the referral, approved by the manager Priya Shah two hours later;
* ``encrypted-v1`` — the referral encrypted to the front door (``certs/front-door.key.pem``);
* ``broken-*`` — one fault each: a changed byte in data.json, the PDF of another pack, a listed
  file missing, an unlisted file added, a damaged CMS signature, bytes after the ZIP's end, a
  signature made after the certificate expired, and a certificate "issued" by a practitioner
  (CA:FALSE) in a manager's name.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.core.clock import FixedClock
from app.core.crypto.keys import Identity, cert_pem, key_pem, load_certificates, load_private_key
from app.core.packs.build import BuiltPack, PackContent, build_pack
from app.core.packs.review import add_review
from app.core.packs.safezip import write_zip
from app.core.packs.verify import Report, verify_bytes
from tests.packs.pki import Spec, make

HERE = Path(__file__).resolve().parent / "packs"
CERTS = HERE / "certs"
TRUST = CERTS / "trust"
SIGNED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VERIFY_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
VALID_FROM = datetime(2026, 1, 1, tzinfo=UTC)
VALID_TO = datetime(2046, 1, 1, tzinfo=UTC)
AGENCY = "Northshire Children's Services"

# name: (subject CN, title, organisation, issuer name or None for self-issued, is a CA, validity)
PEOPLE: dict[str, tuple[str, str, str, str | None, bool, tuple[datetime, datetime]]] = {
    "root-ca": (
        "Northshire Test Root CA",
        "Certificate Authority",
        "Northshire Council",
        None,
        True,
        (VALID_FROM, VALID_TO),
    ),
    "author": ("Sam Carter", "Social Worker", AGENCY, None, False, (VALID_FROM, VALID_TO)),
    "manager": ("Priya Shah", "Team Manager", AGENCY, None, False, (VALID_FROM, VALID_TO)),
    "la-author": (
        "Amira Haddad",
        "Health Visitor",
        "Northshire Council",
        "root-ca",
        False,
        (VALID_FROM, VALID_TO),
    ),
    "front-door": (
        "Northshire MASH",
        "Front Door",
        "Northshire Council",
        None,
        False,
        (VALID_FROM, VALID_TO),
    ),
    "expired-author": (
        "Sam Carter",
        "Social Worker",
        AGENCY,
        None,
        False,
        (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)),
    ),
    # A colleague's certificate minted by the practitioner "Sam Carter" (CA:FALSE) in a manager's name.
    "forged-manager": ("Priya Shah", "Team Manager", AGENCY, "author", False, (VALID_FROM, VALID_TO)),
}
TRUSTED = ("root-ca", "author", "manager", "expired-author")  # what certs/trust holds
PACK_IDS = {
    "referral": "00000000-0000-4000-8000-000000000001",
    "conference": "00000000-0000-4000-8000-000000000002",
    "expired": "00000000-0000-4000-8000-000000000003",
    "forged": "00000000-0000-4000-8000-000000000004",
    "encrypted": "00000000-0000-4000-8000-000000000005",
}


def identities() -> dict[str, Identity]:
    """Every test identity, from certs/ (made once, RSA-3072, valid 2026–2046)."""
    CERTS.mkdir(parents=True, exist_ok=True)
    TRUST.mkdir(exist_ok=True)
    out: dict[str, Identity] = {}
    for name, (cn, title, org, issuer, ca, (start, end)) in PEOPLE.items():
        cert_file, key_file = CERTS / f"{name}.pem", CERTS / f"{name}.key.pem"
        parent = out[issuer] if issuer else None
        if cert_file.exists() and key_file.exists():
            chain = (parent.cert, *parent.chain) if parent else ()
            key = load_private_key(key_file.read_bytes())
            out[name] = Identity(key, load_certificates(cert_file.read_bytes())[0], chain)
            continue
        days = (end - start).days
        made = make(
            Spec(cn, title, org, parent, ca, 3072, start=start, days=days, path_length=0 if ca else None)
        )
        out[name] = made
        key_file.write_bytes(key_pem(made.key))
        cert_file.write_bytes(cert_pem(made.cert))
    for name in TRUSTED:
        (TRUST / f"{name}.pem").write_bytes(cert_pem(out[name].cert))
    return out


def _pack(kind: str, identity: Identity, pack_id: str, **kw: Any) -> BuiltPack:
    from tests.packs.helpers import renderer
    from tests.packs.sample import sample_case

    case_data, attachments, chronology = sample_case(6)
    info = identity.info
    author = {"name": info.name, "role": info.role, "agency": info.agency}
    render = renderer(case_data, attachments, chronology, kind=kind, author=author)
    media = {sha: (blob, "image/png") for sha, blob in attachments.items()}
    content = PackContent(kind, case_data, media, [("childs_voice", 1), ("chronology_entry", 1)], sequence=1)
    clock = FixedClock(SIGNED_AT)
    return build_pack(content, identity, clock=clock, render_pdf=render, pack_id=pack_id, **kw)


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _rezip(entries: list[tuple[str, bytes]]) -> bytes:
    stored = ("mimetype", "manifest.json.p7s", "pack.pdf")
    return write_zip([(n, b, n not in stored and not n.startswith("attachments/")) for n, b in entries])


def _replace(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    return _rezip([(n, change(b) if n == name else b) for n, b in _entries(data)])


def _flip(blob: bytes, at: int) -> bytes:
    out = bytearray(blob)
    out[at] ^= 0x01
    return bytes(out)


def make_packs(ids: dict[str, Identity]) -> dict[str, bytes]:
    """Every golden and broken pack's bytes, by file name."""
    referral = _pack("referral", ids["author"], PACK_IDS["referral"])
    conference = _pack("conference", ids["la-author"], PACK_IDS["conference"])
    reviewed = add_review(
        referral.data,
        ids["manager"],
        decision="approve",
        comment="Clear, well evidenced, and the child's own words are kept apart. Approved to send.",
        clock=FixedClock(SIGNED_AT + timedelta(hours=2)),
    )
    attachment = next(n for n, _ in _entries(referral.data) if n.startswith("attachments/"))
    encrypted = _pack("referral", ids["author"], PACK_IDS["encrypted"], recipient=ids["front-door"].cert)
    expired = _pack("referral", ids["expired-author"], PACK_IDS["expired"], check_validity=False)
    forged = _pack("referral", ids["forged-manager"], PACK_IDS["forged"])
    return {
        "referral-v1.fbpack": referral.data,
        "conference-v1.fbpack": conference.data,
        "countersigned-v1.fbpack": reviewed,
        "encrypted-v1.fbpack.p7m": encrypted.data,
        "broken-data-byte.fbpack": _replace(
            referral.data, "data.json", lambda b: b.replace(b"Okafor", b"Okafar", 1)
        ),
        "broken-swapped-pdf.fbpack": _replace(referral.data, "pack.pdf", lambda _b: conference.pdf),
        "broken-missing-file.fbpack": _rezip([(n, b) for n, b in _entries(referral.data) if n != attachment]),
        "broken-extra-file.fbpack": _rezip(
            [*_entries(referral.data), ("attachments/notes.txt", b"unsigned note")]
        ),
        "broken-bad-cms.fbpack": _replace(
            referral.data, "manifest.json.p7s", lambda b: _flip(b, len(b) - 40)
        ),
        "broken-appended.fbpack": referral.data + b"\nThis line was added after signing.\n",
        "broken-expired-signer.fbpack": expired.data,
        "broken-forged-issuer.fbpack": forged.data,
    }


def verify_golden(path: Path) -> Report:
    """How the verifier of the day judges one golden file (fixed time, certs/trust, the key)."""
    roots = [c for f in sorted(TRUST.glob("*.pem")) for c in load_certificates(f.read_bytes())]
    key = None
    if path.name.endswith(".p7m"):
        fd = CERTS / "front-door"
        key = (
            load_certificates((fd.with_suffix(".pem")).read_bytes())[0],
            load_private_key((CERTS / "front-door.key.pem").read_bytes()),
        )
    return verify_bytes(path.read_bytes(), roots, now=VERIFY_AT, key=key)


def expected_path(pack: Path) -> Path:
    return pack.with_name(pack.name.split(".")[0] + ".expected.json")


def write_report(pack: Path) -> None:
    report = verify_golden(pack).as_dict()
    expected_path(pack).write_text(json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", action="store_true", help="only rewrite the expected reports")
    args = parser.parse_args(argv)
    if not args.reports:
        made = []
        for name, data in make_packs(identities()).items():
            target = HERE / name
            if target.exists():
                continue  # an old pack is never remade: it is what the tests protect
            target.write_bytes(data)
            made.append(name)
        print(f"Made {len(made)} pack(s): {', '.join(made) or 'none (all present)'}")
    packs = sorted(p for p in HERE.iterdir() if p.name.endswith((".fbpack", ".p7m")))
    for pack in packs:
        if args.reports or not expected_path(pack).exists():
            write_report(pack)
            print(f"{pack.name}: {verify_golden(pack).status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
