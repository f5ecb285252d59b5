"""Web or mobile? A small classifier of User-Agent strings, for the connection counters.

"mobile" means a phone or a tablet browser, or a native mobile client (the HTTP libraries of Android and iOS
apps). Everything else, including an empty or missing header, is "web". Known limit: iPadOS Safari asks for
desktop sites by default and sends a macOS User-Agent, so those iPads count as "web".
No library: the rule is one regular expression, tested in tests/test_statistics.py.
"""

from __future__ import annotations

import re

WEB, MOBILE = "web", "mobile"

# "Mobi" covers "Mobile" (Android phones, iPhone Safari, Firefox for Android, Opera Mobi); tablets and
# native clients that do not say "Mobile" are named.
_MOBILE = re.compile(
    r"Mobi|Android|iPhone|iPad|iPod|Windows Phone|BlackBerry|BB10|Opera Mini|IEMobile|webOS|Kindle|Silk/"
    r"|okhttp/|CFNetwork/|Dalvik/|PreauMobile", re.IGNORECASE)


def connection_kind(user_agent: str | None) -> str:
    """``"mobile"`` or ``"web"`` for a User-Agent header (only its first 512 characters are looked at)."""
    return MOBILE if user_agent and _MOBILE.search(user_agent[:512]) else WEB
