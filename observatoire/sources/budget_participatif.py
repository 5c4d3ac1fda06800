"""Adaptateurs du budget participatif : projets (``projets_bp``) et votes agrégés
(``votes_bp``).

- ``budget_participatif`` : une ligne par projet — édition, titre, quartier, montant en
  euros (converti en **centimes exacts**), statut, lauréat, réalisé, volet jeunes, votes ;
- ``votes_budget_participatif`` : des **totaux** de votants par édition × quartier ×
  tranche d'âge × sexe. Jamais de bulletin individuel : un fichier qui a une colonne
  d'identifiant de votant, ou une ligne par votant (sans nombre de votants), est refusé.

Exemple de configuration ::

    [sources.bp_projets]
    type = "budget_participatif"
    fichier = "democratie/budget_participatif.xlsx"
    correspondance_statuts = { "Gagnant" = "lauréat" }

    [sources.bp_votes]
    type = "votes_budget_participatif"
    fichier = "democratie/votes_bp.csv"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas.democratie import STATUTS_PROJET
from observatoire.sources.budget_fields import (
    BUDGET_WORDING,
    EDITION_EXPECTED,
    fixed_edition,
    is_total,
    overlaps,
    parse_age_range,
    parse_edition,
)
from observatoire.sources.contrat_values import AMOUNT_EXPECTED, parse_amount
from observatoire.sources.democratie_read import (
    BOOL_EXPECTED,
    COLUMNS_HELP,
    QUARTIERS_HELP,
    Vocabulary,
    finish,
    open_sheet,
    quartier_resolver,
    screen_texts,
    typed_frame,
)
from observatoire.sources.participation_fields import (
    COUNT_EXPECTED,
    parse_count,
    parse_sexe,
    warning,
)
from observatoire.sources.participation_privacy import TITLE, guarded, ignored_columns
from observatoire.sources.participation_read import (
    READ_OPTIONS,
    cell,
    clean_free_text,
    get,
    map_columns,
    read_sheet,
    screen,
)
from observatoire.sources.registry import Adapter
from observatoire.sources.tabular import normalise_label
from observatoire.sources.values import CellValueError, parse_bool_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext

PROJET_DEFAULTS: dict[str, list[str]] = {
    "id": ["n°", "numéro", "identifiant", "référence", "id", "n° projet", "n° du projet"],
    "edition": ["édition", "année", "millésime", "édition du budget participatif"],
    "titre": ["projet", "titre", "intitulé", "titre du projet", "intitulé du projet"],
    "quartier": ["quartier", "quartier(s)", "quartiers", "qpv", "code qpv", "périmètre"],
    "montant": ["montant (€)", "montant", "montant (euros)", "coût estimé", "coût (€)",
                "montant estimé", "budget", "budget (€)"],
    "statut": ["statut", "état", "état du projet"],
    "laureat": ["lauréat", "lauréat ?", "retenu"],
    "realise": ["réalisé", "réalisé ?", "réalisation"],
    "jeunes": ["porté par des moins de 25 ans", "volet jeunes", "jeunes", "projet jeunes"],
    "votes": ["votes", "nombre de votes", "voix", "nb votes"],
}  # fmt: skip
STATUT_SYNONYMS = {
    "deposee": "déposé", "propose": "déposé", "proposition": "déposé", "recu": "déposé",
    "eligible": "recevable", "recevable apres etude": "recevable", "instruit": "recevable",
    "irrecevable": "non recevable", "non eligible": "non recevable",
    "ineligible": "non recevable", "rejete": "non recevable", "refuse": "non recevable",
    "au vote": "soumis au vote", "en vote": "soumis au vote", "vote en cours": "soumis au vote",
    "laureate": "lauréat", "gagnant": "lauréat", "retenu": "lauréat", "elu": "lauréat",
    "en cours de realisation": "lauréat", "en travaux": "lauréat",
    "realisee": "réalisé", "livre": "réalisé", "termine": "réalisé", "acheve": "réalisé",
    "inaugure": "réalisé", "annule": "abandonné", "retire": "abandonné",
    "abandonnee": "abandonné", "sans suite": "abandonné",
}  # fmt: skip
WINNING = ("lauréat", "réalisé")

# ---------------------------------------------------------------------- projets


def load_projets(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Liste des projets du budget participatif → table ``projets_bp``."""
    edition_fixe = fixed_edition(source)
    sheet = open_sheet(
        source, PROJET_DEFAULTS, ["titre", "statut"] + ([] if edition_fixe else ["edition"]),
        ["n°", "édition", "projet", "quartier", "statut"],
        lambda key: f'colonnes.{key} = "…" dans [sources.{source.name}]'
        + (" ou edition = 2025 pour tout le fichier" if key == "edition" else ""),
    )  # fmt: skip
    raw, cols, problems = sheet.raw, sheet.cols, sheet.problems
    name_cols = screen_texts(source, raw, cols, {"titre": TITLE}, {}, ctx.warnings)
    statuts = Vocabulary(source, "correspondance_statuts", STATUTS_PROJET, STATUT_SYNONYMS,
                         "un statut de projet", BUDGET_WORDING)  # fmt: skip
    quartiers = quartier_resolver(source, ctx)
    records, seen = [], {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]

        def value(key: str, parse, expected: str | None = None, i: int = i):
            return get(problems, raw, cols, key, i, parse, expected) if key in cols else None

        ident = sheet.identifier(i, seen, "projet")
        titre = cell(raw, cols, "titre", i).strip()
        if not titre:
            problems.add("titre du projet manquant", row=line, column=cols["titre"],
                         expected="l'intitulé du projet")  # fmt: skip
        elif source.get("pseudonymiser", False):
            titre = clean_free_text(titre, TITLE, cols["titre"] in name_cols)
        edition = edition_fixe or value("edition", parse_edition, EDITION_EXPECTED)
        if edition is None and not edition_fixe and not cell(raw, cols, "edition", i).strip():
            problems.add("édition manquante", row=line, column=cols["edition"],
                         expected=EDITION_EXPECTED)  # fmt: skip
        statut = None
        if cell(raw, cols, "statut", i).strip():
            statut = value("statut", statuts.resolve)
        else:
            problems.add("statut manquant", row=line, column=cols["statut"],
                         expected=statuts.expected)  # fmt: skip
        montant = _amount(problems, raw, cols, i)
        if montant is not None and montant < 0:
            problems.add("montant négatif", row=line, column=cols["montant"],
                         found=cell(raw, cols, "montant", i), expected=AMOUNT_EXPECTED)  # fmt: skip
            montant = None
        codes = value("quartier", quartiers.resolve, quartiers.expected) or []
        laureat = value("laureat", parse_bool_cell, BOOL_EXPECTED)
        realise = value("realise", parse_bool_cell, BOOL_EXPECTED)
        if laureat is None and statut in WINNING:
            laureat = True  # un projet au statut « lauréat » ou « réalisé » a été élu
        if realise is None and statut == "réalisé":
            realise = True
        if (realise or statut == "réalisé") and laureat is False:
            ctx.warnings.append(
                warning(source, line, cols.get("realise") or cols["statut"],
                        "projet réalisé mais non lauréat : vérifiez la ligne (le projet est "
                        "compté comme réalisé et comme non lauréat)")
            )  # fmt: skip
        records.append(
            {
                "id": ident,
                "edition": edition,
                "titre": titre or None,
                "quartier": ";".join(codes) or None,
                "montant_centimes": montant,
                "statut": statut,
                "laureat": laureat,
                "realise": realise,
                "jeunes": value("jeunes", parse_bool_cell, BOOL_EXPECTED),
                "votes": value("votes", parse_count, "un nombre entier de votes (vide si inconnu)"),
                "ligne": line,
            }
        )
    finish(problems, ctx)
    return {"projets_bp": typed_frame(records, "projets_bp", source.name)}


