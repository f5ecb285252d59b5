"""The « Messages non lus » block: an empty inbox says so in plain HTML (not markup shown as text)."""

from __future__ import annotations


def test_an_empty_inbox_shows_the_empty_state_as_html(school, login_as, enable_plugin):
    enable_plugin("messaging", school.structure)
    html = login_as(school.student).get("/portal/widgets/messaging.unread").get_data(as_text=True)
    assert "<p>Aucun message non lu.</p>" in html and '<a href="/apps/messaging/">' in html
    assert "&lt;p&gt;" not in html
