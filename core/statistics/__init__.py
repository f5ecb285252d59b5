"""Statistics: counted when things happen, read back by period, structure set and profile.

Who counts where (the attribution rule):
- a login, an activation, an app opened and a visit count once in **each (structure, profile) of the person's
  roles**: a teacher of two schools counts in both, a person who is both teacher and parent in one school counts
  under both profiles. Adding up a city's schools may therefore count such a person twice in the connection,
  activation and app figures; unique visitors never do (they are distinct people).
- a connector launch counts in the structure and profile of the role through which the connector reached the
  person (the one ``core/sso/launch.py`` records).
- days are local days of the schools (``BABEL_DEFAULT_TIMEZONE``, Europe/Paris by default).

Writes are one UPSERT (``INSERT … ON CONFLICT DO UPDATE SET count = count + 1``) or one insert-or-ignore; the
caller commits. An app is counted once per person and day (``stat_app_visits`` decides, whichever worker is
first); :func:`purge_app_visits` forgets the days gone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Date, cast, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db import affected_rows
from ..models import ConnectorLaunch, StatAppVisit, StatCounter, StatVisitor, User
from .agents import MOBILE, WEB, connection_kind

__all__ = ["ACTIVATION", "APP", "CONNECTION", "CONNECTOR", "MOBILE", "VISITORS", "WEB", "Step", "Summary",
           "connection_kind", "export_rows", "overview", "purge_app_visits", "record_activation", "record_app_access",
           "record_connection", "record_connector_launch", "record_launch", "record_visit", "series", "summary",
           "today"]

ACTIVATION, CONNECTION, APP, CONNECTOR = "activation", "connection", "app", "connector"
VISITORS = "visitors"  # not a counter: COUNT(DISTINCT user_id) over stat_visitors
DEFAULT_TIMEZONE = "Europe/Paris"
TOP = 10


class Step(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def today(timezone: str | None = None) -> date:
    """The schools' local day (the configured time zone in a Flask app, else Europe/Paris)."""
    if timezone is None:
        timezone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return datetime.now(ZoneInfo(timezone or DEFAULT_TIMEZONE)).date()


# -- recording ---------------------------------------------------------------------------------------------


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _role_pairs(user: User) -> list[tuple[int, str]]:
    return sorted({(role.structure_id, role.profile) for role in user.roles})


def _bump(session: Session, day: date, pairs: Iterable[tuple[int, str]], metric: str, key: str) -> None:
    rows = [{"day": day, "structure_id": structure_id, "profile": profile, "metric": metric, "key": key[:200],
             "count": 1} for structure_id, profile in pairs]
    if not rows:
        return
    statement = _insert(session)(StatCounter)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "structure_id", "profile", "metric", "key"],
        set_={"count": StatCounter.__table__.c.count + 1})
    session.execute(statement, rows)


def record_visit(session: Session, user: User, day: date | None = None) -> None:
    """``user`` came today: one row per role, ignored if already there."""
    day = day or today()
    rows = [{"day": day, "structure_id": structure_id, "profile": profile, "user_id": user.id}
            for structure_id, profile in _role_pairs(user)]
    if rows:
        session.execute(_insert(session)(StatVisitor).on_conflict_do_nothing(), rows)


def record_connection(session: Session, user: User, user_agent: str | None, day: date | None = None) -> str:
    """A successful login (form, CAS login page, end of activation); returns ``"web"`` or ``"mobile"``."""
    day = day or today()
    kind = connection_kind(user_agent)
    _bump(session, day, _role_pairs(user), CONNECTION, kind)
    record_visit(session, user, day)
    return kind


def record_activation(session: Session, user: User, day: date | None = None) -> None:
    _bump(session, day or today(), _role_pairs(user), ACTIVATION, "")


def record_app_access(session: Session, user: User, app_id: str, day: date | None = None) -> bool:
    """The first opening of ``app_id`` by ``user`` today counts; later ones return False and write nothing."""
    day = day or today()
    statement = _insert(session)(StatAppVisit).values(day=day, user_id=user.id, app_id=app_id[:64])
    first = session.execute(statement.on_conflict_do_nothing().returning(StatAppVisit.user_id)).first()
    if first is None:
        return False
    _bump(session, day, _role_pairs(user), APP, app_id)
    return True


