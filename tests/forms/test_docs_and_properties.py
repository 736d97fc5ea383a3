"""Generated form docs stay in step with the definitions; property tests of the validator and import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.casedata import export_case, import_case
from app.core.clock import FixedClock
from app.core.demo import create_demo
from app.core.errors import UsageError
from app.core.forms import ValidationContext, load_registry, practice_prompts, validate
from app.core.forms.docs import render_docs
from app.core.store import Store, Vault

ROOT = Path(__file__).resolve().parents[2]
REG = load_registry()
PASS = "willow path by the lock"
CTX = ValidationContext(children=[{"id": "c1"}, {"id": "c2"}], today=date(2026, 11, 23))

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["2026-11-01", "2099-01-01", "yes", "no", "unknown", "joint", "police", "c1", "c9", ""]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def test_docs_forms_is_up_to_date() -> None:
    """docs/forms matches the form definitions (run `fieldbook forms docs --out docs/forms`)."""
    for name, text in render_docs(REG).items():
        page = ROOT / "docs" / "forms" / name
        assert page.is_file(), f"{page} is missing: run `fieldbook forms docs --out docs/forms`"
        assert page.read_text("utf-8") == text, f"{page} is stale: run `fieldbook forms docs`"


def test_every_form_page_lists_every_field_and_prompt() -> None:
    """A local authority reading a form's page sees every field key and practice prompt."""
    pages = render_docs(REG)
    for form in REG.latest():
        page = pages[f"{form.id}.md"]
        for f in form.all_fields():
            assert f"`{f.key}`" in page
        for p in form.prompts:
            assert p.message in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form_id=st.sampled_from([f.id for f in REG.latest()]), data=st.data())
def test_validator_never_crashes_and_names_fields(form_id: str, data: st.DataObject) -> None:
    """Whatever a record holds, validation answers with problems naming a field, never a crash."""
    form = REG.get(form_id)
    keys = [f.key for f in form.all_fields()]
    record = data.draw(st.dictionaries(st.sampled_from([*keys, "stray"]), json_value, max_size=8))
    problems = validate(form, record, CTX)
    labels = {f.label for f in form.all_fields()} | {"stray"}
    for p in problems:
        assert str(p).split(":")[0] in labels or p.label in labels or p.field, str(p)
    practice_prompts(form, record, CTX)  # must not raise either


@pytest.fixture(scope="module")
def demo_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("pdemo") / "vault.fieldbook"
    with Vault.create(path, PASS, clock=FixedClock()) as vault:
        store = Store(vault)
        store.set_profile("Sam Carter", "Social worker", "Northshire Children's Services")
        case_id = create_demo(store, REG)
        return export_case(store, case_id)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("ptarget") / "empty.fieldbook"
    with Vault.create(path, PASS, clock=FixedClock()) as vault:
        s = Store(vault)
        s.set_profile("Jo Manager", "Team manager", "Southshire Children's Services")
        yield s


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(raw=st.one_of(st.binary(max_size=200), json_value.map(lambda v: json.dumps(v).encode())))
def test_import_refuses_arbitrary_input_whole(target: Store, raw: bytes) -> None:
    """Random bytes or JSON are refused with exit 2 and leave the vault without a new case."""
    before = len(target.list_cases())
    with pytest.raises(UsageError) as err:
        import_case(target, REG, raw)
    assert err.value.exit_code == 2 and err.value.message
    assert len(target.list_cases()) == before


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        out = [prefix] if prefix else []
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
        return out
    if isinstance(value, list):
        out = [prefix] if prefix else []
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
        return out
    return [prefix]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_damaged_case_is_imported_whole_or_not_at_all(
    demo_doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, target: Store, data: st.DataObject
) -> None:
    """One changed value anywhere in a real case: the import writes the whole case or nothing."""
    doc = json.loads(json.dumps(demo_doc))
    where = data.draw(st.sampled_from(_paths(doc)))
    node = doc
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = data.draw(json_value)
    before = {c.id if hasattr(c, "id") else c["id"] for c in target.list_cases()}
    try:
        case_id = import_case(target, REG, json.dumps(doc).encode())
    except UsageError as err:
        assert err.exit_code == 2 and err.message
        after = {c.id if hasattr(c, "id") else c["id"] for c in target.list_cases()}
        assert after == before
        return
    # Accepted: the case came in whole, and exports back to what was imported.
    assert export_case(target, case_id)["case"]["records"] == doc["case"]["records"]
