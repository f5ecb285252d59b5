"""Reading uploaded zip archives without letting one expand past sane limits (zip bombs).

:func:`open_zip` checks the central directory before anything is extracted (member count, declared total and
per-member sizes, compression ratio), then every member is read through a stream that counts the bytes really
decompressed, since declared sizes can lie. Limits come from the configuration (``ZIP_MAX_*``), a caller may
lower them. A refusal raises :class:`ZipRefused` with a French message naming the archive and the member.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from flask import current_app, has_app_context

from .errors import PreauError

RATIO_FLOOR = 1024 * 1024  # below 1 MiB a member may compress as well as it likes (a small file of spaces)
CHUNK = 256 * 1024


class ZipRefused(PreauError, ValueError):
    """An archive refused before or while it is read; the message names the archive and the member."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 1000
    max_total_bytes: int = 2 * 1024**3
    max_member_bytes: int = 1024**3
    max_ratio: int = 100


def zip_limits(**lower: int | None) -> ZipLimits:
    """The configured limits (``ZIP_MAX_MEMBERS``, ``ZIP_MAX_TOTAL_BYTES``, ``ZIP_MAX_MEMBER_BYTES``,
    ``ZIP_MAX_RATIO``), each lowered to the value a caller gives, never raised above the configuration."""
    config = current_app.config if has_app_context() else {}
    base = ZipLimits()
    limits = ZipLimits(*(int(config.get(f"ZIP_{name.upper()}", getattr(base, name)))
                         for name in ("max_members", "max_total_bytes", "max_member_bytes", "max_ratio")))
    return replace(limits, **{k: min(v, getattr(limits, k)) for k, v in lower.items() if v is not None})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} Mo"


class SafeZip:
    """An opened, checked archive: ``members`` (the entries whose names end with one of ``suffixes``, in name
    order), :meth:`open` and :meth:`read` that stop at the limits. Close it, or use it in a ``with``."""

    def __init__(self, source: Path | str | IO[bytes], *, name: str | None = None,
                 suffixes: tuple[str, ...] | None = None, limits: ZipLimits | None = None) -> None:
        self.name = name or (Path(source).name if isinstance(source, str | Path) else "archive.zip")
        self.limits = limits or zip_limits()
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ZipRefused(f"{self.name} : archive zip illisible ({exc}).") from None
        try:
            self.members = self._check(suffixes)
        except ZipRefused:
            self._zip.close()
            raise
        self._read_total = 0

    def _check(self, suffixes: tuple[str, ...] | None) -> list[zipfile.ZipInfo]:
        limits, infos = self.limits, self._zip.infolist()
        if len(infos) > limits.max_members:
            raise ZipRefused(f"{self.name} : l'archive contient {len(infos)} fichiers, {limits.max_members} au plus "
                             "sont acceptés.")
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            if info.file_size > limits.max_member_bytes:
                raise ZipRefused(f"{self.name} : « {info.filename} » ferait {_megabytes(info.file_size)} une fois "
                                 f"décompressé, {_megabytes(limits.max_member_bytes)} au plus par fichier.")
            if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ZipRefused(f"{self.name} : « {info.filename} » est compressé plus de {limits.max_ratio} fois "
                                 f"({_megabytes(info.compress_size)} → {_megabytes(info.file_size)}) : archive "
                                 "refusée (bombe de décompression ?).")
            total += info.file_size
            if total > limits.max_total_bytes:
                raise ZipRefused(f"{self.name} : le contenu décompressé dépasserait "
                                 f"{_megabytes(limits.max_total_bytes)} (à « {info.filename} »).")
        wanted = [i for i in infos if not i.is_dir() and (suffixes is None or i.filename.lower().endswith(suffixes))]
        return sorted(wanted, key=lambda i: i.filename)

    @property
    def names(self) -> list[str]:
        return [info.filename for info in self.members]

    def open(self, member: str | zipfile.ZipInfo) -> IO[bytes]:
        """A stream of one member that refuses to give more than its declared size or the limits."""
        info = member if isinstance(member, zipfile.ZipInfo) else self._zip.getinfo(member)
        return io.BufferedReader(_CountingStream(self, info, self._zip.open(info)), CHUNK)

    def read(self, member: str | zipfile.ZipInfo) -> bytes:
        with self.open(member) as stream:
            return stream.read()

    def _count(self, info: zipfile.ZipInfo, read: int, added: int) -> None:
        self._read_total += added
        limits = self.limits
        if read > info.file_size or read > limits.max_member_bytes:
            raise ZipRefused(f"{self.name} : « {info.filename} » donne plus d'octets que sa taille déclarée "
                             f"({_megabytes(info.file_size)}) : archive falsifiée, refusée.")
        if self._read_total > limits.max_total_bytes:
            raise ZipRefused(f"{self.name} : le contenu décompressé dépasse {_megabytes(limits.max_total_bytes)} "
                             f"(à « {info.filename} »).")

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()


class _CountingStream(io.RawIOBase):
    def __init__(self, archive: SafeZip, info: zipfile.ZipInfo, stream: IO[bytes]) -> None:
        self._archive, self._info, self._stream, self._read = archive, info, stream, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._stream.read(min(len(buffer), CHUNK))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise ZipRefused(f"{self._archive.name} : « {self._info.filename} » est endommagé ou falsifié "
                             f"({exc}).") from None
        self._read += len(data)
        self._archive._count(self._info, self._read, len(data))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def is_zip(source: Path | str | IO[bytes]) -> bool:
    """Whether ``source`` looks like a zip archive (its end-of-directory record), without reading its members."""
    try:
        return zipfile.is_zipfile(source)
    except OSError:
        return False


def open_zip(source: Path | str | IO[bytes], *, name: str | None = None, suffixes: tuple[str, ...] | None = None,
             max_members: int | None = None, max_total_bytes: int | None = None,
             max_member_bytes: int | None = None, max_ratio: int | None = None) -> SafeZip:
    """Open and check an archive (a path or a seekable binary stream); raises :class:`ZipRefused`.

    ``suffixes`` keeps only the members whose names end so (``(".csv", ".txt")``); the ``max_*`` arguments lower
    the configured limits for this reading."""
    limits = zip_limits(max_members=max_members, max_total_bytes=max_total_bytes,
                        max_member_bytes=max_member_bytes, max_ratio=max_ratio)
    return SafeZip(source, name=name, suffixes=suffixes, limits=limits)