def record_connector_launch(session: Session, structure_id: int, profile: str, key: str,
                            day: date | None = None) -> None:
    """A connector opened through the role (``structure_id``, ``profile``); ``key`` is the launch key."""
    _bump(session, day or today(), [(structure_id, profile)], CONNECTOR, key)


def record_launch(session: Session, user: User, *, key: str, kind: str, structure_id: int, profile: str) -> None:
    """For a plugin that opens an external service itself (the GAR's resources), rather than through a
    ``Connector`` tile: one row of the launch history and the statistics' count of launches, in ``structure_id``
    for the ``profile`` through which it reached ``user``. ``key`` names the service (``"<app id>:…"``, at most
    200 characters), ``kind`` how it signs the person in (``"link"``, ``"cas"``, ``"saml"``…)."""
    session.add(ConnectorLaunch(user_id=user.id, structure_id=structure_id, key=key[:200], kind=kind,
                                profile=profile))
    record_connector_launch(session, structure_id, profile, key[:200])


def purge_app_visits(session: Session, before: date) -> int:
    """Forget the "already counted today" marks of the days before ``before`` (they decide nothing anymore)."""
    return affected_rows(session.execute(delete(StatAppVisit).where(StatAppVisit.day < before)))


# -- reading -----------------------------------------------------------------------------------------------


