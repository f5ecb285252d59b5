"""``preau demo`` hands the built directory to each plugin's ``preau_demo_data``, once."""

from __future__ import annotations

from preau.demo import ensure_demo
from tests.fixtures_plugins import recorder


def test_the_demo_gives_plugins_its_directory_to_add_their_sample_content(db):
    recorder.EVENTS.clear()
    assert ensure_demo()
    assert [event for event in recorder.EVENTS if event[0] == "demo"] == [
        ("demo", ("prof.martin", "CM2 A", "parent.colin"))]
    assert not ensure_demo()  # already built: not called again
    assert len([event for event in recorder.EVENTS if event[0] == "demo"]) == 1
