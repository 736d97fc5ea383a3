"""Where things live: bundled forms/resources (source tree or frozen bundle) and the user's vault."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def bundle_root() -> Path:
    """The folder holding ``forms/`` and ``resources/``: the repo root, or PyInstaller's bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return bundle_root() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def builtin_forms_dir() -> Path:
    return bundle_root() / "forms"


def user_data_dir() -> Path:
    """The platform's per-user data folder for Fieldbook (created with user-only permissions)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        path = base / "Fieldbook"
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Application Support" / "Fieldbook"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        path = base / "fieldbook"
    return path


def user_log_dir() -> Path:
    """Where Fieldbook keeps its crash log (never case data: see app/cli/crashlog.py)."""
    if sys.platform == "win32":
        return user_data_dir() / "Logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "Fieldbook"
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "fieldbook"


def default_vault_path() -> Path:
    """The vault used when neither ``--vault`` nor ``FIELDBOOK_VAULT`` is given.

    The name carries no personal data (threat model #1: no PII in file or folder names).
    """
    env = os.environ.get("FIELDBOOK_VAULT")
    if env:
        return Path(env)
    return user_data_dir() / "vault.fieldbook"
