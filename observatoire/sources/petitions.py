"""Adaptateurs ``petitions`` (une ligne par pétition) et ``signatures`` (comptes par date).

- ``petitions`` → table ``petitions`` : identifiant, titre, date de dépôt, seuil, statut,
  quartiers, signatures déclarées, date où le seuil a été atteint, date de réponse ;
- ``signatures`` → table ``signatures`` en **cumul** : une ligne par pétition et par date,
  soit les nouvelles signatures du jour (défaut), soit le cumul (``cumul = true`` ou une
  colonne « Cumul »). Un fichier de signataires (noms, e-mails…) est toujours refusé :
  l'observatoire ne reçoit que des nombres.

Exemple de configuration ::

    [sources.petitions]
    type = "petitions"
    fichier = "democratie/petitions.xlsx"
    correspondance_statuts = { "Transmise au panel" = "panel" }

    [sources.signatures]
    type = "signatures"
    fichier = "democratie/signatures.csv"
    cumul = true
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import PrivacyError, Problem, add_cascade
from observatoire.privacy import KIND_LABELS, detect_identifiers
from observatoire.schemas.democratie import STATUTS_PETITION
from observatoire.sources.democratie_read import (
    COLUMNS_HELP,
    QUARTIERS_HELP,
    Sheet,
    Vocabulary,
    declared,
    finish,
    known_ids,
    open_sheet,
    quartier_resolver,
    screen_sheet,
    typed_frame,
    warning,
)
from observatoire.sources.participation_fields import parse_count
from observatoire.sources.participation_privacy import TITLE, guarded
from observatoire.sources.participation_read import READ_OPTIONS
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.values import parse_number_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

PETITION_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "id", "identifiant", "référence", "numéro", "n° pétition"],
    "titre": ["titre", "intitulé", "objet", "titre de la pétition"],
    "depot": ["date de dépôt", "déposée le", "dépôt", "date"],
    "seuil": ["seuil", "seuil de signatures", "seuil requis"],
    "statut": ["statut", "état", "etat"],
    "quartiers": ["quartier(s)", "quartiers", "quartier", "périmètre", "qpv"],
    "signatures": ["signatures", "nombre de signatures", "nb signatures", "signataires (nombre)"],
    "date_seuil": ["seuil atteint le", "date du seuil", "date seuil atteint"],
    "date_reponse": ["date de réponse", "répondue le", "réponse le"],
}
SYNONYMES_STATUT = {
    "déposé": "déposée", "en attente": "déposée", "nouvelle": "déposée",
    "non recevable": "irrecevable", "rejetée": "irrecevable",
    "seuil franchi": "seuil atteint",
    "panel citoyen": "panel", "transmise au panel": "panel",
    "répondue": "réponse", "réponse apportée": "réponse", "réponse donnée": "réponse",
}  # fmt: skip
FREE_TEXT = {"titre": TITLE}
SEUIL_EXPECTED = "un nombre entier de signatures, au moins 1 (vide si aucun seuil)"


def parse_threshold(text: object) -> int | None:
    """Seuil d'une pétition : entier ≥ 1 ; vide → ``None``."""
    try:
        value, status, _ = parse_number_cell(text)
    except ValueError:
        raise ValueError(SEUIL_EXPECTED) from None
    if status != "ok" or value is None:
        return None
    if value < 1 or not float(value).is_integer():
        raise ValueError(SEUIL_EXPECTED)
    return int(value)


