"""Statutory timescales: the working-day calendar, the rules file and deadlines from records."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import FormError, UsageError
from app.core.timescales import (
    TimescaleSettings,
    WorkingCalendar,
    add_months,
    bank_holidays,
    case_deadlines,
    event_deadlines,
    load_rules,
    shipped_bank_holidays,
    upcoming_deadlines,
)

D = date.fromisoformat
CAL = WorkingCalendar()


def due(event: str, on: str, rule: str, settings: TimescaleSettings | None = None) -> date:
    """The due date of one rule for an event on a date."""
    items = {d.rule.id: d for d in event_deadlines(event, on, settings=settings)}
    return items[rule].due


# --- the calendar ----------------------------------------------------------------------------


def test_shipped_bank_holidays_match_the_holidays_package_for_2026_and_2027() -> None:
    """The offline list and the holidays package agree on every weekday bank holiday."""
    import holidays

    shipped = {d for d in shipped_bank_holidays() if d.year in (2026, 2027)}
    package = {
        d for d in holidays.country_holidays("GB", subdiv="ENG", years=[2026, 2027]) if d.weekday() < 5
    }
    assert shipped == package
    assert D("2026-12-28") in shipped  # Boxing Day substitute (26 Dec 2026 is a Saturday)
    assert {D("2027-12-27"), D("2027-12-28")} <= shipped  # both substitutes in 2027


def test_substitute_days_are_not_working_days_and_say_why() -> None:
    """A practitioner asking why a day was skipped is told which bank holiday it was."""
    assert CAL.non_working_reason(D("2026-12-28")) and "Boxing" in str(
        CAL.non_working_reason(D("2026-12-28"))
    )
    assert CAL.non_working_reason(D("2027-12-27")) is not None
    assert CAL.non_working_reason(D("2026-11-21")) == "weekend"
    assert CAL.is_working_day(D("2026-12-29"))
    assert bank_holidays(2027)[D("2027-03-26")].startswith("Good Friday")


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-12-24", 1, "2026-12-29"),  # Thu; Christmas Fri and Boxing Day substitute Mon
        ("2026-12-18", 15, "2027-01-13"),  # across Christmas and New Year 2026/27
        ("2027-12-24", 1, "2027-12-29"),  # Fri; both 2027 substitute days skipped
        ("2027-12-23", 5, "2028-01-04"),  # New Year 2028 falls on a Saturday, substitute Mon 3rd
        ("2026-04-02", 1, "2026-04-07"),  # Easter 2026: Good Friday and Easter Monday
        ("2027-03-25", 1, "2027-03-30"),  # Easter 2027
        ("2026-11-20", 1, "2026-11-23"),  # day 0 on a Friday: day 1 is Monday
        ("2026-11-21", 1, "2026-11-23"),  # day 0 on a Saturday
        ("2026-05-04", 1, "2026-05-05"),  # day 0 on a bank holiday (early May)
        ("2026-12-25", 1, "2026-12-29"),  # day 0 on Christmas Day
        ("2026-11-23", 45, "2027-01-28"),  # assessment: 45 working days across Christmas
    ],
)
def test_add_working_days_with_day_zero_convention(start: str, n: int, expected: str) -> None:
    """The trigger date is day 0; the due date is the n-th working day after it."""
    assert CAL.add_working_days(D(start), n) == D(expected)


def test_same_day_convention_counts_a_working_trigger_as_day_one() -> None:
    """An area that counts the trigger day gets a due date one working day earlier."""
    assert CAL.add_working_days(D("2026-11-20"), 1, count_from="same_day") == D("2026-11-20")
    assert CAL.add_working_days(D("2026-11-20"), 2, count_from="same_day") == D("2026-11-23")
    # A trigger on a bank holiday is not a working day, so both conventions agree.
    assert CAL.add_working_days(D("2026-12-25"), 1, count_from="same_day") == D("2026-12-29")


def test_local_closure_days_push_deadlines_back() -> None:
    """A local authority closed 29–31 December moves a Christmas Eve referral decision to 4 January."""
    settings = TimescaleSettings.from_mapping({"local_closures": ["2026-12-29/2026-12-31"]})
    assert due("referral", "2026-12-24", "referral_decision", settings) == D("2027-01-04")
    assert due("referral", "2026-12-24", "referral_decision") == D("2026-12-29")


@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 10, 31)), st.integers(min_value=1, max_value=60)
)
def test_adding_then_counting_working_days_round_trips(start: date, n: int) -> None:
    """The due date is always a working day exactly n working days after the trigger."""
    result = CAL.add_working_days(start, n)
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(start, result) == n


# --- calendar months -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-11-30", 3, "2027-02-28"),  # 30 November + 3 months, not a leap year
        ("2027-11-30", 3, "2028-02-29"),  # leap year
        ("2026-08-31", 6, "2027-02-28"),
        ("2027-08-31", 6, "2028-02-29"),
        ("2028-02-29", 6, "2028-08-29"),
        ("2026-01-31", 3, "2026-04-30"),
        ("2026-10-15", 3, "2027-01-15"),  # across a year end
    ],
)
def test_calendar_months_clamp_to_month_end(start: str, months: int, expected: str) -> None:
    """Review conference dates land on the last day of a shorter month, never overflow into the next."""
    assert add_months(D(start), months) == D(expected)


def test_first_review_three_months_after_icpc_on_30_november() -> None:
    """A plan made on 30 November 2026: three months is Sunday 28 February 2027, so the first
    review is due on Friday 26 February, the working day before."""
    assert due("cp_plan_started", "2026-11-30", "first_review_after_icpc") == D("2027-02-26")
    assert due("cp_plan_continues", "2027-08-31", "next_review") == D("2028-02-29")  # a Tuesday


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(min_value=0, max_value=36)
)
def test_add_months_never_overflows(start: date, months: int) -> None:
    """Adding months lands in the right month and never later than the same day number."""
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day


# --- rules as data ---------------------------------------------------------------------------


def test_every_shipped_rule_has_a_status_and_a_source() -> None:
    """Every deadline can say which rule made it, whether it is statutory or local, and its source."""
    rules = load_rules()
    ids = {r.id for r in rules.rules}
    assert {
        "referral_decision",
        "referral_assessment",
        "icpc_after_strategy",
        "core_group_after_icpc",
        "first_review_after_icpc",
        "next_review",
        "serious_incident_notification",
        "rapid_review",
        "early_years_ofsted_notification",
        "cp_file_transfer",
    } <= ids
    for rule in rules.rules:
        assert rule.status_label and rule.source and rule.source[0].startswith("http")


def test_statutory_offsets_match_domain_table() -> None:
    """The shipped figures are the ones in Working Together (1, 45, 15, 10 working days; 3, 6 months)."""
    assert due("referral", "2026-11-23", "referral_decision") == D("2026-11-24")
    assert due("strategy_discussion", "2026-11-23", "icpc_after_strategy") == D("2026-12-14")
    assert due("cp_plan_started", "2026-11-23", "core_group_after_icpc") == D("2026-12-07")
    assert due("serious_incident_awareness", "2026-12-23", "serious_incident_notification") == D("2027-01-04")
    assert due("serious_incident_notification", "2026-11-23", "rapid_review") == D("2026-12-14")
    assert due("early_years_serious_incident", "2026-12-20", "early_years_ofsted_notification") == D(
        "2027-01-03"
    )  # calendar days (UNCONFIRMED reading, configurable)
    assert due("school_transfer", "2026-12-22", "cp_file_transfer") == D("2026-12-31")


def test_a_rule_changed_in_a_local_file_changes_the_deadline(tmp_path: Path) -> None:
    """A local area's rules file replaces the shipped rule, and the deadline says it is local."""
    local = tmp_path / "our-area.toml"
    local.write_text(
        '[[rules]]\nid = "icpc_after_strategy"\n'
        'title = "ICPC within 12 working days of the strategy discussion (Northshire)"\n'
        'from_event = "strategy_discussion"\noffset = 12\nunit = "working_day"\n'
        'status = "local"\nsatisfied_by = "icpc"\n'
        'source = "Northshire safeguarding partnership procedures, 4.2"\n',
        encoding="utf-8",
    )
    settings = TimescaleSettings(rules_file=local)
    [deadline] = [d for d in event_deadlines("strategy_discussion", "2026-11-23", settings=settings)]
    assert deadline.due == D("2026-12-09")
    assert deadline.rule.status_label == "local practice"
    assert "Northshire" in deadline.rule.source[0]
    assert deadline.to_json()["rule_origin"].endswith("our-area.toml")
    # editing the file takes effect at once (the parsed rules are cached only until it changes)
    local.write_text(local.read_text("utf-8").replace("offset = 12", "offset = 10"), "utf-8")
    [deadline] = [d for d in event_deadlines("strategy_discussion", "2026-11-23", settings=settings)]
    assert deadline.due == D("2026-12-07")


