"""What the benchmarks share: a seeded académie behind a Flask app, a person logged in through the real form,
timings through the WSGI application (server time without the network), SQL statement counts and the printed
p50/p95 lines. Imported by the scripts of this directory (``sys.path`` holds it when a script runs)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, func, select

from preau.app import create_app
from preau.auth.passwords import hash_password
from preau.auth.service import accept_charters
from preau.db import make_engine
from preau.directory.seed import SOURCE, seed_academie
from preau.migrate import upgrade
from preau.models import AccountState, Role, User
from preau.types import Profile


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def report(label: str, samples: list[float], target: float | None = None, width: int = 52) -> float:
    """Print one measure (and whether its p50 meets ``target`` ms); returns the p50."""
    p50, p95 = percentiles(samples)
    verdict = "" if target is None else f"  (objectif p50 ≤ {target:g} ms : {'atteint' if p50 <= target else 'MANQUÉ'})"
    print(f"  {label:<{width}} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   n={len(samples)}{verdict}")
    return p50


SEEDED_HELP = ("the database already holds the académie of `preau seed --students N` (e.g. a copy of a template "
               "database made once for several benchmarks): migrate it and measure, without seeding")


def prepare(url: str, students: int, seeded: bool = False, **config: Any):
    """A Flask app on ``url``, migrated, with a ``preau seed`` académie of ``students`` students (seeded here, or
    already there when ``seeded``: CI seeds one template database and gives each benchmark a copy of it)."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "PRODUCTION": False,
                      "JOBS_INLINE_WORKER": False, **config})
    engine = make_engine(url)
    upgrade(engine, app.extensions["preau.plugins"])
    if seeded:
        _check_seeded(engine, students)
    else:
        started = time.perf_counter()
        seed_academie(engine, students=students, seed=42)
        print(f"Académie de {students:,} élèves semée en {time.perf_counter() - started:.1f} s "
              f"({engine.dialect.name})")
    engine.dispose()
    return app


def _check_seeded(engine, students: int) -> None:
    """A copy of the wrong template would measure another académie: refuse it rather than print its figures."""
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(Role).join(User, User.id == Role.user_id)
                                  .where(User.source == SOURCE, Role.profile == Profile.STUDENT))
    if found != students:
        raise SystemExit(f"--seeded: the database holds {found:,} seeded students, not {students:,}")
    print(f"Académie de {students:,} élèves déjà semée (copie d'une base modèle, {engine.dialect.name})")


def ready(session, user, password: str) -> str:
    """``user`` as after activation (password set, charters accepted); returns their login."""
    user.password_hash, user.state = hash_password(password), AccountState.ACTIVE
    accept_charters(session, user)
    return user.login


def logged_in_client(app, login: str, password: str):
    """A test client logged in through the login form."""
    client = app.test_client()
    token = client.get("/auth/csrf-token").get_json()["csrf_token"]
    response = client.post("/auth/login", data={"login": login, "password": password, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"connexion refusée : HTTP {response.status_code}")
    return client


def timed(action: Callable[[], Any], runs: int) -> list[float]:
    """``runs`` durations of ``action`` (after one warm-up call)."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def timed_gets(client, urls: list[str], runs: int) -> list[float]:
    """Durations of loading ``urls`` one after the other (a page and its fragments), each answering 200."""

    def load() -> None:
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} a répondu HTTP {response.status_code}")

    return timed(load, runs)


def count_statements(engine, action: Callable[[], Any]) -> int:
    """How many SQL statements ``action`` sends."""
    count = 0

    def counter(*_args: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def statements_per_request(app, client, url: str) -> int:
    return count_statements(app.extensions["preau.engine"], lambda: client.get(url))
