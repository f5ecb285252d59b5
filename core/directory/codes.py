"""Random codes and logins. Codes avoid look-alike characters because people type them from paper."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def login_base(first_name: str, last_name: str) -> str:
    """``Léa-Marie``, ``N'Diaye`` → ``lea-marie.ndiaye``."""

    def clean(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        return re.sub(r"[^a-z0-9-]", "", ascii_text.replace(" ", "-")).strip("-") or "x"

    return f"{clean(first_name)}.{clean(last_name)}"[:56]
