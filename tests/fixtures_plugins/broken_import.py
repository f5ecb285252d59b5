"""A plugin that cannot even be imported."""

import preau_this_module_does_not_exist  # noqa: F401
