"""A plugin whose manifest hook raises."""

from preau import hookimpl


@hookimpl
def preau_app():
    raise RuntimeError("manifest exploded")
