"""Low vision: readable colours in the light and the dark palette, a focus ring that shows,
significance in words, and a window that fits a screen at 200%."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from app.core.forms.chronology import ChronologyLine
from app.ui import theme
from app.ui.main import make_app
from app.ui.models import ChronologyModel
from tests.ui.test_editor import contrast

BACKGROUNDS = ("window", "base", "alt_base", "button", "header_bg", "quote_bg", "warning_bg")


@pytest.mark.parametrize("colours", [theme.LIGHT, theme.DARK], ids=lambda c: c.name)
def test_text_and_focus_ring_stand_out_on_every_background(colours: theme.Colours) -> None:
    """Text (and muted text, and errors) at least 4.5:1 on every background it sits on; the focus
    ring at least 3:1 on every one (WCAG 1.4.3 and 1.4.11)."""
    c = {k: QColor(v) for k, v in asdict(colours).items() if k != "name"}
    for bg in BACKGROUNDS:
        assert contrast(c["text"], c[bg]) >= 4.5, f"text on {bg}"
        assert contrast(c["focus"], c[bg]) >= 3.0, f"focus ring on {bg}"
    for fg in ("muted", "error", "link", "info"):
        for bg in ("window", "base"):
            assert contrast(c[fg], c[bg]) >= 4.5, f"{fg} on {bg}"
    assert contrast(c["text"], c["tint_high"]) >= 4.5
    assert contrast(c["highlight_text"], c["highlight"]) >= 4.5
    assert contrast(c["marker_text"], c["marker"]) >= 4.5
    assert contrast(c["outline"], c["base"]) >= 3.0
    for verdict in ("valid", "untrusted", "invalid"):
        assert contrast(c[f"{verdict}_fg"], c[f"{verdict}_bg"]) >= 4.5, f"{verdict} banner"


@pytest.fixture
def dark() -> Iterator[theme.Colours]:
    """The app in its dark variant for one test, then back to light."""
    app = make_app()
    assert isinstance(app, QApplication)
    yield theme.apply(app, "dark")
    theme.apply(app, "light")


def test_the_dark_variant_is_applied_and_its_focus_ring_is_drawn(qtbot, dark: theme.Colours) -> None:  # type: ignore[no-untyped-def]
    """FIELDBOOK_THEME=dark: dark fields, light text, and a 2 px ring in the focus colour round the
    field with the focus (none round the others)."""
    window = QWidget()
    lay = QVBoxLayout(window)
    first, second = QLineEdit(), QLineEdit()
    lay.addWidget(first)
    lay.addWidget(second)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    pal = first.palette()
    assert pal.color(pal.ColorRole.Base) == QColor(dark.base)
    assert pal.color(pal.ColorRole.Text) == QColor(dark.text)
    ring = QColor(dark.focus)

    def edge(w: QLineEdit) -> list[QColor]:
        image = w.grab().toImage()
        y = image.height() // 2
        return [image.pixelColor(x, y) for x in (0, 1)]  # the two outermost pixels of the left edge

    assert all(
        abs(p.red() - ring.red()) + abs(p.green() - ring.green()) + abs(p.blue() - ring.blue()) < 40
        for p in edge(first)
    )
    assert not all(p == ring for p in edge(second))


def test_high_significance_is_said_beside_the_date(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A chronology line of high significance is marked beside its date (an icon, and words for a
    screen reader), not by tint alone; dates read in words."""
    make_app()
    model = ChronologyModel()

    def line(day: str, significance: str) -> ChronologyLine:
        return ChronologyLine(
            day,
            False,
            0,
            "Police",
            "Call-out",
            "",
            "",
            significance,
            significance.title(),
            "r",
            "chronology_entry",
            "Chronology entry",
            False,
        )

    model.set_rows([line("2026-10-30", "high"), line("2026-10-31", "low")])
    high, low = (model.index(r, 0) for r in range(2))
    assert high.data() == "Fri 30 Oct 2026" and low.data() == "Sat 31 Oct 2026"
    assert high.data(Qt.ItemDataRole.DecorationRole) is not None  # ▲ beside the date
    assert low.data(Qt.ItemDataRole.DecorationRole) is None
    assert high.data(Qt.ItemDataRole.AccessibleTextRole) == "High significance: Fri 30 Oct 2026"


def test_the_main_window_fits_a_laptop_screen_at_200_percent(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At 200% a 1920 x 1080 laptop shows 960 x 540: the unlocked window, a case open, fits in it
    and its panes keep usable widths."""
    from app.ui.main_window import MainWindow
    from app.ui.session import Session
    from tests.ui.test_journeys import CLOCK, create_vault
    from tests.ui.user import User

    make_app()
    win = MainWindow(Session(tmp_path / "v.fieldbook", clock=CLOCK))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    user = User(qtbot)
    create_vault(user)
    room = QGuiApplication.primaryScreen().availableGeometry()
    assert win.width() <= room.width() and win.height() <= room.height()
    hint = win.minimumSizeHint()
    assert hint.width() <= 960 and hint.height() <= 540, hint
    assert win.left.minimumWidth() >= 20 * win.fontMetrics().averageCharWidth()
    assert win.right.minimumWidth() >= 40 * win.fontMetrics().averageCharWidth()
