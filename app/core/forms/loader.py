"""Load and check form definitions (``forms/<id>/v<N>.toml``), built-in and local.

``check_*`` report every problem with the file, the key and what is wrong, so that a local
authority editing its own forms is told exactly where to look.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import FormError, NotFound, UsageError
from app.core.files import read_regular
from app.core.forms.chronology import SIGNIFICANCE
from app.core.forms.codelists import all_codelists
from app.core.forms.conditions import problems as condition_problems
from app.core.forms.spec import (
    FIELD_TYPES,
    PDF_HINTS,
    RULES,
    Choice,
    ChronologySpec,
    FieldSpec,
    FormSpec,
    Prompt,
    Section,
)
from app.core.forms.types import NOT_IN_TABLES
from app.core.paths import builtin_forms_dir

FORM_KEYS = {"id", "version", "title", "description", "sections", "prompts", "chronology", "not_for_family"}
SECTION_KEYS = {"key", "title", "fields", "help"}
FIELD_KEYS = {
    "key",
    "label",
    "type",
    "required",
    "required_if",
    "help",
    "placeholder",
    "choices",
    "codelist",
    "show_if",
    "rules",
    "pdf",
    "columns",
    "repeatable",
    "max_length",
    "not_for_family",
}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
FILE_RE = re.compile(r"^v([1-9][0-9]{0,3})\.toml$")
# A forms folder is read at every start: bound the work so no folder can stall or exhaust it.
MAX_FORM_BYTES = 1024 * 1024
MAX_FOLDER_ENTRIES = 2000
NOT_A_LINK = "is a symbolic link; a forms folder holds real folders and files, never links"


@dataclass
class Problems:
    file: str
    items: list[str] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{self.file}: {key}: {message}" if key else f"{self.file}: {message}")


def check_condition(cond: Any, keys: set[str], where: str, probs: Problems) -> None:
    """show_if / required_if / prompt conditions (the format of ``conditions``)."""
    for inside, message in condition_problems(cond, keys):
        probs.add(where + inside, message)


def _choices(raw: Any, where: str, probs: Problems) -> tuple[Choice, ...]:
    out: list[Choice] = []
    if not isinstance(raw, list):
        probs.add(where, "choices must be a list of [code, label] pairs or strings")
        return ()
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(Choice(item, item.replace("_", " ").capitalize()))
        elif isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
            out.append(Choice(item[0], item[1]))
        elif isinstance(item, dict) and isinstance(item.get("code"), str):
            out.append(Choice(item["code"], str(item.get("label", item["code"]))))
        else:
            probs.add(f"{where}[{i}]", "each choice is a string or a [code, label] pair")
    codes = [c.code for c in out]
    for dup in sorted({c for c in codes if codes.count(c) > 1}):
        probs.add(where, f"the code “{dup}” appears twice")
    return tuple(out)


def _field(raw: Any, where: str, probs: Problems, *, in_table: bool = False) -> FieldSpec | None:
    if not isinstance(raw, dict):
        probs.add(where, "a field must be a table")
        return None
    key = raw.get("key")
    where = f"{where} ({key})" if isinstance(key, str) else where
    for extra in sorted(set(raw) - FIELD_KEYS):
        probs.add(f"{where}.{extra}", "unknown key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        probs.add(f"{where}.key", "missing, or not lower_case_with_underscores")
        return None
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        probs.add(f"{where}.type", f"unknown type “{ftype}”; known: {', '.join(FIELD_TYPES)}")
        return None
    if in_table and ftype in NOT_IN_TABLES:
        probs.add(f"{where}.type", f"a table column cannot be a {ftype}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        probs.add(f"{where}.label", "every field needs a label the practitioner sees")
        label = key
    choices: tuple[Choice, ...] = ()
    codelist = raw.get("codelist")
    if ftype in ("choice", "multi_choice"):
        if "choices" in raw:
            choices = _choices(raw["choices"], f"{where}.choices", probs)
        elif codelist is None:
            probs.add(where, f"a {ftype} field needs choices or a codelist")
    if codelist is not None:
        if codelist not in all_codelists():
            probs.add(f"{where}.codelist", f"no code list called “{codelist}”")
        else:
            from app.core.forms.codelists import codes

            choices = tuple(Choice(c, t) for c, t in codes(codelist))
    rules = raw.get("rules", {})
    if not isinstance(rules, dict):
        probs.add(f"{where}.rules", "rules must be a table")
        rules = {}
    for rule, arg in rules.items():
        if rule not in RULES:
            probs.add(f"{where}.rules.{rule}", f"unknown rule; known: {', '.join(RULES)}")
        elif rule in ("min_length", "max_length", "max_rows") and (
            not isinstance(arg, int) or isinstance(arg, bool) or arg < 0
        ):
            probs.add(f"{where}.rules.{rule}", "must be a whole number ≥ 0")
        elif rule in ("min", "max") and not isinstance(arg, int | float):
            probs.add(f"{where}.rules.{rule}", "must be a number")
        elif rule in ("not_future", "at_least_one_row") and not isinstance(arg, bool):
            probs.add(f"{where}.rules.{rule}", "must be true or false")
        elif rule in ("after", "not_before") and not isinstance(arg, str):
            probs.add(f"{where}.rules.{rule}", "must name another date field")
        elif rule == "agencies_present" and not (
            isinstance(arg, list) and arg and all(isinstance(a, str) for a in arg)
        ):
            probs.add(f"{where}.rules.{rule}", "must be a list of agency codes")
    pdf = raw.get("pdf", {})
    if not isinstance(pdf, dict):
        probs.add(f"{where}.pdf", "pdf hints must be a table")
        pdf = {}
    for hint, arg in pdf.items():
        if hint not in PDF_HINTS:
            probs.add(f"{where}.pdf.{hint}", f"unknown PDF hint; known: {', '.join(PDF_HINTS)}")
        elif hint == "emphasis" and arg != "quote":
            probs.add(f"{where}.pdf.emphasis", 'the only emphasis is "quote" (a boxed quotation)')
        elif hint != "emphasis" and not isinstance(arg, bool):
            probs.add(f"{where}.pdf.{hint}", "must be true or false")
    columns: list[FieldSpec] = []
    if ftype == "table":
        raw_cols = raw.get("columns")
        if not isinstance(raw_cols, list) or not raw_cols:
            probs.add(f"{where}.columns", "a table needs at least one column")
        else:
            for i, col in enumerate(raw_cols):
                spec = _field(col, f"{where}.columns[{i}]", probs, in_table=True)
                if spec:
                    columns.append(spec)
    max_length = raw.get("max_length")
    if max_length is not None and (not isinstance(max_length, int) or max_length <= 0):
        probs.add(f"{where}.max_length", "must be a whole number above 0")
        max_length = None
    return FieldSpec(
        key=key,
        label=label.strip(),
        type=ftype,
        required=bool(raw.get("required", False)),
        required_if=raw.get("required_if"),
        help=str(raw.get("help", "")),
        placeholder=str(raw.get("placeholder", "")),
        choices=choices,
        codelist=codelist,
        show_if=raw.get("show_if"),
        rules=dict(rules),
        pdf=dict(pdf),
        columns=tuple(columns),
        repeatable=bool(raw.get("repeatable", False)),
        max_length=max_length,
        not_for_family=_withheld_reason(raw, where, probs),
    )


def _withheld_reason(raw: dict[str, Any], where: str, probs: Problems) -> str:
    """``not_for_family``: the reason (shown in a parent's copy's list of what was left out)."""
    value = raw.get("not_for_family", "")
    if not isinstance(value, str):
        probs.add(f"{where}.not_for_family", 'give the reason as text, e.g. "third-party information"')
        return ""
    return value.strip()


def parse_form(doc: dict[str, Any], file: str, probs: Problems) -> FormSpec | None:
    for extra in sorted(set(doc) - FORM_KEYS):
        probs.add(extra, "unknown key")
    form_id, version = doc.get("id"), doc.get("version")
    if not isinstance(form_id, str) or not KEY_RE.match(form_id):
        probs.add("id", "missing, or not lower_case_with_underscores")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        probs.add("version", "must be a whole number from 1")
    if not isinstance(doc.get("title"), str) or not doc["title"].strip():
        probs.add("title", "missing")
    sections: list[Section] = []
    raw_sections = doc.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        probs.add("sections", "a form needs at least one [[sections]]")
        raw_sections = []
    for i, rs in enumerate(raw_sections):
        where = f"sections[{i}]"
        if not isinstance(rs, dict):
            probs.add(where, "must be a table")
            continue
        for extra in sorted(set(rs) - SECTION_KEYS):
            probs.add(f"{where}.{extra}", "unknown key")
        fields = [_field(f, f"{where}.fields[{j}]", probs) for j, f in enumerate(rs.get("fields") or [])]
        if not rs.get("fields"):
            probs.add(f"{where}.fields", "a section needs at least one field")
        sections.append(
            Section(
                str(rs.get("key", f"s{i}")),
                str(rs.get("title", "")),
                tuple(f for f in fields if f),
                str(rs.get("help", "")),
            )
        )
    keys = [f.key for s in sections for f in s.fields]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        probs.add(f"field {dup}", "the key is used by more than one field")
    key_set = set(keys)
    for s in sections:
        for f in s.fields:
            for what in ("show_if", "required_if"):
                cond = getattr(f, what)
                if cond is not None:
                    check_condition(cond, key_set, f"field {f.key}.{what}", probs)
                # a column's condition names a column of the same row
                for col in f.columns:
                    cond = getattr(col, what)
                    if cond is not None:
                        row_keys = {c.key for c in f.columns}
                        check_condition(cond, row_keys, f"field {f.key}.{col.key}.{what}", probs)
            for rule in ("after", "not_before"):
                other = f.rules.get(rule)
                if isinstance(other, str) and other not in key_set:
                    probs.add(
                        f"field {f.key}.rules.{rule}",
                        f"refers to a field “{other}” that this form does not have",
                    )
    prompts: list[Prompt] = []
    for i, rp in enumerate(doc.get("prompts") or []):
        where = f"prompts[{i}]"
        if not isinstance(rp, dict) or not isinstance(rp.get("message"), str):
            probs.add(where, "a prompt needs a message")
            continue
        if rp.get("when") is not None:
            check_condition(rp["when"], key_set, f"{where}.when", probs)
        prompts.append(
            Prompt(
                str(rp.get("key", f"prompt{i}")), rp["message"], rp.get("when"), str(rp.get("standard", ""))
            )
        )
    chron = _chronology(doc.get("chronology"), {f.key: f for s in sections for f in s.fields}, probs)
    if probs.items and (not isinstance(form_id, str) or not isinstance(version, int)):
        return None
    return FormSpec(
        id=str(form_id),
        version=int(version or 0),
        title=str(doc.get("title", "")),
        description=str(doc.get("description", "")),
        sections=tuple(sections),
        prompts=tuple(prompts),
        chronology=chron,
        path=file,
        not_for_family=_withheld_reason(doc, "form", probs),
    )


CHRONOLOGY_KEYS = {
    "date_field",
    "summary",
    "significance",
    "source",
    "key_event",
    "impact",
    "action",
    "approximate_field",
    "sequence_field",
}


def _chronology(rc: Any, fields: dict[str, FieldSpec], probs: Problems) -> ChronologySpec | None:
    """The ``[chronology]`` table: which date, and the templates of the line's words."""
    if rc is None:
        return None
    if not isinstance(rc, dict) or not isinstance(rc.get("summary"), str):
        probs.add("chronology", "needs date_field and summary")
        return None
    for extra in sorted(set(rc) - CHRONOLOGY_KEYS):
        probs.add(f"chronology.{extra}", "unknown key")
    texts = {k: str(rc.get(k, "")) for k in ("summary", "source", "impact", "action")}
    for what in ("date_field", "approximate_field", "sequence_field"):
        if (what == "date_field" or rc.get(what)) and rc.get(what) not in fields:
            probs.add(f"chronology.{what}", f"“{rc.get(what)}” is not a field of this form")
    for what, template in texts.items():
        for name in re.findall(r"\{([a-z0-9_]+)\}", template):
            if name not in fields:
                probs.add(f"chronology.{what}", f"“{{{name}}}” is not a field of this form")
    significance = str(rc.get("significance", "medium"))
    named = significance.removeprefix("field:")
    if significance.startswith("field:") and named not in fields:
        probs.add("chronology.significance", f"“{named}” is not a field of this form")
    elif not significance.startswith("field:") and significance not in dict(SIGNIFICANCE):
        probs.add("chronology.significance", "is low, medium, high or field:<key>")
    return ChronologySpec(
        str(rc.get("date_field")),
        texts["summary"],
        significance,
        texts["source"],
        bool(rc.get("key_event", False)),
        texts["impact"],
        texts["action"],
        str(rc.get("approximate_field", "")),
        str(rc.get("sequence_field", "")),
    )


