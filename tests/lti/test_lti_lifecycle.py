"""The plugin's data through the kernel's account lifecycle (preau_user_merged, preau_user_deleted,
preau_export_user_data): scores and placed resources follow a merge, go with a deletion, are in "Mes données"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from preau.directory.users import add_role, create_user
from preau_plugins.lti import preau_export_user_data, preau_user_deleted, preau_user_merged
from preau_plugins.lti.models import LtiLineItem, LtiResourceLink, LtiScore, utcnow
from preau_plugins.lti.tools import ToolForm, register_tool


@pytest.fixture
def graded(db, school):
    tool = register_tool(db, school.structure, ToolForm(
        name="Outil", launch_key="connector:elea", login_url="https://outil.exemple.fr/login",
        target_link_uri="https://outil.exemple.fr/launch", redirect_uris=["https://outil.exemple.fr/launch"],
        jwks_url="https://outil.exemple.fr/jwks"))
    item = LtiLineItem(tool_id=tool.id, class_id=school.school_class.id, label="Fractions", score_maximum=20)
    db.add(item)
    db.flush()
    db.add_all([LtiScore(line_item_id=item.id, user_id=school.student.id, score_given=12, score_maximum=20,
                         activity_progress="Completed", grading_progress="FullyGraded",
                         timestamp=utcnow() - timedelta(days=1)),
                LtiResourceLink(tool_id=tool.id, class_id=school.school_class.id, title="Quiz",
                                created_by=school.teacher.id)])
    db.flush()
    return item


def _scores(db, user_id):
    return db.scalars(select(LtiScore.score_given).where(LtiScore.user_id == user_id)).all()


def test_a_merge_moves_scores_keeping_the_newer_and_the_placed_resources(db, school, graded):
    duplicate = create_user(db, first_name="Emma", last_name="Eleve", login="emma.doublon")
    add_role(db, duplicate, school.structure, "student")
    teacher_duplicate = create_user(db, first_name="Paul", last_name="Prof", login="paul.doublon")
    db.add(LtiScore(line_item_id=graded.id, user_id=duplicate.id, score_given=15, score_maximum=20,
                    activity_progress="Completed", grading_progress="FullyGraded", timestamp=utcnow()))
    db.flush()
    preau_user_merged(school.student, duplicate.id)
    assert _scores(db, school.student.id) == [15] and _scores(db, duplicate.id) == []
    preau_user_merged(teacher_duplicate, school.teacher.id)
    assert db.scalar(select(LtiResourceLink.created_by)) == teacher_duplicate.id


def test_a_deletion_erases_the_scores_and_leaves_the_resources_without_author(db, school, graded):
    preau_user_deleted(school.student.id)
    preau_user_deleted(school.teacher.id)
    assert _scores(db, school.student.id) == []
    assert db.scalar(select(LtiResourceLink.title).where(LtiResourceLink.created_by.is_(None))) == "Quiz"


def test_mes_donnees_holds_the_scores_and_the_placed_resources(db, school, graded):
    exported = preau_export_user_data(school.student)
    assert exported["scores"][0]["activity"] == "Fractions" and exported["scores"][0]["score"] == 12
    assert preau_export_user_data(school.teacher)["resources"][0]["title"] == "Quiz"
    assert preau_export_user_data(school.guest) is None
