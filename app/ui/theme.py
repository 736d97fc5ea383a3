"""Colours and the style sheet, from one palette: light, dark, or whatever the system uses.

Every colour the app draws comes from here, so a dark system palette (or ``FIELDBOOK_THEME=dark``)
stays readable: text on its own background is at least 4.5:1 and the focus ring, 2 px wide, at
least 3:1 against every background it can sit on (tests/ui/test_accessibility_theme.py checks).
The style is Fusion on every platform: it draws from the palette (native Windows and macOS styles
ignore parts of it) and takes the focus ring from the style sheet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

VARIANTS = ("system", "light", "dark")


@dataclass(frozen=True)
class Colours:
    name: str
    window: str
    text: str
    base: str  # fields, lists, the body map
    alt_base: str
    button: str
    muted: str  # secondary text (hints, disabled controls): still 4.5:1 on window and base
    border: str
    highlight: str
    highlight_text: str
    link: str
    focus: str  # the focus ring
    error: str
    ok: str
    info: str
    warning_bg: str
    warning_border: str
    header_bg: str
    quote_bg: str
    quote_edge: str
    tint_high: str  # a row of high significance (always with "● High" text beside the date)
    outline: str  # body map outline
    outline_fill: str
    outline_detail: str
    marker: str
    marker_text: str
    # verification banners: background and text, per verdict
    valid_bg: str
    valid_fg: str
    untrusted_bg: str
    untrusted_fg: str
    invalid_bg: str
    invalid_fg: str


LIGHT = Colours(
    name="light",
    window="#f5f6f7",
    text="#1b1d21",
    base="#ffffff",
    alt_base="#f1f4f8",
    button="#e9ecef",
    muted="#5b6068",
    border="#8a9099",
    highlight="#1a5fb4",
    highlight_text="#ffffff",
    link="#1a55a0",
    focus="#1a5fb4",
    error="#b3261e",
    ok="#1e6b34",
    info="#1d4f91",
    warning_bg="#fff8e1",
    warning_border="#b08d00",
    header_bg="#e9eff6",
    quote_bg="#eef5ff",
    quote_edge="#1d4f91",
    tint_high="#fdecea",
    outline="#4a5568",
    outline_fill="#eef2f7",
    outline_detail="#8994a3",
    marker="#b3261e",
    marker_text="#ffffff",
    valid_bg="#e6f4ea",
    valid_fg="#1e6b34",
    untrusted_bg="#fff4d6",
    untrusted_fg="#6b4600",
    invalid_bg="#fdecea",
    invalid_fg="#a1231b",
)

DARK = Colours(
    name="dark",
    window="#1e1f22",
    text="#e8eaed",
    base="#26282c",
    alt_base="#2d3035",
    button="#34373d",
    muted="#b0b5bd",
    border="#7d838c",
    highlight="#2a64b8",
    highlight_text="#ffffff",
    link="#8ab4f8",
    focus="#8ab4f8",
    error="#ff8a80",
    ok="#81c995",
    info="#8ab4f8",
    warning_bg="#3a3212",
    warning_border="#c9a227",
    header_bg="#252d38",
    quote_bg="#1f2a3a",
    quote_edge="#8ab4f8",
    tint_high="#4a2322",
    outline="#c3cad3",
    outline_fill="#323840",
    outline_detail="#8e97a3",
    marker="#c62828",
    marker_text="#ffffff",
    valid_bg="#17301f",
    valid_fg="#81c995",
    untrusted_bg="#352b0c",
    untrusted_fg="#f2c14e",
    invalid_bg="#3b1a1a",
    invalid_fg="#ff8a80",
)

_current: Colours = LIGHT


def current() -> Colours:
    """The colours in use (light until ``apply`` says otherwise)."""
    return _current


def colour(name: str) -> QColor:
    """One named colour of the current palette, e.g. ``colour("error")``."""
    return QColor(str(getattr(_current, name)))


def palette(c: Colours) -> QPalette:
    p = QPalette()
    R, G = QPalette.ColorRole, QPalette.ColorGroup
    roles = {
        R.Window: c.window,
        R.WindowText: c.text,
        R.Base: c.base,
        R.AlternateBase: c.alt_base,
        R.Text: c.text,
        R.Button: c.button,
        R.ButtonText: c.text,
        R.BrightText: c.error,
        R.Highlight: c.highlight,
        R.HighlightedText: c.highlight_text,
        R.Link: c.link,
        R.LinkVisited: c.link,
        R.ToolTipBase: c.base,
        R.ToolTipText: c.text,
        R.PlaceholderText: c.muted,
        R.Mid: c.border,
        R.Dark: c.border,
        R.Light: c.base,
        R.Midlight: c.alt_base,
        R.Shadow: "#000000",
        R.Accent: c.highlight,
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    # disabled controls stay legible (4.5:1), not the 1.7:1 grey of the default palette
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(G.Disabled, role, QColor(c.muted))
    p.setColor(G.Disabled, R.Base, QColor(c.window))
    return p


def style_sheet(c: Colours) -> str:
    # A 1 px border and 3 px padding become a 2 px ring and 2 px padding on focus, so nothing
    # moves when focus arrives.
    fields = "QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QSpinBox, QAbstractItemView"
    focused = ", ".join(f"{w.strip()}:focus" for w in fields.split(","))
    return f"""
