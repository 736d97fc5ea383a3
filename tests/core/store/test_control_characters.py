"""One control-character rule for everything the vault stores (issue 17): the store's text cleaner
refuses C0, DEL and C1 controls as the record service does, naming the field; line breaks and tabs
pass only in text that may run over several lines."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound, ValidationError
from app.core.store import PersonIn, Store
from app.core.store.values import clean_text


@pytest.mark.parametrize("ch", ["\x85", "\x9b", "\x80", "\x9f", "\x1b", "\x00", "\x7f"])
def test_c0_del_and_c1_controls_are_refused_naming_the_field(store: Store, ch: str) -> None:
    """A child's name with a C0, DEL or C1 control is refused naming the field and the character."""
    child = PersonIn("child", given_name=f"Ma{ch}ya", family_name="Okafor", dob="2017-03-02")
    with pytest.raises(
        ValidationError, match=f"Given name: contains a control character \\(U\\+{ord(ch):04X}"
    ):
        store.create_case("FB-C1", [child])
    with pytest.raises(NotFound):
        store.find_case("FB-C1")  # nothing half-stored


def test_line_breaks_pass_only_where_text_runs_over_lines(store: Store) -> None:
    """Notes keep tabs and line breaks; a name or case reference with a line break is refused."""
    notes = "Seen at school.\r\n\tAsked to draw her family."
    case_id = store.create_case(
        "FB-LINES",
        [PersonIn("child", given_name="Maya", family_name="Okafor", dob="2017-03-02", notes=notes)],
    )
    assert store.get_case(case_id).children[0].notes == notes
    with pytest.raises(ValidationError, match=r"Family name: .*U\+000A LINE FEED.*holds one line"):
        store.create_case(
            "FB-NL", [PersonIn("child", given_name="Maya", family_name="Oka\nfor", dob="2017-03-02")]
        )
    with pytest.raises(ValidationError, match=r"Reference: .*U\+0009 TAB"):
        store.create_case(
            "FB\tX", [PersonIn("child", given_name="Maya", family_name="Okafor", dob="2017-03-02")]
        )


def test_store_and_record_service_share_one_rule() -> None:
    """The store cleaner gives the record service's own words for the same character."""
    from app.core.plaintext import control_problem

    text = "a\x9bb"
    with pytest.raises(ValidationError) as caught:
        clean_text(text, "Event")
    assert caught.value.message == f"Event: {control_problem(text, multiline=True)}"
