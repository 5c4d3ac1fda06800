"""Lecture brute des fichiers tabulaires réels (CSV, XLSX, Parquet).

Tout est lu **en texte** : aucune conversion implicite (un code ``01001`` reste
``"01001"``). Les conventions des fichiers publics français sont gérées ici :
encodage détecté (UTF-8, UTF-8 avec BOM, Windows-1252), séparateur détecté
(``;``, ``,``, tabulation, ``|``), lignes de titre au-dessus de l'en-tête,
notes sous le tableau, en-têtes sur plusieurs lignes (cellules fusionnées).

La conversion des valeurs (nombres à la française, codes, dates, marqueurs de
secret) est dans :mod:`observatoire.sources.values`.

Exemple ::

    problems = ProblemCollector("revenus.csv")
    table = read_raw_table("revenus.csv", problems=problems, expected=["CODGEO"])
    table.frame      # DataFrame de chaînes
    table.rows       # numéros de ligne du fichier (1 = première ligne)
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from observatoire.errors import InputError, ProblemCollector
from observatoire.sources.text_read import (
    _SEP_NAMES,
    ENCODING_ALIASES,
    SEPARATORS,
    detect_encoding,
    detect_separator,
    looks_binary,
    read_csv_rows,
)
from observatoire.sources.workbook import list_sheets, read_xlsx_rows
from observatoire.sources.workbook_checks import check_sheet, spread_header_merges

__all__ = [
    "ENCODING_ALIASES",
    "SEPARATORS",
    "RawTable",
    "detect_encoding",
    "detect_separator",
    "find_header",
    "list_sheets",
    "looks_binary",
    "normalise_label",
    "read_raw_table",
]


def _problem(file: str, message: str, **kwargs):
    from observatoire.errors import Problem

    return Problem(file, message, **kwargs)


@dataclass
class RawTable:
    """Un tableau lu en texte, avec les numéros de ligne d'origine."""

    frame: pd.DataFrame
    rows: list[int]
    file: str
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, object]]:
        """Les lignes du tableau en dictionnaires colonne → texte (plus rapide que to_dict)."""
        columns = list(self.frame.columns)
        return [dict(zip(columns, r, strict=True)) for r in self.frame.to_numpy(object).tolist()]

    def line_of(self, position: int) -> int:
        """Numéro de ligne du fichier (1 = première ligne) de la ligne ``position``."""
        return self.rows[position]


# --------------------------------------------------------------------------- en-tête


def normalise_label(label: object) -> str:
    """Forme de comparaison d'un nom de colonne : minuscules, sans accents ni espaces."""
    return _normalise(str(label))


@lru_cache(maxsize=8192)
def _normalise(label: str) -> str:
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("\ufeff", "").split())


def find_header(rows: list[list[str]], expected: Sequence[str], limit: int = 30) -> int | None:
    """Indice (0-based) de la ligne d'en-tête : celle qui contient le plus de colonnes attendues."""
    wanted = {normalise_label(e) for e in expected if e}
    best, best_hits = None, 0
    for i, row in enumerate(rows[:limit]):
        labels = {normalise_label(c) for c in row if str(c).strip()}
        hits = len(wanted & labels)
        if hits > best_hits:
            best, best_hits = i, hits
    if not wanted:
        return _first_wide_row(rows, limit)
    return best


def _first_wide_row(rows: list[list[str]], limit: int) -> int | None:
    widths = [sum(1 for c in r if str(c).strip()) for r in rows[:limit]]
    if not widths:
        return None
    top = max(widths)
    for i, w in enumerate(widths):
        if w >= max(2, top * 0.6):
            return i
    return 0


def _combine_header(rows: list[list[str]], start: int, count: int) -> list[str]:
    width = max(len(r) for r in rows[start : start + count])
    parts: list[list[str]] = []
    for r in rows[start : start + count]:
        cells = [str(c).strip() for c in r] + [""] * (width - len(r))
        parts.append(cells)
    if count == 1:
        return parts[0]
    # une cellule fusionnée non détectée (CSV) : on propage vers la droite
    for cells in parts[:-1]:
        last = ""
        for j, c in enumerate(cells):
            if c:
                last = c
            else:
                cells[j] = last
    header = []
    for j in range(width):
        labels: list[str] = []
        for cells in parts:
            if cells[j] and (not labels or labels[-1] != cells[j]):
                labels.append(cells[j])
        header.append(" / ".join(labels))
    return header


