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


# Letters that Unicode does not decompose into ASCII ones.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def login_base(first_name: str, last_name: str) -> str:
    """``Léa-Marie``, ``N'Diaye``, ``Lætitia de la Tour`` → ``lea-marie.ndiaye``, ``laetitia.de-la-tour``."""

    def clean(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
        ascii_text = text.encode("ascii", "ignore").decode().lower()
        ascii_text = re.sub(r"[\s_]+", "-", ascii_text.strip())
        return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "", ascii_text)).strip("-") or "x"

    return f"{clean(first_name)}.{clean(last_name)}"[:56]
