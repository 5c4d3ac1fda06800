"""Lecture commune des sources de la démocratie participative (concertations,
contributions, pétitions, signatures, remontées, séances et avis, budget participatif,
vivier) : vocabulaires à synonymes et ``correspondance_<…>``, feuille et colonnes,
examen des données personnelles, dates, listes, table typée d'après le schéma.

Les conventions sont celles des sources de participation
(:mod:`observatoire.sources.participation_read`) : en-têtes usuels ou ``colonnes``,
lignes de titre, CSV « ; »/« , » en Windows-1252 ou UTF-8, XLSX (``feuille``).

Exemple ::

    statuts = Vocabulary(source, "correspondance_statuts", STATUTS_PETITION,
                         {"répondue": "réponse"}, "statut de pétition")
    statuts.resolve("Répondue")   # 'réponse'
    split_list("atelier ; balade / questionnaire")   # ['atelier', 'balade', 'questionnaire']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import Problem, ProblemCollector
from observatoire.schemas import SCHEMAS, empty_table
from observatoire.sources.participation_fields import (
    COUNT_EXPECTED,
    QuartierResolver,
    parse_count,
    warning,
)
from observatoire.sources.participation_privacy import (
    ignored_columns,
    redaction_warnings,
    scan_cells,
)
from observatoire.sources.participation_read import (
    cell,
    clean_free_text,
    get,
    map_columns,
    read_sheet,
    screen,
)
from observatoire.sources.tabular import RawTable, normalise_label
from observatoire.sources.values import DATE_EXPECTED, parse_date_cell, unescape_excel

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext


def vocabulary_key(text: object) -> str:
    """Forme de comparaison d'une valeur : sans accents, majuscules, tirets ni apostrophes."""
    key = normalise_label(unescape_excel(text)).replace("’", "'")
    return " ".join(re.sub(r"[-_'.]", " ", key).split())


@dataclass(frozen=True)
class Wording:
    """Textes d'un vocabulaire. Champs : ``{label}``, ``{values}``, ``{option}``,
    ``{first}`` (première valeur), ``{source}`` ; ``{alias}`` pour une cible invalide."""

    expected: str
    bad_target: str
    target_expected: str


# cellule inconnue : la liste et l'option citées (pétitions, remontées…)
LIST_WORDING = Wording(
    "un {label} de la liste : {values} (synonymes usuels admis ; autre libellé : "
    "déclarez-le dans {option})",
    "valeur cible inconnue pour « {alias} »",
    "une valeur de la liste : {values}",
)


class Vocabulary:
    """Cellule d'un vocabulaire → valeur canonique : valeurs et synonymes usuels comparés
    sans accents, majuscules ni tirets, puis l'option ``correspondance_<…>`` (libellé du
    fichier → valeur canonique ou synonyme), contrôlée à l'ouverture."""

    def __init__(
        self,
        source: SourceConfig,
        option: str,
        canonical: tuple[str, ...],
        synonyms: Mapping[str, str],
        label: str,
        wording: Wording = LIST_WORDING,
    ) -> None:
        self.option, self.canonical, self.label = option, canonical, label
        self.lookup = {vocabulary_key(v): v for v in canonical}
        for alias, target in synonyms.items():
            self.lookup.setdefault(vocabulary_key(alias), target)
        fields = {"label": label, "values": ", ".join(canonical), "option": option,
                  "first": canonical[0], "source": source.name}  # fmt: skip
        self.expected = wording.expected.format(**fields)
        table = source.get(option, {}) or {}
        if not isinstance(table, Mapping):
            raise source.error(
                "doit être une table", option, table, f'{option} = {{ "libellé" = "…" }}'
            )
        for alias, target in table.items():
            value = self.lookup.get(vocabulary_key(target))
            if value is None:
                raise source.error(
                    wording.bad_target.format(alias=alias, **fields),
                    option,
                    target,
                    wording.target_expected.format(**fields),
                )
            self.lookup[vocabulary_key(alias)] = value

    def resolve(self, text: object) -> str | None:
        """Valeur canonique ; ``None`` pour une cellule vide ; ``ValueError`` si inconnue."""
        key = vocabulary_key(text)
        if not key:
            return None
        if key in self.lookup:
            return self.lookup[key]
        raise ValueError(self.expected)


_LIST_SPLIT = re.compile(r"\s*[;,/]\s*")


def split_list(text: object) -> list[str]:
    """« atelier ; balade urbaine / questionnaire » → libellés distincts, dans l'ordre."""
    out: dict[str, str] = {}
    for part in _LIST_SPLIT.split(str(text or "").strip()):
        part = " ".join(part.split())
        if part and vocabulary_key(part) not in out:
            out[vocabulary_key(part)] = part
    return list(out.values())


def usual_headers(candidates: list[str], count: int = 3) -> str:
    """« « N° », « Identifiant » » : en-têtes usuels cités dans un message."""
    return ", ".join(f"« {c[:1].upper() + c[1:]} »" for c in candidates[:count])


