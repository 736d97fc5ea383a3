"""Full-text search over record text and people's names (FTS5, accents optional, newest first)."""

from __future__ import annotations

import unicodedata
from typing import Any, NamedTuple

from app.core.store.base import StoreBase
from app.core.store.models import SearchHit
from app.core.store.schema import FTS_TOKENIZE


def fts_words(text: str) -> list[str]:
    """The words of what the user typed (letters and digits only, NFC), at most 16."""
    return [
        w for w in "".join(c if c.isalnum() else " " for c in unicodedata.normalize("NFC", text)).split() if w
    ][:16]


# How the last, unfinished word of a search is matched (see Store.search). FTS5 answers ``word*``
# by building the whole merged list of matching rows in memory and, for newest-first order, walks
# it backwards growing an offsets array 8 entries at a time. With SQLCipher's memory security on,
# every one of those reallocations copies and wipes the whole array, so the cost is quadratic in
# the number of matching rows: "p*" over 100,000 records took 5.3 s (11 ms with it off). The same
# words as an OR of exact terms are walked page by page and stay in milliseconds; a prefix with
# very many terms is walked oldest-first, which is linear, and the newest rows taken from its end.
_PREFIX_CHUNK = 64  # exact terms per OR group
_PREFIX_OR_MAX = 256  # more terms than this: the oldest-first walk


class HitRow(NamedTuple):
    rowid: int
    kind: str
    object_id: str
    case_id: str
    title: str
    snippet: str

    def hit(self) -> SearchHit:
        return SearchHit(self.kind, self.object_id, self.case_id, self.title, self.snippet)


class SearchRepo(StoreBase):
    """Search; the index rows themselves are written by the people and record repositories."""

    _fold_conn: Any = None  # the connection whose temp tables fold search words

    def search(self, query: str, limit: int = 50, case_id: str | None = None) -> list[SearchHit]:
        """Full-text search over record text and people's names (accents optional), newest first.

        Every word must match; the last one may be unfinished (``okaf`` finds Okafor).
        """
        words = fts_words(query)
        if not words or limit <= 0:
            return []
        head = "".join(f'"{w}" AND ' for w in words[:-1])  # FTS5 needs AND before a group
        native = f'{head}"{words[-1]}"*'
        terms = self._prefix_terms(words[-1])
        if terms is None:  # FTS5 folds this word into more than one token: let it expand itself
            return self._newest([native], limit, case_id)
        if not terms:
            return []
        if len(terms) > _PREFIX_OR_MAX:
            return self._newest_by_forward_walk(native, limit, case_id)
        groups = [
            " OR ".join('"' + t.replace('"', '""') + '"' for t in terms[i : i + _PREFIX_CHUNK])
            for i in range(0, len(terms), _PREFIX_CHUNK)
        ]
        return self._newest([f"{head}({g})" for g in groups], limit, case_id)

    # The columns of HitRow, in order.
    _HIT_SQL = (
        "SELECT rowid, kind, object_id, case_id, title, "
        "snippet(search_index, 4, '[', ']', '…', 12) FROM search_index "
        "WHERE search_index MATCH ?"
    )

    @staticmethod
    def _in_case(case_id: str | None) -> tuple[str, list[Any]]:
        return (" AND case_id = ?", [case_id]) if case_id else ("", [])

    def _newest(self, matches: list[str], limit: int, case_id: str | None) -> list[SearchHit]:
        # Newest first: FTS5 walks its index in rowid order and stops at the limit, where ranking
        # by relevance would score every match (166 ms → a few ms at 100,000 records).
        where, extra = self._in_case(case_id)
        sql = self._HIT_SQL + where + " ORDER BY rowid DESC LIMIT ?"
        rows: list[HitRow] = []
        for match in matches:
            rows.extend(map(HitRow._make, self.conn.execute(sql, [match, *extra, limit])))
        if len(matches) > 1:  # each row holds one folded form per term group: no duplicates
            rows.sort(key=lambda r: r.rowid, reverse=True)
        return [r.hit() for r in rows[:limit]]

    def _newest_by_forward_walk(self, match: str, limit: int, case_id: str | None) -> list[SearchHit]:
        where, extra = self._in_case(case_id)
        ids = [
            rowid
            for (rowid,) in self.conn.execute(
                "SELECT rowid FROM search_index WHERE search_index MATCH ?" + where, [match, *extra]
            )
        ]
        if not ids:
            return []
        rows = self.conn.execute(
            self._HIT_SQL + where + " AND rowid >= ? ORDER BY rowid", [match, *extra, ids[-limit:][0]]
        ).fetchall()
        return [HitRow._make(r).hit() for r in reversed(rows)][:limit]

    def _prefix_terms(self, word: str) -> list[str] | None:
        """The index's exact terms that start with ``word`` (up to one more than the OR limit).

        The word is folded by FTS5 itself (a scratch table with the index's tokenizer), so case and
        accents match exactly what the index stored; None when it folds into more than one token.
        """
        c = self.conn
        if self._fold_conn is not c:  # temp tables live as long as the connection
            c.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.fb_fold USING fts5(x, tokenize = '{FTS_TOKENIZE}')"
            )
            c.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fb_fold_vocab USING fts5vocab(temp, fb_fold, row)"
            )
            c.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fb_search_vocab "
                "USING fts5vocab(main, search_index, row)"
            )
            self._fold_conn = c
        c.execute("INSERT INTO temp.fb_fold (rowid, x) VALUES (1, ?)", (word,))
        try:
            folded = [term for (term,) in c.execute("SELECT term FROM temp.fb_fold_vocab")]
        finally:
            c.execute("DELETE FROM temp.fb_fold")
        if len(folded) != 1:
            return None
        return [
            term
            for (term,) in c.execute(
                "SELECT term FROM temp.fb_search_vocab WHERE term >= ? AND term < ? LIMIT ?",
                (folded[0], folded[0] + "\U0010ffff", _PREFIX_OR_MAX + 1),
            )
        ]
