"""Petites tables canoniques faites main (tests/fixtures/analyses/) pour les tests d'analyses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from observatoire.catalogue import builtin_catalogue

HERE = Path(__file__).resolve().parent / "fixtures" / "analyses"
CODES = ["QN00001A", "QN00002A", "QN00003A", "QN00004A", "QN00005A"]


def load(name: str) -> pd.DataFrame:
    """Lit une table canonique CSV de la fixture, codes en texte."""
    text_cols = {"code": str, "communes": str, "epci": str, "departement": str, "region": str}
    text_cols |= {"code_2015": str, "code_2024": str, "tranche": str, "source": str}
    frame = pd.read_csv(
        HERE / f"{name}.csv",
        dtype=text_cols,
        keep_default_na=False,
        na_values={
            "valeur": [""],
            "numerateur": [""],
            "denominateur": [""],
            "part": [""],
            "generation": [""],
        },
    )
    for col in ("communes", "epci", "departement", "region", "tranche"):
        if col in frame:
            frame[col] = frame[col].replace("", None)
    if "generation" in frame:
        frame["generation"] = frame["generation"].astype("Int64")
    if "annee" in frame:
        frame["annee"] = frame["annee"].astype(int)
    return frame


def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(valeurs, territoires, correspondances, catalogue) de la fixture."""
    return load("valeurs"), load("territoires"), load("correspondances"), builtin_catalogue()
