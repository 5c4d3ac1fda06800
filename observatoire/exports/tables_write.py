"""Écriture des tableaux : un classeur XLSX (openpyxl) ou un CSV par tableau.

XLSX : une feuille par tableau, en-tête figé, filtre automatique, largeurs ajustées,
nombres stockés en nombres avec un format d'affichage (``0.0%``, ``#,##0 "€"``…),
statuts en texte. CSV : ``;``, virgule décimale, UTF-8 avec BOM (s'ouvre tel quel dans
Excel en français), taux en points (43,9). Dans les deux, un texte qui commence par
``=``, ``+``, ``-``, ``@``, une tabulation ou un retour chariot est préfixé d'une
apostrophe (jamais interprété comme une formule). Écritures atomiques.

Exemple ::

    write_xlsx(Path("tableaux.xlsx"), xlsx_names(tables), readme, "Tableaux — Valbrume")
    write_csv(Path("tableaux-csv"), csv_names(tables), readme)
"""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from observatoire.atomic import atomic_path, write_atomic
from observatoire.exports.tables_model import (
    FORMATS,
    MISSING,
    TEXT,
    Column,
    Table,
    Value,
    clean_text,
    is_missing,
    sheet_name,
)

README_SHEET = "Lisez-moi"
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
README_SLUG = "lisez-moi"
MAX_WIDTH, MIN_WIDTH = 60, 8


def _resolve(value: Any, kind: str) -> tuple[Any, str]:
    """(valeur, genre) d'une cellule : nombre et son genre, ou texte."""
    if type(value) is str:  # le cas le plus fréquent d'abord
        return value, TEXT
    if isinstance(value, Value):
        return value.number, value.kind
    if isinstance(value, bool):
        return ("oui" if value else "non"), TEXT
    if kind != TEXT and isinstance(value, numbers.Number) and not is_missing(value):
        return value, kind
    if is_missing(value):
        return ("" if kind == TEXT else MISSING), TEXT
    return str(value), TEXT


def _number_format(number: Any, kind: str) -> str:
    if kind == "nombre":
        return "#,##0" if float(number).is_integer() else "#,##0.0"
    return FORMATS[kind]


def _xlsx_number(number: Any, kind: str) -> float | int:
    if kind == "pourcent":
        return round(float(number) / 100, 12)
    if isinstance(number, numbers.Integral) or (
        isinstance(number, Decimal) and number == number.to_integral_value()
    ):
        return int(number)
    return round(float(number), 10)  # sans artefact d'arrondi (0,7000000000000028)


def csv_number(number: Any, kind: str) -> str:
    """Nombre CSV à la française : virgule décimale, sans séparateur de milliers.

    >>> csv_number(43.9, "pourcent"), csv_number(0.079, "fraction"), csv_number(1234.0, "entier")
    ('43,9', '7,9', '1234')
    """
    if kind == "fraction":
        number = float(number) * 100
    if isinstance(number, Decimal):
        text = format(number.normalize(), "f")
    else:
        value = round(float(number), 6)
        text = str(int(value)) if value.is_integer() else repr(value)
    if text.startswith("-") and text.strip("-0.") == "":
        text = text[1:]  # pas de « -0 »
    return text.replace(".", ",")


def _width(value: Any, kind: str) -> int:
    if kind == TEXT:
        return len(str(value))
    return len(f"{float(value):,.2f}") + (3 if kind in ("euros", "euros2", "points") else 1)


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[float]:
    widths = [len(c.title) + 3 for c in columns]  # flèche du filtre
    for row in rows[:2000]:  # un échantillon suffit pour les grands tableaux
        for i, (value, column) in enumerate(zip(row, columns, strict=True)):
            v, kind = _resolve(value, column.kind)
            widths[i] = max(widths[i], _width(v, kind) + 1)
    return [float(min(MAX_WIDTH, max(MIN_WIDTH, w))) for w in widths]


def _xlsx_text(value: Any) -> str | None:
    """Texte neutralisé, sans caractère de contrôle interdit en XLSX (remplacé par « � »)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = clean_text(value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text) if text else None


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _xlsx_sheet(wb: Any, name: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                table: bool = True) -> None:  # fmt: skip
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(name)
    for i, width in enumerate(_widths(columns, rows), start=1):
        ws.column_dimensions[_column_letter(i)].width = width
    if table:
        ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=_xlsx_text(c.title) or "")
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        cells = []
        for value, column in zip(row, columns, strict=True):
            v, kind = _resolve(value, column.kind)
            if kind == TEXT:
                text = _xlsx_text(v)
                if table and text not in ERROR_CODES:  # neutralisé : jamais une formule
                    cells.append(text)
                    continue
                cell = WriteOnlyCell(ws, value=text)
                if text is not None:
                    cell.data_type = "s"
                cell.alignment = wrap
            else:
                cell = WriteOnlyCell(ws, value=_xlsx_number(v, kind))
                cell.number_format = _number_format(v, kind)
            cells.append(cell)
        ws.append(cells)
    if table and rows:
        ws.auto_filter.ref = f"A1:{_column_letter(len(columns))}{len(rows) + 1}"


def _readme_table(readme: list[list[Any]]) -> tuple[list[Column], list[list[Any]]]:
    width = max([2, *(len(r) for r in readme)])
    columns = [Column("Rubrique"), Column("Contenu")] + [Column("") for _ in range(width - 2)]
    return columns, [list(r) + [None] * (width - len(r)) for r in readme]


def xlsx_names(tables: Sequence[Table]) -> list[tuple[str, Table]]:
    """Nom de feuille valide et unique de chaque tableau."""
    used = {README_SHEET}
    return [(sheet_name(t.sheet, used), t) for t in tables]


def write_xlsx(
    path: Path, entries: Sequence[tuple[str, Table]], readme: list[list[Any]], title: str
) -> Path:
    """Classeur : feuille « Lisez-moi » puis une feuille par tableau (écriture atomique)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = "observatoire"
    _xlsx_sheet(wb, README_SHEET, *_readme_table(readme), table=False)
    for name, table in entries:
        _xlsx_sheet(wb, name, table.columns, table.rows)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _csv_payload(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([clean_text(c.title) for c in columns])
    for row in rows:
        out = []
        for value, column in zip(row, columns, strict=True):
            v, kind = _resolve(value, column.kind)
            out.append(clean_text(v) if kind == TEXT else csv_number(v, kind))
        writer.writerow(out)
    return "\ufeff" + buffer.getvalue()


def csv_names(tables: Sequence[Table]) -> list[tuple[str, Table]]:
    """Nom de fichier unique de chaque tableau (``portrait.csv``…)."""
    used: set[str] = {README_SLUG}
    out = []
    for t in tables:
        name, n = t.slug, 2
        while name in used:
            name, n = f"{t.slug}-{n}", n + 1
        used.add(name)
        out.append((f"{name}.csv", t))
    return out


def write_csv(
    folder: Path, entries: Sequence[tuple[str, Table]], readme: list[list[Any]]
) -> list[Path]:
    """Un CSV par tableau et ``lisez-moi.csv`` ; retire les CSV d'un export précédent
    devenus sans objet (tableau désormais sans données)."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = _csv_payload(*_readme_table(readme))
    written = [write_atomic(folder / f"{README_SLUG}.csv", payload)]
    for name, table in entries:
        written.append(write_atomic(folder / name, _csv_payload(table.columns, table.rows)))
    keep = {p.name for p in written}
    for old in folder.glob("*.csv"):
        if old.name not in keep:
            old.unlink()
    return written
