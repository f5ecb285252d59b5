"""Platform keys: published at /lti13/jwks.json, rotated by `preau lti rotate-keys`, the old key kept until the
tokens it signed have expired."""

from __future__ import annotations

from datetime import timedelta

import jwt
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from preau.cli import cli
from preau_plugins.lti import keys as keys
from preau_plugins.lti.models import LtiKey

from .lti13_tool import complete_launch, lti_setup, lti_tool  # noqa: F401 - fixtures


def test_jwks_publishes_one_rsa_2048_key_with_a_kid_and_no_private_part(client, db):
    body = client.get("/lti13/jwks.json").get_json()
    [key] = body["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    public = jwt.algorithms.RSAAlgorithm.from_jwk(key)
    assert public.key_size == 2048


def test_rotation_signs_with_the_new_key_and_keeps_the_old_one_until_its_tokens_expire(client, db):
    old = keys.signing_key(db)
    new, _forgotten = keys.rotate(db)
    token = keys.sign(db, {"sub": "x"})
    assert jwt.get_unverified_header(token)["kid"] == new.kid != old.kid
    kids = [k["kid"] for k in client.get("/lti13/jwks.json").get_json()["keys"]]
    assert kids == [old.kid, new.kid]
    old.retired_at -= keys.RETIRED_KEY_GRACE + timedelta(seconds=1)
    db.flush()
    assert [k["kid"] for k in client.get("/lti13/jwks.json").get_json()["keys"]] == [new.kid]
    newest, forgotten = keys.rotate(db)
    assert forgotten == 1 and db.get(LtiKey, old.id) is None
    assert {k.kid for k in keys.published_keys(db)} == {new.kid, newest.kid}


def test_tool_validates_launches_signed_after_a_rotation(lti_setup):  # noqa: F811
    browser = lti_setup.browser(lti_setup.school.teacher)
    assert complete_launch(browser, lti_setup.launch_url()).status_code == 200
    keys.rotate(lti_setup.db)
    lti_setup.db.commit()
    assert complete_launch(browser, lti_setup.launch_url()).status_code == 200, lti_setup.tool.errors
    assert len(lti_setup.tool.launches) == 2


def test_cli_rotate_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'lti.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--db", url], catch_exceptions=False).exit_code == 0
    for _ in range(2):
        result = runner.invoke(cli, ["lti", "rotate-keys", "--db", url], catch_exceptions=False)
        assert result.exit_code == 0 and "Nouvelle clé LTI 1.3" in result.output
    with Session(create_engine(url)) as session:
        rows = session.execute(select(LtiKey.kid, LtiKey.retired_at).order_by(LtiKey.id)).all()
    assert len(rows) == 2 and rows[0].retired_at is not None and rows[1].retired_at is None


def test_purge_forgets_expired_nonces_only(db):
    from preau.models._time import utcnow
    from preau_plugins.lti.lti13 import purge_nonces
    from preau_plugins.lti.models import LtiNonce

    db.add_all([LtiNonce(client_id="c", value="old", expires_at=utcnow() - timedelta(seconds=1)),
                LtiNonce(client_id="c", value="live", expires_at=utcnow() + timedelta(minutes=5))])
    db.flush()
    assert purge_nonces(db) == 1
    assert db.scalars(select(LtiNonce.value)).all() == ["live"]


def test_the_private_key_is_encrypted_in_the_database(client, db):
    from sqlalchemy import text

    client.get("/lti13/jwks.json")
    stored = db.execute(text("SELECT private_pem FROM lti_keys")).scalars().all()
    assert stored and all(value.startswith("fernet:") and "PRIVATE KEY" not in value for value in stored)
    assert "BEGIN PRIVATE KEY" in db.scalars(select(LtiKey)).first().private_pem
