"""Tables de géographie : territoires, correspondances 2015→2024, contours."""

from __future__ import annotations

import pandera.pandas as pa

NIVEAUX = (
    "qpv",
    "commune",
    "epci",
    "ept",
    "unite_urbaine",
    "departement",
    "region",
    "france",
    "france_metropolitaine",
    "ensemble_qpv",
)

territoires = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_length(1, 20)),
        "niveau": pa.Column(str, pa.Check.isin(NIVEAUX)),
        "nom": pa.Column(str, nullable=True),
        "generation": pa.Column("Int64", pa.Check.isin([2015, 2024]), nullable=True),
        # codes des communes séparés par « ; » (un quartier peut en couvrir plusieurs)
        "communes": pa.Column(str, nullable=True),
        "epci": pa.Column(str, nullable=True),
        "departement": pa.Column(str, nullable=True),
        "region": pa.Column(str, nullable=True),
        "source": pa.Column(str, nullable=True, required=False),
    },
    unique=["code", "niveau"],
    strict=False,
    name="territoires",
)

correspondances = pa.DataFrameSchema(
    {
        "code_2015": pa.Column(str, nullable=True),
        "code_2024": pa.Column(str, nullable=True),
        # part de la population du quartier 2015 reprise dans le quartier 2024
        "part": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "relation": pa.Column(
            str,
            pa.Check.isin(["identique", "scission", "fusion", "modification", "sortie", "entree"]),
        ),
    },
    strict=False,
    name="correspondances",
)

contours = pa.DataFrameSchema(
    {
        "code": pa.Column(str, unique=True),
        "nom": pa.Column(str, nullable=True),
        "generation": pa.Column("Int64", nullable=True),
        "geometry": pa.Column(nullable=False),
    },
    strict=False,
    name="contours",
)

communes_contours = pa.DataFrameSchema(
    {
        "code": pa.Column(str, unique=True),
        "nom": pa.Column(str, nullable=True),
        "geometry": pa.Column(nullable=False),
    },
    strict=False,
    name="communes_contours",
)

SCHEMAS = {
    "territoires": territoires,
    "correspondances": correspondances,
    "contours": contours,
    "communes_contours": communes_contours,
}
