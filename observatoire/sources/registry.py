"""Registre des adaptateurs d'entrée : un type de source → une fonction de chargement.

Ajouter un format d'entrée = un nouveau module qui expose ``ADAPTERS`` + une ligne
dans :data:`ADAPTER_MODULES`. Chaque adaptateur lit un fichier décrit par une
section ``[sources.NOM]`` et renvoie des tables canoniques (voir
:mod:`observatoire.schemas`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from observatoire.config import Config, SourceConfig
    from observatoire.errors import Problem

# Une ligne par module d'adaptateurs.
ADAPTER_MODULES = [
    "observatoire.sources.geography",
    "observatoire.sources.contours",
    "observatoire.sources.correspondance",
    "observatoire.sources.indicators",
    "observatoire.sources.participation",
    "observatoire.sources.decidim_inscriptions",
    "observatoire.sources.contrat",
    "observatoire.sources.scdl",
    "observatoire.sources.budget_participatif",
    "observatoire.sources.vivier",
    "observatoire.sources.concertations",
    "observatoire.sources.petitions",
    "observatoire.sources.remontees",
    "observatoire.sources.instances",
]


@dataclass
class LoadContext:
    """Ce qu'un adaptateur voit pendant le chargement."""

    config: Config
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)  # table → fichiers en erreur


@dataclass(frozen=True)
class Adapter:
    """Un type de source déclarable dans ``observatoire.toml``."""

    type: str
    tables: tuple[str, ...]
    load: Callable[[SourceConfig, LoadContext], dict[str, Any]]
    options: dict[str, str] = field(default_factory=dict)  # clé → description (README)
    needs: tuple[str, ...] = ()  # tables canoniques à charger avant (ex. "territoires")
    file_options: tuple[str, ...] = ()  # options qui nomment un fichier annexe (clé de cache)
    description: str = ""


@cache
def adapters() -> dict[str, Adapter]:
    """Tous les adaptateurs connus, par type."""
    found: dict[str, Adapter] = {}
    for module_name in ADAPTER_MODULES:
        module = importlib.import_module(module_name)
        for adapter in getattr(module, "ADAPTERS", []):
            found[adapter.type] = adapter
    return found


def known_types() -> set[str]:
    return set(adapters())


def adapter_options(source_type: str) -> dict[str, str]:
    return adapters()[source_type].options
