"""The case workspace: a header (children, legal status, next deadlines) and one tab per kind
of record, plus the chronology and the packs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.forms import ChronologyLine, case_chronology
from app.core.forms.chronology import SIGNIFICANCE
from app.core.forms.dates import shown
from app.core.store.models import status_words
from app.core.timescales import settings_from_store, upcoming_deadlines
from app.core.wording import count
from app.ui.models import ChronologyFilter, ChronologyModel, RecordListModel
from app.ui.theme import colour as theme_colour

TABS = [
    ("Child's voice", ["childs_voice"]),
    ("Direct work", ["direct_work"]),
    ("Strategy discussions", ["strategy_discussion"]),
    ("Concerns", ["concern"]),
    ("Referrals && conferences", ["referral", "conference_report"]),
    # after the referral (issue 15): the front door, the plans and the work on them
    ("Front door && Family Help", ["front_door_decision", "family_help_plan"]),
    ("Plans && visits", ["conference_outcome", "child_protection_plan", "core_group", "home_visit"]),
    ("Allegations && missing", ["allegation", "missing_episode"]),
]


@dataclass
class CaseSnapshot:
    """Everything the workspace shows, gathered on the worker thread in one go."""

    case_id: str
    reference: str
    children: list[dict[str, Any]]
    records: list[dict[str, Any]]
    chronology: list[ChronologyLine]
    deadlines: list[dict[str, Any]]
    packs: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)


def age_text(dob: str | None, due: str | None, today: date) -> str:
    if due and not dob:
        return f"unborn, due {date.fromisoformat(due).strftime('%-d %b %Y')}"
    if not dob:
        return "date of birth not known"
    born = date.fromisoformat(dob)
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years < 2:
        months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
        return f"{months} months"
    return f"{years}"


def load_snapshot(store: Any, registry: Any, case_id: str) -> CaseSnapshot:
    """Everything the workspace shows. Chronology entries (possibly tens of thousands) come
    through the store's lean JSON query; other records are read in full."""
    case = store.get_case(case_id)
    records = store.list_records(case_id, exclude_form="chronology_entry")
    today = store.vault.clock.today()
    titles = {f.id: f.title for f in registry.all()}
    children = [
        {
            "id": c.id,
            "name": c.display_name,
            "age": age_text(c.dob, c.due_date, today),
            # legal status and where the child lives, in words (the same words as the CLI and PDF)
            "legal_status": "; ".join(words for _, words in status_words(c.__dict__)),
            "flag": c.flag or "",
        }
        for c in case.children
    ]
    names = {p.id: p.display_name for p in case.people}  # children named in a line, not their ids
    lines = case_chronology(registry, [*store.chronology_rows(case_id), *records], names=names)
    # a final record's row says what it is about (its chronology line), not only which form it
    # is; a draft keeps the form's title (its line would be half-filled placeholders)
    about = {line.record_id: line.event for line in lines if line.derived}
    rows = [
        {
            "id": r.id,
            "form_id": r.form_id,
            "title": about.get(r.id) or titles.get(r.form_id, r.form_id),
            "when": r.occurred_at or r.created_at,  # shown in words, on the clock in England
            "status": r.status,
            "addenda": len(r.addenda),
            "author": r.author.get("name", ""),
        }
        for r in records
    ]
    deadlines = [
        {
            "due": d.due.isoformat(),
            "title": d.rule.title,
            "state": d.state,
            "label": d.state_label,
            "status": d.rule.status_label,
            "source": d.rule.source[0],
            "who": ", ".join(d.child_names()),
        }
        for d in upcoming_deadlines(
            records, settings_from_store(store), store.vault.clock, limit=4, people=case.people
        )
    ]
    packs = [
        {
            "id": p.pack_id,
            "when": p.created_at,
            "kind": p.kind,
            "sequence": p.sequence,
            "recipient": p.recipient or "—",
            "file": p.filename,
        }
        for p in store.list_packs(case_id)
    ]
    counts = {titles.get(k, k): v for k, v in store.record_counts(case_id).items()}
    return CaseSnapshot(
        case.id, case.reference or case.id[:8], children, rows, lines, deadlines, packs, counts
    )


def _table(model: Any, name: str, widths: tuple[int, ...] = ()) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move within it
    view.setAlternatingRowColors(True)
    # Uniform row heights and set column widths: measuring every cell of a 10,000-row table
    # (ResizeToContents) took 1.9 s; this keeps opening a large case well under 200 ms.
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(view.fontMetrics().height() + 10)
    head = view.horizontalHeader()
    head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    head.setStretchLastSection(True)
    for i, w in enumerate(widths):
        view.setColumnWidth(i, w)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return view


