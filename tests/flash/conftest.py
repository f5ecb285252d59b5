"""The flash messages' tests run with the app enabled for the small école of ``build_school`` (with its rights'
default grants: every profile reads), as an administrator does on the apps page."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def flash_enabled(request):
    if "school" in request.fixturenames:
        request.getfixturevalue("enable_plugin")("flash", request.getfixturevalue("school").structure)
