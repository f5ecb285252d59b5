"""A plugin with communication rules, inert unless a test sets its knobs. It declares no right: it reaches the
senders of the structures where it is enabled."""

from preau import AppManifest, hookimpl

VETO_LAST_NAMES: set[str] = set()  # recipients with these last names are vetoed
EXTRA_GROUPS: dict[int, list[int]] = {}  # user id → groups they also reach
RAISE = {"on": False}
CALLS: list[tuple[int, int]] = []  # (sender id, number of recipients) of each veto call
SEEN: list = []  # the recipients of the last veto call
ANSWER = {"as": "ids"}  # "ids" or "recipients": what the veto returns


@hookimpl
def preau_app():
    return AppManifest(id="comm_rules", name="Règles de test", version="1.0", editor="Tests")


@hookimpl
def preau_communication_vetoes(sender, recipients):
    CALLS.append((sender.id, len(recipients)))
    if RAISE["on"]:
        raise RuntimeError("a failing rule must deny")
    SEEN[:] = [recipients]
    refused = [person for person in recipients if person.last_name in VETO_LAST_NAMES]
    return refused if ANSWER["as"] == "recipients" else [person.id for person in refused]


@hookimpl
def preau_communication_groups(user):
    return EXTRA_GROUPS.get(user.id)
