"""Process hardening for every entry point: no core dumps of a process holding decrypted records.

A core dump of Fieldbook holds the passphrase, the vault key and case text in the clear
(SECURITY.md, process hardening; KeePassXC's Bootstrap.cpp does the same). ``app.__main__`` calls
``harden_process`` first, so the desktop app, the command line and the frozen bundle all run with
core dumps off and, on Linux, not dumpable (no ptrace attach by other processes of the user).
"""

from __future__ import annotations

import sys

PR_SET_DUMPABLE = 4


def harden_process() -> None:
    """Core file size limit 0 (soft and hard) and, on Linux, PR_SET_DUMPABLE 0. Best effort:
    a platform without either keeps running."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass
