"""Timescales as a practitioner meets them: dated stories told through `fieldbook record add`
and read back through `fieldbook deadlines --json`, including the six cases issue 15 found wrong.

Every date is in the records or in --as-of; nothing depends on the day the tests run.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import fieldbook

ROOT = Path(__file__).resolve().parents[2]
PASS = "heron bridge at dawn"


def run(vault: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """`fieldbook ARGS` on ``vault``, in this process (tests/clirun.py: same code, no start-up cost)."""
    return fieldbook(
        *args, env={"FIELDBOOK_VAULT": str(vault), "FIELDBOOK_PASSPHRASE": PASS, **env}, stdin=stdin
    )


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stories") / "vault.fieldbook"
    out = run(path, "init", "--name", "Sam Carter", "--role", "Social worker", "--agency", "Northshire")
    assert out.returncode == 0, out.stderr
    return path


class Story:
    """One case in the vault, with helpers to add final records and read its deadlines."""

    def __init__(self, vault: Path, *children: tuple[str, str]) -> None:
        self.vault = vault
        args = ["--json", "case", "add"]
        for name, born in children:
            args += ["--child", name, "--due" if born > "2026-12" else "--dob", born]
        out = run(vault, *args)
        assert out.returncode == 0, out.stderr
        self.case = json.loads(out.stdout)["case_id"]
        shown = json.loads(run(vault, "--json", "case", "show", self.case).stdout)
        self.ids = {p["given_name"]: p["id"] for p in shown["people"] if p["kind"] == "child"}

    def kid(self, *names: str) -> list[str]:
        return [self.ids[n] for n in names]

    def add(self, form: str, data: dict[str, Any], *children: str) -> str:
        args = ["--json", "record", "add", self.case, "--form", form, "--json", "-", "--final"]
        for name in children:
            args += ["--child", self.ids[name]]
        out = run(self.vault, *args, stdin=json.dumps(data))
        assert out.returncode == 0, out.stdout + out.stderr
        return str(json.loads(out.stdout)["record_id"])

    def deadlines(self, as_of: str, *extra: str, **env: str) -> list[dict[str, Any]]:
        out = run(self.vault, "--json", "deadlines", self.case, "--as-of", as_of, "--all", *extra, **env)
        assert out.returncode == 0, out.stderr
        return list(json.loads(out.stdout))

    def names(self, item: dict[str, Any]) -> list[str]:
        return sorted(c["name"].split()[0] for c in item["children"])


def of(items: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [d for d in items if d["rule"] == rule]


# --- valid records, dated by the story --------------------------------------------------------


def strategy(day: str, kids: list[str], *, started: str = "yes", s47: str = "joint") -> dict[str, Any]:
    return {
        "date": day,
        "format": "meeting",
        "chair": "Priya Shah, team manager",
        "first_or_followup": "first" if started == "yes" else "follow_up",
        "participants": [
            {"name": "Priya Shah", "agency": "childrens_social_care"},
            {"name": "DC Lee", "agency": "police"},
            {"name": "Dr Ames", "agency": "health"},
        ],
        "children": kids,
        "other_children_considered": "yes",
        "reason": "Bruise reported by the nursery.",
        "s47_decision": s47,
        "initiated_s47": started,
        "criminal_investigation": "Police to lead the interview.",
        "immediate_safety": "Children stay with their mother; father to stay away.",
        "medical": "not_needed",
        "abe_interview": "no",
        "actions": [{"action": "Visit", "owner": "Sam Carter", "due": day}],
        "rationale": "Reasonable cause to suspect significant harm.",
        "family_told": "Sam tells the mother today.",
    }


def outcome(day: str, kind: str, plans: dict[str, str]) -> dict[str, Any]:
    """A conference outcome: ``plans`` maps a child id to "yes" or "no"."""
    return {
        "date": day,
        "conference_type": kind,
        "chair": "Jo Reed, independent chair",
        "threshold_explained": "yes",
        "decisions": [
            {
                "child": [child],
                "plan": plan,
                "reasons": "As discussed at conference.",
                **({"category": "NEG"} if plan == "yes" else {}),
            }
            for child, plan in plans.items()
        ],
        "core_group_members": [{"name": "Sam Carter", "agency": "childrens_social_care"}],
        "further_help": "yes",
    }


def visit(day: str, seen: list[str]) -> dict[str, Any]:
    return {
        "date": day,
        "visit_type": "cp_plan",
        "present": "Mother and children",
        "children_seen": seen,
        "children_seen_alone": seen,
        "baby_seen_awake": "no_baby",
        "sleeping": "Own beds",
        "home_conditions": "Clean and warm.",
        "observations": "Playing happily.",
    }


# --- the six cases issue 15 found wrong --------------------------------------------------------


def test_no_plan_starts_no_core_group_or_review_clock(vault: Path) -> None:
    """A conference that decides no plan for the baby starts the core group and review clocks for
    Maya and Leo only; a conference with no plan for anyone starts none ("OVERDUE by 239 days")."""
    s = Story(
        vault, ("Maya Okafor", "2017-03-02"), ("Leo Okafor", "2022-01-10"), ("Amara Okafor", "2025-08-01")
    )
    s.add("strategy_discussion", strategy("2026-03-02", s.kid("Maya", "Leo", "Amara")))
    ids = dict(zip(("Maya", "Leo", "Amara"), s.kid("Maya", "Leo", "Amara"), strict=True))
    s.add(
        "conference_outcome",
        outcome("2026-03-20", "initial", {ids["Maya"]: "yes", ids["Leo"]: "yes", ids["Amara"]: "no"}),
    )
    items = s.deadlines("2026-03-23")
    [icpc] = of(items, "icpc_after_strategy")
    assert icpc["state"] == "met" and s.names(icpc) == ["Amara", "Leo", "Maya"]
    [core] = of(items, "core_group_after_icpc")
    assert s.names(core) == ["Leo", "Maya"] and core["due"] == "2026-04-07"  # Easter falls between
    [review] = of(items, "first_review_after_icpc")
    assert s.names(review) == ["Leo", "Maya"]

    none = Story(vault, ("Ruby Hart", "2019-05-05"))
    none.add("strategy_discussion", strategy("2026-03-02", none.kid("Ruby")))
    none.add("conference_outcome", outcome("2026-03-20", "initial", {none.ids["Ruby"]: "no"}))
    later = none.deadlines("2026-11-14")
    assert not of(later, "core_group_after_icpc") and not of(later, "first_review_after_icpc")
    assert [d for d in later if d["state"] in ("due", "overdue")] == []


def test_a_review_that_ends_the_plan_stops_the_review_clock(vault: Path) -> None:
    """The review ends Maya's plan and keeps Leo's: only Leo has a next review, and Maya's core
    group and visit clocks stop on the day the plan ended."""
    s = Story(vault, ("Maya Okafor", "2017-03-02"), ("Leo Okafor", "2022-01-10"))
    maya, leo = s.kid("Maya", "Leo")
    s.add("conference_outcome", outcome("2026-03-02", "initial", {maya: "yes", leo: "yes"}))
    s.add("conference_outcome", outcome("2026-06-01", "review", {maya: "no", leo: "yes"}))
    items = s.deadlines("2026-11-20")
    [first] = of(items, "first_review_after_icpc")
    assert first["state"] == "met" and s.names(first) == ["Leo", "Maya"]
    [nxt] = of(items, "next_review")
    assert s.names(nxt) == ["Leo"] and nxt["due"] == "2026-12-01" and nxt["state"] == "due"
    maya_visits = [d for d in of(items, "plan_visit") if "Maya" in s.names(d)]
    assert maya_visits and maya_visits[-1]["state"] == "stopped"
    assert maya_visits[-1]["met_on"] == "2026-06-01"
    still_open = [d for d in items if d["state"] in ("due", "overdue") and "Maya" in s.names(d)]
    assert still_open == []


def test_every_strategy_discussion_that_starts_s47_gets_its_own_icpc_deadline(vault: Path) -> None:
    """A second section 47 enquiry months later has its own conference deadline; a follow-up
    discussion during an enquiry starts none."""
    s = Story(vault, ("Maya Okafor", "2017-03-02"))
    maya = s.kid("Maya")
    first = s.add("strategy_discussion", strategy("2026-02-02", maya))
    s.add("strategy_discussion", strategy("2026-02-09", maya, started="no"))
    s.add("conference_outcome", outcome("2026-02-20", "initial", {maya[0]: "no"}))
    second = s.add("strategy_discussion", strategy("2026-10-01", maya))
    items = of(s.deadlines("2026-11-20"), "icpc_after_strategy")
    assert [(d["anchor_record"], d["due"], d["state"]) for d in items] == [
        (first, "2026-02-23", "met"),
        (second, "2026-10-22", "overdue"),
    ]


def test_a_report_written_for_a_conference_is_not_the_conference_held(vault: Path) -> None:
    """The agency report names a conference date, but the conference was postponed: the ICPC
    deadline stays open until the conference's outcome is recorded."""
    s = Story(vault, ("Maya Okafor", "2017-03-02"))
    s.add("strategy_discussion", strategy("2026-10-01", s.kid("Maya")))
    report = {
        "conference_date": "2026-10-20",
        "conference_type": "initial",
        "children": s.kid("Maya"),
        "agency": "education",
        "involvement": "Maya's school since 2022.",
        "worries": "Bruises seen twice.",
        "working_well": "Good attendance.",
        "needs_to_happen": "Safe care at home.",
        "lived_experience": "Quiet on Mondays.",
        "danger_statements": [{"danger": "Maya could be hurt again.", "goal": "Safe adults at home."}],
        "scaling": [{"scorer": "Teacher", "score": 4}],
        "recommendations": [
            {"child": s.kid("Maya"), "plan": "yes", "category": "PHY", "reasons": "Repeated injuries."}
        ],
        "shared_parents_date": "2026-10-14",
    }
    s.add("conference_report", report)
    [icpc] = of(s.deadlines("2026-11-20"), "icpc_after_strategy")
    assert icpc["state"] == "overdue" and icpc["due"] == "2026-10-22"
    s.add("conference_outcome", outcome("2026-11-03", "initial", {s.ids["Maya"]: "yes"}))
    [icpc] = of(s.deadlines("2026-11-20"), "icpc_after_strategy")
    assert icpc["state"] == "met_late" and icpc["met_on"] == "2026-11-03"


