"""A plugin with communication rules, inert unless a test sets its knobs."""

from preau import AppManifest, hookimpl

VETO_LAST_NAMES: set[str] = set()  # recipients with these last names are vetoed
EXTRA_GROUPS: dict[int, list[int]] = {}  # user id → groups they also reach
RAISE = {"on": False}


@hookimpl
def preau_app():
    return AppManifest(id="comm_rules", name="Règles de test", version="1.0", editor="Tests")


@hookimpl
def preau_communication(sender, recipient):
    if RAISE["on"]:
        raise RuntimeError("a failing rule must deny")
    return False if recipient.last_name in VETO_LAST_NAMES else None


@hookimpl
def preau_communication_groups(user):
    return EXTRA_GROUPS.get(user.id)
