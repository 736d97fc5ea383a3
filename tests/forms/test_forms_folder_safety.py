"""A forms folder cannot stall or exhaust Fieldbook (issue 17): a FIFO or device named like a form,
an oversized form file, a folder that loops through links or holds thousands of entries is
refused by name (exit 2), through the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.forms.loader import MAX_FOLDER_ENTRIES, MAX_FORM_BYTES
from tests.clirun import fieldbook, run_app

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "forms" / "chronology_entry" / "v1.toml"


def run_alone(*argv: str) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGV` in its own process: a hang fails the test (timeout), not the suite."""
    return run_app(*argv, timeout=60)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_named_like_a_form_is_refused_by_name_without_waiting(tmp_path: Path) -> None:
    """A FIFO at `x/v1.toml` (no writer) is refused naming it, instead of hanging `forms check`."""
    (tmp_path / "x").mkdir()
    os.mkfifo(tmp_path / "x" / "v1.toml")
    out = run_alone("forms", "check", str(tmp_path))
    assert out.returncode == 2, out.stderr
    assert f"{tmp_path / 'x' / 'v1.toml'} is not a regular file" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_the_forms_option_refuses_a_fifo_on_other_commands_too(tmp_path: Path) -> None:
    """`--forms DIR` on any command reads the folder through the same checks: refused, not hung."""
    (tmp_path / "x").mkdir()
    os.mkfifo(tmp_path / "x" / "v1.toml")
    out = run_alone("--forms", str(tmp_path), "forms", "list")
    assert out.returncode == 2, out.stderr
    assert "v1.toml is not a regular file" in out.stderr


def test_an_oversized_form_file_is_refused_naming_the_file_and_the_limit(tmp_path: Path) -> None:
    """A form file over 1 MB (here a real form padded with a comment) is refused, not parsed."""
    (tmp_path / "big_form").mkdir()
    big = tmp_path / "big_form" / "v1.toml"
    big.write_text(GOOD.read_text("utf-8") + "#" * MAX_FORM_BYTES + "\n", "utf-8")
    out = fieldbook("forms", "check", str(tmp_path))
    assert out.returncode == 2, out.stderr
    assert f"{big} is larger than 1 MB" in out.stderr


def test_a_folder_that_loops_through_a_link_is_refused(tmp_path: Path) -> None:
    """`again -> .` would make the folder contain itself: the link is named and nothing is walked."""
    os.symlink(".", tmp_path / "again")
    out = fieldbook("forms", "check", str(tmp_path))
    assert out.returncode == 2, out.stderr
    assert f"{tmp_path / 'again'} is a symbolic link" in out.stderr


def test_a_form_file_linking_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    """A form file that is a link (here to a real form outside the folder) is refused, not read."""
    outside = tmp_path / "outside.toml"
    shutil.copy(GOOD, outside)
    (tmp_path / "forms" / "chronology_entry").mkdir(parents=True)
    os.symlink(outside, tmp_path / "forms" / "chronology_entry" / "v2.toml")
    out = fieldbook("forms", "check", str(tmp_path / "forms"))
    assert out.returncode == 2, out.stderr
    assert "chronology_entry/v2.toml is a symbolic link" in out.stderr


def test_a_folder_of_thousands_of_entries_is_refused_before_it_is_walked(tmp_path: Path) -> None:
    """More than the entry limit (empty folders here) gets a message naming the folder."""
    for i in range(MAX_FOLDER_ENTRIES + 1):
        (tmp_path / f"f{i}").mkdir()
    out = fieldbook("forms", "check", str(tmp_path))
    assert out.returncode == 2, out.stderr
    assert f"{tmp_path} holds more than {MAX_FOLDER_ENTRIES} entries" in out.stderr


def test_a_good_local_form_still_checks_clean(tmp_path: Path) -> None:
    """The checks refuse only what is unsafe: a real local form beside them still loads."""
    (tmp_path / "chronology_entry").mkdir()
    text = GOOD.read_text("utf-8").replace("version = 1", "version = 7", 1)
    (tmp_path / "chronology_entry" / "v7.toml").write_text(text, "utf-8")
    out = fieldbook("forms", "check", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 form definitions" in out.stdout
