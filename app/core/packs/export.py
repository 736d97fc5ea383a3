"""Export a case as a signed pack: choose records, render, sign, encrypt, write, audit.

Ties the vault (``app.core.store``), the case-data export (``app.core.casedata``), the forms
engine (PDF sections) and the timescales (cover deadlines) to ``build``. A referral pack holds
the referral, the child's voice, concerns (with body maps) and the chosen chronology range; a
conference pack holds the conference report, chronology, child's voice, direct work and strategy
discussions. Only final records go into a signed pack.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509

from app.core.clock import Clock
from app.core.crypto.keys import Identity, cert_info
from app.core.errors import FieldbookError, IntegrityFailure, Problem, UsageError, ValidationError
from app.core.forms import FormRegistry, FormSpec, case_chronology, load_registry
from app.core.jsonio import canonical_json
from app.core.packs.build import BuiltPack, PackContent, build_pack, publish, stage_file
from app.core.packs.pdf import RenderInput, person_name, render_pdf
from app.core.shares import ShareIn, export_share, log_share, manifest_entry
from app.core.timescales import settings_from_store, upcoming_deadlines

KIND_FORMS = {
    "referral": ("referral", "childs_voice", "concern", "chronology_entry"),
    "conference": (
        "conference_report",
        "concern",  # the agencies' contributions a chair needs: a nursery's concern with its body map
        "referral",
        "chronology_entry",
        "childs_voice",
        "direct_work",
        "strategy_discussion",
        "milestone",  # a core group held, an assessment completed: part of the child's story
        # after the referral (issue 15): the decision, the plans and the work on them
        "front_door_decision",
        "family_help_plan",
        "conference_outcome",
        "child_protection_plan",
        "core_group",
        "home_visit",
        "allegation",
        "missing_episode",
    ),
    # A parent's copy: the report the family must see before the conference, and what it rests on;
    # minus whatever the forms or the practitioner mark "not for the family" (``withhold_for_family``).
    "parents": (
        "conference_report",
        "referral",  # less the referrer's identity
        "concern",
        "chronology_entry",
        "childs_voice",
        "direct_work",
        "strategy_discussion",
        "milestone",
    ),
}


# Records a kind of pack holds only when the practitioner includes them on purpose (``share``):
# strategy discussion minutes carry other agencies' information (a police caution, say) that a
# conference does not need by default.
ON_PURPOSE = {"conference": ("strategy_discussion",)}


@dataclass(frozen=True)
class ExportOptions:
    kind: str
    record_ids: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    recipient: x509.Certificate | None = None
    withhold: tuple[str, ...] = ()  # parent's copy: record ids (or prefixes) the practitioner keeps back
    share: tuple[
        str, ...
    ] = ()  # records of a form left out by default (strategy minutes), included on purpose
    sharing_log: ShareIn | None = None  # the sharing-log entry this export makes (app.core.shares)


def _day(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("date")
    return str(value)[:10] if value else None


def select_records(case_data: dict[str, Any], opts: ExportOptions) -> None:
    """Keep only the records that belong in this kind of pack, in range, final; in place."""
    case = case_data.get("case") or {}
    records = case.get("records") or []
    if opts.record_ids:
        wanted = set(opts.record_ids)
        chosen = [
            r for r in records if r.get("id") in wanted or any(str(r.get("id")).startswith(w) for w in wanted)
        ]
        found = {w for w in wanted for r in chosen if str(r.get("id")).startswith(w)}
        missing = sorted(wanted - found)
        if missing:
            raise UsageError(f"Records: {', '.join(missing)} not found in this case")
    else:
        unknown = [w for w in opts.share if not any(_matches(r.get("id"), (w,)) for r in records)]
        if unknown and opts.kind in ON_PURPOSE:
            raise UsageError(f"Share: {', '.join(unknown)} is not a record of this case")
        chosen = [
            r
            for r in records
            if r.get("form_id") in KIND_FORMS[opts.kind]
            and (r.get("form_id") not in ON_PURPOSE.get(opts.kind, ()) or _matches(r.get("id"), opts.share))
        ]
    drafts = [r for r in chosen if r.get("status") != "final"]
    if drafts and opts.record_ids:
        raise ValidationError(
            [
                Problem(
                    "records",
                    "Records",
                    f"record {r.get('id')} ({r.get('form_id')}) is a draft: finalise it first",
                )
                for r in drafts
            ],
            context="Records",
        )
    chosen = [r for r in chosen if r.get("status") == "final"]
    lo = opts.date_from.isoformat() if opts.date_from else None
    hi = opts.date_to.isoformat() if opts.date_to else None
    if lo or hi:

        def in_range(r: dict[str, Any]) -> bool:
            d = _day((r.get("data") or {}).get("date")) if r.get("form_id") == "chronology_entry" else None
            d = d or _day(r.get("occurred_at")) or _day(r.get("created_at")) or ""
            return (lo is None or d >= lo) and (hi is None or d <= hi)

        chosen = [r for r in chosen if in_range(r)]
    if not chosen:
        raise UsageError(f"Records: there are no final records for a {opts.kind} pack in this selection")
    case["records"] = chosen
    used = {a for r in chosen for a in _shas(r.get("data"))}
    case_data["attachments"] = [a for a in case_data.get("attachments") or [] if a.get("sha256") in used]


def _matches(record_id: Any, wanted: tuple[str, ...]) -> bool:
    return any(str(record_id).startswith(w) for w in wanted)


def withhold_for_family(case_data: dict[str, Any], registry: Any, opts: ExportOptions) -> dict[str, Any]:
    """Take out of ``case_data`` (in place) what a parent's copy must not hold; returns what was
    left out, by reason, without its content (it goes into the signed manifest).

    A record goes when the practitioner withholds it (``opts.withhold``) or its form is marked
    ``not_for_family`` (strategy discussion minutes) and it is not shared on purpose
    (``opts.share``); a field goes when its form marks it ``not_for_family`` (the referrer's
    identity, third-party information). Attachments only withheld records used go as well.
    """
    case = case_data["case"]
    for wanted, label in ((opts.withhold, "Withhold"), (opts.share, "Share")):
        unknown = [w for w in wanted if not any(_matches(r.get("id"), (w,)) for r in case["records"])]
        if unknown:
            raise UsageError(f"{label}: {', '.join(unknown)} is not a record in this parent's copy")
    records: list[dict[str, Any]] = []
    left_records: list[dict[str, str]] = []
    left_fields: dict[tuple[str, str], str] = {}
    for rec in case["records"]:
        form = registry.get(rec["form_id"], rec.get("form_version")) if registry is not None else None
        by_form = form.not_for_family if form is not None else ""
        if _matches(rec.get("id"), opts.withhold):
            left_records.append({"form_id": rec["form_id"], "reason": "withheld by the practitioner"})
            continue
        if by_form and not _matches(rec.get("id"), opts.share):
            left_records.append({"form_id": rec["form_id"], "reason": by_form})
            continue
        data = rec.get("data") or {}
        for f in form.all_fields() if form is not None else []:
            if f.not_for_family and f.key in data:
                del data[f.key]
                left_fields[(rec["form_id"], f.key)] = f.not_for_family
        records.append(rec)
    if not records:
        raise UsageError("Records: everything in this selection is withheld from the family")
    case["records"] = records
    used = {a for r in records for a in _shas(r.get("data"))}
    case_data["attachments"] = [a for a in case_data.get("attachments") or [] if a.get("sha256") in used]
    return {
        "records": left_records,
        "fields": [
            {"form_id": fid, "field": key, "reason": why} for (fid, key), why in sorted(left_fields.items())
        ],
    }


def withheld_reasons(withheld: dict[str, Any] | None) -> tuple[str, ...]:
    """Each distinct reason a parent's copy left something out, in the order first met."""
    if not withheld:
        return ()
    reasons = [r["reason"] for r in withheld["records"]] + [f["reason"] for f in withheld["fields"]]
    return tuple(dict.fromkeys(reasons))


