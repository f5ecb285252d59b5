"""Benchmark of the statistics: a year of counters for a seeded académie, the city page's queries, a login's cost.

    python bench/stats.py                                   # 100,000 students, fresh SQLite file
    python bench/stats.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench --visit-rate 0.1

1. ``preau seed``'s académie (``--students``), then a year of statistics written in bulk: every school day
   (Monday to Friday, 52 weeks), each (school, profile) gets its connection counters (web, mobile), five apps,
   three connectors and a few activations, and ``--visit-rate`` of all roles a visitor row (the table that
   grows: rows are printed);
2. the statistics of the largest city over the whole year: ``summary``, then ``overview`` by month (summary
   and series in one read of the counters, what the page computes), then the page itself
   ``GET /admin/structures/<city>/statistics`` through the WSGI application for a logged-in super
   administrator — p50 / p95;
3. a login through the form with recording on, then with ``record_connection`` replaced by a no-op: p50 of each
   and their ratio (the password hash dominates a login, on purpose), and ``record_connection`` alone.
No target is set: the figures are reported.
"""

from __future__ import annotations

import argparse
import random
import statistics as stats
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from preau import statistics
from preau.app import create_app
from preau.auth.passwords import hash_password
from preau.auth.service import accept_charters
from preau.db import make_engine
from preau.directory.seed import SOURCE, seed_academie
from preau.directory.structures import descendant_ids
from preau.directory.users import grant_function
from preau.migrate import upgrade
from preau.models import AccountState, Function, Role, Structure, StructureKind, StructureLink, User

PASSWORD = "Bench-statistiques-2026"  # noqa: S105 - a throwaway account of the benchmark database
APPS = ("messaging", "annuaire", "welcome", "cahier", "documents")
CONNECTORS = ("connector:pronote", "connector:lumni", "plugin:gar")
FIRST_DAY = date(2025, 9, 1)  # a Monday: the school year of the seed
BATCH = 50_000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return stats.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def report(label: str, samples: list[float]) -> float:
    p50, p95 = percentiles(samples)
    print(f"  {label:<58} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   n={len(samples)}")
    return p50


def school_days() -> list[date]:
    return [FIRST_DAY + timedelta(days=week * 7 + weekday) for week in range(52) for weekday in range(5)]


