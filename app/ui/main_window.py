"""The main window: unlock or create, then the case list and the case workspace.

Locking (Ctrl+L, idle time, screen lock or suspend) saves the open draft, closes the vault, and
clears every model and view that showed case data.
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
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
    """A case needs at least one child; an unborn child has an expected due date instead."""

    LEGAL: tuple[tuple[str, str], ...] = (
        ("", ""),
        ("birth_family", "Birth family"),
        ("kinship_care", "Kinship care"),
        ("special_guardianship", "Special guardianship"),
        ("adopted", "Adopted"),
        ("looked_after", "Looked after"),
    )

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
        lay.addWidget(QLabel("<b>Children</b> (give a date of birth, or a due date for an unborn baby)"))
        lay.addLayout(self.children_box)
        add = QPushButton("Add another &child")
        add.setAccessibleName("Add another child")
        add.clicked.connect(self.add_child_row)
        lay.addWidget(add)
        self.error = QLabel()
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.add_child_row()

    def add_child_row(self) -> None:
        n = len(self.child_rows) + 1
        row = QHBoxLayout()
        widgets: dict[str, Any] = {}
        for key, placeholder in (
            ("given", "First name"),
            ("family", "Family name"),
            ("dob", "Born YYYY-MM-DD"),
            ("due", "or due YYYY-MM-DD"),
        ):
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(f"Child {n} {placeholder}")
            row.addWidget(edit)
            widgets[key] = edit
        legal = QComboBox()
        legal.setAccessibleName(f"Child {n} legal status")
        for code, label in self.LEGAL:
            legal.addItem(label or "Legal status", code)
        row.addWidget(legal)
        widgets["legal"] = legal
        self.children_box.addLayout(row)
        self.child_rows.append(widgets)

    def people(self) -> list[Any]:
        from app.core.store import PersonIn

        out = []
        for w in self.child_rows:
            given, family = w["given"].text().strip(), w["family"].text().strip()
            if not (given or family):
                continue
            out.append(
                PersonIn(
                    "child",
                    given,
                    family,
                    dob=w["dob"].text().strip() or None,
                    due_date=w["due"].text().strip() or None,
                    legal_status=w["legal"].currentData() or None,
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


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.idle_minutes = DEFAULT_IDLE_MINUTES
        self.setWindowTitle("Fieldbook")
        self.resize(1200, 800)
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
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        self.addToolBar(bar)
        self.new_case_action = QAction("&New case", self)
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.triggered.connect(self.new_case)
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        bar.addAction(self.new_case_action)
        bar.addAction(self.settings_action)
        bar.addAction(self.lock_action)
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
        from app.ui.case_view import CaseWorkspace
        from app.ui.models import CaseListModel

        self._built = True
        page = self.main_page
        lay = QHBoxLayout(page)
        split = QSplitter()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(QLabel("<b>Cases</b>"))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names and records…")
        self.search.setAccessibleName("Search cases")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh_cases)
        ll.addWidget(self.search)
        self.cases = CaseListModel(self)
        self.case_view = QTableView()
        self.case_view.setModel(self.cases)
        self.case_view.setAccessibleName("Case list")
        self.case_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.case_view.verticalHeader().setVisible(False)
        head = self.case_view.horizontalHeader()
        # the short columns fit their text; the children's names take the space that is left
        for col in range(self.cases.columnCount()):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.case_view.clicked.connect(lambda idx: self.open_case(self.cases.row(idx.row())["id"]))
        self.case_view.activated.connect(lambda idx: self.open_case(self.cases.row(idx.row())["id"]))
        ll.addWidget(self.case_view)
        split.addWidget(left)
        self.right = QStackedWidget()
        self.placeholder = QLabel("Choose a case, or create one with New case (Ctrl+N).")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.workspace = CaseWorkspace(self.session.registry)
        self.workspace.open_record.connect(self.open_record)
        self.workspace.new_record.connect(self.new_record)
        self.editor_holder = QWidget()
        self._editor_layout = QVBoxLayout(self.editor_holder)
        for w in (self.placeholder, self.workspace, self.editor_holder):
            self.right.addWidget(w)
        split.addWidget(self.right)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 860])
        lay.addWidget(split)

    def _set_enabled(self, on: bool) -> None:
        self.new_case_action.setEnabled(on)
        self.lock_action.setEnabled(on)
        self.settings_action.setEnabled(on)

    # -- unlock / lock ------------------------------------------------------------------------
    def on_unlocked(self) -> None:
        self._build_main()
        minutes = self.session.call(lambda s: s.settings_get("autolock_minutes", DEFAULT_IDLE_MINUTES))
        self.idle_minutes = min(max(int(minutes or DEFAULT_IDLE_MINUTES), 1), 15)
        self.idle.last = self.session.clock.monotonic()
        self._watch_activity(True)
        self.stack.setCurrentWidget(self.main_page)
        profile = self.session.profile
        self.setWindowTitle(f"Fieldbook — {profile.name}" if profile else "Fieldbook")
        self._set_enabled(True)
        self.refresh_cases()

    def open_settings(self) -> None:
        """Settings live in the vault; a changed idle limit applies at once."""
        if not self.session.is_unlocked:
            return
        from app.ui.settings import SettingsDialog

        dlg = SettingsDialog(self.session, self)
        dlg.lock_first = self.lock  # restore must clear every view, like any lock
        if dlg.exec() == QDialog.DialogCode.Accepted and self.session.is_unlocked:
            self.idle_minutes = dlg.autolock.value()
        dlg.deleteLater()

    def lock(self) -> None:
        """Save the draft, close the vault, clear every view, model and dialog."""
        if self.editor is not None:
            with contextlib.suppress(FieldbookError):
                self.editor.save_now()
            self._close_editor()
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog | QMessageBox) and w.isVisible():
                w.reject()
        self.session.lock()
        self._watch_activity(False)
        if self._built:
            self.cases.clear()
            self.workspace.clear()
            self.search.clear()
            self.right.setCurrentWidget(self.placeholder)
        self.setWindowTitle("Fieldbook — locked")
        self._set_enabled(False)
        self.stack.setCurrentWidget(self.unlock_page)
        self.unlock_page.passphrase.setFocus()

    def _app_state(self, state: Qt.ApplicationState) -> None:
        # Screen lock and suspend show up as the application becoming suspended/hidden.
        if (
            state in (Qt.ApplicationState.ApplicationSuspended, Qt.ApplicationState.ApplicationHidden)
            and self.session.is_unlocked
        ):
            self.lock()

    # -- cases --------------------------------------------------------------------------------
    def refresh_cases(self) -> None:
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

        self.session.run(job, self.cases.set_rows)

    def open_case(self, case_id: str) -> None:
        from app.ui.case_view import load_snapshot

        registry = self.session.registry
        self.session.run(lambda s: load_snapshot(s, registry, case_id), self._show_case)

    def _show_case(self, snap: Any) -> None:
        self.workspace.show_snapshot(snap)
        self.right.setCurrentWidget(self.workspace)

    def new_case(self) -> None:
        dialog = NewCaseDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            ref = dialog.reference.text().strip() or None
            people = dialog.people()
            try:
                case_id = self.session.call(partial(_create_case, ref, people))
            except FieldbookError as exc:
                dialog.error.setText("✖ " + exc.message)
                continue
            self.refresh_cases()
            self.open_case(case_id)
            return

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
        self._editor_layout.addWidget(editor)
        back = QPushButton("← Back to the case")
        back.setAccessibleName("Back to the case")
        back.clicked.connect(self.close_editor)
        self._editor_layout.addWidget(back)
        self._back = back
        self.editor = editor
        self.right.setCurrentWidget(self.editor_holder)
        return editor

    def _close_editor(self) -> None:
        if self.editor is not None:
            for w in (self.editor, self._back):
                self._editor_layout.removeWidget(w)
                w.hide()
                w.deleteLater()
            self.editor = None

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
