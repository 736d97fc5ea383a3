"""Signing time and the verifier's clock (issue 13 item 6, SECURITY.md T30).

Every signature is stamped by the injected clock, so these tests sign at a fixed T and verify at
other fixed times: ten minutes later (as a suite that started long after collection would), with
the signer's clock ahead by hours (a warning, still valid), and more than a day ahead (exit 3).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.core.clock import FixedClock
from app.core.crypto.cms import sign_detached, verify_detached
from app.core.crypto.keys import cert_pem
from app.core.crypto.pades import sign_pdf, validate_pdf
from app.core.crypto.trust import duration
from app.core.outcome import SigStatus, Verdict
from app.core.packs.build import BuiltPack
from app.core.packs.review import add_review
from app.core.packs.verify import verify_bytes
from tests.packs.conftest import NOW, People
from tests.packs.helpers import simple_pdf
from tests.packs.test_pack_tamper import _build


@pytest.fixture(scope="module")
def pack(people: People) -> BuiltPack:
    """A referral pack signed at NOW by the author's (fixed) clock."""
    return _build(people)


def test_signatures_carry_the_injected_clock_time(people: People) -> None:
    """Both the PDF and the CMS signature claim exactly the injected clock's time, not the wall clock."""
    when = NOW + timedelta(days=200)
    pdf = sign_pdf(simple_pdf(), people.author, now=when, certify=True, field_name="A", reason="r")
    checks, _ = validate_pdf(pdf, [people.author.cert], now=when)
    assert checks[0].signing_time == when
    cms = verify_detached(b"x", sign_detached(b"x", people.author, now=when), [people.author.cert], now=when)
    assert cms.signing_time == when and cms.status is SigStatus.INTACT


@pytest.mark.parametrize("later", [timedelta(minutes=10), timedelta(hours=5), timedelta(days=400)])
def test_pack_verifies_any_time_after_signing(pack: BuiltPack, people: People, later: timedelta) -> None:
    """A pack verified ten minutes, hours or a year after signing is valid with no warning."""
    report = verify_bytes(pack.data, [people.author.cert], now=NOW + later)
    assert report.status is Verdict.VALID and not report.warnings, report.text()


def test_signer_clock_ahead_by_hours_is_a_warning(pack: BuiltPack, people: People) -> None:
    """A signer's clock 2 h 10 min ahead of the verifier's is reported as a warning; the pack stays valid."""
    report = verify_bytes(pack.data, [people.author.cert], now=NOW - timedelta(hours=2, minutes=10))
    assert report.status is Verdict.VALID and report.exit_code == 0, report.text()
    assert report.warnings == ["the signer's clock was ahead by 2 h 10 min"]
    assert "Warning: the signer's clock was ahead by 2 h 10 min" in report.text()


def test_small_skew_is_no_warning(pack: BuiltPack, people: People) -> None:
    """Clocks within five minutes of each other are treated as the same clock."""
    report = verify_bytes(pack.data, [people.author.cert], now=NOW - timedelta(minutes=4))
    assert report.status is Verdict.VALID and not report.warnings


def test_signer_clock_more_than_a_day_ahead_is_untrusted(pack: BuiltPack, people: People) -> None:
    """A signing time more than 24 hours ahead of the verifier cannot be believed: untrusted, exit 3."""
    report = verify_bytes(pack.data, [people.author.cert], now=NOW - timedelta(hours=25))
    assert report.status is Verdict.UNTRUSTED and report.exit_code == 3
    reasons = {c.reason for c in report.checks if not c.passed}
    assert reasons == {SigStatus.CLOCK}, report.text()


def test_reviewer_clock_ahead_is_a_warning(pack: BuiltPack, people: People) -> None:
    """A manager whose laptop runs an hour fast countersigns; the pack is valid with a warning."""
    reviewed = add_review(
        pack.data,
        people.manager,
        decision="approve",
        comment="Agreed",
        clock=FixedClock(NOW + timedelta(hours=1)),
    )
    report = verify_bytes(reviewed, [people.author.cert, people.manager.cert], now=NOW + timedelta(minutes=2))
    assert report.status is Verdict.VALID, report.text()
    assert report.warnings == ["the signer's clock was ahead by 58 min"]


def test_cli_at_option_judges_at_a_given_time(
    pack: BuiltPack, people: People, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fieldbook verify --at` judges at the given time: a warning at T-2h10m, exit 3 at T-25h."""
    (tmp_path / "p.fbpack").write_bytes(pack.data)
    (tmp_path / "a.pem").write_bytes(cert_pem(people.author.cert))

    def at(delta: timedelta) -> tuple[int, str]:
        stamp = (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
        code = main(["verify", str(tmp_path / "p.fbpack"), "--trust", str(tmp_path / "a.pem"), "--at", stamp])
        return code, capsys.readouterr().out

    code, out = at(-timedelta(hours=2, minutes=10))
    assert code == 0 and "Warning: the signer's clock was ahead by 2 h 10 min" in out
    code, out = at(-timedelta(hours=25))
    assert code == 3 and "more than a day" in out
    assert main(["verify", str(tmp_path / "p.fbpack"), "--at", "yesterday"]) == 2


@pytest.mark.parametrize(
    "delta,text",
    [
        (timedelta(seconds=40), "40 s"),
        (timedelta(minutes=58), "58 min"),
        (timedelta(hours=2, minutes=10), "2 h 10 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(days=1, hours=1), "1 day 1 h"),
        (timedelta(days=3), "3 days"),
    ],
)
def test_durations_read_naturally(delta: timedelta, text: str) -> None:
    """Clock differences are written the way a person says them."""
    assert duration(delta) == text
