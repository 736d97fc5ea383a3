"""Bounded work on large input (issue 17 item 4): `fieldbook verify` on any file up to 100 MB stays
under 300 MB, measured as the verifying process's own peak RSS (``ru_maxrss`` of a probe's only
child), for a valid ~95 MB pack, the same pack encrypted, and 100 MB of noise."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.core.crypto.keys import cert_pem, key_pem
from app.core.packs.build import PackContent, build_pack
from tests.packs.conftest import NOW, People
from tests.packs.test_pack_tamper import _content, _render

ROOT = Path(__file__).resolve().parents[2]
LIMIT_KB = 300 * 1024
# Runs one command as its only child and prints the child's exit code and peak RSS (kB on Linux).
PROBE = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _peak(tmp_path: Path, *argv: str) -> tuple[int, int]:
    """(exit code, peak RSS in kB) of `python -m app ARGV` in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDBOOK_")}
    env["FIELDBOOK_VAULT"] = str(tmp_path / "no-vault.fieldbook")
    res = subprocess.run(
        [sys.executable, "-c", PROBE, sys.executable, "-m", "app", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    code, kb = res.stdout.split()
    return int(code), int(kb)


@pytest.fixture(scope="module")
def large(people: People, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A ~95 MB pack (one incompressible attachment), the same encrypted, and 100 MB of noise."""
    d = tmp_path_factory.mktemp("large")
    blob = os.urandom(95 * 1024 * 1024)
    sha = hashlib.sha256(blob).hexdigest()
    base = _content()
    data = dict(base.case_data)
    data["attachments"] = [
        {
            "sha256": sha,
            "media_type": "image/png",
            "size": len(blob),
            "filename": "scan.png",
            "path": f"attachments/{sha}",
        }
    ]
    content = PackContent("referral", data, {sha: (blob, "image/png")}, [("referral", 1)])
    clock = FixedClock(NOW)
    (d / "big.fbpack").write_bytes(build_pack(content, people.author, clock=clock, render_pdf=_render).data)
    enc = build_pack(
        content, people.author, clock=clock, render_pdf=_render, recipient=people.front_door.cert
    )
    (d / "big.fbpack.p7m").write_bytes(enc.data)
    del blob, enc
    (d / "noise.bin").write_bytes(os.urandom(100 * 1024 * 1024))
    (d / "author.pem").write_bytes(cert_pem(people.author.cert))
    (d / "fd.key").write_bytes(key_pem(people.front_door.key))
    return {p.name: p for p in d.iterdir()}


@pytest.mark.slow
def test_verifying_large_files_stays_under_300_mb(large: dict[str, Path], tmp_path: Path) -> None:
    """A valid 95 MB pack (exit 0), the same encrypted (exit 0) and 100 MB of noise (exit 1) are each
    verified within 300 MB of peak memory."""
    at = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    trust = ["--trust", str(large["author.pem"]), "--at", at]
    for name, extra, expected in [
        ("big.fbpack", [], 0),
        ("big.fbpack.p7m", ["--key", str(large["fd.key"])], 0),
        ("noise.bin", [], 1),
    ]:
        assert large[name].stat().st_size >= 95 * 1024 * 1024
        code, kb = _peak(tmp_path, "verify", str(large[name]), *trust, *extra)
        assert code == expected, name
        assert kb < LIMIT_KB, f"{name}: peak {kb // 1024} MB"
