"""Préau: the public API for plugins.

The public surface is exactly two modules: ``preau`` (the names of ``__all__`` below) and ``preau.testing`` (the
pytest plugin and its fixtures). Plugins import only from these::

    from preau import hookimpl, AppManifest, Right, Widget, Connector, Profile

Every other module of the package (``preau.rights``, ``preau.directory``, ``preau.settings``…) is the kernel's
inside and may change without notice; docs/plugins.md ("The public API") lists and documents every public name,
and a test fails when one is missing there. Nothing runs at import time; the Flask application is built by
:func:`preau.create_app`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
API_VERSION = "1.0.0"
"""The version of the plugin API (SemVer), separate from the package's ``__version__``: a manifest's
``requires_preau`` is checked against it. A new public name bumps the minor, a removed or changed one the major
(after a minor release in which it warned, see :func:`preau.deprecated`)."""

_LAZY = {
    # the plugin contract
    "hookimpl": ("hooks", "hookimpl"),
    "AppManifest": ("types", "AppManifest"),
    "Right": ("types", "Right"),
    "Widget": ("types", "Widget"),
    "Connector": ("types", "Connector"),
    "MenuItem": ("types", "MenuItem"),
    "AdminLink": ("types", "AdminLink"),
    "SettingSpec": ("types", "SettingSpec"),
    "DirectorySource": ("types", "DirectorySource"),
    "SourceOption": ("types", "SourceOption"),
    "Feed": ("directory.feed", "Feed"),
    "FeedStructure": ("directory.feed", "FeedStructure"),
    "FeedClass": ("directory.feed", "FeedClass"),
    "FeedGroup": ("directory.feed", "FeedGroup"),
    "FeedSubject": ("directory.feed", "FeedSubject"),
    "FeedPerson": ("directory.feed", "FeedPerson"),
    "FeedProblem": ("directory.feed", "FeedProblem"),
    "Place": ("directory.feed", "Place"),
    "FeedError": ("directory.sync", "FeedError"),
    "open_zip": ("safezip", "open_zip"),
    "is_zip": ("safezip", "is_zip"),
    "ZipRefused": ("safezip", "ZipRefused"),
    "Profile": ("types", "Profile"),
    "PROFILE_LABELS": ("types", "PROFILE_LABELS"),
    "N_": ("types", "N_"),
    "link_plugin": ("link_plugins", "link_plugin"),
    "deprecated": ("deprecation", "deprecated"),
    # the base of every error shown to people (the error page, or an RFC 9457 problem in JSON)
    "PreauError": ("errors", "PreauError"),
    # the application and its database
    "create_app": ("app", "create_app"),
    "cli_app": ("app", "cli_app"),
    "Model": ("db", "Model"),
    "db_session": ("db", "db_session"),
    # models plugins may read
    "User": ("models", "User"),
    "Structure": ("models", "Structure"),
    "SchoolClass": ("models", "SchoolClass"),
    "Group": ("models", "Group"),
    "AccountState": ("models", "AccountState"),
    "GroupKind": ("models", "GroupKind"),
    "GroupMember": ("models", "GroupMember"),
    "RelativeLink": ("models", "RelativeLink"),
    "Function": ("models", "Function"),
    "UserFunction": ("models", "UserFunction"),
    "Role": ("models", "Role"),
    "StructureKind": ("models", "StructureKind"),
    "Job": ("models", "Job"),
    # services
    "current_access": ("web", "current_access"),
    "current_user": ("web", "current_user"),
    "current_role": ("web", "current_role"),
    "require_right": ("web", "require_right"),
    "Access": ("rights", "Access"),
    "access_for": ("web", "access_for"),
    "app_enabled": ("rights", "app_enabled"),
    "record_audit": ("audit", "record"),
    "record_launch": ("statistics", "record_launch"),
    "setting": ("settings", "setting"),
    "set_setting": ("settings", "store_setting"),
    "sanitize_html": ("richtext", "sanitize_html"),
    "html_to_text": ("richtext", "html_to_text"),
    "csv_safe": ("directory.user_list", "csv_safe"),
    # the directory, read as it is (no communication rule applies: see below for those)
    "structures_of": ("directory.users", "structures_of"),
    "people_of": ("directory.users", "people_of"),
    "members_of": ("directory.users", "members_of"),
    "classes_of": ("directory.users", "classes_of"),
    "children_of": ("directory.users", "children_of"),
    "parents_of": ("directory.users", "parents_of"),
    "profile_group": ("directory.structures", "profile_group"),
    "DirectoryError": ("directory.structures", "DirectoryError"),
    # scopes, for plugins with their own administration pages (messaging safeguards)
    "ancestor_distances": ("directory.structures", "ancestor_distances"),
    "administered_structure_ids": ("directory.scopes", "administered_structure_ids"),
    "administered_structures": ("directory.scopes", "administered_structures"),
    "can_administer": ("directory.scopes", "can_administer"),
    "require_admin": ("web", "require_admin"),
    "abort_refused": ("web", "abort_refused"),
    "api_protected": ("api.auth", "protected"),
    "api_abort": ("api.auth", "api_abort"),
    "storage": ("filestore", "default_storage"),
    # one upload validation for every app
    "check_upload": ("uploads", "check_upload"),
    "safe_filename": ("uploads", "safe_filename"),
    "UploadError": ("uploads", "UploadError"),
    "CheckedUpload": ("uploads", "CheckedUpload"),
    "ImageLimits": ("uploads", "ImageLimits"),
    "IMAGE_KINDS": ("uploads", "IMAGE_KINDS"),
    "ALL_KINDS": ("uploads", "ALL_KINDS"),
    # communication rules
    "can_communicate": ("communication.engine", "can_communicate"),
    "filter_reachable": ("communication.engine", "filter_reachable"),
    "visible_users": ("communication.engine", "visible_users"),
    "visible_roles": ("communication.engine", "visible_roles"),
    "visible_groups": ("communication.engine", "visible_groups"),
    "reachable_members": ("communication.engine", "reachable_members"),
    "CommunicationError": ("communication.engine", "CommunicationError"),
    # the directory a person may browse ("Annuaire"), inside the rules
    "search_people": ("communication.annuaire", "search_people"),
    "search_groups": ("communication.annuaire", "search_groups"),
    "visible_classes": ("communication.annuaire", "visible_classes"),
    "user_card": ("communication.annuaire", "user_card"),
    # background jobs and e-mail
    "enqueue_job": ("jobs", "enqueue"),
    "report_progress": ("jobs", "report_progress"),
    "PermanentJobError": ("jobs", "PermanentJobError"),
    "JobCancelled": ("jobs", "JobCancelled"),
    "send_mail": ("mail", "send_mail"),
    # the child a parent selected in the permanent bar: widgets and apps follow it
    "current_child": ("portal.children", "current_child"),
    "student_in_view": ("portal.children", "student_in_view"),
    "DemoDirectory": ("demo", "DemoDirectory"),
}

# Deprecated public names: old name -> (replacement's public name, API version since, API version removing it).
# Each still resolves to its replacement, with a DeprecationWarning; a test fails once API_VERSION reaches the
# removal version, so that the name is removed then.
_DEPRECATED: dict[str, tuple[str, str, str]] = {}

__all__ = ["__version__", "API_VERSION", *_LAZY]



def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        from .deprecation import warn_deprecated

        replacement, since, removal = _DEPRECATED[name]
        warn_deprecated(f"preau.{name}", f"preau.{replacement}", since=since, removal=removal)
        return __getattr__(replacement)  # not cached: every use warns
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'preau' has no attribute {name!r}") from None
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module_name}"), attribute)
    globals()[name] = value
    return value
