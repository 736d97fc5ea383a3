"""Small helpers for pack tests (not fixtures)."""

from __future__ import annotations

import io
import shutil

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
