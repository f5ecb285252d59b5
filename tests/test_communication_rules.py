"""Administering the rules: changes recorded as versions, "what if" preview, reset and rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from preau.communication.engine import CommunicationError, can_communicate
from preau.communication.rules import (
    RuleChange,
    apply_change,
    current_state,
    preview,
    reset_to_defaults,
    rollback,
    versions,
)
from preau.directory.classes import create_class, create_group
from preau.directory.structures import profile_group
from preau.directory.users import add_to_group, class_group
from preau.models import AuditEvent
from preau.testing import build_school
from preau.types import Profile


def link(db, s, source, target):
    return (profile_group(db, s.structure.id, source).id, profile_group(db, s.structure.id, target).id)


def test_a_change_is_applied_versioned_and_audited(db, school):
    s = school
    parents_to_staff = link(db, s, Profile.RELATIVE, Profile.PERSONNEL)
    assert not can_communicate(db, s.parent, s.staff)
    version = apply_change(db, s.structure, RuleChange(add={parents_to_staff}), actor=s.admin)
    assert can_communicate(db, s.parent, s.staff)
    assert (version.number, version.actor_id, version.action) == (1, s.admin.id, "edit")
    assert version.changes["add"] == [list(parents_to_staff)]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "communication.edit")).one()
    assert (event.actor_id, event.structure_id) == (s.admin.id, s.structure.id)
    # Asking again for what is already there records nothing.
    assert apply_change(db, s.structure, RuleChange(add={parents_to_staff}), actor=s.admin) is None
    assert len(versions(db, s.structure.id)) == 1


def test_members_communicate_switch_and_tous_switch(db, school):
    s = school
    club = create_group(db, s.structure, "Club échecs")
    add_to_group(db, s.parent, club)
    add_to_group(db, s.guest, club)
    assert can_communicate(db, s.parent, s.guest)  # a manual group's members communicate by default
    apply_change(db, s.structure, RuleChange(members={club.id: False}), actor=s.admin)
    assert not can_communicate(db, s.parent, s.guest)
    assert can_communicate(db, s.staff, s.guest)
    tous = profile_group(db, s.structure.id, None)
    apply_change(db, s.structure, RuleChange(remove={link(db, s, Profile.PERSONNEL, Profile.GUEST)}), actor=s.admin)
    assert can_communicate(db, s.staff, s.guest)  # still through "Tous"
    apply_change(db, s.structure, RuleChange(tous=False), actor=s.admin)
    assert not can_communicate(db, s.staff, s.guest)
    assert current_state(db, s.structure.id).tous is False
    assert tous.id in {target for _source, target in current_state(db, s.structure.id).links}  # kept, inert


def test_links_must_reach_the_structure_being_administered(db, school):
    s = school
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    foreign = (profile_group(db, s.structure.id, Profile.RELATIVE).id,
               profile_group(db, other.structure.id, Profile.TEACHER).id)
    with pytest.raises(CommunicationError, match="ne relève pas"):
        apply_change(db, s.structure, RuleChange(add={foreign}), actor=s.admin)
    with pytest.raises(CommunicationError, match="ne relève pas"):
        apply_change(db, s.structure, RuleChange(members={profile_group(db, other.structure.id,
                                                                         Profile.TEACHER).id: False}),
                     actor=s.admin)
    with pytest.raises(CommunicationError, match="inconnu"):
        apply_change(db, s.structure, RuleChange(add={(999_999, 999_998)}), actor=s.admin)
    assert versions(db, s.structure.id) == []


def test_preview_names_who_gains_and_loses_without_saving(db, school):
    s = school
    gained = link(db, s, Profile.RELATIVE, Profile.PERSONNEL)
    lost = link(db, s, Profile.STUDENT, Profile.PERSONNEL)
    before = current_state(db, s.structure.id)
    effects = preview(db, s.structure, RuleChange(add={gained}, remove={lost}))
    assert [(e.gained, e.source.split(" —")[0], e.target.split(" —")[0]) for e in effects] == [
        (True, "Parents", "Personnels"), (False, "Élèves", "Personnels")]
    assert effects[0].source_size == 1 and effects[0].target_size == 2  # one parent, two staff (with the ADML)
    assert current_state(db, s.structure.id) == before
    assert versions(db, s.structure.id) == []


def test_reset_to_defaults_undoes_every_change(db, school):
    s = school
    defaults = current_state(db, s.structure.id)
    parents = profile_group(db, s.structure.id, Profile.RELATIVE).id
    apply_change(db, s.structure, RuleChange(add={link(db, s, Profile.RELATIVE, Profile.PERSONNEL)},
                                             remove={link(db, s, Profile.TEACHER, Profile.STUDENT)},
                                             members={parents: True}, tous=False), actor=s.admin)
    assert current_state(db, s.structure.id) != defaults
    version = reset_to_defaults(db, s.structure, actor=s.admin)
    assert version.action == "reset"
    assert current_state(db, s.structure.id) == defaults


def test_rollback_to_any_version_keeps_the_history(db, school):
    s = school
    start = current_state(db, s.structure.id)
    apply_change(db, s.structure, RuleChange(add={link(db, s, Profile.RELATIVE, Profile.PERSONNEL)}), actor=s.admin)
    after_one = current_state(db, s.structure.id)
    apply_change(db, s.structure, RuleChange(remove={link(db, s, Profile.STUDENT, Profile.PERSONNEL)}, tous=False),
                 actor=s.admin)
    create_class(db, s.structure, "CE1")  # the directory grows meanwhile: its links are not undone
    rollback(db, s.structure, 1, actor=s.admin)
    state = current_state(db, s.structure.id)
    assert state.tous is True and state.links >= after_one.links
    assert [v.number for v in versions(db, s.structure.id)] == [3, 2, 1]
    rollback(db, s.structure, 0, actor=s.admin)
    state = current_state(db, s.structure.id)
    assert start.links <= state.links and len(state.links - start.links) == 2  # the new class's own links
    with pytest.raises(CommunicationError, match="n'existe pas"):
        rollback(db, s.structure, 42, actor=s.admin)


def test_class_groups_are_addressable_by_who_reaches_the_profile_group(db, school):
    from preau.communication.engine import reachable_members, visible_groups
    s = school
    parents = class_group(db, s.school_class, Profile.RELATIVE)
    assert parents in visible_groups(db, s.teacher)
    assert reachable_members(db, s.teacher, parents) == [s.parent.id]
    apply_change(db, s.structure, RuleChange(remove={link(db, s, Profile.TEACHER, Profile.RELATIVE)}), actor=s.admin)
    assert parents not in visible_groups(db, s.teacher)
    with pytest.raises(CommunicationError):
        reachable_members(db, s.teacher, parents)


def test_a_change_prepared_on_an_older_version_is_refused_and_applies_nothing(db, school):
    from preau.communication.rules import StaleRules
    s = school
    apply_change(db, s.structure, RuleChange(tous=False), actor=s.admin, base_version=0)
    before = current_state(db, s.structure.id)
    with pytest.raises(StaleRules):
        apply_change(db, s.structure, RuleChange(add={link(db, s, Profile.RELATIVE, Profile.PERSONNEL)}),
                     actor=s.admin, base_version=0)
    with pytest.raises(StaleRules):
        rollback(db, s.structure, 0, actor=s.admin, base_version=0)
    assert current_state(db, s.structure.id) == before
    assert [v.number for v in versions(db, s.structure.id)] == [1]
