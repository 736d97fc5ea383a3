"""Tagged, archival pack PDFs (issue 16 item 3): a structure tree, PDF/A-3b metadata, data.json.

ReportLab draws; this module adds, in the same pass, what a screen reader and an archive need.

* Drawing: ``TaggedDocTemplate`` draws each flowable through ``TaggedFrame``, which wraps what the
  flowable draws in marked content (``/P <</MCID n>> BDC … EMC``) and records a structure element
  for it: headings by paragraph style (the renderer's ``headings`` map), other paragraphs as P,
  "•" paragraphs as list items (L > LI > LBody), images and drawings as Figure with /Alt. Tables
  report their rows and cells through ReportLab's table render callback: a table with a header
  row is a data table (Table > TR > TH/TD), one without is layout (its cells tagged by what they
  hold). Everything drawn outside a flowable or a cell — running header, footer, "Page N of M",
  table rules and shading — is an /Artifact, so a reader skips it.
* Writing: ``TaggedCanvas.save`` adds, as ReportLab document objects before ReportLab writes the
  file, the StructTreeRoot with its ParentTree, /StructParents on each page, /MarkInfo, /Lang,
  an XMP packet declaring PDF/A-3b, the sRGB output intent and the associated files (data.json).
  The PDF is written once and never re-parsed before it is signed.

The creation time is the caller's (the injected clock), the same in the Info dictionary and the
XMP; nothing here reads the wall clock, so a given clock and content give the same bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, Image, PageTemplate, Paragraph, Spacer, Table

from app.core.paths import resource

LANG = "en-GB"
PDF_VERSION = (1, 7)  # associated files (/AF) are PDF/A-3 on a PDF 1.7 base
ICC_PROFILE = ("icc", "sRGB.icc")
_ARTIFACT = "/Artifact BMC"


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the PDF as an associated file of the document (PDF/A-3 /AF)."""

    name: str
    data: bytes
    media_type: str
    description: str
    relationship: str = "Data"  # /AFRelationship: the file is the data the document shows


@dataclass(frozen=True)
class Archival:
    """What the archive metadata says beyond the Info dictionary's title, author and subject."""

    created: datetime  # the real creation time, from the injected clock
    attachments: tuple[Attachment, ...] = ()
    lang: str = LANG


INVARIANT = datetime(2000, 1, 1, tzinfo=UTC)  # ReportLab's date in invariant mode


def creation_time(iso: str) -> datetime:
    """The creation time from an ISO string; ReportLab's invariant date when none is given (a
    render with no clock behind it, such as a benchmark's filler PDF)."""
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return INVARIANT


def with_alt(flowable: Any, alt: str) -> Any:
    """``flowable`` (an image or a drawing) with the alternative text a screen reader speaks."""
    flowable.__dict__["fb_alt"] = alt  # beside attribute checks (a Drawing allows only its own)
    return flowable


# -- the structure tree, built while drawing -------------------------------------------------


@dataclass(eq=False, slots=True)
class _Elem:
    role: str
    parent: _Elem | None
    alt: str | None = None
    attrs: str = ""  # an attribute dictionary, already PDF syntax (/A)
    kids: list[_Elem | tuple[int, int]] = field(default_factory=list)  # elements or (page, MCID)
    num: int = 0  # its PDF object number once registered

    def add(self, role: str, alt: str | None = None, attrs: str = "") -> _Elem:
        e = _Elem(role, self, alt, attrs)
        self.kids.append(e)
        return e


_TH_SCOPE = "<</O /Table /Scope /Column>>"


def _holds_table(cell: Any) -> bool:
    items = cell if isinstance(cell, list | tuple) else (cell,)
    return any(isinstance(x, Table) for x in items)