def test_a_broken_rules_file_names_the_file_the_rule_and_the_problem(tmp_path: Path) -> None:
    """A mistake in a local rules file is reported precisely, not as a crash or a silent default."""
    local = tmp_path / "broken.toml"
    local.write_text(
        '[[rules]]\nid = "quick_visit"\ntitle = "Visit"\nfrom_event = "referal"\n'
        'offset = -3\nunit = "fortnight"\nstatus = "law"\nsource = []\ncolour = "red"\n'
        '[[rules]]\nid = "quick_call"\ntitle = "Call"\nfrom_event = "referal"\n'
        'offset = 3\nunit = "working_day"\nstatus = "local"\nsource = "Northshire 1.2"\n',
        encoding="utf-8",
    )
    with pytest.raises(FormError) as err:
        load_rules(TimescaleSettings(rules_file=local))
    text = err.value.message
    for expected in (
        "broken.toml: rule 'quick_call'.from_event: unknown event 'referal'",
        "quick_visit'.offset",
        "quick_visit'.unit",
        "quick_visit'.status",
        "quick_visit'.source",
        "quick_visit'.colour: unknown key",
    ):
        assert expected in text


def test_invalid_toml_is_reported_with_the_file_name(tmp_path: Path) -> None:
    """A rules file that is not TOML at all is named in the error."""
    local = tmp_path / "notes.toml"
    local.write_text("[[rules]\nid = ", encoding="utf-8")
    with pytest.raises(FormError, match=r"notes\.toml: not valid TOML"):
        load_rules(TimescaleSettings(rules_file=local))


