"""A built pack verifies; every kind of tampering is rejected with the right reason and never crashes.
(SECURITY.md T23–T37, built over in-memory parts so that it runs without a vault.)"""

from __future__ import annotations

import io
import json
import struct
import warnings
import zipfile
import zlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.clock import FixedClock
from app.core.errors import UsageError
from app.core.jsonio import BadJson, loads
from app.core.outcome import Verdict
from app.core.packs.build import BuiltPack, PackContent, build_pack, sha256_hex
from app.core.packs.review import add_review
from app.core.packs.safezip import UnsafeZip, read_zip, write_zip
from app.core.packs.verify import Report, verify_bytes
from tests.packs.conftest import NOW, People

IMG = b"\x89PNG\r\n\x1a\n" + b"drawing by Leo Okafor" * 10


def _render(pack_id: str) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setSubject(f"Fieldbook pack {pack_id}")
    c.drawString(72, 720, "Maya Okafor said: I don't want to go home")
    c.showPage()
    c.save()
    return buf.getvalue()


def _content(case_id: str = "case-1") -> PackContent:
    sha = sha256_hex(IMG)
    data = {
        "format": "fieldbook-case/1",
        "exported_at": "2026-11-23T09:00:00Z",
        "app_version": "0.1.0",
        "case": {
            "id": case_id,
            "reference": "FB-2026-0007",
            "created_at": "2026-11-01T10:00:00Z",
            # a case always holds at least one child (the schema says so)
            "people": [{"id": "c1", "kind": "child", "given_name": "Maya", "family_name": "Okafor"}],
            "records": [],
        },
        "attachments": [
            {
                "sha256": sha,
                "media_type": "image/png",
                "size": len(IMG),
                "filename": "drawing.png",
                "path": f"attachments/{sha}",
            }
        ],
    }
    return PackContent("referral", data, {sha: (IMG, "image/png")}, [("referral", 1)], sequence=3)


def _build(people: People, identity: object = None, **kw: object) -> BuiltPack:
    return build_pack(
        _content(**kw),
        identity or people.author,
        clock=FixedClock(NOW),  # type: ignore[arg-type]
        render_pdf=_render,
    )


@pytest.fixture(scope="module")
def pack(people: People) -> BuiltPack:
    """A referral pack by the author with one attachment."""
    return _build(people)


def _verify(data: bytes, people: People, *extra: object) -> Report:
    return verify_bytes(data, [people.author.cert, *extra], now=NOW)  # type: ignore[list-item]


def _failed(report: Report) -> set[str]:
    return {c.id for c in report.checks if not c.passed}


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _rezip(entries: dict[str, bytes]) -> bytes:
    return write_zip([(n, b, n != "mimetype") for n, b in entries.items()])


def test_pack_verifies_and_names_the_author(pack: BuiltPack, people: People) -> None:
    """A freshly exported pack is valid, trusted, and the report names the author and every check."""
    report = _verify(pack.data, people)
    assert report.status == "valid" and report.exit_code == 0, report.text()
    assert report.signers[0]["name"] == "Sam Carter"
    assert len(report.checks) >= 15 and "PASS" in report.text()
    names = list(_entries(pack.data))
    assert names[:3] == ["mimetype", "manifest.json", "manifest.json.p7s"]
    assert pack.manifest["sequence"] == 3 and pack.manifest["recipient"] is None


def test_untrusted_author_is_intact_but_not_trusted(pack: BuiltPack, people: People) -> None:
    """Without the author's certificate in the trust store the pack is intact but untrusted (exit 3)."""
    report = verify_bytes(pack.data, [people.manager.cert], now=NOW)
    assert report.status == "untrusted" and report.exit_code == 3
    assert _failed(report) <= {"trusted", "pdf_trusted"}


@pytest.mark.parametrize(
    "name", ["data.json", "pack.pdf", "manifest.json", "manifest.json.p7s", "attachments/" + sha256_hex(IMG)]
)
def test_changed_byte_in_any_file_is_invalid(pack: BuiltPack, people: People, name: str) -> None:
    """Changing one byte of any file in the pack makes it invalid."""
    entries = _entries(pack.data)
    blob = bytearray(entries[name])
    pos = len(blob) // 2
    blob[pos] ^= 0x01
    entries[name] = bytes(blob)
    report = _verify(_rezip(entries), people)
    assert report.status == "invalid", report.text()


