"""Visible signatures: the pack's last page, "Signatures", and what each signature box shows.

The author's certification signature fills the upper box and reserves the lower one as an empty
signature field, so a manager's countersignature later *fills an existing field* — a change the
author's DocMDP (form filling and signing) permits — and shows name, role, decision and date on
a printout. Each box's content is a one-page PDF drawn with the pack's own embedded fonts (any
script a name is written in), which pyHanko places as the field's appearance.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from app.core.crypto.keys import CertInfo
from app.core.crypto.pades import Appearance
from app.core.forms.dates import UK, in_words

# Boxes on the last page (A4 points, from the bottom left): the page's heading and introduction
# sit above them; both fit inside the renderer's frame (margins 1.8 cm sides, 1.6 cm bottom).
AUTHOR_BOX = (51, 590, 544, 680)
REVIEW_BOX = (51, 470, 544, 560)
DECISION_WORDS = {"approve": "Approved", "return": "Returned to the author"}


def when_in_words(moment: datetime) -> str:
    """ "Monday 23 November 2026, 10:30 GMT": local time in England, in words (as the pack says
    every date), with the clock's name since a signature time is checked against others."""
    return f"{in_words(moment.isoformat())} {moment.astimezone(UK):%Z}"


def signature_page() -> list[Any]:
    """The flowables of the last page: a heading and what the two boxes below it are."""
    from reportlab.platypus import PageBreak, Paragraph

    from app.core.packs.pdf import styles, text

    st = styles()
    return [
        PageBreak(),
        Paragraph(text("Signatures"), st.h2),
        Paragraph(
            text(
                "The author signed this pack digitally; the box below shows who and when. A manager's "
                "countersignature, when the pack has been reviewed, appears in the second box with the "
                "decision. A PDF reader shows whether each signature is valid; an empty second box "
                "means the pack has not been reviewed."
            ),
            st.body,
        ),
    ]


def _stamp(lines: list[str], box: tuple[int, int, int, int]) -> bytes:
    """A one-page PDF the size of ``box`` with ``lines`` (the first in bold) in the pack's fonts."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Frame, Paragraph

    from app.core.packs.pdf import FONT, FONT_BOLD, register_fonts, text

    register_fonts()
    width, height = box[2] - box[0], box[3] - box[1]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1, initialFontName=FONT)
    c.setStrokeColorRGB(0.2, 0.3, 0.5)
    c.setLineWidth(1)
    c.rect(0.5, 0.5, width - 1, height - 1)
    head = ParagraphStyle("stamp-head", fontName=FONT_BOLD, fontSize=10, leading=13)
    body = ParagraphStyle("stamp-body", fontName=FONT, fontSize=9, leading=12)
    flows = [Paragraph(text(line), head if i == 0 else body) for i, line in enumerate(lines)]
    Frame(6, 4, width - 12, height - 8, showBoundary=0).addFromList(flows, c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _who(info: CertInfo) -> str:
    return f"{info.name}, {info.role}" + (f" — {info.agency}" if info.agency else "")


def author_appearance(info: CertInfo, moment: datetime, review_field: str) -> Appearance:
    """The author's visible signature, reserving the manager's box as an empty field."""
    lines = [
        "Signed by the author",
        _who(info),
        f"Signed {when_in_words(moment)}",
        "Digitally signed (PAdES); any change after signing shows as a broken signature.",
    ]
    return Appearance(_stamp(lines, AUTHOR_BOX), AUTHOR_BOX, reserve=((review_field, REVIEW_BOX),))


def review_appearance(info: CertInfo, moment: datetime, decision: str) -> Appearance:
    """The manager's visible countersignature: name, role, decision and date."""
    lines = [
        "Countersigned by a manager",
        _who(info),
        f"Decision: {DECISION_WORDS.get(decision, decision)}",
        f"Signed {when_in_words(moment)}",
    ]
    return Appearance(_stamp(lines, REVIEW_BOX), REVIEW_BOX, new_field=False)