def test_a_month_deadline_on_a_weekend_or_bank_holiday_moves_to_the_working_day_before(vault: Path) -> None:
    """ICPC Mon 30 Nov 2026 → first review Fri 26 Feb 2027, not Sun 28 Feb; a six-month review
    that lands on the early May bank holiday 2027 is due the Friday before."""
    out = run(vault, "--json", "deadlines", "--event", "cp_plan_started", "--date", "2026-11-30")
    assert out.returncode == 0, out.stderr
    [review] = of(json.loads(out.stdout), "first_review_after_icpc")
    assert review["due"] == "2027-02-26"
    out = run(vault, "--json", "deadlines", "--event", "cp_plan_continues", "--date", "2026-11-03")
    [nxt] = of(json.loads(out.stdout), "next_review")
    assert nxt["due"] == "2027-04-30"
    # the same through records: ICPC Fri 28 Nov 2025 → review due Fri 27 Feb 2026 (28th a Saturday)
    s = Story(vault, ("Leo Okafor", "2022-01-10"))
    s.add("conference_outcome", outcome("2025-11-28", "initial", {s.ids["Leo"]: "yes"}))
    [review] = of(s.deadlines("2026-01-05"), "first_review_after_icpc")
    assert review["due"] == "2026-02-27"


def test_a_local_rule_in_a_temporary_rules_file_takes_effect_without_code(
    vault: Path, tmp_path: Path
) -> None:
    """An area declares its own event (a Family Help plan agreed) and rule (review within 12
    weeks); the deadline appears for the plan's children, marked local, with its source."""
    local = tmp_path / "northshire.toml"
    local.write_text(
        """
[[events]]
event = "family_help_plan_agreed"
form = "family_help_plan"
date_field = "agreed_on"
children_field = "children"

[[rules]]
id = "family_help_review"
title = "Review the Family Help plan within 12 weeks"
from_event = "family_help_plan_agreed"
offset = 12
unit = "week"
status = "local"
source = "Northshire Family Help procedures 3.4"
""",
        encoding="utf-8",
    )
    s = Story(vault, ("Maya Okafor", "2017-03-02"), ("Leo Okafor", "2022-01-10"))
    s.add(
        "family_help_plan",
        {
            "agreed_on": "2026-09-07",
            "children": s.kid("Leo"),
            "lead_practitioner": "Ann Bell, family help worker",
            "family_words": "We want mornings to be calmer.",
            "outcomes": [{"outcome": "Leo gets to nursery on time"}],
            "actions": [{"action": "Morning routine chart", "owner": "Ann Bell", "due": "2026-09-21"}],
            "contingency": "Talk to the team manager about more help.",
            "agreed_by": [{"name": "Grace Okafor", "relationship": "Mother"}],
        },
    )
    assert of(s.deadlines("2026-10-01"), "family_help_review") == []
    [local_rule] = of(s.deadlines("2026-10-01", FIELDBOOK_TIMESCALES=str(local)), "family_help_review")
    assert local_rule["due"] == "2026-11-30"
    assert local_rule["status"] == "local" and local_rule["source"] == [
        "Northshire Family Help procedures 3.4"
    ]
    assert local_rule["rule_origin"].endswith("northshire.toml")
    assert local_rule["children"] == [{"id": s.ids["Leo"], "name": "Leo Okafor"}]


