"""Benchmark of the messaging plugin on a synthetic académie (``preau seed``).

    python bench/messaging.py                       # 100,000 students, fresh SQLite file
    python bench/messaging.py --students 20000
    python bench/messaging.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench_msg

Measures, in one process:
1. sending one message to a 1,000-member group through the plugin's ``send`` (rule check, group expansion,
   message, recipients and 1,001 delivery rows, commit), against the same rows inserted with raw SQL
   (DB-API ``executemany``) in the same run — the ratio is printed;
2. the first page of an inbox holding 10,000 messages;
3. a full-text search across those 10,000 messages (SQLite FTS5 / PostgreSQL tsvector).
Targets (issue 4): send ≤ 150 ms; inbox first page p50 ≤ 30 ms; search p50 ≤ 50 ms.
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
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from preau.directory.classes import create_group
from preau.directory.seed import SOURCE
from preau.models import GroupMember, Role, Structure, StructureKind, User
from preau.types import Profile
from preau_plugins.messaging.models import Box, Delivery, Message, MessageState
from preau_plugins.messaging.services.boxes import list_box
from preau_plugins.messaging.services.compose import send
from preau_plugins.messaging.services.search import search

TARGETS_MS = {"send": 150.0, "inbox": 30.0, "search": 50.0}
GROUP_SIZE = 1000
BOX_SIZE = 10_000
WORDS = ("sortie", "piscine", "cantine", "réunion", "parents", "bulletin", "trimestre", "conseil", "classe",
         "musée", "théâtre", "vacances", "devoirs", "cahier", "cartable", "kermesse", "photo", "carnaval",
         "bibliothèque", "gymnase", "absence", "retard", "santé", "vaccin", "inscription", "voyage", "Londres",
         "mathématiques", "histoire", "sciences", "anglais", "allemand", "orchestre", "chorale", "potager")


def ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def report(label: str, samples: list[float], target: float) -> float:
    p50, p95 = ms(samples)
    verdict = "atteint" if p50 <= target else "MANQUÉ"
    print(f"  {label:<46} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   n={len(samples)}"
          f"  (objectif p50 ≤ {target:g} ms : {verdict})")
    return p50



def group_of_a_thousand(session: Session, rng: random.Random) -> tuple[User, int]:
    """A manual group of the académie with 1,000 people and the staff member who writes to it."""
    academie = session.scalars(select(Structure).where(Structure.kind == StructureKind.ACADEMIE,
                                                       Structure.source == SOURCE)).one()
    sender = session.get(User, session.scalar(select(Role.user_id).where(Role.profile == Profile.PERSONNEL)
                                              .order_by(Role.id).limit(1)))
    ids = list(session.scalars(select(User.id).where(User.source == SOURCE, User.id != sender.id)))
    group = create_group(session, academie, "Banc d'essai — 1 000 destinataires")
    members = [sender.id, *rng.sample(ids, GROUP_SIZE)]
    session.execute(insert(GroupMember), [{"group_id": group.id, "user_id": uid} for uid in members])
    session.commit()
    return sender, group.id


def bench_send(app, session: Session, sender: User, group_id: int, runs: int) -> list[float]:
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        message = send(session, sender, subject=f"Information n°{i}", body_html="<p>Réunion <b>jeudi</b>.</p>",
                       fields={"to": [f"g:{group_id}"]})
        session.commit()
        samples.append(time.perf_counter() - started)
        assert message.state == MessageState.SENT, message.state
    delivered = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.message_id == message.id))
    assert delivered == GROUP_SIZE + 1, delivered  # the recipients and the sender's copy in "sent"
    return samples


def bench_raw_send(session: Session, sender: User, group_id: int, runs: int) -> list[float]:
    """The same rows (message, addressed group, 1,001 deliveries) with the DB-API, one transaction each."""
    members = list(session.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group_id,
                                                                     GroupMember.user_id != sender.id)))
    session.commit()
    connection = session.connection().connection.driver_connection
    mark = "?" if session.get_bind().dialect.name == "sqlite" else "%s"
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        cursor = connection.cursor()
        if mark == "?" and connection.in_transaction is False:
            # Préau's SQLite connections run the driver in autocommit mode (the engine issues BEGIN itself):
            # without this BEGIN every row below would be its own transaction.
            cursor.execute("BEGIN")
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        cursor.execute(
            "INSERT INTO messaging_messages (sender_id, sender_name, subject, body_html, body_text, state, "
            f"created_at, updated_at, sent_at) VALUES ({', '.join([mark] * 9)}) RETURNING id",
            (sender.id, sender.display_name, f"Référence n°{i}", "<p>Réunion <b>jeudi</b>.</p>", "Réunion jeudi.",
             "sent", now, now, now))
        message_id = cursor.fetchone()[0]
        cursor.execute(f"UPDATE messaging_messages SET thread_id = {mark} WHERE id = {mark}", (message_id, message_id))
        cursor.execute("INSERT INTO messaging_recipients (message_id, field, group_id, label) "
                       f"VALUES ({mark}, 'to', {mark}, 'Banc d''essai')", (message_id, group_id))
        rows = [(message_id, sender.id, "sent", now, now, False, None)]
        rows += [(message_id, uid, "inbox", now, None, False, group_id) for uid in members]
        cursor.executemany("INSERT INTO messaging_deliveries (message_id, user_id, box, delivered_at, read_at, "
                           f"deleted, via_group_id) VALUES ({', '.join([mark] * 7)})", rows)
        connection.commit()
        samples.append(time.perf_counter() - started)
    return samples


def fill_inbox(session: Session, sender: User, reader: User, rng: random.Random) -> None:
    """10,000 messages to ``reader`` (Core bulk inserts; the FTS index follows through the plugin's schema)."""
    now = time.time()
    messages = []
    for i in range(BOX_SIZE):
        words = rng.sample(WORDS, 12)
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - i * 600))
        messages.append({"sender_id": sender.id, "sender_name": sender.display_name,
                         "subject": " ".join(words[:3]).capitalize(), "body_html": f"<p>{' '.join(words)}</p>",
                         "body_text": " ".join(words), "state": MessageState.SENT.value,
                         "created_at": when, "updated_at": when, "sent_at": when})
    from datetime import datetime
    for row in messages:
        for key in ("created_at", "updated_at", "sent_at"):
            row[key] = datetime.strptime(row[key], "%Y-%m-%d %H:%M:%S")
    first = (session.scalar(select(func.max(Message.id))) or 0) + 1
    session.execute(insert(Message), [{**row, "id": first + i, "thread_id": first + i}
                                      for i, row in enumerate(messages)])
    session.execute(insert(Delivery), [{"message_id": first + i, "user_id": reader.id, "box": Box.INBOX.value,
                                        "delivered_at": row["sent_at"], "deleted": False}
                                       for i, row in enumerate(messages)])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('messaging_messages', 'id'), "
                             "(SELECT max(id) FROM messaging_messages))"))
        session.execute(text("ANALYZE messaging_messages"))
        session.execute(text("ANALYZE messaging_deliveries"))
    session.commit()


