"""Database engine and sessions: SQLite by default (WAL, foreign keys on), PostgreSQL in production."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, cast

from flask import Flask, current_app, g, request
from sqlalchemy import CursorResult, Engine, MetaData, Result, Table, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLite (WAL) fails at once, without waiting, when a transaction that has read tries to write after another
# connection committed. Transactions that may write therefore start with BEGIN IMMEDIATE (they queue for the
# write lock); safe HTTP methods start plain deferred transactions so readers never wait for each other.
_write_intent: ContextVar[bool] = ContextVar("preau_sqlite_write_intent", default=True)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Model(DeclarativeBase):
    """Base of every table, the kernel's and the plugins' (plugins prefix their tables with their app id)."""

    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions (pysqlite's own handling breaks SAVEPOINT), then set pragmas.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


class Database:
    """Flask extension: one engine per app, one session per request (closed at teardown)."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["preau.db"] = self
        app.extensions["preau.engine"] = engine
        app.extensions["preau.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.teardown_appcontext(self._close_session)
        app.before_request(self._declare_write_intent)

    @staticmethod
    def _declare_write_intent() -> None:
        _write_intent.set(request.method not in SAFE_METHODS)

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("_preau_session", None)
        if session is not None:
            session.close()


def prepare_write(session: Session) -> None:
    """Call before writing from a request that began read-only (a GET that audits a refusal, say).

    On SQLite the read transaction is ended first (it holds no pending write in such a request) and the next one
    begins IMMEDIATE, so the write queues for the lock instead of failing with "database is locked"."""
    if _write_intent.get() or session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    _write_intent.set(True)


def db_session() -> Session:
    """The session of the current request or app context; services receive it as an argument."""
    if "_preau_session" not in g:
        g._preau_session = current_app.extensions["preau.sessionmaker"]()
    return g._preau_session


def affected_rows(result: Result[Any]) -> int:
    """The number of rows an ``update()`` or ``delete()`` run by ``Session.execute`` matched.

    ``Session.execute`` is typed as returning a plain ``Result``; for these statements it is a ``CursorResult``."""
    return cast("CursorResult[Any]", result).rowcount


def table_of(model: type[Model]) -> Table:
    """The ``Table`` of a model, for Core statements (bulk ``insert``/``update`` with executemany)."""
    table = model.__table__
    assert isinstance(table, Table)  # declarative models map one Table each
    return table


def engine() -> Engine:
    return current_app.extensions["preau.engine"]


# -- reads remembered until the session writes ------------------------------------------------------------

_MEMO = "preau.memo"


def session_memo(session: Session, key: Any, compute: Any) -> Any:
    """``compute()`` once per ``key`` until the session's next flush, commit or rollback: one request asks the
    same structural questions many times (ancestors of a structure, the groups a person reaches)."""
    memo = session.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget_memo(session: Session) -> None:
    """Forget what :func:`session_memo` remembered (after rolling a savepoint back: a "what if" computation)."""
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_memo(session: Session, *_args: Any) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_memo_on_write(state: Any) -> None:
    """``session.execute(insert/update/delete(...))`` writes without a flush: forget as well."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(_MEMO, None)