# --- the rules added in issue 15 -------------------------------------------------------------


def test_return_home_interview_within_72_hours(vault: Path) -> None:
    """Back at 22:30 on Friday: the interview is due by Monday; offered on Tuesday is late."""
    s = Story(vault, ("Kai Brook", "2011-06-01"))
    episode = {
        "children": s.kid("Kai"),
        "missing_from": "2026-11-05T18:00",
        "returned_at": "2026-11-06T22:30",
        "found_where": "A friend's flat",
        "risks": ["cce"],
        "nrm": "considered",
        "nrm_details": "Discussed with the exploitation lead.",
        "rhi_offered_at": "2026-11-10T10:00",
    }
    s.add("missing_episode", episode)
    [rhi] = of(s.deadlines("2026-11-20"), "return_home_interview")
    assert rhi["due"] == "2026-11-09" and rhi["state"] == "met_late" and s.names(rhi) == ["Kai"]


def test_designated_officer_told_within_one_working_day(vault: Path) -> None:
    """An allegation known on Friday: the designated officer must be told by Monday."""
    s = Story(vault, ("Maya Okafor", "2017-03-02"))
    base = {
        "date_known": "2026-11-06",
        "children": s.kid("Maya"),
        "adult_name": "Alex Pine",
        "adult_role": "football coach",
        "employer": "Northshire Juniors FC",
        "alleged": "Maya told her teacher the coach grabbed her arm.",
    }
    s.add("allegation", base)
    [open_] = of(s.deadlines("2026-11-10"), "designated_officer_informed")
    assert open_["due"] == "2026-11-09" and open_["state"] == "overdue"
    s2 = Story(vault, ("Maya Okafor", "2017-03-02"))
    s2.add("allegation", {**base, "children": s2.kid("Maya"), "lado_informed_on": "2026-11-09"})
    [met] = of(s2.deadlines("2026-11-10"), "designated_officer_informed")
    assert met["state"] == "met"


