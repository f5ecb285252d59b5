"""Full-text search of a person's own messages: subject, body text and sender name.

SQLite: the FTS5 table ``messaging_messages_fts``; PostgreSQL: the generated ``search_vector`` column (GIN).
Words are reduced to letters and digits and searched as prefixes, all of them required; the results are only
messages in the searcher's own boxes (not emptied from the trash).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models import Delivery, Message
from .boxes import BoxRow, _add_summaries

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def fold_accents(word: str) -> str:
    """"Élève" → "eleve", as the search indexes store words (FTS5 remove_diacritics; translate() on PostgreSQL)."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def terms_of(query: str) -> list[str]:
    return [fold_accents(w.lower()) for w in _WORD.findall(query or "")][:MAX_TERMS]


def _matching_ids(session: Session, user_id: int, terms: list[str], limit: int) -> list[int]:
    if session.get_bind().dialect.name == "sqlite":
        match = " AND ".join(f'"{t}"*' for t in terms)
        sql = text(
            "SELECT d.id FROM messaging_messages_fts f "
            "JOIN messaging_deliveries d ON d.message_id = f.rowid "
            "WHERE messaging_messages_fts MATCH :match AND d.user_id = :user AND d.deleted = 0 "
            "ORDER BY d.delivered_at DESC, d.id DESC LIMIT :limit")
        params = {"match": match, "user": user_id, "limit": limit}
    else:
        sql = text(
            "SELECT d.id FROM messaging_messages m "
            "JOIN messaging_deliveries d ON d.message_id = m.id "
            "WHERE m.search_vector @@ to_tsquery('simple', :query) AND d.user_id = :user AND NOT d.deleted "
            "ORDER BY d.delivered_at DESC, d.id DESC LIMIT :limit")
        params = {"query": " & ".join(f"{t}:*" for t in terms), "user": user_id, "limit": limit}
    return list(session.execute(sql, params).scalars())


def search(session: Session, user_id: int, query: str, limit: int = 50) -> list[BoxRow]:
    terms = terms_of(query)
    if not terms:
        return []
    ids = _matching_ids(session, user_id, terms, max(1, min(int(limit), 200)))
    if not ids:
        return []
    found = session.execute(select(Delivery, Message).join(Message, Message.id == Delivery.message_id)
                            .where(Delivery.id.in_(ids))).all()
    order = {delivery_id: position for position, delivery_id in enumerate(ids)}
    rows = sorted((BoxRow(d, m) for d, m in found), key=lambda row: order[row.delivery.id])
    _add_summaries(session, rows, user_id)
    return rows
