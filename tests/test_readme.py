"""The README's command-line walk-through works when pasted in order, as a newcomer would.

The shell blocks of its "A walk-through on the command line" section run, in order, in one bash
with `set -e`, in a fresh home folder, with `fieldbook` on PATH and the passphrase typed at the
`read` prompt. A command that fails, or a line that names something an earlier line did not make,
fails this test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## A walk-through on the command line"
PASSPHRASE = "wren beside the weir"


def walkthrough_blocks() -> list[str]:
    """The ```sh blocks of the walk-through section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.M | re.S)


def test_readme_walkthrough_runs_in_order(tmp_path: Path) -> None:
    """Every command of the walk-through exits 0 in order, and what it promises is there: the case
    made with --ref takes the record, search finds it, the exported pack verifies."""
    blocks = walkthrough_blocks()
    assert len(blocks) == 2 and "read " in blocks[0] and "fieldbook init" in blocks[1]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "fieldbook"  # what `packaging/dev shell` puts on PATH, as this checkout's source
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m app "$@"\n')
    shim.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FIELDBOOK_")},
        "HOME": str(home),
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    script = "set -euo pipefail\nset -x\n" + "\n".join(blocks)
    out = subprocess.run(
        ["bash", "-c", script],
        input=PASSPHRASE + "\n",  # typed at the `read -s` prompt
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    trial = home / "fieldbook-trial"
    assert {"vault.fieldbook", "pack.fbpack", "case.json", "backup.fieldbook"} <= {
        p.name for p in trial.iterdir()
    }
    assert "FB-2026-0101" in out.stdout and "Tia Adeyemi" in out.stdout
    assert "[bruise] on her left forearm" in out.stdout  # search found the record just added
    assert "chain intact" in out.stdout
