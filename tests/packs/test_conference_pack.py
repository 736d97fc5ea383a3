"""The conference pack a chair wants (issue 16), read with poppler and qpdf as a reader would: a
summary page first, the report before the contributions, the chronology as an appendix, dates in
words, "Page N of M", a bookmark per part, captions beside their pictures, form titles not ids."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.packs.export import ExportOptions, export_pack
from tests.packs.helpers import demo_vault, need_tool

PARTS = [
    "Summary",
    "The agency's report",
    "The child's voice",
    "Agency contributions",
    "Appendix: chronology",
    "Signatures",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo case in a real vault, with its author's signing identity."""
    folder = tmp_path_factory.mktemp("conference")
    made = demo_vault(folder, FixedClock(datetime.now(UTC).replace(microsecond=0)))
    yield made
    made["vault"].close()


def export(demo: dict[str, Any], name: str, **options: Any) -> Path:
    """The demo case's signed conference pack's PDF, written to ``name``."""
    built = export_pack(
        demo["store"],
        demo["registry"],
        demo["case"],
        demo["identity"],
        ExportOptions("conference", **options),
        clock=demo["clock"],
    )
    path = demo["dir"] / name
    path.write_bytes(built.pdf)
    return path


@pytest.fixture(scope="module")
def pack_pdf(demo: dict[str, Any]) -> Path:
    """The demo case's conference pack as exported by default."""
    return export(demo, "pack.pdf")


def pages(pdf: Path) -> list[str]:
    out = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True)
    return [p for p in out.stdout.split("\f") if p.strip()]


def test_summary_page_first_then_the_report_and_the_chronology_last(pack_pdf: Path) -> None:
    """Page 1 says which conference, each child's age and legal status and the recommendation for
    them, and who in the household has parental responsibility; the parts follow in the chair's
    order, with the referral among the agencies' contributions."""
    text = pages(pack_pdf)
    summary = " ".join(text[0].split())
    assert "Conference: Initial (ICPC), Thursday 19 November 2026" in summary
    assert "Maya Okafor" in summary and "(born Thu 2 Mar 2017)" in summary
    assert "unborn, due Mon 1 Feb 2027" in summary and "Lives: With one or both parents" in summary
    assert "Recommendation" in summary
    assert "Grace Okafor, mother — has parental responsibility" in summary
    flat = "\n".join(text)
    at = [flat.index(f"\n{part}\n") for part in PARTS[1:]]
    assert at == sorted(at), "parts out of order"
    contributions = flat[at[2] : at[3]]
    assert "Referral — " in contributions


def recommendation_rows(pdf: Path) -> dict[str, str]:
    """The summary page's Children table, each child's name to the rest of their row (flattened)."""
    page = " ".join(pages(pdf)[0].split())
    table = page[page.index("Recommendation") : page.index("Household")]
    names = ("Maya Okafor", "Leo Okafor", "Baby Okafor")
    at = sorted((table.index(n), n) for n in names)
    ends = [start for start, _ in at[1:]] + [len(table)]
    return {n: table[start + len(n) : end] for (start, n), end in zip(at, ends, strict=True)}


def test_each_child_has_their_own_recommendation(pack_pdf: Path) -> None:
    """A sibling group and an unborn baby are recommended differently: plans for Maya and Leo
    with their category, no plan for the baby (issue 16)."""
    rows = recommendation_rows(pack_pdf)
    for name in ("Maya Okafor", "Leo Okafor"):
        assert "Child protection plan — Physical abuse" in rows[name], rows[name]
    assert "No child protection plan" in rows["Baby Okafor"]
    assert "Physical abuse" not in rows["Baby Okafor"]


def test_a_version_1_report_still_speaks_for_every_child(tmp_path: Path) -> None:
    """A report kept on the first version of the form, with one recommendation for all the
    children it names, prints that recommendation on each child's row."""
    from app.core.records import add_record

    made = demo_vault(tmp_path, FixedClock(datetime.now(UTC).replace(microsecond=0)))
    try:
        store, case = made["store"], made["case"]
        latest = store.list_records(case, form_id="conference_report")[0]
        data = {k: v for k, v in latest.data.items() if k != "recommendations"}
        data |= {
            "recommendation": "plan",
            "category": "NEG",
            "recommendation_reasons": "Neglect of all three.",
        }
        old, _ = add_record(
            store,
            made["registry"],
            case,
            "conference_report",
            data,
            children=data["children"],
            final=True,
            form_version=1,
        )
        rows = recommendation_rows(export(made, "v1.pdf", record_ids=(old,)))
    finally:
        made["vault"].close()
    assert set(rows) == {"Maya Okafor", "Leo Okafor", "Baby Okafor"}
    for name, row in rows.items():
        assert "Child protection plan — Neglect" in row, (name, row)


def test_dates_in_words_and_titles_not_ids(pack_pdf: Path) -> None:
    """No ISO date or UTC time stamp and no internal form id or version is printed anywhere."""
    flat = "\n".join(pages(pack_pdf))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", flat), re.findall(r".{30}\d{4}-\d{2}-\d{2}.{10}", flat)[:3]
    assert not re.search(r"\d{2}:\d{2}(:\d{2})?Z", flat)
    for form_id in ("conference_report", "childs_voice", "chronology_entry", "strategy_discussion"):
        assert form_id not in flat
    assert " v1 " not in flat and "· final" not in flat


def test_every_page_says_page_n_of_m(pack_pdf: Path) -> None:
    """Each page's footer gives its number and the total ("Page 3 of 21")."""
    text = pages(pack_pdf)
    for n, page in enumerate(text, start=1):
        assert f"Page {n} of {len(text)}" in page


def test_a_bookmark_opens_each_part(pack_pdf: Path) -> None:
    """The reader's outline has one bookmark per part, each on the page where the part begins."""
    doc = json.loads(
        subprocess.run(
            [need_tool("qpdf"), "--json=2", "--json-key=outlines", str(pack_pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    marks = [(o["title"], o["destpageposfrom1"]) for o in doc["outlines"]]
    assert [title for title, _ in marks] == PARTS
    text = pages(pack_pdf)
    for title, page in marks[1:]:
        assert title in text[page - 1].split("\n")[:6], (title, page)


def test_captions_stay_on_the_page_of_their_picture(pack_pdf: Path) -> None:
    """Every picture's caption is printed on the same page as the picture."""
    listing = subprocess.run(
        [need_tool("pdfimages"), "-list", str(pack_pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    image_pages = {int(row.split()[0]) for row in listing}
    text = pages(pack_pdf)
    for caption in ("Maya's three houses", "Leo's doll's house arrangement"):
        on = [n for n, page in enumerate(text, start=1) if caption in " ".join(page.split())]
        assert on and on[0] in image_pages, (caption, on, image_pages)


def test_strategy_minutes_only_when_included_on_purpose(demo: dict[str, Any], pack_pdf: Path) -> None:
    """A conference pack leaves the strategy discussion minutes out unless the practitioner
    shares them on purpose; then they are a part of their own, before the chronology."""
    assert "Strategy discussion minutes" not in "\n".join(pages(pack_pdf))
    minutes = demo["store"].list_records(demo["case"], form_id="strategy_discussion")[0].id
    flat = "\n".join(pages(export(demo, "with-minutes.pdf", share=(minutes,))))
    assert flat.index("\nStrategy discussion minutes\n") < flat.index("\nAppendix: chronology\n")
