"""Run `fieldbook` commands in the test process: the same parser, handlers and exit codes as
`python -m app`, without half a second of interpreter start-up and imports per command.

Use it for tests that tell long stories through many commands. Tests of what only a real process
shows (core dumps, the top-level crash handler's log, signals, two writers at once, a hang cut off
by a timeout) start `python -m app` in a subprocess instead, through `run_app`.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def fieldbook(
    *argv: str, env: dict[str, str | None] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one command with ``env`` set (None unsets a variable) and ``stdin`` as its input.

    FIELDBOOK_* variables not named in ``env`` are unset, as they are for a subprocess given a
    clean environment. Returns what ``subprocess.run(..., text=True)`` would.
    """
    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        for name in [k for k in os.environ if k.startswith("FIELDBOOK_")]:
            mp.delenv(name)
        for name, value in (env or {}).items():
            if value is None:
                mp.delenv(name, raising=False)
            else:
                mp.setenv(name, value)
        mp.setattr(sys, "stdin", io.StringIO(stdin or ""))
        try:
            code = main(list(argv))
        except SystemExit as exc:  # --help and --version exit the way argparse does
            code = exc.code if isinstance(exc.code, int) else 0
    return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())


def run_app(
    *argv: str,
    vault: Path | None = None,
    passphrase: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGV` in a fresh interpreter, as a user's shell runs it.

    The child gets this environment without its FIELDBOOK_* variables, then FIELDBOOK_VAULT and
    FIELDBOOK_PASSPHRASE from ``vault`` and ``passphrase`` where given, then ``env``. A PYTHONPATH in
    ``env`` goes in front of this one's, so the child still finds tests/child_env (the cheap KDF).
    """
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FIELDBOOK_")}
    if vault is not None:
        environ["FIELDBOOK_VAULT"] = str(vault)
    if passphrase is not None:
        environ["FIELDBOOK_PASSPHRASE"] = passphrase
    extra = dict(env or {})
    if "PYTHONPATH" in extra:
        extra["PYTHONPATH"] = os.pathsep.join(
            p for p in (extra["PYTHONPATH"], environ.get("PYTHONPATH", "")) if p
        )
    environ |= extra
    return subprocess.run(
        [sys.executable, "-m", "app", *argv],
        cwd=cwd,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