def test_changed_byte_in_zip_is_invalid(pack: BuiltPack, people: People) -> None:
    """A flipped bit in the compressed archive is caught (damaged file, not a crash)."""
    data = bytearray(pack.data)
    idx = data.index(b"data.json") + 40
    data[idx] ^= 0xFF
    assert _verify(bytes(data), people).status == "invalid"


def test_file_added_removed_renamed(pack: BuiltPack, people: People) -> None:
    """An added, removed or renamed file is reported as such."""
    entries = _entries(pack.data)
    added = dict(entries, **{"attachments/extra.txt": b"planted"})
    assert "complete" in _failed(_verify(_rezip(added), people))
    removed = {k: v for k, v in entries.items() if not k.startswith("attachments/")}
    assert "complete" in _failed(_verify(_rezip(removed), people))
    renamed = {("data2.json" if k == "data.json" else k): v for k, v in entries.items()}
    report = _verify(_rezip(renamed), people)
    assert "complete" in _failed(report) and report.status == "invalid"


def test_edited_manifest_breaks_its_signature(pack: BuiltPack, people: People) -> None:
    """Editing the manifest (e.g. the case reference) breaks the manifest signature."""
    entries = _entries(pack.data)
    entries["manifest.json"] = entries["manifest.json"].replace(b"FB-2026-0007", b"FB-2026-0008")
    report = _verify(_rezip(entries), people)
    assert "manifest_signature" in _failed(report)
    assert "unchanged since signing" in report.text()


def test_pdf_of_another_pack_swapped_in(pack: BuiltPack, people: People) -> None:
    """The signed PDF of another pack by the same author does not pass as this pack's PDF."""
    other = _build(people)
    entries = _entries(pack.data)
    entries["pack.pdf"] = other.pdf
    report = _verify(_rezip(entries), people)
    assert {"hashes", "pdf_binding"} <= _failed(report)


def test_content_appended_to_pdf_after_signing(pack: BuiltPack, people: People) -> None:
    """Content appended to the PDF after signing is caught, in the pack and in the bare PDF."""
    entries = _entries(pack.data)
    entries["pack.pdf"] += b"\n1 0 obj (shadow) endobj\n"
    assert "hashes" in _failed(_verify(_rezip(entries), people))
    bare = _verify(pack.pdf + b"\n% appended\n", people)
    assert "pdf_coverage" in _failed(bare) and bare.status == "invalid"


def test_resigned_by_same_name_untrusted_certificate(people: People) -> None:
    """A pack re-made by someone with a same-named but untrusted certificate is not trusted."""
    fake = _build(people, identity=people.impostor)
    report = _verify(fake.data, people)
    assert report.status == "untrusted" and "trusted" in _failed(report)


def test_expired_signer_certificate_is_rejected(people: People) -> None:
    """A pack signed after its certificate expired is invalid (exit 1), naming the expiry."""
    with pytest.raises(UsageError, match="expired"):
        _build(people, identity=people.expired)
    # Another tool could sign anyway; the signing time then lies outside the certificate's validity.
    late = build_pack(
        _content(), people.expired, clock=FixedClock(NOW), render_pdf=_render, check_validity=False
    )
    report = verify_bytes(late.data, [people.expired.cert], now=NOW)
    assert report.status is Verdict.INVALID and report.exit_code == 1
    assert {"trusted", "pdf_trusted"} <= _failed(report) and "expired" in report.text()


def test_pack_signed_in_time_stays_valid_after_expiry(people: People) -> None:
    """A pack signed while the certificate was valid is still valid once the certificate has expired."""
    old = build_pack(
        _content(), people.expired, clock=FixedClock(NOW - timedelta(days=380)), render_pdf=_render
    )
    report = verify_bytes(old.data, [people.expired.cert], now=NOW)
    assert report.status is Verdict.VALID, report.text()


def test_future_dated_pack_is_rejected(people: People) -> None:
    """A pack whose creation time lies in the future (clock wound forward) fails the time check."""
    future = build_pack(
        _content(), people.author, clock=FixedClock(NOW + timedelta(days=2)), render_pdf=_render
    )
    assert "time" in _failed(_verify(future.data, people))


def test_encrypted_pack_round_trip(people: People) -> None:
    """An encrypted pack opens with the recipient's key and verifies; without a key it is refused."""
    built = build_pack(
        _content(), people.author, clock=FixedClock(NOW), render_pdf=_render, recipient=people.front_door.cert
    )
    assert built.encrypted and built.data[:2] != b"PK"
    ok = verify_bytes(
        built.data, [people.author.cert], now=NOW, key=(people.front_door.cert, people.front_door.key)
    )
    assert ok.status == "valid", ok.text()
    assert verify_bytes(built.data, [people.author.cert], now=NOW).status == "invalid"
    wrong = verify_bytes(
        built.data, [people.author.cert], now=NOW, key=(people.manager.cert, people.manager.key)
    )
    assert "decrypt" in _failed(wrong)


