"""Adaptateurs ``instances`` (séances : CCSPL, conseils citoyens, conseils de quartier…)
et ``avis`` (avis rendus par ces instances et réponse apportée).

- ``instances`` → table ``seances`` : identifiant, instance, date, quartier, participants,
  membres (participants au plus égaux aux membres quand les deux sont donnés) ;
- ``avis`` → table ``avis`` : identifiant, instance, séance, date de l'avis, objet, date
  et texte de la réponse. Le texte de la réponse est repris après examen des données
  personnelles (refus, ou retrait avec ``pseudonymiser = true``). Une séance citée doit
  être chargée par une source ``instances`` quand il en est déclaré une.

Exemple de configuration ::

    [sources.seances]
    type = "instances"
    fichier = "democratie/seances.xlsx"
    feuille = "Séances"

    [sources.avis]
    type = "avis"
    fichier = "democratie/avis.csv"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import add_cascade
from observatoire.sources.democratie_read import (
    COLUMNS_HELP,
    QUARTIERS_HELP,
    declared,
    finish,
    known_ids,
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

SEANCE_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "id", "identifiant", "référence", "numéro", "n° séance"],
    "instance": ["instance", "nom de l'instance", "conseil"],
    "date": ["date", "date de la séance", "séance du"],
    "quartier": ["quartier", "quartier(s)", "quartiers", "qpv"],
    "participants": ["participants", "présents", "nombre de présents", "nombre de participants"],
    "membres": ["membres", "nombre de membres", "membres convoqués", "convoqués"],
}
AVIS_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "id", "identifiant", "référence", "numéro", "n° avis"],
    "instance": ["instance", "nom de l'instance", "conseil"],
    "seance": ["séance", "n° séance", "id séance"],
    "date": ["date de l'avis", "avis rendu le", "date"],
    "objet": ["objet", "objet de l'avis", "intitulé", "titre"],
    "date_reponse": ["date de réponse", "répondu le", "réponse le"],
    "reponse": ["réponse apportée", "réponse", "réponse donnée", "suite donnée"],
}
_PREFIX = {"prefixe_id": "préfixe ajouté aux identifiants (unicité entre sources)"}


def load_seances(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Une ligne par séance d'instance → table ``seances``."""
    sheet = open_sheet(
        source, SEANCE_DEFAULTS, ["instance", "date"],
        ["n°", "instance", "date", "quartier", "participants", "membres"],
    )  # fmt: skip
    screen_sheet(sheet, ctx, kept={})
    quartiers = quartier_resolver(source, ctx)
    records, seen = [], {}
    for i in range(len(sheet.raw.frame)):
        line = sheet.line(i)
        instance = sheet.text("instance", i)
        if not instance:
            sheet.problems.add(
                "instance manquante", row=line, column=sheet.column("instance"),
                expected="le nom de l'instance (ex. « CCSPL », « Conseil citoyen »)",
            )  # fmt: skip
        participants, members = sheet.count("participants", i), sheet.count("membres", i)
        if participants is not None and members is not None and participants > members:
            sheet.problems.add(
                "plus de participants que de membres", row=line,
                column=sheet.column("participants"), found=participants,
                expected=f"au plus {members} (colonne {sheet.column('membres')})",
            )  # fmt: skip
        if "participants" in sheet.cols and participants is None and sheet.text("participants", i):
            ctx.warnings.append(
                warning(source, line, sheet.column("participants"), "nombre de participants "
                        "inconnu : la séance est comptée, pas sa participation")
            )  # fmt: skip
        codes = sheet.value("quartier", i, quartiers.resolve) or []
        records.append(
            {
                "id": sheet.identifier(i, seen, "séance"),
                "instance": instance or None,
                "date": sheet.date("date", i, required=True),
                "quartier": ";".join(codes) or None,
                "participants": participants,
                "membres": members,
                "ligne": line,
            }
        )
    finish(sheet, ctx)
    return {"seances": typed_frame(records, "seances", source.name)}


FREE_TEXT = {"objet": TITLE, "reponse": TITLE}


