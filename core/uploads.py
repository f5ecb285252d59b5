"""One upload validation for every app: a safe file name, the type read from the content, size and image limits.

A plugin that accepts a person's file calls :func:`check_upload` before storing anything::

    checked = preau.check_upload(request.files["fichier"], kinds=preau.IMAGE_KINDS, max_bytes=5 * MB)
    key = preau.storage().put(checked.data)      # checked.filename, checked.mime: safe to store and show

A refusal raises :class:`UploadError`: a French sentence (``str()``), an HTTP status (400 a bad name or a content
that lies about its extension, 413 too large in bytes or in pixels, 415 a type that is not accepted) and a
reason code. The checks never trust the browser: not its MIME type, not Werkzeug's handling of the name.

- **Names**: both ``/`` and ``\\`` are separators, and a name with a path or ``..`` is refused (an attack, not a
  typo); control and bidirectional characters are dropped, leading dots too, the length is bounded.
- **Types**: only known extensions, each checked against the file's first bytes; programs (PE, ELF, Mach-O,
  scripts with ``#!``) are refused whatever their name.
- **SVG and HTML are refused altogether**, by extension and by content (even named ``.txt``): SVG is XML that
  can carry scripts, event handlers, ``foreignObject`` HTML and external references; cleaning it is a moving
  target, and an image served inline from our own origin would run in every reader's session. Schools send
  PNG or JPEG; nothing is lost.
- **Images** are opened with Pillow, which reads the header only: pixel dimensions are checked (40
  megapixels and 10,000 px a side by default, ``UPLOAD_MAX_IMAGE_PIXELS`` / ``UPLOAD_MAX_IMAGE_SIDE``) without
  decoding the bitmap, so a 100 KB PNG of 30,000 × 30,000 px is refused before any browser has to decode it.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from flask import current_app, has_app_context
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import PreauError

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

MB = 1024 * 1024
NAME_MAX = 200
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 10_000

# extension → (MIME type, content family, kind)
TYPES: dict[str, tuple[str, str, str]] = {
    "pdf": ("application/pdf", "pdf", "document"),
    "txt": ("text/plain", "text", "document"),
    "csv": ("text/csv", "text", "document"),
    "odt": ("application/vnd.oasis.opendocument.text", "zip", "document"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip", "document"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "zip", "document"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip", "document"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip", "document"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip", "document"),
    "doc": ("application/msword", "ole", "document"),
    "xls": ("application/vnd.ms-excel", "ole", "document"),
    "ppt": ("application/vnd.ms-powerpoint", "ole", "document"),
    "zip": ("application/zip", "zip", "archive"),
    "png": ("image/png", "png", "image"),
    "jpg": ("image/jpeg", "jpeg", "image"),
    "jpeg": ("image/jpeg", "jpeg", "image"),
    "gif": ("image/gif", "gif", "image"),
    "webp": ("image/webp", "webp", "image"),
    "mp3": ("audio/mpeg", "mp3", "audio"),
    "mp4": ("video/mp4", "mp4", "video"),
}
IMAGE_KINDS = frozenset({"image"})
ALL_KINDS = frozenset(kind for _mime, _family, kind in TYPES.values())

# Refused with a precise reason rather than "unknown type": programs and scripts, and active markup.
PROGRAM_EXTENSIONS = frozenset({
    "exe", "com", "scr", "msi", "msp", "dll", "cpl", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse",
    "wsf", "wsh", "hta", "jar", "apk", "app", "dmg", "deb", "rpm", "sh", "bash", "zsh", "csh", "py", "pl",
    "rb", "php", "elf", "bin", "run", "lnk", "reg", "scf", "appimage"})
MARKUP_EXTENSIONS = frozenset({"svg", "svgz", "html", "htm", "xhtml", "xht", "shtml", "xml", "xsl", "mht", "mhtml"})
PROGRAM_SIGNATURES = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xce",
                      b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe", b"dex\n")
MARKUP_STARTS = (b"<svg", b"<?xml", b"<!doctype", b"<html", b"<script", b"<head", b"<body", b"<iframe",
                 b"<object", b"<embed", b"<!--")
# Pillow's format names → our content families (phones' JPEGs often open as MPO).
PILLOW_FAMILIES = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "GIF": "gif", "WEBP": "webp"}


class UploadError(PreauError, ValueError):
    """A refused file: ``str()`` is a sentence for the person, ``status`` the HTTP answer (400, 413, 415),
    ``reason`` a code."""


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check: a safe name, the MIME type read from the content, the bytes."""

    filename: str
    mime: str
    data: bytes
    kind: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int = MAX_IMAGE_PIXELS
    max_side: int = MAX_IMAGE_SIDE

    @classmethod
    def from_config(cls) -> ImageLimits:
        if not has_app_context():
            return cls()
        config = current_app.config
        return cls(int(config.get("UPLOAD_MAX_IMAGE_PIXELS") or MAX_IMAGE_PIXELS),
                   int(config.get("UPLOAD_MAX_IMAGE_SIDE") or MAX_IMAGE_SIDE))


