"""Lecture commune des sources de la démocratie participative (pétitions, signatures,
remontées, séances et avis des instances) : vocabulaires à synonymes, dates, nombres,
identifiants, texte libre examiné, tables typées.

Les conventions sont celles des sources de participation
(:mod:`observatoire.sources.participation_read`) : en-têtes usuels ou ``colonnes``,
lignes de titre, CSV « ; »/« , » en Windows-1252 ou UTF-8, XLSX (``feuille``).

Exemple ::

    statuts = Vocabulary(source, "correspondance_statuts", STATUTS_PETITION,
                         {"répondue": "réponse"}, "statut de pétition")
    statuts.resolve("Répondue")   # 'réponse'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas import SCHEMAS, empty_table
from observatoire.sources.concertations_fields import screen_texts, vocabulary_key
from observatoire.sources.participation_fields import COUNT_EXPECTED, parse_count, warning
from observatoire.sources.participation_read import (
    cell,
    clean_free_text,
    get,
    map_columns,
    read_sheet,
)
from observatoire.sources.tabular import RawTable
from observatoire.sources.values import DATE_EXPECTED, parse_date_cell, parse_number_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext


class Vocabulary:
    """Cellule d'un vocabulaire → valeur canonique (synonymes usuels, puis l'option
    ``correspondance_<…>`` : libellé du fichier → valeur canonique)."""

    def __init__(
        self,
        source: SourceConfig,
        option: str,
        canonical: tuple[str, ...],
        synonyms: Mapping[str, str],
        label: str,
    ) -> None:
        self.option, self.canonical, self.label = option, canonical, label
        self.lookup = {vocabulary_key(v): v for v in canonical}
        for alias, target in synonyms.items():
            self.lookup.setdefault(vocabulary_key(alias), target)
        table = source.get(option, {}) or {}
        if not isinstance(table, Mapping):
            raise source.error(
                "doit être une table", option, table, f'{option} = {{ "libellé" = "…" }}'
            )
        for alias, target in table.items():
            value = self.lookup.get(vocabulary_key(target))
            if value is None:
                raise source.error(
                    f"valeur cible inconnue pour « {alias} »",
                    option,
                    target,
                    "une valeur de la liste : " + ", ".join(canonical),
                )
            self.lookup[vocabulary_key(alias)] = value

    @property
    def expected(self) -> str:
        return (
            f"un {self.label} de la liste : {', '.join(self.canonical)} (synonymes usuels "
            f"admis ; autre libellé : déclarez-le dans {self.option})"
        )

    def resolve(self, text: object) -> str | None:
        """Valeur canonique ; ``None`` pour une cellule vide ; ``ValueError`` si inconnue."""
        key = vocabulary_key(text)
        if not key:
            return None
        if key in self.lookup:
            return self.lookup[key]
        raise ValueError(self.expected)


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


@dataclass
class Sheet:
    """Un fichier lu : table brute, colonnes reconnues, anomalies, colonnes de noms."""

    source: SourceConfig
    raw: RawTable
    cols: dict[str, str]
    problems: ProblemCollector
    name_cols: set[str] = field(default_factory=set)

    @property
    def lines(self) -> list[int]:
        return list(self.raw.rows)

    def line(self, i: int) -> int:
        return self.raw.rows[i]

    def text(self, key: str, i: int) -> str:
        return cell(self.raw, self.cols, key, i).strip()

    def column(self, key: str) -> str | None:
        return self.cols.get(key)

    def value(self, key: str, i: int, parse, expected: str | None = None):
        """Valeur convertie (``None`` si absente ou invalide, anomalie localisée)."""
        if key not in self.cols or not self.text(key, i):
            return None
        return get(self.problems, self.raw, self.cols, key, i, parse, expected)

    def date(self, key: str, i: int, required: bool = False) -> pd.Timestamp | None:
        """Date de la cellule (JJ/MM/AAAA, ISO, date Excel) ; manquante : erreur si requise."""
        day = self.value(key, i, parse_date_cell, DATE_EXPECTED)
        if day is None and required and not self.text(key, i):
            self.problems.add(
                "date manquante", row=self.line(i), column=self.cols.get(key),
                expected=DATE_EXPECTED,
            )  # fmt: skip
        return pd.Timestamp(day) if day is not None else None

    def choice(self, key: str, i: int, vocabulary: Vocabulary, required: bool = True):
        """Valeur canonique d'un vocabulaire (manquante : erreur si ``required``)."""
        if required and not self.text(key, i):
            self.problems.add(
                f"{vocabulary.label} manquant", row=self.line(i), column=self.cols.get(key),
                expected=vocabulary.expected,
            )  # fmt: skip
            return None
        return self.value(key, i, vocabulary.resolve)

    def count(self, key: str, i: int) -> int | None:
        return self.value(key, i, parse_count, COUNT_EXPECTED)

    def free_text(self, key: str, i: int, options: Mapping[str, bool]) -> str | None:
        """Texte libre repris (passages identifiants retirés sous ``pseudonymiser``)."""
        value = self.text(key, i)
        if value and self.source.get("pseudonymiser", False):
            value = clean_free_text(value, options, self.cols.get(key) in self.name_cols)
        return value or None

    def after(self, i: int, later_key: str, later, earlier_key: str, earlier, message: str):
        """Erreur ``message`` si la date ``later`` précède ``earlier`` (ex. réponse avant
        le dépôt)."""
        if later is None or earlier is None or later >= earlier:
            return
        self.problems.add(
            message, row=self.line(i), column=self.cols.get(later_key),
            found=self.text(later_key, i),
            expected=f"une date postérieure ou égale au {earlier:%d/%m/%Y} (colonne "
            f"{self.cols.get(earlier_key)})",
        )  # fmt: skip

    def identifier(self, i: int, seen: dict[str, int], what: str, generate: bool = True):
        """Identifiant de la ligne (unique dans le fichier) ; généré s'il manque."""
        ident = self.text("id", i)
        if not ident:
            if not generate:
                self.problems.add(
                    f"identifiant de {what} manquant", row=self.line(i),
                    column=self.cols.get("id"), expected="un identifiant unique",
                )  # fmt: skip
                return None
            ident = f"{self.source.name}-L{self.line(i)}"
        ident = str(self.source.get("prefixe_id", "")) + ident
        if ident in seen:
            self.problems.add(
                f"identifiant de {what} en double", row=self.line(i), column=self.cols.get("id"),
                found=ident, expected=f"un identifiant unique (déjà ligne {seen[ident]})",
            )  # fmt: skip
        seen.setdefault(ident, self.line(i))
        return ident


