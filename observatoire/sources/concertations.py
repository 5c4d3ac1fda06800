"""Adaptateurs des démarches de concertation : ``concertations`` (une ligne par démarche)
et ``contributions`` (une ligne par avis ou proposition, voir
:mod:`observatoire.sources.contributions`).

Même lecture que les feuilles de participation (CSV « ; » ou « , », Windows-1252 ou UTF-8,
lignes de titre, XLSX, ``colonnes``, quartiers par code ou par nom) ; niveau, statut et
suite donnée acceptent les synonymes usuels et une option ``correspondance_<vocabulaire>`` ;
objet et prochaines étapes sont examinés (données personnelles refusées, ou retirées avec
``pseudonymiser = true``). Toutes les anomalies du fichier sont signalées ensemble.

Exemple de configuration ::

    [sources.programme_concertations]
    type = "concertations"
    fichier = "democratie/concertations_2025.xlsx"
    feuille = "Démarches"
    correspondance_niveaux = { "Co-élaboration du projet" = "co-construction" }
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.sources.concertations_fields import vocabulary
from observatoire.sources.contributions import CONTRIBUTION_OPTIONS, load_contributions
from observatoire.sources.democratie_read import (
    COLUMNS_HELP,
    QUARTIERS_HELP,
    finish,
    open_sheet,
    parse_cell,
    quartier_resolver,
    screen_texts,
    split_list,
    typed_frame,
    usual_headers,
)
from observatoire.sources.participation_privacy import TITLE, guarded
from observatoire.sources.participation_read import (
    READ_OPTIONS,
    cell,
    clean_free_text,
    get,
)
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.values import DATE_EXPECTED, parse_date_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

CONCERTATION_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "identifiant", "référence", "id", "numéro", "n° démarche"],
    "objet": ["objet", "intitulé", "objet de la démarche", "titre"],
    "service": ["service porteur", "service", "direction porteuse", "direction"],
    "elu": ["élu·e référent·e", "élu référent", "élu(e) référent(e)", "élue référente",
            "élu·e", "élu"],
    "niveau": ["niveau", "niveau de participation"],
    "quartiers": ["quartier(s)", "quartiers", "périmètre", "quartier"],
    "debut": ["début", "date de début"],
    "fin": ["fin", "date de fin"],
    "dispositifs": ["dispositifs", "outils", "dispositifs mobilisés"],
    "publics": ["publics visés", "publics", "public visé", "publics cibles"],
    "statut": ["statut", "état"],
    "priorite": ["priorité", "priorité des élus"],
    "date_bilan": ["date du bilan", "bilan publié le", "date de publication du bilan"],
    "lien_bilan": ["lien du bilan", "bilan (lien)"],
    "prochaines_etapes": ["prochaines étapes", "suites", "suites prévues"],
}  # fmt: skip
REQUIRED = ("id", "objet", "niveau", "debut", "statut")
KEPT_TEXT = {"objet": TITLE, "prochaines_etapes": TITLE}
_TEXT = ("objet", "service", "elu", "priorite", "lien_bilan", "prochaines_etapes")


class _Lists:
    """Dispositifs d'une démarche : liste libre, ou liste ``dispositifs`` si elle est donnée."""

    def __init__(self, source: SourceConfig) -> None:
        allowed = source.get("dispositifs")
        if allowed is not None and (
            not isinstance(allowed, list) or not all(isinstance(x, str) for x in allowed)
        ):
            raise source.error("doit être une liste de libellés", "dispositifs", allowed)
        self.allowed = {" ".join(x.lower().split()): x for x in allowed or []}
        table = source.get("correspondance_dispositifs") or {}
        if not isinstance(table, dict):
            raise source.error("doit être une table", "correspondance_dispositifs", table)
        self.aliases = {" ".join(str(k).lower().split()): str(v) for k, v in table.items()}

    @property
    def expected(self) -> str:
        return "des dispositifs de la liste configurée : " + ", ".join(self.allowed.values())

    def dispositifs(self, text: object) -> list[str]:
        out = []
        for part in split_list(text):
            label = self.aliases.get(" ".join(part.lower().split()), part)
            if self.allowed:
                key = " ".join(label.lower().split())
                if key not in self.allowed:
                    raise ValueError(self.expected)
                label = self.allowed[key]
            if label not in out:
                out.append(label)
        return out


