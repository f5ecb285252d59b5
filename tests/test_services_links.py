"""Links of the services administration: validated http(s) URLs, targets in the link's own structure, inherited
by child structures, shown in "Mes Applis" to the populations they target only; scoped and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.directory.classes import create_class, create_group
from preau.directory.users import add_to_group, attach_to_class
from preau.models import AuditEvent, ServiceLink, ServiceTarget
from preau.portal.services import ServiceError, add_link, checked_url, services_for, user_tiles
from preau.testing import build_school
from preau.types import Profile


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _titles(db, user, roles=None) -> set[str]:
    return {t.title for t in services_for(db, user, roles)}


BAD_URLS = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>x</script>",
            "/relative/path", "www.exemple.fr", "ftp://exemple.fr/", "https://", "http://exa mple.fr/",
            "https://exemple.fr:99999/", "vbscript:msgbox", "https://\x00exemple.fr/", "", "   "]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_link_url_that_is_not_absolute_http_is_refused(url):
    with pytest.raises(ServiceError):
        checked_url(url)


def test_absolute_http_and_https_urls_are_accepted():
    assert checked_url(" https://www.lumni.fr/ ") == "https://www.lumni.fr/"
    assert checked_url("http://intranet.exemple.fr/a?b=c#d") == "http://intranet.exemple.fr/a?b=c#d"


def test_a_link_reaches_only_the_profiles_it_targets(db, school):
    add_link(db, school.structure, title="Cantine", url="https://cantine.exemple.fr/", theme="Vie scolaire",
             profiles=["relative"])
    assert _titles(db, school.parent) == {"Cantine"}
    assert _titles(db, school.student) == set()
    assert _titles(db, school.teacher) == set()


def test_a_link_of_the_city_is_inherited_by_its_schools_but_not_by_another_city(db, school):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    add_link(db, school.city, title="Médiathèque", url="https://mediatheque.exemple.fr/", theme="Ressources",
             profiles=["student", "teacher"])
    assert _titles(db, school.student) == {"Médiathèque"}
    assert _titles(db, school.teacher) == {"Médiathèque"}
    assert _titles(db, other.student) == set()


def test_a_link_targeting_a_class_reaches_its_members_and_their_parents_only(db, school):
    cm1 = create_class(db, school.structure, "CM1")
    add_link(db, school.structure, title="Blog CM2", url="https://blog.exemple.fr/cm2", theme="Communication",
             class_ids=[school.school_class.id])
    assert _titles(db, school.student) == {"Blog CM2"}
    assert _titles(db, school.teacher) == {"Blog CM2"}
    assert _titles(db, school.parent) == {"Blog CM2"}
    attach_to_class(db, school.student, cm1, Profile.STUDENT)  # in two classes: still reached through CM2 A
    assert _titles(db, school.staff) == set()


def test_a_link_targeting_a_group_reaches_its_members(db, school):
    group = create_group(db, school.structure, "Chorale")
    add_to_group(db, school.staff, group)
    add_link(db, school.structure, title="Partitions", url="https://partitions.exemple.fr/", theme="Outils",
             group_ids=[group.id])
    assert _titles(db, school.staff) == {"Partitions"}
    assert _titles(db, school.teacher) == set()


def test_a_target_group_or_class_of_another_structure_is_refused_and_nothing_is_saved(db, school):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    foreign_group = create_group(db, other.structure, "Club")
    for targets in ({"group_ids": [foreign_group.id]}, {"class_ids": [other.school_class.id]}):
        with pytest.raises(ServiceError, match="n'appartient pas"):
            add_link(db, school.structure, title="X", url="https://x.exemple.fr/", theme="Outils", **targets)
    with pytest.raises(ServiceError, match="n'existe pas"):
        add_link(db, school.structure, title="X", url="https://x.exemple.fr/", theme="Outils", group_ids=[999999])
    assert _count(db, ServiceLink) == 0 and _count(db, ServiceTarget) == 0


def test_a_link_needs_a_title_a_known_theme_and_a_population(db, school):
    base = {"title": "T", "url": "https://t.exemple.fr/", "theme": "Outils", "profiles": ["student"]}
    for change, message in (({"title": " "}, "titre"), ({"theme": "Divers"}, "groupe de menu"),
                            ({"profiles": []}, "au moins un profil"), ({"profiles": ["root"]}, "Profil inconnu"),
                            ({"icon": "<script>"}, "icône dans la liste"), ({"icon": "food"}, "icône dans la liste")):
        with pytest.raises(ServiceError, match=message):
            add_link(db, school.structure, **{**base, **change})
    assert _count(db, ServiceLink) == 0


def test_user_tiles_gives_mes_applis_the_reaching_links_with_keys(db, school):
    link = add_link(db, school.structure, title="Cantine", url="https://cantine.exemple.fr/", theme="Vie scolaire",
                    profiles=["relative"])
    tiles = user_tiles(db, school.parent)
    assert [(t["key"], t["name"], t["url"]) for t in tiles] == [(f"link:{link.id}", "Cantine",
                                                                  "https://cantine.exemple.fr/")]
    assert user_tiles(db, school.student) == []


# -- through the admin pages -----------------------------------------------------------------------------


def _link_form(**overrides):
    return {"title": "Cantine", "url": "https://cantine.exemple.fr/", "theme": "Vie scolaire", "icon": "link",
            "profiles": ["relative"], **overrides}


def test_an_adml_adds_a_link_that_the_parent_sees_in_mes_applis(db, school, login_as):
    client = login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/services/links", _link_form())
    assert response.status_code == 302
    link = db.scalar(select(ServiceLink))
    assert (link.title, link.url, link.profiles) == ("Cantine", "https://cantine.exemple.fr/", ["relative"])
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "services.link_added"))
    assert event.actor_id == school.admin.id and event.structure_id == school.structure.id
    page = client.get(f"/admin/structures/{school.structure.id}/services").get_data(as_text=True)
    assert "Cantine" in page and "https://cantine.exemple.fr/" in page


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "/admin/", "pas une adresse"])
def test_the_admin_page_refuses_a_bad_url_with_a_french_message_and_saves_nothing(db, school, login_as, url):
    client = login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/services/links", _link_form(url=url))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "L&#39;adresse" in page or "L'adresse" in page
    assert _count(db, ServiceLink) == 0


def test_the_admin_page_refuses_a_group_of_another_school(db, school, login_as):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    foreign = create_group(db, other.structure, "Club")
    client = login_as(school.admin)
    response = client.post_form(f"/admin/structures/{school.structure.id}/services/links",
                                _link_form(group_ids=[str(foreign.id)]))
    assert response.status_code == 400 and "appartient pas" in response.get_data(as_text=True)
    assert _count(db, ServiceLink) == 0 and _count(db, ServiceTarget) == 0


def _remove_url(school, link) -> str:
    return f"/admin/structures/{school.structure.id}/services/links/{link.id}/remove"


def test_an_adml_of_another_school_can_neither_see_nor_change_the_links(db, school, login_as):
    other = build_school(db, "École Victor-Hugo", uai="0750002B", city_name="Autre ville")
    link = add_link(db, school.structure, title="Cantine", url="https://cantine.exemple.fr/", theme="Vie scolaire",
                    profiles=["relative"])
    db.commit()
    client = login_as(other.admin)
    assert client.get(f"/admin/structures/{school.structure.id}/services").status_code == 403
    assert client.post_form(f"/admin/structures/{school.structure.id}/services/links",
                            _link_form(title="Piège")).status_code == 403
    assert client.post_form(_remove_url(school, link)).status_code == 403
    # Through their own structure's URL, someone else's link is not found.
    assert client.post_form(_remove_url(other, link)).status_code == 404
    db.expire_all()
    assert [link.title for link in db.scalars(select(ServiceLink))] == ["Cantine"]
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.action == "security.scope_denied",
                                                   AuditEvent.actor_id == other.admin.id)).all()
    assert len(refusals) == 3


def test_an_inherited_link_cannot_be_removed_from_the_child_structure(db, school, login_as):
    link = add_link(db, school.city, title="Ville", url="https://ville.exemple.fr/", theme="Outils",
                    profiles=["relative"])
    db.commit()
    client = login_as(school.admin)
    page = client.get(f"/admin/structures/{school.structure.id}/services").get_data(as_text=True)
    assert "hérité de Ville de Test" in page
    assert client.post_form(_remove_url(school, link)).status_code == 404
    assert _count(db, ServiceLink) == 1


def test_removing_a_link_is_audited_and_hides_it(db, school, login_as):
    link = add_link(db, school.structure, title="Cantine", url="https://cantine.exemple.fr/", theme="Vie scolaire",
                    profiles=["relative"])
    db.commit()
    client = login_as(school.admin)
    assert client.post_form(_remove_url(school, link)).status_code == 302
    assert _count(db, ServiceLink) == 0
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "services.link_removed")) is not None
    assert _titles(db, school.parent) == set()