QWidget {{ font-size: 11pt; }}
QToolTip {{ color: {c.text}; background: {c.base}; border: 1px solid {c.border}; }}
{fields} {{ border: 1px solid {c.border}; border-radius: 3px; padding: 3px; }}
{focused} {{ border: 2px solid {c.focus}; padding: 2px; }}
QPushButton, QToolButton#toggle {{
    background: {c.button}; color: {c.text}; border: 1px solid {c.border}; border-radius: 4px;
    padding: 4px 12px;
}}
QPushButton:focus, QToolButton#toggle:focus {{ border: 2px solid {c.focus}; padding: 3px 11px; }}
QPushButton:checked, QToolButton#toggle:checked {{ background: {c.alt_base}; }}
QPushButton:disabled, QToolButton#toggle:disabled {{ color: {c.muted}; background: {c.window}; }}
QPushButton:default {{ border-width: 2px; padding: 3px 11px; }}
QToolBar QToolButton {{ background: transparent; border: 2px solid transparent; padding: 3px 8px; }}
QToolBar QToolButton:focus {{ border: 2px solid {c.focus}; }}
QHeaderView {{ border: none; padding: 0; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px; }}
QCheckBox:focus, QRadioButton:focus {{ border: 2px solid {c.focus}; }}
QTabBar::tab:focus {{ border: 2px solid {c.focus}; }}
QFrame#card {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 8px; }}
QLabel#error {{ color: {c.error}; }}
QLabel#warning {{ color: {c.error}; font-weight: bold; }}
QLabel#title {{ font-size: 18pt; font-weight: bold; }}
QLabel#problems {{ background: {c.warning_bg}; border: 1px solid {c.warning_border}; padding: 6px; }}
QLabel#caseHeader {{ background: {c.header_bg}; border-bottom: 1px solid {c.border}; padding: 8px; }}
QLabel#dateHint, QLabel#muted {{ color: {c.muted}; }}
QGroupBox {{ font-weight: bold; margin-top: 14px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 6px; }}
QWidget#quote {{ background: {c.quote_bg}; border-left: 4px solid {c.quote_edge}; }}
QLabel#readValue {{ border: 2px solid transparent; border-radius: 3px; padding: 1px 4px; }}
QLabel#readValue:focus {{ border: 2px solid {c.focus}; }}
QLabel#readQuote {{
    background: {c.quote_bg}; border: 2px solid transparent; border-left: 4px solid {c.quote_edge};
    padding: 6px 8px; font-size: 13pt;
}}
QLabel#readQuote:focus {{ border: 2px solid {c.focus}; border-left: 4px solid {c.focus}; }}
"""


def choose(variant: str | None = None) -> Colours:
    """The colours for ``variant`` (or ``FIELDBOOK_THEME``): light, dark, or the system's scheme."""
    variant = (variant or os.environ.get("FIELDBOOK_THEME") or "system").lower()
    if variant == "dark":
        return DARK
    if variant == "light":
        return LIGHT
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


def apply(app: QApplication, variant: str | None = None) -> Colours:
    """Style the whole application with one palette and the style sheet drawn from it."""
    global _current
    _current = choose(variant)
    if app.style().name().lower() != "fusion":  # Linux starts in Fusion: no second style object
        app.setStyle("Fusion")
    app.setPalette(palette(_current))
    app.setStyleSheet(style_sheet(_current))
    return _current