def _looks_like_note(row: list[str]) -> bool:
    """Vraie pour une ligne vide ou une phrase (« Source : Insee… ») ; faux pour un code seul."""
    text = " ".join(str(c).strip() for c in row if str(c).strip())
    return not text or " " in text or ":" in text or len(text) > 30


def _strip_notes(body: list[list[str]], width: int) -> tuple[list[list[str]], list[int], list[str]]:
    """Retire les lignes vides et les notes sous le tableau ; renvoie (lignes, positions, notes)."""
    filled = [sum(1 for c in r if str(c).strip()) for r in body]
    end = len(body)
    # fin du tableau : après la dernière ligne « large » (au moins 2 cellules remplies)
    threshold = 2 if width > 2 else 1
    while end > 0 and filled[end - 1] < threshold and _looks_like_note(body[end - 1]):
        end -= 1
    notes = [" ".join(c for c in r if str(c).strip()) for r in body[end:] if any(body)]
    kept, positions = [], []
    for i, r in enumerate(body[:end]):
        if filled[i] == 0:
            continue
        kept.append(r)
        positions.append(i)
    return kept, positions, [n for n in notes if n]


# --------------------------------------------------------------------------- API


def read_raw_table(
    path: str | Path,
    *,
    problems: ProblemCollector,
    file_format: str | None = None,
    separator: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    header_rows: int = 1,
    expected: Iterable[str] = (),
    display_name: str | None = None,
) -> RawTable:
    """Lit un fichier tabulaire en texte.

    ``header_row`` est le numéro (1-based) de la ligne d'en-tête tel qu'affiché par
    le tableur ; sans lui, l'en-tête est la ligne qui contient le plus de colonnes
    ``expected``. ``header_rows`` > 1 combine plusieurs lignes d'en-tête
    (``"État / demandé"``). Les lignes de largeur inattendue sont signalées dans
    ``problems`` (séparateurs mélangés).
    """
    path = Path(path)
    file = display_name or path.name
    expected = [e for e in expected if e]
    fmt = (file_format or path.suffix.lstrip(".")).lower()
    if not path.exists():
        raise InputError([_problem(file, "fichier introuvable", found=str(path))])
    if fmt in ("csv", "txt", "tsv"):
        rows, enc, sep = read_csv_rows(path, file, encoding, separator)
        sheet_name, book = None, None
    elif fmt in ("xlsx", "xlsm"):
        book = read_xlsx_rows(path, file, sheet, expected)
        rows, sheet_name = book.rows, book.title
        enc, sep = None, None
        for warning in book.warnings:
            problems.warn(**warning)
    elif fmt == "parquet":
        try:
            frame = pd.read_parquet(path).astype("string").fillna("")
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid dérive de ValueError
            raise InputError(
                [
                    _problem(
                        file,
                        f"fichier Parquet illisible ({type(exc).__name__})",
                        expected="un fichier .parquet valide",
                    )
                ]
            ) from None
        frame = frame.astype(object)
        return RawTable(frame, list(range(2, len(frame) + 2)), file)
    else:
        raise InputError(
            [
                _problem(
                    file,
                    "format de fichier non pris en charge",
                    found=fmt,
                    expected="csv, xlsx ou parquet"
                    + (
                        " : ouvrez le fichier dans un tableur et enregistrez-le au format "
                        ".xlsx ou .csv"
                        if fmt in ("xls", "ods", "xlsb")
                        else ""
                    ),
                )
            ]
        )
    if not rows or not any(any(str(c).strip() for c in r) for r in rows):
        raise InputError(
            [_problem(file, "le fichier est vide", expected="un tableau avec en-tête")]
        )
    if header_row is not None:
        start = header_row - 1
        if start >= len(rows):
            raise InputError(
                [
                    _problem(
                        file,
                        "ligne d'en-tête configurée au-delà de la fin du fichier",
                        found=header_row,
                        expected=f"un numéro de ligne ≤ {len(rows)}",
                    )
                ]
            )
    else:
        found = find_header(rows, expected)
        if found is None:  # aucune colonne attendue trouvée : la 1re ligne « large »
            found = _first_wide_row(rows, 30)
        start = found if found is not None else 0
    if book is not None:
        spread_header_merges(book, rows, start, header_rows)
    header = _combine_header(rows, start, header_rows)
    header = [h.replace("\ufeff", "").strip() for h in header]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    for j, h in enumerate(header):
        if not h:
            header[j] = f"colonne_{j + 1}"
    _duplicates(header, start + 1, problems)
    dup = [h for h, n in Counter(header).items() if n > 1]
    body_start = start + header_rows
    body, positions, notes = _strip_notes(rows[body_start:], width)
    line_numbers = [body_start + p + 1 for p in positions]
    if book is not None:
        check_sheet(book, header, start, header_rows, set(line_numbers), problems)
    if fmt in ("csv", "txt", "tsv"):
        for r, line in zip(body, line_numbers, strict=True):
            extra = [c for c in r[width:] if str(c).strip()]
            if len(r) < width and len(r) <= 1 or extra:
                problems.add(
                    "nombre de colonnes inattendu (séparateur incohérent ?)",
                    row=line,
                    found=f"{len(r)} colonne(s)",
                    expected=f"{width} colonnes séparées par {_SEP_NAMES.get(sep, sep)}",
                )
    data = [(r + [""] * width)[:width] for r in body]
    frame = pd.DataFrame(data, columns=header, dtype=object)
    if dup:
        frame = frame.loc[:, ~frame.columns.duplicated()]
    return RawTable(frame, line_numbers, file, enc, sep, sheet_name, notes)


