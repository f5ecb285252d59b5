"""File storage for plugins: ``put`` bytes or a stream, get back an opaque key; ``open`` and ``delete`` by key.

The default backend is a local directory: ``STORAGE_DIR`` in the config, else the ``PREAU_STORAGE_DIR``
environment variable, else ``<instance>/storage``. Keys are random and generated here, never derived from a
user's file name, so a key can never point outside the directory. Several web workers on one machine (or a
shared volume) see the same files; another backend (S3…) only needs the same three methods.

    key = preau.storage().put(data)
    with preau.storage().open(key) as stream: ...
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from flask import current_app

from .config import instance_dir
from .errors import PreauError

_KEY = re.compile(r"^[a-f0-9]{2}/[a-f0-9]{40}$")
_CHUNK = 1024 * 1024


class StorageError(PreauError, ValueError):
    """An unknown or malformed key: the database and the files disagree, a fault of the platform (500)."""

    status = 500


class Storage(Protocol):
    def put(self, data: bytes | IO[bytes]) -> str: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one directory, two-level fan-out (``ab/ab12…``) so no directory grows too large."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY.match(key):
            raise StorageError(f"invalid storage key {key!r}")
        return self.root / key

    def put(self, data: bytes | IO[bytes]) -> str:
        name = secrets.token_hex(20)
        key = f"{name[:2]}/{name}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        with open(temporary, "wb") as out:
            if isinstance(data, bytes | bytearray | memoryview):
                out.write(data)
            else:
                while chunk := data.read(_CHUNK):
                    out.write(chunk)
        temporary.replace(path)  # readers never see half a file
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as error:
            raise StorageError(f"no file for key {key!r}") from error

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage_dir(config: dict | None = None) -> Path:
    configured = (config or {}).get("STORAGE_DIR") or os.environ.get("PREAU_STORAGE_DIR")
    return Path(configured) if configured else instance_dir() / "storage"


def default_storage() -> Storage:
    """The storage backend of the current application (a local directory unless configured otherwise)."""
    backend = current_app.extensions.get("preau.storage")
    if backend is None:
        backend = current_app.extensions["preau.storage"] = LocalStorage(storage_dir(current_app.config))
    return backend
