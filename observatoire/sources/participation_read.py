"""Lecture commune des feuilles de participation : colonnes configurables, cellules
converties avec anomalie localisée, contrôle des données personnelles.

Exemple ::

    raw = read_sheet(source, problems, ["date", "quartier"])
    cols = map_columns(raw, source, EVENT_DEFAULTS, problems)
    screen(source, raw, cols)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from observatoire.errors import PrivacyError, Problem, ProblemCollector
from observatoire.privacy import Identifier, detect_identifiers, looks_like_name, privacy_error
from observatoire.privacy_text import PLACEHOLDERS, is_name_cell
from observatoire.sources.common import clean_raw_table
from observatoire.sources.participation_privacy import (
    TITLE,
    redact_cell,
    redaction_warnings,
    scan_cells,
    text_problems,
)
from observatoire.sources.tabular import RawTable, guess_column, read_raw_table

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

READ_OPTIONS = {
    "feuille": "feuille du classeur XLSX (nom ou numéro)",
    "ligne_entete": "numéro de la ligne d'en-tête si des lignes de titre la précèdent",
    "separateur": "séparateur du CSV (détecté sinon)",
    "encodage": "encodage du CSV (détecté sinon)",
}
PRIVACY_OPTIONS = {
    "pseudonymiser": "true : supprime les colonnes d'identité (noms, e-mails, téléphones, "
    "adresses) et dérive un identifiant pseudonyme HMAC-SHA256 ; sinon le fichier est refusé",
    "cle_demonstration": "true : clé de démonstration PUBLIQUE livrée avec le paquet (territoire "
    "fictif uniquement, jamais pour de vraies données)",
    "fichier_cle": "fichier contenant la clé de pseudonymisation (hors du dépôt et du dossier "
    "de sortie) ; à défaut, variable d'environnement OBSERVATOIRE_CLE",
}


def map_columns(
    raw: RawTable, source: SourceConfig, defaults: dict[str, list[str]], problems: ProblemCollector
) -> dict[str, str]:
    """Clé canonique → colonne réelle (``colonnes`` de la config, sinon noms usuels)."""
    configured = source.get("colonnes", {}) or {}
    if not isinstance(configured, dict):
        raise source.error(
            "doit être une table", "colonnes", configured, 'colonnes = { date = "…" }'
        )
    unknown = set(configured) - set(defaults)
    if unknown:
        raise source.error(
            "clé de colonne inconnue", "colonnes", ", ".join(sorted(unknown)), ", ".join(defaults)
        )
    found: dict[str, str] = {}
    for key, candidates in defaults.items():
        wanted = configured.get(key)
        hit = guess_column(raw.frame.columns, [wanted] if wanted else candidates)
        if hit is not None:
            found[key] = hit
        elif wanted:
            problems.add(
                f"colonne configurée (colonnes.{key}) absente du fichier",
                column=str(wanted),
                expected="une des colonnes : " + ", ".join(map(str, raw.frame.columns)),
            )
    return found


def read_sheet(source: SourceConfig, problems: ProblemCollector, expected: list[str]) -> RawTable:
    if source.path is None:
        raise source.error("aucun fichier indiqué", "fichier", None, 'fichier = "…"')
    header = source.get("ligne_entete")
    raw = read_raw_table(
        source.path,
        problems=problems,
        separator=source.get("separateur"),
        encoding=source.get("encodage"),
        sheet=source.get("feuille"),
        header_row=int(header) if header else None,
        expected=expected,
    )
    # titres et lieux : longueur contrôlée par participation_privacy.guarded
    return clean_raw_table(raw, problems, max_length=None)


def screen(
    source: SourceConfig,
    raw: RawTable,
    cols: dict[str, str],
    content_checked: set[str] = frozenset(),
    free_text: Mapping[str, Mapping[str, bool]] | None = None,
    warnings: list[Problem] | None = None,
) -> list[Identifier]:
    """Identifiants directs du fichier : refus par défaut, liste si pseudonymisation.

    Colonnes configurées : e-mails et téléphones seulement (leurs valeurs sont contrôlées
    par ailleurs), sauf ``content_checked`` (ex. la colonne ``personne``) dont tout le
    contenu est examiné ; colonnes non lues : nom de colonne et contenu.
    ``free_text`` (clé canonique → options, ex. ``{"titre": TITLE}``) : colonnes de texte
    libre examinées cellule par cellule (e-mail, téléphone, nom au milieu d'une phrase) ;
    une colonne de titres faite de noms (« LEBLANC Aurore ») est rendue avec le genre
    ``nom``. Avec ``pseudonymiser = true``, ``warnings`` reçoit ce qui sera retiré.
    """
    free_cols = {cols[k]: o for k, o in (free_text or {}).items() if k in cols}
    mapped = set(cols.values())
    found = detect_identifiers(
        raw.frame,
        raw.rows,
        structured=mapped - set(content_checked) - set(free_cols),
        trusted_labels=set(content_checked) | set(free_cols),
    )
    hits = scan_cells(raw, free_cols)
    hit_cols = {h.column for h in hits}
    found = [
        i
        for i in found
        if i.column not in free_cols
        or (i.kind == "nom" and i.column not in hit_cols and free_cols[i.column] is TITLE)
    ]
    if (found or hits) and not source.get("pseudonymiser", False):
        raise PrivacyError(privacy_error(source, found).problems + text_problems(source, hits))
    if warnings is not None:
        warnings.extend(redaction_warnings(source, hits, True))
    return found


def clean_free_text(text: str, options: Mapping[str, bool], name_column: bool) -> str:
    """Cellule de texte libre sous ``pseudonymiser = true`` : passages identifiants
    remplacés ; dans une colonne de noms, une cellule qui a la forme d'un nom l'est aussi."""
    if name_column and (looks_like_name(text) or is_name_cell(text)):
        return PLACEHOLDERS["nom"]
    return redact_cell(text, options)


def counts_ok(problems: ProblemCollector, line: int) -> bool:
    """Vrai si aucune erreur n'a été relevée sur la ligne ``line``."""
    return not any(p.row == line for p in problems.errors)


def cell(raw: RawTable, cols: dict[str, str], key: str, i: int) -> str:
    return str(raw.frame.iloc[i][cols[key]]) if key in cols else ""


def get(
    problems: ProblemCollector,
    raw: RawTable,
    cols: dict[str, str],
    key: str,
    i: int,
    parse,
    expected: str | None = None,
):
    """Valeur convertie de la cellule (``None`` et anomalie si invalide)."""
    text = cell(raw, cols, key, i)
    try:
        return parse(text)
    except ValueError as exc:
        problems.add(
            "valeur invalide", row=raw.rows[i], column=cols[key], found=text,
            expected=expected or str(exc),
        )  # fmt: skip
        return None
