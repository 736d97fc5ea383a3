"""Small helpers for pack tests (not fixtures)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def simple_pdf(text: str = "Maya Okafor — chronology") -> bytes:
    """A one-page PDF (ReportLab, standard font) to sign in crypto-level tests."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def need_tool(name: str) -> str:
    """The path of a command-line tool, or skip when it is absent (CI installs it)."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


SAM = {"name": "Sam Carter", "role": "Social Worker", "agency": "Northshire Children's Services"}


def renderer(
    case_data: dict[str, Any],
    attachments: dict[str, bytes] | None = None,
    chronology: list[dict[str, Any]] | None = None,
    kind: str = "referral",
    author: dict[str, str] | None = None,
) -> Callable[[str], bytes]:
    """``render_pdf(pack_id)`` for ``build_pack``: the real renderer (by Sam Carter, unless the
    ``author`` name, role and agency say otherwise)."""
    from app.core.packs.pdf import RenderInput, render_pdf

    def render(pack_id: str) -> bytes:
        return render_pdf(
            RenderInput(
                kind=kind,
                pack_id=pack_id,
                case_data=case_data,
                author=author
                or {
                    "name": "Sam Carter",
                    "role": "Social Worker",
                    "agency": "Northshire Children's Services",
                },
                created_at="2026-11-23T09:00:00Z",
                attachments=attachments or {},
                chronology=chronology or [],
            )
        )

    return render


DEMO_PASS = "heron under the old stone bridge"


def demo_vault(folder: Path, clock: Any) -> dict[str, Any]:
    """The demo case in a new real vault in ``folder``, with its author's signing identity; the
    caller closes ``["vault"]``."""
    from app.core.demo import create_demo
    from app.core.forms import load_registry
    from app.core.identity import load_identity, on_vault_created
    from app.core.store import Store, Vault

    registry = load_registry()
    vault = Vault.create(folder / "v.fieldbook", DEMO_PASS, clock=clock)
    store = Store(vault)
    store.set_profile("Sam Carter", "Social Worker", "Northshire Children's Services")
    on_vault_created(store, DEMO_PASS, clock=clock)
    case_id = create_demo(store, registry)
    return {
        "vault": vault,
        "store": store,
        "registry": registry,
        "case": case_id,
        "identity": load_identity(store, DEMO_PASS),
        "clock": clock,
        "dir": folder,
    }
