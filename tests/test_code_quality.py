"""The source stays ruff-clean and type-checks, so CI catches a lapse the day it lands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT)


def test_ruff_finds_nothing_in_app_or_tests() -> None:
    result = _run("ruff", "check", "--no-cache", "app", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_accepts_the_application() -> None:
    # app.core is checked strictly (pyproject.toml); the GUI and CLI with the default rules.
    result = _run("mypy", "--cache-dir", str(ROOT / ".mypy_cache"), "app")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_the_tree_unchanged() -> None:
    result = _run("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
