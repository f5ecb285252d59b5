"""A synthetic AAF feed (``ficAlimMENESR`` XML files, the format of the académie's files) for benchmarks.

    python bench/aaf_synthetic.py OUT_DIR --students 100000

Shape, derived from the number of students: one school per ~333 students (a few hundred structures for
100,000), classes of 25, 1.5 relatives per student (families of one or two children), 8 % teachers (each in two
classes of their school), 2 % other personnel, 200 subjects and 100 MEF. Files hold at most 20,000 records, as
the académie splits them. Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n<ficAlimMENESR>\n'
TAIL = "</ficAlimMENESR>\n"
PER_FILE = 20_000
PREFIX = "ENT_Complet_20250901"
LEVELS = (("6EME", "10010012110"), ("5EME", "10110001110"), ("4EME", "10210001110"), ("3EME", "10310019110"))
FIRST = ("Adam", "Chloé", "Hugo", "Inès", "Jules", "Louise", "Malo", "Nina", "Rayan", "Zoé", "Léa", "Théo",
         "Ambre", "Noah", "Jade", "Lucas", "Manon", "Emma", "Arthur", "Mila")
ADULT = ("Nathalie", "Stéphane", "Isabelle", "Christophe", "Sandrine", "Frédéric", "Céline", "Karima", "David",
         "Sophie", "Thomas", "Hélène", "Fatima", "Vincent", "Claire", "Laurent")
LAST = ("Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
        "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "N'Diaye",
        "Diallo", "Nguyen", "Da Silva", "Le Goff", "Ferreira", "Traoré")
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def attr(name: str, *values: str) -> str:
    return f'<attr name="{name}">' + "".join(f"<value>{escape(v)}</value>" for v in (values or ("",))) + "</attr>"


def request(category: str, operational: str, ext: str, attrs: list[str]) -> str:
    return (f'<addRequest>\n<operationalAttributes><attr name="{operational}"><value>{category}</value></attr>'
            f"</operationalAttributes>\n<identifier><id>{ext}</id></identifier>\n<attributes>\n"
            + "\n".join(attrs) + "\n</attributes>\n</addRequest>\n")


class Files:
    """Writes records of one kind into numbered files of at most PER_FILE records."""

    def __init__(self, folder: Path, kind: str) -> None:
        self.folder, self.kind, self.count, self.stream = folder, kind, 0, None

    def add(self, record: str) -> None:
        if self.count % PER_FILE == 0:
            self.close()
            path = self.folder / f"{PREFIX}_{self.kind}_{self.count // PER_FILE:04d}.xml"
            self.stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
            self.stream.write(HEAD)
        self.stream.write(record)
        self.count += 1

    def close(self) -> None:
        if self.stream:
            self.stream.write(TAIL)
            self.stream.close()
            self.stream = None


def uai(number: int) -> str:
    digits = f"{980 + number // 10_000:03d}{number % 10_000:04d}"
    return digits + UAI_LETTERS[int(digits) % 23]


def generate(folder: Path, students: int, seed: int = 42) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    schools = max(1, round(students / 333))
    counts = dict.fromkeys(("EtabEducNat", "Eleve", "PersRelEleve", "PersEducNat", "MatiereEducNat",
                            "MefEducNat"), 0)
    files = {kind: Files(folder, kind) for kind in counts}
    for s in range(schools):
        ext = str(60000 + s)
        files["EtabEducNat"].add(request("EtabEducNat", "categorieStructure", ext, [
            attr("ENTStructureJointure", ext), attr("ENTStructureUAI", uai(s)),
            attr("ENTStructureNomCourant", f"COLLEGE$SYNTHETIQUE${s}"), attr("ENTStructureTypeStruct", "CLG")]))
    for code in range(200):
        files["MatiereEducNat"].add(request("MatEducNat", "categorieMatiere", f"{code:06d}", [
            attr("ENTMatJointure", f"{code:06d}"), attr("ENTLibelleMatiere", f"MATIERE {code}")]))
    for code in range(100):
        files["MefEducNat"].add(request("MefEducNat", "categorieMef", f"1{code:010d}", [
            attr("ENTMefJointure", f"1{code:010d}"), attr("ENTLibelleMef", f"MEF {code}")]))
    student_id, relative_id, staff_id = 1_000_000, 5_000_000, 9_000_000
    per_school = [students // schools + (1 if i < students % schools else 0) for i in range(schools)]
    for s, size in enumerate(per_school):
        sid = str(60000 + s)
        classes = max(1, -(-size // 25))
        names = [f"{LEVELS[k % 4][0][0]}{chr(65 + k // 4)}" for k in range(classes)]
        seat = 0
        while seat < size:
            children = min(size - seat, 2 if rng.random() < 0.2 else 1)
            parents = 2 if rng.random() < 0.6 else 1
            last = rng.choice(LAST)
            parent_ids = [str(relative_id + p) for p in range(parents)]
            relative_id += parents
            for pid in parent_ids:
                files["PersRelEleve"].add(request("PersRelEleve", "categoriePersonne", pid, [
                    attr("ENTPersonJointure", pid), attr("sn", last), attr("givenName", rng.choice(ADULT)),
                    attr("ENTPersonDateNaissance")]))
            for _child in range(children):
                k = seat % classes
                level, mef = LEVELS[k % 4]
                ext = str(student_id)
                student_id += 1
                files["Eleve"].add(request("Eleve", "categoriePersonne", ext, [
                    attr("ENTPersonJointure", ext), attr("sn", last), attr("givenName", rng.choice(FIRST)),
                    attr("ENTPersonDateNaissance", f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2013"),
                    attr("ENTPersonStructRattach", sid), attr("ENTEleveAutoriteParentale", *parent_ids),
                    attr("ENTElevePersRelEleve", *(f"{p}$1$1$1$0$0" for p in parent_ids)),
                    attr("ENTEleveMEF", mef), attr("ENTEleveLibelleMEF", level),
                    attr("ENTEleveClasses", f"{sid}${names[k]}"), attr("ENTEleveGroupes"),
                    attr("ENTEleveCodeEnseignements", "020700", "061300")]))
                seat += 1
        teachers = max(1, round(size * 0.08))
        for t in range(teachers + max(1, round(size * 0.02))):
            ext = str(staff_id)
            staff_id += 1
            teaching = t < teachers
            taught = sorted({names[t % classes], names[(t + 1) % classes]}) if teaching else []
            files["PersEducNat"].add(request("PersEducNat", "categoriePersonne", ext, [
                attr("ENTPersonJointure", ext), attr("sn", rng.choice(LAST)), attr("givenName", rng.choice(ADULT)),
                attr("ENTPersonDateNaissance", "01/02/1980"), attr("ENTPersonStructRattach", sid),
                attr("ENTAuxEnsClasses", *(f"{sid}${c}" for c in taught)),
                attr("PersEducNatPresenceDevantEleves", "O" if teaching else "N"),
                attr("ENTPersonFonctions", f"{sid}${'ENS' if teaching else 'EDU'}$X$L0000$X")]))
    for kind, writer in files.items():
        writer.close()
        counts[kind] = writer.count
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    counts = generate(args.folder, args.students, args.seed)
    print(", ".join(f"{kind} {n}" for kind, n in counts.items()), file=sys.stdout)


if __name__ == "__main__":
    main()
