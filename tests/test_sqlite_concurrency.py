"""Two workers that read then write on one SQLite file never get "database is locked"."""

import threading

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from preau.db import make_engine
from preau.migrate import upgrade
from preau.models import AuditEvent


def test_read_then_write_transactions_queue_instead_of_failing(app, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    upgrade(engine, app.extensions["preau.plugins"])
    errors: list[Exception] = []

    def worker(name: str) -> None:
        for i in range(40):
            try:
                with Session(engine) as session:
                    count = session.scalar(select(func.count()).select_from(AuditEvent))
                    session.execute(insert(AuditEvent).values(action=f"{name}.{i}", detail={"seen": count}))
                    session.commit()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 120
    assert errors == []
    engine.dispose()


def test_a_read_only_request_that_audits_after_another_workers_commit_does_not_fail(app, tmp_path):
    from preau import db as preau_db
    from preau.audit import record

    engine = make_engine(f"sqlite:///{tmp_path / 'get.db'}")
    upgrade(engine, app.extensions["preau.plugins"])
    token = preau_db._write_intent.set(False)  # as in a GET request
    try:
        with Session(engine) as request_session:
            request_session.scalar(select(func.count()).select_from(AuditEvent))  # the GET reads…
            with engine.begin() as other_worker:  # …another worker commits meanwhile…
                other_worker.execute(insert(AuditEvent).values(action="other", detail={}))
            record(request_session, "security.scope_denied", reason="test")  # …then the GET audits a refusal
            request_session.commit()
    finally:
        preau_db._write_intent.reset(token)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 2
    engine.dispose()
