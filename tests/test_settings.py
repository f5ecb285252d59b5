"""Settings are looked up profile → structure → platform, with the declared default last."""

import pytest

from preau.settings import SettingError, get_setting, set_setting


@pytest.fixture
def registry(app):
    return app.extensions["preau.plugins"]


def test_default_when_nothing_is_stored(db, registry, school):
    assert get_setting(db, registry, "recorder", "max_items", structure_id=school.structure.id) == 10


def test_most_specific_value_wins(db, registry, school):
    set_setting(db, registry, "recorder", "max_items", 20)
    set_setting(db, registry, "recorder", "max_items", 30, structure_id=school.structure.id)
    set_setting(db, registry, "recorder", "max_items", 40, structure_id=school.structure.id, profile="teacher")
    sid = school.structure.id
    assert get_setting(db, registry, "recorder", "max_items") == 20
    assert get_setting(db, registry, "recorder", "max_items", structure_id=sid) == 30
    assert get_setting(db, registry, "recorder", "max_items", structure_id=sid, profile="student") == 30
    assert get_setting(db, registry, "recorder", "max_items", structure_id=sid, profile="teacher") == 40
    assert get_setting(db, registry, "recorder", "max_items", structure_id=school.city.id) == 20


def test_a_city_value_reaches_its_schools(db, registry, school):
    set_setting(db, registry, "recorder", "max_items", 50, structure_id=school.city.id)
    assert get_setting(db, registry, "recorder", "max_items", structure_id=school.structure.id) == 50


def test_wrong_type_and_unknown_key_are_refused(db, registry):
    with pytest.raises(SettingError, match="attend une valeur de type int"):
        set_setting(db, registry, "recorder", "max_items", "beaucoup")
    with pytest.raises(SettingError, match="réglage inconnu"):
        get_setting(db, registry, "recorder", "nope")


def test_plugins_read_settings_through_the_public_api(app, db, registry, school):
    import preau

    set_setting(db, registry, "recorder", "max_items", 7, structure_id=school.structure.id)
    assert preau.setting("recorder", "max_items", structure_id=school.structure.id) == 7
    assert preau.setting("recorder", "max_items") == 10
