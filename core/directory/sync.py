"""The directory import engine: every directory source (AAF, CSV…) gives a :class:`~preau.directory.feed.Feed`;
the engine plans (dry run, reads only) and applies it (one transaction, the caller commits).

    plan = plan_import(session, feed)        # counts, changes (the readable diff), problems
    report = apply_import(session, feed, actor=user, progress=callback)

Records are matched by ``(source, external_id)``; each applied record leaves a fingerprint so that the next
import of an unchanged record skips it without reading it. Accounts of the structures a feed is complete for
that it no longer holds become "pending deletion" and get their previous state back if they return.
The work is split between :mod:`.sync_plan` (resolution, diff) and :mod:`.sync_apply` (bulk writes).
"""

from __future__ import annotations

from .sync_apply import ImportReport, Progress, apply_import, record_run
from .sync_plan import Change, FeedError, ImportPlan, plan_import

__all__ = ["Change", "FeedError", "ImportPlan", "ImportReport", "Progress", "apply_import", "plan_import",
           "record_run"]
