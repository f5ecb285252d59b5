"""Benchmark of the portal: the dashboard with 8 widgets and "Mes Applis" with 40 tiles (issue 5).

    python bench/portal.py                          # 20,000 students, fresh SQLite file
    python bench/portal.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench

On the ``preau seed`` académie, in one process, through the WSGI application (the Flask test client: server
time without the network), for a teacher who really logged in through the form:
1. ``GET /`` with 8 widgets placed (welcome, messaging and the six of bench/portal_widgets.py, each doing a
   query) against the same page with no widget placed — p50 and throughput, ratio printed;
2. the whole dashboard as the browser loads it: the page plus its 8 widget fragments;
3. ``GET /apps`` for the same teacher, reached by 40 apps, links and connectors (grants resolved once per
   request: the number of SQL statements per request is printed).
Targets: dashboard p50 ≤ 30 ms with a throughput ≥ 50 % of the page without widgets; Mes Applis p50 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/portal_widgets.py, loaded as a plugin

from harness import SEEDED_HELP, prepare  # noqa: E402

from preau.auth.passwords import hash_password  # noqa: E402
from preau.auth.service import accept_charters  # noqa: E402
from preau.directory.seed import SOURCE  # noqa: E402
from preau.models import AccountState, Role, Structure, StructureKind, User  # noqa: E402
from preau.portal import dashboard as layouts  # noqa: E402
from preau.portal.catalogue import catalogue  # noqa: E402
from preau.portal.services import add_connector, add_link, configure_connector  # noqa: E402
from preau.rights import enable_with_defaults  # noqa: E402
from preau.types import Profile  # noqa: E402

TARGETS_MS = {"dashboard": 30.0, "apps": 20.0}
PASSWORD = "Bench-portail-2026"  # noqa: S105 - a throwaway account of the benchmark database
APPS = ("welcome", "messaging", "annuaire", "benchwidgets")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def report(label: str, samples: list[float], target: float | None = None) -> float:
    p50, p95 = percentiles(samples)
    verdict = "" if target is None else f"  (objectif p50 ≤ {target:g} ms : {'atteint' if p50 <= target else 'MANQUÉ'})"
    print(f"  {label:<52} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   n={len(samples)}{verdict}")
    return p50



def set_up_services(session, registry, academie: Structure) -> None:
    """4 apps, 20 links and enough link connectors for a teacher to be reached by 40 tiles."""
    for app_id in APPS:
        enable_with_defaults(session, registry, academie, app_id)
    for n in range(20):
        add_link(session, academie, title=f"Lien {n:02d}", url=f"https://lien{n}.exemple.fr/", theme="Outils",
                 profiles=["teacher"])
    free = [entry.id for entry in catalogue().values() if entry.kind == "link" and not entry.fields
            and "uai" not in entry.placeholders]
    for catalogue_id in free[:17]:
        connector = add_connector(session, academie, catalogue_id)
        configure_connector(session, connector, values={}, secrets={}, profiles=["teacher"], enabled=True)


def a_teacher(session) -> User:
    user_id = session.scalar(select(Role.user_id).where(Role.profile == Profile.TEACHER).order_by(Role.id).limit(1))
    user = session.get(User, user_id)
    user.password_hash, user.state = hash_password(PASSWORD), AccountState.ACTIVE  # as after activation
    accept_charters(session, user)
    return user


def logged_in_client(app, login: str):
    client = app.test_client()
    token = client.get("/auth/csrf-token").get_json()["csrf_token"]
    response = client.post("/auth/login", data={"login": login, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"connexion refusée : HTTP {response.status_code}")
    return client


def timed_gets(client, urls: list[str], runs: int) -> list[float]:
    for url in urls:  # warm-up
        client.get(url)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} a répondu HTTP {response.status_code}")
        samples.append(time.perf_counter() - started)
    return samples


def grant_resolutions_per_request(client, url: str) -> int:
    """How many times the grants were resolved while serving ``url`` (once: cached for the request)."""
    import preau.web

    calls = 0
    original = preau.web.access_for

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    preau.web.access_for = counting
    try:
        client.get(url)
    finally:
        preau.web.access_for = original
    return calls


def statements_per_request(app, client, url: str) -> int:
    engine = app.extensions["preau.engine"]
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def put_layout(client, items: list[dict]) -> None:
    token = client.get("/auth/csrf-token").get_json()["csrf_token"]
    response = client.put("/api/v1/dashboard/layout", json={"items": items}, headers={"X-CSRFToken": token})
    if response.status_code != 200:
        raise RuntimeError(f"disposition refusée : {response.get_json()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'portal.db'}"
        app = prepare(url, args.students, seeded=args.seeded, PLUGINS_EXTRA=["portal_widgets"])
        registry = app.extensions["preau.plugins"]
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            academie = session.scalars(select(Structure).where(Structure.kind == StructureKind.ACADEMIE,
                                                               Structure.source == SOURCE)).one()
            set_up_services(session, registry, academie)
            teacher = a_teacher(session)
            login = teacher.login
            session.commit()
        client = logged_in_client(app, login)
        installed = layouts.installed_widgets(registry)
        eight = [{"id": wid, "size": "apercu"} for wid in ("welcome.hello", "messaging.unread",
                                                           *(f"benchwidgets.w{n}" for n in range(1, 7)))]
        assert all(item["id"] in installed for item in eight), sorted(installed)
        print(f"Tableau de bord d'un enseignant ({login}), {args.runs} requêtes par mesure :")
        put_layout(client, [])
        empty = timed_gets(client, ["/"], args.runs)
        put_layout(client, eight)
        page = timed_gets(client, ["/"], args.runs)
        fragments = ["/"] + [f"/portal/widgets/{item['id']}?size=apercu" for item in eight]
        full = timed_gets(client, fragments, max(20, args.runs // 4))
        report("GET / sans widget", empty)
        p50 = report("GET / avec 8 widgets (cadres)", page, TARGETS_MS["dashboard"])
        report("GET / + ses 8 fragments (tout le tableau de bord)", full)
        ratio = sum(empty) / sum(page)
        print(f"  débit avec 8 widgets / sans widget : {ratio:.2f} "
              f"({len(page) / sum(page):.0f} contre {len(empty) / sum(empty):.0f} pages/s ; objectif ≥ 0,50 : "
              f"{'atteint' if ratio >= 0.5 else 'MANQUÉ'})")
        print(f"  requêtes SQL pour GET / avec 8 widgets : {statements_per_request(app, client, '/')}")
        html = client.get("/apps").get_data(as_text=True)
        tiles = html.count('<li class="tile')
        print(f"Mes Applis du même enseignant ({tiles} tuiles) :")
        apps = report("GET /apps", timed_gets(client, ["/apps"], args.runs), TARGETS_MS["apps"])
        print(f"  requêtes SQL pour GET /apps : {statements_per_request(app, client, '/apps')} ; résolutions des "
              f"droits : {grant_resolutions_per_request(client, '/apps')} (tableau de bord : "
              f"{grant_resolutions_per_request(client, '/')})")
        app.extensions["preau.engine"].dispose()
    return 0 if p50 > 0 and apps > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