def _amount(problems: ProblemCollector, raw, cols: dict[str, str], i: int) -> int | None:
    """Montant en centimes ; un montant ambigu (« 23.300 ») est refusé avec sa raison."""
    if "montant" not in cols:
        return None
    text = cell(raw, cols, "montant", i)
    try:
        return parse_amount(text)
    except CellValueError as exc:
        problems.add(exc.reason, row=raw.rows[i], column=cols["montant"], found=text,
                     expected=exc.expected)  # fmt: skip
    except ValueError:
        problems.add("valeur invalide", row=raw.rows[i], column=cols["montant"], found=text,
                     expected=AMOUNT_EXPECTED)  # fmt: skip
    return None


# ---------------------------------------------------------------------- votes agrégés

VOTES_DEFAULTS: dict[str, list[str]] = {
    "edition": ["édition", "année", "millésime"],
    "quartier": ["quartier", "quartier de résidence", "qpv", "code qpv", "quartier(s)"],
    "tranche_age": ["tranche d'âge", "tranche d'age", "tranche age", "classe d'âge", "âge"],
    "sexe": ["sexe", "genre"],
    "votants": ["votants", "nombre de votants", "nb votants", "nombre de votants (total)"],
}
TOTALS_EXPECTED = (
    "des totaux par tranche : une ligne par édition × quartier × tranche d'âge × sexe avec le "
    "nombre de votants (colonne « Votants »), sans identifiant de votant"
)
_VOTER_WORDS = {"votant", "votante", "electeur", "electrice", "bulletin", "participant", "personne"}
_ID_WORDS = {"id", "identifiant", "numero", "n", "no", "code", "pseudonyme", "ref", "reference"}


