"""Statistics: counted from real requests (logins, activation, app openings, connector launches), read back by
period, profile and structure tree, shown only inside the administrator's scope, exported as safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from preau import statistics
from preau.admin.statistics import PeriodError, parse_query, school_year_start
from preau.directory.structures import create_structure, link_structures
from preau.directory.users import add_role, create_user
from preau.models import StatAppVisit, StatCounter, StatVisitor, StructureKind
from preau.portal.services import add_connector, configure_connector
from preau.testing import build_school
from preau.types import Profile

FIREFOX_DESKTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Mobile Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
IPAD = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6"
SAFARI_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Safari/605.1.15")
EDGE_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/126.0 Safari/537.36 Edg/126.0")


def counters(db, metric: str | None = None) -> dict[tuple, int]:
    query = select(StatCounter.structure_id, StatCounter.profile, StatCounter.metric, StatCounter.key,
                   StatCounter.count)
    if metric:
        query = query.where(StatCounter.metric == metric)
    return {tuple(row[:4]): row[4] for row in db.execute(query)}


def login_with(client, user, user_agent: str):
    response = client.post_form("/auth/login", {"login": user.login, "password": "Mot2passe-test"},
                                headers={"User-Agent": user_agent})
    assert response.status_code == 302, response.status_code
    return client


def today() -> date:
    return statistics.today()


# -- the User-Agent classifier ---------------------------------------------------------------------------


@pytest.mark.parametrize(("agent", "kind"), [
    (FIREFOX_DESKTOP, "web"), (SAFARI_MAC, "web"), (EDGE_WINDOWS, "web"), ("", "web"), (None, "web"),
    (CHROME_ANDROID, "mobile"), (IPHONE, "mobile"), (IPAD, "mobile"),
    ("okhttp/4.12.0", "mobile"), ("PreauMobile/1.2 CFNetwork/1490 Darwin/23.2.0", "mobile"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0", "mobile"),
])
def test_user_agents_are_classified_web_or_mobile(agent, kind):
    assert statistics.connection_kind(agent) == kind


# -- sources ---------------------------------------------------------------------------------------------


def test_a_web_login_and_a_mobile_login_count_as_such_with_one_unique_visitor(db, school, client):
    login_with(client, school.teacher, FIREFOX_DESKTOP)
    client.post_form("/auth/logout")
    login_with(client, school.teacher, CHROME_ANDROID)
    client.post_form("/auth/logout")
    login_with(client, school.teacher, CHROME_ANDROID)
    key = (school.structure.id, "teacher", "connection")
    assert counters(db, "connection") == {(*key, "web"): 1, (*key, "mobile"): 2}
    visitors = db.execute(select(StatVisitor.structure_id, StatVisitor.profile, StatVisitor.user_id)).all()
    assert visitors == [(school.structure.id, "teacher", school.teacher.id)]


def test_a_refused_login_counts_nothing(db, school, client):
    response = client.post_form("/auth/login", {"login": school.teacher.login, "password": "faux"})
    assert response.status_code == 401
    assert counters(db) == {}


def test_a_person_with_roles_in_two_schools_counts_in_each(db, school, client):
    other = create_structure(db, "Collège Voisin", StructureKind.COLLEGE, uai="0750009Z", parents=[school.city])
    add_role(db, school.teacher, other, Profile.TEACHER)
    db.flush()
    login_with(client, school.teacher, FIREFOX_DESKTOP)
    assert counters(db, "connection") == {(school.structure.id, "teacher", "connection", "web"): 1,
                                          (other.id, "teacher", "connection", "web"): 1}
    figures = statistics.summary(db, [school.structure.id, other.id], today(), today())
    assert figures.connections["web"] == 2 and figures.visitors == 1  # one person, counted in both schools


def test_the_cas_login_page_counts_a_connection(db, school, client):
    response = client.post_form("/cas/login", {"login": school.student.login, "password": "Mot2passe-test"},
                                headers={"User-Agent": IPHONE})
    assert response.status_code == 302
    assert counters(db, "connection") == {(school.structure.id, "student", "connection", "mobile"): 1}


def test_an_activation_counts_an_activation_and_a_connection(db, school, client):
    newcomer = create_user(db, first_name="Nina", last_name="Nouvelle", login="nina.nouvelle")
    add_role(db, newcomer, school.structure, Profile.RELATIVE)
    db.flush()
    client.post_form("/auth/activate", {"login": newcomer.login, "code": newcomer.activation_code})
    response = client.post_form("/auth/activate/finish", {
        "password": "Rentree-2025!", "confirm": "Rentree-2025!", "email": "",
        "accept": "J'accepte la charte et j'active mon compte"}, headers={"User-Agent": FIREFOX_DESKTOP})
    assert response.status_code == 302
    assert counters(db) == {(school.structure.id, "relative", "activation", ""): 1,
                            (school.structure.id, "relative", "connection", "web"): 1}


def test_an_app_is_counted_once_per_person_and_day_however_often_it_is_opened(db, school, client,
                                                                              enable_plugin):
    enable_plugin("annuaire", school.city)
    login_with(client, school.teacher, FIREFOX_DESKTOP)
    for _ in range(3):
        assert client.get("/apps/annuaire/").status_code == 200
    assert counters(db, "app") == {(school.structure.id, "teacher", "app", "annuaire"): 1}
    # Another browser session the same day: the database, not the cookie, decides.
    client.post_form("/auth/logout")
    login_with(client, school.teacher, CHROME_ANDROID)
    assert client.get("/apps/annuaire/").status_code == 200
    assert counters(db, "app") == {(school.structure.id, "teacher", "app", "annuaire"): 1}
    assert db.scalar(select(func.count()).select_from(StatAppVisit)) == 1
    # Tomorrow counts again.
    assert statistics.record_app_access(db, school.teacher, "annuaire", today() + timedelta(days=1)) is True
    assert statistics.record_app_access(db, school.teacher, "annuaire", today() + timedelta(days=1)) is False


def test_an_app_the_person_may_not_open_is_not_counted(db, school, client, enable_plugin):
    login_with(client, school.teacher, FIREFOX_DESKTOP)
    assert client.get("/apps/annuaire/").status_code == 403  # not enabled for this school
    assert counters(db, "app") == {}


def test_pages_after_the_first_of_the_day_write_nothing(db, school, client, app):
    login_with(client, school.teacher, FIREFOX_DESKTOP)
    client.get("/")
    statements: list[str] = []
    from sqlalchemy import event

    engine = app.extensions["preau.engine"]

    def collect(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", collect)
    assert not [s for s in statements if "stat_" in s]


def test_a_connector_launch_is_counted_under_its_key(db, school, login_as):
    connector = add_connector(db, school.structure, "lumni")
    configure_connector(db, connector, values={}, secrets={}, profiles=["student"], enabled=True)
    db.flush()
    client = login_as(school.student)
    assert client.get("/launch/connector:lumni").status_code == 303
    assert client.get("/launch/connector:lumni").status_code == 303
    assert counters(db, "connector") == {(school.structure.id, "student", "connector", "connector:lumni"): 2}
    figures = statistics.summary(db, [school.structure.id], today(), today())
    assert figures.connectors == [("connector:lumni", 2)]


# -- queries ---------------------------------------------------------------------------------------------


@pytest.fixture
def history(db, school):
    """Ten days of counters in the school, and one in a school of another city."""
    start = date(2026, 3, 2)  # a Monday
    for offset in range(10):
        day = start + timedelta(days=offset)
        statistics.record_connection(db, school.teacher, FIREFOX_DESKTOP, day)
        statistics.record_connection(db, school.student, IPHONE, day)
        statistics.record_app_access(db, school.student, "annuaire", day)
    statistics.record_activation(db, school.parent, start)
    elsewhere = build_school(db, "École Lointaine", "0750003C", city_name="Ville Ter")
    statistics.record_connection(db, elsewhere.teacher, FIREFOX_DESKTOP, start)
    db.flush()
    return {"start": start, "elsewhere": elsewhere}


def test_summary_filters_by_period_and_profile(db, school, history):
    start, ids = history["start"], [school.structure.id]
    whole = statistics.summary(db, ids, start, start + timedelta(days=9))
    assert (whole.activations, whole.visitors, whole.connections) == (1, 2, {"web": 10, "mobile": 10})
    assert whole.apps == [("annuaire", 10)]
    three_days = statistics.summary(db, ids, start + timedelta(days=2), start + timedelta(days=4))
    assert three_days.connections == {"web": 3, "mobile": 3} and three_days.activations == 0
    students = statistics.summary(db, ids, start, start + timedelta(days=9), profile="student")
    assert (students.visitors, students.connections) == (1, {"web": 0, "mobile": 10})
    before = statistics.summary(db, ids, start - timedelta(days=30), start - timedelta(days=1))
    assert before.empty


def test_series_by_day_week_and_month(db, school, history):
    start, ids = history["start"], [school.structure.id]
    days = statistics.series(db, ids, start, start + timedelta(days=9), step="day")
    assert len(days) == 10 and [d["web"] for d in days] == [1] * 10 and days[0]["activation"] == 1
    weeks = statistics.series(db, ids, start, start + timedelta(days=9), step="week")
    assert [(w["start"], w["web"], w["visitors"]) for w in weeks] == [
        (start, 7, 2), (start + timedelta(days=7), 3, 2)]
    months = statistics.series(db, ids, start - timedelta(days=5), start + timedelta(days=9), step="month")
    assert [(m["start"], m["mobile"]) for m in months] == [(date(2026, 2, 1), 0), (date(2026, 3, 1), 10)]


def test_period_parsing_presets_and_bad_input():
    day = date(2026, 11, 23)
    assert parse_query({}, day).start == day - timedelta(days=29)
    assert parse_query({"preset": "7"}, day).start == day - timedelta(days=6)
    assert parse_query({"preset": "year"}, day).start == date(2026, 9, 1)
    assert school_year_start(date(2027, 2, 1)) == date(2026, 9, 1)
    typed = parse_query({"start": "2026-10-01", "end": "2026-10-31", "profile": "teacher"}, day)
    assert (typed.start, typed.end, typed.profile, typed.preset) == (date(2026, 10, 1), date(2026, 10, 31),
                                                                     "teacher", "")
    for bad in ({"start": "2026-10-31", "end": "2026-10-01"}, {"start": "hier", "end": "2026-10-01"},
                {"preset": "999"}, {"profile": "pirate"}, {"start": "2020-01-01", "end": "2026-01-01"}):
        with pytest.raises(PeriodError):
            parse_query(bad, day)


# -- the page --------------------------------------------------------------------------------------------


def page_args(start: date, days: int = 10, **extra) -> dict:
    return {"start": start.isoformat(), "end": (start + timedelta(days=days - 1)).isoformat(), **extra}


def test_the_page_aggregates_a_city_with_its_schools(db, school, history, client):
    city_admin = create_user(db, first_name="Carla", last_name="Ville", login="carla.ville")
    add_role(db, city_admin, school.city, Profile.PERSONNEL)
    from preau.directory.users import grant_function
    from preau.models import Function

    grant_function(db, city_admin, Function.ADMIN_LOCAL, school.city)
    from preau.accounts import activate_with_password
    from preau.testing import _password_hash

    activate_with_password(db, city_admin, _password_hash())
    db.flush()
    login_with(client, city_admin, FIREFOX_DESKTOP)
    response = client.get(f"/admin/structures/{school.city.id}/statistics", query_string=page_args(history["start"]))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-figure="web">10<' in text and 'data-figure="mobile">10<' in text
    assert 'data-figure="visitors">2<' in text and 'data-figure="activations">1<' in text
    assert 'id="chart-series"' in text and 'id="table-series"' in text and 'id="stats-data"' in text
    assert "<script>" not in text  # the CSP forbids inline scripts: only the JSON block and files


def test_the_profile_filter_narrows_the_page(db, school, history, login_as):
    client = login_as(school.admin)
    response = client.get(f"/admin/structures/{school.structure.id}/statistics",
                          query_string=page_args(history["start"], profile="student"))
    text = response.get_data(as_text=True)
    assert 'data-figure="web">0<' in text and 'data-figure="mobile">10<' in text


def test_an_admin_of_another_school_is_refused(db, school, history, login_as):
    other_admin = history["elsewhere"].admin
    client = login_as(other_admin)
    url = f"/admin/structures/{school.structure.id}/statistics"
    assert client.get(url).status_code == 403
    assert client.get(url + ".csv").status_code == 403
    assert client.get(f"/admin/structures/{school.city.id}/statistics").status_code == 403


def test_a_school_admin_does_not_see_the_other_schools_of_a_city(db, school, history, login_as):
    client = login_as(school.admin)
    assert client.get(f"/admin/structures/{school.city.id}/statistics").status_code == 403


def test_a_bad_period_gets_a_french_message(db, school, login_as):
    client = login_as(school.admin)
    response = client.get(f"/admin/structures/{school.structure.id}/statistics",
                          query_string={"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400 and "La date de début doit précéder la date de fin." in response.get_data(
        as_text=True)


def test_the_page_shows_an_empty_state_when_nothing_was_counted(db, school, client):
    # A fresh school, its administrator never logged in before: nothing counted on that period.
    response = login_with(client, school.admin, FIREFOX_DESKTOP).get(
        f"/admin/structures/{school.structure.id}/statistics", query_string=page_args(date(2025, 1, 6)))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Rien n'a encore été compté sur cette période" in text
    assert 'id="chart-series"' not in text


def test_the_structure_page_links_to_its_statistics(db, school, login_as):
    client = login_as(school.admin)
    text = client.get(f"/admin/structures/{school.structure.id}").get_data(as_text=True)
    assert f'href="/admin/structures/{school.structure.id}/statistics"' in text


# -- CSV -------------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))


def test_the_csv_export_has_one_line_per_day_profile_and_metric(db, school, history, login_as):
    client = login_as(school.admin)
    response = client.get(f"/admin/structures/{school.structure.id}/statistics.csv",
                          query_string=page_args(history["start"], days=1))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = read_csv(response)
    day = history["start"].isoformat()
    assert rows[0] == ["Jour", "Profil", "Mesure", "Clé", "Nombre"]
    assert sorted(rows[1:]) == sorted([
        [day, "Enseignant", "connexions", "web", "1"], [day, "Enseignant", "visiteurs uniques", "", "1"],
        [day, "Parent", "activations", "", "1"],
        [day, "Élève", "applications", "annuaire", "1"], [day, "Élève", "connexions", "mobile", "1"],
        [day, "Élève", "visiteurs uniques", "", "1"]])


def test_the_csv_export_disarms_formulas(db, school, login_as):
    statistics.record_connector_launch(db, school.structure.id, "student", "=HYPERLINK(\"http://x\")",
                                       date(2026, 3, 2))
    statistics.record_connector_launch(db, school.structure.id, "student", "@SUM(A1)", date(2026, 3, 2))
    db.flush()
    client = login_as(school.admin)
    rows = read_csv(client.get(f"/admin/structures/{school.structure.id}/statistics.csv",
                               query_string=page_args(date(2026, 3, 2), days=1)))
    keys = sorted(row[3] for row in rows[1:])
    assert keys == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_connector_and_app_counts_reach_the_city_through_the_tree(db, school):
    city = school.city
    region = create_structure(db, "Académie", StructureKind.ACADEMIE)
    link_structures(db, region, city)
    statistics.record_connector_launch(db, school.structure.id, "teacher", "connector:lumni", date(2026, 3, 2))
    db.flush()
    from preau.directory.structures import descendant_ids

    ids = descendant_ids(db, [region.id])
    assert statistics.summary(db, ids, date(2026, 3, 1), date(2026, 3, 31)).connectors == [("connector:lumni", 1)]


def test_overview_gives_the_same_totals_as_summary_in_one_read(db, school, history):
    start, ids = history["start"], [school.structure.id]
    end = start + timedelta(days=9)
    figures, rows = statistics.overview(db, ids, start, end, step="week")
    assert figures == statistics.summary(db, ids, start, end)
    assert rows == statistics.series(db, ids, start, end, step="week")
    assert sum(row["web"] for row in rows) == figures.connections["web"] == 10
