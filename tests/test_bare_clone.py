"""A bare clone passes its tests (issue 17): nothing the tests and benchmarks read lives outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from preau import open_zip

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SCANNED = ("tests", "bench", "core", "plugins", "plugin_template")
# A folder beside the checkout (../shared/data), however the path is spelt.
OUTSIDE = re.compile(r"""\.\./shared\b|\bshared/data\b|/work/shared\b|["']shared["']\s*(?:/|,\s*["']data["'])""")


def test_no_test_benchmark_or_code_reads_outside_the_repository():
    offenders = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path == Path(__file__).resolve() or DATA in path.parents \
                    or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # binary files
            offenders += [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                          for number, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, "reads outside the repository (use tests/data/):\n" + "\n".join(offenders)


def test_the_vendored_samples_are_in_the_repository():
    assert (DATA / "README.md").is_file()
    with open_zip(DATA / "aaf-2013.zip", suffixes=(".xml",)) as archive:  # the default limits, as an import
        assert len(archive.members) == 46
    assert sorted(p.name for p in (DATA / "aaf-2020").glob("*.xml")) == [
        "ENT_Complet_20200101_Eleve_0000.xml", "ENT_Complet_20200101_EtabEducNat_0000.xml"]
    templates = sorted((DATA / "csv-templates").glob("*.csv"))
    assert [p.stem for p in templates] == ["CSV_Eleves", "CSV_Enseignants", "CSV_Invites", "CSV_Parents",
                                           "CSV_Personnels"]
    for path in templates:  # ENT ONE's bytes as published: Latin-1 with CRLF, not re-encoded by git
        data = path.read_bytes()
        assert b"\r\n" in data
        data.decode("latin-1")
