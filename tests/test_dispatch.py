"""Hook dispatch goes through pluggy and honours enablement.

A spy plugin (tests/fixtures_plugins/spy.py) records every call of the hooks dispatched per request, per person or
per structure; disabled for one school, or granted to one profile only, it is never called there. A registry of
its own shows hook wrappers, ``tryfirst``/``trylast`` and ``firstresult`` at work.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from preau.account.data_export import request_export
from preau.communication.engine import can_communicate, reachable_members
from preau.directory import year_transition as transition
from preau.directory.structures import link_structures, profile_group
from preau.filestore import default_storage
from preau.models import DataExport
from preau.plugins import KERNEL_WIDE, PluginRegistry
from preau.rights import grant, set_enabled
from preau.testing import build_school, run_jobs
from preau.types import Profile
from tests.fixtures_plugins import spy

JUNE = datetime(2027, 6, 30, 18, 0)


@pytest.fixture
def calls():
    spy.CALLS.clear()
    yield spy.CALLS
    spy.CALLS.clear()


def _touch_every_hook(app, db, client, login_as, senders, structures) -> None:
    """Do, for each person, what calls the spy's hooks: the dashboard widget, Mes Applis, a message, a search of
    the directory's reach, a data export; and the year transition of each structure."""
    for person, recipient in senders:
        login_as(person)
        client.get("/portal/widgets/spy.board?size=apercu")
        client.get("/portal/widgets?w=spy.board:apercu")
        client.get("/apps")
        client.post_form("/auth/logout")
        can_communicate(db, person, recipient)
        request_export(db, person)
    run_jobs(app)
    for structure in structures:
        transition.apply_transition(db, structure, now=JUNE)


def _tiles(client, login_as, person) -> str:
    """Mes Applis as ``person`` sees it (the page also shows the banners of the plugins that reach them)."""
    login_as(person)
    html = client.get("/apps").get_data(as_text=True)
    client.post_form("/auth/logout")
    return html


def _whose(calls, kind: str) -> set[int]:
    return {who for what, who in calls if what == kind}


def test_a_plugin_disabled_for_one_school_is_never_called_there(app, db, school, client, login_as,
                                                                enable_plugin, calls):
    here, there = school, build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    link_structures(db, here.city, there.structure)  # both schools under the city that enables the spy…
    enable_plugin("spy", here.city)
    set_enabled(db, there.structure, "spy", False)  # …but the neighbour school turned it off
    db.flush()
    assert "Lien espion" in _tiles(client, login_as, here.parent) and "Entrée espion" in _tiles(
        client, login_as, here.parent)
    html = _tiles(client, login_as, there.parent)
    assert "Lien espion" not in html and "Entrée espion" not in html
    _touch_every_hook(app, db, client, login_as, [(here.parent, here.teacher), (there.parent, there.teacher)],
                      [here.structure, there.structure])
    mine, theirs = {here.parent.id}, {there.parent.id}
    for kind in ("widget", "vetoes", "groups", "export", "banner"):
        assert _whose(calls, kind) & mine, f"{kind}: not called where enabled"
        assert not _whose(calls, kind) & theirs, f"{kind}: called in the school that disabled the plugin"
    assert _whose(calls, "year_transition") == {here.structure.id}
    exports = db.scalars(select(DataExport).where(DataExport.user_id.in_(mine | theirs))).all()
    assert {e.user_id: _has_spy_part(e) for e in exports} == {here.parent.id: True, there.parent.id: False}


def test_a_plugin_granted_to_one_profile_is_never_called_for_the_others(app, db, school, client, login_as,
                                                                      calls):
    set_enabled(db, school.structure, "spy", True)  # the administrator's flow: enable, then grant to teachers
    grant(db, "spy.access", school.structure, group=profile_group(db, school.structure.id, Profile.TEACHER))
    db.flush()
    assert "Lien espion" in _tiles(client, login_as, school.teacher)
    assert "Lien espion" not in _tiles(client, login_as, school.parent)
    _touch_every_hook(app, db, client, login_as, [(school.teacher, school.parent), (school.parent, school.teacher)],
                      [school.structure])
    for kind in ("widget", "vetoes", "groups", "export", "banner"):
        assert school.teacher.id in _whose(calls, kind), f"{kind}: not called for the teachers"
        assert school.parent.id not in _whose(calls, kind), f"{kind}: called for a parent"
    assert _whose(calls, "year_transition") == {school.structure.id}  # enabled for the school: a school matter


def test_a_page_shows_the_banners_of_the_plugins_enabled_for_the_person_only(db, school, client, login_as,
                                                                              enable_plugin, calls):
    enable_plugin("spy", school.structure)
    assert 'class="spy-banner"' in _tiles(client, login_as, school.parent)
    other = build_school(db, "École Voisine", "0750002B", city_name="Ville Bis")
    assert 'class="spy-banner"' not in _tiles(client, login_as, other.parent)
    assert _whose(calls, "banner") == {school.parent.id}  # the neighbour's pages never called it
    assert 'class="spy-banner"' not in client.get("/auth/login").get_data(as_text=True)  # nobody logged in