def _duplicates(header: list[str], line: int, problems: ProblemCollector) -> None:
    """Signale les colonnes de même nom, à la casse, aux accents et aux espaces près
    (``POP`` et ``pop`` : la seconde masquerait la première)."""
    groups: dict[str, list[str]] = {}
    for h in header:
        groups.setdefault(normalise_label(h), []).append(h)
    for names in groups.values():
        if len(names) < 2:
            continue
        variants = list(dict.fromkeys(names))
        alike = "" if len(variants) == 1 else " (à la casse ou aux accents près)"
        problems.add(
            f"nom de colonne en double dans l'en-tête{alike}",
            row=line,
            column=names[0],
            found=", ".join(f"« {n} »" for n in names) if alike else names[0],
            expected="des noms de colonnes uniques (renommez l'une des colonnes)",
        )


def resolve_columns(
    table: RawTable,
    mapping: dict[str, str],
    problems: ProblemCollector,
    *,
    required: Iterable[str] = (),
    context: str = "colonnes",
) -> dict[str, str]:
    """Associe les clés canoniques aux colonnes réelles du fichier (comparaison tolérante).

    Une colonne configurée mais absente est signalée avec la liste des colonnes
    disponibles. Renvoie ``{clé canonique: nom réel}`` pour celles trouvées.
    """
    actual = {normalise_label(c): c for c in table.frame.columns}
    resolved: dict[str, str] = {}
    required = set(required)
    for key, wanted in mapping.items():
        if wanted is None or wanted == "":
            continue
        real = actual.get(normalise_label(wanted))
        if real is None:
            problems.add(
                f"colonne configurée ({context}.{key}) absente du fichier",
                column=str(wanted),
                expected="une des colonnes : " + _preview(table.frame.columns),
            )
            continue
        resolved[key] = real
    for key in required - set(mapping):
        problems.add(
            f"aucune colonne n'est configurée pour « {key} »",
            expected=f'{context}.{key} = "…" dans la configuration',
        )
    return resolved


def _preview(columns: Iterable[str], limit: int = 12) -> str:
    cols = list(columns)
    text = ", ".join(cols[:limit])
    return text + (f", … ({len(cols)} au total)" if len(cols) > limit else "")


def guess_column(columns: Iterable[str], candidates: Iterable[str]) -> str | None:
    """Première colonne dont le nom normalisé est l'un des ``candidates``."""
    cols = {normalise_label(c): c for c in columns}
    for cand in candidates:
        hit = cols.get(normalise_label(cand))
        if hit is not None:
            return hit
    return None
