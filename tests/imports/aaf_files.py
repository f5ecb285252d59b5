"""Small AAF files written for tests (same format as the académie's ``ficAlimMENESR`` files)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n<ficAlimMENESR>\n'
TAIL = "</ficAlimMENESR>\n"


def request(category: str, ext: str, attrs: dict[str, list[str] | str], *, kind: str = "addRequest",
            operational: str = "categoriePersonne") -> str:
    body = "".join(
        f'<attr name="{name}">' + "".join(f"<value>{escape(v)}</value>" for v in
                                          ([values] if isinstance(values, str) else values or [""])) + "</attr>\n"
        for name, values in attrs.items())
    inner = f"<attributes>\n{body}</attributes>\n" if kind != "deleteRequest" else ""
    return (f"<{kind}>\n<operationalAttributes><attr name=\"{operational}\"><value>{category}</value></attr>"
            f"</operationalAttributes>\n<identifier><id>{ext}</id></identifier>\n{inner}</{kind}>\n")


def structure(ext: str, uai: str, name: str, kind: str = "COLLEGE") -> str:
    return request("EtabEducNat", ext, {"ENTStructureJointure": ext, "ENTStructureUAI": uai,
                                        "ENTStructureNomCourant": name, "ENTStructureTypeStruct": kind},
                   operational="categorieStructure")


def student(ext: str, first: str, last: str, structure_id: str, classes: list[str], relatives: list[str] = (),
            groups: list[str] = ()) -> str:
    return request("Eleve", ext, {
        "ENTPersonJointure": ext, "sn": last, "givenName": first, "ENTPersonDateNaissance": "14/09/2012",
        "ENTPersonStructRattach": structure_id, "ENTEleveClasses": [f"{structure_id}${c}" for c in classes],
        "ENTEleveGroupes": [f"{structure_id}${g}" for g in groups], "ENTEleveAutoriteParentale": list(relatives),
        "ENTEleveMEF": "10010012110", "ENTEleveLibelleMEF": "6EME"})


def teacher(ext: str, first: str, last: str, structure_id: str, classes: list[str]) -> str:
    return request("PersEducNat", ext, {
        "ENTPersonJointure": ext, "sn": last, "givenName": first, "ENTPersonStructRattach": structure_id,
        "ENTAuxEnsClasses": [f"{structure_id}${c}" for c in classes], "PersEducNatPresenceDevantEleves": "O",
        "ENTPersonFonctions": f"{structure_id}$ENS$ENSEIGNEMENT$L0100$LETTRES"})


def relative(ext: str, first: str, last: str) -> str:
    return request("PersRelEleve", ext, {"ENTPersonJointure": ext, "sn": last, "givenName": first})


def write(directory: Path, name: str, *records: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(HEAD + "".join(records) + TAIL, encoding="utf-8")
    return path


def small_set(directory: Path, *, complete: bool = True) -> Path:
    """A college with two classes, three students, two parents and a teacher."""
    prefix = "ENT_Complet_20250901" if complete else "ENT_Delta_20250902"
    write(directory, f"{prefix}_EtabEducNat_0000.xml", structure("100", "0990001X", "COLLEGE$JEAN$MOULIN"))
    write(directory, f"{prefix}_Eleve_0000.xml",
          student("1001", "Léa", "Martin", "100", ["6A"], ["3001", "3002"]),
          student("1002", "Hugo", "Martin", "100", ["5B"], ["3001"]),
          student("1003", "Inès", "Diallo", "100", ["6A"]))
    write(directory, f"{prefix}_PersRelEleve_0000.xml", relative("3001", "Claire", "Martin"),
          relative("3002", "Paul", "Martin"))
    write(directory, f"{prefix}_PersEducNat_0000.xml", teacher("2001", "Anne", "Lefèvre", "100", ["6A", "5B"]))
    return directory
