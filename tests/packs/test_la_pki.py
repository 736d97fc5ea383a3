"""The local authority's PKI: `identity request` makes a CSR from the key inside the vault, the
authority's CA (openssl here) issues a certificate, `identity install` checks and installs it, and a
receiver trusting only the authority's root accepts the pack in Fieldbook, pdfsig (NSS store) and
`openssl cms -verify -CAfile`."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from tests.packs.helpers import need_tool

PASS = "plum otter lantern quietly 62"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def sh(*argv: str, cwd: Path) -> str:
    res = subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture
def authority(tmp_path: Path) -> Path:
    """A fictional council's root CA made with openssl (root.pem, root.key) in its own folder."""
    openssl = need_tool("openssl")
    ca = tmp_path / "ca"
    ca.mkdir()
    sh(openssl, "req", "-x509", "-newkey", "rsa:3072", "-nodes", "-keyout", "root.key", "-out", "root.pem",
       "-days", "30", "-subj", "/O=Northshire Council/CN=Northshire Council Practitioner Root CA",
       "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
       cwd=ca)  # fmt: skip
    return ca


def issue(ca: Path, csr: Path, out: str = "issued.pem", issuer: str = "root") -> Path:
    """What the authority's CA does with a request: a one-year certificate with the requested usages."""
    sh(need_tool("openssl"), "x509", "-req", "-in", str(csr), "-CA", f"{issuer}.pem",
       "-CAkey", f"{issuer}.key", "-CAcreateserial", "-days", "365", "-copy_extensions", "copy",
       "-out", out, cwd=ca)  # fmt: skip
    return ca / out


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """Sam Carter's new vault (a self-issued certificate, as after `init`)."""
    monkeypatch.setenv("FIELDBOOK_PASSPHRASE", PASS)
    v = tmp_path / "sam.fieldbook"
    code, out = run(capsys, "--vault", str(v), "init", "--name", "Sam Carter", "--role", "Social Worker",
                    "--agency", "Northshire Children's Services")  # fmt: skip
    assert code == 0, out
    return v


