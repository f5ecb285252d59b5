"""The design system: tokens in preau.css with AA contrast, the living page /_design (administrators only), and
the component macros importable from any template, a plugin's included."""

from __future__ import annotations

import pytest
from flask import render_template_string

from preau import design
from tests.auth_helpers import page


def test_every_text_colour_token_meets_aa_contrast_on_white():
    tokens = {token.name: token for token in design.colour_tokens()}
    assert {"teacher", "student", "relative", "personnel", "guest"} <= set(tokens)
    weak = {name: round(token.contrast, 2) for name, token in tokens.items() if token.contrast < design.AA_TEXT}
    assert not weak, f"text colours under 4.5:1 on white: {weak}"


def test_the_contrast_ratio_follows_wcag():
    assert design.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert design.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert design.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_the_stylesheet_declares_the_scales():
    values = design.root_properties()
    for step in design.TYPE_SCALE:
        assert f"text-{step}" in values
    for step in design.SPACING:
        assert f"space-{step}" in values
    for name in ("radius", "radius-sm", "shadow-1", "shadow-2", "focus-ring"):
        assert name in values


@pytest.mark.parametrize("who", ["admin", "super"])
def test_administrators_see_the_living_page(school, login_as, db, who):
    from preau.auth.service import set_password
    from preau.directory.users import create_user, grant_function
    from preau.models import Function

    if who == "super":
        user = create_user(db, first_name="Sam", last_name="Super", login="super.design")
        grant_function(db, user, Function.SUPER_ADMIN, None)
        set_password(db, user, school.password)
        user.state = "active"
        db.commit()
    else:
        user = school.admin
    response = login_as(user).get("/_design")
    assert response.status_code == 200
    text = page(response)
    for title in ("Carte", "Tuile", "Tableau", "Ligne de formulaire", "État vide", "Barre d'actions", "Badge"):
        assert f'">{title}</h2>' in text, title
        assert f"<summary>Code : {title}</summary>" in text
    assert "{% from &#34;preau/components.html&#34; import empty_state %}" in response.get_data(as_text=True)
    assert 'class="empty empty-state"' in text and "empty-state__art" in text
    teacher = next(t for t in design.colour_tokens() if t.name == "teacher")
    assert f'<td data-contrast="teacher">{teacher.contrast:.2f}:1' in text
    assert "--text-2xl" in text and "--space-6" in text


def test_a_teacher_is_refused_the_living_page(school, login_as):
    response = login_as(school.teacher).get("/_design")
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get("/_design")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_components_render_from_any_template(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "preau/components.html" import empty_state, badge, card, table_wrap, form_row, toolbar, tile %}'
            '{{ empty_state("Rien ici.") }}{{ badge("Obligatoire", tone="info", icon="lock") }}'
            '{% call card("Titre", id="t") %}corps{% endcall %}')
    assert '<p class="empty-state__message">Rien ici.</p>' in html
    assert 'aria-hidden="true"' in html.split("empty-state__art")[1][:80]  # the illustration is decorative
    assert 'class="badge badge--info"' in html and "<svg" in html.split("badge--info")[1]
    assert '<h2 class="card__title" id="t">Titre</h2>' in html and "corps" in html
    with app.test_request_context():
        escaped = render_template_string('{% from "preau/components.html" import empty_state %}{{ empty_state(m) }}',
                                         m="<b>")
    assert "&lt;b&gt;" in escaped and "<b>" not in escaped


def test_a_plugin_template_imports_the_components(app, school, login_as, enable_plugin):
    """The built-in plugin "cahier" imports empty_state from its own templates (loaded by its blueprint)."""
    enable_plugin("cahier", school.city)
    text = page(login_as(school.student).get("/apps/cahier/"))
    assert 'class="empty empty-state"' in text and "empty-state__art" in text
