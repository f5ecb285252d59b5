"""Benchmark of the AAF import (issue 7): the real aaf-2013 set, a synthetic académie, and a re-import.

    python bench/aaf_import.py                                   # aaf-2013 + 100,000 students on SQLite
    python bench/aaf_import.py --students 2000                   # a quick smoke run
    python bench/aaf_import.py --database-url postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench --reset

(a) the complete aaf-2013 set (tests/data/aaf-2013.zip, read as the zip it is), applied into a fresh SQLite
    database (target ≤ 20 s);
(b) a synthetic AAF feed (bench/aaf_synthetic.py: N students, their relatives, teachers, a few hundred
    schools) read and applied into ``--database-url`` (default: a fresh SQLite file; ``--reset`` empties the
    given database first) (target ≤ 5 min for 100,000 students, peak RSS ≤ 1 GiB);
(c) the same feed re-imported: nothing changes; the ratio first / second is printed (target ≥ 3), with and
    without the reading of the XML.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aaf_synthetic import generate  # noqa: E402

from preau.app import create_app  # noqa: E402
from preau.directory.sync import apply_import  # noqa: E402
from preau.migrate import upgrade  # noqa: E402
from preau.testing import reset_database  # noqa: E402
from preau_plugins.aaf.reader import read_aaf  # noqa: E402

AAF_2013 = Path(__file__).resolve().parents[1] / "tests" / "data" / "aaf-2013.zip"  # in the repository, zipped
TARGET_2013, TARGET_SYNTHETIC, TARGET_RATIO, TARGET_RSS_MIB = 20.0, 300.0, 3.0, 1024


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def app_for(url: str, instance: str):
    os.environ.setdefault("PREAU_INSTANCE_DIR", instance)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    return app


def timed_import(app, paths: list[Path]) -> tuple[float, float, object]:
    """(seconds reading, seconds planning + applying + committing, report); the process's CPU seconds are
    kept in ``report.cpu`` (the machine may be shared: CPU time is the steadier figure)."""
    started, cpu = time.perf_counter(), time.process_time()
    feed = read_aaf(paths)
    read = time.perf_counter() - started
    session = app.extensions["preau.sessionmaker"]()
    try:
        started = time.perf_counter()
        report = apply_import(session, feed)
        session.commit()
        report.cpu = time.process_time() - cpu
        return read, time.perf_counter() - started, report
    finally:
        session.close()


def line(label: str, read: float, engine: float, report, target: float | None = None) -> None:
    counts = report.counts
    persons = counts["persons"]
    verdict = ""
    if target is not None:
        verdict = f" (objectif ≤ {target:.0f} s : {'oui' if read + engine <= target else 'NON'})"
    print(f"{label} : {read + engine:.1f} s (lecture {read:.1f} s, annuaire {engine:.1f} s ; "
          f"CPU du processus {report.cpu:.1f} s){verdict}")
    print(f"    personnes créées {persons['created']}, modifiées {persons['updated']}, inchangées "
          f"{persons['unchanged']} ; structures {counts['structures']['created']} créées ; "
          f"problèmes {counts['problems']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--database-url", help="base de la partie (b) ; par défaut un fichier SQLite neuf")
    parser.add_argument("--reset", action="store_true", help="vider la base --database-url avant")
    parser.add_argument("--skip-2013", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preau-bench-aaf-") as tmp:
        if not args.skip_2013:
            app = app_for(f"sqlite:///{tmp}/aaf2013.db", tmp)
            read, engine, report = timed_import(app, [AAF_2013])
            line("(a) aaf-2013 complet, SQLite", read, engine, report, TARGET_2013)
            app.extensions["preau.engine"].dispose()
            del report, app
        folder = Path(tmp) / "feed"
        started = time.perf_counter()
        counts = generate(folder, args.students)
        print(f"Flux synthétique : {', '.join(f'{k} {v}' for k, v in counts.items())} "
              f"({time.perf_counter() - started:.1f} s)")
        url = args.database_url or f"sqlite:///{tmp}/synthetic.db"
        if args.database_url and args.reset:
            reset_database(url)
        app = app_for(url, tmp)
        dialect = app.extensions["preau.engine"].dialect.name
        read1, engine1, report = timed_import(app, [folder])
        target = TARGET_SYNTHETIC if args.students >= 100_000 else None
        line(f"(b) {args.students} élèves, {dialect}", read1, engine1, report, target)
        del report  # the second import must not carry the first one's plan in memory
        read2, engine2, report = timed_import(app, [folder])
        line(f"(c) réimport identique, {dialect}", read2, engine2, report)
        ratio, engine_ratio = (read1 + engine1) / (read2 + engine2), engine1 / max(engine2, 1e-9)
        print(f"ratio premier / second import : {ratio:.1f} (objectif ≥ {TARGET_RATIO:.0f} : "
              f"{'oui' if ratio >= TARGET_RATIO else 'NON'}) ; annuaire seul : {engine_ratio:.1f}")
        peak = rss_mib()
        print(f"pic de mémoire (ru_maxrss) : {peak:.0f} Mio (objectif ≤ {TARGET_RSS_MIB} : "
              f"{'oui' if peak <= TARGET_RSS_MIB else 'NON'})")
        app.extensions["preau.engine"].dispose()


if __name__ == "__main__":
    main()
