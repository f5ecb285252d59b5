"""A plugin that declares background job handlers: one well named, one that tries a name it does not own."""

from preau import AppManifest, hookimpl

DONE: list[dict] = []


def _export(session, job):
    DONE.append(dict(job.payload))


@hookimpl
def preau_app():
    return AppManifest(id="jobsplugin", name="Tâches de test", version="1.0", editor="Tests")


@hookimpl
def preau_job_handlers():
    return {"jobsplugin.export": _export, "mail.send": _export, "other.thing": _export}
