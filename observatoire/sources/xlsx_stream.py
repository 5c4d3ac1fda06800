"""Lecture en flux d'un classeur XLSX, à mémoire bornée.

Le classeur est ouvert en mode ``read_only`` d'openpyxl et chaque feuille est lue
ligne à ligne : seules les cellules remplies sont gardées, la plage lue est la
plage **réellement utilisée** (une cellule vide mise en forme en XFD1048576 ne
compte pas). Limites de :mod:`observatoire.sources.limits` (au-delà : refus en
français, code 2) : lignes et colonnes remplies par feuille, cellules de la plage
utilisée (lignes × colonnes), octets décompressés par partie XML de l'archive.

On retient aussi ce que la lecture « données seulement » tairait : les formules
sans valeur en cache (fichiers écrits par un script), les plages fusionnées et
l'état masqué des feuilles.

Exemple ::

    book = open_book(Path("revenus.xlsx"), "revenus.xlsx")
    sheet = read_sheet(book, book.worksheets[0], "revenus.xlsx")
    sheet.rows, sheet.merged, sheet.uncached
"""

from __future__ import annotations

import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from openpyxl.reader import excel
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from observatoire.errors import InputError, Problem
from observatoire.sources.limits import (
    LIMITS_TEXT,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PART_BYTES,
    MAX_ROWS,
)

_SHOWN = 10  # cellules nommées dans un message (les suivantes sont comptées)


@dataclass
class SheetData:
    """Une feuille lue : lignes en texte (ligne 1 = ligne 1 du tableur) et ce qu'elle cache."""

    title: str
    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # l1, c1, l2, c2
    uncached: list[str] = field(default_factory=list)  # formules sans valeur en cache
    uncached_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # → formule
    warnings: list[dict] = field(default_factory=list)  # avertissements (arguments de warn)


def _refuse(file: str, message: str, **kwargs: object) -> InputError:
    return InputError([Problem(file, message, **kwargs)])  # type: ignore[arg-type]


def _not_a_workbook(path: Path, file: str) -> InputError | None:
    """Refus expliqué d'un fichier qui n'est pas une archive XLSX (texte, .xls…)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PK\x03\x04") and zipfile.is_zipfile(path):
        return None
    what = "le fichier n'est pas une archive XLSX"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        what = "le fichier est un classeur Excel 97-2003 (.xls), pas un .xlsx"
    elif head.startswith(b"PK"):
        what = "l'archive est tronquée ou endommagée"
    elif head and b"\x00" not in head:
        what = "le fichier est du texte (un CSV ?), pas un classeur"
    return _refuse(
        file,
        f"classeur XLSX illisible ou corrompu : {what}",
        found=repr(head[:16])[2:-1] if head else "fichier vide",
        expected="un classeur .xlsx enregistré par Excel ou LibreOffice (ou, pour un CSV, "
        'retirez format = "xlsx" de la configuration)',
    )


def _check_parts(path: Path, file: str) -> None:
    """Refuse une archive dont une partie XML dépasse :data:`MAX_PART_BYTES` décompressée."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.file_size > MAX_PART_BYTES:
                raise _refuse(
                    file,
                    f"classeur trop volumineux : la partie « {info.filename} » fait "
                    f"{info.file_size / 2**20:,.0f} Mio une fois décompressée".replace(
                        ",", "\u202f"
                    ),
                    found=f"{info.compress_size / 2**20:,.1f} Mio compressés".replace(
                        ",", "\u202f"
                    ),
                    expected=f"au plus {MAX_PART_BYTES // 2**20} Mio décompressés par feuille ; "
                    "supprimez les lignes et colonnes inutilisées ou enregistrez en CSV",
                )


class _Sheet(ReadOnlyWorksheet):
    """Feuille en lecture seule sans mesure préalable : openpyxl relit sinon TOUTE la
    feuille à l'ouverture quand elle n'a pas d'élément ``<dimension>`` (fichiers écrits
    par un script) ; la plage utilisée est mesurée ici pendant la lecture."""

    def _get_size(self) -> None:
        return None


_LOCK = threading.Lock()


def open_book(path: Path, file: str):
    """Classeur ouvert en lecture seule (valeurs en cache) ; lève :class:`InputError`."""
    from openpyxl import load_workbook

    refused = _not_a_workbook(path, file)
    if refused is not None:
        raise refused
    try:
        _check_parts(path, file)
        with _LOCK:  # feuilles sans mesure préalable (voir _Sheet)
            excel.ReadOnlyWorksheet = _Sheet
            try:
                return load_workbook(path, read_only=True, data_only=True)
            finally:
                excel.ReadOnlyWorksheet = ReadOnlyWorksheet
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, ParseError) as exc:
        raise _refuse(
            file,
            f"classeur XLSX illisible ou corrompu ({_reason(exc)})",
            expected="un classeur .xlsx enregistré par Excel ou LibreOffice",
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ParseError):
        return "XML tronqué ou invalide"
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "archive tronquée"
    return type(exc).__name__


