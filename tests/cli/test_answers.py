"""Answers, not tracebacks (issue 17): every bad input or bad moment gets a message that names it
and an exit code, through the real command line (`python -m app` in a subprocess); text from
packs and vaults reaches the terminal without escape sequences; core dumps are off; a case with
a large photo round-trips through case JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.core.store import PersonIn, Store, Vault
from tests.clirun import run_app
from tests.conftest import GOLDEN_PASSPHRASE, copy_vault

ROOT = Path(__file__).resolve().parents[2]
ESC_NAME = "Sam \x1b[2J\x1b[32mVERIFIED\x1b[0m Carter"  # clears the screen, paints a green verdict


def run(vault: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` on ``vault`` with the golden passphrase, as a user's shell runs it."""
    return run_app(*args, vault=vault, passphrase=GOLDEN_PASSPHRASE, stdin=stdin, env=env)


def no_traceback(out: subprocess.CompletedProcess[str]) -> bool:
    return "Traceback" not in out.stderr and "Traceback" not in out.stdout


@pytest.fixture
def demo(golden_demo_vault: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    """A copy of Sam Carter's vault with the demo case: (vault, case id)."""
    golden, case_id = golden_demo_vault
    return copy_vault(golden, tmp_path / "vault" / "sam.fieldbook"), case_id


def cases(vault: Path) -> list[dict[str, object]]:
    return list(json.loads(run(vault, "--json", "case", "list").stdout))


def test_an_unexpected_error_is_a_message_exit_2_and_a_log_without_case_data(demo: tuple[Path, str]) -> None:
    """A bug inside a command (simulated: `case list` raises with a child's name in its message)
    gives exit 2 and one plain sentence naming a log; the log holds the exception type and code
    locations, never the message or the arguments, and only its owner can read it."""
    vault, _ = demo
    state = vault.parent / "state"
    code = (
        "import sys\n"
        "import app.cli.case_cmds as cmds\n"
        "def broken(ctx, args):\n"
        "    raise ValueError('Maya Okafor, 12 Elm Road: passphrase ' + ctx.passphrase())\n"
        "cmds._case_list = broken\n"
        "from app.__main__ import main\n"
        "sys.exit(main(['case', 'list']))\n"
    )
    environ = {**os.environ, "FIELDBOOK_VAULT": str(vault), "FIELDBOOK_PASSPHRASE": GOLDEN_PASSPHRASE}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environ, "XDG_STATE_HOME": str(state)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = state / "fieldbook" / "crash.log"
    assert out.returncode == 2 and no_traceback(out)
    assert out.stderr.startswith("error: Fieldbook stopped on an unexpected problem (ValueError).")
    assert str(log) in out.stderr and "Maya" not in out.stderr
    text = log.read_text()
    assert "command: case list" in text and "builtins.ValueError" in text
    assert "app/cli/__init__.py:" in text  # where it passed through, for support
    for secret in ("Maya", "Elm Road", GOLDEN_PASSPHRASE, str(vault)):
        assert secret not in text
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_busy_vault_says_another_fieldbook_is_writing(demo: tuple[Path, str]) -> None:
    """While another process holds the vault's write lock, `case add` waits (busy timeout), then
    exits 2 saying another Fieldbook is writing; nothing was added."""
    vault, _ = demo
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from app.core.store import Vault\n"
            "v = Vault.open(sys.argv[1], sys.argv[2])\n"
            "v.conn.execute('BEGIN IMMEDIATE')\n"
            "print('writing', flush=True)\n"
            "sys.stdin.read()\n"
            "v.conn.execute('ROLLBACK')\n"
            "v.close()\n",
            str(vault),
            GOLDEN_PASSPHRASE,
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "writing"
        out = run(vault, "case", "add", "--child", "Ola Nowak", FIELDBOOK_TEST_BUSY_TIMEOUT_MS="300")
    finally:
        holder.communicate("", timeout=60)  # end of its input: it lets go of the vault
    assert out.returncode == 2 and no_traceback(out)
    assert "Another Fieldbook is writing to this vault" in out.stderr
    assert ["Ola Nowak"] not in [c["children"] for c in cases(vault)]


def test_case_import_names_id_collisions_huge_numbers_and_control_characters(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    """A case file whose people are already in the vault, one with a 5,000-digit number, and one
    with an escape sequence in a name: each is refused with exit 2 and a message naming the
    person, the number's place or the field; nothing is imported."""
    vault, case_id = demo
    exported = tmp_path / "case.json"
    assert run(vault, "case", "export-json", case_id, "--out", str(exported)).returncode == 0
    doc = json.loads(exported.read_text())
    doc["case"]["id"] = "0c0ffee0-0000-4000-8000-000000000001"
    for i, rec in enumerate(doc["case"]["records"]):
        rec["id"] = f"0c0ffee0-0000-4000-8000-{i:012d}"
    same_people = tmp_path / "same-people.json"
    same_people.write_text(json.dumps(doc))
    out = run(vault, "case", "import", str(same_people))
    person = doc["case"]["people"][0]["id"]
    assert out.returncode == 2 and no_traceback(out)
    assert f"person {person} is already in another case" in out.stderr

    entry = next(i for i, r in enumerate(doc["case"]["records"]) if r["form_id"] == "chronology_entry")
    doc["case"]["records"][entry]["data"]["sequence"] = "BIG"
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps(doc).replace('"BIG"', "9" * 5000))
    out = run(vault, "case", "import", str(huge))
    assert out.returncode == 2 and no_traceback(out)
    assert f"the number at case/records/{entry}/data/sequence has 5,000 digits" in out.stderr

    doc["case"]["records"][entry]["data"]["sequence"] = 1
    doc["case"]["people"][0]["given_name"] = "Maya\x1b[8m"
    hidden = tmp_path / "hidden.json"
    hidden.write_text(json.dumps(doc))
    out = run(vault, "case", "import", str(hidden))
    assert out.returncode == 2 and no_traceback(out)
    assert "Person 1, given_name: contains a control character (U+001B ESC)" in out.stderr
    assert "\x1b" not in out.stderr
    assert len(cases(vault)) == 1


def test_record_add_names_the_field_of_a_huge_number_or_a_control_character(demo: tuple[Path, str]) -> None:
    """`record add` refuses a 5,000-digit number, an escape character and a tab in a one-line
    field, naming the field each time and saving nothing; line breaks and tabs in long text are
    kept. `case add` refuses an escape character in a child's name."""
    vault, case_id = demo

    def add(text: str) -> subprocess.CompletedProcess[str]:
        return run(vault, "record", "add", case_id, "--form", "chronology_entry", "--json", "-", stdin=text)

    before = len(json.loads(run(vault, "--json", "case", "show", case_id).stdout)["records"])
    out = add('{"date": "2026-11-20", "source": "School", "event": "x", "sequence": ' + "9" * 5000 + "}")
    assert out.returncode == 2 and no_traceback(out)
    assert "--json: the number at sequence has 5,000 digits" in out.stderr
    out = add(json.dumps({"date": "2026-11-20", "source": "School\x1b[2J", "event": "x"}))
    assert out.returncode == 2 and "Source: contains a control character (U+001B ESC)" in out.stderr
    out = add(json.dumps({"date": "2026-11-20", "source": "St Aidan's\tSchool", "event": "x"}))
    assert out.returncode == 2 and "Source: contains a control character (U+0009 TAB)" in out.stderr
    assert "one line" in out.stderr
    after = json.loads(run(vault, "--json", "case", "show", case_id).stdout)["records"]
    assert len(after) == before
    out = add(json.dumps({"date": "2026-11-20", "source": "School", "event": "First line\n\tindented"}))
    assert out.returncode == 0, out.stderr
    out = run(vault, "case", "add", "--child", "Maya\x1b[8m Okafor")
    assert (
        out.returncode == 2 and "--child: “Maya\\u001b[8m Okafor” contains a control character" in out.stderr
    )


def test_deadlines_at_the_ends_of_the_calendar_give_a_message(demo: tuple[Path, str]) -> None:
    """An event on 9999-12-31 has no calendar after it to count on: exit 2, naming the date; one
    on 0001-01-01 is counted forward as usual."""
    vault, _ = demo
    out = run(vault, "deadlines", "--event", "strategy_discussion", "--date", "9999-12-31")
    assert out.returncode == 2 and no_traceback(out)
    assert "strategy_discussion on 9999-12-31 is too near the start or end of the calendar" in out.stderr
    out = run(vault, "deadlines", "--event", "strategy_discussion", "--date", "0001-01-01")
    assert out.returncode == 0 and "0001-01-22" in out.stdout  # 15 working days later


def test_an_output_path_that_is_a_folder_is_named_and_nothing_is_written(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    """`export`, `case export-json`, `vault backup` and `identity export-cert` given a folder as
    --out exit 2 naming it, before doing any work: nothing appears beside it."""
    vault, case_id = demo
    folder = tmp_path / "out"
    folder.mkdir()
    before = sorted(tmp_path.iterdir())
    for args in (
        ("export", case_id, "--kind", "referral", "--out", str(folder)),
        ("case", "export-json", case_id, "--out", str(folder)),
        ("vault", "backup", "--out", str(folder)),
        ("identity", "export-cert", "--out", str(folder)),
    ):
        out = run(vault, *args)
        assert out.returncode == 2 and no_traceback(out), args
        assert f"argument --out: {folder} is a folder; give the name of a file to write" in out.stderr
    assert sorted(tmp_path.iterdir()) == before and list(folder.iterdir()) == []


def test_every_entry_point_turns_core_dumps_off() -> None:
    """`python -m app`, the `fieldbook` script and the frozen bundle all start in app.__main__.main,
    and after it runs the process has a core-file limit of 0 and is not dumpable."""
    assert 'fieldbook = "app.__main__:main"' in (ROOT / "pyproject.toml").read_text()
    assert "from app.__main__ import main" in (ROOT / "packaging" / "entry.py").read_text()
    code = (
        "import ctypes, resource\n"
        "from app.__main__ import main\n"
        "dumpable = lambda: ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)\n"  # PR_GET_DUMPABLE
        "print(dumpable())\n"
        "main(['forms', 'list'])\n"
        "print(resource.getrlimit(resource.RLIMIT_CORE), dumpable())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "1"  # a process starts dumpable ...
    assert lines[-1] == "(0, 0) 0"  # ... and main() leaves no core file limit and not dumpable


def test_a_case_with_a_2mb_photo_round_trips_through_case_json(
    golden_sam_vault: Path, tmp_path: Path
) -> None:
    """A drawing photographed at 2 MB goes out with `case export-json` and back in with `case
    import` into another vault, byte for byte."""
    source = copy_vault(golden_sam_vault, tmp_path / "a" / "sam.fieldbook")
    photo = os.urandom(2 * 1024 * 1024)  # incompressible, like a JPEG
    with Vault.open(source, GOLDEN_PASSPHRASE, clock=FixedClock(datetime(2026, 11, 20, tzinfo=UTC))) as v:
        store = Store(v)
        case_id = store.create_case("FB-2026-0077", [PersonIn("child", "Tia", "Adeyemi", dob="2019-05-04")])
        sha = store.put_attachment(photo, "image/jpeg", "drawing.jpg")
        store.create_record(
            case_id,
            "direct_work",
            1,
            {"artefacts": [{"sha256": sha, "caption": "Tia's drawing of home"}]},
            [],
            "2026-11-20",
        )
    exported = tmp_path / "case.json"
    out = run(source, "case", "export-json", "FB-2026-0077", "--drafts", "--out", str(exported))
    assert out.returncode == 0, out.stderr
    target = copy_vault(golden_sam_vault, tmp_path / "b" / "sam.fieldbook")
    out = run(target, "case", "import", str(exported))
    assert out.returncode == 0, out.stderr
    with Vault.open(target, GOLDEN_PASSPHRASE) as v:
        assert Store(v).get_attachment(sha).data == photo


def test_text_from_a_pack_or_a_vault_reaches_the_terminal_escaped(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    """An escape sequence in a pack's signer name and case reference, and a right-to-left override
    in a child's name, are printed by `verify`, `case list`, `case show` and `search` as visible
    \\u escapes (in --json too, where they read back as the original text), never raw."""
    from app.core.crypto.keys import generate_identity
    from app.core.packs.build import PackContent, build_pack
    from tests.packs.helpers import renderer
    from tests.packs.sample import sample_case

    now = datetime.now(UTC).replace(microsecond=0)
    forger = generate_identity(ESC_NAME, "Social Worker", "North\x9b31mshire", now=now)
    case_data, attachments, chronology = sample_case(2)
    case_data["case"]["reference"] = "FB-\x1b]0;retitled\x07-1"

    media = {s: (b, "image/png") for s, b in attachments.items()}
    pack = tmp_path / "forged.fbpack"
    pack.write_bytes(
        build_pack(
            PackContent("referral", case_data, media, []),
            forger,
            clock=FixedClock(now),
            render_pdf=renderer(case_data, attachments, chronology),
        ).data
    )
    vault, _ = demo
    out = run(vault, "verify", str(pack))
    assert out.returncode == 3 and "\\u001b[32mVERIFIED" in out.stdout and "\\u009b31m" in out.stdout
    as_json = run(vault, "--json", "verify", str(pack))
    assert json.loads(as_json.stdout)["signers"][0]["name"] == ESC_NAME

    assert run(vault, "case", "add", "--child", "Maya \u202eOkafor", "--ref", "FB-RTL").returncode == 0
    outputs = [
        out.stdout,
        as_json.stdout,
        run(vault, "case", "list").stdout,
        run(vault, "case", "show", "FB-RTL").stdout,
        run(vault, "search", "Maya").stdout,
    ]
    listed = run(vault, "--json", "case", "list")
    assert "Maya \u202eOkafor" in [name for c in json.loads(listed.stdout) for name in c["children"]]
    for text in [*outputs, listed.stdout]:
        assert not any(ch in text for ch in ("\x1b", "\x9b", "\x07", "\u202e")), text[:200]
    assert "Maya \\u202eOkafor" in outputs[2] and "Maya \\u202eOkafor" in outputs[3]
