"""Smoke test of the frozen bundle: it runs where Python is not installed.

Run with ``packaging/dev test -m packaging`` (it builds the bundle first unless
``FIELDBOOK_FROZEN`` points at an existing ``dist/fieldbook/fieldbook``). The normal run skips it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
PASS = "orchard lantern velvet 42"


@pytest.fixture(scope="module")
def frozen() -> Path:
    exe = Path(os.environ.get("FIELDBOOK_FROZEN", ROOT / "dist" / "fieldbook" / "fieldbook")).resolve()
    if "FIELDBOOK_FROZEN" not in os.environ:
        subprocess.run([str(ROOT / "packaging" / "build.sh")], check=True, cwd=ROOT)
    assert exe.exists(), f"no frozen binary at {exe}"
    return exe


def _run(exe: Path, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment: no virtualenv, no PYTHONPATH, the source tree not on any path.
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def test_frozen_bundle_runs_the_whole_workflow(frozen: Path, tmp_path: Path) -> None:
    """The bundle alone reports its version, makes a vault and a demo case, exports, verifies, renders."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "FIELDBOOK_PASSPHRASE": PASS,
    }
    vault = tmp_path / "vault.fieldbook"
    version = _run(frozen, "--version", env=env, cwd=tmp_path)
    assert "fieldbook" in version.stdout
    _run(
        frozen,
        "--vault",
        str(vault),
        "init",
        "--name",
        "Sam Adeyemi",
        "--role",
        "Social worker",
        "--agency",
        "Northshire Children's Services",
        env=env,
        cwd=tmp_path,
    )
    demo = _run(frozen, "--vault", str(vault), "demo", env=env, cwd=tmp_path)
    case_id = demo.stdout.strip().splitlines()[-1]
    pack = tmp_path / "referral.fbpack"
    _run(
        frozen,
        "--vault",
        str(vault),
        "export",
        case_id,
        "--kind",
        "referral",
        "--out",
        str(pack),
        env=env,
        cwd=tmp_path,
    )
    assert pack.stat().st_size > 10_000
    verified = _run(frozen, "--vault", str(vault), "--json", "verify", str(pack), env=env, cwd=tmp_path)
    report = json.loads(verified.stdout)
    assert report["status"] == "valid", report
    shots = tmp_path / "shots"
    _run(frozen, "screenshots", "--out", str(shots), env=env, cwd=tmp_path)
    assert len(list(shots.glob("*.png"))) >= 9


def test_frozen_bundle_carries_no_unused_qt(frozen: Path) -> None:
    """QML, Quick and WebEngine are not shipped: the bundle stays lean."""
    internal = frozen.parent / "_internal"
    names = [p.name for p in internal.rglob("*")]
    assert not [n for n in names if "WebEngine" in n or "Qt6Quick" in n or n.startswith("libQt6Qml")]
    assert any(n.startswith("libqoffscreen") for n in names)
    assert any(n.startswith("libqxcb") for n in names)
    assert any(n.startswith("libQt6Pdf") for n in names)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-m", "packaging", "-q"]))
