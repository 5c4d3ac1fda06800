"""Vocabulaires propres aux démarches de concertation et à leurs contributions (niveau,
statut, suite donnée) : synonymes usuels et libellés des messages. La lecture (classe
:class:`~observatoire.sources.democratie_read.Vocabulary`, listes, examen des textes) est
celle de :mod:`observatoire.sources.democratie_read`.

Exemple ::

    niveaux = vocabulary(source, "niveaux")
    niveaux.resolve("Co-décision")   # 'co-construction'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from observatoire.schemas.democratie import NIVEAUX, STATUTS_DEMARCHE, SUITES
from observatoire.sources.democratie_read import Vocabulary, Wording

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

# vocabulaire → (valeurs canoniques, synonymes usuels, libellé du message)
VOCABULARIES: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "niveaux": (
        NIVEAUX,
        {
            "info": "information", "informer": "information", "information du public":
            "information", "consulter": "consultation", "concerter": "concertation",
            "coconstruction": "co-construction", "co construire": "co-construction",
            "co decision": "co-construction", "codecision": "co-construction",
            "co elaboration": "co-construction",
        },
        "niveau de participation",
    ),
    "statuts": (
        STATUTS_DEMARCHE,
        {
            "prevue": "programmée", "a venir": "programmée", "planifiee": "programmée",
            "programme": "programmée", "ouverte": "en cours", "encours": "en cours",
            "close": "terminée", "achevee": "terminée", "cloturee": "terminée",
            "finie": "terminée", "terminee": "terminée", "annulee": "abandonnée",
            "abandon": "abandonnée",
        },
        "statut de démarche",
    ),
    "suites": (
        SUITES,
        {
            "oui": "retenue", "prise en compte": "retenue", "retenu": "retenue",
            "acceptee": "retenue", "partiellement": "partiellement retenue",
            "en partie": "partiellement retenue", "partiellement prise en compte":
            "partiellement retenue", "partiellement retenu": "partiellement retenue",
            "non": "non retenue", "rejetee": "non retenue", "refusee": "non retenue",
            "non retenu": "non retenue", "hors champ": "hors sujet",
        },
        "suite donnée",
    ),
}  # fmt: skip


# cellule inconnue : la liste, puis l'option à déclarer avec un exemple
CONCERTATION_WORDING = Wording(
    "une valeur parmi : {values} (ou déclarez le libellé du fichier : "
    '{option} = {{ "libellé" = "{first}" }} dans [sources.{source}])',
    "valeur invalide pour « {alias} »",
    "{values}",
)


def vocabulary(source: SourceConfig, name: str) -> Vocabulary:
    """Vocabulaire ``name`` (niveaux, statuts, suites) et son option ``correspondance_<name>``."""
    values, synonyms, label = VOCABULARIES[name]
    return Vocabulary(
        source, f"correspondance_{name}", values, synonyms, label, CONCERTATION_WORDING
    )