def run(app, runs: int, samples: int) -> None:
    rng = random.Random(7)
    engine = app.extensions["preau.engine"]
    with Session(engine) as session:
        sender, group_id = group_of_a_thousand(session, rng)
        print(f"Messagerie — {engine.dialect.name}")
        bench_send(app, session, sender, group_id, 2)  # warm-up
        sent = report("envoi à un groupe de 1 000 (send + commit)", bench_send(app, session, sender, group_id, runs),
                      TARGETS_MS["send"])
        raw_p50, raw_p95 = ms(bench_raw_send(session, sender, group_id, runs))
        print(f"  {'mêmes lignes en SQL brut (executemany)':<46} p50 {raw_p50:8.2f} ms   p95 {raw_p95:8.2f} ms")
        print(f"  ratio envoi / SQL brut : {sent / raw_p50:.2f}×")
        reader = session.get(User, session.scalar(select(Role.user_id).where(Role.profile == Profile.TEACHER)
                                                  .order_by(Role.id.desc()).limit(1)))
        fill_inbox(session, sender, reader, rng)
        in_box = session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.user_id == reader.id, Delivery.box == Box.INBOX.value))
        timings = []
        for _ in range(samples):
            started = time.perf_counter()
            page = list_box(session, reader.id, Box.INBOX.value)
            timings.append(time.perf_counter() - started)
        assert len(page.rows) > 0
        report(f"boîte de réception, 1re page ({in_box:,} messages)", timings, TARGETS_MS["inbox"])
        timings, hits = [], 0
        for _ in range(samples):
            query = rng.choice(WORDS)[:5]
            started = time.perf_counter()
            found = search(session, reader.id, query)
            timings.append(time.perf_counter() - started)
            hits += len(found)
        report(f"recherche plein texte ({in_box:,} messages)", timings, TARGETS_MS["search"])
        print(f"    ({hits / samples:.0f} résultats par recherche en moyenne, 50 au plus)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20, help="sends measured")
    parser.add_argument("--samples", type=int, default=200, help="inbox pages and searches measured")
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file); it must be empty")
    parser.add_argument("--seeded", action="store_true", help=SEEDED_HELP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = prepare(url, args.students, seeded=args.seeded)
        with app.test_request_context():
            run(app, args.runs, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
