"""Argon2 password hashing (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..types import N_

_hasher = PasswordHasher()
# Verifying against this keeps the time of "unknown login" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("preau-timing-equaliser")

MIN_LENGTH = 8  # the refusal message below says 8: change both together


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, confirm: str, login: str) -> str | None:
    """A French explanation of why a new password is refused, or ``None``."""
    if password != confirm:
        return N_("Les deux mots de passe ne sont pas identiques.")
    if len(password) < MIN_LENGTH:
        return N_("Le mot de passe doit contenir au moins 8 caractères.")
    if password.lower() == login.lower():
        return N_("Le mot de passe ne doit pas être votre identifiant.")
    if password.isalpha() or password.isdigit():
        return N_("Le mot de passe doit mêler lettres et chiffres ou symboles.")
    return None
