"""The value handed to plugins' ``preau_demo_data``: the demo's structures, classes and known accounts by name.

Apart from :mod:`preau.demo` (which builds the demo through the kernel's services) so that the hook contract can
name its type without importing the builder.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import SchoolClass, Structure, User


@dataclass(frozen=True)
class DemoDirectory:
    """The demo's structures, classes and known accounts, handed to plugins' ``preau_demo_data``."""

    city: Structure
    ferry: Structure  # École élémentaire Jules-Ferry
    curie: Structure  # Collège Marie-Curie
    cm2a: SchoolClass
    cm1: SchoolClass
    sixb: SchoolClass
    cinqa: SchoolClass
    admin: User
    direction: User  # directeur and ADML of Jules-Ferry
    martin: User  # teacher of CM2 A
    bernard: User  # teacher of 6e B at Marie-Curie, parent at Jules-Ferry
    lea: User  # CM2 A
    tom: User  # 6e B
    colin: User  # parent of Léa and Tom
    durand: User  # staff of Jules-Ferry
