"""kill -9 while packs are being written (SECURITY.md T13): the pack file on disk is always either
the previous complete pack or the new complete pack, never half of one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.crypto.keys import cert_pem, to_pkcs12
from app.core.packs.verify import verify_bytes
from tests.packs.conftest import NOW, People

WRITER = r"""
import sys, io
from pathlib import Path
from app.core.clock import FixedClock
from datetime import datetime
from app.core.crypto.keys import from_pkcs12
from app.core.packs.build import PackContent, build_pack, write_atomic
from app.core.packs.pdf import RenderInput, render_pdf
from tests.packs.sample import sample_case

ident = from_pkcs12(Path(sys.argv[1]).read_bytes(), b"pw")
out = Path(sys.argv[2])
clock = FixedClock(datetime.fromisoformat(sys.argv[3]))
case_data, attachments, chronology = sample_case(150)
media = {k: (v, "image/png") for k, v in attachments.items()}
def render(pid):
    return render_pdf(RenderInput(kind="referral", pack_id=pid, case_data=case_data,
                                  author={"name": "Sam Carter"}, created_at="",
                                  attachments=attachments, chronology=chronology))
print("ready", flush=True)
while True:
    built = build_pack(PackContent("referral", case_data, media, []), ident, clock=clock, render_pdf=render)
    write_atomic(out, built.data)
"""


@pytest.mark.slow
def test_kill_during_export_never_leaves_half_a_pack(people: People, tmp_path: Path) -> None:
    """Killing the writer at random moments leaves a complete, valid pack (or none yet)."""
    p12 = tmp_path / "id.p12"
    p12.write_bytes(to_pkcs12(people.author, b"pw"))
    (tmp_path / "author.pem").write_bytes(cert_pem(people.author.cert))
    out = tmp_path / "out.fbpack"
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    rnd = random.Random(5)
    seen_valid = 0
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(p12), str(out), NOW.isoformat()],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stdout.readline().startswith(b"ready")
        time.sleep(rnd.uniform(0.3, 2.5))  # let it get somewhere in a build or a write
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            report = verify_bytes(out.read_bytes(), [people.author.cert], now=NOW)
            assert report.status == "valid", report.text()
            seen_valid += 1
    assert seen_valid >= 1
