"""A user robot for tests: it can do only what a person at the keyboard, mouse and screen reader can.

It presses keys and types into whatever has focus, clicks widgets that are visible and enabled
(found by their accessible name or the text a person reads on them), chooses menu entries,
drops files on a window and reads what the accessibility layer says. It never calls a method of
an application window and never builds a dialog: journeys written with it prove the app works
the way its users reach it.

Dialogs must not run nested event loops (``exec()``, ``QMessageBox.question``, static
``QFileDialog`` calls): a test cannot answer a dialog that blocks the call that opened it, and the
robot fails such a step with a message naming the dialog (then closes it so the test can end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6 import QtGui
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QAccessible, QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QScrollArea,
    QTabBar,
    QWidget,
)

TIMEOUT_MS = 10_000


class UserError(AssertionError):
    """What a person would say: 'I cannot see it', 'it is greyed out', 'it did not appear'."""


def _plain(text: str) -> str:
    """The text a person reads: mnemonic ampersands gone ('&&' stays one '&')."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def accessible_text(widget: QWidget) -> str:
    """Name, value and description as a screen reader reports them, one per line, no repeats."""
    iface = QAccessible.queryAccessibleInterface(widget)
    if iface is None:
        return ""
    parts: list[str] = []
    for kind in (QAccessible.Text.Name, QAccessible.Text.Value, QAccessible.Text.Description):
        text = iface.text(kind) or ""
        if text and text not in parts:
            parts.append(text)
    return "\n".join(parts)


def _label_text(label: QLabel) -> str:
    """A label's text as drawn: rich text reduced to its words."""
    if label.textFormat() == Qt.TextFormat.PlainText or not QtGui.Qt.mightBeRichText(label.text()):
        return label.text()

    doc = QtGui.QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def _columns(view: QAbstractItemView) -> int:
    """Columns a person sees in a view (a list has one; its model may not say)."""
    return 1 if isinstance(view, QListView) else view.model().columnCount()


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.window().isVisible()


def _names(widget: QWidget) -> list[str]:
    """Every label a person could use for a widget: its accessible name, its description (a
    label that shows changing content is described, its name being the content) and its text."""
    out = [widget.accessibleName(), widget.accessibleDescription()]
    if isinstance(widget, QAbstractButton | QLabel):
        out.append(_plain(widget.text()))
    if isinstance(widget, QGroupBox):
        out.append(_plain(widget.title()))
    return [n for n in out if n]


