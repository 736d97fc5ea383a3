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
from app.core.store.models import PersonIn

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
                PersonIn("child", "Maya", "Okafor", dob="2017-03-02", sex="F", living_arrangement="parents"),
                PersonIn("child", "Leo", "Okafor", dob="2022-01-10", sex="M", living_arrangement="parents"),
                PersonIn("child", "Baby", "Okafor", due_date="2027-02-01", living_arrangement="parents"),
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
                "each_child": [
                    {
                        "child": [maya],
                        "first_language": "English",
                        "religion": "Christian",
                        "interpreter": "no",
                    },
                    {
                        "child": [leo],
                        "needs": "Speech and language delay; under the community paediatrician.",
                        "communication": "Short phrases and Makaton signs",
                        "first_language": "English",
                        "interpreter": "no",
                    },
                ],
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
                "education_invited": "yes",
                "midwife_invited": "yes",
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
                            "x": 0.70,
                            "y": 0.33,
                            "description": "Round bruise, 1 cm, blue, left upper arm",
                        },
                        {
                            "n": 2,
                            "side": "front",
                            "x": 0.71,
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
                # a row per child: the outcome made plans for Maya and Leo, not yet for the baby
                "recommendations": [
                    {
                        "child": [maya],
                        "plan": "yes",
                        "category": "PHY",
                        "reasons": "Significant harm from physical abuse by Daniel Reid.",
                    },
                    {
                        "child": [leo],
                        "plan": "yes",
                        "category": "PHY",
                        "reasons": "Hurt by Daniel Reid and too young to protect himself.",
                    },
                    {
                        "child": [baby],
                        "plan": "no",
                        "reasons": "Not yet born: a pre-birth conference with the midwife in January "
                        "is the place to decide.",
                    },
                ],
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

        _add_after_the_referral(store, registry, case_id, maya, leo, baby)
        _log_shares(store, case_id)

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


def _add_after_the_referral(store: Any, registry: Any, case_id: str, maya: str, leo: str, baby: str) -> None:
    """Family Help before the enquiry, the front door's decision, the conference outcome (a plan
    for Maya and Leo, not yet for the baby), their plans, a core group and a plan visit, and the
    two records a case like this often also holds: an allegation and a missing episode."""
    kids = [maya, leo, baby]

    def add(form_id: str, data: dict[str, Any], children: list[str]) -> str:
        return _add(store, registry, case_id, form_id, data, children)

    add(
        "family_help_plan",
        {
            "agreed_on": "2026-09-21",
            "children": [maya, leo],
            "lead_practitioner": "Ann Bell, Family Help practitioner, Northshire Family Help",
            "team": [
                {"name": "Ελένη Παπαδοπούλου", "agency": "health", "role": "Health visitor"},
                {"name": "Анна Иванова", "agency": "education", "role": "Designated safeguarding lead"},
            ],
            "family_words": "Grace: “I want the mornings to stop being shouting. I want the kids to "
            "get to school without crying.”",
            "child_words": "Maya: “Breakfast club is good because it's quiet.”",
            "outcomes": [
                {
                    "outcome": "Maya and Leo arrive at school and nursery calm and on time",
                    "measure": "Attendance",
                },
                {"outcome": "Grace has support for herself", "measure": "Grace says so"},
            ],
            "actions": [
                {
                    "action": "Breakfast club place for Maya",
                    "owner": "Анна Иванова",
                    "agency": "education",
                    "due": "2026-09-28",
                },
                {
                    "action": "Referral to the domestic abuse service",
                    "owner": "Ann Bell",
                    "due": "2026-10-05",
                },
            ],
            "contingency": "If the shouting continues or anyone is hurt, Ann talks to the front door the "
            "same day.",
            "reviews": [{"date": "2026-10-19", "outcome": "Mornings better; Grace worried about Daniel."}],
            "agreed_by": [
                {"name": "Grace Okafor", "relationship": "Mother", "date": "2026-09-21"},
                {"name": "Ann Bell", "relationship": "Lead practitioner", "date": "2026-09-21"},
            ],
        },
        [maya, leo],
    )
    add(
        "allegation",
        {
            "date_known": "2026-10-02",
            "children": [maya],
            "adult_name": "Chris Vale",
            "adult_role": "swimming coach",
            "employer": "Northshire Leisure Centre",
            "alleged": "Maya told Ann Bell the coach shouted at her and pulled her out of the pool by "
            "her arm on 30 September.",
            "lado_informed_on": "2026-10-05",
            "lado_name": "Designated officer, Northshire",
            "immediate_action": "Leisure centre told by the designated officer; coach moved to adult "
            "sessions.",
            "outcome": "unfounded",
            "outcome_date": "2026-10-23",
        },
        [maya],
    )
    add(
        "missing_episode",
        {
            "children": [maya],
            "missing_from": "2026-10-09T15:30",
            "reported_to_police": "NP-2026-88123",
            "returned_at": "2026-10-09T19:10",
            "found_where": "Her great-grandmother's flat",
            "risks": ["none_known"],
            "child_said": [
                {
                    "words": "I went to Babcia's because it was loud at home.",
                    "asked_by": "Ann Bell",
                    "question": "Where did you go after school?",
                    "context": "Return home interview at school",
                }
            ],
            "rhi_offered_at": "2026-10-10T09:00",
            "rhi_held_on": "2026-10-12",
            "rhi_by": "Ann Bell (independent of the family)",
            "nrm": "not_needed",
        },
        [maya],
    )
    add(
        "front_door_decision",
        {
            "date": "2026-10-28",
            "children": kids,
            "threshold": "child_protection",
            "decision": "strategy_discussion",
            "rationale": "Maya's bruise and account of being grabbed, with police attendance on 30 "
            "September, give reasonable cause to suspect significant harm. Family Help alone is not "
            "enough while Daniel may return.",
            "checks": [
                {"agency": "police", "date": "2026-10-28", "found": "Call-out on 30 September; no charges."},
                {"agency": "health", "date": "2026-10-28", "found": "Pregnancy booked late at 22 weeks."},
                {
                    "agency": "early_help",
                    "date": "2026-10-28",
                    "found": "Family Help plan since 21 September.",
                },
            ],
            "adults": [
                {
                    "name": "Grace Okafor",
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "checks": "None known to the police.",
                    "significance": "Protective; engages with Family Help.",
                },
                {
                    "name": "Daniel Reid",
                    "relationship": "Mother's partner; Leo's father",
                    "parental_responsibility": "no",
                    "checks": "Police call-out on 30 September; a caution for assault in 2019.",
                    "significance": "The adult Maya says grabbed her: the main risk.",
                },
            ],
            "consent": "not_sought",
            "lawful_basis": "public_task_sch1_18",
            "not_sought_reason": "Asking first could put Maya at risk if Daniel learnt of it before the "
            "strategy discussion.",
            "manager": "Priya Shah, team manager",
            "manager_agreed_on": "2026-10-28",
            "referrer_feedback": "Told Анна Иванова by secure email on 28 October: strategy discussion "
            "today.",
            "referrer_identity_withheld": "no",
            "family_told": "Sam Carter told Grace on 29 October after the discussion, and what section 47 "
            "means.",
        },
        kids,
    )
    add(
        "conference_outcome",
        {
            "date": "2026-11-19",
            "conference_type": "initial",
            "chair": "Jo Reed, independent chair",
            "attendees": [
                {"name": "Grace Okafor", "agency": "family", "role": "Mother"},
                {"name": "Sam Carter", "agency": "childrens_social_care", "role": "Social worker"},
                {"name": "Ελένη Παπαδοπούλου", "agency": "health", "role": "Health visitor"},
                {"name": "Анна Иванова", "agency": "education", "role": "DSL"},
            ],
            "threshold_explained": "yes",
            "decisions": [
                {
                    "child": [maya],
                    "plan": "yes",
                    "category": "PHY",
                    "reasons": "Hurt by Daniel; at risk of harm again.",
                },
                {
                    "child": [leo],
                    "plan": "yes",
                    "category": "PHY",
                    "reasons": "Hurt by Daniel; too young to protect himself.",
                },
                {
                    "child": [baby],
                    "plan": "no",
                    "reasons": "A pre-birth conference is planned for January with the midwife.",
                },
            ],
            "core_group_members": [
                {"name": "Grace Okafor", "agency": "family"},
                {"name": "Sam Carter", "agency": "childrens_social_care"},
                {"name": "Ελένη Παπαδοπούλου", "agency": "health"},
                {"name": "Анна Иванова", "agency": "education"},
            ],
            "first_core_group": "2026-11-20",
            "dissent": "Police asked for the baby to have a plan now; the chair recorded it and set the "
            "pre-birth conference date.",
            "further_help": "yes",
        },
        kids,
    )
    for child, name in ((maya, "Maya"), (leo, "Leo")):
        add(
            "child_protection_plan",
            {
                "child": [child],
                "started_on": "2026-11-19",
                "category": "PHY",
                "worries": f"{name} has been hurt when Daniel shouted and grabbed, and could be hurt again.",
                "outcomes": [{"outcome": f"{name} lives at home without being hurt or frightened"}],
                "actions": [
                    {
                        "action": "Daniel does not come to the home",
                        "owner": "Grace Okafor",
                        "agency": "family",
                        "due": "2026-11-20",
                    },
                    {
                        "action": "Domestic abuse support for Grace",
                        "owner": "Sam Carter",
                        "agency": "childrens_social_care",
                        "due": "2026-12-04",
                    },
                ],
                "visits": "Seen at home every 10 working days, alone in their room, and at school or "
                "nursery monthly.",
                "contingency": "If Daniel returns, Grace calls the police; a legal planning meeting is held.",
                "core_group": [
                    {"name": "Sam Carter", "agency": "childrens_social_care"},
                    {"name": "Grace Okafor", "agency": "family"},
                ],
                "views_shaped_plan": f"{name} wants Mum and the baby safe; the plan keeps {name} at home.",
            },
            [child],
        )
    add(
        "core_group",
        {
            "date": "2026-11-20",
            "children": [maya, leo],
            "attendees": [
                {"name": "Grace Okafor", "agency": "family"},
                {"name": "Sam Carter", "agency": "childrens_social_care"},
                {"name": "Анна Иванова", "agency": "education"},
            ],
            "actions": [
                {
                    "action": "Daniel does not come to the home",
                    "owner": "Grace Okafor",
                    "progress": "on_track",
                },
                {"action": "Domestic abuse support for Grace", "owner": "Sam Carter", "progress": "started"},
            ],
            "child_seen": "yes",
            "seen_alone": "yes",
            "summary": "Mornings calmer; Grace has a first session with the domestic abuse service.",
            "next_date": "2026-12-17",
        },
        [maya, leo],
    )
    add(
        "home_visit",
        {
            "date": "2026-11-20",
            "visit_type": "cp_plan",
            "announced": "unannounced",
            "present": "Grace, Maya, Leo; Zofia arrived during the visit",
            "children_seen": [maya, leo],
            "children_seen_alone": [maya],
            "not_seen_reason": "Leo (4) was seen with Grace in the room: he would not leave her; seen "
            "alone at nursery on 24 November.",
            "baby_seen_awake": "no_baby",
            "sleeping": "Maya and Leo share a room; own beds, clean bedding.",
            "home_conditions": "Warm, food in the fridge, no sign of Daniel's things.",
            "child_said": [
                {
                    "words": "It's quiet now. I like quiet.",
                    "asked_by": "Sam Carter",
                    "question": "What is home like this week?",
                    "context": "In Maya's bedroom, alone",
                }
            ],
            "observations": "Maya relaxed and chatty; Leo played with cars and went to Grace for comfort.",
            "next_visit_due": "2026-12-03",
        },
        [maya, leo],
    )


def _log_shares(store: Any, case_id: str) -> None:
    """Two shares made outside Fieldbook, as the sharing log records them (exports add theirs)."""
    from app.core.shares import ShareIn, log_share

    for share in (
        ShareIn(
            shared_at="2026-10-28T11:20",
            method="phone",
            what="Maya's account of the bruise and the police call-out on 30 September",
            recipient="DC נועה כהן, Northshire Police child protection",
            purpose="Strategy discussion: whether to start section 47 enquiries",
            consent="not_sought",
            lawful_basis="public_task_sch1_18",
            decided_by="Priya Shah, team manager",
            family_informed="Not before the strategy discussion: telling Grace first could put Maya at risk.",
        ),
        ShareIn(
            shared_at="2026-11-19T16:00",
            method="secure_email",
            what="The conference outcome and Maya's child protection plan",
            recipient="Анна Иванова, designated safeguarding lead, St Aidan's Primary School",
            purpose="The school is in Maya's core group and acts on the plan",
            consent="given",
            lawful_basis="public_task_sch1_18",
            decided_by="Sam Carter",
            family_informed="Grace knows the school has the plan.",
        ),
    ):
        log_share(store, case_id, share)


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
