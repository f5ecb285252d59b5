"""Error pages say what went wrong in the person's language and never run text they did not write."""

from html import unescape

from flask import render_template


def test_an_error_message_is_escaped_even_when_it_comes_from_input(app):
    with app.test_request_context("/"):
        html = render_template("error.html", code=409, message='<script>alert("x")</script> « Club »')
    assert "<script>" not in html and "&lt;script&gt;" in html and "« Club »" in html


def test_a_missing_page_answers_in_french_then_in_english(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Cette page n'existe pas ou ne vous est pas accessible." in unescape(response.get_data(as_text=True))
    client.set_cookie("preau_lang", "en")
    response = client.get("/no/such/page")
    page = unescape(response.get_data(as_text=True))
    assert "Cette page n'existe pas" not in page and "does not exist" in page