class Tagger:
    """Marked content and structure elements for one document, fed by the frame and the tables.

    ``open`` holds, per begun item, (its element or None, whether it is a leaf with marked
    content, where its BDC went in the page's operators — to roll back a flowable that did not
    fit the frame and will be drawn, split or whole, elsewhere). The table callback runs once per
    cell of a 2,000-line chronology, so it is kept lean.
    """

    def __init__(self, canvas: Canvas, headings: Mapping[str, str]) -> None:
        self.canvas = canvas
        self.headings = dict(headings)
        self.root = _Elem("Document", None)
        self.open: list[tuple[_Elem | None, bool, int]] = []
        self.parents: list[_Elem] = [self.root]  # the open elements, innermost last
        self.by_page: list[list[_Elem]] = [[]]  # per page: the element of each MCID
        self.elems: list[_Elem] = [self.root]  # every element, parents before their children

    # -- roles ------------------------------------------------------------------------------

    def role_of(self, f: Any) -> str | None:
        """The structure role of a flowable the frame draws (None: it draws nothing to read)."""
        if isinstance(f, Paragraph):
            role = self.headings.get(getattr(f.style, "name", ""))
            if role:
                return role
            return "LI" if str(getattr(f, "text", "")).lstrip().startswith("\u2022") else "P"
        if isinstance(f, Image | Drawing):
            return "Figure"
        if isinstance(f, Table):
            return "Table"
        if isinstance(f, Spacer):
            return None
        if getattr(f, "width", 0) and getattr(f, "height", 0):
            return "Div"  # anything else that takes room: its drawing is content, untyped
        return None

    def _layout_cell_role(self, cell: Any) -> str:
        """A layout table's cell is tagged by what it holds (a quote box's lines are paragraphs)."""
        items = cell if isinstance(cell, list | tuple) else (cell,)
        flows = [x for x in items if not isinstance(x, str)]
        role = self.role_of(flows[0]) if len(flows) == 1 else "P"
        return role if role not in (None, "Table") else "P"

    # -- marked content ---------------------------------------------------------------------

    def begin(self, role: str | None, *, leaf: bool, alt: str | None = None, attrs: str = "") -> None:
        code = self.canvas._code
        if role is None:
            self.open.append((None, False, len(code)))
            return
        top = self.parents[-1]
        if role == "LI":  # consecutive items share one list
            last = top.kids[-1] if top.kids else None
            if not (isinstance(last, _Elem) and last.role == "L"):
                last = top.add("L")
                self.elems.append(last)
            item = last.add("LI")
            elem = item.add("LBody")
            self.elems += (item, elem)
        else:
            elem = _Elem(role, top, alt, attrs)
            top.kids.append(elem)
            self.elems.append(elem)
        self.open.append((elem, leaf, len(code)))
        if leaf:
            mcids = self.by_page[-1]
            elem.kids.append((len(self.by_page) - 1, len(mcids)))
            code.append(f"EMC /{elem.role} <</MCID {len(mcids)}>> BDC")
            mcids.append(elem)
        else:
            self.parents.append(elem)

    def end(self, *, keep: bool = True) -> None:
        elem, leaf, code_at = self.open.pop()
        if elem is not None and not leaf:
            self.parents.pop()
        if keep:
            if leaf:
                self.canvas._code.append(f"EMC {_ARTIFACT}")
            return
        # Not drawn here: forget the element and its marked content.
        del self.canvas._code[code_at:]
        if elem is None:
            return
        if leaf:
            self.by_page[-1].pop()
            elem.kids.clear()
        while elem.parent is not None and not elem.kids:
            elem.parent.kids.remove(elem)
            if self.elems[-1] is elem:  # the usual case: it was made last (L, LI, LBody in order)
                self.elems.pop()
            else:
                self.elems.remove(elem)
            elem = elem.parent

    # -- tables (ReportLab's render callback) ----------------------------------------------

    def table_event(self, table: Table, event: str, *args: Any) -> None:
        if event == "startCell":  # (row, column, value, style, position, size)
            cell = args[2]
            nested = type(cell) is not str and _holds_table(cell)
            if table._fb_data:
                th = args[0] < table._fb_head
                self.begin("TH" if th else "TD", leaf=not nested, attrs=_TH_SCOPE if th else "")
            else:  # layout around a table: the inner table is the structure
                self.begin(None if nested else self._layout_cell_role(cell), leaf=not nested)
        elif event == "endCell":
            self.end()
        elif event == "startRow":
            if table._fb_data:
                self.begin("TR", leaf=False)
        elif event == "endRow":
            if table._fb_data:
                self.end()
        elif event == "startTable":
            head = table.repeatRows
            table._fb_head = head if isinstance(head, int) else len(head)
            table._fb_data = table._fb_head > 0  # a header row: data; none: layout
            for row in table._cellvalues:  # nested tables report to us too
                for cell in row:
                    for x in cell if isinstance(cell, list | tuple) else (cell,):
                        if isinstance(x, Table):
                            x._renderCB = self.table_event
            self.begin("Table" if table._fb_data else "Div", leaf=False)
        elif event == "endTable":
            self.end()

    # -- pages ------------------------------------------------------------------------------

    def close_page(self) -> None:
        """The page's operators start and end as an artifact (what no flowable drew)."""
        code = self.canvas._code
        code.insert(0, _ARTIFACT)
        code.append("EMC")
        self.by_page.append([])


