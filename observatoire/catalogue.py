"""Catalogue des indicateurs : le catalogue intégré, étendu par la configuration.

Le catalogue intégré (``observatoire/data/catalogue.toml``) décrit les indicateurs
usuels des QPV : identifiant, libellé français, unité, thème, polarité, définition,
source productrice, indicateur de pondération, bornes. Une section
``[catalogue.ID]`` de ``observatoire.toml`` surcharge un indicateur existant ou en
déclare un nouveau.

Exemple ::

    catalogue, problems = build_catalogue(config)
    catalogue.set_index("id").loc["taux_pauvrete", "libelle"]   # 'Taux de pauvreté'
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from observatoire.errors import Problem
from observatoire.schemas.indicators import UNITES

if TYPE_CHECKING:
    from observatoire.config import Config

BUILTIN_PATH = Path(__file__).resolve().parent / "data" / "catalogue.toml"
COLUMNS = (
    "id",
    "libelle",
    "unite",
    "theme",
    "polarite",
    "definition",
    "source",
    "poids",
    "min",
    "max",
)
KEYS = COLUMNS[1:]
_ID = re.compile(r"^[a-z0-9_]+$")


@cache
def _builtin_entries() -> dict[str, dict[str, Any]]:
    return tomllib.loads(BUILTIN_PATH.read_text(encoding="utf-8"))


def builtin_ids() -> list[str]:
    """Identifiants du catalogue intégré, dans l'ordre du fichier."""
    return list(_builtin_entries())


def builtin_catalogue() -> pd.DataFrame:
    """Le catalogue intégré seul (sans surcharge).

    >>> builtin_catalogue().set_index("id").loc["population", "unite"]
    'nombre'
    """
    return _to_frame({k: dict(v) for k, v in _builtin_entries().items()})


def _to_frame(entries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for ident, entry in entries.items():
        rows.append(
            {
                "id": ident,
                "libelle": str(entry.get("libelle", ident)),
                "unite": str(entry.get("unite", "nombre")),
                "theme": str(entry.get("theme", "Autres indicateurs")),
                "polarite": int(entry.get("polarite", 0)),
                "definition": entry.get("definition"),
                "source": entry.get("source"),
                "poids": entry.get("poids"),
                "min": float(entry["min"]) if entry.get("min") is not None else float("nan"),
                "max": float(entry["max"]) if entry.get("max") is not None else float("nan"),
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["polarite"] = frame["polarite"].astype(int)
    frame["min"] = frame["min"].astype(float)
    frame["max"] = frame["max"].astype(float)
    for col in ("definition", "source", "poids"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def build_catalogue(config: Config | None) -> tuple[pd.DataFrame, list[Problem]]:
    """Catalogue intégré surchargé par ``[catalogue.ID]`` ; renvoie (table, anomalies).

    Une clé inconnue, une unité ou une polarité invalide, un nouvel indicateur sans
    libellé ou une pondération vers un indicateur inconnu donnent une anomalie
    (l'entrée fautive est ignorée). Sans configuration : le catalogue intégré.
    """
    entries = {k: dict(v) for k, v in _builtin_entries().items()}
    problems: list[Problem] = []
    if config is None:
        return _to_frame(entries), problems
    file = str(config.path.name)

    def bad(ident: str, key: str | None, message: str, found=None, expected=None) -> None:
        where = f"[catalogue.{ident}]" + (f" {key}" if key else "")
        problems.append(Problem(file, message, column=where, found=found, expected=expected))

    for ident, spec in (config.catalogue or {}).items():
        if not isinstance(spec, dict):
            bad(ident, None, "une entrée du catalogue doit être une table", spec, "[catalogue.ID]")
            continue
        if not _ID.match(str(ident)):
            bad(ident, None, "identifiant d'indicateur invalide", ident, "minuscules, chiffres, _")
            continue
        entry = dict(entries.get(ident, {}))
        ok = True
        for key, value in spec.items():
            if key not in KEYS:
                bad(ident, key, "clé inconnue", key, "une des clés : " + ", ".join(KEYS))
                ok = False
            elif key == "unite" and value not in UNITES:
                bad(ident, key, "unité invalide", value, "une des unités : " + ", ".join(UNITES))
                ok = False
            elif key == "polarite" and value not in (-1, 0, 1):
                bad(ident, key, "polarité invalide", value, "-1 (défavorable), 0 ou 1 (favorable)")
                ok = False
            elif key in ("min", "max") and not _is_number(value):
                bad(ident, key, "borne invalide", value, "un nombre")
                ok = False
            elif key not in ("polarite", "min", "max") and not isinstance(value, str):
                bad(ident, key, "valeur invalide", value, "un texte entre guillemets")
                ok = False
            else:
                entry[key] = value
        if ident not in entries and not spec.get("libelle"):
            bad(
                ident,
                "libelle",
                "un nouvel indicateur doit avoir un libellé",
                None,
                'libelle = "…"',
            )
            ok = False
        if ident not in entries and "unite" not in spec:
            bad(ident, "unite", "un nouvel indicateur doit avoir une unité", None, 'unite = "%"')
            ok = False
        if ok and ident not in entries and entry.get("unite") == "%":
            entry.setdefault("min", 0)
            entry.setdefault("max", 100)
        lo, hi = entry.get("min"), entry.get("max")
        if ok and _is_number(lo) and _is_number(hi) and lo > hi:
            bad(ident, "min", "borne minimale supérieure à la borne maximale", lo, f"≤ {hi}")
            ok = False
        if ok:
            entries[ident] = entry
    for ident, entry in entries.items():
        poids = entry.get("poids")
        if poids and poids not in entries:
            bad(
                ident,
                "poids",
                "indicateur de pondération inconnu du catalogue",
                poids,
                "l'identifiant d'un indicateur du catalogue (ex. population)",
            )
            entry["poids"] = None
    return _to_frame(entries), problems


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