def test_bad_settings_are_named() -> None:
    """A wrong timescale setting names the setting and the allowed values."""
    with pytest.raises(UsageError, match="count_from"):
        TimescaleSettings.from_mapping({"count_from": "tomorrow"})
    with pytest.raises(UsageError, match="local_closures"):
        TimescaleSettings.from_mapping({"local_closures": ["29/12/2026"]})


def test_unknown_event_lists_the_known_ones() -> None:
    """A mistyped event name is refused with the list of events to choose from."""
    with pytest.raises(UsageError, match="strategy_discussion"):
        event_deadlines("strategy", "2026-11-23")


# --- deadlines from a case's records ---------------------------------------------------------


def rec(rid: str, form_id: str, occurred: str, status: str = "final", **data: object) -> dict:
    """A record shaped like the case-data JSON."""
    return {
        "id": rid,
        "form_id": form_id,
        "form_version": 1,
        "status": status,
        "occurred_at": occurred,
        "data": data,
    }


SD1 = rec("sd-1", "strategy_discussion", "2026-11-02", date="2026-11-02", s47_decision="no")
SD2 = rec(
    "sd-2", "strategy_discussion", "2026-11-09", date="2026-11-09", s47_decision="joint", initiated_s47="yes"
)
SD3 = rec("sd-3", "strategy_discussion", "2026-11-16", date="2026-11-16", s47_decision="single_agency")
SD3_FOLLOW_UP = rec(
    "sd-3",
    "strategy_discussion",
    "2026-11-16",
    date="2026-11-16",
    s47_decision="single_agency",
    initiated_s47="no",
)


def outcome(rid: str, day: str, kind: str, plan: str = "yes") -> dict:
    """A conference outcome record: the conference held, with a plan (or not) for child c1."""
    return rec(
        rid,
        "conference_outcome",
        day,
        date=day,
        conference_type=kind,
        decisions=[{"child": ["c1"], "plan": plan}],
    )


def by_rule(deadlines: list) -> dict:
    return {d.rule.id: d for d in deadlines}


def test_strategy_discussion_that_started_s47_gives_the_conference_deadline() -> None:
    """The ICPC is due 15 working days after each discussion that started section 47 (a follow-up
    that did not start one gives none); an area that counts from the last discussion says so
    in its rules file (restart = true), without code."""
    items = by_rule(case_deadlines([SD1, SD2, SD3_FOLLOW_UP], today=D("2026-11-20")))
    icpc = items["icpc_after_strategy"]
    assert icpc.anchor.record_id == "sd-2"
    assert icpc.due == D("2026-11-30")
    assert icpc.state == "due"
    assert [
        d.anchor.record_id
        for d in case_deadlines([SD1, SD2, SD3_FOLLOW_UP], today=D("2026-11-20"))
        if d.rule.id == "icpc_after_strategy"
    ] == ["sd-2"]


