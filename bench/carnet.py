"""Benchmark of the carnet de liaison: sending a mot to the parents of 300 students (issue 8).

    python bench/carnet.py                          # 20,000 students, fresh SQLite file
    python bench/carnet.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench_carnet

On the ``preau seed`` académie, in one process: the school with the most students gets a teaching group of 300
of its students (bulk insert) taught by one of its teachers; that teacher sends a mot to sign to the group's
parents, through the service function (``send_mot`` + commit) and through the WSGI application (the Flask test
client's ``POST /apps/carnet/nouveau``: server time without the network). Prints p50/p95 and the SQL statements
per send. Target: p50 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from harness import SEEDED_HELP, count_statements, prepare, report
from sqlalchemy import func, insert, select

from preau.auth.passwords import hash_password
from preau.auth.service import accept_charters
from preau.directory.seed import SOURCE
from preau.models import AccountState, Group, GroupKind, GroupMember, Role, Structure, StructureKind, User
from preau.rights import enable_with_defaults
from preau_plugins.carnet.models import Mot, Recipient
from preau_plugins.carnet.services import send_mot

TARGET_MS = 100.0
PASSWORD = "Bench-carnet-2026"  # noqa: S105 - a throwaway account of the benchmark database


def big_school_group(session, size: int) -> tuple[Group, User, int]:
    """A teaching group of up to ``size`` students of the biggest school, with one of its teachers."""
    class_members = (select(Group.structure_id, GroupMember.user_id).join(GroupMember, GroupMember.group_id == Group.id)
                     .where(Group.kind == GroupKind.CLASS, Group.profile == "student").subquery())
    structure_id = session.scalar(select(class_members.c.structure_id).group_by(class_members.c.structure_id)
                                  .order_by(func.count().desc()).limit(1))
    students = session.scalars(select(class_members.c.user_id).where(class_members.c.structure_id == structure_id)
                               .order_by(class_members.c.user_id).limit(size)).all()
    teacher = session.scalar(select(User).join(Role, Role.user_id == User.id)
                             .where(Role.structure_id == structure_id, Role.profile == "teacher").limit(1))
    group = Group(structure_id=structure_id, kind=GroupKind.TEACHING, name="Bench carnet", source="manual")
    session.add(group)
    session.flush()
    session.execute(insert(GroupMember), [{"group_id": group.id, "user_id": uid} for uid in [*students, teacher.id]])
    return group, teacher, len(students)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    parser.add_argument("--recipients", type=int, default=300)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'carnet.db'}"
        app = prepare(url, args.students, seeded=args.seeded)
        engine = app.extensions["preau.engine"]
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            academie = session.scalars(select(Structure).where(Structure.kind == StructureKind.ACADEMIE,
                                                               Structure.source == SOURCE)).one()
            enable_with_defaults(session, app.extensions["preau.plugins"], academie, "carnet")
            group, teacher, size = big_school_group(session, args.recipients)
            teacher.password_hash, teacher.state = hash_password(PASSWORD), AccountState.ACTIVE
            accept_charters(session, teacher)
            session.commit()
            key, teacher_id, login = f"g{group.id}", teacher.id, teacher.login
            print(f"Groupe de {size} élèves, {args.runs} envois par mesure")

            def send_once() -> None:
                author = session.get(User, teacher_id)
                send_mot(session, author, key, "Sortie au musée", "<p>Merci de signer ce mot.</p>",
                         requires_signature=True)
                session.commit()

            send_once()  # warm-up
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                send_once()
                samples.append(time.perf_counter() - started)
            report("envoi d'un mot (fonction de service)", samples, TARGET_MS, width=40)
            print(f"    requêtes SQL par envoi (service) : {count_statements(engine, send_once)}")
            session.close()

        client = app.test_client()
        token = client.get("/auth/csrf-token").get_json()["csrf_token"]
        response = client.post("/auth/login", data={"login": login, "password": PASSWORD, "csrf_token": token})
        if response.status_code != 302:
            raise RuntimeError(f"connexion refusée : HTTP {response.status_code}")
        token = client.get("/auth/csrf-token").get_json()["csrf_token"]  # the login renewed the session
        form = {"cible": key, "titre": "Réunion", "message": "<p>Merci de signer.</p>", "signature": "1",
                "csrf_token": token}

        def post_once() -> None:
            sent = client.post("/apps/carnet/nouveau", data=form)
            if sent.status_code != 303:
                raise RuntimeError(f"POST /apps/carnet/nouveau : HTTP {sent.status_code}")

        post_once()
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            post_once()
            samples.append(time.perf_counter() - started)
        report("envoi d'un mot (POST WSGI)", samples, TARGET_MS, width=40)
        print(f"    requêtes SQL par envoi (POST) : {count_statements(engine, post_once)}")
        with app.app_context():
            from preau.db import db_session

            session = db_session()
            mots = session.scalar(select(func.count()).select_from(Mot))
            rows = session.scalar(select(func.count()).select_from(Recipient))
            print(f"Vérification : {mots} mots, {rows:,} lignes destinataires ({rows // max(mots, 1)} par mot)")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
