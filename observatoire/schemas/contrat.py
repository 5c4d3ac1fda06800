"""Tables du contrat de ville : actions (dossiers), financements, cibles (quartiers).

Montants : **centimes entiers** (``Int64``), jamais des flottants, pour que les
totaux soient exacts (``31 000,10 €`` → ``3100010``). Une valeur absente reste
``<NA>`` (non renseignée ≠ 0). Les analyses rendent les euros en ``Decimal``.

Exemple ::

    >>> obs.financements.groupby("financeur")["accorde_centimes"].sum()  # doctest: +SKIP
"""

from __future__ import annotations

import pandera.pandas as pa

# statuts canoniques d'un dossier (les libellés des classeurs y sont ramenés)
STATUTS_ACTION = ("depose", "instruit", "accorde", "refuse", "solde", "abandonne")
STATUT_LIBELLES = {
    "depose": "déposé",
    "instruit": "en instruction",
    "accorde": "accordé",
    "refuse": "refusé",
    "solde": "soldé",
    "abandonne": "abandonné",
}
# un dossier « financé » : accordé ou soldé (les montants accordés comptent)
STATUTS_FINANCES = ("accorde", "solde")
# un dossier « décidé » : pris en compte dans le taux de refus
STATUTS_DECIDES = ("accorde", "solde", "refuse")

ANNEE_MIN = 2000

_montant = {"nullable": True, "checks": pa.Check.ge(0)}

actions = pa.DataFrameSchema(
    {
        "id": pa.Column(str, unique=True),  # numéro de dossier
        "annee": pa.Column("Int64", pa.Check.in_range(ANNEE_MIN, 2100)),
        "intitule": pa.Column(str, nullable=True),
        "porteur": pa.Column(str, nullable=True),
        "porteur_id": pa.Column(str, nullable=True),  # SIRET, SIREN ou RNA
        "pilier": pa.Column(str, nullable=True),
        "thematique": pa.Column(str, nullable=True),
        "statut": pa.Column(str, pa.Check.isin(STATUTS_ACTION)),
        "cout_total_centimes": pa.Column("Int64", **_montant),
        "beneficiaires_prevus": pa.Column("Int64", **_montant),
        "beneficiaires_realises": pa.Column("Int64", **_montant),
        # parmi les réalisés, ceux qui habitent un QPV (si le bilan le dit)
        "beneficiaires_qpv": pa.Column("Int64", **_montant),
        # reconduction déclarée par le classeur (oui/non), sinon <NA> (déduite)
        "reconduction": pa.Column("boolean", nullable=True),
        "feuille": pa.Column(str, nullable=True),
        "source": pa.Column(str),
        "ligne": pa.Column("Int64", nullable=True),
    },
    strict=False,
    name="actions",
)

financements = pa.DataFrameSchema(
    {
        "action": pa.Column(str),
        "annee": pa.Column("Int64", pa.Check.in_range(ANNEE_MIN, 2100)),
        "financeur": pa.Column(str),
        # vrai pour les crédits spécifiques de l'État « politique de la ville »
        "credits_pv": pa.Column(bool),
        "demande_centimes": pa.Column("Int64", **_montant),
        "accorde_centimes": pa.Column("Int64", **_montant),
        "verse_centimes": pa.Column("Int64", **_montant),
        "source": pa.Column(str),
        "ligne": pa.Column("Int64", nullable=True),
    },
    unique=["action", "financeur"],
    strict=False,
    name="financements",
)

cibles = pa.DataFrameSchema(
    {
        "action": pa.Column(str),
        "quartier": pa.Column(str),
        # part de l'action attribuée au quartier ; somme = 1 par action
        "poids": pa.Column(float, pa.Check.in_range(0, 1)),
        "source": pa.Column(str),
        "ligne": pa.Column("Int64", nullable=True),
    },
    unique=["action", "quartier"],
    strict=False,
    name="cibles",
)

SCHEMAS = {"actions": actions, "financements": financements, "cibles": cibles}