def test_an_area_counting_from_the_last_discussion_sets_it_in_data(tmp_path: Path) -> None:
    """restart = true and an event that counts every s47 discussion: the later one replaces it."""
    local = tmp_path / "last.toml"
    local.write_text(
        '[[events]]\nevent = "strategy_discussion"\nform = "strategy_discussion"\ndate_field = "date"\n'
        'when = { field = "s47_decision", in = ["single_agency", "joint"] }\n'
        '[[rules]]\nid = "icpc_after_strategy"\ntitle = "ICPC 15 days after the last"\n'
        'from_event = "strategy_discussion"\noffset = 15\nunit = "working_day"\nstatus = "local"\n'
        'satisfied_by = "icpc"\nrestart = true\nsource = "Northshire 2.1"\n',
        encoding="utf-8",
    )
    items = [
        d
        for d in case_deadlines([SD1, SD2, SD3], TimescaleSettings(rules_file=local), today=D("2026-11-20"))
        if d.rule.id == "icpc_after_strategy"
    ]
    assert [(d.anchor.record_id, d.state) for d in items] == [("sd-2", "superseded"), ("sd-3", "due")]
    assert items[1].due == D("2026-12-07")


def test_a_discussion_without_s47_or_still_a_draft_starts_no_conference_clock() -> None:
    """Only a final strategy discussion that decided on section 47 starts the 15 days."""
    draft = rec(
        "sd-d",
        "strategy_discussion",
        "2026-11-02",
        status="draft",
        date="2026-11-02",
        s47_decision="joint",
        initiated_s47="yes",
    )
    assert "icpc_after_strategy" not in by_rule(case_deadlines([SD1, draft], today=D("2026-11-20")))


def test_overdue_met_and_met_late() -> None:
    """Each deadline is due, overdue, met on time, or met late by the later record."""
    overdue = by_rule(case_deadlines([SD2], today=D("2026-12-01")))["icpc_after_strategy"]
    assert overdue.state == "overdue" and overdue.state_label == "OVERDUE by 1 day"
    later = by_rule(case_deadlines([SD2], today=D("2026-12-03")))["icpc_after_strategy"]
    assert later.state_label == "OVERDUE by 3 days"
    soon = by_rule(case_deadlines([SD2], today=D("2026-11-29")))["icpc_after_strategy"]
    assert soon.state_label == "due in 1 day"
    on_time = outcome("cr-1", "2026-11-30", "initial")
    items = by_rule(case_deadlines([SD2, on_time], today=D("2026-12-01")))
    assert items["icpc_after_strategy"].state == "met"
    assert items["icpc_after_strategy"].met_by.record_id == "cr-1"
    # The conference that made a plan yields the core group and first review deadlines.
    assert items["core_group_after_icpc"].due == D("2026-12-14")
    assert items["first_review_after_icpc"].due == D("2027-02-26")  # 28 Feb 2027 is a Sunday
    late = outcome("cr-2", "2026-12-03", "initial")
    assert (
        by_rule(case_deadlines([SD2, late], today=D("2026-12-04")))["icpc_after_strategy"].state == "met_late"
    )


def test_reviews_chain_every_six_months() -> None:
    """Each review conference starts the next six-month review clock, met by the next review."""
    icpc = outcome("c1", "2026-05-29", "initial")
    r1 = outcome("c2", "2026-08-28", "review")
    r2 = outcome("c3", "2027-02-26", "review")
    items = case_deadlines([icpc, r1, r2], today=D("2027-03-01"))
    reviews = [d for d in items if d.rule.id == "next_review"]
    assert [(d.anchor.record_id, d.due, d.state) for d in reviews] == [
        ("c2", D("2027-02-26"), "met"),  # Sunday 28 February → Friday
        ("c3", D("2027-08-26"), "due"),
    ]
    upcoming = upcoming_deadlines([icpc, r1, r2], today=D("2027-03-01"))
    assert "next_review" in [d.rule.id for d in upcoming]
    assert "first_review_after_icpc" not in [d.rule.id for d in upcoming]  # met by c2


