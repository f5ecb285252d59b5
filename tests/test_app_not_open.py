"""An installed app that does not reach someone answers 403 with a page saying so and whom to ask (the local
administrators of their own structures, with a link to write to them where the messaging allows it); an app id
that is not installed stays 404; nothing is said of other structures; JSON clients get an RFC 9457 problem."""

from html import unescape

from preau import Profile
from preau.testing import build_school


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_an_app_not_enabled_for_the_school_answers_403_naming_its_local_administrator(school, login_as):
    response = login_as(school.teacher).get("/apps/carnet/")
    page = _page(response)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "« Carnet de liaison » n'est pas ouverte pour vous" in page
    assert f"n'est pas activée pour {school.structure.name}" in page
    assert f"{school.admin.first_name} {school.admin.last_name}" in page
    assert "Lui écrire" not in page  # the messaging is not enabled: the name alone


def test_an_app_enabled_but_not_granted_to_the_profile_says_so(school, login_as, enable_plugin, grant_right):
    enable_plugin("carnet", school.structure, defaults=False)
    grant_right("carnet.access", school.structure, Profile.TEACHER)
    assert login_as(school.teacher).get("/apps/carnet/").status_code == 200
    login_as(school.guest)
    page = _page(response := login_as(school.guest).get("/apps/carnet/"))
    assert response.status_code == 403
    assert "activée dans votre établissement, mais elle n'est ouverte ni à votre profil ni à vos groupes" in page


def test_the_page_links_to_writing_to_the_administrator_when_the_messaging_allows_it(school, login_as,
                                                                                      enable_plugin):
    enable_plugin("messaging", school.structure)
    response = login_as(school.teacher).get("/apps/carnet/")
    page = _page(response)
    assert response.status_code == 403
    assert f'href="/apps/messaging/compose?to=u:{school.admin.id}"' in page.replace("%3A", ":")
    assert "Lui écrire" in page


def test_an_unknown_app_id_stays_404(school, login_as):
    assert login_as(school.teacher).get("/apps/no-such-app/").status_code == 404


def test_the_page_names_no_administrator_of_another_structure(db, school, login_as):
    other = build_school(db, name="Collège Voltaire", uai="0750002B", city_name="Autre ville")
    other.admin.first_name, other.admin.last_name = "Victor", "Voisin"
    db.flush()
    page = _page(login_as(school.teacher).get("/apps/carnet/"))
    assert other.structure.name not in page
    assert f"{other.admin.first_name} {other.admin.last_name}" not in page


def test_json_clients_get_a_problem(school, login_as):
    client = login_as(school.teacher)
    response = client.get("/apps/carnet/", headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["reason"] == "app_not_open" and "Carnet de liaison" in body["detail"]


def test_the_page_in_english(school, login_as, client):
    login_as(school.teacher)
    client.post_form("/lang", {"lang": "en"})
    response = client.get("/apps/carnet/")
    assert response.status_code == 403
    assert 'lang="en"' in response.get_data(as_text=True)[:200]
