"""Benchmark of ``preau seed``: a synthetic académie written through SQLAlchemy Core, against raw sqlite3.

    python bench/seed.py                      # 100,000 students, SQLite, with the raw sqlite3 baseline
    python bench/seed.py --students 20000
    python bench/seed.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench   # no baseline

In one process:
1. a fresh SQLite database gets the schema (the real migrations), then ``seed_academie`` runs and is timed
   (row generation + writing + commit);
2. a second fresh database gets the same schema (same tables, same indexes); the seeder's own row generator
   builds the same rows, and raw ``sqlite3`` ``executemany`` inserts them in one transaction, with the same
   pragmas (those of ``preau.db`` plus the seeder's bulk-load ones); timed the same way;
3. the two databases are compared (same rows, except the random activation codes and the timestamps) and the
   figures printed: rows per table, seconds, rows per second, and the ratio seeder / baseline.

Targets (Préau's kernel issue): ≤ 60 s for 100,000 students on SQLite, ratio ≤ 3×.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from preau.app import create_app
from preau.db import make_engine
from preau.directory.seed import (
    BULK_PRAGMAS,
    ID_TABLES,
    TABLES,
    Existing,
    plan_academie,
    seed_academie,
)
from preau.migrate import upgrade

SECONDS_TARGET = 60.0
RATIO_TARGET = 3.0

# Compared between the two databases: everything but activation codes and timestamps.
COMPARED = {
    "structures": "id, name, kind, uai, external_id, source",
    "structure_links": "parent_id, child_id",
    "classes": "id, structure_id, name, level, external_id, source",
    "groups": "id, structure_id, class_id, kind, profile, name, members_communicate, external_id, source",
    "users": "id, login, first_name, last_name, display_name, birth_date, state, external_id, source, "
             "activation_code IS NOT NULL",
    "roles": "id, user_id, structure_id, profile",
    "user_functions": "id, user_id, structure_id, code",
    "group_members": "group_id, user_id",
    "relatives": "parent_id, child_id",
    "comm_links": "from_group_id, to_group_id",
}


def fmt(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


_APP = None


def migrated_engine(url: str):
    """A fresh engine on ``url`` with the whole schema (kernel and plugins' migrations)."""
    global _APP
    if _APP is None:  # one application per process: it owns the plugin registry used by the migrations
        os.environ.setdefault("PREAU_INSTANCE_DIR", tempfile.mkdtemp(prefix="preau-bench-instance-"))
        _APP = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "PRODUCTION": False})
    engine = make_engine(url)
    upgrade(engine, _APP.extensions["preau.plugins"])
    return engine


def run_seeder(url: str, students: int, seed: int) -> tuple[float, object]:
    engine = migrated_engine(url)
    started = time.perf_counter()
    report = seed_academie(engine, students=students, seed=seed, progress=lambda msg: print("   ", msg))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, report


# -- the raw sqlite3 baseline ------------------------------------------------------------------------------


def _sqlalchemy_datetime(value: datetime) -> str:
    # The text SQLAlchemy stores for a DateTime on SQLite, so both databases hold the same values.
    return value.isoformat(" ", "microseconds")


def raw_connection(path: Path) -> sqlite3.Connection:
    sqlite3.register_adapter(datetime, _sqlalchemy_datetime)
    sqlite3.register_adapter(date, date.isoformat)
    connection = sqlite3.connect(path, isolation_level=None)
    # The pragmas preau.db sets on every connection, then the seeder's bulk-load ones.
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        connection.execute(f"PRAGMA {pragma}")
    for name, value in BULK_PRAGMAS.items():
        connection.execute(f"PRAGMA {name}={value}")
    return connection


