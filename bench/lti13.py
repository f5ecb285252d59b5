"""Benchmark of the LTI 1.3 launch (issue 6): login initiation → id_token form, server time.

    python bench/lti13.py                 # 300 launches, fresh SQLite file
    python bench/lti13.py --db postgresql+psycopg://postgres@127.0.0.1:5433/preau_bench
    python bench/lti13.py --smoke         # a handful of launches, to check the script still runs

Through the WSGI application in one process (the Flask test client: server time, no network), for a teacher
who really logged in through the form, each launch is the two requests the browser makes to Préau:
1. ``GET /launch/connector:elea`` → 303 to the tool's OIDC login initiation (the launch is recorded);
2. ``GET /lti13/auth`` with the tool's answer (fresh nonce and state) → the auto-submitted id_token form
   (checks, nonce stored, RS256 signature).
The tool itself is not called (its login initiation only echoes parameters). Target: p50 ≤ 20 ms per launch.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt

from preau.accounts import activate_with_password
from preau.app import create_app
from preau.auth.passwords import hash_password
from preau.db import db_session, make_engine
from preau.directory.classes import create_class
from preau.directory.structures import create_structure
from preau.directory.users import add_role, attach_to_class, create_user
from preau.migrate import upgrade
from preau.models import StructureKind
from preau.portal.services import add_connector, configure_connector
from preau.types import Profile
from preau_plugins.lti.tools import ToolForm, register_tool

TARGET_MS = 20.0
PASSWORD = "Bench-lti13-2026"  # noqa: S105 - a throwaway account of the benchmark database
TOOL = "https://outil.exemple.fr"


def prepare(url: str):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "PRODUCTION": False,
                      "JOBS_INLINE_WORKER": False})
    upgrade(make_engine(url), app.extensions["preau.plugins"])
    with app.app_context():
        session = db_session()
        city = create_structure(session, "Ville du banc", StructureKind.CITY)
        school = create_structure(session, "École du banc", StructureKind.ECOLE, uai="0759999Z", parents=[city])
        school_class = create_class(session, school, "CM1 B")
        teacher = create_user(session, first_name="Bea", last_name="Banc", login="prof.banc")
        activate_with_password(session, teacher, hash_password(PASSWORD))
        add_role(session, teacher, school, Profile.TEACHER)
        attach_to_class(session, teacher, school_class, Profile.TEACHER)
        connector = add_connector(session, school, "elea")
        configure_connector(session, connector, values={"instance": "banc", "client_id": "x", "deployment_id": "y"},
                            secrets={}, profiles=["teacher"], enabled=True,
                            attributes=["login", "first_name", "last_name"])
        register_tool(session, school, ToolForm(
            name="Éléa", launch_key="connector:elea", login_url=f"{TOOL}/login", target_link_uri=f"{TOOL}/launch",
            redirect_uris=[f"{TOOL}/launch"], jwks_url=f"{TOOL}/jwks.json", services=("nrps", "ags")))
        session.commit()
    return app


def logged_in_client(app):
    client = app.test_client()
    token = client.get("/auth/csrf-token").get_json()["csrf_token"]
    response = client.post("/auth/login", data={"login": "prof.banc", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def one_launch(client, steps: list[tuple[float, float]] | None = None) -> str:
    """Both requests of a launch; returns the id_token. ``steps`` receives (initiation, auth) durations."""
    started = time.perf_counter()
    initiation = client.get("/launch/connector:elea")
    initiated = time.perf_counter()
    assert initiation.status_code == 303, initiation.status_code
    init = dict(parse_qsl(urlsplit(initiation.headers["Location"]).query))
    params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
              "client_id": init["client_id"], "redirect_uri": f"{TOOL}/launch", "login_hint": init["login_hint"],
              "lti_message_hint": init["lti_message_hint"], "state": uuid.uuid4().hex, "nonce": uuid.uuid4().hex}
    asked = time.perf_counter()
    page = client.get("/lti13/auth?" + urlencode(params))
    if steps is not None:
        steps.append((initiated - started, time.perf_counter() - asked))
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return re.search(r'name="id_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def check_token(client, token: str) -> None:
    """The id_token verifies against the published JWKS (a benchmark of a broken launch would be worthless)."""
    keys = client.get("/lti13/jwks.json").get_json()["keys"]
    key = next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=jwt.decode(
        token, options={"verify_signature": False})["aud"])
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiResourceLinkRequest"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--launches", type=int, default=300)
    parser.add_argument("--smoke", action="store_true", help="5 launches, no target")
    args = parser.parse_args()
    launches = 5 if args.smoke else args.launches
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'lti13.db'}"
        app = prepare(url)
        client = logged_in_client(app)
        check_token(client, one_launch(client))  # also warms up (first key, templates)
        samples, steps = [], []
        for _ in range(launches):
            started = time.perf_counter()
            one_launch(client, steps)
            samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000
    print(f"Lancements LTI 1.3 (initiation → formulaire id_token), client de test Flask, "
          f"{make_engine(url).dialect.name if args.db else 'sqlite'}")
    print(f"  lancements : {launches}")
    print(f"  p50 {p50:.2f} ms   p95 {p95:.2f} ms   (les deux requêtes, tuile → formulaire id_token)")
    print(f"  dont page de lancement (vers l'initiation de l'outil) p50 "
          f"{statistics.median(s[0] for s in steps) * 1000:.2f} ms, /lti13/auth (→ formulaire id_token) p50 "
          f"{statistics.median(s[1] for s in steps) * 1000:.2f} ms")
    if not args.smoke:
        print(f"  objectif p50 ≤ {TARGET_MS:g} ms : {'atteint' if p50 <= TARGET_MS else 'MANQUÉ'}")


if __name__ == "__main__":
    main()
