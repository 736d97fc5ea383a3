"""``fieldbook deadlines`` as administrators and scripts use it: output, JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.clirun import run_app


def fieldbook(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh interpreter."""
    return run_app(*args, env=env)


def test_event_json_lists_rule_due_status_and_source() -> None:
    """--event --date --json gives each deadline's rule, ISO due date, rule status and source."""
    out = fieldbook("deadlines", "--event", "strategy_discussion", "--date", "2026-12-18", "--json")
    assert out.returncode == 0, out.stderr
    [item] = json.loads(out.stdout)
    assert item["rule"] == "icpc_after_strategy"
    assert item["due"] == "2027-01-13"  # across Christmas, Boxing Day substitute and New Year
    assert item["status"] == "statutory_guidance"
    assert item["source"][0].startswith("https://")


def test_event_text_says_which_rule_and_whether_statutory() -> None:
    """The plain output names the rule, its status and its source for every deadline."""
    out = fieldbook("deadlines", "--event", "cp_plan_started", "--date", "2026-11-30")
    assert out.returncode == 0, out.stderr
    assert "2027-02-26" in out.stdout  # 30 November + 3 months is Sunday 28 February: the Friday before
    assert "statutory guidance" in out.stdout
    assert "source: https://" in out.stdout
    assert "First core group" in out.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--event", "refferal", "--date", "2026-11-23"], "--event"),
        (["--event", "referral", "--date", "23/11/2026"], "--date"),
        (["--event", "referral"], "--date"),
        (["--date", "2026-11-23"], "--event"),
    ],
)
def test_bad_event_or_date_exits_2_naming_the_argument(args: list[str], named: str) -> None:
    """A mistyped event or date is refused with exit 2 and a message naming the argument."""
    out = fieldbook("deadlines", *args)
    assert out.returncode == 2
    assert named in out.stderr


def test_local_rules_file_from_environment(tmp_path: Path) -> None:
    """FIELDBOOK_TIMESCALES points at a local rules file whose rules replace the shipped ones."""
    local = tmp_path / "local.toml"
    local.write_text(
        '[[rules]]\nid = "referral_decision"\ntitle = "Decide within 2 working days (local)"\n'
        'from_event = "referral"\noffset = 2\nunit = "working_day"\nstatus = "local"\n'
        'source = "Local procedures 3.1"\n',
        encoding="utf-8",
    )
    out = fieldbook(
        "deadlines",
        "--event",
        "referral",
        "--date",
        "2026-12-24",
        "--json",
        env={"FIELDBOOK_TIMESCALES": str(local)},
    )
    assert out.returncode == 0, out.stderr
    items = {i["rule"]: i for i in json.loads(out.stdout)}
    assert items["referral_decision"]["due"] == "2026-12-30"
    assert items["referral_decision"]["status"] == "local"


def test_rules_lists_every_event_with_its_form_and_every_rule_with_its_source() -> None:
    """`deadlines --rules` shows what a local area can change: each event's form and date field,
    and each rule's period, status and source (the shipped file and any local one)."""
    out = fieldbook("--json", "deadlines", "--rules")
    assert out.returncode == 0, out.stderr
    listing = json.loads(out.stdout)
    events = {(e["event"], e["form"]) for e in listing["events"]}
    assert ("icpc", "conference_outcome") in events and ("plan_visit", "home_visit") in events
    assert ("icpc", "conference_report") not in events  # a report is not the conference held
    rules = {r["rule"]: r for r in listing["rules"]}
    assert rules["return_home_interview"]["period"] == "72 hours"
    assert rules["icpc_report_to_parents"]["period"] == "3 working days before"
    assert all(r["source"] for r in listing["rules"])
