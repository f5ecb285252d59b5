"""What the column mapping page shows for one uploaded file (``DirectorySource.inspect``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from preau import PROFILE_LABELS, Profile

from .reader import FIELDS, IGNORE, CsvReadError, read_file

PROFILES = (Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL, Profile.RELATIVE, Profile.GUEST)


@dataclass
class Column:
    header: str
    field: str  # a key of ``fields``
    example: str
    unknown: bool


@dataclass
class FileDescription:
    name: str
    error: str | None = None
    encoding: str = ""
    delimiter: str = ""
    profile: str = ""  # "" when neither the header nor the name tells
    rows: int = 0
    columns: list[Column] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # fatal problems of the header
    fields: dict[str, str] = field(default_factory=dict)  # value → label, IGNORE first
    profiles: list[tuple[str, str]] = field(default_factory=list)


def describe_file(name: str, data: bytes) -> FileDescription:
    """Encoding, delimiter, detected profile and one entry per distinct header (repeated headers such as
    ``classe;classe`` share one choice: the mapping is by header) with the first line's value as an example."""
    description = FileDescription(name, fields={IGNORE: _("Ignorer"), **{k: str(v) for k, v in FIELDS.items()}},
                                  profiles=[(str(p), _(PROFILE_LABELS[p])) for p in PROFILES])
    try:
        read = read_file(name, data)
    except CsvReadError as exc:
        description.error = exc.problem.message
        return description
    description.encoding = "UTF-8" if read.encoding == "utf-8" else "Latin-1 / Windows-1252"
    description.delimiter, description.profile, description.rows = read.delimiter, read.profile or "", len(read.rows)
    seen = set()
    for column in read.columns:
        if column.header in seen:
            continue
        seen.add(column.header)
        example = read.sample[column.index] if column.index < len(read.sample) else ""
        description.columns.append(Column(column.header, column.field or IGNORE, example, column.field is None))
    description.problems = [p.message for p in read.problems if p.fatal]
    return description
