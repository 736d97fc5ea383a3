"""The records after the referral in a signed conference pack: the conference's decision for each
child, the plans, the core group and the visit, read back from the PDF as a chair would."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.packs.helpers import need_tool
from tests.packs.test_vault_export import run, vault  # noqa: F401 - the demo vault fixture


def test_conference_pack_prints_the_decision_for_each_child(
    vault: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Maya and Leo have a plan (physical abuse) and the baby has none, each row named; the
    plans, the core group and the plan visit are in the pack under their titles."""
    v, case_id = vault
    pack = tmp_path / "conf.fbpack"
    assert (
        run(capsys, "--vault", str(v), "export", case_id, "--kind", "conference", "--out", str(pack))[0] == 0
    )
    with zipfile.ZipFile(pack) as z:
        (tmp_path / "conf.pdf").write_bytes(z.read("pack.pdf"))
    text = subprocess.run(
        [need_tool("pdftotext"), "-layout", str(tmp_path / "conf.pdf"), "-"], capture_output=True, text=True
    ).stdout
    rows = {
        m.group(1): (m.group(2), m.group(3).strip())
        for m in re.finditer(r"^\s*(Maya|Leo|Baby) Okafor\s+(Yes|No)\s+(Physical abuse|\S+)", text, re.M)
    }
    assert rows["Maya"] == ("Yes", "Physical abuse")
    assert rows["Leo"] == ("Yes", "Physical abuse")
    assert rows["Baby"][0] == "No"
    for title in ("Conference outcome", "Child protection plan", "Core group meeting", "Home visit"):
        assert title in text, title
