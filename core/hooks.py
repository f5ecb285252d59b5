"""The plugin contract of Préau: every hook a plugin may implement.

Each specification is documented here; ``preau hooks`` prints these docstrings and a test checks that
docs/plugins.md mentions every one. Implement a hook with ``@preau.hookimpl`` and a function of the same
name taking any subset of the listed arguments.

Dispatch: every hook is called through pluggy, so ``firstresult``, ``tryfirst``/``trylast`` and hook wrappers
(``@hookimpl(wrapper=True)``) work. Each spec says whom a call reaches:

* **kernel-wide**: every active plugin, wherever it is enabled (metadata, blueprints, connector launchers,
  migrations, command line, purge, job handlers, directory sources, demo data, account events);
* **dispatched to the plugins enabled for** a person or a structure: only the plugins an administrator enabled
  there (for a person: a grant of the app reaches them, or the app declares no right and is enabled in one of
  their structures); core apps always answer.

Failure policy, by phase:

* metadata hooks (``preau_app``, ``preau_rights``…) are called once at load; a plugin whose hook raises or
  returns an invalid value is quarantined (disabled, its error shown to administrators);
* UI and event hooks are called robustly: an error is logged and shown as a small error box, the rest goes on;
* rights and communication hooks fail closed: an error means "deny".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable

    import click
    import flask
    import flask.typing
    import flask_smorest
    from markupsafe import Markup
    from sqlalchemy.orm import Session

    from .demo_directory import DemoDirectory
    from .models import Job, Launch, Structure, User
    from .types import (
        AdminLink,
        AppManifest,
        Connector,
        DirectorySource,
        MenuItem,
        Recipient,
        Recipients,
        Right,
        SettingSpec,
        Widget,
    )

PROJECT = "preau"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------------------------------------
# Metadata: kernel-wide, called once when the plugin loads, results validated
# ---------------------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def preau_app() -> AppManifest:
    """Describe the plugin: its one metadata object.

    Kernel-wide: called once per plugin when it loads.

    Every plugin must implement it. ``firstresult``: a plugin module answers for itself only.

    :returns: an :class:`preau.AppManifest` (id, translatable name, theme, icon, editor, version,
        ``requires_preau`` range of the plugin API (:data:`preau.API_VERSION`), default profiles, entry endpoint,
        ``requires``/``optional_requires`` (the plugins it uses), ``kind``). A plugin whose manifest is invalid or
        incompatible with the running Préau, or whose requirement is missing, is quarantined.
    """


@hookspec
def preau_rights() -> list[Right]:
    """Declare the rights of the plugin, e.g. ``notes.access`` or ``carnet.write``.

    Kernel-wide: called once per plugin when it loads.

    Right ids are prefixed with the app id. Administrators grant them per structure to profile groups,
    classes or groups; ``default_profiles`` are granted when the app is first enabled for a structure.

    :returns: a list of :class:`preau.Right`.
    """


@hookspec
def preau_settings() -> list[SettingSpec]:
    """Declare the plugin's settings with their defaults.

    Kernel-wide: called once per plugin when it loads.

    Values are stored as JSON and looked up profile → structure → platform; secrets never go here, they come
    from the environment.

    :returns: a list of :class:`preau.SettingSpec`.
    """


@hookspec
def preau_migrations() -> str | None:
    """Give the directory of the plugin's Alembic versions, if the plugin has tables.

    Kernel-wide: called once per plugin when it loads.

    The plugin's tables carry its id as prefix (``notes_item``) and its migrations are recorded in their own
    version table ``alembic_version_<app id>``. ``preau db upgrade`` runs the kernel's migrations first, then
    each plugin's.

    :returns: an absolute path, or ``None``.
    """


# ---------------------------------------------------------------------------------------------------------
# Web: blueprints, widgets, menu entries, connectors. Kernel-wide, collected once at load; what they give
# reaches a person only where the app is enabled and granted to them (rights.access_for filters it)
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_blueprints() -> list[flask.Blueprint]:
    """Give the Flask blueprints of the plugin, mounted under ``/apps/<app id>/``.

    Kernel-wide: called once per plugin when it loads.

    Name each blueprint after the plugin. The kernel answers 404 for every route of a plugin that is not
    enabled for, or not granted to, the current user (its ``<app id>.access`` right).

    :returns: a list of :class:`flask.Blueprint`.
    """


@hookspec
def preau_api_blueprints() -> list[flask_smorest.Blueprint]:
    """Give the plugin's JSON API blueprints (``flask_smorest.Blueprint``), mounted under ``/api/v1``.

    Kernel-wide: called once per plugin when it loads.

    They join the kernel's OpenAPI document and its authentication (bearer tokens, or the session cookie with
    the CSRF header for changes): protect each view with ``preau.api_protected(blp, scope)`` and check the app's
    right yourself (the ``/apps/<app id>/`` guard does not cover ``/api/``). Name routes after the app id
    (``/api/v1/<app id>…`` or a plural noun of the app, e.g. ``/api/v1/messages``).

    :returns: a list of :class:`flask_smorest.Blueprint`.
    """


@hookspec
def preau_widgets() -> list[Widget]:
    """Give the dashboard widgets of the plugin.

    Kernel-wide: called once per plugin when it loads; a widget reaches only where its app is enabled.

    A widget is shown only to users a grant of its ``right`` reaches. ``render(user, size)`` is called
    robustly: if it raises, the dashboard shows a small error box instead.

    :returns: a list of :class:`preau.Widget`.
    """


@hookspec
def preau_menu_items() -> list[MenuItem]:
    """Give entries for "Mes Applis" besides the app's own entry point.

    Kernel-wide: called once per plugin when it loads; an entry reaches only where its app is enabled.

    :returns: a list of :class:`preau.MenuItem`, each guarded by a right.
    """


@hookspec
def preau_launchers() -> dict[str, Callable[[Launch], flask.typing.ResponseReturnValue]]:
    """Give the launchers of the connector kinds the plugin opens: ``{"lti13": open_lti13}``.

    Kernel-wide: called once per plugin when it loads, before the connectors' kinds are checked.

    When a person opens a connector tile (``/launch/<key>``), the kernel finds the connector among those that
    reach them, then hands the :class:`preau.Launch` to the launcher of its kind, which returns the response (a
    redirect, a signed form through :func:`preau.autosubmit_page`…); the kernel records the launch. Kind names
    are lower case (``[a-z][a-z0-9_]*``); the kernel's own (``link``, ``cas``, ``saml``) and a kind another
    plugin opens cannot be taken (the plugin is quarantined).

    :returns: a dict of kind → ``launcher(launch)``.
    """


@hookspec
def preau_connectors() -> list[Connector]:
    """Give the SSO connectors and link tiles towards external services.

    Kernel-wide: called once per plugin when it loads; a connector reaches only where its app is enabled.

    Kinds: the kernel opens ``link``, ``cas`` and ``saml``; other kinds are opened by the plugin that gives their
    launcher (:func:`preau_launchers`, e.g. ``lti11`` and ``lti13`` by the plugin ``lti``). A connector of a kind
    nobody opens quarantines its plugin (declare the plugin that opens it in ``requires``). A connector reaches
    a user only through a grant of its ``right``. Connector hooks fail closed: an error hides the connector.

    :returns: a list of :class:`preau.Connector`.
    """


# ---------------------------------------------------------------------------------------------------------
# Pages: dispatched to the plugins enabled for the person logged in, called robustly on every page
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_page_banners(user: User) -> list[Markup] | None:
    """Put banners at the top of every page of the layout, under the permanent bar, for the person logged in
    (the flash messages' "Tableau d'affichage").

    Dispatched to the plugins enabled for ``user`` (for the role they chose), once per page built on the
    layout (``base.html``); nobody logged in, or a plugin enabled nowhere for them, costs no call. Called
    robustly: a plugin that raises (or answers anything but :class:`markupsafe.Markup` values) shows nothing
    there, its error is logged and shown to administrators, the page is built as usual. It runs on every page:
    answer ``None`` at once when there is nothing to show, and keep the common case to one query at most. The
    banner brings its own stylesheet and script (``<link>`` and ``<script defer>`` from the plugin's static
    folder): the layout knows nothing of them.

    :param user: the :class:`preau.User` logged in.
    :returns: a list of :class:`markupsafe.Markup` fragments (escaped already: ``render_template`` gives one),
        shown in the plugins' order, or ``None``.
    """


@hookspec(firstresult=True)
def preau_write_link(sender: User, recipient: User) -> str | None:
    """The address of a page where ``sender`` writes to ``recipient`` (the messaging's new message with the
    recipient filled in): the kernel's pages link to it where they name someone to ask, such as the local
    administrators on the page of an app that is not open to the person.

    Dispatched to the plugins enabled for ``sender`` (for the role they chose); called robustly, in the request
    (``url_for`` works). ``firstresult``: the first plugin that answers gives the link. Answer ``None`` when
    ``sender`` may not write to ``recipient`` (the communication rules): the page then shows the name alone.

    :param sender: the :class:`preau.User` logged in.
    :param recipient: the :class:`preau.User` they would write to.
    :returns: a path on this site, or ``None``.
    """


# ---------------------------------------------------------------------------------------------------------
# Rules: dispatched to the plugins enabled for the sender; fail closed
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_communication_vetoes(sender: User, recipients: Recipients) -> Iterable[int | Recipient | User] | None:
    """Refuse some recipients to a sender, on top of the kernel's group links.

    Dispatched to the plugins enabled for ``sender``. Called once per plugin for the whole set of people the
    links allow, when a message is sent (to one person or to a group of a thousand) and when the directory is
    searched. Any refusal wins; to *add* reach, use :func:`preau_communication_groups`, which the directory
    search can follow. An error (or an answer that is not ids or recipients) refuses the whole set.

    :param sender: the :class:`preau.User` who writes or searches.
    :param recipients: the people they want to reach, a :class:`preau.Recipients` tuple of
        :class:`preau.Recipient` (each person's public account fields, without roles: read what the rule needs
        about them in one query for the set) with their ``ids``.
    :returns: the ids (or the recipients) to refuse, or ``None`` to refuse nobody.
    """


@hookspec
def preau_communication_groups(user: User) -> list[int] | None:
    """Extra groups whose members ``user`` may write to, beyond the links of "Qui voit qui".

    Dispatched to the plugins enabled for ``user``. The union of every plugin's answer is added to the user's
    reach (and searched like the rest). An error adds nothing.

    :param user: the :class:`preau.User` who writes or searches.
    :returns: ids of :class:`preau.Group`, or ``None``.
    """


@hookspec
def preau_structure_admin_links(structure: Structure) -> list[AdminLink]:
    """Add links to a structure's administration page (``/admin/structures/<id>``), under the kernel's own:
    the slot for a plugin's administration tools of that structure (the GAR plugin's directory export).

    Dispatched to the plugins enabled for ``structure``; called robustly, each time the page is shown (keep
    it cheap: no query beyond the structure's own fields). The link's view checks on the server that the
    administrator's scope covers the structure; the page only shows the links.

    :param structure: the :class:`preau.Structure` whose page is shown.
    :returns: a list of :class:`preau.AdminLink` (an invalid one is left out and reported to administrators),
        or ``None``.
    """


@hookspec
def preau_account_links() -> list[AdminLink]:
    """Add links to the person's account page ("Mes jetons d'accès API", ``/account/tokens``): the slot for a
    plugin's own page about the account (the OpenID Connect provider's "Applications autorisées").

    Kernel-wide (a page about the account, whatever the apps of the person's structures); called robustly,
    each time the page is shown, in the request (``url_for`` works). The link's view checks the login itself.

    :returns: a list of :class:`preau.AdminLink` (an invalid one is left out and reported to administrators),
        or ``None``.
    """


# ---------------------------------------------------------------------------------------------------------
# Account events: kernel-wide, called robustly
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_user_created(user: User) -> None:
    """React to a new account (manual creation, import, demo or seed through the directory services).

    Kernel-wide: an app may keep what it needs of every account, wherever it is enabled today.

    :param user: the new :class:`preau.User`, flushed (it has an id).
    """


@hookspec
def preau_user_updated(user: User, changes: dict[str, tuple[Any, Any]]) -> None:
    """React to a change of account: state transition, new role, new name.

    Kernel-wide: a change (a role removed, a blocked account) matters to apps of structures the person left.

    :param user: the :class:`preau.User`.
    :param changes: ``{"field": (old, new)}`` of what changed.
    """


@hookspec
def preau_user_deleted(user_id: int) -> None:
    """Delete or anonymise what the plugin holds about a user whose account is finally deleted.

    Kernel-wide: a deleted person's data must be erased even where the app was disabled since it was written.

    :param user_id: the id of the deleted account.
    """


@hookspec
def preau_user_merged(user: User, merged_user_id: int) -> None:
    """Move what the plugin holds for ``merged_user_id`` to ``user``: an administrator merged two accounts of
    the same person (a duplicate from two sources). Called in the merge's transaction, before the merged
    account is deleted; whatever is left on it afterwards is deleted with it.

    Kernel-wide: the merged account's data must move wherever it was written, enabled there today or not.

    :param user: the :class:`preau.User` kept.
    :param merged_user_id: the id of the account merged into it.
    """


# ---------------------------------------------------------------------------------------------------------
# Structure and person events: dispatched to the plugins enabled there, called robustly
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_year_transition(structure: Structure) -> None:
    """Prepare the plugin for a new school year in a structure (cut class shares, archive…).

    Dispatched to the plugins enabled for ``structure`` (inherited enablement included).

    No content may be deleted here.

    :param structure: the :class:`preau.Structure`.
    """


@hookspec
def preau_export_user_data(user: User) -> dict[str, Any] | None:
    """Contribute to a user's "Mes données" export.

    Dispatched to the plugins enabled for ``user`` (the apps that reach them).

    :param user: the :class:`preau.User`.
    :returns: a JSON-serialisable dict, stored as ``<app id>.json`` in the export, or ``None``. Files go
        under the key ``"files"``: a list of ``{"name": …, "storage_key": …}`` (keys of the kernel storage),
        copied into ``<app id>/`` in the archive. Called in a background job, with ``db_session()`` bound to it.
    """


# ---------------------------------------------------------------------------------------------------------
# Demo: kernel-wide
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_demo_data(session: Session, demo: DemoDirectory) -> None:
    """Add the plugin's sample content to the demo (``preau demo``), after the demo directory is built and
    every Préau app is enabled.

    Kernel-wide: called once per plugin.

    :param session: the SQLAlchemy session of the demo build (flush, never commit).
    :param demo: a :class:`preau.DemoDirectory`: the demo's structures, classes and known accounts by name
        (``demo.ferry``, ``demo.cm2a``, ``demo.martin``, ``demo.colin``, ``demo.lea``, ``demo.tom``…).
    """


# ---------------------------------------------------------------------------------------------------------
# Administration: directory sources and command line, kernel-wide
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_directory_sources() -> list[DirectorySource]:
    """Give importers of directory data (AAF XML, CSV, ONDE…).

    Kernel-wide.

    A source only reads files into a normalised :class:`preau.Feed` (``DirectorySource.read(paths, options)``);
    the kernel's import engine (:mod:`preau.directory.sync`) does the dry run, the diff and the application in
    one transaction, from the ``preau import`` command, the imports page and the ``directory.import`` job.

    :returns: a list of :class:`preau.DirectorySource`.
    """


@hookspec
def preau_cli(cli: click.Group) -> None:
    """Add commands to the ``preau`` command line.

    Kernel-wide: called once when the command line loads the plugins.

    :param cli: the root :class:`click.Group`; add a subgroup named after the plugin.
    """


# ---------------------------------------------------------------------------------------------------------
# Background jobs: kernel-wide
# ---------------------------------------------------------------------------------------------------------


@hookspec
def preau_purge(session: Session) -> str | None:
    """Forget what has expired in the plugin's tables (used codes, dead tokens…), each night with the kernel's
    own purge (``preau purge``).

    Kernel-wide; called robustly, in a savepoint of the command's transaction (committed after every plugin):
    delete with ``delete()`` statements, never commit.

    :param session: the SQLAlchemy session of the command.
    :returns: a French line for the command's output (``"3 jeton(s) expiré(s) oublié(s)."``), or ``None``.
    """


@hookspec
def preau_job_handlers() -> dict[str, Callable[[Session, Job], None]]:
    """Declare background job handlers, by name: ``{"myapp.export": export}``.

    Kernel-wide.

    Each name must start with the plugin's app id and a dot (others are ignored). A handler is
    ``handler(session, job)``: it runs in its own transaction, committed when it returns; an exception is
    retried with backoff, :class:`preau.PermanentJobError` fails at once. Queue work with
    :func:`preau.enqueue_job`; report progress of long jobs with :func:`preau.report_progress`.
    Called once per application; an error adds no handler.
    """
