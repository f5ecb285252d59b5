"""Configuration from the environment: the public address fixes the token issuers."""

from preau.config import from_environment


def test_the_public_url_is_the_issuer_of_lti_and_openid_tokens(monkeypatch):
    monkeypatch.setenv("PREAU_PUBLIC_URL", "https://ent.exemple.fr")
    config = from_environment({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert config["LTI13_ISSUER"] == config["OIDC_ISSUER"] == "https://ent.exemple.fr"
    monkeypatch.setenv("PREAU_OIDC_ISSUER", "https://auth.exemple.fr")
    assert from_environment({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})["OIDC_ISSUER"] == "https://auth.exemple.fr"


def test_without_a_public_url_the_issuer_follows_the_request(monkeypatch):
    monkeypatch.delenv("PREAU_PUBLIC_URL", raising=False)
    config = from_environment({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert config["LTI13_ISSUER"] is None and config["OIDC_ISSUER"] is None


def test_data_keys_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PREAU_DATA_KEYS", "k1,k2")
    assert from_environment({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})["DATA_KEYS"] == "k1,k2"