@dataclass
class Summary:
    activations: int = 0
    visitors: int = 0
    connections: dict[str, int] = field(default_factory=lambda: {WEB: 0, MOBILE: 0})
    apps: list[tuple[str, int]] = field(default_factory=list)  # the most opened first
    connectors: list[tuple[str, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.activations or self.visitors or any(self.connections.values()) or self.apps
                    or self.connectors)


def _counter_filter(structure_ids: Iterable[int], start: date, end: date, profile: str | None) -> list[Any]:
    where = [StatCounter.structure_id.in_(list(structure_ids)), StatCounter.day >= start, StatCounter.day <= end]
    if profile:
        where.append(StatCounter.profile == profile)
    return where


def _visitor_filter(structure_ids: Iterable[int], start: date, end: date, profile: str | None) -> list[Any]:
    where = [StatVisitor.structure_id.in_(list(structure_ids)), StatVisitor.day >= start, StatVisitor.day <= end]
    if profile:
        where.append(StatVisitor.profile == profile)
    return where


def _distinct_visitors(session: Session, ids: list[int], start: date, end: date, profile: str | None) -> int:
    return session.scalar(select(func.count(func.distinct(StatVisitor.user_id)))
                          .where(*_visitor_filter(ids, start, end, profile))) or 0


def _summary_of(totals: dict[tuple[str, str], int], visitors: int, top: int) -> Summary:
    result = Summary(visitors=visitors)
    apps: list[tuple[str, int]] = []
    connectors: list[tuple[str, int]] = []
    for (metric, key), total in totals.items():
        if metric == ACTIVATION:
            result.activations += total
        elif metric == CONNECTION:
            result.connections[key] = result.connections.get(key, 0) + total
        elif metric == APP:
            apps.append((key, total))
        elif metric == CONNECTOR:
            connectors.append((key, total))
    result.apps = sorted(apps, key=lambda pair: (-pair[1], pair[0]))[:top]
    result.connectors = sorted(connectors, key=lambda pair: (-pair[1], pair[0]))[:top]
    return result


def summary(session: Session, structure_ids: Iterable[int], start: date, end: date,
            profile: str | None = None, top: int = TOP) -> Summary:
    """Totals over ``start``..``end`` (inclusive) for the structures given (pass the descendants too)."""
    ids = list(structure_ids)
    rows = session.execute(
        select(StatCounter.metric, StatCounter.key, func.sum(StatCounter.count))
        .where(*_counter_filter(ids, start, end, profile)).group_by(StatCounter.metric, StatCounter.key))
    totals = {(metric, key): int(total or 0) for metric, key, total in rows}
    return _summary_of(totals, _distinct_visitors(session, ids, start, end, profile), top)


def _bucket(session: Session, column: Any, step: Step) -> Any:
    """The first day of the period holding ``column`` (weeks start on Monday), as SQL."""
    if step == Step.DAY:
        return column
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(step.value, column), Date)
    if step == Step.WEEK:  # SQLite: the Monday on or before the day
        return func.date(column, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    return func.date(column, literal_column("'start of month'"))


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def period_starts(start: date, end: date, step: Step) -> list[date]:
    """Every period of ``start``..``end``, so that the charts show the empty ones too."""
    first = {Step.DAY: start, Step.WEEK: start - timedelta(days=start.weekday()),
             Step.MONTH: start.replace(day=1)}[step]
    periods, current = [], first
    while current <= end:
        periods.append(current)
        if step == Step.DAY:
            current += timedelta(days=1)
        elif step == Step.WEEK:
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return periods


def series(session: Session, structure_ids: Iterable[int], start: date, end: date, profile: str | None = None,
           step: Step | str = Step.DAY) -> list[dict[str, Any]]:
    """Per period: ``{"start": date, "activation": n, "web": n, "mobile": n, "app": n, "connector": n,
    "visitors": n}`` (visitors distinct within the period)."""
    return overview(session, structure_ids, start, end, profile, step)[1]


def overview(session: Session, structure_ids: Iterable[int], start: date, end: date, profile: str | None = None,
             step: Step | str = Step.DAY, top: int = TOP) -> tuple[Summary, list[dict[str, Any]]]:
    """:func:`summary` and :func:`series` together, reading the counters once (what the page shows)."""
    step = Step(step)
    ids = list(structure_ids)
    rows: dict[date, dict[str, Any]] = {
        period: {"start": period, ACTIVATION: 0, WEB: 0, MOBILE: 0, APP: 0, CONNECTOR: 0, VISITORS: 0}
        for period in period_starts(start, end, step)}
    bucket = _bucket(session, StatCounter.day, step).label("bucket")
    counted = session.execute(
        select(bucket, StatCounter.metric, StatCounter.key, func.sum(StatCounter.count))
        .where(*_counter_filter(ids, start, end, profile)).group_by(bucket, StatCounter.metric, StatCounter.key))
    totals: dict[tuple[str, str], int] = {}
    for period, metric, key, total in counted:
        row = rows.setdefault(_as_date(period), {"start": _as_date(period)})
        name = key if metric == CONNECTION else metric
        row[name] = row.get(name, 0) + int(total or 0)
        totals[metric, key] = totals.get((metric, key), 0) + int(total or 0)
    visitor_bucket = _bucket(session, StatVisitor.day, step).label("bucket")
    visits = session.execute(
        select(visitor_bucket, func.count(func.distinct(StatVisitor.user_id)))
        .where(*_visitor_filter(ids, start, end, profile)).group_by(visitor_bucket))
    for period, total in visits:
        rows.setdefault(_as_date(period), {"start": _as_date(period)})[VISITORS] = int(total or 0)
    return _summary_of(totals, _distinct_visitors(session, ids, start, end, profile), top), [
        rows[period] for period in sorted(rows)]


def export_rows(session: Session, structure_ids: Iterable[int], start: date, end: date,
                profile: str | None = None) -> list[tuple[date, str, str, str, int]]:
    """``(day, profile, metric, key, count)`` for the CSV export, counters and daily unique visitors."""
    ids = list(structure_ids)
    counted = session.execute(
        select(StatCounter.day, StatCounter.profile, StatCounter.metric, StatCounter.key,
               func.sum(StatCounter.count))
        .where(*_counter_filter(ids, start, end, profile))
        .group_by(StatCounter.day, StatCounter.profile, StatCounter.metric, StatCounter.key))
    visits = session.execute(
        select(StatVisitor.day, StatVisitor.profile, func.count(func.distinct(StatVisitor.user_id)))
        .where(*_visitor_filter(ids, start, end, profile)).group_by(StatVisitor.day, StatVisitor.profile))
    rows = [(_as_date(day), prof, metric, key, int(total)) for day, prof, metric, key, total in counted]
    rows += [(_as_date(day), prof, VISITORS, "", int(total)) for day, prof, total in visits]
    return sorted(rows)
