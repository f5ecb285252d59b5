"""Outbound limits, held sends, administrators' alerts, suspension and the kill switch of messaging."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select, update

from preau.models import AuditEvent, Role
from preau.testing import run_jobs
from preau_plugins.messaging import safeguards
from preau_plugins.messaging.models import Message, MessageState
from preau_plugins.messaging.moderation_models import ItemKind, ModerationItem, Outbound, Policy
from preau_plugins.messaging.services import MessagingError
from tests.messaging_safety import inbox_of, other_school, send

ADMIN_PAGE = "/apps/messaging/admin/safeguards/{}"


@pytest.fixture
def messaging(school, enable_plugin):
    enable_plugin("messaging", school.structure)
    return school


def _audits(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_default_limits_are_30_for_students_50_for_parents_and_none_for_staff(db, school):
    assert safeguards.effective_limit(db, school.student).hourly_limit == 30
    assert safeguards.effective_limit(db, school.parent).hourly_limit == 50
    assert safeguards.effective_limit(db, school.teacher).hourly_limit is None
    assert safeguards.effective_limit(db, school.staff).hourly_limit is None


def test_sends_within_the_limit_are_delivered_and_counted(db, school):
    safeguards.set_hourly_limit(db, school.admin, school.structure.id, "student", 2)
    message = send(db, school.student, school.teacher, school.staff)
    assert message.state == MessageState.SENT
    assert inbox_of(db, message.id) == {school.teacher.id, school.staff.id}
    assert safeguards.recipients_last_hour(db, school.student.id) == 2


def test_a_send_over_the_hourly_limit_is_held_queued_and_the_administrators_alerted(app, db, school,
                                                                                     smtp_server):
    school.admin.email = "adml.jaures@example.org"
    safeguards.set_hourly_limit(db, school.admin, school.structure.id, "student", 2)
    send(db, school.student, school.teacher, school.staff)
    held = send(db, school.student, school.admin, subject="Menace")

    assert held.state == MessageState.HELD
    assert inbox_of(db, held.id) == set()  # nobody received it
    item = db.scalar(select(ModerationItem).where(ModerationItem.message_id == held.id))
    assert (item.kind, item.structure_id, item.user_id, item.decision) == (
        ItemKind.HELD, school.structure.id, school.student.id, None)
    assert "la limite est de 2 par heure" in item.reason
    assert _audits(db, "messaging.send_held")[0].actor_id == school.student.id
    db.commit()
    run_jobs(app)
    [mail] = smtp_server.messages
    assert mail["To"] == "adml.jaures@example.org"
    assert "retenu pour modération" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert school.student.login in body and f"/apps/messaging/moderation/{school.structure.id}" in body
    # The held send is not counted: the limit counts what was delivered.
    assert safeguards.recipients_last_hour(db, school.student.id) == 2


def test_the_hour_slides(db, school):
    safeguards.set_hourly_limit(db, school.admin, school.structure.id, "student", 2)
    send(db, school.student, school.teacher, school.staff)
    assert send(db, school.student, school.admin).state == MessageState.HELD
    db.execute(update(Outbound).values(at=Outbound.at - timedelta(minutes=61)))
    assert send(db, school.student, school.admin).state == MessageState.SENT


def test_one_message_to_more_people_than_the_limit_is_held_at_once(db, school):
    safeguards.set_hourly_limit(db, school.admin, school.structure.id, "student", 1)
    assert send(db, school.student, school.teacher, school.staff).state == MessageState.HELD
    assert db.scalar(select(func.count()).select_from(Outbound)) == 0


def test_the_nearest_structure_decides_and_zero_means_unlimited(db, school):
    super_admin = school.admin  # the city's limit is set by an administrator of the city
    from preau.directory.users import grant_function
    from preau.models import Function

    grant_function(db, super_admin, Function.ADMIN_LOCAL, school.city)
    safeguards.set_hourly_limit(db, super_admin, school.city.id, "student", 5)
    policy = safeguards.effective_limit(db, school.student)
    assert (policy.hourly_limit, policy.limit_from) == (5, school.city.id)
    safeguards.set_hourly_limit(db, super_admin, school.structure.id, "student", 0)
    policy = safeguards.effective_limit(db, school.student)
    assert (policy.hourly_limit, policy.limit_from) == (None, school.structure.id)
    safeguards.set_hourly_limit(db, super_admin, school.structure.id, "student", None)
    assert safeguards.effective_limit(db, school.student).hourly_limit == 5


def test_a_teacher_who_is_also_a_parent_gets_the_most_permissive_limit(db, school):
    db.add(Role(user_id=school.teacher.id, structure_id=school.structure.id, profile="relative"))
    db.flush()
    db.refresh(school.teacher)
    assert safeguards.effective_limit(db, school.teacher).hourly_limit is None


# -- the kill switch --------------------------------------------------------------------------------------


def test_the_kill_switch_stops_students_with_a_clear_reason_and_is_audited(db, messaging, login_as):
    client = login_as(messaging.admin)
    response = client.post_form(ADMIN_PAGE.format(messaging.structure.id), {"off_student": "on"})
    assert response.status_code == 302
    assert [e.detail["profile"] for e in _audits(db, "messaging.switched_off")] == ["student"]

    reason = safeguards.messaging_blocked_reason(db, messaging.student)
    assert reason == "La messagerie est momentanément coupée pour les élèves de École Jean-Jaurès."
    with pytest.raises(MessagingError) as refused:
        send(db, messaging.student, messaging.teacher)
    assert refused.value.status == 403 and str(refused.value) == reason
    assert db.scalar(select(func.count()).select_from(Message).where(
        Message.sender_id == messaging.student.id)) == 0
    # Teachers still write; students still read.
    assert send(db, messaging.teacher, messaging.student).state == MessageState.SENT
    assert safeguards.messaging_blocked_reason(db, messaging.teacher) is None

    client.post_form(ADMIN_PAGE.format(messaging.structure.id), {})
    assert safeguards.messaging_blocked_reason(db, messaging.student) is None
    assert len(_audits(db, "messaging.switched_on")) == 1


def test_the_compose_page_shows_the_kill_switch_reason(db, messaging, login_as):
    safeguards.set_kill_switch(db, messaging.admin, messaging.structure.id, "student", True)
    db.commit()
    page = login_as(messaging.student).get("/apps/messaging/compose")
    assert "momentanément coupée pour les élèves" in page.get_data(as_text=True)


def test_a_city_kill_switch_covers_its_schools(db, school):
    from preau.directory.users import grant_function
    from preau.models import Function

    grant_function(db, school.admin, Function.ADMIN_LOCAL, school.city)
    safeguards.set_kill_switch(db, school.admin, school.city.id, "relative", True)
    assert "parents de Ville de Test" in safeguards.messaging_blocked_reason(db, school.parent)
    assert safeguards.messaging_blocked_reason(db, school.student) is None


def test_the_safeguards_page_shows_defaults_and_saves_limits(db, messaging, login_as):
    client = login_as(messaging.admin)
    page = client.get(ADMIN_PAGE.format(messaging.structure.id)).get_data(as_text=True)
    assert 'name="limit_student"' in page and "par défaut" in page
    response = client.post_form(ADMIN_PAGE.format(messaging.structure.id),
                                {"limit_student": "10", "limit_teacher": "", "read_receipts": "on"})
    assert response.status_code == 302
    assert safeguards.effective_limit(db, messaging.student).hourly_limit == 10
    assert safeguards.read_receipts_enabled(db, {messaging.structure.id})
    [event] = _audits(db, "messaging.limit_changed")
    assert (event.actor_id, event.detail["new"]) == (messaging.admin.id, 10)


def test_a_bad_limit_is_refused_and_changes_nothing(db, messaging, login_as):
    client = login_as(messaging.admin)
    response = client.post_form(ADMIN_PAGE.format(messaging.structure.id),
                                {"limit_student": "-3", "off_student": "on"})
    assert response.status_code == 400
    assert "nombre entier entre 0 et 100000" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Policy)) == 0


def test_an_adml_cannot_touch_the_safeguards_of_another_school(db, messaging, login_as, enable_plugin):
    other = other_school(db)
    enable_plugin("messaging", other.structure)
    client = login_as(messaging.admin)
    assert client.get(ADMIN_PAGE.format(other.structure.id)).status_code == 403
    response = client.post_form(ADMIN_PAGE.format(other.structure.id), {"off_student": "on", "limit_student": "1"})
    assert response.status_code == 403
    assert "Vous n'administrez pas cette structure" in unescape(response.get_data(as_text=True))
    assert db.scalar(select(func.count()).select_from(Policy)) == 0
    assert safeguards.messaging_blocked_reason(db, other.student) is None
    with pytest.raises(safeguards.SafeguardError):
        safeguards.set_kill_switch(db, messaging.admin, other.structure.id, "student", True)


def test_a_teacher_has_no_safeguards_page(messaging, login_as):
    client = login_as(messaging.teacher)
    assert client.get("/apps/messaging/admin/safeguards/").status_code == 403
    assert client.get(ADMIN_PAGE.format(messaging.structure.id)).status_code == 403


# -- suspension -------------------------------------------------------------------------------------------


def test_one_click_suspension_stops_sending_and_can_be_lifted(db, messaging, login_as):
    client = login_as(messaging.admin)
    url = f"/apps/messaging/moderation/users/{messaging.student.id}/suspend"
    assert client.post_form(url, {"structure_id": messaging.structure.id}).status_code == 302
    assert safeguards.is_suspended(db, messaging.student.id)
    with pytest.raises(MessagingError) as refused:
        send(db, messaging.student, messaging.teacher)
    assert refused.value.status == 403 and "suspendu de la messagerie" in str(refused.value)
    queue = client.get(f"/apps/messaging/moderation/{messaging.structure.id}").get_data(as_text=True)
    assert messaging.student.login in queue

    lift = f"/apps/messaging/moderation/users/{messaging.student.id}/lift"
    assert client.post_form(lift, {"structure_id": messaging.structure.id}).status_code == 302
    assert send(db, messaging.student, messaging.teacher).state == MessageState.SENT
    assert [len(_audits(db, a)) for a in ("messaging.suspended", "messaging.suspension_lifted")] == [1, 1]


def test_a_moderator_cannot_suspend_someone_of_another_school(db, messaging, login_as, enable_plugin):
    other = other_school(db)
    client = login_as(messaging.admin)
    response = client.post_form(f"/apps/messaging/moderation/users/{other.student.id}/suspend")
    assert response.status_code == 403
    assert not safeguards.is_suspended(db, other.student.id)


def test_migration_m0002_builds_exactly_the_tables_of_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from preau.db import Model

    mine = {"messaging_policies", "messaging_structure_options", "messaging_suspensions", "messaging_outbound",
            "messaging_moderation_items", "messaging_delivery_children"}

    def include(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in mine if table else True

    with app.extensions["preau.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include, "compare_type": True})
        assert compare_metadata(context, Model.metadata) == []
        assert mine <= set(connection.dialect.get_table_names(connection))


def test_count_and_record_are_one_critical_section_per_sender(app, db, school, preau_database_url):
    """Another worker checking the same sender waits until this send commits (PostgreSQL advisory lock; on
    SQLite every write request already holds the database's write lock from BEGIN IMMEDIATE)."""
    from sqlalchemy import text

    assert safeguards.screen_send(db, school.student, [school.teacher.id]) == "deliver"
    engine = app.extensions["preau.engine"]
    key = f"preau-messaging-outbound:{school.student.id}"
    if engine.dialect.name == "postgresql":
        with engine.connect() as other:
            query = text("SELECT pg_try_advisory_xact_lock(hashtext(:key))")
            assert other.execute(query, {"key": key}).scalar() is False
            assert other.execute(query, {"key": f"preau-messaging-outbound:{school.teacher.id}"}).scalar() is True
            other.rollback()
        return
    other = engine.raw_connection()  # plain sqlite3: no BEGIN of SQLAlchemy's own
    try:
        other.execute("PRAGMA busy_timeout=50")
        with pytest.raises(Exception, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
