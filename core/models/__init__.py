"""The kernel's typed models. Plugins import them from ``preau``, not from here."""

from .audit import AuditEvent, LoginAttempt
from .auth import ApiToken, AuthSession, Charter, CharterAcceptance
from .cas import CasTicket
from .communication import CommLink, CommSettings, CommVersion
from .dashboard import AppFavourite, AppsMenuGroup, AppsMenuTile, DashboardDefault, DashboardLayout, WidgetPolicy
from .directory import (
    AccountState,
    Function,
    Group,
    GroupKind,
    GroupMember,
    RelativeLink,
    Role,
    SchoolClass,
    Structure,
    StructureKind,
    StructureLink,
    User,
    UserFunction,
)
from .enablement import AccessVersion, AppEnablement, RightExclusion, RightGrant, Setting
from .imports import ImportFingerprint, ImportPendingDeletion, ImportRun, Mef, Subject  # noqa: F401 - imports
from .jobs import Job, JobState
from .launch import ConnectorLaunch, Launch
from .lifecycle import DataExport, DuplicateDismissal  # noqa: F401 - "Mes données", duplicates
from .mfa import TotpCredential  # noqa: F401 - second factor
from .services import ServiceLink, ServiceTarget, StructureConnector
from .stats import StatAppVisit, StatCounter, StatVisitor  # noqa: F401 - statistics tables

__all__ = [
    "AccountState", "ApiToken", "AuthSession", "AppEnablement", "AuditEvent", "Charter", "CharterAcceptance",
    "CommLink", "CommSettings", "CommVersion",
    "Function",
    "Group", "GroupKind", "GroupMember", "LoginAttempt", "RelativeLink", "RightExclusion", "RightGrant", "Role",
    "SchoolClass",
    "Setting", "Structure", "StructureKind", "StructureLink", "User", "UserFunction",
    "Job", "JobState", "CasTicket",
    "AccessVersion", "AppFavourite", "AppsMenuGroup", "AppsMenuTile", "DashboardDefault", "DashboardLayout",
    "ServiceLink", "ServiceTarget", "StructureConnector", "WidgetPolicy", "ConnectorLaunch", "Launch",
]

from ..db import Model as _Model

# The kernel's own tables, taken before any plugin adds its models to the shared metadata.
KERNEL_TABLES = frozenset(_Model.metadata.tables)