def test_upcoming_puts_overdue_first() -> None:
    """The case header shows overdue deadlines before the ones still to come."""
    referral = rec("r1", "referral", "2026-11-02", referral_date="2026-11-02")
    upcoming = upcoming_deadlines([referral, SD3], today=D("2026-11-20"))
    assert upcoming[0].state == "overdue" and upcoming[0].rule.id == "referral_decision"
    assert all(d.state in ("due", "overdue") for d in upcoming)


def test_store_like_objects_work_as_well_as_dicts() -> None:
    """Deadlines come from store Record objects as well as case-data dicts."""
    from types import SimpleNamespace

    obj = SimpleNamespace(**SD2)
    assert by_rule(case_deadlines([obj], today=D("2026-11-20")))["icpc_after_strategy"].due == D("2026-11-30")


def test_every_deadline_json_names_rule_status_and_source() -> None:
    """Machine output has rule, due (ISO), the rule's status and its source."""
    for d in event_deadlines("referral", "2026-11-23"):
        obj = d.to_json()
        assert (
            obj["rule"]
            and obj["source"]
            and obj["status"]
            in ("statute", "statutory_guidance", "national_guidance", "local", "unconfirmed")
        )
        assert D(obj["due"]) > D("2026-11-23")
        assert (D(obj["due"]) - D("2026-11-23")) < timedelta(days=80)


def test_milestones_meet_the_deadlines_no_other_record_can() -> None:
    """A core group meeting, a completed assessment and a file transfer are recorded as case
    milestones; each meets its deadline, on time or late, and a draft milestone meets nothing."""
    referral = rec("rf-1", "referral", "2026-09-01", referral_date="2026-09-01")
    icpc = outcome("cr-1", "2026-11-19", "initial")
    core = rec("ms-1", "milestone", "2026-12-01", milestone="core_group", date="2026-12-01")
    assessed = rec("ms-2", "milestone", "2026-11-20", milestone="assessment_completed", date="2026-11-20")
    items = by_rule(case_deadlines([referral, icpc, core, assessed], today=D("2026-12-02")))
    assert items["core_group_after_icpc"].state == "met"
    assert items["core_group_after_icpc"].met_by.record_id == "ms-1"
    # 45 working days from 1 September 2026 is 3 November: completed on 20 November is late
    assert items["referral_assessment"].due == D("2026-11-03")
    assert items["referral_assessment"].state == "met_late"
    draft = dict(core, status="draft")
    items = by_rule(case_deadlines([referral, icpc, draft], today=D("2026-12-02")))
    assert items["core_group_after_icpc"].state == "due"


def test_a_school_move_starts_the_file_transfer_clock() -> None:
    moved = rec("ms-3", "milestone", "2026-11-16", milestone="school_transfer", date="2026-11-16")
    items = by_rule(case_deadlines([moved], today=D("2026-11-24")))
    assert items["cp_file_transfer"].due == D("2026-11-23")
    assert items["cp_file_transfer"].state == "overdue"
    sent = rec("ms-4", "milestone", "2026-11-20", milestone="cp_file_transferred", date="2026-11-20")
    assert by_rule(case_deadlines([moved, sent], today=D("2026-11-24")))["cp_file_transfer"].state == "met"


def test_a_milestone_for_one_child_does_not_meet_a_siblings_deadline() -> None:
    """Maya and Leo both move school; only Maya's file is sent. Leo's deadline stays open."""
    maya_moves = dict(
        rec("ms-5", "milestone", "2026-11-16", milestone="school_transfer", date="2026-11-16"),
        children=["maya"],
    )
    leo_moves = dict(
        rec("ms-6", "milestone", "2026-11-16", milestone="school_transfer", date="2026-11-16"),
        children=["leo"],
    )
    maya_sent = dict(
        rec("ms-7", "milestone", "2026-11-18", milestone="cp_file_transferred", date="2026-11-18"),
        children=["maya"],
    )
    items = [
        d
        for d in case_deadlines([maya_moves, leo_moves, maya_sent], today=D("2026-11-24"))
        if d.rule.id == "cp_file_transfer"
    ]
    assert {d.anchor.record_id: d.state for d in items} == {"ms-5": "met", "ms-6": "overdue"}
    # a record that names no children (older data) still meets a deadline, as before
    sent_unnamed = rec("ms-8", "milestone", "2026-11-18", milestone="cp_file_transferred", date="2026-11-18")
    items = [
        d
        for d in case_deadlines([leo_moves, sent_unnamed], today=D("2026-11-24"))
        if d.rule.id == "cp_file_transfer"
    ]
    assert [d.state for d in items] == ["met"]
