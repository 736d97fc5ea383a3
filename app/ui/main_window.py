"""The main window: unlock or create, then the case list and the case workspace.

Locking (Ctrl+L, idle time, screen lock or suspend) saves the open draft, closes the vault, and
clears every model and view that showed case data.
"""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError
from app.ui.session import Session
from app.ui.unlock import CreateVaultPage, UnlockPage

if TYPE_CHECKING:
    from app.core.store import Store
    from app.ui.editor import RecordEditor

DEFAULT_IDLE_MINUTES = 5


class NewCaseDialog(QDialog):
    """A case needs at least one child; an unborn child has an expected due date instead.

    OK asks the window to create the case (``submitted``); a refusal is shown here and the
    dialog stays open with everything typed."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New case")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.reference = QLineEdit()
        self.reference.setAccessibleName("Case reference")
        form.addRow("Case &reference", self.reference)
        lay.addLayout(form)
        self.child_rows: list[dict[str, Any]] = []
        self.children_box = QVBoxLayout()
        lay.addWidget(
            QLabel(
                "<b>Children</b> (give a date of birth, or a due date for an unborn baby;"
                " tick Name not yet known for a child with no name yet)"
            )
        )
        lay.addLayout(self.children_box)
        add = QPushButton("Add another &child")
        add.setAccessibleName("Add another child")
        add.clicked.connect(self.add_child_row)
        lay.addWidget(add)
        self.error = QLabel()
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        # Widgets only the unlocked app uses are imported where used: PySide builds each Qt
        # class's Python type on import, which would delay the unlock window.
        from PySide6.QtWidgets import QDialogButtonBox

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submitted.emit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.add_child_row()
        self.reference.setFocus()

    def add_child_row(self) -> None:
        n = len(self.child_rows) + 1
        row = QHBoxLayout()
        widgets: dict[str, Any] = {}
        for key, placeholder, name in (
            ("given", "First name", "First name"),
            ("family", "Family name", "Family name"),
            # dates typed day-first, as everywhere else in the app
            ("dob", "Born DD/MM/YYYY", "date of birth (DD/MM/YYYY)"),
            ("due", "or due DD/MM/YYYY", "due date if unborn (DD/MM/YYYY)"),
        ):
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(f"Child {n} {name}")
            row.addWidget(edit)
            widgets[key] = edit
        # The order, if any, and where the child lives are separate questions (kinship care is an
        # arrangement); both lists come from the code lists the store checks against. Imported
        # here, not at the top: the unlock window must come up before the forms engine loads.
        from PySide6.QtWidgets import QComboBox

        from app.core.forms.codelists import codes
        from app.core.store.values import ARRANGEMENT_LIST, LEGAL_STATUS_LIST

        for key, listname, prompt, name in (
            ("legal", LEGAL_STATUS_LIST, "Legal status", "legal status"),
            ("lives", ARRANGEMENT_LIST, "Lives", "living arrangement"),
        ):
            combo = QComboBox()
            combo.setAccessibleName(f"Child {n} {name}")
            combo.addItem(prompt, "")
            for code, label in codes(listname):
                combo.addItem(label, code)
            row.addWidget(combo)
            widgets[key] = combo
        unnamed = QCheckBox("Name not yet known")
        unnamed.setAccessibleName(f"Child {n} name not yet known")
        # No name to type: the fields are greyed out and the child is shown by a placeholder.
        unnamed.toggled.connect(widgets["given"].setDisabled)
        unnamed.toggled.connect(widgets["family"].setDisabled)
        row.addWidget(unnamed)
        widgets["unnamed"] = unnamed
        self.children_box.addLayout(row)
        self.child_rows.append(widgets)

    def people(self) -> list[Any]:
        from app.core.forms.dates import normalise
        from app.core.store import PersonIn

        out = []
        for w in self.child_rows:
            unnamed = w["unnamed"].isChecked()
            given, family = ("", "") if unnamed else (w["given"].text().strip(), w["family"].text().strip())
            if not (given or family or unnamed):
                continue
            out.append(
                PersonIn(
                    "child",
                    given,
                    family,
                    dob=normalise(w["dob"].text().strip(), "date") or None,
                    due_date=normalise(w["due"].text().strip(), "date") or None,
                    legal_status=w["legal"].currentData() or None,
                    living_arrangement=w["lives"].currentData() or None,
                    name_unknown=unnamed,
                )
            )
        return out


class IdleWatcher(QObject):
    """Any key or mouse event counts as activity; the session locks after the idle limit."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last = window.session.clock.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        ):
            self.last = self.window.session.clock.monotonic()
        return False

    def check(self) -> None:
        limit = self.window.idle_minutes * 60
        if self.window.session.is_unlocked and self.window.session.clock.monotonic() - self.last >= limit:
            self.window.lock()