def test_request_install_and_trust_by_root_everywhere(
    vault: Path, authority: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A CA-issued certificate for the vault's key signs packs that a receiver trusting only the
    authority's root accepts in Fieldbook, pdfsig and openssl."""
    openssl = need_tool("openssl")
    csr = tmp_path / "practitioner.csr"
    code, out = run(capsys, "--vault", str(vault), "identity", "request", "--out", str(csr))
    assert code == 0, out
    assert "Sam Carter" in sh(openssl, "req", "-in", str(csr), "-verify", "-noout", "-subject", cwd=tmp_path)
    assert b"PRIVATE KEY" not in csr.read_bytes()
    code, out = run(capsys, "--vault", str(vault), "identity", "install", str(issue(authority, csr)),
                    "--chain", str(authority / "root.pem"), "--json")  # fmt: skip
    assert code == 0, out
    info = json.loads(out)
    assert not info["self_signed"] and "Practitioner Root CA" in info["issuer"]

    code, out = run(capsys, "--vault", str(vault), "demo")
    case_id = out.strip().split()[-1]
    pack, pdf = tmp_path / "referral.fbpack", tmp_path / "referral.pdf"
    code, out = run(capsys, "--vault", str(vault), "export", case_id, "--kind", "referral",
                    "--out", str(pack), "--pdf", str(pdf))  # fmt: skip
    assert code == 0, out

    # A receiver with no vault, trusting only the root.
    monkeypatch.delenv("FIELDBOOK_PASSPHRASE")
    nowhere = str(tmp_path / "none.fieldbook")
    code, out = run(capsys, "--vault", nowhere, "verify", str(pack), "--trust", str(authority / "root.pem"))
    assert code == 0, out
    code, _ = run(capsys, "--vault", nowhere, "verify", str(pack))
    assert code == 3

    nss = tmp_path / "nss"
    nss.mkdir()
    certutil = need_tool("certutil")
    sh(certutil, "-N", "-d", f"sql:{nss}", "--empty-password", cwd=tmp_path)
    # "C,C,": a CA for SSL and for e-mail / document signing; pdfsig checks the second ("C,," fails)
    sh(certutil, "-A", "-n", "Northshire root", "-t", "C,C,", "-i", str(authority / "root.pem"), "-d",
       f"sql:{nss}", cwd=tmp_path)  # fmt: skip
    sig = subprocess.run(
        [need_tool("pdfsig"), "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True
    )
    assert "Signature is Valid" in sig.stdout and "Certificate is Trusted" in sig.stdout, sig.stdout

    entries = zipfile.ZipFile(io.BytesIO(pack.read_bytes()))
    (tmp_path / "m.json").write_bytes(entries.read("manifest.json"))
    (tmp_path / "m.p7s").write_bytes(entries.read("manifest.json.p7s"))
    sh(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", "m.p7s", "-content", "m.json",
       "-CAfile", str(authority / "root.pem"), "-out", "/dev/null", cwd=tmp_path)  # fmt: skip


def test_install_refuses_a_certificate_for_another_key_or_without_its_chain(
    vault: Path, authority: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A certificate issued for someone else's key, or without the chain to its root, is refused
    with a message naming the problem, and the vault keeps its signing identity."""
    openssl = need_tool("openssl")
    sh(openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.csr",
       "-subj", "/CN=Sam Carter", cwd=tmp_path)  # fmt: skip
    other = issue(authority, tmp_path / "other.csr", "other.pem")
    code, out = run(capsys, "--vault", str(vault), "identity", "install", str(other), "--chain",
                    str(authority / "root.pem"))  # fmt: skip
    assert code == 2 and "not issued for this vault's key" in out
    run(capsys, "--vault", str(vault), "identity", "request", "--out", str(tmp_path / "p.csr"))
    code, out = run(
        capsys, "--vault", str(vault), "identity", "install", str(issue(authority, tmp_path / "p.csr"))
    )
    assert code == 2 and "Chain:" in out
    code, out = run(capsys, "--vault", str(vault), "identity", "show", "--json")
    assert json.loads(out)["self_signed"]


def test_certificate_from_an_issuing_ca_under_the_root(
    vault: Path, authority: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An authority that issues from an intermediate CA: the chain (in any order) installs, packs
    carry the intermediate, and a receiver trusting only the root accepts them."""
    openssl = need_tool("openssl")
    sh(openssl, "req", "-new", "-newkey", "rsa:3072", "-nodes", "-keyout", "issuing.key",
       "-out", "issuing.csr", "-subj", "/O=Northshire Council/CN=Northshire Council Issuing CA 1",
       "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
       "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=authority)  # fmt: skip
    issue(authority, authority / "issuing.csr", "issuing.pem")
    chain = tmp_path / "chain.pem"  # root first: the order a chain file comes in varies
    chain.write_bytes((authority / "root.pem").read_bytes() + (authority / "issuing.pem").read_bytes())
    csr = tmp_path / "p.csr"
    assert run(capsys, "--vault", str(vault), "identity", "request", "--out", str(csr))[0] == 0
    leaf = issue(authority, csr, "sam.pem", issuer="issuing")
    code, out = run(
        capsys, "--vault", str(vault), "identity", "install", str(leaf), "--chain", str(chain), "--json"
    )
    assert code == 0, out
    assert "Issuing CA 1" in json.loads(out)["issuer"]
    run(capsys, "--vault", str(vault), "demo")
    pack = tmp_path / "r.fbpack"
    code, out = run(
        capsys, "--vault", str(vault), "export", "FB-2026-0042", "--kind", "referral", "--out", str(pack)
    )
    assert code == 0, out
    monkeypatch.delenv("FIELDBOOK_PASSPHRASE")
    nowhere = str(tmp_path / "none.fieldbook")
    code, out = run(capsys, "--vault", nowhere, "verify", str(pack), "--trust", str(authority / "root.pem"))
    assert code == 0, out
    entries = zipfile.ZipFile(io.BytesIO(pack.read_bytes()))
    (tmp_path / "m.json").write_bytes(entries.read("manifest.json"))
    (tmp_path / "m.p7s").write_bytes(entries.read("manifest.json.p7s"))
    sh(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", "m.p7s", "-content", "m.json",
       "-CAfile", str(authority / "root.pem"), "-out", "/dev/null", cwd=tmp_path)  # fmt: skip
