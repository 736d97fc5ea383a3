"""PAdES signatures on the pack PDF: author certification, manager approval, and tamper cases,
cross-checked with poppler's pdfsig and qpdf."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from app.core.crypto.keys import CryptoError
from app.core.crypto.pades import sign_pdf, validate_pdf
from tests.packs.conftest import NOW, People
from tests.packs.helpers import need_tool, simple_pdf


@pytest.fixture(scope="module")
def signed(people: People) -> bytes:
    """A one-page PDF certified by the author."""
    return sign_pdf(
        simple_pdf(), people.author, now=NOW, certify=True, field_name="Author", reason="Author of this pack"
    )


def test_author_signature_valid_trusted_and_whole(signed: bytes, people: People) -> None:
    """The author's certification signature is intact, trusted and covers the whole file."""
    checks, problem = validate_pdf(signed, [people.author.cert], now=NOW)
    assert problem == "" and len(checks) == 1
    c = checks[0]
    assert c.intact and c.trusted and c.covers_whole_file and c.certification
    assert c.signer is not None and c.signer == people.author.cert


def test_countersignature_keeps_author_valid(signed: bytes, people: People) -> None:
    """A manager's approval signature is added after the author's and both remain valid."""
    both = sign_pdf(signed, people.manager, now=NOW, certify=False, field_name="Review", reason="Approved")
    assert both.startswith(signed)  # an incremental update: the author's bytes are untouched
    checks, _ = validate_pdf(both, [people.author.cert, people.manager.cert], now=NOW)
    assert [c.field_name for c in checks] == ["Author", "Review"]
    assert all(c.intact and c.trusted for c in checks)
    assert not checks[0].covers_whole_file and checks[0].changes_permitted
    assert checks[1].covers_whole_file and not checks[1].certification


def test_shadow_edit_after_signing_is_not_permitted(signed: bytes, people: People) -> None:
    """An incremental edit appended after signing (not a signature) is flagged as not permitted."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    w.root["/OpenAction"] = generic.NameObject("/Shadow")
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    checks, _ = validate_pdf(out.getvalue(), [people.author.cert], now=NOW)
    assert checks[0].intact and not checks[0].covers_whole_file and not checks[0].changes_permitted


def test_bytes_appended_after_signing_do_not_cover_whole_file(signed: bytes, people: People) -> None:
    """Junk appended to a signed PDF means the signature no longer covers the file."""
    checks, _ = validate_pdf(signed + b"\n% appended\n", [people.author.cert], now=NOW)
    assert not checks[0].covers_whole_file


def test_changed_byte_in_signed_range_breaks_signature(signed: bytes, people: People) -> None:
    """Changing a character of the signed page content is detected as a changed document."""
    idx = signed.index(b"/MediaBox")
    tampered = signed[:idx] + b"/MediaBoy" + signed[idx + 9 :]
    checks, problem = validate_pdf(tampered, [people.author.cert], now=NOW)
    assert problem or not checks[0].intact


def test_untrusted_and_expired_signers(people: People) -> None:
    """Same-name impostor: untrusted. Expired certificate (forced): reported as expired."""
    fake = sign_pdf(simple_pdf(), people.impostor, now=NOW, certify=True, field_name="Author", reason="x")
    checks, _ = validate_pdf(fake, [people.author.cert], now=NOW)
    assert checks[0].intact and not checks[0].trusted
    with pytest.raises(CryptoError, match="expired"):
        sign_pdf(simple_pdf(), people.expired, now=NOW, certify=True, field_name="Author", reason="x")
    old = sign_pdf(
        simple_pdf(),
        people.expired,
        now=NOW,
        certify=True,
        field_name="Author",
        reason="x",
        check_validity=False,
    )
    checks, _ = validate_pdf(old, [people.expired.cert], now=NOW)
    assert checks[0].intact and not checks[0].trusted and "expired" in checks[0].problem


@pytest.mark.parametrize(
    "data", [b"", b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF", b"not a pdf at all" * 10]
)
def test_malformed_pdf_is_invalid_not_a_crash(data: bytes, people: People) -> None:
    """A malformed PDF yields a problem message, never an exception."""
    checks, problem = validate_pdf(data, [people.author.cert], now=NOW)
    assert problem and not checks


def test_unsigned_pdf_is_reported(people: People) -> None:
    """A PDF without a signature is reported as unsigned."""
    checks, problem = validate_pdf(simple_pdf(), [people.author.cert], now=NOW)
    assert checks == [] and "no signature" in problem


def test_pdfsig_and_qpdf_agree(signed: bytes, people: People, tmp_path: Path) -> None:
    """poppler's pdfsig says the signature is valid and covers the document; qpdf finds no errors."""
    pdfsig = need_tool("pdfsig")
    qpdf = need_tool("qpdf")
    both = sign_pdf(signed, people.manager, now=NOW, certify=False, field_name="Review", reason="Approved")
    f = tmp_path / "p.pdf"
    f.write_bytes(both)
    out = subprocess.run([pdfsig, str(f)], capture_output=True, text=True).stdout
    assert out.count("Signature is Valid") == 2
    assert "Total document signed" in out.split("Signature #2")[1]
    assert "Sam Carter" in out and "Priya Shah" in out
    res = subprocess.run([qpdf, "--check", str(f)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
