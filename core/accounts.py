"""Account creation helpers for the command line and the demo, on top of the directory services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import audit
from .auth.passwords import hash_password, password_problem
from .directory.lifecycle import transition
from .directory.structures import DirectoryError
from .directory.users import create_user, find_by_login, grant_function
from .errors import PreauError
from .models import AccountState, Function, User


class AdminCreationError(PreauError, ValueError):
    """A super administrator that cannot be created (the password breaks a rule): the message says why."""


def activate_with_password(session: Session, user: User, password_hash: str) -> None:
    """Give an account a password and make it active (demo and administrators' tools)."""
    user.password_hash = password_hash
    user.activation_code = None
    transition(session, user, AccountState.ACTIVE, reason="set by administrator")


def create_super_admin(session: Session, login: str, first_name: str, last_name: str, password: str) -> User:
    problem = password_problem(password, password, login)
    if problem:
        raise AdminCreationError(problem)
    if find_by_login(session, login):
        raise AdminCreationError(f"L'identifiant {login} existe déjà.")
    try:
        user = create_user(session, first_name=first_name, last_name=last_name, login=login)
    except DirectoryError as error:
        raise AdminCreationError(str(error)) from error
    activate_with_password(session, user, hash_password(password))
    grant_function(session, user, Function.SUPER_ADMIN)
    audit.record(session, "account.super_admin_created", target=user)
    session.commit()
    return user
