"""packaging/dev as a newcomer meets it: an ordinary user's PATH, a Python without venv, no display.

Each test runs a copy of the script in an empty folder (so it never installs into the real .venv)
with a minimal environment, as a fresh terminal would have it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER_PATH = "/usr/local/bin:/usr/bin:/bin"  # Debian's PATH for a non-root user: no /sbin

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the developer script is for Linux")


def dev(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a copy of packaging/dev in ``tmp_path`` with a fresh terminal's environment."""
    script = tmp_path / "packaging" / "dev"
    if not script.exists():
        script.parent.mkdir()
        shutil.copy2(ROOT / "packaging" / "dev", script)
        shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return subprocess.run(
        ["bash", str(script), *args],
        env={"HOME": str(tmp_path), "PATH": USER_PATH, "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_libraries_are_found_without_sbin_on_path(tmp_path: Path) -> None:
    """With /sbin off PATH, the Qt libraries that ldconfig lists are not reported missing (so an
    ordinary user who has them is never asked to install them with sudo)."""
    ldconfig = next((p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if Path(p).exists()), None)
    if ldconfig is None:
        pytest.skip("no ldconfig on this system")
    listed = subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout
    present = {pkg for lib, pkg in (("libEGL.so.1", "libegl1"), ("libGL.so.1", "libgl1")) if lib in listed}
    if not present:
        pytest.skip("Qt's libraries are not installed here")
    out = dev(tmp_path, "doctor")
    assert out.returncode == 0, out.stderr
    assert "ldconfig not found" not in out.stdout
    assert not present & set(out.stdout.split())


def test_a_python_without_venv_is_named_with_the_package_to_install(tmp_path: Path) -> None:
    """A Python that cannot make virtual environments (Debian without python3-venv) stops with a
    message naming python3-venv, and leaves no half-made .venv behind."""
    fake = tmp_path / "python3"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in *ensurepip*) echo "No module named ensurepip" >&2; exit 1;; esac\n'
        f'exec {sys.executable} "$@"\n'
    )
    fake.chmod(0o755)
    out = dev(tmp_path, "shell", PYTHON=str(fake))
    assert out.returncode == 2
    assert "sudo apt-get install python3-venv" in out.stderr
    assert not (tmp_path / ".venv").exists()


def test_run_without_a_display_says_how_to_get_a_window(tmp_path: Path) -> None:
    """`packaging/dev run` with no display does not start an invisible window: it says why, how to
    get one, and that screenshots and the command line work without."""
    out = dev(tmp_path, "run")
    assert out.returncode == 2
    assert "no display" in out.stderr and "ssh -X" in out.stderr
    assert "screenshots --out" in out.stderr
    assert not (tmp_path / ".venv").exists()  # nothing installed just to say so