def parse_cell(problems, raw: RawTable, cols: dict[str, str], key: str, i: int, parse,
               message: str):  # fmt: skip
    """Valeur convertie de la cellule, ou ``None`` et anomalie ``message`` (la valeur trouvée
    et ce qui est attendu : le texte de la ``ValueError`` levée par ``parse``)."""
    text = str(raw.frame.iloc[i][cols[key]]) if key in cols else ""
    try:
        return parse(text)
    except ValueError as exc:
        problems.add(message, row=raw.rows[i], column=cols[key], found=text.strip(),
                     expected=str(exc))  # fmt: skip
        return None


def screen_texts(
    source: SourceConfig,
    raw: RawTable,
    cols: dict[str, str],
    kept: Mapping[str, Mapping[str, bool]],
    unkept: Mapping[str, Mapping[str, bool]],
    warnings: list[Problem],
) -> set[str]:
    """Examen des données personnelles du fichier (refus, ou avertissements avec
    ``pseudonymiser = true``) ; ``kept`` : textes repris, ``unkept`` : textes examinés mais
    non repris ; les autres colonnes lues (``elu``, ``service``…) ne sont examinées que pour
    les e-mails et téléphones, les colonnes non lues par leur nom et leur contenu (voir
    :func:`participation_read.screen`). Renvoie les colonnes reprises faites de noms (à
    remplacer entièrement)."""
    found = screen(source, raw, cols, free_text={**kept, **unkept})
    kept_cols = {cols[k] for k in kept if k in cols}
    name_cols = {i.column for i in found if i.column in kept_cols}
    if source.get("pseudonymiser", False):
        for group, is_kept in ((kept, True), (unkept, False)):
            columns = {cols[k]: o for k, o in group.items() if k in cols}
            warnings.extend(redaction_warnings(source, scan_cells(raw, columns), is_kept))
    warnings.extend(ignored_columns(source, found, name_cols))
    return name_cols


BOOL_EXPECTED = "oui ou non (vide si inconnu)"  # cellule lue par parse_bool_cell


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
    missing: Callable[[str], str] | None = None,
) -> Sheet:
    """Lit le fichier, reconnaît les colonnes, signale ensemble les colonnes requises
    absentes (``missing`` : clé → ce qui est attendu, par défaut les en-têtes usuels)."""
    problems = ProblemCollector(source.label)
    raw = read_sheet(source, problems, header_hints)
    cols = map_columns(raw, source, defaults, problems)
    for key in required:
        if key not in cols:
            usual = ", ".join(f"« {h} »" for h in defaults[key][:3])
            problems.add(
                f"colonne « {key} » introuvable",
                expected=missing(key) if missing else f'une colonne {usual}, ou '
                f'colonnes.{key} = "…" dans [sources.{source.name}]',
            )  # fmt: skip
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


# descriptions des options communes (liste des options d'un type de source)
COLUMNS_HELP = "table clé canonique → nom de colonne du fichier"
QUARTIERS_HELP = 'table nom de quartier du fichier → code QPV ("" : tout le territoire)'


def quartier_resolver(source: SourceConfig, ctx: LoadContext) -> QuartierResolver:
    """Quartiers par code ou par nom (``correspondance_quartiers``) du territoire chargé."""
    return QuartierResolver(source, ctx.tables.get("territoires"), ctx.config.territoire.generation)


def declared(ctx: LoadContext, source_type: str) -> bool:
    """Vrai si la configuration déclare au moins une source de ce type."""
    return any(s.type == source_type for s in ctx.config.sources.values())


def known_ids(ctx: LoadContext, table: str) -> set[str]:
    frame = ctx.tables.get(table)
    return set(frame["id"].astype(str)) if frame is not None and len(frame) else set()


def typed_frame(records: list[dict], table: str, source_name: str) -> pd.DataFrame:
    """Enregistrements → table canonique ``table`` (types du schéma, NA jamais 0) ; les
    colonnes hors schéma (``critere_<nom>`` du vivier) suivent, en texte."""
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
        elif kind.startswith("int"):
            frame[name] = pd.Series(values, index=frame.index, dtype=kind)
        else:
            frame[name] = _text_series(frame, values)
    extra = [c for c in frame.columns if c not in schema.columns]
    for name in extra:
        frame[name] = _text_series(frame, frame[name].tolist())
    return frame[list(schema.columns) + extra]


def _text_series(frame: pd.DataFrame, values: list) -> pd.Series:
    series = pd.Series(values, index=frame.index, dtype=object)
    return series.where(series.notna(), None)


def finish(where: Sheet | ProblemCollector, ctx: LoadContext) -> None:
    """Lève toutes les erreurs du fichier ensemble, sinon garde ses avertissements."""
    problems = where.problems if isinstance(where, Sheet) else where
    problems.raise_if_any()
    ctx.warnings.extend(problems.warnings)


__all__ = [
    "COLUMNS_HELP",
    "QUARTIERS_HELP",
    "quartier_resolver",
    "BOOL_EXPECTED",
    "LIST_WORDING",
    "Sheet",
    "Vocabulary",
    "Wording",
    "declared",
    "finish",
    "known_ids",
    "open_sheet",
    "parse_cell",
    "screen_sheet",
    "screen_texts",
    "split_list",
    "typed_frame",
    "usual_headers",
    "vocabulary_key",
    "warning",
]