def test_forwarded_pack_names_another_recipient(pack: BuiltPack, people: People) -> None:
    """A pack meant for one front door, re-encrypted to another, says it was meant for someone else."""
    from app.core.crypto.cms import envelope_encrypt

    built = build_pack(
        _content(), people.author, clock=FixedClock(NOW), render_pdf=_render, recipient=people.front_door.cert
    )
    forwarded = envelope_encrypt(built.zip_bytes, people.manager.cert)
    report = verify_bytes(
        forwarded, [people.author.cert], now=NOW, key=(people.manager.cert, people.manager.key)
    )
    assert "recipient" in _failed(report)


def test_review_adds_a_trusted_second_signature(pack: BuiltPack, people: People) -> None:
    """A manager's approval adds a second signature; verify reports both signers and the decision."""
    reviewed = add_review(
        pack.data,
        people.manager,
        decision="approve",
        comment="Clear and well evidenced",
        clock=FixedClock(NOW),
    )
    report = _verify(reviewed, people, people.manager.cert)
    assert report.status == "valid", report.text()
    assert [s["name"] for s in report.signers] == ["Sam Carter", "Priya Shah"]
    assert report.review and report.review["decision"] == "approve"
    assert _verify(reviewed, people).status == "untrusted"  # the manager is not trusted here
    with pytest.raises(Exception, match="already been reviewed"):
        add_review(reviewed, people.manager, decision="return", comment="again", clock=FixedClock(NOW))


def test_tampered_review_is_invalid(pack: BuiltPack, people: People) -> None:
    """Changing the review decision after countersigning is detected."""
    reviewed = add_review(
        pack.data, people.manager, decision="return", comment="Needs the dates", clock=FixedClock(NOW)
    )
    entries = _entries(reviewed)
    entries["review/review.json"] = entries["review/review.json"].replace(b'"return"', b'"approve"')
    report = _verify(_rezip(entries), people, people.manager.cert)
    assert "review" in _failed(report) and report.status == "invalid"


# --- safe ZIP reading ----------------------------------------------------------------------------


def _zip_with(name: str, data: bytes = b"x", mode: int = 0o100644) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        zf.writestr(info, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "/etc/passwd",
        "attachments/../../x",
        "a\\..\\b",
        "C:/win.ini",
        ".hidden",
        "a/b/c/d/e/f",
        "dir/",
    ],
)
def test_zip_path_escapes_are_refused(name: str, people: People) -> None:
    """Path escapes and odd names are refused as unsafe, with the name shown."""
    with pytest.raises(UnsafeZip):
        read_zip(_zip_with(name))
    assert _verify(_zip_with(name), people).status == "invalid"


def test_symlink_entry_is_refused() -> None:
    """A symbolic link inside a pack is refused."""
    with pytest.raises(UnsafeZip, match="link"):
        read_zip(_zip_with("attachments/link", b"/etc/passwd", mode=0o120777))


def test_duplicate_and_case_confusable_entries_are_refused() -> None:
    """Two entries with the same name (or names differing only by case) are refused."""
    for second in ("data.json", "DATA.json"):
        buf = io.BytesIO()
        with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
            warnings.simplefilter("ignore")
            zf.writestr("data.json", b"{}")
            zf.writestr(second, b'{"evil": 1}')
        with pytest.raises(UnsafeZip, match="twice"):
            read_zip(buf.getvalue())


def test_zip_bomb_by_ratio_is_refused_quickly() -> None:
    """A highly compressed entry (50 MB of zeros) is refused from its declared sizes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", bytes(50 * 1024 * 1024))
    with pytest.raises(UnsafeZip, match="bomb"):
        read_zip(buf.getvalue())


def test_zip_bomb_with_lying_sizes_stops_early() -> None:
    """An entry that declares a small size but inflates hugely is stopped while streaming."""
    compressed = zlib.compress(bytes(30 * 1024 * 1024), 9)[2:-4]  # raw deflate
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", b"{}")
    data = bytearray(buf.getvalue())
    # Rebuild by hand: local header + raw deflate stream + central directory claiming 1,000 bytes.
    name = b"data.json"
    local = (
        struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(compressed), 1000, len(name), 0)
        + name
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            0,
            len(compressed),
            1000,
            len(name),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            0,
        )
        + name
    )
    body = local + compressed
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(body), 0)
    data = bytearray(body + central + end)
    with pytest.raises(UnsafeZip):
        read_zip(bytes(data))


def test_overlapping_entries_are_refused() -> None:
    """Two index entries that point at the same data (the overlapping-file bomb) are refused."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.json", b"{}" * 10)
        zf.writestr("b.json", b"{}" * 10)
    data = bytearray(buf.getvalue())
    second = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, second + 42, 0)  # point b.json at a.json's local header
    with pytest.raises(UnsafeZip):
        read_zip(bytes(data))


