"""Name a child whose name was not yet known (a baby born since the case was opened).

Not modal, like the addendum dialog: the case stays readable behind it. The name goes through the
store's one naming function (``Store.name_child``, which `fieldbook case name` also uses): audited,
every other detail of the child kept, the "name not yet known" flag gone. A refusal is shown in
the dialog and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.dialogs import buddy, error_and_buttons
from app.ui.widgets.announce import announce

# Give the child (id) their name; calls back with None when stored, else what is wrong.
Submit = Callable[[str, str, str, Callable[["str | None"], None]], None]


class NameChildDialog(QDialog):
    """Which child, their first and family name; closes itself once the name is stored."""

    def __init__(self, unnamed: list[tuple[str, str]], submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.submit = submit
        self.setWindowTitle("Name the child")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        intro = QLabel("The child keeps everything else recorded about them; the case log notes the naming.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.child = QComboBox()
        self.child.setAccessibleName("Child to name")
        for person_id, shown in unnamed:
            self.child.addItem(shown, person_id)
        self.given = QLineEdit()
        self.given.setAccessibleName("First name")
        self.family = QLineEdit()
        self.family.setAccessibleName("Family name")
        form.addRow(buddy("&Child", self.child), self.child)
        form.addRow(buddy("&First name", self.given), self.given)
        form.addRow(buddy("Fa&mily name", self.family), self.family)
        lay.addLayout(form)
        self.error, ok = error_and_buttons(self, lay, "&Name the child", self._submit)
        ok.setDefault(True)  # Enter in a name field names the child
        self.given.setFocus()

    def _submit(self) -> None:
        given, family = self.given.text().strip(), self.family.text().strip()
        if not given:
            self._refused("First name: is needed")
            return
        self.submit(self.child.currentData(), given, family, self._answered)

    def _answered(self, problem: str | None) -> None:
        if problem is None:
            self.accept()
        else:
            self._refused(problem)

    def _refused(self, problem: str) -> None:
        self.error.setText("✖ " + problem)
        announce(self.error, self.error.text(), urgent=True)  # heard without moving the focus
        self.given.setFocus()
