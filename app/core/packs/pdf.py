"""The human-readable pack PDF, rendered with ReportLab from the form definitions.

No hand layout per form: every record is drawn field by field from its ``FormSpec`` (one renderer
per field type, ``FIELD_RENDERERS``), falling back to the stored keys when a form version is not
installed. Security rules (SECURITY.md finding 7): every user string goes through ``text()``, which
escapes ReportLab markup, so a child's ``<b>`` or ``&`` prints as typed; fonts are embedded TTFs
covering Latin, Greek, Cyrillic (DejaVu Sans), Arabic and Hebrew (Noto Sans). Right-to-left runs
are shaped (arabic-reshaper) and put in visual order (python-bidi) because ReportLab 5.1 needs the
optional ``rlbidi`` for bidi, which is not packaged for this platform.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.shapes import Circle, Drawing, Group, Path, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.core.errors import NotFound
from app.core.forms.chronology import COLUMNS as CHRONOLOGY_COLUMNS
from app.core.forms.chronology import ENTRY_FORM, ChronologyLine
from app.core.forms.conditions import cell_states, field_states
from app.core.forms.dates import in_words
from app.core.forms.spec import FieldSpec, FormSpec
from app.core.forms.types import BodyMap, day_of, is_blank
from app.core.packs.tagged import (
    Archival,
    Attachment,
    TaggedCanvas,
    TaggedDocTemplate,
    creation_time,
    with_alt,
)
from app.core.paths import resource
from app.core.store.models import display_name_of, status_words

MARKING = "OFFICIAL-SENSITIVE"
FONT, FONT_BOLD, FONT_AR, FONT_HE = "FB-Sans", "FB-Sans-Bold", "FB-Arabic", "FB-Hebrew"
KIND_TITLES = {
    "referral": "Referral pack",
    "conference": "Report to a child protection conference",
    "parents": "Parent's copy of the report to a child protection conference",
}
QUOTE_LABEL = "Child's words (verbatim)"
OPINION_LABEL = "Professional opinion"
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_HEBREW = re.compile(r"[\u0590-\u05FF\uFB1D-\uFB4F]")
_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6673")
QUOTE_BG = colors.HexColor("#eef5fb")
QUOTE_EDGE = colors.HexColor("#2b6ca3")
OPINION_BG = colors.HexColor("#f6f3ea")


class _SplitOnceTTFont(TTFont):  # type: ignore[misc]  # ReportLab is untyped
    """A TTF that remembers, per document, how a string splits into its subsets' codes.

    ReportLab maps every drawn string to subset codes character by character in Python (a
    tenth of a 2,000-line chronology's export), and a chronology repeats its strings (dates,
    sources, actions). A character's code never changes once given in a document, so a string
    splits the same way every time after its first."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._fb_split: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()

    def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> Any:  # ReportLab's name
        known = self._fb_split.get(doc)
        if known is None:
            known = self._fb_split[doc] = {}
        split = known.get(text)
        if split is None:
            split = known[text] = super().splitString(text, doc, encoding)
        return split


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the bundled TTFs once; ReportLab embeds (subsets of) them in every PDF."""
    fonts = resource("fonts")
    pdfmetrics.registerFont(_SplitOnceTTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(_SplitOnceTTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(_SplitOnceTTFont(FONT_AR, str(fonts / "NotoSansArabic-Regular.ttf")))
    pdfmetrics.registerFont(_SplitOnceTTFont(FONT_HE, str(fonts / "NotoSansHebrew-Regular.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    # Binary (Flate) streams instead of ASCII85 text: ASCII85 of the photographs was the largest
    # single cost of a big export with ReportLab's pure-Python encoder.
    rl_config.useA85 = 0


# -- text -------------------------------------------------------------------------------------


def _visual(s: str, base: str | None) -> str:
    """Arabic shaped and right-to-left runs put in display order (a no-op for LTR text).

    ``base`` is the paragraph direction: "L" for the document's own English lines that embed a
    name ("• ليلى حداد — interpreter"), None to take it from the text (a note written in Arabic).
    """
    if not _RTL.search(s):
        return s
    import arabic_reshaper
    from bidi.algorithm import get_display

    shaped = arabic_reshaper.reshape(s) if _ARABIC.search(s) else s
    return str(get_display(shaped, base_dir=base) if base else get_display(shaped))


def _font_runs(s: str) -> str:
    """Escaped markup with Arabic and Hebrew runs switched to fonts that have their glyphs."""
    out: list[str] = []
    for run in re.split(r"([\u0590-\u05FF\uFB1D-\uFB4F]+|[\u0600-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+)", s):
        if not run:
            continue
        if _HEBREW.match(run):
            out.append(f'<font name="{FONT_HE}">{escape(run)}</font>')
        elif _ARABIC.match(run):
            out.append(f'<font name="{FONT_AR}">{escape(run)}</font>')
        else:
            out.append(escape(run))
    return "".join(out)


def text(value: Any, base: str | None = "L") -> str:
    """A user string made safe for a ReportLab ``Paragraph``: escaped, NFC, line breaks kept."""
    s = unicodedata.normalize("NFC", str(value))
    s = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", s)
    return "<br/>".join(_font_runs(_visual(line, base)) for line in s.split("\n"))


def chunks(value: Any, limit: int = 1500) -> list[str]:
    """A long text cut into pieces of at most ``limit`` characters, at line breaks or spaces.

    ReportLab re-wraps the whole remainder of a paragraph at every page break, so one 200,000-
    character note costs seconds; many short paragraphs cost milliseconds.
    """
    out: list[str] = []
    for line in str(value).split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", limit // 2, limit)
            cut = cut if cut > 0 else limit
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        out.append(line)
    # Keep short runs of lines together (they are rendered with <br/> inside one paragraph).
    merged: list[str] = []
    for piece in out:
        if merged and len(merged[-1]) + len(piece) < limit:
            merged[-1] += "\n" + piece
        else:
            merged.append(piece)
    return merged or [""]


def paragraphs(
    value: Any, style: ParagraphStyle, prefix: str = "", suffix: str = "", width: float = 16.0 * cm
) -> list[Paragraph]:
    """Escaped, chunked paragraphs; right-to-left text is wrapped in reading order first.

    Bidi reordering works on a line: reordering a whole paragraph and then letting ReportLab wrap
    it would print the lines of an Arabic or Hebrew note bottom-up. So RTL text is split into
    lines here (measured with the body font), each line is reordered, and the paragraph is
    right-aligned.
    """
    parts = chunks(value)
    out: list[Paragraph] = []
    for i, part in enumerate(parts):
        head = prefix if i == 0 else ""
        tail = suffix if i == len(parts) - 1 else ""
        if _RTL.search(part):
            lines = [
                ln
                for raw in part.split("\n")
                for ln in (simpleSplit(raw, FONT, style.fontSize, width) or [""])
            ]
            rtl_style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
            out.append(Paragraph(head + "<br/>".join(text(ln, base=None) for ln in lines) + tail, rtl_style))
        else:
            out.append(Paragraph(head + text(part) + tail, style))
    return out


# -- styles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    h1: ParagraphStyle
    part: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    quote: ParagraphStyle
    cell: ParagraphStyle
    cover: ParagraphStyle
    marking: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        label=ParagraphStyle(
            "label", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=11, textColor=MUTED, spaceBefore=4
        ),
        h1=ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=8),
        part=ParagraphStyle("part", parent=body, fontName=FONT_BOLD, fontSize=16, leading=21, spaceAfter=6),
        h2=ParagraphStyle(
            "h2", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17, spaceBefore=10, spaceAfter=4
        ),
        h3=ParagraphStyle("h3", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6),
        quote=ParagraphStyle("quote", parent=body, fontSize=11, leading=15),
        cell=ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.2),
        cover=ParagraphStyle("cover", parent=body, fontSize=11, leading=16),
        marking=ParagraphStyle(
            "marking",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=16,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#8a1c1c"),
        ),
    )


# -- inputs -----------------------------------------------------------------------------------

FormLookup = Callable[[str, int], FormSpec | None]  # (form_id, version) -> the form, if installed


@dataclass
class RenderInput:
    """Everything the PDF shows; built by ``app.core.packs.export`` from the vault."""

    kind: str
    pack_id: str
    case_data: dict[str, Any]
    author: dict[str, str]
    created_at: str
    attachments: dict[str, bytes] = field(default_factory=dict)
    chronology: list[ChronologyLine] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    form_lookup: FormLookup | None = None
    recipient: str | None = None
    share: dict[str, str] | None = None  # the sharing-log entry (app.core.shares.manifest_entry)
    date_range: tuple[str | None, str | None] = (None, None)
    withheld: tuple[str, ...] = ()  # a parent's copy: why things were left out (never what)
    data_json: bytes | None = None  # the pack's data.json, attached to the PDF (PDF/A-3 /AF)


def person_name(p: dict[str, Any]) -> str:
    # The name shown everywhere (a placeholder for a child not yet named, never empty).
    if p.get("name_unknown") or not p.get("known_as"):
        return display_name_of(p)
    name = " ".join(x for x in (p.get("given_name"), p.get("family_name")) if x)
    return f"{name} (known as {p['known_as']})" if name else str(p["known_as"])


# -- field rendering --------------------------------------------------------------------------


class Ctx:
    """Per-render lookups shared by the field renderers."""

    def __init__(self, inp: RenderInput) -> None:
        self.inp = inp
        self.st = styles()
        people = (inp.case_data.get("case") or {}).get("people") or []
        self.names = {str(p.get("id")): person_name(p) for p in people}

    def person(self, pid: Any) -> str:
        return self.names.get(str(pid), str(pid))

    def form(self, form_id: str, version: int) -> FormSpec | None:
        if self.inp.form_lookup is None:
            return None
        try:
            return self.inp.form_lookup(form_id, version)
        except NotFound:  # a record of a form this installation does not have
            return None


def r_text(ctx: Ctx, f: FieldSpec, v: Any) -> list[Any]:
    """Every type whose value reads as plain text: its type says it (labels, not codes)."""
    return list(paragraphs(f.kind.text(f, v, ctx.names), ctx.st.body))


def quote_box(ctx: Ctx, q: Any) -> Table:
    """The child's exact words, boxed and labelled so that they cannot be taken for interpretation."""
    if not isinstance(q, dict):
        q = {"words": q}
    rows: list[Any] = [
        Paragraph(f"<b>{escape(QUOTE_LABEL)}</b>", ctx.st.small),
        *paragraphs(q.get("words", ""), ctx.st.quote, prefix="\u201c", suffix="\u201d"),
    ]
    meta = [
        f"{label}: {q[k]}"
        for k, label in (("asked_by", "Asked by"), ("question", "Question"), ("context", "Context"))
        if q.get(k)
    ]
    if meta:
        rows.append(Paragraph(text("\n".join(meta)), ctx.st.small))
    t = Table([[r] for r in rows], colWidths=[16.5 * cm], splitInRow=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, -1), QUOTE_BG),
                ("LINEBEFORE", (0, 0), (0, -1), 3, QUOTE_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return t


def r_quote(ctx: Ctx, f: FieldSpec, v: Any) -> list[Any]:
    quotes = v if isinstance(v, list) else [v]
    return [quote_box(ctx, q) for q in quotes]


def r_table(ctx: Ctx, f: FieldSpec, v: Any) -> list[Any]:
    rows = [r for r in v if isinstance(r, dict)] if isinstance(v, list) else []
    cols = list(f.columns)
    if not cols:
        return r_text(ctx, f, v)
    head = [Paragraph(f"<b>{text(c.label)}</b>", ctx.st.cell) for c in cols]
    # A cell its row hides (show_if naming the same row: no category without a plan) prints blank.
    shown = [cell_states(f, r) for r in rows]
    body = [
        [
            Paragraph(text(c.kind.text(c, r.get(c.key), ctx.names) if s[c.key].shown else ""), ctx.st.cell)
            for c in cols
        ]
        for r, s in zip(rows, shown, strict=True)
    ]
    width = 16.5 * cm / len(cols)
    t = Table([head, *body], colWidths=[width] * len(cols), repeatRows=1, splitInRow=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b8c0c8")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [t]


@lru_cache(maxsize=1)
def body_map_outline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("body_map", "child.json").read_text("utf-8"))
    return data


def _path(cmds: list[list[Any]], scale: float, height: float, **kw: Any) -> Path:
    p = Path(**kw)
    for c in cmds:
        op, nums = c[0], [float(x) * scale for x in c[1:]]
        pts = [(nums[i], height - nums[i + 1]) for i in range(0, len(nums), 2)]
        if op == "M":
            p.moveTo(*pts[0])
        elif op == "L":
            p.lineTo(*pts[0])
        elif op == "C":
            p.curveTo(*pts[0], *pts[1], *pts[2])
        elif op == "Z":
            p.closePath()
    return p


def body_map_drawing(markers: list[dict[str, Any]], *, scale: float = 0.5 * mm) -> Drawing:
    """Front and back outlines side by side, with numbered markers at their fractional positions."""
    outline = body_map_outline()
    w, h = outline["width"] * scale, outline["height"] * scale
    gap = 12 * mm
    d = Drawing(2 * w + gap, h + 6 * mm)
    # Without this the renderer starts from Helvetica, a non-embedded font, in the signed PDF.
    d.initialFontName = FONT
    for i, side in enumerate(("front", "back")):
        g = Group()
        spec = outline["sides"][side]
        for cmds in spec["paths"]:
            g.add(
                _path(
                    cmds, scale, h, fillColor=colors.HexColor("#f3f5f7"), strokeColor=MUTED, strokeWidth=0.8
                )
            )
        for cmds in spec.get("details", []):
            g.add(
                _path(cmds, scale, h, fillColor=None, strokeColor=colors.HexColor("#a0a8b0"), strokeWidth=0.4)
            )
        g.add(
            String(
                w / 2,
                h + 2 * mm,
                side.capitalize(),
                fontName=FONT,
                fontSize=7,
                textAnchor="middle",
                fillColor=MUTED,
            )
        )
        for m in markers:
            if m.get("side") != side:
                continue
            try:
                x, y = float(m["x"]) * w, h - float(m["y"]) * h
            except (KeyError, TypeError, ValueError):
                continue
            g.add(
                Circle(
                    x,
                    y,
                    2.2 * mm,
                    fillColor=colors.HexColor("#c0392b"),
                    strokeColor=colors.white,
                    strokeWidth=0.6,
                )
            )
            g.add(
                String(
                    x,
                    y - 1.1 * mm,
                    str(m.get("n", "")),
                    fontName=FONT_BOLD,
                    fontSize=7,
                    fillColor=colors.white,
                    textAnchor="middle",
                )
            )
        g.translate(i * (w + gap), 0)
        d.add(g)
    return d


def body_map_alt(markers: list[dict[str, Any]]) -> str:
    """What a screen reader says for the body map: each marker's number, side and description."""
    if not markers:
        return "Body map, front and back outlines of a child, with no markers."
    said = "; ".join(f"{m.get('n', '?')}, {m.get('side', '?')}: {m.get('description', '')}" for m in markers)
    return f"Body map, front and back outlines of a child, with {len(markers)} numbered markers: {said}."


def r_body_map(ctx: Ctx, f: FieldSpec, v: Any) -> list[Any]:
    lines = f.kind.text(f, v, ctx.names).split("\n")
    markers = BodyMap.markers(v)
    drawing = with_alt(body_map_drawing(markers), body_map_alt(markers))
    return [drawing, *(Paragraph(text(ln), ctx.st.body) for ln in lines if ln)]


def r_image(ctx: Ctx, f: FieldSpec, v: Any) -> list[Any]:
    items = v if isinstance(v, list) else [v]
    out: list[Any] = []
    for it in items:
        if not isinstance(it, dict):
            continue
        blob = ctx.inp.attachments.get(str(it.get("sha256")))
        if blob is None:
            out.append(Paragraph(text(f"[image {str(it.get('sha256'))[:12]}… not included]"), ctx.st.small))
            continue
        picture: list[Any] = []
        try:
            reader = ImageReader(io.BytesIO(blob))
            iw, ih = reader.getSize()
            width = min(8 * cm, float(iw))
            image = Image(io.BytesIO(blob), width=width, height=width * ih / max(iw, 1), hAlign="LEFT")
            picture.append(with_alt(image, f"Photograph: {it.get('caption') or 'no caption was given'}"))
        except Exception:  # a damaged image must not stop the pack
            picture.append(Paragraph(text("[this image could not be drawn]"), ctx.st.small))
        if it.get("caption"):
            picture.append(Paragraph(text(it["caption"]), ctx.st.small))
        out.append(KeepTogether(picture))  # a caption never on another page than its picture
    return out


# One renderer per PDF key a field type names (``FieldType.pdf``); a test walks the registry.
FIELD_RENDERERS: dict[str, Callable[[Ctx, FieldSpec, Any], list[Any]]] = {
    "text": r_text,
    "table": r_table,
    "quote": r_quote,
    "image": r_image,
    "body_map": r_body_map,
}
NOT_RECORDED = "Not recorded"


def render_field(ctx: Ctx, f: FieldSpec, v: Any) -> list[Any]:
    """Label + value; opinion fields are shaded and labelled, quotes boxed (the form's hints)."""
    renderer = r_quote if f.pdf.get("emphasis") == "quote" else FIELD_RENDERERS[f.kind.pdf]
    opinion = bool(f.pdf.get("opinion"))
    head = Paragraph(
        text(f.label) + (f" <font color='#8a6d1c'>[{OPINION_LABEL}]</font>" if opinion else ""), ctx.st.label
    )
    if f.kind.is_empty(v):  # only for a field whose form asks for it (hide_if_empty = false)
        return [head, Paragraph(text(NOT_RECORDED), ctx.st.small)]
    flow = renderer(ctx, f, v)
    if opinion and flow:
        box = Table([[x] for x in flow], colWidths=[16.5 * cm], splitInRow=1)
        box.setStyle(
            TableStyle([("FONT", (0, 0), (-1, -1), FONT), ("BACKGROUND", (0, 0), (-1, -1), OPINION_BG)])
        )
        flow = [box]
    return [head, *flow]


def record_flowables(ctx: Ctx, rec: dict[str, Any]) -> list[Any]:
    form_id, version = str(rec.get("form_id", "?")), int(rec.get("form_version") or 1)
    form = ctx.form(form_id, version)
    title = form_title(form, form_id)
    when = in_words(rec.get("occurred_at") or rec.get("created_at") or "")
    author = rec.get("author") or {}
    status = "Final record" if rec.get("status") == "final" else "DRAFT — not finalised"
    who = ", ".join(x for x in (author.get("role"), author.get("agency")) if x)
    written = in_words(rec.get("finalised_at") or rec.get("created_at") or "")
    out: list[Any] = [
        Paragraph(text(f"{title} — {when}" if when else title), ctx.st.h2),
        Paragraph(
            text(
                f"{status}, written by {author.get('name', '?')}"
                + (f" ({who})" if who else "")
                + (f", {written}" if written else "")
            ),
            ctx.st.small,
        ),
    ]
    children = rec.get("children") or []
    if children:
        out.append(Paragraph(text("About: " + ", ".join(ctx.person(c) for c in children)), ctx.st.small))
    data = rec.get("data") or {}
    known: set[str] = set()
    if form is not None:
        # What is printed is what the screen shows and the validator checks: one evaluator.
        states = field_states(form, data)
        for section in form.sections:
            block: list[Any] = []
            for f in section.fields:
                known.add(f.key)
                state = states[f.key]
                if state.shown and (not state.empty or f.pdf.get("hide_if_empty") is False):
                    block += render_field(ctx, f, data.get(f.key))
            if block:
                if section.title:
                    block.insert(0, Paragraph(text(section.title), ctx.st.h3))
                out += block
    # Keys the form does not have (or a form this installation lacks) are printed, not lost.
    for k, v in data.items():
        if k not in known and not is_blank(v):
            out += render_field(ctx, _guess_field(k, v), v)
    for a in rec.get("addenda") or []:
        a_author = a.get("author") or {}
        out.append(
            Paragraph(
                text(
                    f"Addendum of {in_words(a.get('created_at', ''))} by {a_author.get('name', '?')}: "
                    f"{a.get('reason', '')}"
                ),
                ctx.st.label,
            )
        )
        out += paragraphs(a.get("text", ""), ctx.st.body)
    out.append(Spacer(1, 4 * mm))
    return out


def _guess_field(key: str, v: Any) -> FieldSpec:
    """A field for a stored value the form does not describe, typed by what it looks like."""
    label = key.replace("_", " ").capitalize()
    if isinstance(v, dict) and "markers" in v:
        return FieldSpec(key, label, "body_map")
    first = v[0] if isinstance(v, list) and v else v
    if isinstance(first, dict) and "words" in first:
        return FieldSpec(key, label, "verbatim_quote")
    if isinstance(first, dict) and "sha256" in first:
        return FieldSpec(key, label, "image")
    if isinstance(v, dict) and "date" in v:
        return FieldSpec(key, label, "approximate_date")
    if isinstance(v, list) and v and all(isinstance(r, dict) for r in v):
        keys = list(dict.fromkeys(k for r in v for k in r))
        return FieldSpec(key, label, "table", columns=tuple(_guess_field(k, None) for k in keys))
    return FieldSpec(key, label, "text")


# -- document ---------------------------------------------------------------------------------

CHRONO_BLOCK = 40
# Column widths in cm, in the order of the chronology's own columns (17.4 cm: the A4 frame).
CHRONO_WIDTHS = (2.7, 2.3, 4.3, 3.2, 2.8, 2.1)


CHRONO_SIZE = 7.5  # the chronology cells' font size


@lru_cache(maxsize=65536)
def _cell_width(word: str) -> float:
    """A word's width in the chronology's cell font (cached: a chronology repeats its words, and
    measuring them was a third of drawing a 2,000-line chronology)."""
    return float(pdfmetrics.stringWidth(word, FONT, CHRONO_SIZE))


def _wrapped(s: str, width: float) -> str:
    """``s`` in lines that fit ``width``: ReportLab's ``simpleSplit`` (greedy, word by word, a
    word too long for a line on a line of its own), with the words' widths cached."""
    space, out = _cell_width(" "), []
    for para in s.split("\n"):
        line: list[str] = []
        used = -space
        for word in para.split():
            w = _cell_width(word)
            if used + space + w <= width or not line:
                line.append(word)
                used += space + w
            else:
                out.append(" ".join(line))
                line, used = [word], w
        if line:
            out.append(" ".join(line))
    return "\n".join(out)


def chronology_table(ctx: Ctx, lines: list[ChronologyLine]) -> list[LongTable]:
    """The chronology with the screen's columns and words ("about 2026-03-01", "High")."""
    st = ctx.st.cell
    head = [Paragraph(f"<b>{escape(label)}</b>", st) for _, label in CHRONOLOGY_COLUMNS]
    rows: list[list[Any]] = [head]
    cols = [(key, w * cm) for (key, _), w in zip(CHRONOLOGY_COLUMNS, CHRONO_WIDTHS, strict=True)]
    for ln in lines:
        row: list[Any] = []
        for key, width in cols:
            s = unicodedata.normalize("NFC", str(getattr(ln, key)))
            if _RTL.search(s):
                row.append(Paragraph(text(s), st))
            else:
                # Pre-wrapped plain strings draw several times faster than Paragraphs, and a plain
                # cell is drawn literally (never parsed as markup).
                row.append(_wrapped(_CONTROL.sub("\N{REPLACEMENT CHARACTER}", s), width - 7))
        rows.append(row)
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, CHRONO_SIZE),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c4cbd2")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEADING", (0, 0), (-1, -1), 9.2),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    # One table per block of rows: splitting one long table across pages re-measures every
    # remaining row at each page break (quadratic in the chronology's length).
    widths = [w for _, w in cols]
    return [
        LongTable(
            [rows[0], *rows[i : i + CHRONO_BLOCK]], colWidths=widths, repeatRows=1, style=style, splitInRow=1
        )
        for i in range(1, max(len(rows), 2), CHRONO_BLOCK)
    ]


