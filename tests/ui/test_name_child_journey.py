"""Naming a child whose name was not yet known, from the desktop app, by keyboard."""

from __future__ import annotations

from app.ui.session import Session
from tests.ui.test_journeys import create_vault, pytestmark, session, user  # noqa: F401 - fixtures, Qt rule
from tests.ui.user import User


def test_a_baby_born_since_the_case_opened_is_named_from_the_case(
    user: User,  # noqa: F811 - the fixture
    session: Session,  # noqa: F811
) -> None:
    """The header flags the unnamed baby and offers “Name the child…”; an empty first name is
    refused in the dialog; once named, the flag and the button go and the list shows the name."""
    create_vault(user)
    user.press("Ctrl+N")
    user.wait_for_window("New case")
    user.type("FB-J-9")
    user.click("Child 1 name not yet known")
    user.click("Child 1 due date if unborn (DD/MM/YYYY)")
    user.type("01/02/2027")
    user.press("Return")
    user.wait_gone("New case")
    user.wait_for_text("Case FB-J-9")
    assert user.sees_text("NAME NOT YET KNOWN")

    user.click("Name the child")
    user.wait_for_window("Name the child")
    assert user.focus_name() == "First name"
    user.press("Return")  # nothing typed: refused, the dialog stays
    user.wait_for_text("✖ First name: is needed")
    user.type("Amara")
    user.press("Tab")
    user.type("Okafor")
    user.press("Return")
    user.wait_gone("Name the child")
    user.wait_for_text("Amara Okafor")
    assert not user.sees_text("NAME NOT YET KNOWN")
    assert not user.sees("Name the child")
    user.wait_until(lambda: any("Amara Okafor" in c for row in user.rows("Case list") for c in row), "list")