class TaggedFrame(Frame):  # type: ignore[misc]  # ReportLab is untyped
    """A frame that tags each flowable it draws (see the module docstring)."""

    def add(self, flowable: Any, canv: Any, trySplit: int = 0) -> int:
        tagger: Tagger | None = getattr(canv, "tagger", None)
        role = tagger.role_of(flowable) if tagger is not None else None
        if tagger is None or role is None:
            return int(super().add(flowable, canv, trySplit=trySplit))
        if role == "Table":  # its cells are tagged as the table draws them
            flowable._renderCB = tagger.table_event
            return int(super().add(flowable, canv, trySplit=trySplit))
        tagger.begin(role, leaf=True, alt=getattr(flowable, "fb_alt", None) if role == "Figure" else None)
        drawn = int(super().add(flowable, canv, trySplit=trySplit))
        tagger.end(keep=bool(drawn))
        return drawn


class TaggedDocTemplate(BaseDocTemplate):  # type: ignore[misc]  # ReportLab is untyped
    """SimpleDocTemplate's one-frame page, drawn through ``TaggedFrame``, with the archive details.

    ``headings`` maps paragraph style names to heading roles ("h1" → "H1"); ``archival`` gives the
    creation time and the associated files.
    """

    def __init__(self, filename: Any, *, headings: Mapping[str, str], archival: Archival, **kw: Any) -> None:
        kw.setdefault("lang", archival.lang)
        kw.setdefault("displayDocTitle", 1)
        super().__init__(filename, **kw)
        self.fb_headings = headings
        self.fb_archival = archival

    def build(self, flowables: list[Any], onFirstPage: Any, onLaterPages: Any, canvasmaker: Any) -> None:
        self._calc()
        frame = TaggedFrame(self.leftMargin, self.bottomMargin, self.width, self.height, id="normal")
        self.addPageTemplates(
            [
                PageTemplate(id="First", frames=frame, onPage=onFirstPage, pagesize=self.pagesize),
                PageTemplate(id="Later", frames=frame, onPage=onLaterPages, pagesize=self.pagesize),
            ]
        )
        super().build(flowables, canvasmaker=canvasmaker)

    def _makeCanvas(self, filename: Any = None, canvasmaker: Any = Canvas) -> Any:
        canv = super()._makeCanvas(filename=filename, canvasmaker=canvasmaker)
        if isinstance(canv, TaggedCanvas):
            canv.tagger.headings.update(self.fb_headings)
            canv.archival = self.fb_archival
        return canv


class TaggedCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped
    """A canvas whose pages are artifacts except where the tagger marks content; at save it adds
    the structure tree and the PDF/A metadata (see the module docstring)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw["pdfVersion"] = PDF_VERSION
        super().__init__(*args, **kw)
        self._doc.__class__ = _ArchivalDocument  # the same document, writing PDF/A streams
        self.tagger = Tagger(self, {})
        self.archival: Archival | None = None  # set by TaggedDocTemplate

    def showPage(self) -> None:
        self.tagger.close_page()
        super().showPage()

    def save(self) -> None:
        if self.archival is not None:
            _finish(self._doc, self.tagger, self.archival)
        super().save()


# -- writing: structure tree and metadata as ReportLab document objects ----------------------


class _EolFormat:
    """Writes an end-of-line between a stream's data and ``endstream``, outside /Length (PDF/A
    6.1.7.1; ReportLab writes ``endstream`` straight after the data)."""

    def format(self, document: Any) -> bytes:
        out = bytes(super().format(document))  # type: ignore[misc]
        return out[: -len(_ENDSTREAM)] + b"\n" + _ENDSTREAM


_ENDSTREAM = b"endstream\n"
_EOL_CLASSES = {
    cls: type(f"Eol{cls.__name__}", (_EolFormat, cls), {})
    for cls in (pdfdoc.PDFStream, pdfdoc.PDFImageXObject, pdfdoc.PDFFormXObject)
}


class _ArchivalDocument(pdfdoc.PDFDocument):  # type: ignore[misc]  # ReportLab is untyped
    """ReportLab's document, with every stream it registers written with ``_EolFormat``: page
    contents, fonts and images are made while the file is written, so they are caught here."""

    def Reference(self, obj: Any, name: Any = None) -> Any:  # ReportLab's method name
        eol = _EOL_CLASSES.get(type(obj))
        if eol is not None:
            obj.__class__ = eol
        return super().Reference(obj, name)


class _Raw(pdfdoc.PDFObject):  # type: ignore[misc]  # ReportLab is untyped
    """An indirect object whose body is composed at write time (references resolved by name):
    thousands of table cells format far faster this way than as nested PDFDictionary objects."""

    __RefOnly__ = 1

    def __init__(self, compose: Any) -> None:
        self.compose = compose

    def format(self, document: Any) -> bytes:
        return str(self.compose(document)).encode("latin-1")


class _Body(pdfdoc.PDFObject):  # type: ignore[misc]  # ReportLab is untyped
    """An indirect object whose body was written before the file (its references all known)."""

    __RefOnly__ = 1

    def __init__(self, body: bytes) -> None:
        self.body = body

    def format(self, document: Any) -> bytes:
        return self.body


def _string(document: Any, s: str) -> str:
    return bytes(pdfdoc.PDFString(s).format(document)).decode("latin-1")


def _number_block(document: Any, objects: Sequence[Any]) -> int:
    """Give ``objects`` consecutive object numbers, as ``PDFDocument.Reference`` would one by one
    (without its per-object checks: they are new objects, never registered); returns the first."""
    first: int = document.objectcounter + 1
    document.objectcounter += len(objects)
    nv, by_number, by_name = document.idToObjectNumberAndVersion, document.numberToId, document.idToObject
    for n, obj in enumerate(objects, first):
        name = f"R{n}"  # the name Reference gives; later objects get later numbers
        nv[name] = (n, 0)
        by_number[n] = name
        by_name[name] = obj
    return first


def _register_tree(document: Any, tagger: Tagger) -> str:
    """Number the StructTreeRoot, its ParentTree and every structure element as one block and
    write their bodies in one pass (all their object numbers are known by now: the pages were
    numbered as they were drawn); returns the StructTreeRoot's name.

    A 2,000-line chronology has ~17,000 elements: one loop here, rather than a ReportLab
    ``Reference`` and a name look-up per reference for each of them while the file is written."""
    elems = tagger.elems
    slots: list[Any] = [_Body(b"") for _ in range(len(elems) + 2)]
    first = _number_block(document, slots)
    root_num, tree_num = first, first + 1
    for n, e in enumerate(elems, first + 2):
        e.num = n
    pages = [p for p, mcids in enumerate(tagger.by_page) if mcids]  # (marked content: on these)
    pg = {p: document.idToObjectNumberAndVersion[f"Page{p + 1}"][0] for p in pages}
    for slot, e in zip(slots[2:], elems, strict=True):
        parent = e.parent.num if e.parent is not None else root_num  # Document's: the tree root
        if len(e.kids) == 1 and type(e.kids[0]) is tuple and not e.attrs and e.alt is None:
            page, mcid = e.kids[0]  # a table cell, a paragraph: one marked content
            slot.body = (
                f"<</Type /StructElem /S /{e.role} /P {parent} 0 R /Pg {pg[page]} 0 R /K [{mcid}]>>".encode(
                    "latin-1"
                )
            )
            continue
        kids: list[str] = []
        first_page: int | None = None
        for k in e.kids:
            if isinstance(k, tuple):
                page, mcid = k
                if first_page is None:
                    first_page = page
                if page == first_page:
                    kids.append(str(mcid))
                else:  # marked content on another page than the element's /Pg
                    kids.append(f"<</Type /MCR /Pg {pg[page]} 0 R /MCID {mcid}>>")
            else:
                kids.append(f"{k.num} 0 R")
        head = f"<</Type /StructElem /S /{e.role} /P {parent} 0 R"
        if first_page is not None:
            head += f" /Pg {pg[first_page]} 0 R"
        if e.attrs:
            head += f" /A {e.attrs}"
        tail = f" /K [{' '.join(kids)}]>>"
        if e.alt is None:
            slot.body = (head + tail).encode("latin-1")
        else:  # the string is written as the file is (as ReportLab writes every string)
            by_name = document.idToObject
            by_name[document.numberToId[e.num]] = _Raw(
                lambda d, head=head, alt=e.alt, tail=tail: f"{head} /Alt {_string(d, alt)}{tail}"
            )
    nums = " ".join(f"{p} [{' '.join(f'{e.num} 0 R' for e in tagger.by_page[p])}]" for p in pages)
    slots[1].body = f"<</Nums [{nums}]>>".encode("latin-1")
    next_key = (pages[-1] + 1) if pages else 0
    slots[0].body = (
        f"<</Type /StructTreeRoot /K [{tagger.root.num} 0 R] "
        f"/ParentTree {tree_num} 0 R /ParentTreeNextKey {next_key}>>"
    ).encode("latin-1")
    for p in pages:
        page = document.Pages.pages[p]
        page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = p
        page.Tabs = pdfdoc.PDFName("S")  # tab order follows the structure (PDF/UA)
    return str(document.numberToId[root_num])


def pdf_date(moment: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm') in the moment's own offset (UTC if naive)."""
    m = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    off = m.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"D:{m:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def xmp_date(moment: datetime) -> str:
    m = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return m.isoformat(timespec="seconds")


