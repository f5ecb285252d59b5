"""Statistics, counted as events happen (never recomputed from the audit log when the page is shown).

``StatCounter`` holds one number per day, structure, profile, metric and key, bumped by an UPSERT.
``StatVisitor`` holds who came on a day, through which role: "unique visitors over a period" is a
COUNT(DISTINCT user_id) over these rows. ``StatAppVisit`` remembers that a person already opened an app today,
so that an app is counted once per person and day (the rows of past days may be purged).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model


class StatCounter(Model):
    __tablename__ = "stat_counters"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)  # activation, connection, app, connector
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # web/mobile, app id, launch key, or ""
    count: Mapped[int] = mapped_column(Integer, default=0)

    # The page reads a set of structures over a period: the key starts with structure, then day; on SQLite the
    # table is its key (WITHOUT ROWID), so that range holds the counts too, with no second lookup.
    __table_args__ = ({"sqlite_with_rowid": False},)


class StatVisitor(Model):
    __tablename__ = "stat_visitors"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_stat_visitors_user_id", "user_id"), {"sqlite_with_rowid": False})


class StatAppVisit(Model):
    __tablename__ = "stat_app_visits"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_stat_app_visits_user_id", "user_id"), {"sqlite_with_rowid": False})
