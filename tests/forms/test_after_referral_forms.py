"""The records after the referral (issue 15) as a practitioner meets them: each has practice
prompts and a chronology line, and the prompts the national standards call for fire when they
should and stay quiet when they should not."""

from __future__ import annotations

import pytest

from app.core.forms import chronology_line, load_registry, practice_prompts

REG = load_registry()
NEW = (
    "family_help_plan",
    "conference_outcome",
    "child_protection_plan",
    "core_group",
    "home_visit",
    "front_door_decision",
    "allegation",
    "missing_episode",
)


def prompts(form_id: str, data: dict) -> set[str]:
    return {p.key for p in practice_prompts(REG.get(form_id), data)}


@pytest.mark.parametrize("form_id", NEW)
def test_each_new_record_has_prompts_and_a_chronology_line(form_id: str) -> None:
    """Every new record type carries practice prompts and adds a dated line to the chronology."""
    form = REG.get(form_id)
    assert form.prompts and form.chronology is not None
    date_key = form.chronology.date_field
    line = chronology_line(
        form, {"id": "r1", "form_id": form_id, "form_version": 1, "data": {date_key: "2026-11-20"}}
    )
    assert line is not None and str(line.date).startswith("2026-11-20")


def test_a_bruise_on_a_baby_not_yet_mobile_is_always_referred() -> None:
    """The nursery's concern prompts a same-day referral for a non-mobile baby, not for a toddler."""
    assert "immobile_baby_bruise" in prompts("concern", {"injury": "yes", "not_mobile": "yes"})
    assert "immobile_baby_bruise" not in prompts("concern", {"injury": "yes", "not_mobile": "no"})


def test_a_new_injury_during_enquiries_reconvenes_the_strategy_discussion() -> None:
    assert "new_injury_during_s47" in prompts("concern", {"injury": "yes", "during_s47": "yes"})
    assert "new_injury" in prompts("home_visit", {"new_injury": "yes"})
    assert "new_injury" not in prompts("home_visit", {"new_injury": "no"})


def test_strategy_discussion_asks_for_the_school_and_the_midwife() -> None:
    hits = prompts("strategy_discussion", {"education_invited": "no", "midwife_invited": "no"})
    assert {"education_not_invited", "midwife_not_invited"} <= hits
    quiet = prompts("strategy_discussion", {"education_invited": "none", "midwife_invited": "no_unborn"})
    assert not {"education_not_invited", "midwife_not_invited"} & quiet


def test_standards_b_and_c_threshold_adults_and_further_help() -> None:
    """Threshold explained and every adult considered (B); further help when a plan ends (C)."""
    assert "threshold_not_explained" in prompts("conference_outcome", {"threshold_explained": "no"})
    assert "further_help" in prompts("conference_outcome", {"further_help": "unknown"})
    assert "adults" in prompts("front_door_decision", {})
    assert "adults" not in prompts(
        "front_door_decision", {"adults": [{"name": "Grace", "relationship": "Mother"}]}
    )
    ended = {"ended_on": "2026-12-01"}
    assert "further_help" in prompts("child_protection_plan", ended)
    assert "further_help" not in prompts(
        "child_protection_plan", {**ended, "further_help": "Family Help offered"}
    )


def test_family_help_wording_replaces_early_help_and_section_17() -> None:
    """Decision lists speak of Family Help; the multiple-category code reads 'Multiple categories'."""
    decision = REG.get("referral").field("decision")
    assert decision is not None
    labels = [c.label for c in decision.choices]
    assert "Family Help" in labels and "Family Help assessment (section 17)" in labels
    assert "Early help" not in labels
    category = REG.get("conference_report", 1).field("category")
    assert category is not None and category.choice_label("MUL") == "Multiple categories"
    source = REG.get("referral").field("referral_source")
    assert source is not None and source.label == "What kind of organisation are you?"
