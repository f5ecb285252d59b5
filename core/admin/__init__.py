"""Administration (``/admin``): one blueprint, :data:`bp`, for the whole console.

:mod:`.views` creates it, with the checks every page shares (the administrator's scope); each other module of
this package adds the routes of one page to it. Importing the package assembles the console from :data:`PAGES`.
"""

from __future__ import annotations

from . import (
    accounts,
    apps,
    apps_menu,
    charters,
    communication,
    csv_import,
    dashboard,
    duplicates,
    imports,
    letters,
    locks,
    mfa,
    services,
    statistics,
    views,
    year_transition,
)
from .views import bp

__all__ = ["PAGES", "bp"]

PAGES = (views, accounts, apps, apps_menu, charters, communication, csv_import, dashboard, duplicates, imports,
         letters, locks, mfa, services, statistics, year_transition)
