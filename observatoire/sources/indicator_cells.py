"""Conversion des cellules d'indicateurs en lignes de la table ``valeurs``.

Chaque cellule donne (valeur, statut, tranche) ; les bornes du catalogue (0-100
pour un %) et l'unicité (territoire, niveau, indicateur, millésime) sont
contrôlées au fil de l'eau, toutes les anomalies étant accumulées.

Exemple ::

    cells = IndicatorCells(source, problems, catalogue)
    cells.add("QN00001A", "qpv", "taux_pauvrete", 2021, "43,9", line=3, column="TX_PAUV")
    cells.frame()
"""

from __future__ import annotations

import difflib

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import ProblemCollector
from observatoire.sources.values import (
    MARKERS_TEXT,
    CellValueError,
    parse_number_cell,
    thousands_dot,
)

COUNT_UNITS = ("nombre",)  # unités d'effectifs : une valeur fractionnaire est une erreur

VALUE_COLUMNS = [
    "code", "niveau", "indicateur", "annee", "valeur", "statut", "tranche",
    "numerateur", "denominateur", "source", "ligne",
]  # fmt: skip


def unknown_indicator(ident: str, catalogue: dict, problems: ProblemCollector, where: str) -> None:
    close = difflib.get_close_matches(ident, list(catalogue), n=1, cutoff=0.6)
    hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
    problems.add(
        "indicateur inconnu du catalogue" + hint,
        column=where,
        found=ident,
        expected="un identifiant de `observatoire indicateurs`, ou une section "
        f"[catalogue.{ident}] dans la configuration",
    )


class IndicatorCells:
    """Convertit les cellules en lignes de ``valeurs`` en accumulant les anomalies."""

    def __init__(self, source: SourceConfig, problems: ProblemCollector, catalogue: dict) -> None:
        self.source = source
        self.problems = problems
        self.catalogue = catalogue
        self.rows: list[dict] = []
        self.seen: dict[tuple, int] = {}
        self.decimal_comma = False  # fichier « ; » à virgule décimale : 4.811 y est suspect

    def number(self, text: object, line: int, column: str) -> tuple[float | None, str, str | None]:
        try:
            return parse_number_cell(text)
        except CellValueError as exc:
            self.problems.add(
                exc.reason, row=line, column=column, found=text, expected=exc.expected
            )
            return None, "invalide", None
        except ValueError:
            self.problems.add(
                "cellule non numérique", row=line, column=column, found=text, expected=MARKERS_TEXT
            )
            return None, "invalide", None

    def add(
        self,
        code: str,
        niveau: str,
        ident: str,
        year: int,
        cell: object,
        line: int,
        column: str,
        num: float | None = None,
        den: float | None = None,
    ) -> None:
        """Ajoute une cellule (contrôle du nombre, des bornes du catalogue, des doublons)."""
        value, status, band = self.number(cell, line, column)
        if status == "invalide":
            return
        entry = self.catalogue[ident]
        if value is not None and not self._plausible(value, cell, entry, ident, line, column):
            return
        lo, hi = entry.get("min"), entry.get("max")
        if value is not None and (
            (lo is not None and not pd.isna(lo) and value < lo)
            or (hi is not None and not pd.isna(hi) and value > hi)
        ):
            bounds = f"entre {_fmt(lo)} et {_fmt(hi)}" if not pd.isna(hi) else f"≥ {_fmt(lo)}"
            self.problems.add(
                f"valeur hors des bornes de l'indicateur « {ident} » ({entry['unite']})",
                row=line, column=column, found=cell, expected=f"une valeur {bounds}",
            )  # fmt: skip
            return
        key = (code, niveau, ident, year)
        if key in self.seen:
            self.problems.add(
                f"valeur en double pour {code} ({niveau}), « {ident} », {year} "
                f"(déjà à la ligne {self.seen[key]})",
                row=line, column=column, found=cell,
                expected="une seule valeur par territoire, indicateur et millésime",
            )  # fmt: skip
            return
        self.seen[key] = line
        self.rows.append({
            "code": code, "niveau": niveau, "indicateur": ident, "annee": year,
            "valeur": value, "statut": status, "tranche": band,
            "numerateur": num, "denominateur": den, "source": self.source.name, "ligne": line,
        })  # fmt: skip

    def _plausible(
        self, value: float, cell: object, entry: dict, ident: str, line: int, column: str
    ) -> bool:
        """Faux (erreur ajoutée) pour un point des milliers ou un effectif fractionnaire."""
        count = entry.get("unite") in COUNT_UNITS
        meant = thousands_dot(cell) if isinstance(cell, str) else None
        if meant and (count or self.decimal_comma):
            why = (
                f"effectif « {ident} » avec un point"
                if count
                else "nombre groupé par points dans un fichier à virgule décimale"
            )
            self.problems.add(
                f"{why} : point des milliers ? (valeur probablement voulue : {meant})",
                row=line, column=column, found=cell,
                expected=f"{meant} écrit sans point (ou {str(cell).replace('.', ',')} si c'est "
                "bien une décimale, avec une virgule)",
            )  # fmt: skip
            return False
        if count and not float(value).is_integer():
            self.problems.add(
                f"effectif « {ident} » non entier (unité : {entry.get('unite')})",
                row=line, column=column, found=cell,
                expected="un nombre entier de personnes ou d'unités (ex. 4 811)",
            )  # fmt: skip
            return False
        return True

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=VALUE_COLUMNS)
        frame["annee"] = frame["annee"].astype(int)
        for col in ("valeur", "numerateur", "denominateur"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        frame["tranche"] = frame["tranche"].astype(object).where(frame["tranche"].notna(), None)
        frame["ligne"] = pd.array(frame["ligne"], dtype="Int64")
        return frame


def _fmt(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def fraction_warning(frame: pd.DataFrame, catalogue: dict, problems: ProblemCollector) -> None:
    """Avertit si un taux en % semble donné en fraction (toutes les valeurs ≤ 1)."""
    ok = frame[frame["statut"] == "ok"]
    for ident, group in ok.groupby("indicateur"):
        if catalogue[ident]["unite"] == "%" and len(group) >= 3 and group["valeur"].max() <= 1:
            problems.warn(
                f"les valeurs de « {ident} » sont toutes ≤ 1 : taux donné en fraction ?",
                found=f"max {group['valeur'].max():g}",
                expected="des pourcentages (43,9 pour 43,9 %)",
            )
