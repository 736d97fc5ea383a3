"""Strict archives and bounded input (issue 17 items 4 and 7): no unsigned bytes anywhere in a pack,
no comment, paths that are not regular files refused without blocking, and the recipient named in
the signed manifest checked whenever a key is given."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.core.clock import FixedClock
from app.core.crypto.cms import envelope_decrypt, envelope_encrypt
from app.core.crypto.keys import cert_pem, key_pem
from app.core.outcome import Verdict
from app.core.packs.build import BuiltPack, build_pack
from app.core.packs.safezip import UnsafeZip, read_zip
from app.core.packs.verify import verify_bytes
from tests.packs.conftest import NOW, People
from tests.packs.test_pack_tamper import _build, _content, _render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pack(people: People) -> BuiltPack:
    """A referral pack by the author, signed at NOW."""
    return _build(people)


def _central(data: bytes) -> tuple[int, int, int]:
    """(central directory offset, its size, end record offset)."""
    end = len(data) - 22
    _sig, _d, _cd, _n, _count, size, offset, _c = struct.unpack_from("<4sHHHHIIH", data, end)
    return offset, size, end


def _insert(data: bytes, at: int, junk: bytes) -> bytes:
    """``junk`` inserted at byte ``at`` of a ZIP, with every later offset corrected so that the
    archive still reads in zipfile: only the strict layout check can notice."""
    offset, size, end = _central(data)
    out = bytearray(data[:at] + junk + data[at:])
    shift = len(junk)
    cd = offset + (shift if at <= offset else 0)
    pos = cd
    while out[pos : pos + 4] == b"PK\x01\x02":
        local = struct.unpack_from("<I", out, pos + 42)[0]
        if local >= at:
            struct.pack_into("<I", out, pos + 42, local + shift)
        n, m, k = struct.unpack_from("<HHH", out, pos + 28)
        pos += 46 + n + m + k
    end_at = end + shift
    struct.pack_into("<I", out, end_at + 16, cd)
    if offset < at <= end:  # between the central directory and the end record: the size grows
        struct.pack_into("<I", out, end_at + 12, size)
    return bytes(out)


def _second_entry(data: bytes) -> int:
    return data.index(b"PK\x03\x04", 4)


@pytest.mark.parametrize(
    "damage,why",
    [
        (lambda d: b"#!/bin/sh\necho hidden\n" + d, "before the first file"),
        (lambda d: _insert(d, _second_entry(d), b"hidden words"), "between files"),
        (lambda d: _insert(d, _central(d)[0], b"hidden words"), "after the last file"),
        (lambda d: d + b"appended after the end", "follows the end"),
    ],
    ids=["before", "between", "after-entries", "after-end"],
)
def test_unsigned_bytes_anywhere_make_the_pack_invalid(
    pack: BuiltPack, people: People, damage: object, why: str
) -> None:
    """Bytes before, between or after the entries are refused (zipfile alone would read the pack)."""
    bad = damage(pack.data)  # type: ignore[operator]
    with zipfile.ZipFile(io.BytesIO(bad)) as zf:  # the lenient reader still accepts it
        assert zf.read("mimetype")
    with pytest.raises(UnsafeZip, match=why):
        read_zip(bad)
    report = verify_bytes(bad, [people.author.cert], now=NOW)
    assert report.status is Verdict.INVALID and report.exit_code == 1
    assert [c.id for c in report.checks if not c.passed] == ["zip"]


def test_archive_comment_is_refused(pack: BuiltPack) -> None:
    """An archive comment is unsigned text inside the pack, and is refused."""
    end = _central(pack.data)[2]
    comment = b"approved by the director"
    bad = pack.data[: end + 20] + struct.pack("<H", len(comment)) + comment
    with pytest.raises(UnsafeZip, match="comment"):
        read_zip(bad)


def test_verify_refuses_a_fifo_without_waiting(tmp_path: Path) -> None:
    """`fieldbook verify` on a FIFO says it is not a regular file (exit 2) instead of hanging."""
    fifo = tmp_path / "pack.fbpack"
    os.mkfifo(fifo)
    res = subprocess.run(
        [sys.executable, "-m", "app", "verify", str(fifo)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "not a regular file" in res.stdout + res.stderr


@pytest.mark.parametrize("argv", [["verify", "/dev/zero"], ["verify", "{pack}", "--trust", "/dev/zero"]])
def test_devices_are_refused(
    argv: list[str], pack: BuiltPack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A device given as a pack or a certificate is refused by name (exit 2), never read for ever."""
    (tmp_path / "p.fbpack").write_bytes(pack.data)
    code = main([a.replace("{pack}", str(tmp_path / "p.fbpack")) for a in argv])
    out = capsys.readouterr()
    assert code == 2 and "/dev/zero" in out.out + out.err and "not a regular file" in out.out + out.err


