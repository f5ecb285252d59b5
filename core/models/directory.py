"""The annuaire: structures, users and their roles, functions, classes, groups, relatives."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from ..types import Profile
from ._time import utcnow


class StructureKind(enum.StrEnum):
    """What a structure is (``Structure.kind``): an académie, a syndicat, a city, a school (école, collège,
    lycée) or another kind of structure."""

    ACADEMIE = "academie"
    SYNDICAT = "syndicat"
    CITY = "ville"
    ECOLE = "ecole"
    COLLEGE = "college"
    LYCEE = "lycee"
    OTHER = "autre"


class AccountState(enum.StrEnum):
    """The life of an account (``User.state``): inactive until its owner activates it, active, blocked by an
    administrator, then on its way out (pending deletion, pre-deleted: may only export its data) and deleted."""

    INACTIVE = "inactive"
    ACTIVE = "active"
    BLOCKED = "blocked"
    PENDING_DELETION = "pending_deletion"
    PRE_DELETED = "pre_deleted"
    DELETED = "deleted"


class Function(enum.StrEnum):
    """The functions a person may hold besides their profile (``UserFunction.code``): super administrator,
    local administrator (ADML), head of school, librarian, CPE, the GAR's resource manager."""

    SUPER_ADMIN = "SUPER_ADMIN"
    ADMIN_LOCAL = "ADMIN_LOCAL"  # ADML
    DIRECTEUR = "DIRECTEUR"
    DOCUMENTALISTE = "DOCUMENTALISTE"
    CPE = "CPE"
    GAR_RESP_AFFECT = "GAR_RESP_AFFECT"  # the GAR's "responsable d'affectation" of a school's resources


class GroupKind(enum.StrEnum):
    """What a group is (``Group.kind``): automatic per structure and profile or per class and profile, or made
    by hand (manual) or by the school's organisation (teaching groups: ULIS, UPE2A…)."""

    PROFILE = "profile"  # one per structure and profile, automatic
    CLASS = "class"  # one per class and profile, automatic
    MANUAL = "manual"
    TEACHING = "teaching"  # regroupements ULIS, UPE2A…


class Structure(Model):
    """A node of the structure graph (an académie, a city, a school…). Public fields: ``id``, ``name``, ``kind``
    (a :class:`StructureKind` value), ``uai`` (a school's official number, or ``None``), ``external_id`` and
    ``source`` (where an import found it), ``created_at``."""

    __tablename__ = "structures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=StructureKind.ECOLE)
    uai: Mapped[str | None] = mapped_column(String(8), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("source", "external_id"),)

    def __repr__(self) -> str:
        return f"<Structure {self.id} {self.name!r}>"


class StructureLink(Model):
    """An edge of the structure graph: ``parent`` contains ``child`` (a city contains a school)."""

    __tablename__ = "structure_links"

    parent_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    __table_args__ = (CheckConstraint("parent_id <> child_id", name="not_self"),)


def display_name_of(first_name: str | None, last_name: str | None) -> str:
    """« Emma ELEVE »: how a person is shown everywhere (annuaire, messages, CAS/LTI/OpenID attributes)."""
    return f"{(first_name or '').strip()} {(last_name or '').strip().upper()}".strip()[:200]


