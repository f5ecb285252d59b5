"""Benchmark of the communication rules on a synthetic académie (``preau seed``).

    python bench/communication.py                       # 100,000 students, fresh SQLite file
    python bench/communication.py --students 20000
    python bench/communication.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench

Measures, on people picked at random with a fixed seed:
- ``can_communicate`` for pairs the rules allow (a parent and their child's teacher) and refuse (two parents);
- ``visible_users`` with a 3-letter name prefix (taken from real last names of the académie), for a teacher and
  for a parent, first page of 20.
Targets (issue 4): can_communicate p50 ≤ 2 ms; visible_users p50 ≤ 20 ms for a teacher and for a parent.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness import SEEDED_HELP, prepare
from sqlalchemy import select
from sqlalchemy.orm import Session

from preau.app import create_app
from preau.communication.engine import can_communicate, visible_users
from preau.directory.seed import SOURCE
from preau.models import Group, GroupKind, GroupMember, RelativeLink, Role, User
from preau.types import Profile

TARGETS_MS = {"can_communicate": 2.0, "visible_users": 20.0}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def report(label: str, samples: list[float], target: float | None = None) -> None:
    p50, p95 = percentiles(samples)
    verdict = "" if target is None else f"  (objectif p50 ≤ {target:g} ms : {'atteint' if p50 <= target else 'MANQUÉ'})"
    print(f"  {label:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   n={len(samples)}{verdict}")


def sample_users(session: Session, profile: str, count: int, rng: random.Random) -> list[User]:
    ids = list(session.scalars(select(Role.user_id).join(User, User.id == Role.user_id)
                               .where(Role.profile == profile, User.source == SOURCE)))
    return [session.get(User, i) for i in rng.sample(ids, min(count, len(ids)))]


def teacher_of_a_child(session: Session, parent: User) -> int | None:
    child_classes = (select(Group.class_id).join(GroupMember, GroupMember.group_id == Group.id)
                     .join(RelativeLink, RelativeLink.child_id == GroupMember.user_id)
                     .where(RelativeLink.parent_id == parent.id, Group.kind == GroupKind.CLASS))
    return session.scalar(select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id).where(
        Group.class_id.in_(child_classes), Group.profile == Profile.TEACHER).limit(1))



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file); it must be empty")
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        prepare(url, args.students, seeded=args.seeded)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "PRODUCTION": False})
        with app.app_context():
            run(app, args.samples)
    return 0


def run(app, n: int) -> None:
    rng = random.Random(7)
    engine = app.extensions["preau.engine"]
    with Session(engine) as session:
        parents = sample_users(session, Profile.RELATIVE, n, rng)
        teachers = sample_users(session, Profile.TEACHER, n, rng)
        last_names = [u.last_name for u in sample_users(session, Profile.STUDENT, n, rng)]
        prefixes = [name[:3].lower() for name in last_names if len(name) >= 3]
        allowed, refused = [], []
        for i, parent in enumerate(parents):
            teacher_id = teacher_of_a_child(session, parent)
            if teacher_id is None:
                continue
            seconds, ok = timed(can_communicate, session, parent, session.get(User, teacher_id))
            assert ok, f"{parent.login} should reach their child's teacher"
            allowed.append(seconds)
            other = parents[(i + 1) % len(parents)]
            seconds, ok = timed(can_communicate, session, parent, other)
            assert not ok, "a parent must never reach another parent"
            refused.append(seconds)
        print(f"Règles de communication — {engine.dialect.name}")
        report("can_communicate, autorisé (parent → enseignant)", allowed, TARGETS_MS["can_communicate"])
        report("can_communicate, refusé (parent → parent)", refused, TARGETS_MS["can_communicate"])
        for label, people in (("enseignant", teachers), ("parent", parents)):
            samples, found = [], 0
            for person, prefix in zip(people, prefixes, strict=False):
                seconds, page = timed(visible_users, session, person, prefix, limit=20)
                samples.append(seconds)
                found += len(page)
            report(f"visible_users préfixe 3 lettres, {label}", samples, TARGETS_MS["visible_users"])
            print(f"    ({found / max(len(samples), 1):.1f} personnes trouvées par recherche en moyenne)")


if __name__ == "__main__":
    sys.exit(main())