def form_title(form: FormSpec | None, form_id: str) -> str:
    """What a record is called in the pack: its form's title, never its id."""
    return form.title if form is not None else form_id.replace("_", " ").capitalize()


class Bookmark(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """An entry in the PDF reader's outline (bookmarks) where it is drawn; takes no space."""

    def __init__(self, title: str, level: int = 0) -> None:
        super().__init__()
        self.title, self.level = title, level
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        key = f"fb-{id(self)}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(self.title, key, level=self.level)
        self.canv.showOutline()  # the reader opens with the bookmarks shown


def heading(ctx: Ctx, title: str) -> list[Any]:
    """A part of the pack: a new page, its heading and its bookmark."""
    return [PageBreak(), Bookmark(title), Paragraph(text(title), ctx.st.part)]


# The parts of each kind of pack, in the order their readers want them (issue 16: a conference
# chair reads the report first; the chronology is an appendix). Records of forms not named here
# go in the last part; strategy discussion minutes only ever appear when they were included.
PARTS = {
    "conference": (
        ("The agency's report", ("conference_report",)),
        ("The child's voice", ("childs_voice",)),
        ("Agency contributions", None),
        ("Strategy discussion minutes", ("strategy_discussion",)),
    ),
    "parents": (
        ("The agency's report", ("conference_report",)),
        ("The child's voice", ("childs_voice",)),
        ("What the report rests on", None),
    ),
    "referral": (
        ("The referral", ("referral",)),
        ("The child's voice", ("childs_voice",)),
        ("Concerns and other records", None),
    ),
}


def parts(kind: str, records: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The records of each part of the pack, oldest first within a part (empty parts left out)."""
    plan = PARTS.get(kind, (("Records", None),))
    named = {f for _, forms in plan for f in forms or ()}
    out = []
    for title, forms in plan:
        chosen = [
            r
            for r in records
            if (r.get("form_id") in forms if forms is not None else r.get("form_id") not in named)
            and r.get("form_id") != ENTRY_FORM  # hand-made entries are the chronology appendix
        ]
        chosen.sort(key=lambda r: str(r.get("occurred_at") or r.get("created_at") or ""))
        if chosen:
            out.append((title, chosen))
    return out


def _age(p: dict[str, Any], on: str) -> str:
    """ "7 years", "14 months", "unborn, due 1 Feb 2027" on the pack's date."""
    if p.get("due_date") and not p.get("dob"):
        return f"unborn, due {in_words(p['due_date'], short=True)}"
    born, today = day_of(p.get("dob")), day_of(on)
    if born is None or today is None:
        return "date of birth not known"
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    age = f"{months} months" if months < 24 else f"{months // 12} years"
    return f"{age} (born {in_words(p['dob'], short=True)})"


EVERY_CHILD = "*"  # a report that names no children speaks for all of them


def _said(ctx: Ctx, f: FieldSpec | None, values: dict[str, Any]) -> str:
    """A field's answer in words, or nothing when the form has no such field."""
    return f.kind.text(f, values.get(f.key), ctx.names) if f is not None else ""


def recommended_for(ctx: Ctx, rec: dict[str, Any]) -> dict[str, str]:
    """One conference report's recommendation per child id, in words: a v2 report has a row per
    child (a sibling group and an unborn baby are often decided differently); a v1 report's single
    recommendation speaks for every child it names, or every child when it names none."""
    form = ctx.form(str(rec.get("form_id")), int(rec.get("form_version") or 1))
    data = rec.get("data") or {}
    if form is None:
        return {}

    def words(plan: FieldSpec | None, category: FieldSpec | None, values: dict[str, Any]) -> str:
        return " — ".join(x for x in (_said(ctx, plan, values), _said(ctx, category, values)) if x)

    table = form.field("recommendations")
    if table is not None:
        cols = {c.key: c for c in table.columns}
        return {
            str(child): words(cols.get("plan"), cols.get("category"), row)
            for row in data.get("recommendations") or []
            if isinstance(row, dict)
            for child in row.get("child") or []
        }
    single = words(form.field("recommendation"), form.field("category"), data)
    return {str(child): single for child in data.get("children") or [EVERY_CHILD]} if single else {}


def _recommendations(ctx: Ctx, records: list[dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """The conference (type and date, in words) and each child's recommendation, from the
    agency's report(s) in the pack."""
    conference, by_child = "", {}
    for rec in records:
        if rec.get("form_id") != "conference_report":
            continue
        form = ctx.form("conference_report", int(rec.get("form_version") or 1))
        if form is None:
            continue
        data = rec.get("data") or {}
        said = (_said(ctx, form.field(key), data) for key in ("conference_type", "conference_date"))
        conference = conference or ", ".join(x for x in said if x)
        by_child.update(recommended_for(ctx, rec))
    return conference, by_child


def cover(ctx: Ctx) -> list[Any]:
    """The first page: for a conference, the summary a chair reads first."""
    inp, st = ctx.inp, ctx.st
    case = inp.case_data.get("case") or {}
    people = case.get("people") or []
    kids = [p for p in people if p.get("kind") == "child"]
    conference, recommended = _recommendations(ctx, list(case.get("records") or []))
    out: list[Any] = [
        Bookmark("Summary"),
        Paragraph(MARKING, st.marking),
        Spacer(1, 6 * mm),
        Paragraph(text(KIND_TITLES.get(inp.kind, inp.kind)), st.h1),
        Paragraph(text(f"Case reference: {case.get('reference') or '—'}"), st.cover),
    ]
    if conference:
        out.append(Paragraph(text(f"Conference: {conference}"), st.cover))
    head = ["Child", "Age", "Legal status", *(["Recommendation"] if recommended else [])]

    def recommendation(child: dict[str, Any]) -> str:
        return recommended.get(str(child.get("id"))) or recommended.get(EVERY_CHILD, "—")

    rows = [
        [
            person_name(k),
            _age(k, inp.created_at),
            "; ".join(f"{what.capitalize()}: {words}" for what, words in status_words(k)) or "Not recorded",
            *([recommendation(k)] if recommended else []),
        ]
        for k in kids
    ]
    if rows:
        out += [Paragraph("<b>Children</b>", st.cover), _grid(ctx, head, rows)]
    household = [p for p in people if p.get("kind") == "household"]
    if household:
        out.append(Paragraph("<b>Household</b>", st.cover))
        for p in household:
            pr = " — has parental responsibility" if p.get("parental_responsibility") else ""
            out.append(
                Paragraph(text(f"• {person_name(p)}, {p.get('relationship') or 'household'}{pr}"), st.body)
            )
    others = [p for p in people if p.get("kind") not in ("child", "household")]
    if others:
        out.append(Paragraph("<b>Significant others and professionals</b>", st.cover))
        for p in others:
            role = p.get("relationship") or p.get("role") or p.get("kind", "")
            agency = f", {p['agency']}" if p.get("agency") else ""
            out.append(Paragraph(text(f"• {person_name(p)} — {role}{agency}"), st.body))
    a = inp.author
    out += [
        Spacer(1, 4 * mm),
        Paragraph(text(f"Written by {a.get('name')}, {a.get('role')}, {a.get('agency')}"), st.cover),
        Paragraph(text(f"Created {in_words(inp.created_at)}"), st.cover),
    ]
    if inp.recipient:
        out.append(Paragraph(text(f"Prepared for {inp.recipient}"), st.cover))
    if inp.share:
        from app.core.shares import cover_line

        out.append(Paragraph(text(cover_line(inp.share)), st.cover))
    if inp.withheld:  # a parent's copy says that something was kept back, and why
        out.append(Paragraph(text("Not in this copy: " + "; ".join(inp.withheld) + "."), st.cover))
    lo, hi = inp.date_range
    if lo or hi:
        span = f"Records from {in_words(lo) if lo else 'the start'} to {in_words(hi) if hi else 'today'}"
        out.append(Paragraph(text(span), st.cover))
    if inp.deadlines:
        out.append(Paragraph("<b>Upcoming deadlines</b>", st.cover))
        for dl in inp.deadlines:
            out.append(Paragraph(text(f"• {in_words(dl.get('due', ''))}: {dl.get('label', '')}"), st.body))
            if dl.get("source"):  # its own line, so a web address is not broken mid-word
                out.append(Paragraph(text(f"Source: {dl['source']}"), st.small))
    out += [
        Spacer(1, 6 * mm),
        Paragraph(
            text(
                f"Pack {inp.pack_id}. This document is signed; any change after signing "
                "shows as an invalid signature. Verify it with `fieldbook verify`."
            ),
            st.small,
        ),
    ]
    return out


def _grid(ctx: Ctx, head: list[str], rows: list[list[str]]) -> Table:
    """A small table of plain text with a header row (the summary page's children)."""
    cells = [[Paragraph(f"<b>{text(h)}</b>", ctx.st.cell) for h in head]]
    cells += [[Paragraph(text(v), ctx.st.cell) for v in row] for row in rows]
    t = Table(cells, colWidths=[17.4 * cm / len(head)] * len(head), repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),  # else Helvetica, never embedded, is named
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b8c0c8")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


PAGES_FORM = "fb-page-total"
HEADINGS = {"h1": "H1", "part": "H2", "h2": "H3", "h3": "H4"}  # style → structure role


class _CountedCanvas(TaggedCanvas):
    """Draws "Page N of M": each page shows a form XObject that is filled with the total when the
    document is saved, so the document is laid out once (not twice to learn its length)."""

    def save(self) -> None:
        self.beginForm(PAGES_FORM)
        self.setFont(FONT, 7.5)
        self.setFillColor(MUTED)
        self.drawString(A4[0] - 1.8 * cm - _TOTAL_ROOM, 1.0 * cm, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


_TOTAL_ROOM = 14  # points kept at the right margin for the total (up to four digits at 7.5 pt)


def render_pdf(inp: RenderInput) -> bytes:
    """The unsigned pack PDF. The pack id is in the running header and the document Subject."""
    ctx = Ctx(inp)
    story = cover(ctx)
    records = list((inp.case_data.get("case") or {}).get("records") or [])
    for title, chosen in parts(inp.kind, records):
        story += heading(ctx, title)
        for rec in chosen:
            flows = record_flowables(ctx, rec)
            story += [KeepTogether(flows[:3]), *flows[3:]]
    if inp.chronology:
        story += heading(ctx, "Appendix: chronology")
        story += [
            Paragraph(text(f"Chronology ({len(inp.chronology)} entries)"), ctx.st.h2),
            *chronology_table(ctx, inp.chronology),
        ]
    from app.core.packs.stamp import signature_page  # the boxes the visible signatures fill

    page_break, *signatures = signature_page()  # the bookmark goes on the page it opens
    story += [page_break, Bookmark("Signatures"), *signatures]
    buf = io.BytesIO()
    header = f"{MARKING} · Fieldbook {inp.kind} pack {inp.pack_id}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(1.8 * cm, A4[1] - 1.1 * cm, header)
        canvas.drawRightString(A4[0] - 1.8 * cm - _TOTAL_ROOM, 1.0 * cm, f"Page {doc.page} of ")
        canvas.doForm(PAGES_FORM)
        canvas.drawString(1.8 * cm, 1.0 * cm, MARKING)
        canvas.restoreState()

    case = inp.case_data.get("case") or {}
    attached = (
        (Attachment("data.json", inp.data_json, "application/json", "The pack's structured data"),)
        if inp.data_json is not None
        else ()
    )
    doc = TaggedDocTemplate(
        buf,
        headings=HEADINGS,
        archival=Archival(created=creation_time(inp.created_at), attachments=attached),
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.6 * cm,
        title=f"{KIND_TITLES.get(inp.kind, inp.kind)} {case.get('reference') or ''}",
        author=inp.author.get("name", ""),
        subject=f"Fieldbook {inp.kind} pack {inp.pack_id}",
        creator="Fieldbook",
        invariant=1,  # same content and clock, same bytes (Archival gives the real dates)
        pageCompression=1,
        # The canvas would otherwise start in Helvetica, a font that is never embedded.
        initialFontName=FONT,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_CountedCanvas)
    return buf.getvalue()
