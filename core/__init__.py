"""Préau: the public API for plugins.

Plugins import only from here::

    from preau import hookimpl, AppManifest, Right, Widget, Connector, Profile

Nothing runs at import time; the Flask application is built by :func:`preau.create_app`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    # the plugin contract
    "hookimpl": ("hooks", "hookimpl"),
    "hookspec": ("hooks", "hookspec"),
    "AppManifest": ("types", "AppManifest"),
    "Right": ("types", "Right"),
    "Widget": ("types", "Widget"),
    "Connector": ("types", "Connector"),
    "MenuItem": ("types", "MenuItem"),
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
    "N_": ("types", "N_"),
    # the application and its database
    "create_app": ("app", "create_app"),
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
    # services
    "current_access": ("web", "current_access"),
    "current_user": ("web", "current_user"),
    "current_role": ("web", "current_role"),
    "plugin_hook": ("web", "plugin_hook"),
    "require_right": ("web", "require_right"),
    "render_page": ("web", "render_page"),
    "record_audit": ("audit", "record"),
    "setting": ("settings", "setting"),
    "sanitize_html": ("richtext", "sanitize_html"),
    "html_to_text": ("richtext", "html_to_text"),
    "csv_safe": ("directory.user_list", "csv_safe"),
    "classes_of": ("directory.users", "classes_of"),
    "children_of": ("directory.users", "children_of"),
    "DirectoryError": ("directory.structures", "DirectoryError"),
    # scopes, for plugins with their own administration pages (messaging safeguards)
    "ancestor_distances": ("directory.structures", "ancestor_distances"),
    "administered_structure_ids": ("directory.scopes", "administered_structure_ids"),
    "administered_structures": ("directory.scopes", "administered_structures"),
    "can_administer": ("directory.scopes", "can_administer"),
    "access_for": ("rights", "access_for"),
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

__all__ = ["__version__", *_LAZY]



def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'preau' has no attribute {name!r}") from None
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module_name}"), attribute)
    globals()[name] = value
    return value
