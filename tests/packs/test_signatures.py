"""Signatures that show and say more: the manifest signed as CAdES (signing-certificate-v2), visible
author and manager signatures on the PDF's last page (pdfsig and pdftotext read them), and no
countersigning of one's own pack."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography import x509

from app.core.clock import FixedClock
from app.core.crypto.keys import Identity
from app.core.errors import UsageError
from app.core.packs.build import BuiltPack, PackContent, build_pack
from app.core.packs.review import add_review
from app.core.packs.stamp import when_in_words
from app.core.packs.verify import verify_bytes
from tests.packs.conftest import NOW, People
from tests.packs.helpers import need_tool, renderer
from tests.packs.sample import sample_case


@pytest.fixture(scope="module")
def pack(people: People) -> BuiltPack:
    """A referral pack by Sam Carter, rendered by the real renderer."""
    case_data, attachments, chronology = sample_case(3)
    return build_pack(
        PackContent("referral", case_data, {k: (v, "image/png") for k, v in attachments.items()}),
        people.author,
        clock=FixedClock(NOW),
        render_pdf=renderer(case_data, attachments, chronology),
    )


def _pdf(pack_bytes: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(pack_bytes)).read("pack.pdf")


def _tool(tmp: Path, name: str, pdf: bytes, *args: str) -> str:
    (tmp / "p.pdf").write_bytes(pdf)
    res = subprocess.run(
        [need_tool(name), *args, str(tmp / "p.pdf"), *(["-"] if name == "pdftotext" else [])],
        capture_output=True,
        text=True,
    )
    return res.stdout + res.stderr


def test_manifest_signature_is_cades_with_signing_certificate_v2(pack: BuiltPack, tmp_path: Path) -> None:
    """`openssl cms -cmsout -print` shows signing-certificate-v2, the signing time and RSA-PSS on the
    manifest signature (test_crypto checks that `openssl cms -verify` accepts it)."""
    (tmp_path / "m.p7s").write_bytes(zipfile.ZipFile(io.BytesIO(pack.data)).read("manifest.json.p7s"))
    printed = subprocess.run(
        [need_tool("openssl"), "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(tmp_path / "m.p7s")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "signingCertificateV2" in printed and "signingTime" in printed and "rsassaPss" in printed


def test_author_signature_is_visible_and_review_box_waits(pack: BuiltPack, tmp_path: Path) -> None:
    """The unreviewed pack's last page shows the author's signature and an empty review box."""
    text = _tool(tmp_path, "pdftotext", pack.pdf)
    assert "Signed by the author" in text and "Sam Carter, Social Worker" in text
    assert "Countersigned" not in text
    assert f"Signed {when_in_words(NOW)}" in text  # the date in words, local time
    sigs = _tool(tmp_path, "pdfsig", pack.pdf)
    assert sigs.count("Signature is Valid") == 1 and "Total document signed" in sigs


def test_manager_countersignature_is_visible_and_both_valid(
    pack: BuiltPack, people: People, tmp_path: Path
) -> None:
    """After review, pdfsig shows both signatures valid, the printout names the manager, role,
    decision and date, and Fieldbook's verifier still accepts the pack."""
    reviewed = add_review(
        pack.data, people.manager, decision="return", comment="Add the dates", clock=FixedClock(NOW)
    )
    pdf = _pdf(reviewed)
    sigs = _tool(tmp_path, "pdfsig", pdf)
    assert sigs.count("Signature is Valid") == 2, sigs
    assert "Priya Shah" in sigs and "Sam Carter" in sigs
    text = _tool(tmp_path, "pdftotext", pdf)
    review_box = text.split("Countersigned by a manager")[1]
    assert "Priya Shah, Team Manager" in review_box
    assert "Decision: Returned to the author" in review_box
    assert f"{NOW.year}" in review_box
    report = verify_bytes(reviewed, [people.author.cert, people.manager.cert], now=NOW)
    assert report.status == "valid", report.text()


def test_author_cannot_countersign_own_pack(pack: BuiltPack, people: People) -> None:
    """The author's own certificate — or another certificate over the author's key — cannot review."""
    with pytest.raises(UsageError, match="you are the author of this pack"):
        add_review(pack.data, people.author, decision="approve", comment="Fine", clock=FixedClock(NOW))
    from cryptography.hazmat.primitives import hashes

    reissued = (
        x509.CertificateBuilder()
        .subject_name(people.author.cert.subject)
        .issuer_name(people.author.cert.issuer)
        .public_key(people.author.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(people.author.cert.not_valid_before_utc)
        .not_valid_after(people.author.cert.not_valid_after_utc)
        .add_extension(people.author.cert.extensions.get_extension_for_class(x509.KeyUsage).value, True)
        .sign(people.author.key, hashes.SHA256())
    )
    with pytest.raises(UsageError, match="you are the author"):
        add_review(
            pack.data,
            Identity(people.author.key, reissued),
            decision="approve",
            comment="Fine",
            clock=FixedClock(NOW),
        )


def test_verify_rejects_a_pack_its_author_countersigned(
    pack: BuiltPack, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack "approved" by its own author (made by a tool without Fieldbook's refusal) is invalid."""
    import app.core.packs.review as review

    monkeypatch.setattr(review, "refuse_self_review", lambda *args: None)
    selfie = review.add_review(
        pack.data, people.author, decision="approve", comment="Fine", clock=FixedClock(NOW)
    )
    report = verify_bytes(selfie, [people.author.cert], now=NOW)
    failed = {c.id: c.detail for c in report.checks if not c.passed}
    assert report.status == "invalid" and "own author" in failed["review"]


def test_review_of_a_pack_without_a_reserved_box_signs_invisibly(
    people: People, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack made before visible signatures (no reserved Review field) is still countersigned, and
    valid, without drawing the manager's box over its last page."""
    import app.core.packs.build as build

    monkeypatch.setattr(build, "author_appearance", lambda *args: None)  # as packs were built before
    case_data, attachments, chronology = sample_case(1)
    old = build_pack(
        PackContent("referral", case_data, {k: (v, "image/png") for k, v in attachments.items()}),
        people.author,
        clock=FixedClock(NOW),
        render_pdf=renderer(case_data, attachments, chronology),
    )
    assert "Signed by the author" not in _tool(tmp_path, "pdftotext", old.pdf)
    reviewed = add_review(old.data, people.manager, decision="approve", comment="Fine", clock=FixedClock(NOW))
    assert _tool(tmp_path, "pdfsig", _pdf(reviewed)).count("Signature is Valid") == 2
    assert "Countersigned by a manager" not in _tool(tmp_path, "pdftotext", _pdf(reviewed))
    assert verify_bytes(reviewed, [people.author.cert, people.manager.cert], now=NOW).status == "valid"
