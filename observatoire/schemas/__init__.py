"""Schémas pandera des tables canoniques (le cœur du modèle de données).

Chaque famille déclare ses schémas dans son module ; :data:`SCHEMAS` les réunit.
:func:`validate_table` renvoie les anomalies sous forme de :class:`Problem`
localisées (source, ligne du fichier d'origine quand elle est connue).

Colonnes de provenance communes à toutes les tables issues d'un fichier :
``source`` (nom de la source dans observatoire.toml) et ``ligne`` (numéro de
ligne dans le fichier d'origine).
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from observatoire.errors import Problem
from observatoire.schemas import contrat, democratie, geography, indicators, participation

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    **geography.SCHEMAS,
    **indicators.SCHEMAS,
    **participation.SCHEMAS,
    **contrat.SCHEMAS,
    **democratie.SCHEMAS,
}


def empty_table(name: str) -> pd.DataFrame:
    """Table canonique vide avec ses colonnes et types."""
    schema = SCHEMAS[name]
    frame = pd.DataFrame({col: pd.Series(dtype=_dtype(c)) for col, c in schema.columns.items()})
    if name in ("contours", "communes_contours"):
        import geopandas as gpd

        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:2154"))
    return frame


def _dtype(column: pa.Column) -> object:
    dtype = column.dtype
    if dtype is None:
        return object
    text = str(dtype)
    if text in ("str", "string"):
        return object
    return text


def validate_table(name: str, frame: pd.DataFrame, file: str | None = None) -> list[Problem]:
    """Valide ``frame`` contre le schéma ``name`` ; renvoie les anomalies (toutes)."""
    schema = SCHEMAS[name]
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _to_problems(name, frame, exc.failure_cases, file)
    return []


def _to_problems(name: str, frame: pd.DataFrame, cases: pd.DataFrame, file: str | None):
    problems: list[Problem] = []
    for case in cases.itertuples(index=False):
        idx = getattr(case, "index", None)
        column = getattr(case, "column", None)
        check = str(getattr(case, "check", ""))
        found = getattr(case, "failure_case", None)
        row = None
        src = file or name
        if idx is not None and not pd.isna(idx) and idx in frame.index:
            rec = frame.loc[idx]
            if isinstance(rec, pd.DataFrame):
                rec = rec.iloc[0]
            if "ligne" in frame.columns and not pd.isna(rec.get("ligne")):
                row = int(rec["ligne"])
            if "source" in frame.columns and file is None and isinstance(rec.get("source"), str):
                src = rec["source"]
        problems.append(
            Problem(
                src,
                f"table {name} : contrôle « {_check_fr(check)} » non respecté",
                row=row,
                column=None if column is None or pd.isna(column) else str(column),
                found=found,
                expected=_check_fr(check),
            )
        )
    return problems


def _check_fr(check: str) -> str:
    table = {
        "not_nullable": "une valeur renseignée",
        "field_uniqueness": "des valeurs uniques",
        "multiple_fields_uniqueness": "une seule ligne par clé",
        "column_in_dataframe": "la colonne présente",
    }
    for key, text in table.items():
        if key in check:
            return text
    bounds = {  # contrôles paramétrés de pandera, en français
        r"in_range\((.+), (.+)\)": "une valeur entre {0} et {1}",
        r"greater_than_or_equal_to\((.+)\)": "une valeur supérieure ou égale à {0}",
        r"less_than_or_equal_to\((.+)\)": "une valeur inférieure ou égale à {0}",
        r"greater_than\((.+)\)": "une valeur supérieure à {0}",
        r"less_than\((.+)\)": "une valeur inférieure à {0}",
        r"isin\((.+)\)": "une valeur parmi {0}",
    }
    for pattern, text in bounds.items():
        match = re.fullmatch(pattern, check)
        if match:
            return text.format(*match.groups())
    return check
