"""Test processes only: vaults and signing identities are keyed with a cheap key derivation.

The product derives every vault key with 600,000 PBKDF2-SHA512 rounds (about 0.6 s, on purpose)
and protects the signing identity's PKCS#12 with 100,000 more. Paid on every unlock, that was a
third of the suite's time. tests/conftest.py puts this folder first on PYTHONPATH, so the test
process and every Python process a test starts (``python -m app …``, ``python -c …``) import this
module at start-up and agree on the lower work factor: a vault made by one opens in the others.

A child started with FIELDBOOK_TEST_BUSY_TIMEOUT_MS also waits that long (not five seconds) for
another writer. The constants are lowered lazily, when their modules are first imported, so that a
child process still imports ``app`` from its own working directory (the worktree under test).

Why the product cannot reach this: Fieldbook has no option, setting or environment variable for
the work factor. A frozen build ignores PYTHONPATH (PyInstaller starts Python with the environment
ignored), and in a source checkout PYTHONPATH already runs any code its owner likes, so this opens
no new door. A vault keyed here does not open in a real Fieldbook (another work factor is another
key), and tests/core/store/test_vault.py checks that a process outside the harness uses 600,000.
"""

from __future__ import annotations

import os
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any

TEST_KDF_ITER = 64  # PBKDF2 rounds for test vaults (SQLCipher accepts any positive count)
TEST_P12_KDF_ROUNDS = 64
LOWERED: dict[str, dict[str, int]] = {
    "app.core.store.vault": {"KDF_ITER": TEST_KDF_ITER},
    "app.core.crypto.keys": {"P12_KDF_ROUNDS": TEST_P12_KDF_ROUNDS},
}
# A test of two writers at once sets this for its child, so that the loser gives up in a moment
# instead of the product's five seconds.
if os.environ.get("FIELDBOOK_TEST_BUSY_TIMEOUT_MS"):
    LOWERED["app.core.store.vault"]["BUSY_TIMEOUT_MS"] = int(os.environ["FIELDBOOK_TEST_BUSY_TIMEOUT_MS"])


class _Finder(MetaPathFinder):
    """Finds the two modules as usual, then has their loader set the test value after running them."""

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in LOWERED:
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return None
        loader: Any = spec.loader  # one loader object per module: wrapping it touches nothing else
        real_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            real_exec(module)
            for attribute, value in LOWERED[fullname].items():
                setattr(module, attribute, value)

        loader.exec_module = exec_module
        return spec


def install() -> None:
    """Lower the work factors in this process (idempotent; also for modules already imported)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    for name, values in LOWERED.items():
        for attribute, value in values.items() if name in sys.modules else ():
            setattr(sys.modules[name], attribute, value)


install()