@pytest.mark.parametrize("answer", [RuntimeError("boom"), ["<p>not markup</p>"], "<p>a string</p>"])
def test_a_banner_that_raises_or_is_not_markup_shows_nothing_and_is_reported(app, db, school, client, login_as,
                                                                             enable_plugin, calls, answer):
    enable_plugin("spy", school.structure)
    spy.BANNER[:] = [answer]
    try:
        login_as(school.parent)
        response = client.get("/apps")
    finally:
        spy.BANNER.clear()
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Mes Applis" in html
    assert "spy-banner" not in html and "not markup" not in html and "a string" not in html
    errors = app.extensions["preau.plugins"].by_app_id("spy").runtime_errors
    assert errors and errors[-1].hook == "preau_page_banners"


def test_a_group_send_asks_each_enabled_plugin_once(db, school, enable_plugin, calls):
    enable_plugin("spy", school.structure)
    reachable_members(db, school.staff, profile_group(db, school.structure.id, Profile.TEACHER))
    assert [c for c in calls if c[0] == "vetoes"] == [("vetoes", school.staff.id)]


def _has_spy_part(export: DataExport) -> bool:
    with default_storage().open(export.storage_key) as stored, zipfile.ZipFile(stored) as archive:
        if "spy.json" not in archive.namelist():
            return False
        return json.loads(archive.read("spy.json")) == {"spied": export.user_id}


# -- pluggy's own calling: wrappers, ordering, firstresult ----------------------------------------------------


@pytest.fixture
def ordered():
    """A registry of its own: the built-ins, then three plugins loaded last → plain → first and a wrapper loaded
    after them all."""
    from tests.fixtures_plugins import order_first, order_last, order_plain, order_wrapping

    order_wrapping.SEEN.clear()
    registry = PluginRegistry()
    registry.load(extra=[f"tests.fixtures_plugins.order_{name}" for name in ("last", "plain", "first", "wrapping")])
    for module in (order_first, order_plain, order_last):
        module.MANIFEST_CALLS.clear()
    return SimpleNamespace(registry=registry, seen=order_wrapping.SEEN)


def test_a_hook_wrapper_sees_and_changes_the_metadata_of_plugins_loaded_before_it(ordered):
    record = ordered.registry.records["order_plain"]
    assert record.active, record.error
    assert [right.id for right in record.rights] == ["order_plain.access", "order_plain.wrapped"]
    assert ("preau_rights", ["order_plain.access"]) in ordered.seen
    assert ("preau_rights", ["welcome.access"]) in ordered.seen  # it wraps the built-ins too


def test_a_hook_wrapper_wraps_each_plugins_event_call(ordered):
    results = [(r.app_id, answer) for r, answer in
               ordered.registry.call_each("preau_user_created", apps=KERNEL_WIDE, user=SimpleNamespace(id=1))]
    assert results == [("order_first", "wrapped first"), ("order_plain", "wrapped plain"),
                       ("order_last", "wrapped last")]
    assert ("preau_user_created", ["plain"]) in ordered.seen


def test_one_call_follows_tryfirst_and_trylast_and_the_wrapper_sees_all_answers(ordered):
    answers = ordered.registry.call("preau_user_created", apps=KERNEL_WIDE, user=SimpleNamespace(id=1))
    assert answers == ["wrapped first", "wrapped plain", "wrapped last"]
    assert ordered.seen[-1] == ("preau_user_created", ["first", "plain", "last"])


def test_a_scoped_call_reaches_only_the_given_apps_and_their_wrappers(ordered):
    answers = ordered.registry.call("preau_user_created", apps={"order_plain", "order_last"},
                                    user=SimpleNamespace(id=1))
    assert answers == ["plain", "last"]  # the wrapper's app is not in reach: it does not wrap
    implementers = ordered.registry.implementers("preau_user_created", apps={"order_last", "order_wrapping"})
    assert [r.app_id for r in implementers] == ["order_last"]  # a wrapper is not an implementer
    with pytest.raises(TypeError):
        ordered.registry.call("preau_user_created", apps="order_last", user=None)


def test_a_firstresult_hook_stops_at_the_first_answer(ordered):
    from tests.fixtures_plugins import order_first, order_plain

    manifest = ordered.registry.call("preau_app", apps=KERNEL_WIDE)
    assert manifest.id == "order_first"  # tryfirst, and the first non-None answer wins…
    assert order_first.MANIFEST_CALLS == ["first"] and order_plain.MANIFEST_CALLS == []  # …nobody else asked

