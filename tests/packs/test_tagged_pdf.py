"""Accessible and archival pack PDFs (issue 16 item 3), read with poppler and qpdf, not our code.

veraPDF is not packaged for Debian or PyPI, so the PDF/A-3b essentials it would check are checked
here one by one: XMP identification, Info/XMP agreement, sRGB output intent, embedded fonts, the
associated data.json, no encryption, the binary header comment.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.packs.export import ExportOptions, export_pack
from app.core.paths import resource
from tests.packs.conftest import People
from tests.packs.helpers import demo_vault, need_tool

MADE = datetime(2026, 12, 2, 9, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """The demo case's conference pack, exported from a real vault at a fixed time: (PDF, ZIP)."""
    folder = tmp_path_factory.mktemp("tagged")
    demo = demo_vault(folder, FixedClock(MADE))
    built = export_pack(
        demo["store"],
        demo["registry"],
        demo["case"],
        demo["identity"],
        ExportOptions("conference"),
        clock=demo["clock"],
    )
    demo["vault"].close()
    path = folder / "pack.pdf"
    path.write_bytes(built.pdf)
    yield path, built.zip_bytes


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([need_tool(args[0]), *args[1:]], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def objects(pack: tuple[Path, bytes]) -> dict[str, Any]:
    """Every object of the PDF as qpdf's JSON shows it (object id → value)."""
    out = run("qpdf", "--json", "--json-key=qpdf", str(pack[0]))
    assert out.returncode == 0, out.stderr
    found: dict[str, Any] = json.loads(out.stdout)["qpdf"][1]
    return {k.removeprefix("obj:"): v.get("value", v.get("stream", {}).get("dict")) for k, v in found.items()}


def catalog(objects: dict[str, Any]) -> dict[str, Any]:
    return next(v for v in objects.values() if isinstance(v, dict) and v.get("/Type") == "/Catalog")


def deref(objects: dict[str, Any], value: Any) -> Any:
    return objects[value] if isinstance(value, str) and value.endswith(" R") else value


def test_pdfinfo_reports_a_tagged_document_with_its_metadata(pack: tuple[Path, bytes]) -> None:
    """pdfinfo: tagged, with a metadata stream, the title, and the real creation time (not 2000)."""
    out = run("pdfinfo", str(pack[0])).stdout
    assert re.search(r"^Tagged:\s+yes$", out, re.M)
    assert re.search(r"^Metadata Stream:\s+yes$", out, re.M)
    assert re.search(r"^Title:\s+Report to a child protection conference", out, re.M)
    assert re.search(r"^CreationDate:\s+Wed Dec\s+2 09:15:00 2026 UTC$", out, re.M), out
    assert "2000" not in re.search(r"^ModDate:.*$", out, re.M).group(0)  # type: ignore[union-attr]


def test_structure_has_headings_tables_lists_and_figures(pack: tuple[Path, bytes]) -> None:
    """A screen reader finds the title as H1, parts as H2, tables with header cells, lists, figures."""
    out = run("pdfinfo", "-struct-text", str(pack[0])).stdout
    roles = set(re.findall(r"^\s*([A-Z][A-Za-z0-9]*)\b", out, re.M))
    assert {"Document", "H1", "H2", "H3", "P", "Table", "TR", "TH", "TD", "L", "LI", "Figure"} <= roles
    assert re.search(r'^  H1 \(block\)\n    "Report to a child protection conference"$', out, re.M)
    assert re.search(r'^  H2 \(block\)\n    "Appendix: chronology"$', out, re.M)
    assert re.search(r'TH:\n\s+/Scope /Column\n\s+"Child"', out)  # the summary's children table
    assert re.search(r'LBody \(block\)\n\s+"• Grace Okafor, mother', out)


def test_page_furniture_is_not_read_out(pack: tuple[Path, bytes]) -> None:
    """The running header, the marking line and "Page N of M" are artifacts, outside the structure."""
    text = run("pdftotext", str(pack[0]), "-").stdout
    assert "Page 1 of" in text and "Fieldbook conference pack" in text  # printed on the page…
    tree = run("pdfinfo", "-struct-text", str(pack[0])).stdout
    assert "Page 1 of" not in tree and "Fieldbook conference pack" not in tree  # …not in the tree


def test_body_map_figure_is_described_by_its_markers(objects: dict[str, Any]) -> None:
    """The body map's alternative text names each marker: number, side and what was seen."""
    figures = [v for v in objects.values() if isinstance(v, dict) and v.get("/S") == "/Figure"]
    alts = [str(f.get("/Alt", "")) for f in figures]
    assert all(alts), "every figure has alternative text"
    body = [a for a in alts if "Body map" in a]
    assert body and "1, front: Round bruise, 1 cm, blue, left upper arm" in body[0]
    assert "3, back: Bruise, 2 cm, lower back" in body[0]


def test_catalog_declares_language_marking_and_title_display(objects: dict[str, Any]) -> None:
    """/Lang en-GB, /MarkInfo Marked, DisplayDocTitle, and a structure tree with a parent tree."""
    cat = catalog(objects)
    assert cat["/Lang"] == "u:en-GB"
    assert deref(objects, cat["/MarkInfo"])["/Marked"] is True
    assert deref(objects, cat["/ViewerPreferences"])["/DisplayDocTitle"] is True
    root = deref(objects, cat["/StructTreeRoot"])
    assert root["/Type"] == "/StructTreeRoot" and "/ParentTree" in root


def test_qpdf_finds_nothing_wrong(pack: tuple[Path, bytes]) -> None:
    """qpdf --check: no syntax or stream errors and no warnings in the signed, tagged file."""
    out = run("qpdf", "--check", str(pack[0]))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "WARNING" not in out.stdout + out.stderr


def test_signature_still_covers_the_tagged_document(pack: tuple[Path, bytes]) -> None:
    """pdfsig: the author's signature is valid and covers the whole tagged file."""
    out = run("pdfsig", str(pack[0])).stdout
    assert "Signature is Valid." in out and "Total document signed" in out


def test_xmp_declares_pdfa_3b_and_agrees_with_the_info_dictionary(pack: tuple[Path, bytes]) -> None:
    """XMP: PDF/A-3 conformance B, the title, and the creation time of the injected clock."""
    xmp = run("pdfinfo", "-meta", str(pack[0])).stdout
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<xmp:CreateDate>2026-12-02T09:15:00+00:00</xmp:CreateDate>" in xmp
    assert "<xmp:ModifyDate>2026-12-02T09:15:00+00:00</xmp:ModifyDate>" in xmp
    info = run("pdfinfo", str(pack[0])).stdout
    title = re.search(r"^Title:\s+(.*)$", info, re.M).group(1)  # type: ignore[union-attr]
    producer = re.search(r"^Producer:\s+(.*)$", info, re.M).group(1)  # type: ignore[union-attr]
    assert f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in xmp
    assert f"<pdf:Producer>{producer}</pdf:Producer>" in xmp  # signing left both as they were


def test_srgb_output_intent_with_the_shipped_profile(objects: dict[str, Any]) -> None:
    """An sRGB output intent (GTS_PDFA1) whose profile is RGB with three components."""
    intents = deref(objects, catalog(objects)["/OutputIntents"])
    intent = deref(objects, intents[0])
    assert intent["/S"] == "/GTS_PDFA1" and "sRGB" in intent["/OutputConditionIdentifier"]
    assert deref(objects, intent["/DestOutputProfile"])["/N"] == 3
    icc = resource("icc", "sRGB.icc").read_bytes()
    assert icc[36:40] == b"acsp" and icc[12:24] == b"mntrRGB XYZ " and icc[8] == 4


def test_data_json_is_attached_as_the_documents_data(pack: tuple[Path, bytes], tmp_path: Path) -> None:
    """pdfdetach extracts data.json, byte for byte the pack's own, as an associated file (/AF Data)."""
    pdf, zip_bytes = pack
    assert re.search(r"^1: data\.json$", run("pdfdetach", "-list", str(pdf)).stdout, re.M)
    out = tmp_path / "data.json"
    assert run("pdfdetach", "-save", "1", "-o", str(out), str(pdf)).returncode == 0
    assert out.read_bytes() == zipfile.ZipFile(io.BytesIO(zip_bytes)).read("data.json")


def test_data_json_is_an_associated_file(objects: dict[str, Any]) -> None:
    """The catalog's /AF names data.json with /AFRelationship /Data and MIME application/json."""
    spec = deref(objects, deref(objects, catalog(objects)["/AF"])[0])
    assert spec["/AFRelationship"] == "/Data" and spec["/UF"] == "u:data.json"
    assert deref(objects, spec["/EF"]["/F"])["/Subtype"] == "/application/json"


def test_pdfa_essentials_fonts_header_no_encryption(pack: tuple[Path, bytes]) -> None:
    """Every font embedded, no encryption, the binary header comment, an EOL before endstream."""
    fonts = run("pdffonts", str(pack[0])).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", f) for f in fonts), fonts
    head = pack[0].read_bytes()[:64]
    assert re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", head)
    assert re.search(r"^Encrypted:\s+no$", run("pdfinfo", str(pack[0])).stdout, re.M)
    body = pack[0].read_bytes()
    assert body.count(b"endstream") == len(re.findall(rb"(?:\r\n|\n|\r)endstream", body))  # 6.1.7.1


def test_same_clock_same_bytes_and_the_creation_time_follows_the_clock() -> None:
    """Rendering twice at one time gives identical bytes; the dates are the given time, not 2000."""
    from dataclasses import replace

    from app.core.packs.pdf import RenderInput, render_pdf
    from tests.packs.helpers import SAM
    from tests.packs.sample import sample_case

    data, images, lines = sample_case()
    inp = RenderInput("referral", "pack-1", data, SAM, "2026-11-23T09:00:00Z", images, lines)
    first = render_pdf(inp)
    assert render_pdf(inp) == first
    assert b"/CreationDate (D:20261123090000+00'00')" in first
    later = render_pdf(replace(inp, created_at="2026-11-24T10:30:00Z"))
    assert b"/CreationDate (D:20261124103000+00'00')" in later
    assert b"<xmp:CreateDate>2026-11-24T10:30:00+00:00</xmp:CreateDate>" in later


def test_countersigned_pack_stays_tagged_and_archival(
    pack: tuple[Path, bytes], people: People, tmp_path: Path
) -> None:
    """A manager's countersignature leaves the tags and the XMP alone; pdfsig finds both valid."""
    from app.core.packs.review import add_review

    reviewed = add_review(
        pack[1],
        people.manager,
        decision="approve",
        comment="Agreed",
        clock=FixedClock(MADE + timedelta(hours=2)),
    )
    pdf = tmp_path / "reviewed.pdf"
    pdf.write_bytes(zipfile.ZipFile(io.BytesIO(reviewed)).read("pack.pdf"))
    sigs = run("pdfsig", str(pdf)).stdout
    assert sigs.count("Signature is Valid.") == 2, sigs
    assert re.search(r"^Tagged:\s+yes$", run("pdfinfo", str(pdf)).stdout, re.M)
    assert "<pdfaid:part>3</pdfaid:part>" in run("pdfinfo", "-meta", str(pdf)).stdout


def test_every_marked_content_has_its_structure_element(
    pack: tuple[Path, bytes], objects: dict[str, Any]
) -> None:
    """Each page's MCIDs run 0..n-1 in its content, and the parent tree maps each to an element
    that claims it (no content lost or doubled when a flowable moves to the next page)."""
    root = deref(objects, catalog(objects)["/StructTreeRoot"])
    nums = deref(objects, root["/ParentTree"])["/Nums"]
    tree = {nums[i]: deref(objects, nums[i + 1]) for i in range(0, len(nums), 2)}
    pages = [v for v in objects.values() if isinstance(v, dict) and v.get("/Type") == "/Page"]
    tagged = [p for p in pages if "/StructParents" in p]
    assert len(tagged) == len(tree) and len(tagged) >= len(pages) - 1
    for page in tagged:
        number = page["/Contents"].split()[0]
        content = run("qpdf", f"--show-object={number}", "--filtered-stream-data", str(pack[0])).stdout
        mcids = [int(m) for m in re.findall(r"/MCID (\d+)>> BDC", content)]
        elements = tree[page["/StructParents"]]
        assert mcids == list(range(len(elements)))
        for mcid, ref in enumerate(elements):
            kids = deref(objects, ref)["/K"]
            assert mcid in kids or any(isinstance(k, dict) and k.get("/MCID") == mcid for k in kids)
