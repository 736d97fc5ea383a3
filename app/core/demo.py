"""``fieldbook demo``: a fictional case that uses every form, for screens, packs and benchmarks.

Everyone here is invented. The family is a sibling group (Maya, 9, and Leo, 4) and an unborn
baby, with a Polish grandmother, an Arabic-speaking interpreter, a Greek health visitor and a
Hebrew-named police officer, so that every script a pack must print is exercised.
"""

from __future__ import annotations

import io
import random
from typing import Any

from app.core.errors import ValidationError
from app.core.records import add_record
from app.core.store.repo import PersonIn

REFERENCE = "FB-2026-0042"


def _png(colour: tuple[int, int, int], label_box: tuple[int, int, int]) -> bytes:
    """A small generated drawing (three houses) as PNG, made in memory."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 160), (255, 255, 250))
    draw = ImageDraw.Draw(img)
    for i, x in enumerate((20, 95, 170)):
        draw.rectangle([x, 70, x + 55, 140], outline=colour, width=3)
        draw.polygon([(x - 5, 70), (x + 27, 35), (x + 60, 70)], outline=label_box, width=3)
        draw.rectangle([x + 20, 105, x + 35, 140], fill=(colour[0], 200 - 40 * i, colour[2]))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _add(
    store: Any,
    registry: Any,
    case_id: str,
    form_id: str,
    data: dict[str, Any],
    children: list[str],
    *,
    final: bool = True,
) -> str:
    record_id, problems = add_record(store, registry, case_id, form_id, data, children=children, final=final)
    if final and problems:  # the demo must show finished records; a broken one is our bug
        raise ValidationError(problems, context=f"demo {form_id}")
    return record_id


def create_demo(store: Any, registry: Any, *, chronology: int = 0, seed: int = 2026) -> str:
    """Create the demo case; returns its id."""
    with store.transaction():
        case_id = store.create_case(
            REFERENCE,
            [
                PersonIn("child", "Maya", "Okafor", dob="2017-03-02", sex="F", legal_status="birth_family"),
                PersonIn("child", "Leo", "Okafor", dob="2022-01-10", sex="M", legal_status="birth_family"),
                PersonIn("child", "Baby", "Okafor", due_date="2027-02-01", legal_status="birth_family"),
            ],
            [
                PersonIn(
                    "household",
                    "Grace",
                    "Okafor",
                    dob="1993-06-14",
                    relationship="mother",
                    parental_responsibility=True,
                ),
                PersonIn(
                    "household",
                    "Daniel",
                    "Reid",
                    relationship="mother's partner",
                    parental_responsibility=False,
                ),
                PersonIn(
                    "significant_other",
                    "Zofia",
                    "Wójcik-Łęcka",
                    relationship="maternal great-grandmother (Kraków)",
                    notes="Visits weekly; speaks Polish and English",
                ),
                PersonIn(
                    "professional", "ليلى", "حداد", agency="Interpreting service", role="Arabic interpreter"
                ),
                PersonIn(
                    "professional",
                    "Ελένη",
                    "Παπαδοπούλου",
                    agency="Northshire Community Health",
                    role="Health visitor",
                ),
                PersonIn(
                    "professional",
                    "נועה",
                    "כהן",
                    agency="Northshire Police",
                    role="Detective constable, child protection",
                ),
                PersonIn(
                    "professional",
                    "Анна",
                    "Иванова",
                    agency="St Aidan's Primary School",
                    role="Designated safeguarding lead",
                ),
            ],
        )
        case = store.get_case(case_id)
        maya, leo, baby = (c.id for c in case.children)
        kids = [maya, leo, baby]
        drawing = store.put_attachment(_png((40, 90, 160), (200, 60, 60)), "image/png", "three-houses.png")
        photo = store.put_attachment(_png((30, 130, 70), (90, 90, 90)), "image/png", "direct-work-1.png")

        for d, seq, src, event, impact, action, sig in [
            (
                "2026-09-08",
                1,
                "St Aidan's Primary School",
                "Maya arrived without breakfast for the third day in a week.",
                "Tired and hungry in class.",
                "Breakfast club offered.",
                "low",
            ),
            (
                "2026-09-30",
                1,
                "Northshire Police",
                "Police called to the home after a neighbour "
                "heard shouting; Daniel Reid left before officers arrived.",
                "Maya told the officer she hid in her room with Leo.",
                "DASH risk assessment: medium. Notification to children's social care.",
                "high",
            ),
            (
                "2026-10-14",
                1,
                "Northshire Community Health",
                "Antenatal booking at 22 weeks (late booking).",
                "",
                "Midwife shared concerns with the health visitor.",
                "medium",
            ),
        ]:
            _add(
                store,
                registry,
                case_id,
                "chronology_entry",
                {
                    "date": d,
                    "sequence": seq,
                    "source": src,
                    "event": event,
                    "impact": impact,
                    "action": action,
                    "significance": sig,
                    "date_approximate": "no",
                },
                kids,
            )

        _add(
            store,
            registry,
            case_id,
            "referral",
            {
                "referral_date": "2026-10-27",
                "family_aware": "yes",
                "consent": "given",
                "consent_by": "Grace Okafor (mother)",
                "children": kids,
                "legal_status": "birth_family",
                "ethnicity": "MWBA",
                "first_language": "English",
                "interpreter_needed": "no",
                "unborn_details": "Due 1 February 2027; booked late at 22 weeks; Northshire maternity unit.",
                "referrer_name": "Анна Иванова",
                "referrer_role": "Designated safeguarding lead",
                "referrer_agency": "education",
                "referral_source": "2A",
                "referrer_contact": "dsl@st-aidans.example (secure)",
                "concerns_summary": "Maya disclosed an injury caused by the mother's partner",
                "concerns": "Maya (9) showed a bruise on her upper arm and said Daniel grabbed her "
                "when he was shouting. Police attended the home on 30 September.",
                "harms": ["domestic_abuse", "physical_abuse", "coercive_control"],
                "categories": ["PHY"],
                "factors": ["3B", "18A"],
                "immediate_risk": "no",
                "where_now": "At school until 15:15, then collected by her mother.",
                "tried": "Breakfast club since September; early help offered in October and "
                "accepted by Grace.",
                "child_views": [
                    {
                        "words": "I don't want to go home <b>when</b> he's there & shouting",
                        "asked_by": "Анна Иванова",
                        "question": "Tell me about your arm.",
                        "context": "In the quiet room at school, 10:40",
                    }
                ],
                "parent_views": "Grace says she wants help and that Daniel is moving out.",
                "decision_date": "2026-10-28",
                "decision": "strategy",
            },
            kids,
        )

        sd = _add(
            store,
            registry,
            case_id,
            "strategy_discussion",
            {
                "date": "2026-10-29",
                "time": "14:00",
                "format": "video",
                "chair": "Sam Carter, team manager",
                "first_or_followup": "first",
                "participants": [
                    {"name": "Sam Carter", "agency": "childrens_social_care", "role": "Team manager"},
                    {"name": "נועה כהן", "agency": "police", "role": "Detective constable"},
                    {"name": "Ελένη Παπαδοπούλου", "agency": "health", "role": "Health visitor"},
                    {"name": "Анна Иванова", "agency": "education", "role": "Designated safeguarding lead"},
                ],
                "children": kids,
                "other_children_considered": "yes",
                "reason": "Disclosure of a non-accidental injury by Maya; police call-out on 30 "
                "September; late-booked pregnancy.",
                "harms": ["physical_abuse", "domestic_abuse"],
                "information_shared": [
                    {
                        "agency": "police",
                        "information": "One call-out (30 Sept 2026); Daniel Reid "
                        "has a caution for assault (2019).",
                    },
                    {
                        "agency": "health",
                        "information": "Late antenatal booking; Leo's development on track.",
                    },
                ],
                "child_said": [
                    {
                        "words": "He grabbed my arm because I was too loud.",
                        "asked_by": "Анна Иванова",
                        "question": "What happened to your arm?",
                        "context": "School, 27 October",
                    }
                ],
                "s47_decision": "joint",
                "initiated_s47": "yes",
                "criminal_investigation": "Police to investigate the assault on Maya; Daniel Reid "
                "to be interviewed after Maya's ABE interview.",
                "immediate_safety": "Daniel Reid to stay away from the home; Grace agreed a safety "
                "plan; Leo to be seen at nursery tomorrow.",
                "medical": "planned",
                "medical_details": "Paediatric examination for Maya on 30 "
                "October, 10:00, with Grace's consent.",
                "abe_interview": "yes",
                "abe_details": "ABE interview on 31 October at the child "
                "advocacy centre; Maya prefers a female "
                "interviewer.",
                "actions": [
                    {
                        "action": "Visit the home and see both children",
                        "owner": "Sam Carter",
                        "agency": "childrens_social_care",
                        "due": "2026-10-30",
                    },
                    {
                        "action": "Arrange ABE interview",
                        "owner": "נועה כהן",
                        "agency": "police",
                        "due": "2026-10-31",
                    },
                ],
                "family_told": "Sam Carter will tell Grace Okafor by phone today at 16:00.",
                "rationale": "Reasonable cause to suspect Maya is suffering significant harm; a "
                "criminal offence may have been committed.",
                "dissent": "",
            },
            kids,
        )

        _add(
            store,
            registry,
            case_id,
            "childs_voice",
            {
                "date_seen": "2026-10-30T15:30:00Z",
                "children_seen": [maya],
                "location": "home",
                "bedroom_seen": "yes",
                "seen_alone": "yes",
                "methods": ["words", "three_houses"],
                "quotes": [
                    {
                        "words": "My worries house has the shouting in it & the door banging.",
                        "asked_by": "Sam Carter",
                        "question": "What goes in your house of worries?",
                        "context": "Three Houses drawing, Maya's bedroom",
                    },
                    {
                        "words": "Dreams house: me, Leo, Mum and the baby and a dog called Biscuit.",
                        "asked_by": "Sam Carter",
                        "question": "And your house of dreams?",
                        "context": "Same session",
                    },
                ],
                "observations": "Maya was chatty, drew carefully and checked the door twice.",
                "interpretation": "Maya's worries centre on conflict at home; she is protective of Leo.",
                "child_wishes": "To live with Mum, Leo and the baby without shouting.",
                "drawings": [{"sha256": drawing, "caption": "Maya's three houses"}],
                "child_agreed_sharing": "yes",
                "sharing_notes": "Maya agreed her drawing and words can go to the conference.",
            },
            [maya],
        )

        dw = _add(
            store,
            registry,
            case_id,
            "direct_work",
            {
                "session_date": "2026-11-06",
                "children": [leo],
                "duration_minutes": 40,
                "venue": "Nursery quiet room (familiar to Leo)",
                "present": "Nursery key worker",
                "seen_alone": "no",
                "not_alone_reason": "Leo is 4 and settles only with his key worker present.",
                "purpose": "Understand Leo's experience at home (plan objective 2).",
                "method": ["play", "observation"],
                "childs_words": [
                    {
                        "words": "Daddy Dan is loud. I hide with Maya.",
                        "asked_by": "Sam Carter",
                        "question": "Who lives in this house?",
                        "context": "Playing with the doll's house",
                    }
                ],
                "observations": "Leo played calmly, put the 'loud' doll outside the house.",
                "analysis": "Leo appears to have witnessed conflict and relies on Maya for comfort.",
                "artefacts": [{"sha256": photo, "caption": "Leo's doll's house arrangement"}],
                "next_steps": "Second session in two weeks.",
            },
            [leo],
        )
        store.add_addendum(dw, "Clarification", "The key worker is Mrs Osei, not Mrs Owusu as first written.")

        _add(
            store,
            registry,
            case_id,
            "concern",
            {
                "children": [leo],
                "setting": "Little Oaks Nursery — Rainbow room",
                "date_noticed": "2026-11-12",
                "time_noticed": "09:10",
                "written_at": "2026-11-12T09:40:00Z",
                "what_seen": "Two small round bruises on Leo's left upper arm, and one on his back.",
                "childs_words": [
                    {
                        "words": "Dan squeezed.",
                        "asked_by": "Key worker",
                        "question": "What happened here?",
                        "context": "Coat off, 09:10",
                    }
                ],
                "injury": "yes",
                "body_map": {
                    "markers": [
                        {
                            "n": 1,
                            "side": "front",
                            "x": 0.30,
                            "y": 0.33,
                            "description": "Round bruise, 1 cm, blue, left upper arm",
                        },
                        {
                            "n": 2,
                            "side": "front",
                            "x": 0.31,
                            "y": 0.36,
                            "description": "Round bruise, 1 cm, yellowing, left upper arm",
                        },
                        {
                            "n": 3,
                            "side": "back",
                            "x": 0.52,
                            "y": 0.40,
                            "description": "Bruise, 2 cm, lower back",
                        },
                    ]
                },
                "opinion": "The pattern is consistent with fingertip bruising.",
                "significance": "high",
                "passed_to": "DSL Анна Иванова at 09:45",
                "dsl_received": "2026-11-12T09:45:00Z",
                "dsl_decision": "referral",
                "dsl_reasons": "Open section 47 enquiry: shared with the social worker at once.",
                "parents_informed": "no",
                "ofsted_notifiable": "no",
            },
            [leo],
        )

        _add(
            store,
            registry,
            case_id,
            "conference_report",
            {
                "conference_date": "2026-11-19",
                "conference_type": "initial",
                "children": kids,
                "agency": "childrens_social_care",
                "involvement": "Section 47 enquiry since 29 October 2026; four home visits.",
                "worries": "Maya and Leo have been hurt by Daniel Reid; the baby will be born into "
                "a home with domestic abuse.",
                "working_well": "Grace engages, has accepted early help and keeps Daniel away.",
                "needs_to_happen": "A safety plan the wider family helps with, and domestic abuse "
                "support for Grace.",
                "danger_statements": [
                    {
                        "danger": "Children's social care and the police are worried that Maya and Leo "
                        "could be hurt again if Daniel returns.",
                        "goal": "Grace will keep Daniel away and call the police if he comes.",
                    },
                    {
                        "danger": "We are worried the baby could be hurt in a home with shouting and "
                        "violence.",
                        "goal": "A birth plan with the midwife and Zofia's support at home.",
                    },
                ],
                "scaling": [
                    {"scorer": "Sam Carter", "score": 4, "date": "2026-11-19", "reason": "Safety plan new"},
                    {
                        "scorer": "Grace Okafor",
                        "score": 7,
                        "date": "2026-11-19",
                        "reason": "Daniel has moved out",
                    },
                ],
                "lived_experience": "Maya looks after Leo when adults shout; both are doing well at "
                "school and nursery.",
                "child_views": [
                    {
                        "words": "I want Mum and us and the baby to be safe.",
                        "asked_by": "Sam Carter",
                        "question": "What should happen next?",
                        "context": "Home visit, 14 November",
                    }
                ],
                "recommendation": "plan",
                "category": "PHY",
                "recommendation_reasons": "Significant harm from physical abuse; risk to the unborn baby.",
                "shared_parents_date": "2026-11-16",
                "shared_child_date": "2026-11-16",
            },
            kids,
        )

        _add(
            store,
            registry,
            case_id,
            "milestone",
            {
                "milestone": "assessment_completed",
                "date": "2026-11-13",
                "children": kids,
                "details": "Completed in 14 working days and shared with Grace Okafor before the "
                "initial conference; the full assessment is on the local authority's "
                "case record.",
            },
            kids,
        )

        draft = _add(
            store,
            registry,
            case_id,
            "chronology_entry",
            {
                "date": "2026-11-20",
                "source": "Children's social care",
                "event": "Core group planned for 3 December.",
            },
            kids,
            final=False,
        )
        del draft, sd

        if chronology:
            add_generated_chronology(store, registry, case_id, chronology, seed=seed)
    return str(case_id)


def add_generated_chronology(store: Any, registry: Any, case_id: str, n: int, *, seed: int = 2026) -> None:
    """N varied, fictional chronology entries (for scale tests), written in one transaction."""
    rng = random.Random(seed)  # noqa: S311 - fictional content, not security
    form = registry.get("chronology_entry")
    sources = [
        "St Aidan's Primary School",
        "Little Oaks Nursery",
        "Northshire Police",
        "Northshire Community Health",
        "GP surgery",
        "Children's social care",
        "Housing",
    ]
    events = [
        "Attendance at {p}% this half term",
        "Missed health appointment",
        "Home visit; both children seen",
        "Police called after a neighbour heard shouting",
        "Maya late to school, tired",
        "Leo's two-year check completed",
        "Grace attended the domestic abuse programme",
        "Rent arrears letter received",
    ]
    kids = [c.id for c in store.get_case(case_id).children]
    with store.transaction():
        for i in range(n):
            day = f"{2019 + i % 8}-{1 + (i * 7) % 12:02d}-{1 + (i * 13) % 28:02d}"
            data = {
                "date": day,
                "sequence": i % 3,
                "source": rng.choice(sources),
                "event": rng.choice(events).format(p=rng.randint(70, 99)),
                "impact": rng.choice(["", "Maya upset", "Leo unsettled", "No impact seen"]),
                "significance": rng.choice(["low", "low", "medium", "high"]),
            }
            rid = store.create_record(case_id, form.id, form.version, data, kids, day)
            store.finalise(rid)