@pytest.mark.parametrize("blob", [b"", b"PK\x05\x06" + bytes(18), b"not a zip", b"PK\x03\x04" + bytes(40)])
def test_garbage_is_invalid_not_a_crash(blob: bytes, people: People) -> None:
    """Random or truncated bytes are reported as invalid, not an exception."""
    assert _verify(blob, people).status == "invalid"


# --- strict JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,why",
    [
        (b'{"a": 1, "a": 2}', "twice"),
        (b'{"a": NaN}', "not allowed"),
        (b'{"a": "\\ud800"}', "surrogate"),
        (b"[" * 100 + b"]" * 100, "deep"),
        (b"[" * 100000 + b"]" * 100000, "deep"),
        (b'{"a": ', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_json_hazards_are_refused(text: bytes, why: str) -> None:
    """Duplicate keys, NaN, lone surrogates, deep nesting and broken JSON are refused by name."""
    with pytest.raises(BadJson, match=why):
        loads(text, what="data.json")


def test_malformed_manifest_in_pack_is_invalid(pack: BuiltPack, people: People) -> None:
    """A manifest with duplicate keys or missing fields makes the pack invalid with the reason shown."""
    entries = _entries(pack.data)
    entries["manifest.json"] = b'{"format": "fieldbook-pack/1", "format": "x"}'
    report = _verify(_rezip(entries), people)
    assert report.status == "invalid" and "twice" in report.text()
    entries["manifest.json"] = json.dumps({"format": "fieldbook-pack/1"}).encode()
    assert "manifest" in _failed(_verify(_rezip(entries), people))


@pytest.mark.parametrize(
    "blob", [b"%PDF-1.7\n%%EOF", b"%PDF-" + bytes(1000), b"%PDF-1.4\ntrailer<</Root 1 0 R>>"]
)
def test_malformed_pdf_is_invalid(blob: bytes, people: People) -> None:
    """A malformed bare PDF is invalid with a reason, never a crash."""
    report = _verify(blob, people)
    assert report.status == "invalid" and report.reasons


def test_pack_dated_before_the_clock_high_water_mark(people: People) -> None:
    """A pack dated before work the vault had already seen (clock wound back) is not trusted (exit 3)."""
    content = _content()
    later = (NOW + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    skewed = PackContent(
        content.kind, content.case_data, content.attachments, content.forms, sequence=1, high_water_mark=later
    )
    built = build_pack(skewed, people.author, clock=FixedClock(NOW), render_pdf=_render)
    report = _verify(built.data, people)
    assert _failed(report) == {"time"} and report.exit_code == 3
    assert "3 days before earlier work" in report.text()


def test_zip_bomb_memory_stays_bounded() -> None:
    """Refusing a lying-size bomb allocates little memory (the stream is stopped, not inflated)."""
    import tracemalloc

    compressed = zlib.compress(bytes(20 * 1024 * 1024), 9)[2:-4]
    name = b"data.json"
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(compressed), 1000, len(name), 0
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            0,
            len(compressed),
            1000,
            len(name),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            0,
        )
        + name
    )
    body = local + name + compressed
    blob = body + central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(body), 0)
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeZip):
            read_zip(blob)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_is_invalid_never_a_crash(pack: BuiltPack, people: People, data: st.DataObject) -> None:
    """Random byte changes, cuts and insertions anywhere in a pack give 'invalid', never an exception."""
    blob = bytearray(pack.data)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            blob[pos] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del blob[pos : pos + data.draw(st.integers(1, 64))]
        else:
            blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
    report = _verify(bytes(blob), people)
    assert report.status in ("invalid", "valid")
    if bytes(blob) != pack.data and report.status == "valid":
        # Only bytes outside every signed and hashed region (e.g. ZIP comment/padding) may change.
        assert _entries(bytes(blob)) == _entries(pack.data)