def _write(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Bulk rows: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def fill_year(engine, visit_rate: float, seed: int = 7) -> tuple[int, int]:
    """A year of counters and visitors for every school role; returns (counter rows, visitor rows)."""
    rng = random.Random(seed)
    with engine.connect() as connection:
        school_ids = set(connection.scalars(select(Structure.id).where(Structure.kind.in_(
            [StructureKind.ECOLE, StructureKind.COLLEGE, StructureKind.LYCEE]))))
        roles = [(user_id, structure_id, profile) for user_id, structure_id, profile in connection.execute(
            select(Role.user_id, Role.structure_id, Role.profile)) if structure_id in school_ids]
    pairs = sorted({(structure_id, profile) for _user, structure_id, profile in roles})
    per_day = max(1, int(len(roles) * visit_rate))
    counter_rows = visitor_rows = 0
    counter_columns = ("day", "structure_id", "profile", "metric", "key", "count")
    visitor_columns = ("day", "structure_id", "profile", "user_id")
    with engine.connect() as connection, connection.begin():
        pending: list[tuple] = []
        for day in school_days():
            for structure_id, profile in pairs:
                pending.append((day, structure_id, profile, "connection", "web", rng.randint(5, 60)))
                pending.append((day, structure_id, profile, "connection", "mobile", rng.randint(5, 60)))
                pending.extend((day, structure_id, profile, "app", app_id, rng.randint(1, 40)) for app_id in APPS)
                pending.extend((day, structure_id, profile, "connector", key, rng.randint(0, 20))
                               for key in CONNECTORS)
                if rng.random() < 0.2:
                    pending.append((day, structure_id, profile, "activation", "", rng.randint(1, 5)))
            counter_rows += len(pending)
            _write(connection, "stat_counters", counter_columns, pending)
            pending = []
            visits = sorted((day, structure_id, profile, user_id)  # in key order: cheaper B-tree inserts
                            for user_id, structure_id, profile in rng.sample(roles, per_day))
            for start in range(0, len(visits), BATCH):
                _write(connection, "stat_visitors", visitor_columns, visits[start:start + BATCH])
            visitor_rows += len(visits)
    return counter_rows, visitor_rows


def largest_city(session) -> tuple[Structure, set[int]]:
    cities = session.execute(select(StructureLink.parent_id, func.count()).join(
        Structure, Structure.id == StructureLink.parent_id).where(Structure.kind == StructureKind.CITY)
        .group_by(StructureLink.parent_id).order_by(func.count().desc()).limit(1)).one()
    city = session.get(Structure, cities[0])
    return city, descendant_ids(session, [city.id])


def a_super_admin(session) -> User:
    user = session.scalars(select(User).where(User.source == SOURCE).order_by(User.id).limit(1)).one()
    user.password_hash, user.state = hash_password(PASSWORD), AccountState.ACTIVE
    grant_function(session, user, Function.SUPER_ADMIN)
    accept_charters(session, user)
    return user


def log_in(app, login: str):
    client = app.test_client()
    token = client.get("/auth/csrf-token").get_json()["csrf_token"]
    response = client.post("/auth/login", data={"login": login, "password": PASSWORD, "csrf_token": token},
                           headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"})
    if response.status_code != 302:
        raise RuntimeError(f"connexion refusée : HTTP {response.status_code}")
    return client


def timed(action, runs: int) -> list[float]:
    action()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def login_cost(app, login: str, runs: int) -> tuple[float, float]:
    """Logins with and without recording, interleaved (a shared machine's load drifts between two series)."""
    original = statistics.record_connection
    with_recording: list[float] = []
    without: list[float] = []
    log_in(app, login)  # warm-up
    try:
        for _ in range(runs):
            for recording, samples in ((True, with_recording), (False, without)):
                statistics.record_connection = original if recording else (lambda *_args, **_kwargs: "web")
                started = time.perf_counter()
                log_in(app, login)
                samples.append(time.perf_counter() - started)
    finally:
        statistics.record_connection = original
    return report("connexion avec enregistrement", with_recording), report("connexion sans enregistrement", without)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--visit-rate", type=float, default=0.1,
                        help="share of all school roles with a visitor row each school day (default 0.1)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--logins", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'stats.db'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "PRODUCTION": False,
                          "JOBS_INLINE_WORKER": False})
        engine = make_engine(url)
        upgrade(engine, app.extensions["preau.plugins"])
        started = time.perf_counter()
        seed_academie(engine, students=args.students, seed=42)
        print(f"Académie de {args.students:,} élèves semée en {time.perf_counter() - started:.1f} s "
              f"({engine.dialect.name})")
        started = time.perf_counter()
        counters, visitors = fill_year(engine, args.visit_rate)
        print(f"Une année scolaire (260 jours) de statistiques écrite en {time.perf_counter() - started:.1f} s : "
              f"{counters:,} lignes de compteurs, {visitors:,} lignes de visiteurs (taux {args.visit_rate:g})")
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE stat_counters")
                connection.exec_driver_sql("ANALYZE stat_visitors")
                connection.commit()
        engine.dispose()
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            city, ids = largest_city(session)
            city_id = city.id
            admin = a_super_admin(session)
            login, admin_id = admin.login, admin.id
            session.commit()
            start, end = FIRST_DAY, FIRST_DAY + timedelta(days=364)
            figures = statistics.summary(session, ids, start, end)
            print(f"{city.name} ({len(ids) - 1} écoles) sur l'année : {figures.visitors:,} visiteurs uniques, "
                  f"{sum(figures.connections.values()):,} connexions, {figures.activations:,} activations")
            summary_p50 = report("summary (ville, un an)",
                                 timed(lambda: statistics.summary(session, ids, start, end), args.runs))
            report("overview par mois = summary + series (ville, un an)", timed(
                lambda: statistics.overview(session, ids, start, end, step="month"), args.runs))
            session.rollback()
        client = log_in(app, login)
        query = {"start": start.isoformat(), "end": end.isoformat()}

        def page():
            response = client.get(f"/admin/structures/{city_id}/statistics", query_string=query)
            if response.status_code != 200:
                raise RuntimeError(f"page des statistiques : HTTP {response.status_code}")

        report("GET page des statistiques (ville, un an)", timed(page, args.runs))
        print(f"Coût ajouté à une connexion ({args.logins} connexions par mesure, formulaire complet) :")
        with_p50, without_p50 = login_cost(app, login, args.logins)
        print(f"  ratio avec / sans enregistrement : {with_p50 / without_p50:.3f}")
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            user = session.get(User, admin_id)
            _ = list(user.roles)

            def record():
                statistics.record_connection(session, user, "Mozilla/5.0 (iPhone) Mobile")
                session.commit()

            report("record_connection seul (+ COMMIT)", timed(record, args.runs))
        app.extensions["preau.engine"].dispose()
    return 0 if summary_p50 > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
