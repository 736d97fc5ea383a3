"""First run and unlock: create a vault (profile + passphrase twice) or unlock an existing one."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldbookError, VaultError
from app.ui.session import Session
from app.ui.widgets.announce import StatusLabel
from app.ui.widgets.passphrase import PassphraseEdit, PassphraseField


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("title")  # sized in the style sheet, so it scales with the text size
    return label


def _card(layout: QVBoxLayout) -> QFrame:
    card = QFrame()
    card.setObjectName("card")
    card.setFrameShape(QFrame.Shape.StyledPanel)
    layout.setContentsMargins(24, 24, 24, 24)  # margins, not style-sheet padding: wrapped
    card.setLayout(layout)  # labels then get the width they are measured for (nothing clipped)
    # A fixed width lets word-wrapped labels compute their height (nothing clipped).
    card.setFixedWidth(560)
    return card


class _Centred(QWidget):
    def _place(self, card: QFrame) -> None:
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        col = QVBoxLayout()
        col.addStretch(1)
        col.addWidget(card)
        col.addStretch(2)
        outer.addLayout(col, 3)
        outer.addStretch(1)


class UnlockPage(_Centred):
    """Passphrase, one generic error, and a visible countdown during the back-off."""

    unlocked = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        lay = QVBoxLayout()
        lay.setSpacing(12)
        lay.addWidget(_title("Unlock Fieldbook"))
        hint = QLabel("Your records are encrypted on this laptop. Enter your passphrase to open them.")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        field = PassphraseField("Passphrase")
        self.passphrase = field.edit
        self.show_passphrase = field.toggle
        self.caps_warning = field.caps
        self.passphrase.returnPressed.connect(self.try_unlock)
        label = QLabel("&Passphrase")
        label.setBuddy(self.passphrase)
        lay.addWidget(label)
        lay.addWidget(field)
        # no fixed accessible name: a screen reader reads the message itself, and hears it
        # announced when it changes
        self.error = StatusLabel()
        self.error.setObjectName("error")
        lay.addWidget(self.error)
        self.button = QPushButton("&Unlock")
        self.button.setDefault(True)
        self.button.setAccessibleName("Unlock")
        self.button.clicked.connect(self.try_unlock)
        lay.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignRight)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._place(_card(lay))
        self._tick()

    def _tick(self) -> None:
        from app.core.store.throttle import unlock_delay

        wait = unlock_delay(self.session.vault_path, self.session.clock)
        if wait > 0:
            self.button.setEnabled(False)
            text = f"⚠ Too many attempts. You can try again in {int(wait + 0.999)} seconds."
            # announced once when the wait begins, not every second of the countdown
            if self.error.text().startswith("⚠ Too many"):
                self.error.setText(text)
            else:
                self.error.say(text)
            self._timer.start()
        else:
            self.button.setEnabled(True)
            self._timer.stop()
            if self.error.text().startswith("⚠ Too many"):
                self.error.say("You can try again now.")

    def try_unlock(self) -> None:
        if not self.button.isEnabled():
            return
        text = self.passphrase.text()
        self.passphrase.clear()
        self.button.setEnabled(False)
        self.error.say("Unlocking…")
        self.session.unlock(text, lambda _: self._done(), self._failed)

    def _done(self) -> None:
        self.error.setText("")
        self.button.setEnabled(True)
        self.unlocked.emit()

    def _failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        msg = exc.message if isinstance(exc, FieldbookError) else VaultError.GENERIC
        self.error.say("✖ " + msg)
        self.passphrase.setFocus()
        self._tick()


class CreateVaultPage(_Centred):
    """First run: who you are (it goes on every record and pack) and a passphrase, twice."""

    created = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        lay = QVBoxLayout()
        lay.setSpacing(10)
        lay.addWidget(_title("Welcome to Fieldbook"))
        intro = QLabel(
            "Create your encrypted vault. Your name, role and agency appear on every "
            "record you write and every pack you sign."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.name = self._line("Your name", form, "&Name")
        self.role = self._line("Your role", form, "&Role")
        self.agency = self._line("Your agency", form, "&Agency")
        self.pass1 = self._secret("Passphrase", form, "&Passphrase")
        self.pass2 = self._secret("Repeat passphrase", form, "R&epeat")
        # one Show control after both fields, so Tab goes from the passphrase to its repeat
        self.show_passphrases = QCheckBox("Sho&w the passphrases")
        self.show_passphrases.toggled.connect(self.pass1.set_shown)
        self.show_passphrases.toggled.connect(self.pass2.set_shown)
        form.addRow("", self.show_passphrases)
        lay.addLayout(form)
        # a meter, not a box: a thin bar that fills and changes colour with the strength (the
        # words under it say the same for anyone who cannot see the colour)
        self.meter = QProgressBar()
        self.meter.setRange(0, 5)
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(max(8, self.fontMetrics().height() // 2))
        self.meter.setAccessibleName("Passphrase strength")
        self.strength = StatusLabel("Use at least 12 characters — three random words work well.")
        meter_row = QHBoxLayout()
        meter_label = QLabel("Strength")
        meter_row.addWidget(meter_label)
        meter_row.addWidget(self.meter, 1)
        lay.addLayout(meter_row)
        lay.addWidget(self.strength)
        self.error = StatusLabel()
        self.error.setObjectName("error")
        lay.addWidget(self.error)
        self.button = QPushButton("&Create vault")
        self.button.setAccessibleName("Create vault")
        self.button.clicked.connect(self.create_vault)
        lay.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignRight)
        self.pass1.secret_changed.connect(self._strength)
        self._place(_card(lay))

    def _line(self, name: str, form: QFormLayout, label: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        lab = QLabel(label)
        lab.setBuddy(edit)
        form.addRow(lab, edit)
        return edit

    def _secret(self, name: str, form: QFormLayout, label: str) -> PassphraseEdit:
        field = PassphraseField(name, toggle=False)
        lab = QLabel(label)
        lab.setBuddy(field.edit)
        form.addRow(lab, field)
        return field.edit

    def _strength(self) -> None:
        from app.core.store.policy import strength_hint

        text = self.pass1.text()
        score, hint = strength_hint(text)
        self.meter.setValue(score + 1 if text else 0)  # "too weak" still shows a red sliver
        colour = ["#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#1b5e20"][score]
        self.meter.setStyleSheet(
            f"QProgressBar {{ border: 1px solid palette(mid); border-radius: 3px; }}"
            f"QProgressBar::chunk {{ background: {colour}; border-radius: 2px; }}"
        )
        words = ["too weak", "acceptable", "good", "strong", "very strong"][score]
        self.strength.setText(
            f"Strength: {words} — {hint}"
            if text
            else "Use at least 12 characters — three random words work well."
        )

    def create_vault(self) -> None:
        for edit, label in ((self.name, "Name"), (self.role, "Role"), (self.agency, "Agency")):
            if not edit.text().strip():
                self.error.say(f"✖ {label}: required")
                edit.setFocus()
                return
        if self.pass1.text() != self.pass2.text():
            self.error.say("✖ Repeat passphrase: the two passphrases differ")
            self.pass2.setFocus()
            return
        self.button.setEnabled(False)
        self.error.say("Creating your vault and signing key…")
        self.session.create(
            self.pass1.text(),
            self.name.text(),
            self.role.text(),
            self.agency.text(),
            lambda _: self.created.emit(),
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        self.error.say("✖ " + (exc.message if isinstance(exc, FieldbookError) else str(exc)))
