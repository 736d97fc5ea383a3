"""What every command needs: the chosen vault, the passphrase, output in text or JSON."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.clock import SYSTEM_CLOCK, Clock
from app.core.errors import FieldbookError, UsageError
from app.core.paths import default_vault_path
from app.core.plaintext import terminal_safe

if TYPE_CHECKING:
    from app.core.store.vault import Vault


@dataclass
class CliContext:
    vault_path: Path
    json: bool = False
    forms_dir: Path | None = None
    clock: Clock = SYSTEM_CLOCK
    _vault: Vault | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        vault = getattr(args, "vault", None)
        forms = getattr(args, "forms", None) or os.environ.get("FIELDBOOK_FORMS")
        return cls(
            vault_path=Path(vault) if vault else default_vault_path(),
            json=bool(getattr(args, "json", False)),
            forms_dir=Path(forms) if forms else None,
        )

    # -- passphrase -------------------------------------------------------------------------
    def passphrase(self, prompt: str = "Passphrase: ", *, env: str = "FIELDBOOK_PASSPHRASE") -> str:
        """The passphrase from the environment (automation) or a prompt that does not echo."""
        value = os.environ.get(env)
        if value is None:
            if not sys.stdin or not sys.stdin.isatty():
                raise UsageError(f"no passphrase: set {env} or run the command in a terminal")
            value = getpass.getpass(prompt)
        return unicodedata.normalize("NFC", value)

    def new_passphrase(self, env: str = "FIELDBOOK_NEW_PASSPHRASE") -> str:
        value = os.environ.get(env)
        if value is None:
            if not sys.stdin or not sys.stdin.isatty():
                raise UsageError(f"no new passphrase: set {env} or run the command in a terminal")
            value = getpass.getpass("New passphrase: ")
            if getpass.getpass("Repeat the new passphrase: ") != value:
                raise UsageError("New passphrase: the two entries differ")
        return unicodedata.normalize("NFC", value)

    # -- vault ------------------------------------------------------------------------------
    def vault(self) -> Vault:
        """The unlocked vault (opened once per command)."""
        if self._vault is None:
            from app.core.store.vault import Vault

            self._vault = Vault.open(self.vault_path, self.passphrase(), clock=self.clock)
            from app.core.store import Store

            Store(self._vault).note_failed_unlocks()
        return self._vault

    def registry(self) -> Any:
        """The form registry: built-in forms plus --forms / FIELDBOOK_FORMS or the vault setting."""
        from app.core.forms import load_registry

        extra = self.forms_dir
        if extra is None and self._vault is not None:
            from app.core.store import Store

            setting = Store(self._vault).settings_get("forms.dir")
            extra = Path(setting) if setting else None
        return load_registry(extra)

    def close(self) -> None:
        if self._vault is not None:
            self._vault.close()
            self._vault = None

    # -- output -----------------------------------------------------------------------------
    def emit(self, data: Any, text: str | None = None) -> None:
        """Print a result: JSON with ``--json``, else the human text (or a readable default).

        Whatever it prints passes through ``terminal_safe``: text from packs, imports and forms
        never reaches the terminal with an escape sequence in it."""
        if self.json:
            out = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str)
        else:
            out = text if text is not None else _plain(data)
        sys.stdout.write(terminal_safe(out) + "\n")
        sys.stdout.flush()

    def fail(self, exc: FieldbookError, **extra: Any) -> None:
        if self.json:
            payload = {"error": exc.message, "exit_code": exc.exit_code, **extra}
            sys.stderr.write(terminal_safe(json.dumps(payload, ensure_ascii=False, default=str)) + "\n")
        else:
            print_error(exc.message)


def output_file(value: str) -> Path:
    """argparse type of a file a command writes: a folder is refused, by name, before any work."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder; give the name of a file to write")
    return path


def print_error(message: str) -> None:
    """``error: message`` on standard error, made terminal-safe."""
    sys.stderr.write(f"error: {terminal_safe(message)}\n")
    sys.stderr.flush()


def _plain(data: Any) -> str:
    if isinstance(data, dict):
        return "\n".join(f"{k}: {v}" for k, v in data.items())
    if isinstance(data, list):
        return "\n".join(
            _plain(x) if not isinstance(x, dict) else "  ".join(str(v) for v in x.values()) for x in data
        )
    return str(data)
