"""Modèle des tableaux exportés : colonnes typées, cellules, statuts, formats d'affichage.

Un :class:`Table` est une liste de lignes prêtes à écrire : chaque cellule est un nombre
(affiché selon le *genre* de sa colonne, ou le sien s'il est donné par :class:`Value`),
un texte, ou un statut en toutes lettres (secret, absent, masqué) — jamais 0 ni une
case vide qui se lirait comme 0. Les écrivains XLSX et CSV
(:mod:`observatoire.exports.tables_write`) ne calculent rien.

Exemple ::

    t = Table("Portrait", "portrait", "Chiffres clés", [Column("Code", "texte"),
              Column("Valeur", "pourcent")], [["QN00001A", 43.9]])
    value_cell(43.9, "%", "ok")      # Value(43.9, 'pourcent')
    value_cell(None, "%", "secret")  # 'secret'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import pandas as pd

# Genre d'une colonne numérique → format d'affichage XLSX (Excel l'affiche à la française :
# espace des milliers, virgule décimale). « pourcent » : valeur en points (43,9) stockée
# en fraction (0,439) dans le XLSX ; « fraction » : déjà en fraction.
FORMATS = {
    "entier": "#,##0",
    "annee": "0",
    "nombre": "#,##0.0",
    "decimal1": "#,##0.0",
    "decimal2": "#,##0.00",
    "decimal3": "0.000",
    "ratio": "0.00",
    "pourcent": "0.0%",
    "fraction": "0.0%",
    "points": '+0.0" pts";-0.0" pts";0.0" pts"',
    "euros": '#,##0 "€"',
    "euros2": '#,##0.00 "€"',
    "ecart_euros": '+#,##0 "€";-#,##0 "€";0 "€"',
    "ecart_nombre": "+#,##0.0;-#,##0.0;0",
    "ans": '0.0" ans"',
}
PERCENT_KINDS = ("pourcent", "fraction")
TEXT = "texte"

# Statuts : texte court dans la cellule de valeur, texte long dans la colonne « Statut ».
STATUS_SHORT = {"secret": "secret", "absent": "n.d."}
STATUS_LONG = {"secret": "secret statistique", "absent": "donnée non disponible"}
MISSING = "n.d."
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_FORBIDDEN = set("[]:*?/\\")


class Value(NamedTuple):
    """Un nombre avec son propre genre d'affichage (colonne aux unités mêlées)."""

    number: float | int | Decimal
    kind: str


@dataclass
class Column:
    """Une colonne : titre français et genre (``texte`` ou une clé de :data:`FORMATS`)."""

    title: str
    kind: str = TEXT


@dataclass
class Table:
    """Un tableau exporté : une feuille XLSX ou un fichier CSV."""

    sheet: str
    slug: str
    description: str
    columns: list[Column]
    rows: list[list[Any]]
    indicators: set[str] = field(default_factory=set)  # définitions à donner (Lisez-moi)

    def drop_empty_columns(self, titles: tuple[str, ...]) -> Table:
        """Retire les colonnes facultatives ``titles`` entièrement vides."""
        keep = [
            i
            for i, c in enumerate(self.columns)
            if c.title not in titles or any(not is_missing(r[i]) for r in self.rows)
        ]
        self.columns = [self.columns[i] for i in keep]
        self.rows = [[r[i] for i in keep] for r in self.rows]
        return self


@dataclass(frozen=True)
class Absent:
    """Un tableau sans données : la phrase du rapport, reprise dans le Lisez-moi."""

    sheet: str
    reason: str


def is_missing(value: object) -> bool:
    """Vrai pour ``None``, ``NaN``, ``NA``, ``NaT`` (jamais écrits tels quels)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    try:
        return bool(pd.isna(value)) if not isinstance(value, str | Value) else False
    except (TypeError, ValueError):
        return False


def unit_kind(unit: object) -> str:
    """Genre d'affichage d'une valeur d'indicateur selon l'unité du catalogue."""
    return {"%": "pourcent", "€": "euros", "ratio": "ratio", "indice": "ratio", "ans": "ans"}.get(
        str(unit), "nombre"
    )


def gap_kind(unit: object) -> str:
    """Genre d'un écart : points pour un taux, euros signés, sinon nombre signé."""
    return {"%": "points", "€": "ecart_euros"}.get(str(unit), "ecart_nombre")


def number_or(value: object, missing: str = MISSING) -> Any:
    """Le nombre, ou ``missing`` en texte s'il est inconnu (jamais 0, jamais vide)."""
    return missing if is_missing(value) else value


def value_cell(value: object, unit: object, statut: object) -> Any:
    """Cellule d'une valeur d'indicateur : nombre au format de son unité, sinon le statut."""
    if statut not in (None, "ok") or is_missing(value):
        return STATUS_SHORT.get(str(statut), MISSING)
    return Value(float(value), unit_kind(unit))  # type: ignore[arg-type]


def status_text(value: object, statut: object) -> str:
    """Statut en toutes lettres (vide pour une valeur publiée)."""
    if statut not in (None, "ok"):
        return STATUS_LONG.get(str(statut), str(statut))
    return STATUS_LONG["absent"] if is_missing(value) else ""


def yes_no(value: object) -> str:
    """« oui » / « non » ; vide si inconnu."""
    if is_missing(value):
        return ""
    return "oui" if bool(value) else "non"


def neutralise(text: str) -> str:
    """Texte qu'un tableur ne peut pas prendre pour une formule (préfixe apostrophe).

    >>> neutralise("=HYPERLINK(1)"), neutralise("Valbrume")
    ("'=HYPERLINK(1)", 'Valbrume')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def clean_text(value: object) -> str:
    """Texte d'une cellule : jamais ``None``/``nan``, formules neutralisées."""
    if is_missing(value):
        return ""
    text = str(value)
    return neutralise(text)


def sheet_name(title: str, used: set[str]) -> str:
    """Nom de feuille valide (≤ 31 caractères, sans ``[]:*?/\\``) et unique."""
    base = "".join("-" if c in SHEET_FORBIDDEN else c for c in title).strip("'") or "Tableau"
    base = base[:31]
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name
