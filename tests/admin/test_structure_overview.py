"""The structure page's grouped overview: counts per section computed with COUNT queries (no user loaded),
warnings for accounts not activated and failed imports, and every earlier link still there."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from preau.admin import overview
from preau.directory.classes import create_class, create_group
from preau.directory.lifecycle import transition
from preau.directory.users import add_role, create_user
from preau.models import AccountState, ImportRun
from preau.models._time import utcnow
from preau.types import Profile
from tests.auth_helpers import page


def _newcomer(db, school, first: str) -> None:
    user = create_user(db, first_name=first, last_name="Nouveau")  # inactive until activated
    add_role(db, user, school.structure, Profile.STUDENT)


def _statements(db):
    seen: list[str] = []
    engine = db.get_bind()

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def test_the_overview_counts_with_count_queries_only(app, school, db):
    before = overview.build_overview(db, school.structure, registry=app.extensions["preau.plugins"])
    _newcomer(db, school, "Ana")
    _newcomer(db, school, "Bob")
    transition(db, school.guest, AccountState.BLOCKED, actor=school.admin.id)
    create_class(db, school.structure, "CM1 B")
    create_group(db, school.structure, "Chorale")
    db.add(ImportRun(source="csv", structure_id=school.structure.id, state="failed", started_at=utcnow()))
    db.add(ImportRun(source="csv", structure_id=school.structure.id, state="failed",
                     started_at=utcnow() - timedelta(days=45)))  # too old to be a warning
    db.commit()

    seen, stop = _statements(db)
    try:
        after = overview.build_overview(db, school.structure, registry=app.extensions["preau.plugins"])
    finally:
        stop()
    assert after.users == before.users + 2
    assert after.inactive == before.inactive + 2
    assert after.blocked == before.blocked + 1
    assert after.classes == before.classes + 1
    assert after.groups == before.groups + 1
    assert after.failed_imports == 1 and after.last_import is not None and after.last_import.state == "failed"
    assert after.app_warnings == []
    # No person is loaded: no statement reads users' columns, each count is an aggregate.
    assert not [s for s in seen if "users.login" in s or "users.first_name" in s], seen


def test_the_structure_page_groups_its_links_with_counts_and_warnings(app, school, adml, db):
    _newcomer(db, school, "Ana")
    db.add(ImportRun(source="csv", structure_id=school.structure.id, state="failed", started_at=utcnow()))
    db.commit()
    counts = overview.build_overview(db, school.structure, registry=app.extensions["preau.plugins"])
    text = page(adml.get(f"/admin/structures/{school.structure.id}"))
    for section in ("Comptes et annuaire", "Applications", "Communication", "Sécurité", "Statistiques"):
        assert f"</span> {section}</h3>" in text, section
    assert f"<strong>{counts.users}</strong> comptes" in text
    assert f"<strong>{counts.apps}</strong> application" in text
    inactive = "compte non activé" if counts.inactive == 1 else "comptes non activés"
    assert f"{counts.inactive} {inactive} : envoyez les lettres d'activation." in text
    assert "1 import a échoué ces 30 derniers jours." in text
    assert 'class="section-icon" data-icon="users"' in text and "sprite.svg#users" in text  # drawn from the set
    sid = school.structure.id
    for path in ("users", "groups", "letters", "year-transition", "duplicates", "communication",
                 "services", "apps", "dashboard", "statistics", "imports"):
        assert f'href="/admin/structures/{sid}/{path}"' in text, path
    assert 'href="/admin/locks"' in text
    assert 'href="/admin/charters"' not in text  # the charters are the super administrator's


def test_a_structure_without_warnings_shows_none(school, adml, db):
    for user in (school.teacher, school.student, school.parent, school.staff, school.guest, school.admin):
        if user.state == AccountState.INACTIVE:
            transition(db, user, AccountState.ACTIVE, actor=school.admin.id)
    db.commit()
    text = page(adml.get(f"/admin/structures/{school.structure.id}"))
    assert 'data-warning="inactive"' not in text and 'data-warning="import"' not in text
