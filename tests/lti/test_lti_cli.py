"""The plugin's commands: ``preau lti rotate-keys`` (its own group) and its part of the nightly ``preau purge``
(the ``preau_purge`` hook): used nonces forgotten once expired."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from preau.cli import cli
from preau_plugins.lti.models import LtiKey, LtiNonce, utcnow


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_rotate_keys_then_purge_forgets_the_expired_nonces(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert "lti : 1 révision appliquée : lti_0001" in _run("db", "upgrade", "--db", url).output
    rotated = _run("lti", "rotate-keys", "--db", url)
    assert rotated.exit_code == 0 and "Nouvelle clé LTI 1.3 :" in rotated.output
    engine = create_engine(url)
    with Session(engine) as session:
        assert len(session.scalars(select(LtiKey.kid)).all()) == 1
        session.add_all([LtiNonce(client_id="c", value="old", expires_at=utcnow() - timedelta(seconds=1)),
                         LtiNonce(client_id="c", value="live", expires_at=utcnow() + timedelta(minutes=5))])
        session.commit()
    purged = _run("purge", "--db", url)
    assert purged.exit_code == 0 and "1 nonce(s) LTI 1.3 expiré(s) oublié(s)." in purged.output
    with Session(engine) as session:
        assert session.scalars(select(LtiNonce.value)).all() == ["live"]
    assert "nonce" not in _run("purge", "--db", url).output  # nothing left to forget: nothing said
    engine.dispose()