def voter_id_columns(columns: list[str]) -> list[str]:
    """Colonnes qui identifient un votant ou un bulletin (« Identifiant du votant »,
    « N° de bulletin », « Électeur », « Pseudonyme »)."""
    out = []
    for column in columns:
        words = set(normalise_label(column).replace("'", " ").replace("°", "").split())
        words = {w.strip("().:") for w in words}
        if words & _VOTER_WORDS and (words & _ID_WORDS or len(words) == 1):
            out.append(column)
        elif words and words <= _ID_WORDS | {"du", "de", "la", "le"}:
            out.append(column)  # « Identifiant », « N° », « Pseudonyme » seuls
    return out


def load_votes(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Votants agrégés du budget participatif → table ``votes_bp`` (jamais de bulletin)."""
    problems = ProblemCollector(source.label)
    raw = read_sheet(source, problems, ["édition", "quartier", "tranche d'âge", "sexe", "votants"])
    columns = [str(c) for c in raw.frame.columns]
    for column in voter_id_columns(columns):
        problems.add(
            "colonne d'identifiant de votant : les bulletins individuels n'entrent pas dans "
            "l'observatoire", column=column, expected=TOTALS_EXPECTED,
        )  # fmt: skip
    problems.raise_if_any()
    cols = map_columns(raw, source, VOTES_DEFAULTS, problems)
    if "votants" not in cols and not problems.errors:
        problems.add(
            "aucune colonne « Votants » : le fichier ressemble à une ligne par votant "
            "(bulletins individuels), qui n'entre pas dans l'observatoire",
            expected=TOTALS_EXPECTED + f' (ou colonnes.votants = "…" dans [sources.{source.name}])',
        )  # fmt: skip
    edition_fixe = fixed_edition(source)
    if "edition" not in cols and not edition_fixe:
        problems.add("colonne « edition » introuvable",
                     expected=f'colonnes.edition = "…" ou edition = 2025 dans '
                     f"[sources.{source.name}]")  # fmt: skip
    problems.raise_if_any()
    ctx.warnings.extend(ignored_columns(source, screen(source, raw, cols)))
    aliases = source.get("correspondance_tranches", {}) or {}
    if not isinstance(aliases, dict):
        raise source.error("doit être une table", "correspondance_tranches", aliases)
    for label, target in aliases.items():
        try:
            parse_age_range(target)
        except ValueError:
            raise source.error(f"tranche cible invalide pour « {label} »",
                               "correspondance_tranches", target, "« 16-24 ans »…") from None  # fmt: skip
    aliases = {normalise_label(k): str(v) for k, v in aliases.items()}
    quartiers = quartier_resolver(source, ctx)
    records, seen, bands = [], {}, {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]

        def value(key: str, parse, expected: str | None = None, i: int = i):
            return get(problems, raw, cols, key, i, parse, expected) if key in cols else None

        keys = ("edition", "quartier", "tranche_age", "sexe")
        if any(is_total(cell(raw, cols, k, i)) for k in keys):
            ctx.warnings.append(warning(source, line, None, "ligne de total ignorée (les "
                                "totaux sont recalculés à partir des lignes détaillées)"))  # fmt: skip
            continue
        edition = edition_fixe or value("edition", parse_edition, EDITION_EXPECTED)
        if edition is None and not edition_fixe and not cell(raw, cols, "edition", i).strip():
            problems.add("édition manquante", row=line, column=cols["edition"],
                         expected=EDITION_EXPECTED)  # fmt: skip
        codes = value("quartier", quartiers.resolve, quartiers.expected) or []
        if len(codes) > 1:
            problems.add("plusieurs quartiers sur une ligne de votants", row=line,
                         column=cols["quartier"], found=cell(raw, cols, "quartier", i),
                         expected="un seul quartier par ligne (ou vide : hors QPV ou non "
                         "ventilé)")  # fmt: skip
        label = cell(raw, cols, "tranche_age", i).strip()
        band = value("tranche_age", lambda t: parse_age_range(aliases.get(normalise_label(t), t)))
        sexe_text = cell(raw, cols, "sexe", i).strip()
        both = normalise_label(sexe_text) in ("ensemble", "tous", "toutes", "les deux", "mixte")
        sexe = None if both else value("sexe", parse_sexe)
        votants = value("votants", parse_count, COUNT_EXPECTED)
        if votants is None and not cell(raw, cols, "votants", i).strip():
            problems.add("nombre de votants manquant", row=line, column=cols["votants"],
                         expected=COUNT_EXPECTED.replace(" (vide si inconnu)", ""))  # fmt: skip
        combo = (edition, ";".join(codes), band, sexe)
        if edition is not None and combo in seen:
            problems.add(
                "même édition, quartier, tranche d'âge et sexe qu'une autre ligne", row=line,
                found=" / ".join(x for x in (str(edition), ";".join(codes), label, sexe_text) if x),
                expected=f"une ligne par combinaison (déjà ligne {seen[combo]}) : "
                + TOTALS_EXPECTED,
            )  # fmt: skip
        seen.setdefault(combo, line)
        if band is not None and edition is not None:
            bands.setdefault(edition, {}).setdefault(band, (label, line))
        records.append(
            {
                "edition": edition,
                "quartier": ";".join(codes) or None,
                "tranche_age": label or None,
                "age_min": band[0] if band else None,
                "age_max": band[1] if band else None,
                "sexe": sexe,
                "votants": votants,
                "ligne": line,
            }
        )
    _overlapping_bands(problems, bands, cols.get("tranche_age"))
    finish(problems, ctx)
    return {"votes_bp": typed_frame(records, "votes_bp", source.name)}


def _overlapping_bands(problems: ProblemCollector, bands: dict, column: str | None) -> None:
    """Tranches d'une même édition qui se chevauchent (un votant compté deux fois)."""
    for edition, found in bands.items():
        items = sorted(found.items(), key=lambda kv: kv[1][1])
        for j, (band, (label, line)) in enumerate(items):
            for other, (other_label, other_line) in items[:j]:
                if overlaps(band, other):
                    problems.add(
                        f"tranches d'âge qui se chevauchent dans l'édition {edition} : "
                        f"« {label} » et « {other_label} » (ligne {other_line})",
                        row=line, column=column, found=label,
                        expected="des tranches disjointes (ex. 11-15 ans, 16-24 ans, 25-64 "
                        "ans, 65 ans et plus) : chaque votant n'est compté qu'une fois",
                    )  # fmt: skip


PSEUDO_TEXT = (
    "true : les colonnes d'identité ne sont pas importées et les e-mails, téléphones et noms "
    "trouvés dans le titre sont remplacés par « [… retiré] » au lieu de refuser le fichier"
)
_COMMON = {
    "colonnes": COLUMNS_HELP,
    "correspondance_quartiers": QUARTIERS_HELP,
    "edition": "année d'édition de tout le fichier (sans colonne « Édition »)",
    **READ_OPTIONS,
}
ADAPTERS = [
    Adapter(
        type="budget_participatif",
        tables=("projets_bp",),
        load=guarded(load_projets),
        options={
            **_COMMON,
            "pseudonymiser": PSEUDO_TEXT,
            "correspondance_statuts": "table statut du fichier → statut canonique (déposé, "
            "recevable, non recevable, soumis au vote, lauréat, réalisé, abandonné)",
            "prefixe_id": "préfixe ajouté aux identifiants de projets (unicité entre sources)",
        },
        needs=("territoires",),
        description="Projets du budget participatif (montants en centimes exacts)",
    ),
    Adapter(
        type="votes_budget_participatif",
        tables=("votes_bp",),
        load=guarded(load_votes),
        options={
            **_COMMON,
            "pseudonymiser": "true : les colonnes d'identité éventuelles ne sont pas importées "
            "(avertissement) au lieu de refuser le fichier",
            "correspondance_tranches": "table libellé de tranche du fichier → tranche écrite "
            "« 16-24 ans », « moins de 25 ans » ou « 65 ans et plus »",
        },
        needs=("territoires",),
        description="Votants du budget participatif agrégés par édition, quartier, tranche "
        "d'âge et sexe (jamais de bulletin individuel)",
    ),
]
