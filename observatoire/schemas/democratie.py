"""Tables de la démocratie participative : démarches de concertation et leurs contributions,
pétitions et signatures, remontées des usagers, séances et avis des instances, budget
participatif (projets, votes agrégés) et vivier d'un panel citoyen tiré au sort.

Règles communes : dates en ``datetime64[ns]`` (jour, heure de Paris ramenée à minuit) ;
une valeur absente reste ``<NA>``/``NaT`` (jamais 0 ni une date inventée) ; codes de
quartier séparés par « ; » et vides pour « tout le territoire » ; texte libre déjà
examiné (données personnelles refusées ou retirées) par le lecteur ; aucune table ne
porte de nom, d'e-mail, de téléphone ou d'adresse d'un habitant. Montants en
**centimes entiers** comme le contrat de ville.

Exemple ::

    from observatoire.schemas.democratie import concertations
    concertations.validate(frame)
"""

from __future__ import annotations

import pandera.pandas as pa

from observatoire.schemas.participation import SEXES, TRANCHES_AGE

# niveaux de l'échelle de la participation (du moins au plus engageant)
NIVEAUX = ("information", "consultation", "concertation", "co-construction")
STATUTS_DEMARCHE = ("programmée", "en cours", "terminée", "abandonnée")
SUITES = ("retenue", "partiellement retenue", "non retenue", "hors sujet")
STATUTS_PETITION = ("déposée", "recevable", "irrecevable", "seuil atteint", "panel", "réponse")
CANAUX = (
    "accueil",
    "réseaux sociaux",
    "acteur de terrain",
    "permanence",
    "e-mail",
    "téléphone",
    "courrier",
    "application",
)
STATUTS_REMONTEE = ("nouvelle", "en cours", "traitée", "sans suite")
STATUTS_PROJET = ("déposé", "recevable", "non recevable", "soumis au vote", "lauréat", "réalisé",
                  "abandonné")  # fmt: skip


def _text(nullable: bool = True, **kw) -> pa.Column:
    return pa.Column(str, nullable=nullable, **kw)


def _date(nullable: bool = True) -> pa.Column:
    return pa.Column("datetime64[ns]", nullable=nullable)


def _count() -> pa.Column:
    return pa.Column("Int64", pa.Check.ge(0), nullable=True)


_PROVENANCE = {"source": pa.Column(str), "ligne": pa.Column("Int64", nullable=True)}

concertations = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "objet": _text(False),
        "service": _text(),  # service porteur
        "elu": _text(),  # élu·e référent·e (rôle public : nom admis)
        "niveau": _text(False, checks=pa.Check.isin(NIVEAUX)),
        "quartiers": _text(),  # codes QPV « ; » ; vide = tout le territoire
        "debut": _date(False),
        "fin": _date(),
        "annee": pa.Column(int, pa.Check.in_range(1990, 2100)),  # année du début
        "dispositifs": _text(),  # « ; »
        "publics": _text(),  # publics visés, « ; » (ex. « moins de 25 ans;habitants QPV »)
        "statut": _text(False, checks=pa.Check.isin(STATUTS_DEMARCHE)),
        "priorite": _text(),  # arbitrage des élus, tel que le fichier l'écrit (« 1 », « haute »)
        "date_bilan": _date(),  # publication du bilan ; NaT = pas de bilan publié
        "lien_bilan": _text(),
        "prochaines_etapes": _text(),
        **_PROVENANCE,
    },
    strict=False,
    name="concertations",
)

contributions = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "demarche": _text(False),  # concertations.id
        "date": _date(),
        "theme": _text(),
        "quartier": _text(),
        "suite": _text(checks=pa.Check.isin(SUITES)),  # NA : pas encore de suite donnée
        "justification": _text(),
        **_PROVENANCE,
    },
    strict=False,
    name="contributions",
)

