"""Hostile zip archives written for tests: a bomb, a swarm of members, a member whose declared size lies."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

MB = 1024 * 1024


def bomb(path: Path, member: str = "eleves.csv", size: int = 80 * MB, head: bytes = b"") -> Path:
    """``size`` bytes (``head`` then zeros) deflated into well under 1 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(member, "w") as out:
        out.write(head)
        zeros, left = bytes(MB), size - len(head)
        while left > 0:
            out.write(zeros[:min(MB, left)])
            left -= MB
    return path


def swarm(path: Path, count: int = 100_000, suffix: str = ".csv") -> Path:
    """``count`` empty members (a central directory that costs memory to read)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"f{n}{suffix}", b"")
    return path


def liar(path: Path, member: str = "eleves.csv", real_size: int = 50 * MB, declared: int = 100,
         head: bytes = b"") -> Path:
    """A member that inflates to ``real_size`` while both its headers declare ``declared`` bytes."""
    bomb(path, member, real_size, head)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature)
        data[at + offset:at + offset + 4] = struct.pack("<I", declared)
    path.write_bytes(bytes(data))
    return path