def load_avis(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Une ligne par avis rendu → table ``avis`` (réponse examinée avant d'être reprise)."""
    sheet = open_sheet(
        source, AVIS_DEFAULTS, ["date", "objet"],
        ["n°", "instance", "séance", "date de l'avis", "objet", "date de réponse"],
    )  # fmt: skip
    if "instance" not in sheet.cols and "seance" not in sheet.cols:
        sheet.problems.add(
            "ni colonne « instance » ni colonne « séance »",
            expected=f'une colonne « Instance » ou « Séance », ou colonnes.instance = "…" dans '
            f"[sources.{source.name}]",
        )
        sheet.problems.raise_if_any()
    screen_sheet(sheet, ctx, kept=FREE_TEXT)
    seances = ctx.tables.get("seances")
    known = known_ids(ctx, "seances")
    of_seance = (
        dict(zip(seances["id"].astype(str), seances["instance"], strict=True)) if known else {}
    )
    check = declared(ctx, "instances")
    causes = ctx.failed.get("seances", [])
    records, seen, orphans = [], {}, []
    for i in range(len(sheet.raw.frame)):
        line = sheet.line(i)
        seance = sheet.text("seance", i) or None
        if seance and seance not in known and causes:
            orphans.append(line)
        elif seance and seance not in known and check:
            sheet.problems.add(
                "séance inconnue", row=line, column=sheet.column("seance"), found=seance,
                expected="l'identifiant d'une séance chargée par une source « instances »"
                + (f" ({', '.join(sorted(known)[:5])}…)" if known else ""),
            )  # fmt: skip
        instance = sheet.text("instance", i) or of_seance.get(seance or "")
        if not instance and not (seance and (causes or check)):
            sheet.problems.add(
                "instance manquante", row=line, column=sheet.column("instance"),
                expected="le nom de l'instance, ou une séance connue",
            )  # fmt: skip
        objet = sheet.free_text("objet", i, TITLE)
        if objet is None:
            sheet.problems.add(
                "objet de l'avis manquant", row=line, column=sheet.column("objet"),
                expected="l'objet de l'avis",
            )  # fmt: skip
        day = sheet.date("date", i, required=True)
        answered = sheet.date("date_reponse", i)
        sheet.after(i, "date_reponse", answered, "date", day,
                    "date de réponse antérieure à la date de l'avis")  # fmt: skip
        reponse = sheet.free_text("reponse", i, TITLE)
        if reponse and answered is None and not sheet.text("date_reponse", i):
            ctx.warnings.append(
                warning(source, line, sheet.column("date_reponse") or sheet.column("reponse"),
                        "réponse sans date de réponse : l'avis compte comme répondu, sans délai "
                        "de réponse")
            )  # fmt: skip
        records.append(
            {
                "id": sheet.identifier(i, seen, "avis"),
                "instance": instance or None,
                "seance": seance,
                "date": day,
                "objet": objet,
                "date_reponse": answered,
                "reponse": reponse,
                "ligne": line,
            }
        )
    add_cascade(sheet.problems, orphans, sheet.column("seance"), "des séances", causes)
    finish(sheet, ctx)
    return {"avis": typed_frame(records, "avis", source.name)}


_COMMON = {
    "colonnes": COLUMNS_HELP,
    **READ_OPTIONS,
    **_PREFIX,
}
ADAPTERS = [
    Adapter(
        type="instances",
        tables=("seances",),
        load=guarded(load_seances),
        options={
            **_COMMON,
            "correspondance_quartiers": QUARTIERS_HELP,
            "pseudonymiser": "true : les colonnes d'identité non lues (liste des présents…) "
            "sont écartées avec un avertissement au lieu de refuser le fichier",
        },
        needs=("territoires",),
        description="Séances des instances participatives (CCSPL, conseils citoyens…)",
    ),
    Adapter(
        type="avis",
        tables=("avis",),
        load=guarded(load_avis),
        options={
            **_COMMON,
            "pseudonymiser": "true : e-mails, téléphones et noms trouvés dans l'objet ou la "
            "réponse sont remplacés par « [… retiré] » au lieu de refuser le fichier",
        },
        needs=("seances",),
        description="Avis rendus par les instances et réponses apportées",
    ),
]  # fmt: skip

__all__ = ["ADAPTERS", "load_avis", "load_seances"]
