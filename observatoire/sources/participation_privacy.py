"""Contrôle des données personnelles commun à TOUTES les sources de participation.

Chaque colonne de texte libre (titre, lieu, description Decidim…) est examinée
cellule par cellule (:mod:`observatoire.privacy_text`) : e-mails, téléphones,
civilités suivies d'un nom, prénoms accolés à un nom en capitales. Ce qui est trouvé :

- refuse le fichier par défaut (:func:`text_problems` : fichier, ligne, colonne, passage
  MASQUÉ, option ``pseudonymiser = true``) ;
- est remplacé par « [e-mail retiré] », « [téléphone retiré] », « [nom retiré] » avec
  ``pseudonymiser = true`` (:func:`redact_cell`), avec un avertissement par cellule.

:func:`guarded` enveloppe le chargement de chaque adaptateur de participation et de
démocratie participative : en dernier rempart, les colonnes de texte des tables produites
(:data:`OUTPUT_TEXT` : ``evenements``, ``concertations``, ``contributions``, ``avis``…)
sont examinées de la même façon avant d'entrer dans le cache.

Exemple ::

    hits = scan_cells(raw, {"Objet": TITLE})
    if hits and not source.get("pseudonymiser"):
        raise PrivacyError(text_problems(source, hits))
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from observatoire.errors import PrivacyError, Problem
from observatoire.privacy import KIND_LABELS as PRIVACY_KINDS
from observatoire.privacy import Identifier, detect_identifiers, privacy_error
from observatoire.privacy_text import KIND_LABELS, Span, find_spans, is_name_cell, mask, redact
from observatoire.text_clean import MAX_NAME_LENGTH, clean_text, count_fr, has_nul

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext
    from observatoire.sources.tabular import RawTable

# options de recherche par genre de colonne
TITLE = {"names": True, "first_names": True}  # titre, description, commentaire
PLACE = {"names": True, "first_names": False}  # lieu, adresse (« Salle Jean MOULIN »)
PEOPLE = {**TITLE, "whole": True}  # liste de personnes : « LEBLANC Aurore » seul est un nom
CONTACT_ONLY = {"names": False, "first_names": False}  # codes, dates, nombres
# colonnes de texte des tables canoniques (dernier rempart) : colonne → options de recherche ;
# ``elu`` et ``service`` (rôles publics) n'y sont pas : seuls leurs e-mails et téléphones
# sont cherchés, à la lecture
OUTPUT_TEXT = {
    "evenements": {"titre": TITLE, "lieu": PLACE},
    "presences": {},
    "concertations": {"objet": TITLE, "prochaines_etapes": TITLE},
    "contributions": {"justification": TITLE, "theme": TITLE},
    "petitions": {"titre": TITLE},
    "remontees": {"theme": TITLE},
    "avis": {"objet": TITLE, "reponse": TITLE},
    "projets_bp": {"titre": TITLE},
    "seances": {"instance": PLACE},  # « Conseil citoyen Louise Michel » n'est pas un nom
}
# textes longs (quelques phrases) : limite de longueur propre, au lieu de celle d'un titre
LONG_TEXT_LENGTH = 10_000
LONG_TEXT = {
    ("concertations", "prochaines_etapes"),
    ("contributions", "justification"),
    ("avis", "reponse"),
}
MAX_LISTED = 50  # passages cités par fichier (le total est toujours donné)


@dataclass(frozen=True)
class CellHit:
    """Un passage identifiant dans une cellule d'un fichier."""

    row: int | None
    column: str
    span: Span


def cell_spans(text: object, options: Mapping[str, bool]) -> list[Span]:
    """Passages identifiants d'une cellule ; ``whole`` : la cellule entière peut être un nom."""
    value = str(text)
    if options.get("whole") and is_name_cell(value):
        return [Span("nom", 0, len(value), value)]
    return find_spans(value, names=options["names"], first_names=options["first_names"])


def scan_cells(raw: RawTable, columns: Mapping[str, Mapping[str, bool]]) -> list[CellHit]:
    """Passages identifiants des colonnes ``columns`` (colonne → options de recherche)."""
    hits: list[CellHit] = []
    for column, options in columns.items():
        if column not in raw.frame.columns:
            continue
        values = raw.frame[column].tolist()
        for i, value in enumerate(values):
            for span in cell_spans(value, options):
                hits.append(CellHit(raw.rows[i], str(column), span))
    return sorted(hits, key=lambda h: (h.row or 0, h.column))


def _advice(source: SourceConfig) -> str:
    return (
        "elles ne doivent pas entrer dans l'observatoire. Retirez-les du fichier, ou ajoutez "
        f"« pseudonymiser = true » à [sources.{source.name}] : ces passages sont alors "
        "remplacés à la lecture par « [e-mail retiré] », « [téléphone retiré] » ou "
        "« [nom retiré] » (voir le README, section « Participation des habitants »)"
    )