class RecordsTab(QWidget):
    open_record = Signal(str)
    new_record = Signal(str)

    def __init__(
        self, title: str, form_ids: list[str], registry: Any, widths: tuple[int, ...] = (150, 260, 190)
    ) -> None:
        super().__init__()
        self.form_ids = form_ids
        self.model = RecordListModel(self)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        for fid in form_ids:
            button = QPushButton(f"New {registry.get(fid).title.lower()}")
            button.setAccessibleName(f"New {registry.get(fid).title}")
            button.clicked.connect(lambda _=False, f=fid: self.new_record.emit(f))
            bar.addWidget(button)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.view = _table(self.model, f"{title.replace('&&', 'and')} records", widths)
        # activated: a double-click, or Enter on the current row
        self.view.activated.connect(lambda idx: self.open_record.emit(self.model.row(idx.row())["id"]))
        lay.addWidget(self.view)

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows([r for r in rows if r["form_id"] in self.form_ids])


class ChronologyTab(QWidget):
    open_record = Signal(str)
    new_entry = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.model = ChronologyModel(self)
        self.proxy = ChronologyFilter(self)
        self.proxy.setSourceModel(self.model)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.source = QLineEdit()
        self.source.setPlaceholderText("Filter by source")
        self.source.setAccessibleName("Filter chronology by source")
        self.significance = QComboBox()
        self.significance.setAccessibleName("Filter chronology by significance")
        self.significance.addItem("All significance", None)
        for code, text in reversed(SIGNIFICANCE):
            self.significance.addItem(text, code)
        self.key_only = QCheckBox("&Key events only")
        self.key_only.setAccessibleName("Key events only")
        add = QPushButton("&Add entry")
        add.setAccessibleName("Add chronology entry")
        add.clicked.connect(self.new_entry.emit)
        for w in (self.source, self.significance, self.key_only):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(add)
        lay.addLayout(bar)
        # The source model sorts itself in Python (one key per row). The filter proxy sits between
        # model and view only while a filter is set: attached, it re-runs its Python filter on
        # every row at each reset or sort (40,000 calls to open and sort 10,000 entries).
        self.proxy.setSourceModel(None)  # type: ignore[arg-type]  # detach (PySide takes None)
        # the date column fits a date in words with a high significance beside it
        when = self.fontMetrics().horizontalAdvance("▲ High · about Wed 30 Sep 2026") + 16
        self.view = _table(self.model, "Chronology", (when, 200, 420, 240, 110))
        head = self.view.horizontalHeader()
        head.setSectionsClickable(True)
        head.setSortIndicatorShown(True)
        head.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        head.sortIndicatorChanged.connect(self.sort)
        self.view.activated.connect(self._open)
        lay.addWidget(self.view)
        self.source.textChanged.connect(self._filter)
        self.significance.currentIndexChanged.connect(self._filter)
        self.key_only.toggled.connect(self._filter)

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        self.model.sort(column, order)

    def show_rows(self, rows: list[ChronologyLine]) -> None:
        head = self.view.horizontalHeader()
        self.model.set_rows(rows, sort=(head.sortIndicatorSection(), head.sortIndicatorOrder()))

    def _filter(self) -> None:
        source_text = self.source.text()
        significance = self.significance.currentData()
        key_only = self.key_only.isChecked()
        if source_text or significance or key_only:
            if self.proxy.sourceModel() is not self.model:
                self.proxy.setSourceModel(self.model)
            self.proxy.set_filters(source_text=source_text, significance=significance, key_only=key_only)
            self._show(self.proxy)
        else:
            self._show(self.model)
            self.proxy.setSourceModel(None)  # type: ignore[arg-type]  # detach (PySide takes None)

    def _show(self, model: Any) -> None:
        """Point the view at the model or the proxy, keeping column widths and sort order."""
        if self.view.model() is model:
            return
        head = self.view.horizontalHeader()
        section, order = head.sortIndicatorSection(), head.sortIndicatorOrder()
        widths = [self.view.columnWidth(i) for i in range(self.model.columnCount())]
        self.view.setModel(model)
        head = self.view.horizontalHeader()
        head.blockSignals(True)  # the rows are already in this order
        head.setSortIndicator(section, order)
        head.blockSignals(False)
        for i, w in enumerate(widths[:-1]):  # the last column stretches
            self.view.setColumnWidth(i, w)

    def _open(self, idx: Any) -> None:
        src = self.proxy.mapToSource(idx) if idx.model() is self.proxy else idx
        self.open_record.emit(self.model.row(src.row())["id"])


