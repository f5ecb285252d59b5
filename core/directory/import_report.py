"""The text report of a directory import (``preau import`` prints it; the imports page uses its labels): counts per
kind, the first rows of each kind of change, the problems.
"""

from __future__ import annotations

from typing import Any

from .imports import problem_text
from .sync_plan import RECORD_KINDS

ACTIONS = {"created": "créés", "updated": "modifiés", "unchanged": "inchangés", "reactivated": "réactivés"}
KIND_LABELS = {"structures": "Structures", "classes": "Classes", "groups": "Groupes", "subjects": "Matières",
               "mefs": "MEF", "persons": "Personnes", "teachers": "  enseignants", "students": "  élèves",
               "relatives": "  responsables", "personnel": "  personnels", "guests": "  invités"}
CHANGE_LABELS = {"created": "création", "updated": "modification", "pending_deletion": "attente de suppression",
                 "reactivated": "réactivation"}


def format_report(plan: Any, *, dry_run: bool, rows: int = 10, problems: int = 20) -> str:
    """The readable report: counts per kind, the first rows of each kind of change, the problems."""
    lines = ["Simulation (rien n'a été écrit)." if dry_run else "Import appliqué."]
    for kind in RECORD_KINDS:
        counts = plan.counts.get(kind, {})
        if any(counts.values()):
            lines.append(f"{KIND_LABELS[kind]:<16} " + ", ".join(
                f"{n} {ACTIONS[a]}" for a, n in counts.items() if n))
    lines.append(f"Comptes absents du flux (attente de suppression) : {plan.counts.get('pending_deletion', 0)}")
    for kind, changes in plan.first_changes(rows).items():
        lines.append(f"— {kind} :")
        for change in changes:
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            lines.append(f"    {CHANGE_LABELS.get(change.action, change.action)} : {change.label} "
                         f"[{change.external_id}]{fields}")
    if plan.problems:
        lines.append(f"Problèmes : {len(plan.problems)}")
        lines.extend(f"    {problem_text(p)}" for p in plan.problems[:problems])
        if len(plan.problems) > problems:
            lines.append(f"    … et {len(plan.problems) - problems} autres")
    return "\n".join(lines)