def load_file(path: Path) -> tuple[FormSpec | None, list[str]]:
    """One form file: (spec or None, problems). The path must be ``<id>/v<N>.toml``."""
    probs = Problems(str(path))
    try:
        doc = tomllib.loads(_read_form(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        probs.add("", f"not valid TOML ({exc})")
        return None, probs.items
    spec = parse_form(doc, str(path), probs)
    m = FILE_RE.match(path.name)
    if not m:
        probs.add("", "form files are named v<N>.toml inside a folder named after the form id")
    elif spec is not None:
        if spec.version != int(m.group(1)):
            probs.add("version", f"is {spec.version} but the file is {path.name}")
        if spec.id != path.parent.name:
            probs.add("id", f"is “{spec.id}” but the folder is “{path.parent.name}”")
    return spec, probs.items


class FormRegistry:
    """Every loaded form version; records keep (form id, version) for ever."""

    def __init__(self, forms: dict[tuple[str, int], FormSpec]) -> None:
        self._forms = forms

    def get(self, form_id: str, version: int | None = None) -> FormSpec:
        if version is None:
            versions = [v for (f, v) in self._forms if f == form_id]
            if not versions:
                raise NotFound(f"Form: there is no form “{form_id}” (see `fieldbook forms list`)")
            version = max(versions)
        try:
            return self._forms[(form_id, int(version))]
        except KeyError:
            raise NotFound(f"Form: “{form_id}” has no version {version}") from None

    def latest(self) -> list[FormSpec]:
        ids = sorted({f for f, _ in self._forms})
        return [self.get(i) for i in ids]

    def all(self) -> list[FormSpec]:
        return [self._forms[k] for k in sorted(self._forms)]


def _read_form(path: Path) -> bytes:
    """A form file's bytes: only a real file (checked before opening, so a FIFO or device named
    ``v1.toml`` is refused, never opened) of at most ``MAX_FORM_BYTES``; never a link."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(f"Forms folder: {path} {NOT_A_LINK}")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"Forms folder: {path} is not a regular file (a pipe, socket or device)")
    return read_regular(path, what="Form file", limit=MAX_FORM_BYTES)


def _form_files(folder: Path) -> list[Path]:
    """``<id>/*.toml`` under ``folder``, one level deep, no links followed, at most
    ``MAX_FOLDER_ENTRIES`` entries looked at in all (a folder of thousands is refused, not walked)."""
    seen = 0

    def entries(where: Path) -> list[os.DirEntry[str]]:
        nonlocal seen
        out: list[os.DirEntry[str]] = []
        with os.scandir(where) as it:
            for entry in it:
                seen += 1
                if seen > MAX_FOLDER_ENTRIES:
                    raise UsageError(
                        f"Forms folder: {folder} holds more than {MAX_FOLDER_ENTRIES} entries; "
                        "keep only the form folders in it"
                    )
                if not entry.name.startswith("."):  # hidden entries are skipped, as glob did
                    out.append(entry)
        return sorted(out, key=lambda e: e.name)

    files: list[Path] = []
    for top in entries(folder):
        if top.is_symlink():
            raise UsageError(f"Forms folder: {top.path} {NOT_A_LINK}")
        if top.is_dir(follow_symlinks=False):
            files += [Path(e.path) for e in entries(Path(top.path)) if e.name.endswith(".toml")]
    return files


def scan(folder: Path) -> tuple[list[FormSpec], list[str]]:
    """Every form in ``folder``; an unsafe entry (link, pipe, device, oversized file, thousands of
    entries) raises ``UsageError`` naming it."""
    specs: list[FormSpec] = []
    problems: list[str] = []
    for path in _form_files(folder):
        spec, probs = load_file(path)
        problems += probs
        if spec is not None and not probs:
            specs.append(spec)
    return specs, problems


def load_registry(extra_dir: Path | None = None) -> FormRegistry:
    """Built-in forms plus a local authority's folder; any problem stops loading with the list."""
    builtin, problems = scan(builtin_forms_dir())
    forms = {(f.id, f.version): f for f in builtin}
    if extra_dir is not None:
        if not Path(extra_dir).is_dir():
            raise FormError(f"--forms: {extra_dir} is not a folder")
        local, local_problems = scan(Path(extra_dir))
        problems += local_problems
        for spec in local:
            if (spec.id, spec.version) in forms:
                problems.append(
                    f"{spec.path}: version: {spec.id} v{spec.version} is a published "
                    "built-in version; give your version a new number"
                )
                continue
            forms[(spec.id, spec.version)] = FormSpec(**{**spec.__dict__, "origin": str(extra_dir)})
    if problems:
        raise FormError("form definitions have problems:\n  " + "\n  ".join(problems))
    return FormRegistry(forms)
