"""Qt models over rows from the core: cases and records (dicts), and the case chronology
(``ChronologyLine``s, shown in the words the PDF prints)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from operator import attrgetter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap, QPolygonF

from app.core.forms.chronology import COLUMNS, SIGNIFICANCE, ChronologyLine
from app.core.forms.dates import shown
from app.ui.theme import colour

Index = QModelIndex | QPersistentModelIndex
# most significant first when sorted ascending
SIGNIFICANCE_ORDER = {code: n for n, (code, _) in enumerate(reversed(SIGNIFICANCE))}
_BY_DAY = attrgetter("date", "sequence")  # a chronology's own order: the day, then the sequence


@lru_cache(maxsize=4096)
def in_words(value: Any) -> str:
    """A stored date or time as lists show it: "Fri 30 Oct 2026, 15:30", local time (cached:
    a 10,000-line chronology repeats its dates)."""
    return shown(value)


@lru_cache(maxsize=4)
def high_mark(colour_name: str) -> QIcon:
    """A small filled triangle (▲) in the error colour: "high significance" beside a date."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour_name))
    painter.drawPolygon(QPolygonF([QPointF(7, 1), QPointF(13, 13), QPointF(1, 13)]))
    painter.end()
    return QIcon(pixmap)


class RowsModel(QAbstractTableModel):
    """A read-only table of rows (dicts, unless ``value`` says otherwise) with fixed columns
    (key, header)."""

    columns: tuple[tuple[str, str], ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any], sort: tuple[int, Qt.SortOrder] | None = None) -> None:
        """Replace every row; with ``sort`` (column, order), sorted before the one reset, so a
        large table is laid out once rather than reset and then re-sorted."""
        rows = list(rows)
        if sort is not None:
            self._order(rows, *sort)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row(self, r: int) -> Any:
        return self._rows[r]

    def value(self, row: Any, key: str) -> Any:
        return row.get(key)

    def row_id(self, row: Any) -> Any:
        return row.get("id")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][1]
        return None

    def display(self, row: Any, key: str) -> Any:
        value = self.value(row, key)
        return "" if value is None else str(value)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = self.columns[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.display(row, key)
        if role == Qt.ItemDataRole.UserRole:
            return self.row_id(row)
        if role == Qt.ItemDataRole.UserRole + 1:  # sort key
            return self.sort_key(row, key)
        return None

    def sort_key(self, row: Any, key: str) -> Any:
        value = self.value(row, key)
        return "" if value is None else str(value)

    def column_key(self, key: str) -> Callable[[Any], Any]:
        """A column's sort key as one function of a row (what a whole-table sort calls)."""
        return lambda row: self.sort_key(row, key)

    def _order(self, rows: list[Any], column: int, order: Qt.SortOrder) -> None:
        """Sort ``rows`` in place by a column's sort key (nothing for an unknown column)."""
        if 0 <= column < len(self.columns):
            key = self.column_key(self.columns[column][0])
            rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python with a key function: one pass, not a Qt comparison per pair (10,000
        chronology rows sort in milliseconds instead of seconds)."""
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [id(self._rows[i.row()]) for i in old]
        self._order(self._rows, column, order)
        where = {id(r): n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            old, [self.index(where[i], p.column()) for i, p in zip(ids, old, strict=True)]
        )
        self.layoutChanged.emit()


class CaseListModel(RowsModel):
    columns = (
        ("reference", "Reference"),
        ("children", "Children"),
        ("records", "Records"),
        ("updated", "Last change"),
    )

    def display(self, row: dict[str, Any], key: str) -> Any:
        if key == "children":
            return ", ".join(row["children"])
        if key == "records":
            drafts = row.get("drafts", 0)
            return f"{row['records']}" + (f" ({drafts} draft)" if drafts else "")
        if key == "updated":  # the day is enough in a list this narrow: "2 Dec 2026"
            return in_words(str(row.get("updated") or "")[:10]).split(" ", 1)[-1]
        return super().display(row, key)


class RecordListModel(RowsModel):
    columns = (("when", "When"), ("title", "Record"), ("status", "Status"), ("author", "Written by"))

    def display(self, row: dict[str, Any], key: str) -> Any:
        if key == "status":
            status = row["status"]
            label = {"final": "✔ Final", "draft": "✎ Draft"}.get(status, status)
            return label + (f" + {row['addenda']} addenda" if row.get("addenda") else "")
        if key == "when":
            return in_words(row.get("when"))
        return super().display(row, key)


class ChronologyModel(RowsModel):
    """The chronology: hand-made entries and derived lines (linked to their source records),
    with the chronology's own column headings and words ("about 2026-03-01", "High")."""

    _rows: list[ChronologyLine]
    columns = (*(c for c in COLUMNS if c[0] != "action"), ("origin", "From"))

    def value(self, row: ChronologyLine, key: str) -> Any:
        if key == "origin":
            return ("↗ " if row.derived else "") + row.form_title
        return getattr(row, key)

    def row_id(self, row: ChronologyLine) -> Any:
        return row.record_id

    def column_key(self, key: str) -> Callable[[Any], Any]:
        if key == "when":  # as sort_key's text orders them, without making 10,000 strings a sort
            return _BY_DAY
        return super().column_key(key)

    def sort_key(self, row: ChronologyLine, key: str) -> Any:
        if key == "when":
            return f"{row.date}|{row.sequence:04d}"
        if key == "significance_label":
            return SIGNIFICANCE_ORDER.get(row.significance, len(SIGNIFICANCE))
        return super().sort_key(row, key)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.BackgroundRole
            and index.isValid()
            and 0 <= index.row() < len(self._rows)
            and self._rows[index.row()].significance == "high"
        ):
            return QBrush(colour("tint_high"))  # with a mark by the date: never colour alone
        if (
            index.isValid()
            and index.column() == 0
            and 0 <= index.row() < len(self._rows)
            and self._rows[index.row()].significance == "high"
        ):
            # High significance marked beside the date, where the eye starts (the Significance
            # column is often scrolled out of sight): an icon, and words for a screen reader. The
            # date's text stays as the PDF prints it.
            if role == Qt.ItemDataRole.DecorationRole:
                return high_mark(colour("error").name())
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"High significance: {self.display(self._rows[index.row()], 'when')}"
        return super().data(index, role)


class ChronologyFilter(QSortFilterProxyModel):
    """Sort by date (then sequence) and filter by source, significance, dates and key events."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Qt.ItemDataRole.UserRole + 1)
        self.setDynamicSortFilter(False)
        self.source_text = ""
        self.significance: str | None = None
        self.date_from: date | None = None
        self.date_to: date | None = None
        self.key_only = False

    def set_filters(
        self,
        *,
        source_text: str = "",
        significance: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        key_only: bool = False,
    ) -> None:
        self.beginFilterChange()
        self.source_text = source_text.casefold()
        self.significance = significance
        self.date_from, self.date_to, self.key_only = date_from, date_to, key_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ChronologyModel):
            return True
        line: ChronologyLine = model.row(source_row)
        if self.source_text and self.source_text not in line.source.casefold():
            return False
        if self.significance and line.significance != self.significance:
            return False
        if self.date_from and line.date < self.date_from.isoformat():
            return False
        if self.date_to and line.date > self.date_to.isoformat():
            return False
        return not (self.key_only and line.significance != "high" and not line.key_event)