def load_concertations(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Programme des démarches de concertation (CSV/XLSX) → table ``concertations``."""
    sheet = open_sheet(
        source, CONCERTATION_DEFAULTS, list(REQUIRED),
        ["objet", "niveau", "statut", "début", "fin"],
        lambda key: f'colonnes.{key} = "…" dans [sources.{source.name}] (en-têtes usuels : '
        + usual_headers(CONCERTATION_DEFAULTS[key]) + ")",
    )  # fmt: skip
    raw, cols, problems = sheet.raw, sheet.cols, sheet.problems
    name_cols = screen_texts(source, raw, cols, KEPT_TEXT, {}, ctx.warnings)
    pseudo = bool(source.get("pseudonymiser", False))
    niveaux, statuts = vocabulary(source, "niveaux"), vocabulary(source, "statuts")
    lists = _Lists(source)
    quartiers = quartier_resolver(source, ctx)
    records, seen = [], {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]

        def text(key: str, i: int = i) -> str | None:
            value = " ".join(cell(raw, cols, key, i).split())
            if value and pseudo and key in KEPT_TEXT:
                value = clean_free_text(value, KEPT_TEXT[key], cols.get(key) in name_cols)
            return value or None

        ident = cell(raw, cols, "id", i).strip()
        if not ident:
            problems.add("identifiant de démarche manquant", row=line, column=cols["id"],
                         expected="un identifiant unique (ex. C-2025-01), cité par les "
                         "contributions et les événements")  # fmt: skip
        elif ident in seen:
            problems.add("identifiant de démarche en double", row=line, column=cols["id"],
                         found=ident, expected=f"un identifiant unique (déjà ligne {seen[ident]})")  # fmt: skip
        else:
            seen[ident] = line
        if not text("objet"):
            problems.add("objet de la démarche manquant", row=line, column=cols["objet"],
                         expected="l'objet de la démarche (ex. « Réaménagement du square »)")  # fmt: skip
        niveau = _required(problems, raw, cols, i, "niveau", niveaux.resolve, niveaux.expected)
        statut = _required(problems, raw, cols, i, "statut", statuts.resolve, statuts.expected)
        debut = _required(problems, raw, cols, i, "debut", parse_date_cell, DATE_EXPECTED)
        dates = {"debut": debut}
        for key in ("fin", "date_bilan"):
            dates[key] = get(problems, raw, cols, key, i, parse_date_cell, DATE_EXPECTED)
        _check_order(problems, raw, cols, i, dates)
        codes = parse_cell(problems, raw, cols, "quartiers", i, quartiers.resolve,
                           "quartier inconnu") if "quartiers" in cols else []  # fmt: skip
        dispositifs = parse_cell(problems, raw, cols, "dispositifs", i, lists.dispositifs,
                                 "dispositif inconnu") if "dispositifs" in cols else []  # fmt: skip
        publics = split_list(cell(raw, cols, "publics", i))
        records.append(
            {
                **{key: text(key) for key in _TEXT},
                "id": ident,
                "niveau": niveau,
                "quartiers": ";".join(codes or []) or None,
                **{k: pd.Timestamp(v) if v else pd.NaT for k, v in dates.items()},
                "dispositifs": ";".join(dispositifs or []) or None,
                "publics": ";".join(publics) or None,
                "annee": debut.year if debut else None,
                "statut": statut,
                "ligne": line,
            }
        )
    finish(problems, ctx)
    return {"concertations": typed_frame(records, "concertations", source.name)}


_MESSAGES = {  # clé → (valeur invalide, valeur manquante)
    "niveau": ("niveau de participation inconnu", "niveau de participation manquant"),
    "statut": ("statut de démarche inconnu", "statut de démarche manquant"),
    "debut": ("date de début invalide", "date de début manquante"),
}


def _required(problems, raw, cols: dict[str, str], i: int, key: str, parse, expected: str):
    """Cellule obligatoire convertie ; ``None`` et anomalie si invalide ou vide."""
    found = cell(raw, cols, key, i).strip()
    invalid, missing = _MESSAGES[key]
    try:
        value = parse(found)
    except ValueError:
        problems.add(invalid, row=raw.rows[i], column=cols[key], found=found, expected=expected)
        return None
    if value is None:
        problems.add(missing, row=raw.rows[i], column=cols[key], expected=expected)
    return value


_DATE_LABELS = {"debut": "début", "fin": "fin", "date_bilan": "date du bilan"}


def _check_order(problems, raw, cols, i: int, dates: dict[str, date | None]) -> None:
    """Début ≤ fin ; bilan publié au plus tôt à la fin (au début s'il n'y a pas de fin)."""
    line = raw.rows[i]
    debut, fin, bilan = dates["debut"], dates["fin"], dates["date_bilan"]
    if debut and fin and fin < debut:
        problems.add(
            "la démarche finit avant d'avoir commencé", row=line, column=cols["fin"],
            found=cell(raw, cols, "fin", i).strip(),
            expected=f"une date postérieure ou égale au début ({debut:%d/%m/%Y}, colonne "
            f"« {cols['debut']} »)",
        )  # fmt: skip
    before = fin or debut
    if bilan and before and bilan < before:
        key = "fin" if fin else "debut"
        problems.add(
            "bilan publié avant la fin de la démarche", row=line, column=cols["date_bilan"],
            found=cell(raw, cols, "date_bilan", i).strip(),
            expected=f"une date postérieure ou égale à la {_DATE_LABELS[key]} de la démarche "
            f"({before:%d/%m/%Y}, colonne « {cols[key]} »)",
        )  # fmt: skip


_COMMON = {
    "colonnes": COLUMNS_HELP,
    "correspondance_quartiers": QUARTIERS_HELP,
    **READ_OPTIONS,
    "pseudonymiser": "true : e-mails, téléphones et noms de personnes trouvés dans les textes "
    "libres sont remplacés à la lecture (et les colonnes d'identité non lues écartées) au lieu "
    "de refuser le fichier",
}
ADAPTERS = [
    Adapter(
        type="concertations",
        tables=("concertations",),
        load=guarded(load_concertations),
        options={
            **_COMMON,
            "correspondance_niveaux": "table libellé du fichier → niveau (information, "
            "consultation, concertation, co-construction)",
            "correspondance_statuts": "table libellé du fichier → statut (programmée, en cours, "
            "terminée, abandonnée)",
            "dispositifs": "liste des dispositifs admis (par défaut : libellés du fichier)",
            "correspondance_dispositifs": "table libellé du fichier → dispositif",
        },
        needs=("territoires",),
        description="Programme des démarches de concertation (une ligne par démarche)",
    ),
    Adapter(
        type="contributions",
        tables=("contributions",),
        load=guarded(load_contributions),
        options={**_COMMON, **CONTRIBUTION_OPTIONS},
        needs=("territoires", "concertations"),
        description="Contributions aux démarches de concertation et suites données",
    ),
]