petitions = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "titre": _text(False),
        "depot": _date(False),
        "seuil": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "statut": _text(False, checks=pa.Check.isin(STATUTS_PETITION)),
        "quartiers": _text(),
        "signatures": _count(),  # total déclaré par le fichier (sinon : dernier cumul)
        "date_seuil": _date(),  # date où le seuil a été atteint, si le fichier la donne
        "date_reponse": _date(),
        **_PROVENANCE,
    },
    strict=False,
    name="petitions",
)

signatures = pa.DataFrameSchema(
    {
        "petition": _text(False),
        "date": _date(False),
        "cumul": pa.Column("Int64", pa.Check.ge(0)),  # signatures cumulées à cette date
        **_PROVENANCE,
    },
    unique=["petition", "date"],
    strict=False,
    name="signatures",
)

remontees = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "date": _date(False),
        "canal": _text(False, checks=pa.Check.isin(CANAUX)),
        "quartier": _text(),
        "theme": _text(),
        "service": _text(),  # service saisi
        "statut": _text(False, checks=pa.Check.isin(STATUTS_REMONTEE)),
        "date_traitement": _date(),
        **_PROVENANCE,
    },
    strict=False,
    name="remontees",
)

seances = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "instance": _text(False),  # ex. « CCSPL », « Conseil citoyen des Hauts »
        "date": _date(False),
        "quartier": _text(),
        "participants": _count(),
        "membres": _count(),  # membres convoqués (taux de présence)
        **_PROVENANCE,
    },
    strict=False,
    name="seances",
)

avis = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "instance": _text(False),
        "seance": _text(),  # seances.id
        "date": _date(False),  # date de l'avis
        "objet": _text(False),
        "date_reponse": _date(),  # NaT = sans réponse
        "reponse": _text(),  # contenu de la réponse donnée
        **_PROVENANCE,
    },
    strict=False,
    name="avis",
)

projets_bp = pa.DataFrameSchema(
    {
        "id": _text(False, unique=True),
        "edition": pa.Column("Int64", pa.Check.in_range(1990, 2100)),
        "titre": _text(False),
        "quartier": _text(),
        "montant_centimes": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "statut": _text(False, checks=pa.Check.isin(STATUTS_PROJET)),
        "laureat": pa.Column("boolean", nullable=True),
        "realise": pa.Column("boolean", nullable=True),
        "jeunes": pa.Column("boolean", nullable=True),  # volet porté par les moins de 25 ans
        "votes": _count(),
        **_PROVENANCE,
    },
    strict=False,
    name="projets_bp",
)

votes_bp = pa.DataFrameSchema(
    {
        "edition": pa.Column("Int64", pa.Check.in_range(1990, 2100)),
        "quartier": _text(),  # vide : votants hors QPV ou non ventilés
        "tranche_age": _text(),  # libellé du fichier (« 16-24 ans »)
        "age_min": pa.Column("Int64", nullable=True),
        "age_max": pa.Column("Int64", nullable=True),  # NA : « et plus »
        "sexe": _text(checks=pa.Check.isin(list(SEXES))),
        "votants": pa.Column("Int64", pa.Check.ge(0)),
        **_PROVENANCE,
    },
    strict=False,
    name="votes_bp",
)

vivier = pa.DataFrameSchema(
    {
        "personne": _text(False, unique=True, checks=pa.Check.str_length(1, 64)),
        "sexe": _text(checks=pa.Check.isin(list(SEXES))),
        "tranche_age": _text(checks=pa.Check.isin(list(TRANCHES_AGE))),
        "age": pa.Column("Int64", pa.Check.in_range(0, 120), nullable=True),
        "quartier": _text(),  # code QPV de résidence ; vide = hors QPV ou inconnu
        "habite_qpv": pa.Column("boolean", nullable=True),
        # critères configurés en plus (ex. « diplome ») : colonnes ``critere_<nom>`` (texte)
        **_PROVENANCE,
    },
    strict=False,
    name="vivier",
)

SCHEMAS = {
    "concertations": concertations,
    "contributions": contributions,
    "petitions": petitions,
    "signatures": signatures,
    "remontees": remontees,
    "seances": seances,
    "avis": avis,
    "projets_bp": projets_bp,
    "votes_bp": votes_bp,
    "vivier": vivier,
}