def text_problems(source: SourceConfig, hits: list[CellHit]) -> list[Problem]:
    """Un refus par passage trouvé (au plus :data:`MAX_LISTED`, puis le total)."""
    problems = [
        Problem(
            source.label,
            f"donnée personnelle dans le texte ({KIND_LABELS[h.span.kind]}) : " + _advice(source),
            row=h.row,
            column=h.column,
            found=mask(h.span.kind, h.span.text),
            expected="un texte sans e-mail, téléphone ni nom de personne",
        )
        for h in hits[:MAX_LISTED]
    ]
    if len(hits) > MAX_LISTED:
        problems.append(
            Problem(
                source.label,
                f"{len(hits)} passages identifiants au total, {MAX_LISTED} listés ci-dessus",
            )
        )
    return problems


def redaction_warnings(source: SourceConfig, hits: list[CellHit], kept: bool) -> list[Problem]:
    """Avertissements de ``pseudonymiser = true`` : ce qui a été retiré, où (masqué)."""
    what = "remplacée à la lecture" if kept else "non importée (colonne non lue)"
    out = [
        Problem(
            source.label,
            f"donnée personnelle {what} ({KIND_LABELS[h.span.kind]}, pseudonymiser = true)",
            row=h.row,
            column=h.column,
            found=mask(h.span.kind, h.span.text),
            severity="avertissement",
        )
        for h in hits[:MAX_LISTED]
    ]
    if len(hits) > MAX_LISTED:
        out.append(
            Problem(
                source.label,
                f"{len(hits)} passages identifiants retirés au total, {MAX_LISTED} listés",
                severity="avertissement",
            )
        )
    return out


def redact_cell(text: object, options: Mapping[str, bool]) -> str:
    """Texte de la cellule sans ses passages identifiants."""
    value = str(text)
    return redact(value, cell_spans(value, options))


def refuse_or_warn(
    source: SourceConfig,
    hits: list[CellHit],
    ctx: LoadContext,
    stored: set[str],
    extra: list[Problem] | None = None,
) -> None:
    """Refus (sans ``pseudonymiser``) ou avertissements ; ``stored`` : colonnes importées."""
    extra = extra or []
    if not hits and not extra:
        return
    if not source.get("pseudonymiser", False):
        raise PrivacyError(extra + text_problems(source, hits))
    for kept in (True, False):
        part = [h for h in hits if (h.column in stored) == kept]
        ctx.warnings.extend(redaction_warnings(source, part, kept))


def ignored_columns(
    source: SourceConfig, found: list[Identifier], exclude: set[str] = frozenset()
) -> list[Problem]:
    """Avertissements des colonnes d'identité écartées sous ``pseudonymiser = true``."""
    if not source.get("pseudonymiser", False):
        return []
    return [
        Problem(
            source.label,
            f"colonne d'identité ({PRIVACY_KINDS[i.kind]}, reconnue par le {i.by}) non "
            "importée (pseudonymiser = true)",
            row=i.row,
            column=i.column,
            found=i.sample,
            severity="avertissement",
        )
        for i in found
        if i.column not in exclude
    ]


# ---------------------------------------------------------------- Decidim

# colonnes de l'export Decidim contrôlées par ailleurs (identifiants, dates, nombres)
DECIDIM_STRUCTURED = {
    "id", "start_time", "end_time", "attendees", "contributions", "comments", "followers",
    "url", "published", "published_at", "reference", "attendees_count", "contributions_count",
}  # fmt: skip
_STRUCTURED_ENDINGS = (
    "/id", "_at", "_time", "_count", "url", "_enabled", "_visible", "_slots", "_type",
    "_level", "_email", "latitude", "longitude", "published", "withdrawn", "transparent",
    "private_meeting", "type_of_meeting",
)  # fmt: skip


def _decidim_base(column: str) -> str:
    base = str(column).strip().lower()
    head, _, tail = base.rpartition("/")
    return head if head and tail != "id" and len(tail) in (2, 5) and tail.isalpha() else base


def decidim_columns(columns: list[str]) -> dict[str, Mapping[str, bool]]:
    """Colonne de l'export → options de recherche (tout le texte libre est examiné)."""
    out: dict[str, Mapping[str, bool]] = {}
    for column in columns:
        base = _decidim_base(column)
        if base in DECIDIM_STRUCTURED or base.endswith(_STRUCTURED_ENDINGS):
            out[column] = CONTACT_ONLY
        elif base.startswith(("address", "location", "scope/", "category/")):
            out[column] = PLACE
        elif base.startswith(("organization", "author", "user", "speaker", "moderator")):
            out[column] = PEOPLE
        else:
            out[column] = TITLE
    return out