def open_sheet(
    source: SourceConfig,
    defaults: dict[str, list[str]],
    required: list[str],
    header_hints: list[str],
) -> Sheet:
    """Lit le fichier, reconnaît les colonnes, signale les colonnes requises absentes."""
    problems = ProblemCollector(source.label)
    raw = read_sheet(source, problems, header_hints)
    cols = map_columns(raw, source, defaults, problems)
    for key in required:
        if key not in cols:
            usual = ", ".join(f"« {h} »" for h in defaults[key][:3])
            problems.add(
                f"colonne « {key} » introuvable",
                expected=f'une colonne {usual}, ou colonnes.{key} = "…" dans '
                f"[sources.{source.name}]",
            )
    problems.raise_if_any()
    return Sheet(source, raw, cols, problems)


def screen_sheet(
    sheet: Sheet,
    ctx: LoadContext,
    kept: Mapping[str, Mapping[str, bool]],
    dropped: Mapping[str, Mapping[str, bool]] = {},  # noqa: B006 - lecture seule
) -> None:
    """Données personnelles : refus (sans ``pseudonymiser``) ou avertissements.

    ``kept`` : colonnes de texte libre reprises (passages retirés à la lecture) ;
    ``dropped`` : colonnes examinées mais jamais reprises (ex. description) ; les autres
    colonnes lues ne sont examinées que pour les e-mails et téléphones, les colonnes non
    lues par leur nom et leur contenu (voir :func:`participation_read.screen`)."""
    sheet.name_cols = screen_texts(sheet.source, sheet.raw, sheet.cols, kept, dropped, ctx.warnings)


def declared(ctx: LoadContext, source_type: str) -> bool:
    """Vrai si la configuration déclare au moins une source de ce type."""
    return any(s.type == source_type for s in ctx.config.sources.values())


def known_ids(ctx: LoadContext, table: str) -> set[str]:
    frame = ctx.tables.get(table)
    return set(frame["id"].astype(str)) if frame is not None and len(frame) else set()


def typed_frame(records: list[dict], table: str, source_name: str) -> pd.DataFrame:
    """Enregistrements → table canonique ``table`` (types du schéma, NA jamais 0)."""
    if not records:
        return empty_table(table)
    schema = SCHEMAS[table]
    frame = pd.DataFrame.from_records(records)
    frame["source"] = source_name
    for name, column in schema.columns.items():
        kind = str(column.dtype)
        values = frame[name].tolist() if name in frame.columns else [None] * len(frame)
        if kind.startswith("datetime64"):
            frame[name] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        elif kind in ("Int64", "boolean"):
            frame[name] = pd.array(values, dtype=kind)
        else:
            frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return frame[list(schema.columns)]


def finish(sheet: Sheet, ctx: LoadContext) -> None:
    """Lève toutes les erreurs du fichier ensemble, sinon garde ses avertissements."""
    sheet.problems.raise_if_any()
    ctx.warnings.extend(sheet.problems.warnings)


__all__ = [
    "Sheet",
    "Vocabulary",
    "declared",
    "finish",
    "known_ids",
    "open_sheet",
    "parse_threshold",
    "screen_sheet",
    "typed_frame",
    "warning",
]
