"""`fieldbook verify` without a vault: exit codes 0/1/3, --json, --trust folders, --key for an
encrypted pack, bare PDFs; and the independent tools (openssl, pdfsig, qpdf) agree on a real pack."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.core.clock import FixedClock
from app.core.crypto.keys import cert_pem, key_pem, to_pkcs12
from app.core.packs.build import BuiltPack, PackContent, build_pack
from tests.packs.conftest import NOW, People
from tests.packs.helpers import need_tool, renderer
from tests.packs.sample import NAMES, sample_case


def _build(people: People, recipient: object = None) -> BuiltPack:
    case_data, attachments, chronology = sample_case(5)
    media = {sha: (blob, "image/png") for sha, blob in attachments.items()}

    return build_pack(
        PackContent("referral", case_data, media, [("childs_voice", 1)]),
        people.author,
        clock=FixedClock(NOW),
        render_pdf=renderer(case_data, attachments, chronology),
        recipient=recipient,
    )  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def files(people: People, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A pack, an encrypted pack, the author's and the front door's certificates and key on disk."""
    d = tmp_path_factory.mktemp("packs")
    plain = _build(people)
    enc = _build(people, recipient=people.front_door.cert)
    paths = {
        "pack": d / "p.fbpack",
        "enc": d / "p.fbpack.p7m",
        "author": d / "author.pem",
        "fd_key": d / "fd.key",
        "fd_cert": d / "fd.pem",
        "fd_p12": d / "fd.p12",
        "pdf": d / "p.pdf",
        "trustdir": d / "trust",
    }
    paths["pack"].write_bytes(plain.data)
    paths["enc"].write_bytes(enc.data)
    paths["pdf"].write_bytes(plain.pdf)
    paths["author"].write_bytes(cert_pem(people.author.cert))
    paths["fd_key"].write_bytes(key_pem(people.front_door.key))
    paths["fd_cert"].write_bytes(cert_pem(people.front_door.cert))
    paths["fd_p12"].write_bytes(to_pkcs12(people.front_door, b"front-door-pw"))
    paths["trustdir"].mkdir()
    (paths["trustdir"] / "author.crt").write_bytes(cert_pem(people.author.cert))
    return paths


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_verify_valid_pack_exits_0(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A valid pack with its author trusted exits 0 and names every check."""
    code, out = run(capsys, "verify", str(files["pack"]), "--trust", str(files["author"]))
    assert code == 0, out
    assert out.startswith("VALID") and "[PASS]" in out and "[FAIL]" not in out and "Sam Carter" in out


def test_verify_trust_folder_and_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """--trust accepts a folder; --json gives machine-readable checks."""
    code, out = run(capsys, "verify", str(files["pack"]), "--trust", str(files["trustdir"]), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["status"] == "valid" and doc["kind"] == "referral"
    assert all(c["passed"] for c in doc["checks"]) and doc["signers"][0]["name"] == "Sam Carter"


def test_verify_untrusted_exits_3(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """With no trust given the pack is intact but untrusted: exit 3."""
    code, out = run(capsys, "verify", str(files["pack"]))
    assert code == 3 and "NOT TRUSTED" in out


def test_verify_tampered_exits_1(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pack with a changed file exits 1 with the failing check named."""
    with zipfile.ZipFile(files["pack"]) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    entries["data.json"] = entries["data.json"].replace(b"Okafor", b"Okafar")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, b in entries.items():
            zf.writestr(n, b)
    bad = tmp_path / "bad.fbpack"
    bad.write_bytes(buf.getvalue())
    code, out = run(capsys, "verify", str(bad), "--trust", str(files["author"]))
    assert code == 1 and "[FAIL] Every file is exactly as the author signed it" in out


def test_verify_encrypted_pack_with_key(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """An encrypted pack verifies with the recipient's key (PEM or PKCS#12) and fails without one."""
    code, out = run(
        capsys, "verify", str(files["enc"]), "--trust", str(files["author"]), "--key", str(files["fd_key"])
    )
    assert code == 0, out
    import os

    os.environ["FIELDBOOK_KEY_PASSPHRASE"] = "front-door-pw"
    try:
        code, out = run(
            capsys,
            "verify",
            str(files["enc"]),
            "--trust",
            str(files["author"]),
            "--key",
            str(files["fd_p12"]),
        )
    finally:
        del os.environ["FIELDBOOK_KEY_PASSPHRASE"]
    assert code == 0 and "meant for this recipient" in out
    code, out = run(capsys, "verify", str(files["enc"]), "--trust", str(files["author"]))
    assert code == 1 and "--key" in out


def test_verify_bare_pdf(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A bare signed PDF verifies on its own and names the signer."""
    code, out = run(capsys, "verify", str(files["pdf"]), "--trust", str(files["author"]))
    assert code == 0 and "Sam Carter" in out


def test_verify_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file or an unreadable trust certificate is bad usage (exit 2) with the file named."""
    code, out = run(capsys, "verify", str(tmp_path / "nope.fbpack"))
    assert code == 2 and "nope.fbpack" in out
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    (tmp_path / "x.fbpack").write_bytes(b"PK")
    code, out = run(capsys, "verify", str(tmp_path / "x.fbpack"), "--trust", str(junk))
    assert code == 2 and "certificate" in out.lower()


def test_independent_tools_accept_the_pack(files: dict[str, Path], tmp_path: Path) -> None:
    """openssl accepts the manifest signature; pdfsig says valid and total; qpdf finds no errors."""
    openssl, pdfsig, qpdf = need_tool("openssl"), need_tool("pdfsig"), need_tool("qpdf")
    with zipfile.ZipFile(files["pack"]) as zf:
        for n in ("manifest.json", "manifest.json.p7s", "pack.pdf"):
            (tmp_path / n).write_bytes(zf.read(n))
    res = subprocess.run(
        [
            openssl,
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "manifest.json.p7s"),
            "-content",
            str(tmp_path / "manifest.json"),
            "-CAfile",
            str(files["author"]),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    sig = subprocess.run([pdfsig, str(tmp_path / "pack.pdf")], capture_output=True, text=True).stdout
    assert "Signature is Valid" in sig and "Total document signed" in sig
    assert subprocess.run([qpdf, "--check", str(tmp_path / "pack.pdf")], capture_output=True).returncode == 0


def test_openssl_decrypts_then_pack_verifies(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`openssl cms -decrypt` with the front door's key yields a pack that then verifies."""
    openssl = need_tool("openssl")
    out = tmp_path / "opened.fbpack"
    subprocess.run(
        [
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            str(files["enc"]),
            "-inkey",
            str(files["fd_key"]),
            "-recip",
            str(files["fd_cert"]),
            "-out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    code, text = run(capsys, "verify", str(out), "--trust", str(files["author"]))
    assert code == 0, text


def test_pack_pdf_has_every_name(files: dict[str, Path], tmp_path: Path) -> None:
    """The signed PDF inside the pack still has every name in every script (pdftotext)."""
    import re
    import unicodedata

    tool = need_tool("pdftotext")
    with zipfile.ZipFile(files["pack"]) as zf:
        (tmp_path / "pack.pdf").write_bytes(zf.read("pack.pdf"))
    text = subprocess.run([tool, str(tmp_path / "pack.pdf"), "-"], capture_output=True, text=True).stdout
    text = unicodedata.normalize("NFKC", re.sub("[\u202a-\u202e\u2066-\u2069]", "", text))
    assert all(name in text for name in NAMES.values())