def test_recipient_is_checked_with_a_key_alone(people: People, tmp_path: Path) -> None:
    """With only the recipient's private key (no certificate), the signed recipient is still checked."""
    built = build_pack(
        _content(), people.author, clock=FixedClock(NOW), render_pdf=_render, recipient=people.front_door.cert
    )
    ok = verify_bytes(built.data, [people.author.cert], now=NOW, key=(None, people.front_door.key))
    assert ok.status is Verdict.VALID, ok.text()
    assert any(c.id == "recipient" and c.passed for c in ok.checks)
    # Forwarded: opened by the front door, then re-encrypted to the manager.
    inner = envelope_decrypt(built.data, people.front_door.cert, people.front_door.key)
    forwarded = envelope_encrypt(inner, people.manager.cert)
    for key in ((None, people.manager.key), (people.manager.cert, people.manager.key)):
        report = verify_bytes(forwarded, [people.author.cert], now=NOW, key=key)
        assert report.status is Verdict.INVALID and "different recipient" in report.text()
    # A pack made for nobody in particular, encrypted afterwards, names no recipient.
    plain = _build(people)
    wrapped = envelope_encrypt(plain.data, people.manager.cert)
    report = verify_bytes(wrapped, [people.author.cert], now=NOW, key=(None, people.manager.key))
    assert report.status is Verdict.INVALID and "names no recipient" in report.text()
    # Through the command line, with a PEM key and no certificate.
    (tmp_path / "f.p7m").write_bytes(forwarded)
    (tmp_path / "m.key").write_bytes(key_pem(people.manager.key))
    (tmp_path / "a.pem").write_bytes(cert_pem(people.author.cert))
    code = main(
        [
            "verify",
            str(tmp_path / "f.p7m"),
            "--trust",
            str(tmp_path / "a.pem"),
            "--key",
            str(tmp_path / "m.key"),
        ]
    )
    assert code == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["case", "import", "{fifo}"],
        ["identity", "import-p12", "{fifo}"],
        ["verify", "{pack}", "--key", "{fifo}"],
        ["verify", "{pack}", "--crl", "{fifo}"],
        ["verify", "{pack}", "--trust", "{fifo}"],
    ],
    ids=lambda a: " ".join(a[:2]) + (f" {a[2]}" if len(a) > 3 else ""),
)
def test_commands_that_read_a_path_refuse_a_fifo(argv: list[str], pack: BuiltPack, tmp_path: Path) -> None:
    """Every command that reads a file it is given refuses a FIFO by name (exit 2) and never waits."""
    fifo = tmp_path / "input"
    os.mkfifo(fifo)
    (tmp_path / "p.fbpack").write_bytes(pack.data)
    args = [a.replace("{fifo}", str(fifo)).replace("{pack}", str(tmp_path / "p.fbpack")) for a in argv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDBOOK_")}
    env["FIELDBOOK_VAULT"] = str(tmp_path / "none.fieldbook")
    res = subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 2 and "not a regular file" in res.stdout + res.stderr, res.stdout + res.stderr