def xmp_packet(*, title: str, author: str, subject: str, producer: str, creator: str,
               keywords: str, created: datetime, lang: str) -> bytes:  # fmt: skip
    """The XMP metadata (PDF/A-3b identification, Dublin Core, the Info dictionary's values)."""
    t, a, s = escape(title), escape(author), escape(subject)
    when = xmp_date(created)
    xml = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>3</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{t}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{a}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{s}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
<xmp:MetadataDate>{when}</xmp:MetadataDate>
<xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdf:Producer>{escape(producer)}</pdf:Producer>
<pdf:Keywords>{escape(keywords)}</pdf:Keywords>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return xml.encode("utf-8")


@lru_cache(maxsize=1)
def icc_profile() -> bytes:
    """The sRGB ICC profile of the output intent (resources/icc, see its README)."""
    return resource(*ICC_PROFILE).read_bytes()


def _stream(dictionary: dict[str, Any], content: bytes, *, compress: bool) -> Any:
    if compress:
        dictionary = {**dictionary, "Filter": pdfdoc.PDFName("FlateDecode")}
        content = zlib.compress(content)
    # filters=[]: ReportLab applies none of its own (the content is already what it says).
    return pdfdoc.PDFStream(pdfdoc.PDFDictionary(dictionary), content, filters=[])