def _shas(value: Any) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if isinstance(v.get("sha256"), str):
                found.add(v["sha256"])
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return found


def export_pack(
    store: Any,
    registry: FormRegistry | None,
    case_id: str,
    identity: Identity,
    opts: ExportOptions,
    *,
    clock: Clock,
    case_data: dict[str, Any] | None = None,
) -> BuiltPack:
    """Build the signed (and, with a recipient, encrypted) pack for a case.

    ``case_data`` is the case's ``fieldbook-case/1`` export; by default it comes from
    ``app.core.casedata.export_case`` (it is a parameter so the pack layer can be tested alone).
    """
    if opts.kind not in KIND_FORMS:
        raise UsageError(f"Kind: “{opts.kind}” is not one of {', '.join(KIND_FORMS)}")
    changed = store.tampered_records(case_id)
    if changed:  # never sign what no longer matches what the practitioner attested
        raise IntegrityFailure(
            "Export refused, nothing was written: "
            + "; ".join(str(p) for p in changed[:10])
            + (f"; and {len(changed) - 10} more" if len(changed) > 10 else "")
            + ". Run `fieldbook vault check` and restore a backup."
        )
    registry = registry or load_registry()  # the built-in forms draw the PDF and the chronology
    if opts.sharing_log is None:  # what the practitioner did not say: from the kind, referral, profile
        subject = cert_info(opts.recipient).subject if opts.recipient is not None else None
        entry = export_share(store, case_id, opts.kind, shared_at="", recipient=subject)
        opts = replace(opts, sharing_log=entry)
    if case_data is None:
        from app.core.casedata import export_case

        case_data = export_case(store, case_id, attachments="path")
    else:
        case_data = json.loads(json.dumps(case_data))  # selection edits it in place
    # The cover's deadlines are the case's, worked out from all its final records: a date range
    # or a choice of records must not make a met deadline look open (or hide an open one).
    case_finals = [r for r in case_data["case"]["records"] if r.get("status") == "final"]
    select_records(case_data, opts)
    withheld = withhold_for_family(case_data, registry, opts) if opts.kind == "parents" else None
    attachments: dict[str, tuple[bytes, str]] = {}
    for a in case_data["attachments"]:
        att = store.get_attachment(a["sha256"])
        attachments[a["sha256"]] = (bytes(att.data), str(att.media_type))
        a["path"] = f"attachments/{a['sha256']}"
        a.pop("data_base64", None)
    records = case_data["case"]["records"]
    forms = sorted({(r["form_id"], int(r.get("form_version") or 1)) for r in records})
    names = {str(p.get("id")): person_name(p) for p in case_data["case"].get("people") or []}
    chronology = case_chronology(registry, records, names=names)
    # data.json carries the lines exactly as the PDF prints them, for a front door's systems
    case_data["chronology"] = [line.as_json() for line in chronology]
    deadlines: list[dict[str, Any]] = []
    if opts.kind == "conference":
        try:
            deadlines = [
                # Every deadline says which rule made it, its status and its source (issue 4).
                {
                    "due": d.due.isoformat(),
                    "label": f"{d.rule.title}"
                    + (f" for {', '.join(d.child_names())}" if d.children else "")
                    + f" ({d.state_label}) — {d.rule.status_label}",
                    "source": d.rule.source[0],  # printed on a line of its own: a long web address
                }
                for d in upcoming_deadlines(
                    case_finals,
                    settings_from_store(store),
                    clock=clock,
                    people=case_data["case"].get("people") or [],
                )
            ]
        except FieldbookError:  # e.g. a broken local rules file: the cover is a courtesy, the
            deadlines = []  # export goes ahead (`fieldbook deadlines` names the problem)
    times = [t for r in records for t in (r.get("updated_at"), r.get("finalised_at")) if t]
    info = identity.info

    def lookup(form_id: str, version: int) -> FormSpec | None:
        return registry.get(form_id, version)

    def render(pack_id: str) -> bytes:
        return render_pdf(
            RenderInput(
                kind=opts.kind,
                pack_id=pack_id,
                case_data=case_data,
                author={"name": info.name, "role": info.role, "agency": info.agency},
                created_at=_iso(clock),
                attachments={k: v[0] for k, v in attachments.items()},
                chronology=chronology,
                deadlines=deadlines,
                form_lookup=lookup,
                recipient=cert_info(opts.recipient).subject if opts.recipient is not None else None,
                share=manifest_entry(opts.sharing_log) if opts.sharing_log is not None else None,
                date_range=(
                    opts.date_from.isoformat() if opts.date_from else None,
                    opts.date_to.isoformat() if opts.date_to else None,
                ),
                withheld=withheld_reasons(withheld),
                data_json=canonical_json(case_data),  # the very bytes of the pack's data.json
            )
        )

    content = PackContent(
        kind=opts.kind,
        case_data=case_data,
        attachments=attachments,
        forms=forms,
        # Reserved (and committed) now: a pack that fails later leaves a gap, never a reused number.
        sequence=int(store.reserve_pack_sequence(case_id)),
        high_water_mark=max(times) if times else None,
        withheld=withheld,
        share=manifest_entry(opts.sharing_log) if opts.sharing_log is not None else None,
        audit_head=store.audit_head(),
    )
    return build_pack(content, identity, clock=clock, render_pdf=render, recipient=opts.recipient)


