"""The plugin's one table: a school's menu for one day. Its name starts with the app id, as Préau requires."""

from __future__ import annotations

from datetime import UTC, date, datetime

from preau import Model
from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

DISH_MAX_LENGTH = 120


def utcnow() -> datetime:
    # Naive UTC, like every time Préau stores (SQLite keeps no time zone).
    return datetime.now(UTC).replace(tzinfo=None)


class CantineMenu(Model):
    """What a school's canteen serves one day. ``allergens``: ids of :data:`preau_cantine.menus.ALLERGENS`,
    comma-separated."""

    __tablename__ = "cantine_menus"
    __table_args__ = (UniqueConstraint("structure_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    starter: Mapped[str] = mapped_column(String(DISH_MAX_LENGTH), default="")
    main: Mapped[str] = mapped_column(String(DISH_MAX_LENGTH))
    dessert: Mapped[str] = mapped_column(String(DISH_MAX_LENGTH), default="")
    allergens: Mapped[str] = mapped_column(String(200), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
