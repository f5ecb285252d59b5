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

from typing import TYPE_CHECKING, Any

from .version import API_VERSION, __version__  # documented there

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
    "Recipient": ("types", "Recipient"),
    "Recipients": ("types", "Recipients"),
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
    # the bundled icon set (manifests' icon, the macro icon of "_icons.html")
    "icon_names": ("icons", "icon_names"),
    "deprecated": ("deprecation", "deprecated"),
    # the base of every error shown to people (the error page, or an RFC 9457 problem in JSON)
    "PreauError": ("errors", "PreauError"),
    # the application and its database
    "create_app": ("app", "create_app"),
    "cli_app": ("app", "cli_app"),
    "Model": ("db", "Model"),
    "EncryptedText": ("crypto", "EncryptedText"),
    "db_session": ("db", "db_session"),
    "affected_rows": ("db", "affected_rows"),
    "table_of": ("db", "table_of"),
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
    "enable_app": ("web", "enable_app"),
    "grant_to_profile": ("web", "grant_to_profile"),
    "installed_apps": ("web", "installed_apps"),
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
    "descendant_ids": ("directory.structures", "descendant_ids"),
    "administered_structure_ids": ("directory.scopes", "administered_structure_ids"),
    "administered_structures": ("directory.scopes", "administered_structures"),
    "can_administer": ("directory.scopes", "can_administer"),
    "require_admin": ("web", "require_admin"),
    "abort_refused": ("web", "abort_refused"),
    "client_ip": ("web", "client_ip"),
    "safe_next": ("web", "safe_next"),
    "csrf_exempt": ("extensions", "csrf_exempt"),
    "before_charter": ("extensions", "before_charter"),
    "public_endpoint": ("extensions", "public_endpoint"),
    "at_site_root": ("extensions", "at_site_root"),
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
    "DemoDirectory": ("demo_directory", "DemoDirectory"),
    # connectors a plugin opens (preau_launchers): the launch, what it releases, the page that POSTs it
    "Launch": ("models", "Launch"),
    "released_values": ("portal.launches", "released_values"),
    "autosubmit_page": ("sso.launch", "autosubmit_page"),
    "reachable_launches": ("sso.launch", "reachable_launches_for"),
    "confirm_launch": ("sso.launch", "confirm_launch"),
    "connector_released_attributes": ("sso.launch", "connector_released_attributes"),
    "connector_choices": ("sso.launch", "connector_choices_of"),
}

