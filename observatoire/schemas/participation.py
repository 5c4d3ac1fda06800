"""Tables de la participation des habitants : ``evenements`` et ``presences``.

``evenements`` : une ligne par réunion ou événement (feuille tenue à la main,
export Decidim). ``presences`` : une ligne par personne et par événement, avec un
identifiant **pseudonyme** (jamais de nom, d'e-mail, de téléphone ni d'adresse).

Tranches d'âge canoniques : celles de la pyramide des âges du catalogue
(``pop_hommes_0_14`` … ``pop_femmes_75_plus``), voir :data:`TRANCHES_AGE`.

Exemple ::

    from observatoire.schemas.participation import evenements
    evenements.validate(frame)
"""

from __future__ import annotations

import pandera.pandas as pa

# tranche canonique → suffixe des indicateurs de population du catalogue
TRANCHES_AGE: dict[str, str] = {
    "0-14": "0_14",
    "15-29": "15_29",
    "30-44": "30_44",
    "45-59": "45_59",
    "60-74": "60_74",
    "75+": "75_plus",
}
# colonnes de ventilation par âge de la table evenements
COLONNES_AGE: dict[str, str] = {t: f"age_{s}" for t, s in TRANCHES_AGE.items()}
SEXES = ("F", "H")

DISPOSITIFS_PAR_DEFAUT = (
    "conseil citoyen",
    "réunion publique",
    "atelier de concertation",
    "CCSPL",
    "permanence",
    "balade urbaine",
    "budget participatif",
)


def _count(**kwargs) -> pa.Column:
    return pa.Column("Int64", pa.Check.ge(0), nullable=True, **kwargs)


evenements = pa.DataFrameSchema(
    {
        "id": pa.Column(str, unique=True),
        "date": pa.Column("datetime64[ns]"),
        "annee": pa.Column(int, pa.Check.in_range(1990, 2100)),
        # codes QPV séparés par « ; » ; vide = événement à l'échelle du territoire
        "quartiers": pa.Column(str, nullable=True),
        "dispositif": pa.Column(str),
        "titre": pa.Column(str, nullable=True),
        "lieu": pa.Column(str, nullable=True),
        # identifiant de la démarche de concertation (table concertations) ; NA : aucune
        "demarche": pa.Column(str, nullable=True),
        # nombre de participants ; absent (NA) si inconnu, jamais 0 par défaut
        "participants": _count(),
        "femmes": _count(),
        "hommes": _count(),
        **{col: _count() for col in COLONNES_AGE.values()},
        "habitants_qpv": _count(),
        "origine": pa.Column(str, pa.Check.isin(["feuille", "decidim"])),
        "source": pa.Column(str),
        "ligne": pa.Column("Int64", nullable=True),
    },
    checks=[
        pa.Check(
            lambda df: ~(df[["femmes", "hommes"]].sum(axis=1, min_count=1) > df["participants"]),
            error="femmes + hommes ≤ participants",
        ),
        pa.Check(
            lambda df: ~(df["habitants_qpv"] > df["participants"]).fillna(False),
            error="habitants_qpv ≤ participants",
        ),
    ],
    strict=False,
    name="evenements",
)

presences = pa.DataFrameSchema(
    {
        "evenement": pa.Column(str),
        # identifiant pseudonyme (HMAC-SHA256) ou fourni déjà pseudonyme par l'agent
        "personne": pa.Column(str, pa.Check.str_length(1, 64), nullable=True),
        "sexe": pa.Column(str, pa.Check.isin(list(SEXES)), nullable=True),
        "tranche_age": pa.Column(str, pa.Check.isin(list(TRANCHES_AGE)), nullable=True),
        "habite_qpv": pa.Column("boolean", nullable=True),
        "quartier_residence": pa.Column(str, nullable=True),
        "premiere_participation": pa.Column("boolean", nullable=True),
        "source": pa.Column(str),
        "ligne": pa.Column("Int64", nullable=True),
    },
    strict=False,
    name="presences",
)

SCHEMAS = {"evenements": evenements, "presences": presences}