def check_upload(upload: FileStorage | BinaryIO | bytes, filename: str | None = None, *,
                 kinds: frozenset[str] = ALL_KINDS, max_bytes: int = 5 * MB,
                 image_limits: ImageLimits | None = None) -> CheckedUpload:
    """Check one uploaded file and give back its safe name, sniffed MIME type and bytes, or raise UploadError.

    :param upload: a werkzeug ``FileStorage`` (its ``filename`` is used, at most ``max_bytes + 1`` bytes are
        read) or the bytes themselves, then with ``filename``.
    :param kinds: the kinds accepted: ``"document"``, ``"image"``, ``"audio"``, ``"video"``, ``"archive"``
        (``IMAGE_KINDS``, ``ALL_KINDS``).
    :param max_bytes: the size limit of this file (413 beyond).
    :param image_limits: pixel limits of images; the application's ``UPLOAD_MAX_IMAGE_*`` settings by default.
    """
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
    else:
        filename = getattr(upload, "filename", None) if filename is None else filename
        data = upload.read(max_bytes + 1)
    name = safe_filename(filename)
    if len(data) > max_bytes:
        raise UploadError(_("« %(name)s » dépasse %(max)s, la taille maximale d'un fichier.", name=name,
                            max=_size_label(max_bytes)), 413, "file_too_large")
    if not data:
        raise UploadError(_("« %(name)s » est vide.", name=name), 400, "empty_file")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    _refuse_active_content(name, extension, data)
    if extension not in TYPES or TYPES[extension][2] not in kinds:
        raise UploadError(_("« %(name)s » : ce type de fichier n'est pas accepté (%(accepted)s).", name=name,
                            accepted=accepted_label(kinds)), 415, "type_refused")
    mime, family, kind = TYPES[extension]
    matches = looks_like_text(data) if family == "text" else family_of(data[:16]) == family
    if not matches:
        raise UploadError(_("« %(name)s » : le contenu ne correspond pas à un fichier .%(ext)s.", name=name,
                            ext=extension), 400, "type_mismatch")
    if kind == "image":
        width, height = _image_size(name, data, family, image_limits or ImageLimits.from_config())
        return CheckedUpload(name, mime, data, kind, width, height)
    return CheckedUpload(name, mime, data, kind)


def safe_filename(raw: str | None) -> str:
    """A name to store and show: a name that tries to leave its directory is refused (400), not repaired."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if "/" in name or "\\" in name or name in (".", ".."):
        raise UploadError(_("Nom de fichier refusé : « %(name)s » (pas de chemin ni de « .. »).",
                            name=_printable(name)[:60]), 400, "bad_filename")
    name = _printable(name).lstrip(". ").rstrip(". ")
    if not name:
        raise UploadError(_("Le fichier n'a pas de nom."), 400, "bad_filename")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:NAME_MAX - len(ext) - 1]}{dot}{ext}" if dot and len(ext) < 16 else name[:NAME_MAX]
    return name


def _printable(name: str) -> str:
    # isprintable() is False for control characters and for format ones such as U+202E (right-to-left override,
    # which shows "fdp.exe" as "exe.pdf").
    return "".join(c for c in name if c.isprintable())


def _refuse_active_content(name: str, extension: str, data: bytes) -> None:
    if extension in PROGRAM_EXTENSIONS or data.startswith(PROGRAM_SIGNATURES):
        raise UploadError(_("« %(name)s » est un programme : ce type de fichier est refusé.", name=name), 415,
                          "executable")
    if extension in MARKUP_EXTENSIONS or _is_markup(data):
        raise UploadError(_("« %(name)s » : les fichiers SVG, HTML et XML sont refusés, car ils peuvent contenir "
                            "du code ; envoyez une image PNG ou JPEG, ou un PDF.", name=name), 415, "active_content")


def _is_markup(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):  # UTF-16 text: look at its ASCII letters
        head = head[2:].replace(b"\x00", b"").lstrip()
    return head.startswith(MARKUP_STARTS)


def family_of(head: bytes) -> str | None:
    """The content family told by a file's first bytes (magic numbers), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(sample) - 4:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _image_size(name: str, data: bytes, family: str, limits: ImageLimits) -> tuple[int, int]:
    """The pixel size read from the image's header (nothing decoded), within the limits."""
    too_large = UploadError(_("« %(name)s » est une image trop grande : %(side)s pixels de côté et %(megapixels)s "
                              "mégapixels au plus.", name=name, side=f"{limits.max_side:,}".replace(",", "\u202f"),
                              megapixels=limits.max_pixels // 1_000_000), 413, "image_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(PILLOW_FAMILIES)) as image:
                width, height, found = image.width, image.height, PILLOW_FAMILIES.get(image.format or "")
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        found, width, height = None, 0, 0
    if found != family or width <= 0 or height <= 0:
        raise UploadError(_("« %(name)s » n'est pas une image valide.", name=name), 400, "bad_image")
    if max(width, height) > limits.max_side or width * height > limits.max_pixels:
        raise too_large
    return width, height


def accepted_label(kinds: frozenset[str]) -> str:
    """The accepted types in words, for the refusal message."""
    labels = {"document": _("PDF, documents bureautiques, texte"), "image": _("images PNG, JPEG, GIF, WebP"),
              "audio": _("audio MP3"), "video": _("vidéo MP4"), "archive": _("archives ZIP")}
    return ", ".join(str(labels[kind]) for kind in ("document", "image", "audio", "video", "archive")
                     if kind in kinds)


def _size_label(size: int) -> str:
    return _("%(mb)s Mo", mb=f"{size / MB:g}".replace(".", ",")) if size >= MB else \
        _("%(kb)d Ko", kb=max(1, size // 1024))