def _iso(clock: Clock) -> str:
    from app.core.clock import iso_now

    return iso_now(clock)


def write_and_record(
    store: Any,
    case_id: str,
    built: BuiltPack,
    out: Path,
    *,
    pdf_out: Path | None = None,
) -> None:
    """Write the pack and record it (packs row, sharing log and audit entry) as one change.

    The files are staged and flushed first; one transaction then records the pack, its share and
    its audit entry and, as its last step, renames the files into place. Any failure rolls the
    transaction back and removes what was written, so there is never a pack without its row and
    entries, nor a row for a pack that was not written.
    """
    m = built.manifest
    recipient = (m.get("recipient") or {}).get("subject")
    entry = m.get("share")
    share = None
    if entry:  # every export is a sharing-log entry, as the signed manifest states it
        kind = str(m["kind"])
        share = ShareIn(
            shared_at=str(m["created_at"]),
            method="parents_copy" if kind == "parents" else "export",
            what=f"{kind.capitalize()} pack {built.pack_id} ({out.name}, {len(m.get('files', []))} files)",
            **{k: str(entry[k]) for k in ("recipient", "purpose", "consent", "lawful_basis", "decided_by")},
        )
    staged = [(stage_file(out, built.data), Path(out))]
    placed: list[Path] = []
    try:
        if pdf_out is not None:
            staged.append((stage_file(pdf_out, built.pdf), Path(pdf_out)))
        with store.transaction():
            store.record_pack(
                pack_id=built.pack_id,
                case_id=case_id,
                kind=m["kind"],
                sequence=m["sequence"],
                created_at=m["created_at"],
                sha256=built.sha256,
                recipient=recipient,
                filename=Path(out).name,
            )
            if share is not None:
                log_share(store, case_id, share, pack_id=built.pack_id)
            store.audit(
                "export",
                "case",
                case_id,
                {
                    "pack_id": built.pack_id,
                    "kind": m["kind"],
                    "recipient": recipient,
                    "sha256": built.sha256,
                    "file": Path(out).name,
                    "pdf_sha256": hashlib.sha256(built.pdf).hexdigest(),
                    # A parent's copy: the log of the share says what was kept from the family.
                    **({"withheld": m["withheld"]} if "withheld" in m else {}),
                },
            )
            for tmp, dest in staged:
                publish(tmp, dest)
                placed.append(dest)
    except BaseException:
        for dest in placed:
            with contextlib.suppress(OSError):
                dest.unlink()
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
