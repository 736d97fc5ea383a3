"""The pack PDF: every name spelled correctly in every script (pdftotext), user markup printed as
text, quotes kept apart from interpretation, body maps, images, running header and page numbers."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from app.core.forms import TYPES, FieldSpec, FormSpec, Section
from app.core.packs.pdf import FIELD_RENDERERS, OPINION_LABEL, QUOTE_LABEL, RenderInput, render_pdf, text
from tests.packs.helpers import need_tool
from tests.packs.sample import NAMES, QUOTE_WITH_MARKUP, sample_case

PACK_ID = "0b7d2c9e-5d4f-4a51-9c1e-5b0c2f6d8a11"


def extracted(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext's output, with poppler's bidi embedding marks removed and NFKC applied.

    pdftotext returns right-to-left runs in logical order wrapped in U+202B…U+202C, and Arabic as
    the contextual presentation forms that were drawn (U+FExx); NFKC maps those to the letters
    typed, which is what a reader copying the name gets after normalisation.
    """
    tool = need_tool("pdftotext")
    f = tmp_path / "p.pdf"
    f.write_bytes(pdf)
    out = subprocess.run([tool, str(f), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", re.sub("[\u202a-\u202e\u2066-\u2069]", "", out))


def render(
    case_data: dict[str, Any], attachments: dict[str, bytes], kind: str = "referral", **more: Any
) -> bytes:
    """The unsigned pack PDF of ``case_data``, written by Sam Carter on 23 November 2026."""
    author = {"name": "Sam Carter", "role": "Social Worker", "agency": "Northshire Children's Services"}
    return render_pdf(
        RenderInput(
            kind=kind,
            pack_id=PACK_ID,
            case_data=case_data,
            author=author,
            created_at="2026-11-23T09:00:00Z",
            attachments=attachments,
            **more,
        )
    )


@pytest.fixture(scope="module")
def rendered() -> bytes:
    """The sample conference pack PDF with a 30-line chronology."""
    case_data, attachments, chronology = sample_case(30)
    return render(case_data, attachments, "conference", chronology=chronology)


@pytest.mark.parametrize("script", sorted(NAMES))
def test_every_script_survives_pdftotext(rendered: bytes, tmp_path: Path, script: str) -> None:
    """Names in Latin, accented Latin, Greek, Cyrillic, Arabic and Hebrew come out spelled exactly."""
    assert NAMES[script] in extracted(rendered, tmp_path)


def test_user_markup_prints_as_text(rendered: bytes, tmp_path: Path) -> None:
    """A child's quote containing <b> and & prints literally; injected font/link tags do nothing."""
    out = extracted(rendered, tmp_path)
    assert QUOTE_WITH_MARKUP in out
    assert "<font color=white>hidden</font>" in out
    assert b"/URI" not in rendered  # no link was injected into the signed document


def test_quote_is_visibly_distinct_from_interpretation(rendered: bytes, tmp_path: Path) -> None:
    """The child's words are labelled verbatim; interpretation is not presented as a quote."""
    out = extracted(rendered, tmp_path)
    assert QUOTE_LABEL in out
    quote_at = out.index(QUOTE_LABEL)
    assert out.index(QUOTE_WITH_MARKUP) > quote_at
    assert "\u201c" + QUOTE_WITH_MARKUP + "\u201d" in out.replace("\n", " ")


def test_opinion_fields_are_labelled(tmp_path: Path) -> None:
    """A field marked as professional opinion is labelled as such in the PDF."""
    case_data, attachments, _ = sample_case(0)
    opinion = FieldSpec("interpretation", "What I think this means", "long_text", pdf={"opinion": True})
    form = FormSpec("childs_voice", 1, "Child's voice", "", (Section("analysis", "Analysis", (opinion,)),))
    pdf = render(case_data, attachments, form_lookup=lambda form_id, version: form)
    out = extracted(pdf, tmp_path)
    assert "What I think this means" in out and OPINION_LABEL in out


def test_body_map_markers_and_image(rendered: bytes, tmp_path: Path) -> None:
    """Body map markers are listed with their numbers and sides; the drawing image is embedded."""
    out = extracted(rendered, tmp_path)
    assert "1. (front) bruise on upper arm" in out
    assert "2. (back) scratch on lower back" in out
    assert "Front" in out and "Back" in out
    assert b"/Subtype /Image" in rendered
    assert "Maya's drawing of home" in out


def test_header_marking_and_page_numbers_on_every_page(rendered: bytes, tmp_path: Path) -> None:
    """Every page carries the OFFICIAL-SENSITIVE marking, the pack id and its page number."""
    pages = extracted(rendered, tmp_path).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert PACK_ID in page and "OFFICIAL-SENSITIVE" in page and f"Page {n}" in page


def test_cover_names_children_author_and_kind(rendered: bytes, tmp_path: Path) -> None:
    """The cover shows the pack kind, children (with the unborn baby's due date), reference and author."""
    cover = extracted(rendered, tmp_path).split("\f")[0]
    for s in (
        "Report to a child protection conference",
        "Maya Okafor",
        "Leo Okafor",
        "due Mon 1 Feb 2027",
        "FB-2026-0007",
        "Sam Carter",
    ):
        assert s in cover


def test_chronology_table_and_addendum(rendered: bytes, tmp_path: Path) -> None:
    """The chronology is a table with every entry, in the screen's words: approximate dates say
    "about", significance is the chosen label ("High", never the code); addenda are shown."""
    out = " ".join(extracted(rendered, tmp_path).split())
    assert "Chronology (30 entries)" in out
    assert "Event 29:" in out and "about Thu 1 Jan 2026" in out
    assert "What happened" in out and "Significance" in out
    table = out.split("Chronology (30 entries)")[1].split("Event 29")[0]
    assert "High" in table and "Medium" in table
    assert not re.search(r"\b(high|medium|low)\b", table)
    assert "Date of birth corrected" in out


def test_fonts_are_embedded(rendered: bytes, tmp_path: Path) -> None:
    """Every font in the PDF is embedded (no reliance on the reader's fonts)."""
    tool = need_tool("pdffonts")
    f = tmp_path / "p.pdf"
    f.write_bytes(rendered)
    rows = subprocess.run([tool, str(f)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows), rows


def test_text_escapes_and_strips_controls() -> None:
    """Markup characters are escaped and control characters replaced before ReportLab sees them."""
    assert text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert "\x07" not in text("bell\x07")
    assert text("line1\nline2") == "line1<br/>line2"


def test_every_form_field_type_has_a_renderer() -> None:
    """Each field type of the registry names a PDF renderer that exists (adding a type needs one)."""
    missing = [t.name for t in TYPES.values() if t.pdf not in FIELD_RENDERERS]
    assert not missing, f"no PDF renderer for field types: {missing}"
    assert set(FIELD_RENDERERS) == {t.pdf for t in TYPES.values()}, "a renderer no type uses"


def test_huge_fields_render_completely(tmp_path: Path) -> None:
    """A 200,000-character quote, a huge chronology entry and a huge table cell all reach the PDF."""
    case_data, attachments, chronology = sample_case(3)
    data = case_data["case"]["records"][0]["data"]
    data["quotes"] = [{"words": "Maya said many things. " * 8700 + "ENDOFMAYASWORDS"}]
    data["participants"] = [{"name": "Ruth " * 3000, "agency": "police"}]
    chronology[0] = chronology[0]._replace(event="word " * 8000 + "LASTWORDOFTHEEVENT")
    pdf = render(case_data, attachments, chronology=chronology)
    out = " ".join(extracted(pdf, tmp_path).split())
    assert "ENDOFMAYASWORDS\u201d" in out and "LASTWORDOFTHEEVENT" in out
    assert out.count("Maya said many things.") >= 8000


def test_long_arabic_note_reads_top_to_bottom(tmp_path: Path) -> None:
    """A multi-line Arabic note prints its lines in reading order (first sentence on the first line)."""
    case_data, attachments, _ = sample_case(0)
    first = "في البداية قالت مايا إنها خائفة"
    middle = " ثم تحدثت عن المدرسة والأصدقاء والمعلمة" * 8
    last = "وفي النهاية ابتسمت"
    case_data["case"]["records"][0]["data"] = {"note": first + middle + " " + last}
    pdf = render(case_data, attachments)
    out = " ".join(extracted(pdf, tmp_path).split())
    assert first in out and last in out
    assert out.index(first) < out.index(last)