class CaseTable(QTableView):
    """The case list. While a record is open its arrow keys do nothing: a slip of a finger must
    never bring another family's case up in front of the one being written about."""

    NAVIGATION = (
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
    )

    def __init__(self) -> None:
        super().__init__()
        self.held = False

    def keyPressEvent(self, event: Any) -> None:
        if self.held and (event.key() in self.NAVIGATION or (event.text().isprintable() and event.text())):
            event.accept()
            return
        super().keyPressEvent(event)


# The menu bar: (menu, entries); an entry is (text, shortcut, handler name, what it does).
MENUS: tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...] = (
    (
        "&File",
        (
            ("&New case…", "Ctrl+N", "new_case", "Create a case"),
            ("&Open pack…", "Ctrl+O", "open_pack", "Open a pack, an encrypted pack or a signed PDF"),
            ("&Export pack…", "Ctrl+E", "export_pack", "Export a signed pack of the open case"),
            ("&Settings…", "Ctrl+,", "open_settings", "Settings, trusted certificates, backups"),
            ("&Lock", "Ctrl+L", "lock", "Lock the vault now"),
        ),
    ),
    (
        "&View",
        (
            ("&Find", "Ctrl+F", "focus_search", "Search cases and records"),
            ("&Visit mode", "Ctrl+Shift+H", "toggle_visit_mode", "Hide every other case (home visits)"),
        ),
    ),
    ("&Help", (("&Keyboard shortcuts", "F1", "show_shortcuts", "This list"),)),
)
OTHER_KEYS = (
    ("F6", "Move between the case list, the case and the record"),
    ("Enter", "Open the chosen case or record"),
    ("Tab / Shift+Tab", "Next / previous field or button"),
    ("Esc", "Close the record (it is saved)"),
    ("Ctrl+Enter", "Add the addendum (in the addendum dialog)"),
    ("Alt+letter", "The underlined letter of a button, field or tab"),
)


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.idle_minutes = DEFAULT_IDLE_MINUTES
        self.visit_mode = False
        self._visit_case: str | None = None  # the family being visited: reopened after a lock
        self.setWindowTitle("Fieldbook")
        self.setAcceptDrops(True)  # a pack dropped on the window opens for review
        fit_to_screen(self, 1200, 800)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.unlock_page = UnlockPage(session)
        self.unlock_page.unlocked.connect(self.on_unlocked)
        # The case screens (forms, store, models) are built after the first unlock, and the
        # create-vault page only on a first run, so the unlock window appears about as fast as
        # a bare window (every widget built is also styled and polished before the first paint).
        self._create_page: CreateVaultPage | None = None
        self.main_page = QWidget()
        self._built = False
        for page in (self.unlock_page, self.main_page):
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.unlock_page if session.exists() else self.create_page)
        self.actions_by_name: dict[str, QAction] = {}
        for title, entries in MENUS:
            menu = self.menuBar().addMenu(title)
            for text, keys, handler, tip in entries:
                action = QAction(text, self)
                action.setShortcut(QKeySequence(keys))
                action.setStatusTip(tip)
                action.setToolTip(f"{tip} ({keys})")
                action.triggered.connect(lambda _=False, h=handler: getattr(self, h)())
                menu.addAction(action)
                self.actions_by_name[handler] = action
        # Lock, Open pack… and Visit mode work from every window of the app (a review or export
        # window too): locking must never wait for the main window to be in front.
        for name in ("lock", "open_pack", "toggle_visit_mode"):
            self.actions_by_name[name].setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.visit_action = self.actions_by_name["toggle_visit_mode"]
        self.visit_action.setCheckable(True)
        self.new_case_action = self.actions_by_name["new_case"]
        self.lock_action = self.actions_by_name["lock"]
        self.settings_action = self.actions_by_name["open_settings"]
        self.export_action = self.actions_by_name["export_pack"]
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        self.toolbar = bar
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in ("new_case", "open_pack", "export_pack", "toggle_visit_mode", "lock"):
            bar.addAction(self.actions_by_name[name])
        self.addToolBar(bar)
        QShortcut(QKeySequence("F6"), self, self.next_region)
        QShortcut(QKeySequence("Shift+F6"), self, lambda: self.next_region(-1))
        self.editor: RecordEditor | None = None
        self.idle = IdleWatcher(self)
        app = QApplication.instance()
        if isinstance(app, QGuiApplication):  # the state signal lives on the GUI application
            app.applicationStateChanged.connect(self._app_state)
        self._set_enabled(False)

    def _watch_activity(self, on: bool) -> None:
        # The application-wide activity filter runs only while the vault is open: installed at
        # start-up it would hand every event of the first paint to Python (making PySide build
        # the Python types of ~150 event classes: ~50 ms before the unlock window appears).
        app = QApplication.instance()
        if app is None:
            return
        if on:
            app.installEventFilter(self.idle)
        else:
            app.removeEventFilter(self.idle)

    @property
    def create_page(self) -> CreateVaultPage:
        """The first-run page (profile and passphrase), built when first needed."""
        if self._create_page is None:
            self._create_page = CreateVaultPage(self.session)
            self._create_page.created.connect(self.on_unlocked)
            self.stack.insertWidget(0, self._create_page)
        return self._create_page

    # -- layout -------------------------------------------------------------------------------
    def _build_main(self) -> None:
        if self._built:
            return
        from PySide6.QtWidgets import QHeaderView, QSplitter

        from app.ui.case_view import CaseWorkspace
        from app.ui.models import CaseListModel

        self._built = True
        page = self.main_page
        lay = QVBoxLayout(page)
        self.visit_banner = QLabel(
            "Visit mode: only this case is shown — the case list, search and every other family's "
            "names are hidden. Ctrl+Shift+H shows them again."
        )
        self.visit_banner.setObjectName("visitBanner")
        self.visit_banner.setWordWrap(True)
        # the highlight colour of the palette (light or dark): unmissable, and readable on both
        self.visit_banner.setStyleSheet(
            "QLabel#visitBanner { font-weight: bold; padding: 8px; border-radius: 4px;"
            " background: palette(highlight); color: palette(highlighted-text); }"
        )
        self.visit_banner.setVisible(False)
        lay.addWidget(self.visit_banner)
        split = QSplitter()
        self.left = QWidget()
        ll = QVBoxLayout(self.left)
        cases_label = QLabel("<b>Cases</b>")
        ll.addWidget(cases_label)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names and records (Ctrl+F)…")
        self.search.setAccessibleName("Search cases")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh_cases)
        ll.addWidget(self.search)
        self.cases = CaseListModel(self)
        self.case_view = CaseTable()
        self.case_view.setModel(self.cases)
        self.case_view.setAccessibleName("Case list")
        self.case_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.case_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.case_view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.case_view.verticalHeader().setVisible(False)
        head = self.case_view.horizontalHeader()
        # the short columns fit their text; the children's names take the space that is left
        for col in range(self.cases.columnCount()):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # a click or Enter opens the case
        self.case_view.clicked.connect(self._case_chosen)
        self.case_view.activated.connect(self._case_chosen)
        # the same commands on a right-click (or the Menu key) over the list
        open_case = QAction("&Open the case", self.case_view)
        open_case.triggered.connect(lambda: self._case_chosen(self.case_view.currentIndex()))
        self.case_view.addAction(open_case)
        for name in ("new_case", "export_pack"):
            self.case_view.addAction(self.actions_by_name[name])
        self.case_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        ll.addWidget(self.case_view)
        split.addWidget(self.left)
        self.right = QStackedWidget()
        self.placeholder = QLabel("Choose a case, or create one with New case (Ctrl+N).")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.workspace = CaseWorkspace(self.session.registry)
        self.workspace.open_record.connect(self.open_record)
        self.workspace.new_record.connect(self.new_record)
        self.workspace.export_pack.connect(self.export_pack)
        self.workspace.name_child.connect(self.name_child)
        self.editor_holder = QWidget()
        self._editor_layout = QVBoxLayout(self.editor_holder)
        for w in (self.placeholder, self.workspace, self.editor_holder):
            self.right.addWidget(w)
        split.addWidget(self.right)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 800])  # room for the children's names in the case list
        # panes keep a usable width at any text size or scale (200%): never squeezed to nothing
        chars = self.fontMetrics().averageCharWidth()
        self.left.setMinimumWidth(chars * 26)
        self.right.setMinimumWidth(chars * 48)
        split.setChildrenCollapsible(False)
        lay.addWidget(split, 1)

    def _set_enabled(self, on: bool) -> None:
        self.toolbar.setVisible(on)  # locked, a row of greyed-out commands only puzzles
        for name, action in self.actions_by_name.items():
            action.setEnabled(on or name == "show_shortcuts")
        self._update_actions()

    def _update_actions(self) -> None:
        """Export needs an open case; Find has nothing to search in visit mode."""
        unlocked = self.session.is_unlocked
        has_case = unlocked and self._built and self.workspace.snapshot is not None
        self.export_action.setEnabled(has_case)
        self.actions_by_name["focus_search"].setEnabled(unlocked and not self.visit_mode)

    # -- unlock / lock ------------------------------------------------------------------------
    def on_unlocked(self) -> None:
        self._build_main()
        minutes = self.session.call(lambda s: s.settings_get("autolock_minutes", DEFAULT_IDLE_MINUTES))
        self.idle_minutes = min(max(int(minutes or DEFAULT_IDLE_MINUTES), 1), 15)
        self.idle.last = self.session.clock.monotonic()
        self._watch_activity(True)
        self.stack.setCurrentWidget(self.main_page)
        self._set_enabled(True)
        self._show_visit_mode()
        self.refresh_cases()
        (self.placeholder if self.visit_mode else self.search).setFocus()
        if self.visit_mode and self._visit_case is not None:
            self.open_case(self._visit_case)

    def open_settings(self) -> None:
        """Settings live in the vault; a changed idle limit applies at once."""
        if not self.session.is_unlocked:
            return
        from app.ui.settings import SettingsDialog

        dlg = SettingsDialog(self.session, self)
        dlg.lock_first = self.lock  # restore must clear every view, like any lock
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and self.session.is_unlocked:
                self.idle_minutes = dlg.autolock.value()

        dlg.finished.connect(done)
        dlg.open()

    def lock(self) -> None:
        """Hide every case detail at once, then save the draft, close the vault and clear every
        model. The screen goes first: if the database thread is busy (signing a large pack), the
        vault closes as soon as it is free, but nothing of a case stays in view meanwhile."""
        self.stack.setCurrentWidget(self.unlock_page)
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():  # a QMessageBox is a QDialog too
                w.reject()
            elif w is not self and w.isWindow() and w.parent() is self:
                w.close()  # review windows hold a pack's contents
        self.toolbar.setVisible(False)
        if self.editor is not None:
            with contextlib.suppress(FieldbookError):
                self.editor.save_now()
            self._close_editor()
        self.session.lock()
        self._watch_activity(False)
        if self._built:
            self.cases.clear()
            self.workspace.clear()
            self.search.clear()
            self.right.setCurrentWidget(self.placeholder)
        self._set_enabled(False)
        self._show_visit_mode()
        self.unlock_page.passphrase.setFocus()

    def _app_state(self, state: Qt.ApplicationState) -> None:
        # Screen lock and suspend show up as the application becoming suspended/hidden.
        if (
            state in (Qt.ApplicationState.ApplicationSuspended, Qt.ApplicationState.ApplicationHidden)
            and self.session.is_unlocked
        ):
            self.lock()

    # -- finding and moving around --------------------------------------------------------------
    def focus_search(self) -> None:
        """Ctrl+F: the case search, with its text selected to type over."""
        if self.session.is_unlocked and self._built and not self.visit_mode:
            self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.search.selectAll()

    def next_region(self, step: int = 1) -> None:
        """F6: the case list, the case and the open record, in turn (Shift+F6 backwards)."""
        if not (self.session.is_unlocked and self._built):
            return
        regions = [w for w in (self.left, self.workspace, self.editor_holder) if w.isVisible()]
        if not regions:
            return
        focus = QApplication.focusWidget()
        here = next((i for i, r in enumerate(regions) if focus is not None and r.isAncestorOf(focus)), -1)
        target = regions[(here + step) % len(regions)] if here >= 0 else regions[0]
        if target is self.left:
            self.case_view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif target is self.workspace:
            self.workspace.tabs.tabBar().setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.editor is not None:
            self.editor.focus_first()

    def toggle_visit_mode(self) -> None:
        """Ctrl+Shift+H: on a home visit, hide the case list, search and every other family."""
        if not self.session.is_unlocked:
            return
        self.visit_mode = not self.visit_mode
        snap = self.workspace.snapshot if self._built else None
        self._visit_case = snap.case_id if self.visit_mode and snap is not None else None
        self._show_visit_mode()
        if self.visit_mode and self.right.currentWidget() is self.placeholder:
            self.placeholder.setFocus()

    def _show_visit_mode(self) -> None:
        self.visit_action.setChecked(self.visit_mode)
        if self._built:
            self.left.setVisible(not self.visit_mode)
            self.visit_banner.setVisible(self.visit_mode and self.session.is_unlocked)
            self.placeholder.setText(
                "Visit mode is on: other cases are hidden. Press Ctrl+Shift+H to show the case list."
                if self.visit_mode
                else "Choose a case, or create one with New case (Ctrl+N)."
            )
        profile = self.session.profile
        title = "Fieldbook — locked" if not self.session.is_unlocked else "Fieldbook"
        if profile is not None:
            title = f"Fieldbook — {profile.name}"
        self.setWindowTitle(title + (" — visit mode" if self.visit_mode and self.session.is_unlocked else ""))
        self._update_actions()

    def show_shortcuts(self) -> None:
        """F1: every command and its keys."""
        from app.ui.dialogs import ShortcutsDialog

        rows = [
            (keys, text.replace("&", "").rstrip("…")) for _, entries in MENUS for text, keys, _, _ in entries
        ]
        ShortcutsDialog(rows + list(OTHER_KEYS), self).open()

    # -- cases --------------------------------------------------------------------------------
    def refresh_cases(self) -> None:
        if not self._built:
            return
        query = self.search.text().strip()

        def job(store: Any) -> list[dict[str, Any]]:
            cases = store.list_cases()
            if query:
                hits = {h.case_id for h in store.search(query, limit=500)}
                cases = [
                    c for c in cases if c.id in hits or query.casefold() in (c.reference or "").casefold()
                ]
            return [
                {
                    "id": c.id,
                    "reference": c.reference or c.id[:8],
                    "children": c.children,
                    "records": c.record_count,
                    "drafts": c.draft_count,
                    "updated": c.updated_at,
                }
                for c in cases
            ]

        self.session.run(job, self._show_cases)

    def _show_cases(self, rows: list[dict[str, Any]]) -> None:
        """New rows for the case list. A refresh resets the model, which drops the current row:
        keep the case the person was on, or, when they have already tabbed into the list (the
        search answers after they stop typing), put them on the first hit so that Down and Enter
        work as they expect."""
        view = self.case_view
        was = view.currentIndex()
        was_id = self.cases.row(was.row())["id"] if was.isValid() else None
        self.cases.set_rows(rows)
        ids = [r["id"] for r in rows]
        if was_id in ids:
            view.setCurrentIndex(self.cases.index(ids.index(was_id), 0))
        elif rows and view.hasFocus():
            view.setCurrentIndex(self.cases.index(0, 0))

    def _case_chosen(self, idx: Any) -> None:
        if not idx.isValid():
            return
        case_id = self.cases.row(idx.row())["id"]
        if self.editor is not None and self.editor.case.id == case_id:
            return  # the case being written about is already in front
        self.open_case(case_id)

    def name_child(self) -> None:
        """Name the open case's child whose name was not yet known (a non-modal dialog)."""
        from app.ui.name_child import NameChildDialog

        snap = self.workspace.snapshot
        if snap is None:
            return
        unnamed = [(c["id"], c["name"]) for c in snap.children if c.get("flag")]
        if not unnamed:
            return
        case_id = snap.case_id

        def submit(person_id: str, given: str, family: str, answer: Any) -> None:
            def done(_: object) -> None:
                answer(None)
                self.open_case(case_id)  # the header, lists and deadlines use the name now
                self.refresh_cases()

            self.session.run(
                lambda store: store.name_child(person_id, given, family),
                done,
                lambda exc: answer(str(exc)),
            )

        dialog = NameChildDialog(unnamed, submit, self)
        dialog.open()

    def open_case(self, case_id: str) -> None:
        from app.ui.case_view import load_snapshot

        if self.editor is not None:  # leaving a record saves it
            self.editor.save_now()
            self._close_editor()
        registry = self.session.registry
        self.session.run(lambda s: load_snapshot(s, registry, case_id), self._show_case)

    def _show_case(self, snap: Any) -> None:
        if not self.session.is_unlocked:
            return  # locked while the case was loading
        self.workspace.show_snapshot(snap)
        if self.editor is None:
            self.right.setCurrentWidget(self.workspace)
        self._update_actions()

    def new_case(self) -> None:
        if not self.session.is_unlocked:
            return
        dialog = NewCaseDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda: self._create_case(dialog))
        dialog.open()

    def _create_case(self, dialog: NewCaseDialog) -> None:
        ref = dialog.reference.text().strip() or None
        people = dialog.people()
        try:
            case_id = self.session.call(partial(_create_case, ref, people))
        except FieldbookError as exc:
            dialog.error.setText("✖ " + exc.message)
            return
        dialog.done(QDialog.DialogCode.Accepted)
        self.refresh_cases()
        self.open_case(case_id)

    # -- packs --------------------------------------------------------------------------------
    def export_pack(self) -> None:
        """Ctrl+E: export a signed pack of the open case."""
        snap = self.workspace.snapshot if self._built else None
        if snap is None or not self.session.is_unlocked:
            return
        from app.ui.export import ExportDialog

        dialog = ExportDialog(self.session, snap.case_id, snap.reference, self)
        dialog.exported.connect(self._pack_exported)
        dialog.show()

    def _pack_exported(self, case_id: str) -> None:
        """The case's packs and counts follow a new export (unless a record is open in front)."""
        self.refresh_cases()
        snap = self.workspace.snapshot
        if self.editor is None and snap is not None and snap.case_id == case_id:
            self.open_case(case_id)

    def open_pack(self) -> None:
        """Ctrl+O: choose a pack, an encrypted pack or a signed PDF to review."""
        if not self.session.is_unlocked:
            return
        from app.ui.dialogs import ask_open_file
        from app.ui.review import PACK_FILES

        ask_open_file(self, "Open a pack to review", PACK_FILES, self.review_file)

    def review_file(self, path: Path) -> None:
        from app.ui.review import ReviewWindow

        window = ReviewWindow(self.session, self)
        window.show()
        window.open_path(path)

    def dragEnterEvent(self, event: Any) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.session.is_unlocked and urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: Any) -> None:
        if not self.session.is_unlocked:
            return
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.review_file(Path(url.toLocalFile()))
        event.acceptProposedAction()

    # -- records ------------------------------------------------------------------------------
    def _case(self) -> Any:
        snap = self.workspace.snapshot
        return self.session.call(lambda s: s.get_case(snap.case_id)) if snap else None

    def new_record(self, form_id: str) -> RecordEditor:
        return self._open_editor(self.session.registry.get(form_id), None)

    def open_record(self, record_id: str) -> RecordEditor:
        record = self.session.call(lambda s: s.get_record(record_id))
        form = self.session.registry.get(record.form_id, record.form_version)
        return self._open_editor(form, record)

    def _open_editor(self, form: Any, record: Any) -> RecordEditor:
        from app.ui.editor import RecordEditor

        self._close_editor()
        editor = RecordEditor(self.session, self._case(), form, record)
        editor.closed.connect(self.close_editor)
        editor.saved.connect(lambda _rid: self.refresh_cases())  # counts follow every change
        back = QPushButton("← &Back to the case")
        back.setAccessibleName("Back to the case")
        back.setToolTip("Save and go back to the case (Esc)")
        back.clicked.connect(self.close_editor)
        self._editor_layout.addWidget(back, alignment=Qt.AlignmentFlag.AlignLeft)
        self._editor_layout.addWidget(editor, 1)
        self._back = back
        self.editor = editor
        self.case_view.held = True
        self.right.setCurrentWidget(self.editor_holder)
        editor.focus_first()
        return editor

    def _close_editor(self) -> None:
        if self.editor is not None:
            for w in (self.editor, self._back):
                self._editor_layout.removeWidget(w)
                w.hide()
                w.deleteLater()
            self.editor = None
            self.case_view.held = False

    def close_editor(self) -> None:
        if self.editor is not None:
            self.editor.save_now()
            case_id = self.editor.case.id
            self._close_editor()
            self.open_case(case_id)

    def closeEvent(self, event: Any) -> None:
        if self.editor is not None and self.session.is_unlocked:
            self.editor.save_now()
        self.session.shutdown()
        super().closeEvent(event)


def _create_case(reference: str | None, people: list[Any], store: Store) -> str:
    return str(store.create_case(reference, people))


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Open at ``width`` x ``height``, or smaller when the screen is (a laptop at 200% scale has
    about 960 x 540 to show): the whole window, title bar and edges, stays on the screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width()), min(height, room.height())
    window.resize(width, height)
