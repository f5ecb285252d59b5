"""Hook wrappers of a metadata hook and of an event, for tests/test_dispatch.py's own registry: they see each
answer and change some."""

from preau import AppManifest, Right, hookimpl

SEEN: list[tuple[str, object]] = []  # what the wrappers saw


@hookimpl
def preau_app():
    return AppManifest(id="order_wrapping", name="wrapping", version="1.0", editor="Tests")


@hookimpl(wrapper=True)
def preau_rights():
    batches = yield
    SEEN.append(("preau_rights", [right.id for batch in batches for right in batch]))
    if any(right.id == "order_plain.access" for batch in batches for right in batch):
        return [[*batch, Right("order_plain.wrapped", "Ajouté par le wrapper")] for batch in batches]
    return batches


@hookimpl(wrapper=True)
def preau_user_created(user):
    answers = yield
    SEEN.append(("preau_user_created", list(answers)))
    return [f"wrapped {answer}" for answer in answers]
