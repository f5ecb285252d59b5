"""``preau demo`` hands the built directory to each plugin's ``preau_demo_data``, once."""

from __future__ import annotations

from sqlalchemy import select

from preau.demo import ensure_demo
from tests.fixtures_plugins import recorder


def test_the_demo_gives_plugins_its_directory_to_add_their_sample_content(db):
    recorder.EVENTS.clear()
    assert ensure_demo()
    assert [event for event in recorder.EVENTS if event[0] == "demo"] == [
        ("demo", ("prof.martin", "CM2 A", "parent.colin"))]
    assert not ensure_demo()  # already built: not called again
    assert len([event for event in recorder.EVENTS if event[0] == "demo"]) == 1


def test_the_demo_conversations_and_mediacentre_assignments_come_through_the_plugins_hook(db):
    """The kernel imports no plugin: messaging and the GAR add their sample content from ``preau_demo_data``."""
    from preau_plugins.gar.models import Assignment
    from preau_plugins.messaging.models import Message

    assert ensure_demo()
    subjects = set(db.scalars(select(Message.subject)))
    assert {"Sortie au musée", "Re : Sortie au musée", "Réunion de rentrée", "Conseil des maîtres"} <= subjects
    resources = set(db.scalars(select(Assignment.resource_id)))
    assert {"ark:/99999/DEMO.DICO", "ark:/99999/DEMO.ANGLAIS", "ark:/99999/DEMO.MATHS6"} <= resources
