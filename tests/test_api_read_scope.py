"""A GET never writes and a ``read`` token never changes data (issue 16, point 4), proved on every endpoint.

The endpoints are not listed by hand: they come from the OpenAPI document (``/api/v1/openapi.json``, each
operation with its ``x-required-scope``), so a new endpoint is checked the day it is added. On the demo académie
(the same data as ``preau demo``: its schools, families, mots, messages, news, homework, grades…), every GET is
called by each kind of person with a token holding all the scopes they may have, and every ``read``-scoped
operation with a read-only token; path parameters are filled with real ids. Around each operation, every table of
the database is snapshotted (row count and a checksum of its rows); any difference fails and names the endpoint.

Left out of the comparison, because they are logs, not data: the audit log (``audit_events``), the statistics
and connection counters (``stat_*``) and the token's own ``last_used_at`` stamp (written at most once a minute by
the authentication, whatever the endpoint).

Before the fix, ``GET /api/v1/carnet/{mot_id}`` signed the mot for a parent: this test names it. The endpoints
still known to write are listed in ``KNOWN_WRITES`` with what they write; the test fails as soon as one of them
stops writing (remove it from the list then), so the list can only shrink.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from preau import Model
from preau.auth import tokens
from preau.demo import ensure_demo
from preau.models import User

LOGS = {"audit_events", "stat_app_visits", "stat_counters", "stat_visitors"}
IGNORED_COLUMNS = {("api_tokens", "last_used_at"), ("api_tokens", "last_used_ip")}
CALLERS = ("admin", "direction", "prof.martin", "prof.bernard", "parent.colin", "eleve.lea", "personnel.durand")
# Which table a path parameter's ids come from; an unknown parameter fails the test (add it here).
PATH_IDS = {"structure_id": "structures", "user_id": "users", "item_id": "actualites_items",
            "mot_id": "carnet_mots", "message_id": "messaging_messages", "homework_id": "cahier_homework",
            "folder_id": "messaging_folders"}
IDS_PER_PARAMETER = 12
# Known to write on a GET, to be fixed by their owners (issue 16, point 4): operation → tables written.
KNOWN_WRITES: dict[str, list[str]] = {}
METHODS = ("get", "post", "put", "patch", "delete")


def snapshot(db) -> dict[str, tuple[int, str]]:
    """Every table but the logs: its row count and a SHA-256 of its rows in primary-key order."""
    db.expire_all()
    state = {}
    for table in Model.metadata.sorted_tables:
        if table.name in LOGS:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in IGNORED_COLUMNS]
        order = list(table.primary_key.columns) or columns
        rows = db.execute(select(*columns).order_by(*order)).all()
        state[table.name] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return state


def _operations(client) -> list[tuple[str, str, dict[str, Any]]]:
    """Each operation of the document, with the parameters declared on its path merged into its own."""
    document = client.get("/api/v1/openapi.json").get_json()
    return [(method, path, {**operation, "parameters": item.get("parameters", []) + operation.get("parameters", [])})
            for path, item in document["paths"].items() for method, operation in item.items() if method in METHODS]


def _urls(db, path: str, operation: dict[str, Any], children: list[int]) -> list[str]:
    """The operation's URL with each real id of its path parameter (and with each child for ``student_id``)."""
    parameters = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
    assert len(parameters) <= 1, f"{path}: several path parameters, extend the test"
    if not parameters:
        urls = [path]
    else:
        name = parameters[0]["name"]
        assert name in PATH_IDS, f"{path}: no ids known for the path parameter {name!r}: add it to PATH_IDS"
        table = Model.metadata.tables[PATH_IDS[name]]
        ids = db.scalars(select(table.c.id).order_by(table.c.id).limit(IDS_PER_PARAMETER)).all()
        assert ids, f"{path}: the demo has no {table.name}"
        urls = [path.replace("{" + name + "}", str(i)) for i in ids]
    assert "{" not in urls[0], f"{path}: a path parameter was not filled"
    if any(p.get("name") == "student_id" and p.get("in") == "query" for p in operation.get("parameters", [])):
        urls += [f"{url}?student_id={child}" for url in urls for child in children]
    return urls


@pytest.fixture
def demo(db):
    ensure_demo()
    return {login: db.scalars(select(User).where(User.login == login)).one() for login in CALLERS}


def _headers(db, user, scopes) -> dict[str, str]:
    plaintext, _token = tokens.create_token(db, user, "Lecture", scopes)
    db.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def test_no_get_and_no_read_scoped_operation_changes_the_database(client, db, demo):
    callers = []
    for user in demo.values():
        callers.append((user, _headers(db, user, ["read"]), "read"))
        callers.append((user, _headers(db, user, list(tokens.allowed_scopes(user))), "all"))
    children = list(db.scalars(select(User.id).where(User.login.in_(["eleve.lea", "eleve.tom"]))))
    calls = answered = 0
    writes: dict[str, list[str]] = {}
    for method, path, operation in _operations(client):
        scope = operation.get("x-required-scope")
        if method != "get" and scope != "read":
            continue
        urls = _urls(db, path, operation, children)
        before = snapshot(db)
        for user, headers, kind in callers:
            if method != "get" and kind != "read":
                continue  # a read-scoped change... would be a bug of its own: tried with the read token only
            for url in urls:
                response = client.open(url, method=method.upper(), headers=headers,
                                       json={} if method != "get" else None)
                calls += 1
                answered += response.status_code == 200
                assert response.status_code < 500, f"{method.upper()} {url} as {user.login}: {response.status}"
        after = snapshot(db)
        changed = sorted(name for name in before if before[name] != after[name])
        if changed:
            writes[f"{method.upper()} {path}"] = changed
    assert writes == KNOWN_WRITES, f"operations that wrote (only {sorted(KNOWN_WRITES)} are known): {writes}"
    # The check means something only if the endpoints answered with data, not only refusals.
    assert calls > 300 and answered > calls // 3, (calls, answered)