def test_lcspr_within_six_months_of_the_decision(vault: Path) -> None:
    """Decided on Fri 29 May 2026: due Fri 27 Nov 2026 (29 November is a Sunday)."""
    s = Story(vault, ("Maya Okafor", "2017-03-02"))
    s.add("milestone", {"milestone": "lcspr_decision", "date": "2026-05-29", "children": s.kid("Maya")})
    [lcspr] = of(s.deadlines("2026-11-30"), "lcspr_publication")
    assert lcspr["due"] == "2026-11-27" and lcspr["state"] == "overdue"
    assert lcspr["source"][0].startswith("https://")


def test_plan_visits_are_per_child_seen(vault: Path) -> None:
    """A visit that saw Maya but not Leo meets only Maya's visit deadline (local: 10 working days)."""
    s = Story(vault, ("Maya Okafor", "2017-03-02"), ("Leo Okafor", "2022-01-10"))
    maya, leo = s.kid("Maya", "Leo")
    s.add("conference_outcome", outcome("2026-11-02", "initial", {maya: "yes", leo: "yes"}))
    s.add("home_visit", visit("2026-11-10", [maya]))
    items = of(s.deadlines("2026-11-20"), "plan_visit")
    from_plan = {tuple(s.names(d)): d["state"] for d in items if d["from_event"] == "cp_plan_started"}
    assert from_plan == {("Maya",): "met", ("Leo",): "overdue"}
    [rule_status] = {d["status"] for d in items}
    assert rule_status == "local"


def test_reports_shared_with_parents_before_the_conference(vault: Path) -> None:
    """Local rule: the report reaches the parents at least 3 working days before an initial
    conference on Fri 20 Nov 2026, that is by Tue 17 Nov; shared on the 18th is late."""
    out = run(vault, "--json", "deadlines", "--event", "initial_conference_report", "--date", "2026-11-20")
    [due] = of(json.loads(out.stdout), "icpc_report_to_parents")
    assert due["due"] == "2026-11-17" and due["direction"] == "before" and due["status"] == "local"
    assert "UNCONFIRMED" in due["notes"]
