"""Tables des indicateurs : catalogue et valeurs longues avec statut."""

from __future__ import annotations

import pandera.pandas as pa

UNITES = ("%", "€", "nombre", "ratio", "indice", "ans")
STATUTS = ("ok", "secret", "absent")

catalogue = pa.DataFrameSchema(
    {
        "id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "libelle": pa.Column(str),
        "unite": pa.Column(str, pa.Check.isin(UNITES)),
        "theme": pa.Column(str),
        # -1 : une valeur élevée est défavorable ; +1 : favorable ; 0 : neutre
        "polarite": pa.Column(int, pa.Check.isin([-1, 0, 1])),
        "definition": pa.Column(str, nullable=True),
        "source": pa.Column(str, nullable=True),
        # indicateur servant de pondération pour les agrégats (ex. population)
        "poids": pa.Column(str, nullable=True),
        "min": pa.Column(float, nullable=True),
        "max": pa.Column(float, nullable=True),
    },
    strict=False,
    name="catalogue",
)

valeurs = pa.DataFrameSchema(
    {
        "code": pa.Column(str),
        "niveau": pa.Column(str),
        "indicateur": pa.Column(str),
        "annee": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "valeur": pa.Column(float, nullable=True),
        "statut": pa.Column(str, pa.Check.isin(STATUTS)),
        "tranche": pa.Column(str, nullable=True),
        "numerateur": pa.Column(float, nullable=True),
        "denominateur": pa.Column(float, nullable=True),
        "source": pa.Column(str),
        "ligne": pa.Column("Int64", nullable=True),
    },
    checks=[
        # une valeur « ok » est renseignée ; une valeur secrète ou absente ne l'est pas
        pa.Check(
            lambda df: (df["statut"] == "ok") == df["valeur"].notna(),
            error="valeur renseignée si et seulement si statut = ok",
        )
    ],
    unique=["code", "niveau", "indicateur", "annee"],
    strict=False,
    name="valeurs",
)

SCHEMAS = {"catalogue": catalogue, "valeurs": valeurs}
