"""Menu items in the permanent bar with a badge: validated placement, and a failing badge shows nothing."""

from __future__ import annotations

import pytest

from preau.app import _menu_badge
from preau.types import ManifestError, MenuItem


def test_placement_must_be_apps_or_bar():
    MenuItem("demo.bar", "Demo", "/apps/demo/", right="demo.access", placement="bar").validate("demo")
    with pytest.raises(ManifestError):
        MenuItem("demo.x", "Demo", "/apps/demo/", right="demo.access", placement="footer").validate("demo")


def test_a_badge_that_raises_shows_nothing_and_is_reported(app):
    registry = app.extensions["preau.plugins"]

    def broken(user):
        raise RuntimeError("boom")

    item = MenuItem("messaging.broken", "X", "/", right="messaging.access", placement="bar", badge=broken)
    assert _menu_badge(registry, item, object()) is None
    record = registry.by_app_id("messaging")
    assert record.runtime_errors[-1].hook == "badge messaging.broken"
    record.runtime_errors.pop()  # the app is shared by the whole session
    counting = MenuItem("messaging.ok", "X", "/", right="messaging.access", placement="bar", badge=lambda u: 3)
    assert _menu_badge(registry, counting, object()) == 3
    assert _menu_badge(registry, MenuItem("messaging.none", "X", "/", right="messaging.access"), object()) is None
