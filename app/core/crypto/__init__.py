"""Cryptography for Fieldbook: the only package that imports ``cryptography`` and ``pyhanko``.

``keys`` (identities, certificates, PKCS#12), ``cms`` (detached signatures, envelopes),
``pades`` (PDF signatures). pyHanko logs validation failures with tracebacks; those are expected
outcomes for untrusted input here, so its loggers are silenced (results carry the reason instead).
"""

from __future__ import annotations

import logging

for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False