class User(Model):
    """A person with one login; their roles tie them to structures with a profile.

    Public fields: ``id``, ``login``, ``first_name``, ``last_name``, ``display_name``, ``birth_date``, ``email``,
    ``state`` (an :class:`AccountState` value), ``locale``, ``external_id``, ``source``, ``created_at``,
    ``roles`` (:class:`Role`), ``functions`` (:class:`UserFunction`), and the properties ``profiles`` (a set),
    ``main_profile`` and ``is_super_admin``. The password hash, codes and session version are the kernel's.

    ``display_name`` follows ``first_name`` and ``last_name``: setting either on an instance recomputes it (see
    the listeners below), and bulk writes that bypass the ORM (the directory sync) use :func:`display_name_of`.
    Setting ``display_name`` after the names (an erased account's « Compte supprimé ») keeps that value.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=AccountState.INACTIVE, index=True)
    state_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Activation codes are printed on letters handed out at la rentrée, so they are kept readable.
    activation_code: Mapped[str | None] = mapped_column(String(16))
    activation_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    reset_code_hash: Mapped[str | None] = mapped_column(String(64))
    reset_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    reset_code_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(8))
    external_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    roles: Mapped[list[Role]] = relationship(back_populates="user", lazy="selectin")
    functions: Mapped[list[UserFunction]] = relationship(back_populates="user", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_users_names", "last_name", "first_name"),
    )

    # flask-login protocol: the session id carries the version so that blocking ends every session.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        # flask-login refuses inactive users: accounts on their way out may still log in to export their data.
        return self.state in (AccountState.ACTIVE, AccountState.PENDING_DELETION, AccountState.PRE_DELETED)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def profiles(self) -> set[str]:
        return {role.profile for role in self.roles}

    @property
    def main_profile(self) -> str:
        order = [p.value for p in Profile]
        return min(self.profiles, key=order.index) if self.roles else Profile.GUEST.value

    @property
    def is_super_admin(self) -> bool:
        return any(f.code == Function.SUPER_ADMIN for f in self.functions)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login!r}>"


@event.listens_for(User.first_name, "set")
def _first_name_changed(user: User, value: str | None, _old: object, _initiator: object) -> None:
    # Without this a renamed person kept their old name in every released attribute (issue 16, point 11).
    user.display_name = display_name_of(value, user.last_name)


@event.listens_for(User.last_name, "set")
def _last_name_changed(user: User, value: str | None, _old: object, _initiator: object) -> None:
    user.display_name = display_name_of(user.first_name, value)


class Role(Model):
    """A profile held by a user in a structure. One person may hold several. Public fields: ``id``,
    ``user_id`` and ``user``, ``structure_id`` and ``structure``, ``profile`` (a :class:`Profile` value)."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    profile: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="roles")
    structure: Mapped[Structure] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "structure_id", "profile"),
        CheckConstraint(
            "profile IN ('teacher', 'student', 'relative', 'personnel', 'guest')", name="known_profile"
        ),
    )


class UserFunction(Model):
    """A function (ADML, directeur…) of a user in a structure; SUPER_ADMIN has no structure. Public fields:
    ``id``, ``user_id``, ``structure_id``, ``code`` (a :class:`Function` value)."""

    __tablename__ = "user_functions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="functions")

    __table_args__ = (UniqueConstraint("user_id", "structure_id", "code"),)


class SchoolClass(Model):
    """A class of a school. Public fields: ``id``, ``structure_id`` and ``structure``, ``name`` ("CM2 A"),
    ``level``, ``external_id``, ``source``, ``archived_at`` (set by the year transition: a past year's class)."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="manual")
    # Set by the year transition: the class of a past year, kept with its content, no longer offered.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    structure: Mapped[Structure] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("structure_id", "name"),)


class Group(Model):
    """A group of people of a structure. Public fields: ``id``, ``structure_id``, ``kind`` (a :class:`GroupKind`
    value), ``profile`` (of a profile or class group; ``None`` for a structure's "Tous" group and manual
    groups), ``class_id`` (of a class group), ``name``, ``members_communicate``, ``external_id``, ``source``."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    members_communicate: Mapped[bool] = mapped_column(Boolean, default=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="manual")

    __table_args__ = (
        CheckConstraint("kind IN ('profile', 'class', 'manual', 'teaching')", name="known_kind"),
        CheckConstraint("(kind = 'class') = (class_id IS NOT NULL)", name="class_groups_have_class"),
    )


class GroupMember(Model):
    """Membership of a group: ``group_id``, ``user_id``. The kernel keeps automatic groups in step with roles
    and classes; read them, and change manual groups through the administration."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class RelativeLink(Model):
    """A parent (responsable) ↔ child link: ``parent_id``, ``child_id``."""

    __tablename__ = "relatives"

    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)

    __table_args__ = (CheckConstraint("parent_id <> child_id", name="not_self"),)
