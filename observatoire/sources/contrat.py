"""Adaptateur ``programmation`` : classeurs de programmation du contrat de ville.

Un classeur XLSX (une ou plusieurs feuilles, lignes de titre, en-têtes fusionnés sur
deux lignes combinés en « État / demandé ») ou un CSV ; une ligne par action. La
configuration associe les colonnes du classeur aux tables ``actions``,
``financements`` et ``cibles`` (voir la section « Contrat de ville » du README) ::

    [sources.programmation_2025]
    type = "programmation"
    fichier = "contrat/programmation_2025.xlsx"
    lignes_entete = 2
    annee_depuis_feuille = "(\\d{4})"
    colonnes = { dossier = "N° dossier", intitule = "Intitulé", statut = "Statut", quartiers = "Quartier(s)" }
    [sources.programmation_2025.financeurs.etat]
    libelle = "État (crédits politique de la ville)"
    demande = "État / demandé"
    accorde = "État / accordé"
"""

from __future__ import annotations

import re

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import InputError, ProblemCollector
from observatoire.sources import contrat_rows as rows_mod
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.tabular import list_sheets, read_raw_table, resolve_columns

COLUMN_KEYS = (
    "dossier",
    "annee",
    "intitule",
    "porteur",
    "porteur_id",
    "pilier",
    "thematique",
    "statut",
    "cout_total",
    "quartiers",
    "commune",
    "beneficiaires_prevus",
    "beneficiaires_realises",
    "beneficiaires_qpv",
    "reconduction",
)

OPTIONS = {
    "colonnes": "table : clé canonique → nom de colonne du classeur ("
    + ", ".join(COLUMN_KEYS)
    + ")",
    "financeurs": "table de tables : financeur → { libelle, demande, accorde, verse } (noms de colonnes)",
    "financeur_etat": "clé du financeur « État, crédits politique de la ville » (défaut : etat)",
    "feuilles": "liste des feuilles à lire (défaut : toutes celles qui portent l'en-tête)",
    "ligne_entete": "numéro de la (première) ligne d'en-tête (défaut : détectée)",
    "lignes_entete": "nombre de lignes d'en-tête fusionnées à combiner (1 ou 2, défaut 1)",
    "annee": "année de programmation commune à tout le fichier",
    "annee_depuis_feuille": "expression régulière (un groupe) qui lit l'année dans le nom de feuille",
    "annee_depuis_nom": "expression régulière (un groupe) qui lit l'année dans le nom du fichier",
    "encodage": "encodage du CSV (défaut : détecté)",
    "separateur": "séparateur du CSV (défaut : détecté)",
    "piliers": "table : pilier → liste d'alias (remplace la liste par défaut)",
    "statuts": "table : libellé du classeur → statut (depose, instruit, accorde, refuse, solde, abandonne)",
    "statut_par_defaut": "statut des actions si aucune colonne statut n'est configurée",
    "quartiers": "table : libellé du classeur → code QPV (alias de quartiers)",
    "ponderation": "répartition d'une action sur plusieurs quartiers : egale (défaut) ou population",
    "indicateur_population": "indicateur de population pour ponderation = population (défaut : population)",
}


def _year_of(pattern: str | None, text: str) -> int | None:
    if not pattern:
        return None
    match = re.search(pattern, text)
    return int(match.group(1)) if match else None


def _sheets(source: SourceConfig) -> list[str | None]:
    assert source.path is not None
    if source.path.suffix.lower() not in (".xlsx", ".xlsm"):
        return [None]
    wanted = source.get("feuilles")
    if isinstance(wanted, str):
        wanted = [wanted]
    return list(wanted) if wanted else list_sheets(source.path, source.label)


def load_programmation(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Charge un classeur de programmation → actions, financements, cibles."""
    if source.path is None:
        raise source.error("aucun fichier indiqué", "fichier", expected='fichier = "…"')
    columns = source.get("colonnes") or {}
    financeurs = source.get("financeurs") or {}
    if not isinstance(columns, dict) or "dossier" not in columns:
        raise source.error(
            "la colonne du numéro de dossier doit être configurée",
            "colonnes",
            expected='colonnes = { dossier = "N° dossier", … }',
        )
    unknown = set(columns) - set(COLUMN_KEYS)
    if unknown:
        raise source.error(
            "clé de colonne inconnue", "colonnes", sorted(unknown), ", ".join(COLUMN_KEYS)
        )
    if not isinstance(financeurs, dict) or not all(
        isinstance(v, dict) for v in financeurs.values()
    ):
        raise source.error(
            "chaque financeur doit être une table", "financeurs", financeurs,
            '[sources.NOM.financeurs.etat] demande = "…", accorde = "…"',
        )  # fmt: skip
    parser = rows_mod.RowParser.from_source(source, ctx)
    expected = [v for v in columns.values() if v]
    explicit = bool(source.get("feuilles"))
    read_any = False
    for sheet in _sheets(source):
        shown = source.label + (f" (feuille « {sheet} »)" if sheet else "")
        problems = ProblemCollector(shown)
        try:
            table = read_raw_table(
                source.path,
                problems=problems,
                encoding=source.get("encodage"),
                separator=source.get("separateur"),
                sheet=sheet,
                header_row=source.get("ligne_entete"),
                header_rows=int(source.get("lignes_entete", 1)),
                expected=expected,
                display_name=shown,
            )
        except InputError:
            if explicit or sheet is None:  # CSV (une seule table) : la vraie cause
                raise
            continue  # feuille sans le tableau (notice, légende…)
        probe = ProblemCollector(shown)
        mapping = resolve_columns(table, columns, probe, context="colonnes")
        if "dossier" not in mapping and not explicit and sheet is not None:
            continue  # feuille annexe sans numéro de dossier
        problems.problems += probe.problems
        if "dossier" not in mapping:  # colonne absente : signalée, lignes non lues
            parser.builder.collectors.append(problems)
            read_any = True
            continue
        money = {
            key: resolve_columns(
                table,
                {k: spec.get(k) for k in ("demande", "accorde", "verse") if spec.get(k)},
                problems,
                context=f"financeurs.{key}",
            )
            for key, spec in financeurs.items()
        }
        year = source.get("annee") or _year_of(source.get("annee_depuis_feuille"), sheet or "")
        year = year or _year_of(source.get("annee_depuis_nom"), source.path.name)
        if year is not None:
            year = parser.builder.year(year, problems, None, None)
        elif "annee" not in mapping:
            problems.add(
                "année de programmation introuvable",
                expected="colonnes.annee, annee, annee_depuis_feuille ou annee_depuis_nom "
                "dans la configuration",
            )
        parser.parse(table, mapping, money, problems, sheet, year)
        read_any = True
    if not read_any:
        raise InputError(
            [
                rows_mod.problem(
                    source.label,
                    "aucune feuille ne contient le tableau de programmation",
                    expected="les colonnes configurées : " + ", ".join(expected),
                )
            ]
        )
    return parser.finish()


ADAPTERS = [
    Adapter(
        type="programmation",
        tables=("actions", "financements", "cibles"),
        load=load_programmation,
        options=OPTIONS,
        needs=("territoires", "valeurs"),
        description="Classeur de programmation du contrat de ville (XLSX ou CSV), une ligne par action.",
    )
]