def screened_decidim(
    load: Callable[[SourceConfig, LoadContext], dict[str, Any]],
) -> Callable[[SourceConfig, LoadContext], dict[str, Any]]:
    """Chargement Decidim précédé de l'examen de TOUTES ses colonnes de texte
    (``title/fr``, ``description/fr``, ``organizations``, ``address``…)."""

    @functools.wraps(load)
    def wrapper(source: SourceConfig, ctx: LoadContext) -> dict[str, Any]:
        from observatoire.errors import ProblemCollector
        from observatoire.sources.decidim_read import read_export  # CSV, JSON, .xls refusé

        if source.path is None:
            return load(source, ctx)
        problems = ProblemCollector(source.label)
        raw = read_export(source, problems, ["id", "start_time", "attendees", "title/fr"])
        if problems.errors:
            return load(source, ctx)  # l'adaptateur signale les anomalies de lecture
        columns = [str(c) for c in raw.frame.columns]
        options = decidim_columns(columns)
        hits = scan_cells(raw, options)
        # colonnes faites de noms (« LEBLANC Aurore ») : par le contenu seulement, le schéma
        # de l'export étant fixe (« customize_registration_email » est un booléen)
        hit_cols = {h.column for h in hits}
        others = [c for c in columns if options[c] is TITLE and c not in hit_cols]
        found = [
            i
            for i in detect_identifiers(raw.frame[others], raw.rows, trusted_labels=others)
            if i.kind == "nom"
        ]
        langue = str(source.get("langue", "fr"))
        title = {c for c in columns if _decidim_base(c) == "title" and c.endswith(("e", langue))}
        if not source.get("pseudonymiser", False):
            if found or hits:
                raise PrivacyError(
                    privacy_error(source, found).problems + text_problems(source, hits)
                )
            return load(source, ctx)
        ctx.warnings.extend(ignored_columns(source, found))
        for kept in (True, False):
            part = [h for h in hits if (h.column in title) == kept]
            ctx.warnings.extend(redaction_warnings(source, part, kept))
        tables = load(source, ctx)
        events = tables.get("evenements")
        if isinstance(events, pd.DataFrame) and len(events) and "titre" in events.columns:
            events["titre"] = [
                redact_cell(t, TITLE) if isinstance(t, str) else t for t in events["titre"]
            ]
        return tables

    return wrapper


# ---------------------------------------------------------------- dernier rempart


def _check_output(source: SourceConfig, tables: dict[str, Any], ctx: LoadContext) -> dict[str, Any]:
    pseudo = bool(source.get("pseudonymiser", False))
    problems: list[Problem] = []
    for name, columns in OUTPUT_TEXT.items():
        frame = tables.get(name)
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            continue
        lines = frame["ligne"].tolist() if "ligne" in frame.columns else [None] * len(frame)
        for column, options in columns.items():
            if column not in frame.columns:
                continue
            values = frame[column].tolist()
            for i, value in enumerate(values):
                if not isinstance(value, str):
                    continue
                line = None if pd.isna(lines[i]) else int(lines[i])
                where = f"{column} (table {name})"
                value = values[i] = clean_text(value)
                problems += _text_shape(source, value, line, where, (name, column) in LONG_TEXT)
                spans = cell_spans(value, options)
                if not spans:
                    continue
                hits = [CellHit(line, where, s) for s in spans]
                if pseudo:
                    values[i] = redact(value, spans)
                    ctx.warnings.extend(redaction_warnings(source, hits, True))
                else:
                    problems += text_problems(source, hits)
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
    if problems:
        raise PrivacyError(problems)
    return tables


def _text_shape(
    source: SourceConfig, value: str, line: int | None, where: str, long: bool = False
) -> list[Problem]:
    """NUL ou longueur excessive d'un titre ou d'un lieu, ou d'un texte long (refus)."""
    limit, what = (
        (LONG_TEXT_LENGTH, "un texte libre") if long else (MAX_NAME_LENGTH, "un titre ou un lieu")
    )
    out = []
    if has_nul(value):
        out.append(
            Problem(source.label, "caractère NUL dans le texte (fichier binaire ou corrompu ?)",
                    row=line, column=where, found=value[:60], expected="du texte sans NUL")
        )  # fmt: skip
    if len(value) > limit:
        out.append(
            Problem(source.label, f"texte trop long pour {what}", row=line,
                    column=where, found=f"{count_fr(len(value))} caractères",
                    expected=f"au plus {count_fr(limit)} caractères")
        )  # fmt: skip
    return out


def guarded(
    load: Callable[[SourceConfig, LoadContext], dict[str, Any]],
) -> Callable[[SourceConfig, LoadContext], dict[str, Any]]:
    """``load`` suivi de l'examen des colonnes de texte des tables produites."""

    @functools.wraps(load)
    def wrapper(source: SourceConfig, ctx: LoadContext) -> dict[str, Any]:
        return _check_output(source, load(source, ctx), ctx)

    wrapper.privacy_guarded = True  # type: ignore[attr-defined]
    return wrapper


__all__ = [
    "CellHit",
    "decidim_columns",
    "screened_decidim",
    "guarded",
    "redact_cell",
    "scan_cells",
    "text_problems",
]