def run_baseline(path: Path, students: int, seed: int) -> tuple[float, float, dict[str, int]]:
    migrated_engine(f"sqlite:///{path}").dispose()
    connection = raw_connection(path)
    started = time.perf_counter()
    next_ids = {t: connection.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {t}").fetchone()[0] for t in ID_TABLES}
    existing = Existing(next_ids=next_ids,
                        logins={row[0] for row in connection.execute("SELECT login FROM users")},
                        uais={row[0] for row in connection.execute("SELECT uai FROM structures WHERE uai IS NOT NULL")})
    plan = plan_academie(students, seed, existing=existing)
    planned = time.perf_counter()
    connection.execute("BEGIN")
    for table in TABLES:
        rows = plan.tables[table]
        if not rows:
            continue
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
        connection.executemany(sql, rows)
    connection.execute("COMMIT")
    finished = time.perf_counter()
    connection.close()
    return finished - started, planned - started, plan.counts()


# -- comparison and report ----------------------------------------------------------------------------------


def digest(path: Path) -> dict[str, str]:
    connection = sqlite3.connect(path)
    result = {}
    for table, columns in COMPARED.items():
        h = hashlib.sha256()
        for row in connection.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2"):
            h.update(repr(row).encode())
        result[table] = h.hexdigest()
    connection.close()
    return result


def table_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    counts = {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    connection.close()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", help="seed this database (e.g. PostgreSQL) instead; no baseline then")
    args = parser.parse_args()

    print(f"== preau seed --students {fmt(args.students)} (seed {args.seed})")
    if args.db:
        elapsed, report = run_seeder(args.db, args.students, args.seed)
        print(report.summary())
        print(f"seeder ({report.dialect}) : {elapsed:.2f} s, {fmt(report.rows / elapsed)} lignes/s "
              "(pas de référence brute hors SQLite)")
        return 0

    with tempfile.TemporaryDirectory(prefix="preau-bench-seed-") as tmp:
        seeded_path, raw_path = Path(tmp) / "seeder.db", Path(tmp) / "baseline.db"
        print("-- 1. seeder (SQLAlchemy Core insert() executemany, une transaction)")
        seeder_s, report = run_seeder(f"sqlite:///{seeded_path}", args.students, args.seed)
        print("-- 2. référence : mêmes lignes, mêmes tables et index, sqlite3 executemany brut, une transaction")
        baseline_s, baseline_plan_s, baseline_counts = run_baseline(raw_path, args.students, args.seed)

        counts = table_counts(seeded_path)
        same = counts == table_counts(raw_path) == baseline_counts and digest(seeded_path) == digest(raw_path)
        rows = sum(counts.values())
        print()
        print(f"{'table':<16} {'lignes':>10}")
        for table, count in counts.items():
            print(f"{table:<16} {fmt(count):>10}")
        print(f"{'total':<16} {fmt(rows):>10}")
        print()
        print(f"mêmes lignes dans les deux bases (hors codes d'activation et horodatages) : {'oui' if same else 'NON'}")
        seeder_write = report.write_seconds
        baseline_write = baseline_s - baseline_plan_s
        print(f"seeder     : {seeder_s:6.2f} s  ({fmt(rows / seeder_s)} lignes/s)  "
              f"dont génération {report.plan_seconds:.2f} s, écriture {seeder_write:.2f} s")
        print(f"référence  : {baseline_s:6.2f} s  ({fmt(rows / baseline_s)} lignes/s)  "
              f"dont génération {baseline_plan_s:.2f} s, écriture {baseline_write:.2f} s")
        ratio = seeder_s / baseline_s
        print(f"ratio seeder / référence : {ratio:.2f}×  (écriture seule : {seeder_write / baseline_write:.2f}×)")
        ok_time = seeder_s <= SECONDS_TARGET * args.students / 100_000
        print(f"objectifs : ≤ {SECONDS_TARGET:.0f} s pour 100 000 élèves → {'OK' if ok_time else 'MANQUÉ'} ; "
              f"ratio ≤ {RATIO_TARGET:.0f}× → {'OK' if ratio <= RATIO_TARGET else 'MANQUÉ'}")
        return 0 if same else 1  # timings are reported, not asserted (a loaded machine is no bug)


if __name__ == "__main__":
    sys.exit(main())
