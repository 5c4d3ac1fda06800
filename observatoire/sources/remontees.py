"""Adaptateur ``remontees`` : problèmes signalés par les habitants (accueil, réseaux
sociaux, acteurs de terrain, permanences, e-mail…) → table ``remontees``.

La description libre du problème n'est jamais reprise : elle est examinée (e-mails,
téléphones, noms de personne) et le fichier est refusé si elle en contient, sauf avec
``pseudonymiser = true`` (avertissement qui dit ce qui a été écarté, sans le citer).

Exemple de configuration ::

    [sources.remontees]
    type = "remontees"
    fichier = "democratie/remontees_2025.csv"
    correspondance_canaux = { "GUP" = "acteur de terrain" }
    correspondance_statuts = { "Transmise" = "en cours" }
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.schemas.democratie import CANAUX, STATUTS_REMONTEE
from observatoire.sources.democratie_read import (
    COLUMNS_HELP,
    QUARTIERS_HELP,
    Vocabulary,
    finish,
    open_sheet,
    quartier_resolver,
    screen_sheet,
    typed_frame,
    warning,
)
from observatoire.sources.participation_privacy import TITLE, guarded
from observatoire.sources.participation_read import READ_OPTIONS
from observatoire.sources.registry import Adapter, LoadContext

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

REMONTEE_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "id", "identifiant", "référence", "numéro", "n° de fiche", "n° ticket"],
    "date": ["date", "date de signalement", "date de la remontée", "signalé le", "reçue le"],
    "canal": ["canal", "canal de réception", "origine", "source du signalement"],
    "quartier": ["quartier", "quartier(s)", "qpv", "secteur"],
    "theme": ["thème", "thématique", "catégorie", "nature"],
    "service": ["service saisi", "service", "service destinataire", "direction saisie"],
    "statut": ["statut", "état", "etat", "suite"],
    "date_traitement": ["date de traitement", "traitée le", "date de clôture", "clôturée le"],
    "description": ["description", "description du problème", "détail", "commentaire",
                    "message", "texte"],
}  # fmt: skip
SYNONYMES_CANAL = {
    "accueil physique": "accueil", "guichet": "accueil", "accueil mairie": "accueil",
    "reseau social": "réseaux sociaux", "reseaux": "réseaux sociaux", "facebook": "réseaux sociaux",
    "instagram": "réseaux sociaux", "twitter": "réseaux sociaux", "x": "réseaux sociaux",
    "médiateur": "acteur de terrain", "médiatrice": "acteur de terrain",
    "gardien": "acteur de terrain", "gardienne": "acteur de terrain",
    "terrain": "acteur de terrain", "agent de terrain": "acteur de terrain",
    "permanence d'élu": "permanence", "permanence de quartier": "permanence",
    "courriel": "e-mail", "mail": "e-mail", "email": "e-mail", "mél": "e-mail",
    "tel": "téléphone", "tél": "téléphone", "appel": "téléphone", "appel téléphonique": "téléphone",
    "lettre": "courrier", "courrier postal": "courrier",
    "appli": "application", "application mobile": "application",
}  # fmt: skip
SYNONYMES_STATUT = {
    "ouverte": "nouvelle", "nouveau": "nouvelle", "à traiter": "nouvelle", "reçue": "nouvelle",
    "en traitement": "en cours", "transmise": "en cours",
    "close": "traitée", "clos": "traitée", "clôturée": "traitée", "résolue": "traitée",
    "traité": "traitée", "résolu": "traitée",
    "classée sans suite": "sans suite", "non traitée": "sans suite",
}  # fmt: skip
KEPT = {"theme": TITLE}
DROPPED = {"description": TITLE}


def load_remontees(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Une ligne par problème signalé → table ``remontees`` (description non reprise)."""
    sheet = open_sheet(
        source, REMONTEE_DEFAULTS, ["date", "canal", "statut"],
        ["n°", "date", "canal", "quartier", "thème", "statut", "date de traitement"],
    )  # fmt: skip
    screen_sheet(sheet, ctx, kept=KEPT, dropped=DROPPED)
    canaux = Vocabulary(source, "correspondance_canaux", CANAUX, SYNONYMES_CANAL, "canal")
    statuts = Vocabulary(
        source, "correspondance_statuts", STATUTS_REMONTEE, SYNONYMES_STATUT, "statut de remontée"
    )
    quartiers = quartier_resolver(source, ctx)
    records, seen = [], {}
    for i in range(len(sheet.raw.frame)):
        line = sheet.line(i)
        day = sheet.date("date", i, required=True)
        statut = sheet.choice("statut", i, statuts)
        treated = sheet.date("date_traitement", i)
        sheet.after(i, "date_traitement", treated, "date", day,
                    "date de traitement antérieure à la date de la remontée")  # fmt: skip
        if statut == "traitée" and treated is None and not sheet.text("date_traitement", i):
            ctx.warnings.append(
                warning(source, line, sheet.column("date_traitement") or sheet.column("statut"),
                        "remontée « traitée » sans date de traitement : comptée comme traitée, "
                        "mais hors du calcul des délais de traitement")
            )  # fmt: skip
        codes = sheet.value("quartier", i, quartiers.resolve) or []
        records.append(
            {
                "id": sheet.identifier(i, seen, "remontée"),
                "date": day,
                "canal": sheet.choice("canal", i, canaux),
                "quartier": ";".join(codes) or None,
                "theme": sheet.free_text("theme", i, TITLE),
                "service": sheet.text("service", i) or None,
                "statut": statut,
                "date_traitement": treated,
                "ligne": line,
            }
        )
    finish(sheet, ctx)
    return {"remontees": typed_frame(records, "remontees", source.name)}


ADAPTERS = [
    Adapter(
        type="remontees",
        tables=("remontees",),
        load=guarded(load_remontees),
        options={
            "colonnes": COLUMNS_HELP,
            "correspondance_quartiers": QUARTIERS_HELP,
            "correspondance_canaux": "table libellé du fichier → canal (" + ", ".join(CANAUX)
            + ")",
            "correspondance_statuts": "table libellé du fichier → statut (" +
            ", ".join(STATUTS_REMONTEE) + ")",
            "prefixe_id": "préfixe ajouté aux identifiants des remontées",
            **READ_OPTIONS,
            "pseudonymiser": "true : e-mails, téléphones et noms trouvés dans la description "
            "(jamais reprise) ou le thème sont écartés avec un avertissement, au lieu de "
            "refuser le fichier",
        },
        needs=("territoires",),
        description="Remontées des habitants (une ligne par problème signalé)",
    ),
]  # fmt: skip

__all__ = ["ADAPTERS", "load_remontees"]