class CaseWorkspace(QWidget):
    open_record = Signal(str)
    new_record = Signal(str)
    export_pack = Signal()
    name_child = Signal()

    def __init__(self, registry: Any) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setAccessibleDescription("Case summary")  # its name is what it says
        lay.addWidget(self.header)
        # Only while a child's name is not yet known (the header flags them).
        self.name_button = QPushButton("Name the c&hild…")
        self.name_button.setAccessibleName("Name the child")
        self.name_button.setToolTip("Give a child whose name was not yet known their name")
        self.name_button.clicked.connect(lambda: self.name_child.emit())
        self.name_button.hide()
        lay.addWidget(self.name_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case sections")
        self.overview = QLabel()
        self.overview.setWordWrap(True)
        self.overview.setTextFormat(Qt.TextFormat.RichText)
        self.overview.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.overview.setAccessibleDescription("Overview")
        # Milestones (core group held, assessment completed …) meet the deadlines in the header,
        # so they are recorded here on the overview rather than on a tab of their own.
        self.milestones = RecordsTab("Milestones", ["milestone"], registry, (110, 240, 80))
        self.milestones.open_record.connect(self.open_record)
        self.milestones.new_record.connect(self.new_record)
        page = QWidget()
        page_lay = QHBoxLayout(page)
        page_lay.addWidget(self.overview, 2)
        side = QVBoxLayout()
        side.addWidget(QLabel("<h3>Milestones</h3>"))
        intro = QLabel(
            "Steps with no record of their own — a core group held, an assessment "
            "completed. Each one meets its deadline above."
        )
        intro.setWordWrap(True)
        side.addWidget(intro)
        side.addWidget(self.milestones)
        page_lay.addLayout(side, 3)
        self.tabs.addTab(page, "&Overview")
        self.record_tabs: list[RecordsTab] = [self.milestones]
        self.chronology = ChronologyTab()
        for i, (title, forms) in enumerate(TABS):
            tab = RecordsTab(title, forms, registry)
            tab.open_record.connect(self.open_record)
            tab.new_record.connect(self.new_record)
            self.record_tabs.append(tab)
            self.tabs.addTab(tab, title)
            if i == 0:
                self.tabs.addTab(self.chronology, "&Chronology")
        self.chronology.open_record.connect(self.open_record)
        self.chronology.new_entry.connect(lambda: self.new_record.emit("chronology_entry"))
        from app.ui.models import RowsModel

        class PacksModel(RowsModel):
            columns = (
                ("when", "Exported"),
                ("kind", "Kind"),
                ("sequence", "No."),
                ("recipient", "Encrypted for"),
                ("file", "File"),
            )

        self.packs_model = PacksModel(self)
        packs = QWidget()
        packs_lay = QVBoxLayout(packs)
        export = QPushButton("E&xport pack…")
        export.setAccessibleName("Export pack")
        export.setToolTip("Export a signed pack of this case (Ctrl+E)")
        export.clicked.connect(self.export_pack.emit)
        packs_lay.addWidget(export, alignment=Qt.AlignmentFlag.AlignLeft)
        packs_lay.addWidget(_table(self.packs_model, "Packs"))
        self.tabs.addTab(packs, "&Packs")
        lay.addWidget(self.tabs, 1)
        self.snapshot: CaseSnapshot | None = None

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        from html import escape
        from urllib.parse import urlsplit

        self.snapshot = snap
        self.name_button.setVisible(any(c.get("flag") for c in snap.children))
        kids = " · ".join(
            f"<b>{escape(c['name'])}</b> ({escape(c['age'])}"
            + (f", {escape(c['legal_status'])}" if c["legal_status"] else "")
            + ")"
            + (f" <b>⚑ {escape(c['flag'])}</b>" if c.get("flag") else "")
            for c in snap.children
        )
        lines, sources = [], []
        for d in snap.deadlines:
            mark = "⚠ OVERDUE" if d["state"] == "overdue" else "Due"
            colour = theme_colour("error" if d["state"] == "overdue" else "info").name()
            # The source's site in the line (a full procedures URL would swamp the header); the
            # whole address in the tooltip and on the pack's cover.
            where = urlsplit(d["source"]).hostname or d["source"]
            lines.append(
                f"<span style='color:{colour}'><b>{mark} {escape(shown(d['due']))}</b></span> "
                f"— {escape(d['title'])}"
                + (f" for {escape(d['who'])}" if d.get("who") else "")
                + f" <i>({escape(d['status'])}; source: "
                f"{escape(where)})</i>"
            )
            sources.append(f"{d['title']}: {d['source']}")
        deadlines = "<br>".join(lines) or "No open statutory deadlines."
        self.header.setToolTip("\n".join(sources))
        self.header.setText(
            f"<h2>Case {escape(snap.reference)}</h2><p>{kids}</p><p><b>Next deadlines</b><br>{deadlines}</p>"
        )
        drafts = sum(d for _, d in snap.counts.values())
        items = "".join(f"<li>{escape(k)}: {n}</li>" for k, (n, _) in sorted(snap.counts.items()))
        self.overview.setText(
            f"<h3>Records</h3><ul>{items}</ul>"
            f"<p>{count(drafts, 'draft')} not yet finalised.</p>"
            f"<p>{count(len(snap.chronology), 'chronology line')}; "
            f"{count(len(snap.packs), 'pack')} exported.</p>"
        )
        for tab in self.record_tabs:
            tab.show_rows(snap.records)
        self.chronology.show_rows(snap.chronology)
        self.packs_model.set_rows(snap.packs)

    def clear(self) -> None:
        self.snapshot = None
        self.header.clear()
        self.overview.clear()
        for tab in self.record_tabs:
            tab.model.clear()
        self.chronology.model.clear()
        self.packs_model.clear()
