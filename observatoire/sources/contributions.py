"""Adaptateur ``contributions`` : une ligne par avis ou proposition recueilli pendant une
démarche de concertation → table ``contributions`` (enregistré dans
:mod:`observatoire.sources.concertations`).

Chaque contribution renvoie à une démarche de la table ``concertations`` : une démarche
absente est une erreur localisée si une source ``concertations`` est déclarée, un
avertissement sinon. La suite donnée (retenue, partiellement retenue, non retenue, hors
sujet ; vide = pas encore de suite) accepte les synonymes usuels et
``correspondance_suites``. Le texte de la contribution n'est pas repris : il est examiné
(données personnelles refusées, ou signalées avec ``pseudonymiser = true``).

Exemple de configuration ::

    [sources.contributions_square]
    type = "contributions"
    fichier = "democratie/contributions_square.csv"
    correspondance_suites = { "Intégrée au projet" = "retenue" }
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import Problem, ProblemCollector, add_cascade
from observatoire.sources.concertations_fields import vocabulary
from observatoire.sources.democratie_read import (
    finish,
    parse_cell,
    quartier_resolver,
    screen_texts,
    typed_frame,
)
from observatoire.sources.participation_privacy import TITLE
from observatoire.sources.participation_read import (
    cell,
    clean_free_text,
    get,
    map_columns,
    read_sheet,
)
from observatoire.sources.values import DATE_EXPECTED, parse_date_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext

CONTRIBUTION_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "identifiant", "id", "numéro", "n° contribution", "référence"],
    "demarche": ["démarche", "n° démarche", "concertation", "id démarche", "identifiant démarche"],
    "date": ["date", "date de la contribution", "date de dépôt", "reçue le"],
    "theme": ["thème", "thématique", "sujet"],
    "quartier": ["quartier", "quartier(s)", "qpv", "quartier concerné"],
    "suite": ["suite donnée", "suite", "suite donnée à la contribution", "prise en compte"],
    "justification": ["justification", "motif", "justification de la suite", "réponse apportée"],
    "texte": ["contribution", "texte", "texte de la contribution", "proposition", "avis"],
}
KEPT_TEXT = {"justification": TITLE}
UNKEPT_TEXT = {"texte": TITLE}
CONTRIBUTION_OPTIONS = {
    "correspondance_suites": "table libellé du fichier → suite (retenue, partiellement retenue, "
    "non retenue, hors sujet)",
    "demarche": "identifiant de la démarche pour tout le fichier (sans colonne démarche)",
    "prefixe_id": "préfixe ajouté aux identifiants de contributions (unicité entre sources)",
}


def _known_demarches(source: SourceConfig, ctx: LoadContext) -> tuple[set[str], bool, str]:
    """Identifiants connus, vrai si une source ``concertations`` est déclarée, et ses fichiers."""
    declared = [s for s in ctx.config.sources.values() if s.type == "concertations"]
    table = ctx.tables.get("concertations")
    known = set(table["id"].astype(str)) if table is not None and len(table) else set()
    return known, bool(declared), ", ".join(s.label for s in declared)


def load_contributions(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Contributions d'une ou plusieurs démarches (CSV/XLSX) → table ``contributions``."""
    problems = ProblemCollector(source.label)
    raw = read_sheet(source, problems, ["démarche", "date", "thème", "suite donnée"])
    cols = map_columns(raw, source, CONTRIBUTION_DEFAULTS, problems)
    fixed = str(source.get("demarche") or "").strip()
    if "demarche" not in cols and not fixed:
        problems.add(
            "colonne « demarche » introuvable",
            expected=f'colonnes.demarche = "…" ou demarche = "ID" dans [sources.{source.name}] '
            "(en-têtes usuels : « Démarche », « N° démarche », « Concertation »)",
        )
    if fixed and "demarche" in cols:
        problems.warn(
            f"colonne ignorée : demarche = « {fixed} » dans [sources.{source.name}] s'applique à "
            "tout le fichier", column=cols["demarche"],
        )  # fmt: skip
    problems.raise_if_any()
    name_cols = screen_texts(source, raw, cols, KEPT_TEXT, UNKEPT_TEXT, ctx.warnings)
    pseudo = bool(source.get("pseudonymiser", False))
    suites = vocabulary(source, "suites")
    quartiers = quartier_resolver(source, ctx)
    known, declared, files = _known_demarches(source, ctx)
    causes = ctx.failed.get("concertations", [])
    column = cols.get("demarche", "demarche (option)")
    prefix = str(source.get("prefixe_id", ""))
    records, seen, orphans, unchecked = [], {}, [], {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]
        ident = prefix + (cell(raw, cols, "id", i).strip() or f"{source.name}-L{line}")
        if ident in seen:
            problems.add(
                "identifiant de contribution en double", row=line, column=cols.get("id"),
                found=ident, expected=f"un identifiant unique (déjà ligne {seen[ident]})",
            )  # fmt: skip
        seen[ident] = line
        demarche = fixed or cell(raw, cols, "demarche", i).strip()
        if not demarche:
            problems.add("démarche manquante", row=line, column=column,
                         expected="l'identifiant d'une démarche de la table concertations")  # fmt: skip
        elif demarche not in known and causes:
            orphans.append(line)
        elif demarche not in known and declared:
            problems.add(
                "démarche inconnue", row=line, column=column, found=demarche,
                expected=f"une démarche de la table concertations ({files}) : "
                + (", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
                   if known else "aucune démarche chargée"),
            )  # fmt: skip
        elif demarche not in known:
            unchecked.setdefault(demarche, line)
        day = get(problems, raw, cols, "date", i, parse_date_cell, DATE_EXPECTED)
        codes = parse_cell(problems, raw, cols, "quartier", i, quartiers.resolve,
                           "quartier inconnu") if "quartier" in cols else []  # fmt: skip
        suite = parse_cell(problems, raw, cols, "suite", i, suites.resolve,
                           "suite donnée inconnue") if "suite" in cols else None  # fmt: skip
        justification = " ".join(cell(raw, cols, "justification", i).split())
        if justification and pseudo:
            justification = clean_free_text(
                justification, TITLE, cols.get("justification") in name_cols
            )
        records.append(
            {
                "id": ident,
                "demarche": demarche or None,
                "date": pd.Timestamp(day) if day else pd.NaT,
                "theme": " ".join(cell(raw, cols, "theme", i).split()) or None,
                "quartier": ";".join(codes or []) or None,
                "suite": suite,
                "justification": justification or None,
                "ligne": line,
            }
        )
    add_cascade(problems, orphans, column, "des démarches", causes)
    finish(problems, ctx)
    for demarche, line in unchecked.items():
        ctx.warnings.append(
            Problem(source.label, "démarche non vérifiée : aucune source de type concertations "
                    "n'est déclarée (ses contributions sont lues, mais aucun bilan ne pourra les "
                    "rattacher à un objet ni à un calendrier)", row=line, column=column,
                    found=demarche, severity="avertissement")
        )  # fmt: skip
    return {"contributions": typed_frame(records, "contributions", source.name)}
