"""A healthy plugin that records the lifecycle events it receives."""

from preau import AppManifest, hookimpl

EVENTS: list[tuple[str, object]] = []


@hookimpl
def preau_app():
    return AppManifest(id="recorder", name="Enregistreur", version="1.0", editor="Tests")


@hookimpl
def preau_user_created(user):
    EVENTS.append(("created", user.login))


@hookimpl
def preau_user_updated(user, changes):
    EVENTS.append(("updated", (user.login, tuple(sorted(changes)))))


@hookimpl
def preau_user_deleted(user_id):
    from preau import db_session, record_audit

    EVENTS.append(("deleted", user_id))
    record_audit(db_session(), "recorder.half_done", target_id=user_id)  # a write, then a failure
    db_session().flush()
    raise RuntimeError("a failing event hook must not stop the kernel")


@hookimpl
def preau_settings():
    from preau import SettingSpec

    return [SettingSpec("max_items", "Nombre d'éléments affichés", 10, kind="int")]


@hookimpl
def preau_year_transition(structure):
    EVENTS.append(("year_transition", structure.name))


@hookimpl
def preau_export_user_data(user):
    if user.last_name == "Prof":  # one person whose export this plugin cannot give: the archive says so
        raise RuntimeError("export unavailable")
    return {"seen": user.login}


@hookimpl
def preau_demo_data(session, demo):
    EVENTS.append(("demo", (demo.martin.login, demo.cm2a.name, demo.colin.login)))