def load_petitions(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Une ligne par pétition → table ``petitions``."""
    sheet = open_sheet(
        source, PETITION_DEFAULTS, ["titre", "depot", "statut"],
        ["n°", "titre", "date de dépôt", "seuil", "statut", "signatures"],
    )  # fmt: skip
    screen_sheet(sheet, ctx, kept=FREE_TEXT)
    statuts = Vocabulary(
        source, "correspondance_statuts", STATUTS_PETITION, SYNONYMES_STATUT, "statut de pétition"
    )
    quartiers = quartier_resolver(source, ctx)
    records, seen = [], {}
    for i in range(len(sheet.raw.frame)):
        line = sheet.line(i)
        ident = sheet.identifier(i, seen, "pétition")
        titre = sheet.free_text("titre", i, TITLE)
        if titre is None:
            sheet.problems.add(
                "titre manquant", row=line, column=sheet.column("titre"),
                expected="le titre de la pétition",
            )  # fmt: skip
        depot = sheet.date("depot", i, required=True)
        statut = sheet.choice("statut", i, statuts)
        codes = sheet.value("quartiers", i, quartiers.resolve) or []
        date_seuil = sheet.date("date_seuil", i)
        date_reponse = sheet.date("date_reponse", i)
        sheet.after(i, "date_seuil", date_seuil, "depot", depot,
                    "date d'atteinte du seuil antérieure à la date de dépôt")  # fmt: skip
        sheet.after(i, "date_reponse", date_reponse, "depot", depot,
                    "date de réponse antérieure à la date de dépôt")  # fmt: skip
        if statut == "réponse" and date_reponse is None and not sheet.text("date_reponse", i):
            ctx.warnings.append(
                warning(source, line, sheet.column("statut"), "statut « réponse » sans date de "
                        "réponse : la pétition compte comme répondue, sans délai de réponse")
            )  # fmt: skip
        records.append(
            {
                "id": ident,
                "titre": titre,
                "depot": depot,
                "seuil": sheet.value("seuil", i, parse_threshold),
                "statut": statut,
                "quartiers": ";".join(codes) or None,
                "signatures": sheet.count("signatures", i),
                "date_seuil": date_seuil,
                "date_reponse": date_reponse,
                "ligne": line,
            }
        )
    finish(sheet, ctx)
    return {"petitions": typed_frame(records, "petitions", source.name)}


# ---------------------------------------------------------------------- signatures

SIGNATURE_DEFAULTS: dict[str, list[str]] = {
    "petition": ["pétition", "n° pétition", "id pétition", "petition", "référence pétition"],
    "date": ["date", "jour", "date de signature", "au"],
    "signatures": ["signatures", "nouvelles signatures", "signatures du jour", "nombre"],
    "cumul": ["cumul", "signatures cumulées", "total cumulé", "cumul des signatures"],
}
SIGNATURES_EXPECTED = "un nombre entier de signatures, positif ou nul"
NOMINATIVE = ("nom", "prenom", "email", "telephone", "adresse", "naissance")


def _refuse_signatories(sheet: Sheet) -> None:
    """Un fichier de signataires (une ligne par personne) n'entre jamais : comptes seuls."""
    raw, cols = sheet.raw, sheet.cols
    found = detect_identifiers(raw.frame, raw.rows, structured=set(cols.values()))
    found = [i for i in found if i.kind in NOMINATIVE]
    if not found:
        return
    kinds = ", ".join(dict.fromkeys(KIND_LABELS[i.kind] for i in found))
    raise PrivacyError(
        [
            Problem(
                sheet.source.label,
                f"fichier de signataires nominatif ({kinds}) : l'observatoire ne reçoit que des "
                "nombres de signatures, jamais la liste des signataires. Fournissez des comptes "
                "par date : une ligne par pétition et par date, colonnes « Pétition », « Date » "
                "et « Signatures » (nouvelles du jour) ou « Cumul »",
                row=i.row,
                column=i.column,
                found=i.sample,
                expected="des comptes de signatures par pétition et par date, sans nom, e-mail, "
                "téléphone ni adresse",
            )
            for i in found
        ]
    )


def load_signatures(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Comptes de signatures par pétition et par date → table ``signatures`` (cumul)."""
    sheet = open_sheet(source, SIGNATURE_DEFAULTS, [], ["pétition", "date", "signatures", "cumul"])
    _refuse_signatories(sheet)
    cumulative = _mode(sheet)
    count_key = "cumul" if cumulative else "signatures"
    for key in ("petition", "date", count_key):
        if key not in sheet.cols:
            usual = ", ".join(f"« {h} »" for h in SIGNATURE_DEFAULTS[key][:2])
            sheet.problems.add(
                f"colonne « {key} » introuvable",
                expected=f'une colonne {usual}, ou colonnes.{key} = "…" dans '
                f"[sources.{source.name}]",
            )
    sheet.problems.raise_if_any()
    screen_sheet(sheet, ctx, kept={})
    known = known_ids(ctx, "petitions")
    causes = ctx.failed.get("petitions", [])
    if not declared(ctx, "petitions"):
        sheet.problems.add(
            "aucune source de type « petitions » déclarée : les signatures doivent renvoyer à "
            "une pétition connue",
            column=sheet.column("petition"),
            expected="une source [sources.…] de type « petitions » dans observatoire.toml",
        )
    rows: dict[tuple[str, pd.Timestamp], int] = {}
    entries, orphans = [], []
    for i in range(len(sheet.raw.frame)):
        line = sheet.line(i)
        petition = sheet.text("petition", i)
        if not petition:
            sheet.problems.add(
                "pétition manquante", row=line, column=sheet.column("petition"),
                expected="l'identifiant d'une pétition (colonne N° du fichier des pétitions)",
            )  # fmt: skip
        elif petition not in known and causes:
            orphans.append(line)
        elif petition not in known and declared(ctx, "petitions"):
            sheet.problems.add(
                "pétition inconnue", row=line, column=sheet.column("petition"), found=petition,
                expected="l'identifiant d'une pétition chargée par une source « petitions »"
                + (f" ({', '.join(sorted(known)[:5])}…)" if known else ""),
            )  # fmt: skip
        day = sheet.date("date", i, required=True)
        number = sheet.value(count_key, i, parse_count, SIGNATURES_EXPECTED)
        if number is None and not sheet.text(count_key, i):
            sheet.problems.add(
                "nombre de signatures manquant", row=line, column=sheet.column(count_key),
                expected=SIGNATURES_EXPECTED,
            )  # fmt: skip
        if petition and day is not None:
            if (petition, day) in rows:
                sheet.problems.add(
                    "signatures du même jour en double", row=line, column=sheet.column("date"),
                    found=f"{petition} / {day:%d/%m/%Y}",
                    expected="une seule ligne par pétition et par date (déjà ligne "
                    f"{rows[(petition, day)]})",
                )  # fmt: skip
                continue
            rows[(petition, day)] = line
        entries.append((petition, day, number, line))
    add_cascade(sheet.problems, orphans, sheet.column("petition"), "des pétitions", causes)
    records = _cumulate(sheet, entries, cumulative)
    finish(sheet, ctx)
    return {"signatures": typed_frame(records, "signatures", source.name)}


def _mode(sheet: Sheet) -> bool:
    """Cumul (``cumul = true`` ou colonne « Cumul ») ou nouvelles signatures du jour."""
    option = sheet.source.get("cumul")
    if option is not None and not isinstance(option, bool):
        raise sheet.source.error("doit valoir true ou false", "cumul", option, "true ou false")
    if option is None:
        return "cumul" in sheet.cols
    if option and "cumul" not in sheet.cols and "signatures" in sheet.cols:
        sheet.cols["cumul"] = sheet.cols.pop("signatures")  # colonne « Signatures » cumulées
    return bool(option)


def _cumulate(sheet: Sheet, entries: list[tuple], cumulative: bool) -> list[dict]:
    """Cumul canonique par pétition dans l'ordre des dates ; un cumul qui décroît : erreur."""
    column = sheet.column("cumul" if cumulative else "signatures")
    records: list[dict] = []
    by_petition: dict[str, list[tuple]] = {}
    for petition, day, number, line in entries:
        if petition and day is not None and number is not None:
            by_petition.setdefault(petition, []).append((day, number, line))
    for petition, points in by_petition.items():
        total, previous = 0, None
        for day, number, line in sorted(points):
            if cumulative:
                if previous is not None and number < previous[1]:
                    sheet.problems.add(
                        "le cumul des signatures décroît", row=line, column=column,
                        found=number, expected=f"au moins {previous[1]} (cumul du "
                        f"{previous[0]:%d/%m/%Y}, ligne {previous[2]})",
                    )  # fmt: skip
                total = number
            else:
                total += number
            previous = (day, number, line)
            records.append({"petition": petition, "date": day, "cumul": total, "ligne": line})
    return records


_COMMON = {
    "colonnes": COLUMNS_HELP,
    **READ_OPTIONS,
    "pseudonymiser": "true : e-mails, téléphones et noms trouvés dans le texte repris sont "
    "remplacés par « [… retiré] » et les colonnes d'identité non lues écartées, au lieu de "
    "refuser le fichier",
}
ADAPTERS = [
    Adapter(
        type="petitions",
        tables=("petitions",),
        load=guarded(load_petitions),
        options={
            **_COMMON,
            "correspondance_quartiers": QUARTIERS_HELP,
            "correspondance_statuts": "table libellé du fichier → statut (" +
            ", ".join(STATUTS_PETITION) + ")",
            "prefixe_id": "préfixe ajouté aux identifiants des pétitions",
        },
        needs=("territoires",),
        description="Pétitions citoyennes (une ligne par pétition)",
    ),
    Adapter(
        type="signatures",
        tables=("signatures",),
        load=guarded(load_signatures),
        options={
            **_COMMON,
            "cumul": "true : les nombres sont des cumuls (défaut : nouvelles signatures du "
            "jour ; une colonne « Cumul » suffit aussi)",
        },
        needs=("petitions",),
        description="Signatures des pétitions par date (comptes, jamais de signataires)",
    ),
]  # fmt: skip

__all__ = ["ADAPTERS", "load_petitions", "load_signatures"]
