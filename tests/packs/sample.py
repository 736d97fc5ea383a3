"""A fictional case in the ``fieldbook-case/1`` shape, with names in every script the PDF must
render, for PDF and pack tests that run without a vault. All names are invented."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from app.core.forms import ChronologyLine, case_chronology, load_registry

QUOTE_WITH_MARKUP = "I don't want to go home <b>when</b> he's there & shouting"
HIDDEN_MARKUP = "<font color=white>hidden</font> <a href='http://example.invalid'>link</a>"
NAMES = {
    "latin": "Maya Okafor",
    "accented": "Zofia Wójcik-Łęcka",
    "greek": "Ελένη Παπαδοπούλου",
    "cyrillic": "Анна Иванова",
    "arabic": "ليلى حداد",
    "hebrew": "נועה כהן",
}


def png(colour: tuple[int, int, int] = (200, 120, 40), size: tuple[int, int] = (120, 80)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def sample_case(n_chronology: int = 3) -> tuple[dict[str, Any], dict[str, bytes], list[ChronologyLine]]:
    """(case data, attachments by sha256, chronology lines)."""
    img = png()
    sha = hashlib.sha256(img).hexdigest()
    author = {"name": "Sam Carter", "role": "Social Worker", "agency": "Northshire Children's Services"}
    people = [
        {"id": "c1", "kind": "child", "given_name": "Maya", "family_name": "Okafor", "dob": "2017-03-02"},
        {"id": "c2", "kind": "child", "given_name": "Leo", "family_name": "Okafor", "dob": "2022-01-10"},
        {
            "id": "c3",
            "kind": "child",
            "given_name": "Baby",
            "family_name": "Okafor",
            "due_date": "2027-02-01",
        },
        {
            "id": "p1",
            "kind": "household",
            "given_name": "Zofia",
            "family_name": "Wójcik-Łęcka",
            "relationship": "grandmother",
        },
        {
            "id": "p2",
            "kind": "professional",
            "given_name": "ليلى",
            "family_name": "حداد",
            "role": "interpreter",
        },
        {
            "id": "p3",
            "kind": "significant_other",
            "given_name": "נועה",
            "family_name": "כהן",
            "relationship": "neighbour",
        },
        {
            "id": "p4",
            "kind": "significant_other",
            "given_name": "Ελένη",
            "family_name": "Παπαδοπούλου",
            "relationship": "aunt",
        },
        {
            "id": "p5",
            "kind": "significant_other",
            "given_name": "Анна",
            "family_name": "Иванова",
            "relationship": "family friend",
        },
    ]
    blank = {
        "known_as": None,
        "dob": None,
        "due_date": None,
        "sex": None,
        "legal_status": None,
        "relationship": None,
        "parental_responsibility": None,
        "agency": None,
        "role": None,
        "contact": None,
        "notes": None,
    }
    people = [{**blank, **p} for p in people]
    records = [
        {
            "id": "r1",
            "form_id": "childs_voice",
            "form_version": 1,
            "status": "final",
            "children": ["c1"],
            "occurred_at": "2026-11-20",
            "created_at": "2026-11-20T15:00:00Z",
            "updated_at": "2026-11-20T15:00:00Z",
            "finalised_at": "2026-11-20T16:00:00Z",
            "author": author,
            "content_hash": None,
            "data": {
                "date_seen": "2026-11-20",
                "children_seen": ["c1"],
                "location": "school",
                "seen_alone": "yes",
                "methods": ["words", "drawing"],
                "child_wishes": "To stay at nan's house at weekends",
                "quotes": [
                    {"words": QUOTE_WITH_MARKUP, "asked_by": "Sam Carter", "question": "How is home?"}
                ],
                "interpretation": HIDDEN_MARKUP + " Maya seemed anxious",
                "injuries": {
                    "markers": [
                        {"n": 1, "side": "front", "x": 0.4, "y": 0.3, "description": "bruise on upper arm"},
                        {"n": 2, "side": "back", "x": 0.5, "y": 0.6, "description": "scratch on lower back"},
                    ]
                },
                "drawing": {"sha256": sha, "caption": "Maya's drawing of home"},
                "participants": [
                    {"name": "PC Ruth Jones", "agency": "police"},
                    {"name": "Dr Omar Ali", "agency": "health"},
                ],
            },
            "addenda": [
                {
                    "id": "a1",
                    "created_at": "2026-11-21T10:00:00Z",
                    "author": author,
                    "reason": "Date of birth corrected",
                    "text": "Maya's date of birth was checked with school.",
                    "content_hash": "0" * 64,
                }
            ],
        }
    ]
    entries = [
        {
            "id": f"e{i}",
            "form_id": "chronology_entry",
            "form_version": 1,
            "status": "final",
            "data": {
                "date": f"2026-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}",
                "date_approximate": "yes" if i % 5 == 0 else "no",
                "source": "Northshire Primary School",
                "event": f"Event {i}: Maya arrived late and hungry; her teacher noticed a bruise",
                "impact": "Missing learning; worried",
                "action": "DSL informed",
                "significance": "high" if i % 7 == 0 else "medium",
            },
        }
        for i in range(n_chronology)
    ]
    chronology = case_chronology(load_registry(), entries)  # as the export makes them
    case_data = {
        "format": "fieldbook-case/1",
        "exported_at": "2026-11-23T09:00:00Z",
        "app_version": "0.1.0",
        "case": {
            "id": "case-okafor",
            "reference": "FB-2026-0007",
            "created_at": "2026-11-01T10:00:00Z",
            "people": people,
            "records": records,
        },
        "attachments": [
            {
                "sha256": sha,
                "media_type": "image/png",
                "size": len(img),
                "filename": "drawing.png",
                "path": f"attachments/{sha}",
            }
        ],
    }
    return case_data, {sha: img}, chronology
