"""The unlock back-off (≤10 guesses in 5 minutes), readable without opening the vault.

Kept apart from ``vault`` so that the unlock window can show its countdown before sqlcipher3 is
even imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.clock import SYSTEM_CLOCK, Clock

FREE_ATTEMPTS = 5  # failed unlocks before the back-off starts
MAX_DELAY = 300.0


def _attempts_path(path: Path) -> Path:
    return path.with_name(path.name + ".attempts")


def _read_attempts(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_attempts_path(path).read_text("utf-8"))
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    return {"failures": 0, "last": 0.0}


def unlock_delay(path: Path, clock: Clock = SYSTEM_CLOCK) -> float:
    """Seconds to wait before the next unlock attempt may run (0 when there is no back-off)."""
    state = _read_attempts(Path(path))
    failures = int(state.get("failures", 0))
    if failures < FREE_ATTEMPTS:
        return 0.0
    delay = min(5.0 * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY)
    elapsed = clock.now().timestamp() - float(state.get("last", 0.0))
    return float(max(0.0, delay - max(elapsed, 0.0)))