class User:
    """One person in front of the app. ``qtbot`` only supplies the event loop to wait in."""

    def __init__(self, qtbot: Any, timeout_ms: int = TIMEOUT_MS) -> None:
        self.qtbot = qtbot
        self.timeout_ms = timeout_ms

    # -- looking ------------------------------------------------------------------------------
    def windows(self) -> list[QWidget]:
        """Visible top-level windows and dialogs, the one in front first."""
        tops = [w for w in QApplication.topLevelWidgets() if w.isVisible() and not isinstance(w, QMenu)]
        ahead = QApplication.activeModalWidget() or QApplication.activeWindow()
        tops.sort(key=lambda w: w is not ahead)
        return tops

    def _all_widgets(self) -> Iterator[QWidget]:
        for top in self.windows():
            yield top
            # a dialog is a child of its window too: each widget belongs to its own window
            yield from (w for w in top.findChildren(QWidget) if w.window() is top)

    def _candidates(self, name: str, kind: type[QWidget] | None) -> list[QWidget]:
        return [
            w
            for w in self._all_widgets()
            if (kind is None or isinstance(w, kind)) and name in _names(w) and _shown(w)
        ]

    def find(self, name: str, kind: type[QWidget] | None = None) -> QWidget:
        """The one visible widget a person would call ``name`` (in the front window if several)."""
        found = self._candidates(name, kind)
        if not found:
            hidden = [w for w in QApplication.allWidgets() if name in _names(w)]
            why = "it exists but is not on screen" if hidden else "nothing on screen is called that"
            raise UserError(f"I cannot see {name!r}: {why}")
        front = self.front()
        in_front = [w for w in found if front is not None and w.window() is front]
        found = in_front or found
        if len(found) > 1:  # a label and the field it names: the person means the field
            found = [w for w in found if not isinstance(w, QLabel)] or found
        if len(found) > 1:
            raise UserError(f"{name!r} is ambiguous: {len(found)} visible widgets carry that name")
        return found[0]

    def sees(self, name: str, kind: type[QWidget] | None = None) -> bool:
        """Whether a widget called ``name`` is on screen."""
        return bool(self._candidates(name, kind))

    def front(self) -> QWidget | None:
        """The window in front: a modal dialog if one is open, else the active window."""
        front = QApplication.activeModalWidget() or QApplication.activeWindow()
        if front is None and self.windows():
            # a window manager gives the focus back to a window when the one in front closes;
            # the offscreen platform does not, so do it as the window manager would
            mains = [w for w in self.windows() if isinstance(w, QMainWindow)]
            self._bring_to_front((mains or self.windows())[0])
            front = QApplication.activeWindow()
        return front

    def focused(self) -> QWidget | None:
        """The widget with keyboard focus."""
        return QApplication.focusWidget()

    def focus_name(self) -> str:
        """What a screen reader says for the focused widget (its accessible name)."""
        w = self.focused()
        if w is None:
            return ""
        iface = QAccessible.queryAccessibleInterface(w)
        return (iface.text(QAccessible.Text.Name) if iface else "") or ""

    def read(self, name: str, kind: type[QWidget] | None = None) -> str:
        """Accessible name, value and description of the widget called ``name``."""
        return accessible_text(self.find(name, kind))

    def read_focus(self) -> str:
        """Accessible name, value and description of the focused widget."""
        w = self.focused()
        return accessible_text(w) if w is not None else ""

    def heard_text(self, window: QWidget | None = None) -> str:
        """Everything the accessibility tree reports for the visible windows (or one window):
        what a screen reader user can hear."""
        tops = [window] if window is not None else self.windows()
        lines: list[str] = []
        for top in tops:
            iface = QAccessible.queryAccessibleInterface(top)
            if iface is not None:
                self._walk(iface, lines, depth=0)
        return "\n".join(lines)

    def _walk(self, iface: Any, lines: list[str], depth: int) -> None:
        if depth > 40 or iface.state().invisible:
            return
        for kind in (QAccessible.Text.Name, QAccessible.Text.Value, QAccessible.Text.Description):
            text = iface.text(kind)
            if text:
                lines.append(text)
        for i in range(min(iface.childCount(), 2000)):
            child = iface.child(i)
            if child is not None and child.isValid():
                self._walk(child, lines, depth + 1)

    def screen_text(self) -> str:
        """What a sighted person can read: the text drawn on visible labels, buttons, fields and
        group titles, plus whatever the screen reader reports."""
        lines = [self.heard_text()]
        for w in self._all_widgets():
            if not _shown(w):
                continue
            if isinstance(w, QLabel | QAbstractButton):
                text = w.text()
                lines.append(_plain(text) if isinstance(w, QAbstractButton) else _label_text(w))
            elif isinstance(w, QGroupBox):
                lines.append(_plain(w.title()))
            elif isinstance(w, QAbstractItemView) and w.model() is not None:
                model = w.model()
                for r in range(min(model.rowCount(), 500)):
                    lines += [str(model.index(r, c).data() or "") for c in range(_columns(w))]
        return "\n".join(lines)

    def hears(self, text: str) -> bool:
        """Whether a screen reader can report ``text`` from some visible window."""
        return text in self.heard_text()

    def sees_text(self, text: str) -> bool:
        """Whether ``text`` is on screen (drawn, or reported to a screen reader)."""
        return text in self.screen_text()

    def rows(self, name: str) -> list[list[str]]:
        """The cells of a table or list a person sees, row by row (as a screen reader reads them)."""
        view = self.find(name, QAbstractItemView)
        assert isinstance(view, QAbstractItemView)
        model = view.model()
        out = []
        for r in range(model.rowCount()):
            if hasattr(view, "isRowHidden") and view.isRowHidden(r):  # type: ignore[call-arg]
                continue
            out.append([str(model.index(r, c).data() or "") for c in range(_columns(view))])
        return out

    # -- waiting ------------------------------------------------------------------------------
    def wait_until(self, check: Callable[[], object], what: str, timeout_ms: int | None = None) -> None:
        """Let the app work until ``check()`` is true (a person waits for the screen to change)."""
        try:
            self.qtbot.waitUntil(lambda: bool(check()), timeout=timeout_ms or self.timeout_ms)
        except Exception as exc:  # pytest-qt raises its own TimeoutError
            raise UserError(f"waited for {what}, it did not happen") from exc

    def wait_for(
        self, name: str, kind: type[QWidget] | None = None, timeout_ms: int | None = None
    ) -> QWidget:
        """Wait until a widget called ``name`` is on screen."""
        self.wait_until(lambda: self.sees(name, kind), f"{name!r} to appear", timeout_ms)
        return self.find(name, kind)

    def wait_for_window(self, title: str, timeout_ms: int | None = None) -> QWidget:
        """Wait until a window or dialog whose title contains ``title`` is shown and in front."""

        def shown() -> QWidget | None:
            for w in self.windows():
                if title in w.windowTitle():
                    return w
            return None

        self.wait_until(shown, f"a window titled {title!r}", timeout_ms)
        window = shown()
        assert window is not None
        self._bring_to_front(window)
        return window

    def wait_for_text(self, text: str, timeout_ms: int | None = None) -> None:
        """Wait until ``text`` is shown somewhere a screen reader can read it."""
        self.wait_until(lambda: self.sees_text(text), f"{text!r} to be shown", timeout_ms)

    def wait_gone(self, title: str, timeout_ms: int | None = None) -> None:
        """Wait until no window titled ``title`` is shown."""
        self.wait_until(
            lambda: not any(title in w.windowTitle() for w in self.windows()),
            f"the {title!r} window to close",
            timeout_ms,
        )

    # -- doing --------------------------------------------------------------------------------
    def press(self, *keys: str) -> None:
        """Press keys in turn on whatever has focus: ``press("Ctrl+N")``, ``press("Tab", "Tab")``."""
        for key in keys:
            seq = QKeySequence(key)
            if seq.isEmpty():
                raise ValueError(f"not a key: {key!r}")
            combo = seq[0]
            target = self._key_target()
            self._deliver(
                lambda t=target, c=combo: QTest.keyClick(t, c.key(), c.keyboardModifiers()),
                f"pressing {key}",
            )

    def type(self, text: str) -> None:
        """Type text into whatever has focus, one key at a time."""
        target = self._key_target()
        self._deliver(lambda: QTest.keyClicks(target, text), f"typing {text[:20]!r}")

    def click(self, name: str, kind: type[QWidget] | None = None) -> None:
        """Click the visible, enabled widget called ``name``."""
        widget = self.find(name, kind)
        self._click_widget(widget, name)

    def click_tab(self, text: str) -> None:
        """Click the tab whose label reads ``text``."""
        for bar in (w for w in self._all_widgets() if isinstance(w, QTabBar) and _shown(w)):
            for i in range(bar.count()):
                if _plain(bar.tabText(i)) == text:
                    if not bar.isTabEnabled(i):
                        raise UserError(f"the tab {text!r} is greyed out")
                    self._click_at(bar, bar.tabRect(i).center(), f"the tab {text!r}")
                    return
        raise UserError(f"I cannot see a tab called {text!r}")

    def click_row(self, view_name: str, text: str, *, double: bool = False) -> None:
        """Click (or double-click) the first row of a table or list showing ``text`` in a cell."""
        view = self.find(view_name, QAbstractItemView)
        assert isinstance(view, QAbstractItemView)
        model = view.model()
        for r in range(model.rowCount()):
            for c in range(_columns(view)):
                idx = model.index(r, c)
                if text in str(idx.data() or ""):
                    view.scrollTo(idx)  # a person scrolls the row into sight
                    point = view.visualRect(idx).center()
                    self._activate(view)
                    if double:
                        self._deliver(
                            lambda p=point: QTest.mouseDClick(
                                view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p
                            ),
                            f"double-clicking {text!r}",
                        )
                    else:
                        self._click_at(view.viewport(), point, f"the row {text!r}")
                    return
        raise UserError(f"no row in {view_name!r} shows {text!r}")

    def check_item(self, view_name: str, text: str) -> None:
        """Tick a checkable list entry by clicking it, then pressing Space on it."""
        self.click_row(view_name, text)
        self.press("Space")

    def choose(self, combo_name: str, option: str) -> None:
        """Pick ``option`` in a drop-down list by focusing it and stepping with the arrow keys."""
        combo = self.find(combo_name, QComboBox)
        assert isinstance(combo, QComboBox)
        self._click_widget(combo, combo_name, popup=False)
        self.press("Home")
        for _ in range(combo.count()):
            if self._value(combo) == option:
                return
            self.press("Down")
        if self._value(combo) != option:
            raise UserError(f"{combo_name!r} offers no {option!r}")

    @staticmethod
    def _value(widget: QWidget) -> str:
        iface = QAccessible.queryAccessibleInterface(widget)
        return (iface.text(QAccessible.Text.Value) if iface else "") or ""

    def menu(self, *path: str) -> None:
        """Choose a menu entry by clicking through the menu bar: ``menu("File", "Export pack…")``."""
        window = self.front()
        if not isinstance(window, QMainWindow):
            raise UserError("the window in front has no menu bar")
        bar = window.menuBar()
        top = next((a for a in bar.actions() if _plain(a.text()) == path[0]), None)
        if top is None or not top.isVisible():
            raise UserError(f"no menu called {path[0]!r}")
        self._click_at(bar, bar.actionGeometry(top).center(), f"the {path[0]!r} menu")
        menu = top.menu()
        for step in path[1:]:
            self.wait_until(lambda m=menu: m.isVisible(), f"the {path[0]!r} menu to open")
            action = next((a for a in menu.actions() if _plain(a.text()) == step), None)
            if action is None or not action.isVisible():
                raise UserError(f"the menu has no entry {step!r}")
            if not action.isEnabled():
                raise UserError(f"the menu entry {step!r} is greyed out")
            self._click_at(menu, menu.actionGeometry(action).center(), f"the menu entry {step!r}")
            menu = action.menu()
        QApplication.processEvents()

    def menu_entries(self) -> dict[str, list[tuple[str, str]]]:
        """Every menu of the front window: entry text and its shortcut as a person reads them."""
        window = self.front()
        if not isinstance(window, QMainWindow):
            raise UserError("the window in front has no menu bar")
        out: dict[str, list[tuple[str, str]]] = {}
        for top in window.menuBar().actions():
            if top.menu() is not None and top.isVisible():
                out[_plain(top.text())] = [
                    (_plain(a.text()), a.shortcut().toString(QKeySequence.SequenceFormat.PortableText))
                    for a in top.menu().actions()
                    if not a.isSeparator() and a.isVisible()
                ]
        return out

    def mnemonics(self, window: QWidget | None = None) -> list[tuple[str, str]]:
        """(letter, text) of every Alt+letter a person can see in a window: menu titles, buttons,
        labels that name a field, group boxes and tabs."""
        window = window or self.front()
        if window is None:
            return []
        texts: list[str] = []
        if isinstance(window, QMainWindow):
            texts += [a.text() for a in window.menuBar().actions() if a.isVisible()]
        for w in [window, *(c for c in window.findChildren(QWidget) if c.window() is window)]:
            if not _shown(w):
                continue
            if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
                texts.append(w.text())
            elif isinstance(w, QGroupBox):
                texts.append(w.title())
            elif isinstance(w, QTabBar):
                texts += [w.tabText(i) for i in range(w.count()) if w.isTabVisible(i)]
        out = []
        for text in texts:
            marked = text.replace("&&", "")
            at = marked.find("&")
            if 0 <= at < len(marked) - 1:
                out.append((marked[at + 1].lower(), _plain(text)))
        return out

    def drop_file(self, path: Path, on: QWidget | None = None) -> None:
        """Drag a file from the file manager and drop it on the window in front."""
        target = on or self.front()
        if target is None:
            raise UserError("there is no window to drop on")
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        centre = QPointF(target.rect().center())
        enter = QtGui.QDragEnterEvent(
            centre.toPoint(),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(target, enter)
        if not enter.isAccepted():
            raise UserError("the window refuses the dropped file")
        drop = QDropEvent(
            centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
        self._deliver(lambda: QApplication.sendEvent(target, drop), f"dropping {path.name}")

    # -- the hands ----------------------------------------------------------------------------
    def _key_target(self) -> QWidget:
        front = self.front()
        target = QApplication.focusWidget() or front
        if target is None:
            raise UserError("no window has keyboard focus")
        return target

    def _bring_to_front(self, window: QWidget) -> None:
        """Clicking a window's title bar: the window manager makes it active."""
        if QApplication.activeWindow() is not window:
            window.activateWindow()
            self.wait_until(lambda: QApplication.activeWindow() is window, "the window to come to the front")

    def _activate(self, widget: QWidget) -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None and widget.window() is not modal:
            raise UserError(f"a dialog ({modal.windowTitle()!r}) is in the way")
        self._bring_to_front(widget.window())
        scroll = widget.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is not None:
            scroll.ensureWidgetVisible(widget)  # a person scrolls it into sight

    def _click_widget(self, widget: QWidget, name: str, popup: bool = True) -> None:
        if not widget.isEnabled():
            raise UserError(f"{name!r} is greyed out")
        self._activate(widget)
        if isinstance(widget, QComboBox) and not popup:
            # clicking a drop-down opens its list; a person then uses the keys
            widget.setFocus(Qt.FocusReason.MouseFocusReason)
            return
        self._click_at(widget, widget.rect().center(), repr(name))

    def _click_at(self, widget: QWidget, point: QPoint, what: str) -> None:
        if not widget.isEnabled():
            raise UserError(f"{what} is greyed out")
        self._deliver(
            lambda: QTest.mouseClick(
                widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
            ),
            f"clicking {what}",
        )

    def _deliver(self, act: Callable[[], object], what: str) -> None:
        """Do one thing with keys or mouse; fail if it opened a dialog that blocks the caller."""
        before = QApplication.activeModalWidget()
        blocked: list[str] = []

        def watch() -> None:
            modal = QApplication.activeModalWidget()
            if modal is not None and modal is not before and modal.isVisible():
                blocked.append(modal.windowTitle() or type(modal).__name__)
                modal.close()  # unwind the nested loop so the test can report it

        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(watch)
        timer.start()
        try:
            act()
        finally:
            timer.stop()
        if blocked:
            raise UserError(
                f"{what} opened {blocked[0]!r} in a nested event loop (exec): a person could answer it, "
                "but the app's call stack was frozen under it; open dialogs with open()/show()"
            )
        QApplication.processEvents()
