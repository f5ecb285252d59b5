"""``GET /portal/widgets?w=<id>:<size>…``: a dashboard's first load in one request, each widget failing alone."""

from __future__ import annotations


def _batch(client, *tokens: str):
    return client.get("/portal/widgets", query_string=[("w", token) for token in tokens])


def test_one_request_gives_every_widget_and_a_failing_one_fails_alone(school, login_as, enable_plugin):
    enable_plugin("welcome", school.city)
    enable_plugin("failing", school.city)
    client = login_as(school.parent)
    response = _batch(client, "welcome.hello:large", "failing.boom:apercu")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    fragments = response.get_json()
    assert fragments["welcome.hello"]["status"] == 200
    assert "Vos établissements" in fragments["welcome.hello"]["html"]  # the large size, as asked
    assert fragments["failing.boom"]["status"] == 500
    assert "Ce widget n'a pas pu s'afficher" in fragments["failing.boom"]["html"]


def test_a_widget_that_does_not_reach_the_person_is_not_rendered(school, login_as, enable_plugin):
    enable_plugin("welcome", school.city)
    client = login_as(school.parent)
    fragments = _batch(client, "welcome.hello:apercu", "failing.boom:apercu", "nobody.nothing").get_json()
    assert fragments["failing.boom"] == {"status": 404} and fragments["nobody.nothing"] == {"status": 404}
    assert fragments["welcome.hello"]["status"] == 200


def test_an_empty_or_oversized_batch_is_refused(school, login_as):
    client = login_as(school.parent)
    assert _batch(client).status_code == 400
    assert _batch(client, *["welcome.hello:apercu"] * 41).status_code == 400


def test_the_batch_needs_a_session(client):
    response = _batch(client, "welcome.hello:apercu")
    assert response.status_code in (302, 401) and "/auth/login" in response.headers.get("Location", "/auth/login")