if TYPE_CHECKING:  # the names above, for type checkers and editors (tests/test_typecheck.py keeps both alike)
    from .api.auth import api_abort as api_abort
    from .api.auth import protected as _api_protected
    from .app import cli_app as cli_app
    from .app import create_app as create_app
    from .audit import record as _record_audit
    from .communication.annuaire import search_groups as search_groups
    from .communication.annuaire import search_people as search_people
    from .communication.annuaire import user_card as user_card
    from .communication.annuaire import visible_classes as visible_classes
    from .communication.engine import CommunicationError as CommunicationError
    from .communication.engine import can_communicate as can_communicate
    from .communication.engine import filter_reachable as filter_reachable
    from .communication.engine import reachable_members as reachable_members
    from .communication.engine import visible_groups as visible_groups
    from .communication.engine import visible_roles as visible_roles
    from .communication.engine import visible_users as visible_users
    from .crypto import EncryptedText as EncryptedText
    from .db import Model as Model
    from .db import affected_rows as affected_rows
    from .db import db_session as db_session
    from .db import table_of as table_of
    from .demo_directory import DemoDirectory as DemoDirectory
    from .deprecation import deprecated as deprecated
    from .directory.feed import Feed as Feed
    from .directory.feed import FeedClass as FeedClass
    from .directory.feed import FeedGroup as FeedGroup
    from .directory.feed import FeedPerson as FeedPerson
    from .directory.feed import FeedProblem as FeedProblem
    from .directory.feed import FeedStructure as FeedStructure
    from .directory.feed import FeedSubject as FeedSubject
    from .directory.feed import Place as Place
    from .directory.scopes import administered_structure_ids as administered_structure_ids
    from .directory.scopes import administered_structures as administered_structures
    from .directory.scopes import can_administer as can_administer
    from .directory.structures import DirectoryError as DirectoryError
    from .directory.structures import ancestor_distances as ancestor_distances
    from .directory.structures import descendant_ids as descendant_ids
    from .directory.structures import profile_group as profile_group
    from .directory.sync import FeedError as FeedError
    from .directory.user_list import csv_safe as csv_safe
    from .directory.users import children_of as children_of
    from .directory.users import classes_of as classes_of
    from .directory.users import members_of as members_of
    from .directory.users import parents_of as parents_of
    from .directory.users import people_of as people_of
    from .directory.users import structures_of as structures_of
    from .errors import PreauError as PreauError
    from .extensions import at_site_root as at_site_root
    from .extensions import before_charter as before_charter
    from .extensions import csrf_exempt as csrf_exempt
    from .extensions import public_endpoint as public_endpoint
    from .filestore import default_storage as _storage
    from .hooks import hookimpl as hookimpl
    from .icons import icon_names as icon_names
    from .jobs import JobCancelled as JobCancelled
    from .jobs import PermanentJobError as PermanentJobError
    from .jobs import enqueue as _enqueue_job
    from .jobs import report_progress as report_progress
    from .link_plugins import link_plugin as link_plugin
    from .mail import send_mail as send_mail
    from .models import AccountState as AccountState
    from .models import Function as Function
    from .models import Group as Group
    from .models import GroupKind as GroupKind
    from .models import GroupMember as GroupMember
    from .models import Job as Job
    from .models import Launch as Launch
    from .models import RelativeLink as RelativeLink
    from .models import Role as Role
    from .models import SchoolClass as SchoolClass
    from .models import Structure as Structure
    from .models import StructureKind as StructureKind
    from .models import User as User
    from .models import UserFunction as UserFunction
    from .portal.children import current_child as current_child
    from .portal.children import student_in_view as student_in_view
    from .portal.launches import released_values as released_values
    from .richtext import html_to_text as html_to_text
    from .richtext import sanitize_html as sanitize_html
    from .rights import Access as Access
    from .rights import app_enabled as app_enabled
    from .safezip import ZipRefused as ZipRefused
    from .safezip import is_zip as is_zip
    from .safezip import open_zip as open_zip
    from .settings import setting as setting
    from .settings import store_setting as _set_setting
    from .sso.launch import autosubmit_page as autosubmit_page
    from .sso.launch import confirm_launch as confirm_launch
    from .sso.launch import connector_choices_of as _connector_choices
    from .sso.launch import connector_released_attributes as connector_released_attributes
    from .sso.launch import reachable_launches_for as _reachable_launches
    from .statistics import record_launch as record_launch
    from .types import N_ as N_
    from .types import PROFILE_LABELS as PROFILE_LABELS
    from .types import AdminLink as AdminLink
    from .types import AppManifest as AppManifest
    from .types import Connector as Connector
    from .types import DirectorySource as DirectorySource
    from .types import MenuItem as MenuItem
    from .types import Profile as Profile
    from .types import Recipient as Recipient
    from .types import Recipients as Recipients
    from .types import Right as Right
    from .types import SettingSpec as SettingSpec
    from .types import SourceOption as SourceOption
    from .types import Widget as Widget
    from .uploads import ALL_KINDS as ALL_KINDS
    from .uploads import IMAGE_KINDS as IMAGE_KINDS
    from .uploads import CheckedUpload as CheckedUpload
    from .uploads import ImageLimits as ImageLimits
    from .uploads import UploadError as UploadError
    from .uploads import check_upload as check_upload
    from .uploads import safe_filename as safe_filename
    from .web import abort_refused as abort_refused
    from .web import access_for as access_for
    from .web import client_ip as client_ip
    from .web import current_access as current_access
    from .web import current_role as current_role
    from .web import current_user as current_user
    from .web import enable_app as enable_app
    from .web import grant_to_profile as grant_to_profile
    from .web import installed_apps as installed_apps
    from .web import require_admin as require_admin
    from .web import require_right as require_right
    from .web import safe_next as safe_next

    # public names that differ from the kernel's own
    api_protected = _api_protected
    record_audit = _record_audit
    storage = _storage
    enqueue_job = _enqueue_job
    set_setting = _set_setting
    connector_choices = _connector_choices
    reachable_launches = _reachable_launches


# Deprecated public names: old name -> (replacement's public name, API version since, API version removing it).
# Each still resolves to its replacement, with a DeprecationWarning; a test fails once API_VERSION reaches the
# removal version, so that the name is removed then.
_DEPRECATED: dict[str, tuple[str, str, str]] = {}

__all__ = ["__version__", "API_VERSION", *_LAZY]



def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        from .deprecation import warn_deprecated  # here: importing preau loads no kernel module (lazy names)

        replacement, since, removal = _DEPRECATED[name]
        warn_deprecated(f"preau.{name}", f"preau.{replacement}", since=since, removal=removal)
        return __getattr__(replacement)  # not cached: every use warns
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'preau' has no attribute {name!r}") from None
    from importlib import import_module  # here, as above

    value = getattr(import_module(f"{__name__}.{module_name}"), attribute)
    globals()[name] = value
    return value