def _name(s: str) -> str:
    """A PDF name with "/" written as #2F (ReportLab's PDFName leaves "/" as it is)."""
    return "/" + "".join(c if c.isalnum() or c in "-_." else f"#{ord(c):02X}" for c in s)


def _attachments(document: Any, files: Sequence[Attachment], when: str) -> tuple[Any, Any]:
    """(the /AF array, the /EmbeddedFiles name tree) for the associated files."""
    specs, names = [], []
    for f in files:
        ef = _stream(
            {
                "Type": pdfdoc.PDFName("EmbeddedFile"),
                "Subtype": _name(f.media_type),
                "Params": pdfdoc.PDFDictionary({"Size": len(f.data), "ModDate": pdfdoc.PDFString(when)}),
            },
            f.data,
            compress=True,
        )
        ef_ref = document.Reference(ef)
        spec = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("Filespec"),
                "F": pdfdoc.PDFString(f.name),
                "UF": pdfdoc.PDFString(f.name),
                "Desc": pdfdoc.PDFString(f.description),
                "AFRelationship": pdfdoc.PDFName(f.relationship),
                "EF": pdfdoc.PDFDictionary({"F": ef_ref, "UF": ef_ref}),
            }
        )
        ref = document.Reference(spec)
        specs.append(ref)
        names += [pdfdoc.PDFString(f.name), ref]
    tree = pdfdoc.PDFDictionary({"Names": pdfdoc.PDFArray(names)})
    return pdfdoc.PDFArray(specs), tree


def _finish(document: Any, tagger: Tagger, archival: Archival) -> None:
    """Structure tree, language, metadata, output intent and associated files, on the catalog."""
    cat = document.Catalog
    extra = ["OutputIntents", "AF"]
    cat.__NoDefault__ = [*cat.__NoDefault__, *extra]
    cat.__Refs__ = [*cat.__Refs__, *extra]
    cat.StructTreeRoot = pdfdoc.PDFObjectReference(_register_tree(document, tagger))
    cat.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
    cat.Lang = pdfdoc.PDFString(archival.lang)
    info = document.info
    when = pdf_date(archival.created)
    info._dateFormatter = lambda *_: when  # Info's CreationDate and ModDate: the real time
    cat.Metadata = _stream(
        {"Type": pdfdoc.PDFName("Metadata"), "Subtype": pdfdoc.PDFName("XML")},
        xmp_packet(
            title=info.title,
            author=info.author,
            subject=info.subject,
            producer=info.producer,
            creator=info.creator,
            keywords=info.keywords,
            created=archival.created,
            lang=archival.lang,
        ),
        compress=False,  # PDF/A: metadata readable by tools that do not inflate streams
    )
    profile = _stream({"N": 3}, icc_profile(), compress=True)
    cat.OutputIntents = pdfdoc.PDFArray(
        [
            pdfdoc.PDFDictionary(
                {
                    "Type": pdfdoc.PDFName("OutputIntent"),
                    "S": pdfdoc.PDFName("GTS_PDFA1"),
                    "OutputConditionIdentifier": pdfdoc.PDFString("sRGB IEC61966-2.1"),
                    "RegistryName": pdfdoc.PDFString("http://www.color.org"),
                    "Info": pdfdoc.PDFString("sRGB IEC61966-2.1"),
                    "DestOutputProfile": document.Reference(profile),
                }
            )
        ]
    )
    if archival.attachments:
        cat.AF, files = _attachments(document, archival.attachments, when)
        cat.Names = pdfdoc.PDFDictionary({"EmbeddedFiles": files})  # ReportLab uses no /Names
