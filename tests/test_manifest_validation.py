"""Values plugins return are validated at load: a bad one quarantines the plugin, never reaches a page."""

import pytest

from preau.types import Connector, ManifestError, MenuItem


def test_menu_items_accept_local_paths_and_http_urls():
    MenuItem("notes.list", "Notes", "/apps/notes/", right="notes.access").validate("notes")
    MenuItem("notes.doc", "Aide", "https://example.org/aide", right="notes.access").validate("notes")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "data:text/html,x", "ftp://x"])
def test_menu_items_refuse_dangerous_urls(url):
    with pytest.raises(ManifestError, match="local path or an http"):
        MenuItem("notes.bad", "Mauvais", url, right="notes.access").validate("notes")


def test_menu_items_must_carry_the_app_prefix():
    with pytest.raises(ManifestError, match="prefixed"):
        MenuItem("other.x", "X", "/x", right="notes.access").validate("notes")


def test_connector_launch_urls_per_profile_must_be_http():
    connector = Connector("avenirs", "Avenir(s)", "link", "https://avenirs.example/", right="notes.access",
                          launch_urls={"student": "javascript:alert(1)"})
    with pytest.raises(ManifestError, match="must be an http"):
        connector.validate("notes")