def is_hidden(ws) -> bool:
    """Vrai pour une feuille masquée (« hidden » ou « veryHidden »)."""
    return getattr(ws, "sheet_state", "visible") != "visible"


class _Parser(WorkSheetParser):
    """Analyseur d'openpyxl qui retient les formules sans valeur en cache."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.uncached: list[str] = []
        self.uncached_cells: dict[tuple[int, int], str] = {}

    def parse_cell(self, element):  # noqa: ANN001, ANN201 — signature d'openpyxl
        cell = super().parse_cell(element)
        formula = element.find(FORMULA_TAG) if cell["value"] is None else None
        value = element.find(VALUE_TAG) if formula is not None else None
        # sans <v>, ou <v></v> d'une formule numérique (openpyxl, scripts) : non calculée
        empty = value is None or (not value.text and element.get("t") in (None, "n"))
        if formula is not None and empty:
            if len(self.uncached_cells) < 10 * _SHOWN * _SHOWN:
                self.uncached_cells[(cell["row"], cell["column"])] = "=" + (formula.text or "")
            if len(self.uncached) < _SHOWN:
                self.uncached.append(element.get("r") or _ref(cell["row"], cell["column"]))
        return cell


def _ref(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def cell_text(value: object) -> str:
    """Texte d'une valeur de cellule (``1001.0`` → ``"1001"``, date → ISO)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def read_sheet(book, ws, file: str, limit: int | None = None) -> SheetData:
    """Lit la feuille ``ws`` (les ``limit`` premières lignes seulement si donné)."""
    try:
        with ws._get_source() as src:
            parser = _Parser(
                src,
                ws._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            sparse = _collect(parser, ws.title, file, limit)
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError, ParseError) as exc:
        raise _refuse(
            file,
            f"classeur XLSX illisible ou corrompu : feuille « {ws.title} » ({_reason(exc)})",
            expected="un classeur .xlsx enregistré par Excel ou LibreOffice (rouvrez-le et "
            "enregistrez-le de nouveau)",
        ) from None
    rows: list[list[str]] = []
    for idx, filled in sparse:
        rows.extend([] for _ in range(idx - 1 - len(rows)))
        row = [""] * filled[-1][0]
        for col, text in filled:
            row[col - 1] = text
        rows.append(row)
    merged = []
    if parser.merged_cells is not None:
        for rng in parser.merged_cells.mergeCell:
            from openpyxl.worksheet.cell_range import CellRange

            cr = CellRange(rng.ref)
            merged.append((cr.min_row, cr.min_col, cr.max_row, cr.max_col))
    return SheetData(ws.title, rows, merged, parser.uncached, parser.uncached_cells)


def _collect(parser: _Parser, title: str, file: str, limit: int | None):
    sparse: list[tuple[int, list[tuple[int, str]]]] = []
    max_col = seen = 0
    for idx, cells in parser.parse():
        seen += 1
        if limit is not None and idx > limit:
            break
        filled = []
        for c in cells:
            text = cell_text(c["value"])
            if text.strip():
                filled.append((c["column"], text))
        if filled:
            filled.sort()
            if filled[-1][0] > MAX_COLUMNS:
                raise _too_large(file, title, idx, filled[-1][0], "cellule remplie trop à droite")
        if seen > MAX_ROWS or (filled and idx > MAX_ROWS):
            raise _too_large(file, title, idx, None, "trop de lignes")
        if not filled:
            continue
        last = filled[-1][0]
        max_col = max(max_col, last)
        if idx * max_col > MAX_CELLS:
            raise _too_large(file, title, idx, max_col, "plage utilisée trop grande")
        sparse.append((idx, filled))
    return sparse


def _too_large(file: str, title: str, row: int, column: int | None, what: str) -> InputError:
    where = _ref(row, column) if column else f"ligne {row:,}".replace(",", "\u202f")
    size = f" ({row:,} lignes × {column:,} colonnes)".replace(",", "\u202f") if column else ""
    return _refuse(
        file,
        f"classeur trop grand pour être lu : {what} sur la feuille « {title} », "
        f"jusqu'en {where}{size}",
        row=row,
        column=get_column_letter(column) if column else None,
        found=where,
        expected=f"{LIMITS_TEXT} ; supprimez les lignes et colonnes inutilisées "
        "(sélection puis « Supprimer »), ou enregistrez le tableau en CSV",
    )
