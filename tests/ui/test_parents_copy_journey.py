"""A parent's copy from the export window, by keyboard: the strategy minutes start unticked and
the form's reason is shown beside them, a record the practitioner unticks is withheld, and the
signed pack holds neither while its manifest says what was left out, by reason only."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.packs.safezip import read_zip
from app.ui.session import Session
from tests.ui.test_journeys import (  # noqa: F401 - fixtures and the journeys' own Qt-warning rule
    banner,
    create_vault,
    pytestmark,
    save_as,
    session,
    user,
)
from tests.ui.user import User


def test_a_parents_copy_leaves_out_what_the_family_must_not_see(
    user: User,  # noqa: F811 - the fixture
    session: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Choose “Parent's copy”, untick the direct work session, sign and save: the pack has no
    strategy minutes and no direct work, and the manifest names both reasons."""
    from app.core.demo import create_demo

    create_vault(user)
    # The case already exists when the practitioner sits down (made as `fieldbook demo` does).
    session.call(lambda store: create_demo(store, session.registry))
    user.press("Ctrl+F")
    user.type("Okafor")
    user.wait_until(lambda: len(user.rows("Case list")) == 1, "the search to find the case")
    user.press("Tab")
    assert user.focus_name() == "Case list"
    user.press("Return")  # the search's one hit
    user.wait_for_text("Case FB-2026-0042")

    user.press("Ctrl+E")
    user.wait_for_window("Export a pack")
    user.choose("Pack kind", "Parent's copy (for the family)")
    user.wait_until(
        lambda: any("not for the family" in c for row in user.rows("Records in the pack") for c in row),
        "the parent's copy's records to be offered",
    )
    rows = [" ".join(row) for row in user.rows("Records in the pack")]
    strategy = next(r for r in rows if "Strategy discussion" in r)
    assert "not for the family: strategy discussion minutes" in strategy
    assert "Family Help" not in " ".join(rows)  # not a record a parent's copy holds
    user.check_item("Records in the pack", next(r for r in rows if "Direct work" in r))  # untick

    out = tmp_path / "parents.zip"
    user.click("Sign and save the pack")
    save_as(user, "Save the signed pack", out)
    user.wait_until(lambda: "Saved to" in banner(user, "Export"), "the pack to be saved")
    assert "VERIFIED" in banner(user, "Export")

    entries = read_zip(out.read_bytes())
    manifest = json.loads(entries["manifest.json"])
    forms = {r["form_id"] for r in json.loads(entries["data.json"])["case"]["records"]}
    assert manifest["kind"] == "parents"
    assert "strategy_discussion" not in forms and "direct_work" not in forms
    assert {"conference_report", "childs_voice"} <= forms
    reasons = json.dumps(manifest).lower()
    assert "withheld by the practitioner" in reasons and "strategy discussion minutes" in reasons
