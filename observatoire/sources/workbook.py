"""Lecture des classeurs XLSX en texte : feuilles, cellules fusionnées, nombres.

Utilisé par :func:`observatoire.sources.tabular.read_raw_table`. Une cellule
numérique devient son texte (``1001`` → ``"1001"``, ``43.9`` → ``"43.9"``), une date
son ISO ; une cellule fusionnée recopie sa valeur sur toute la plage.

Exemple ::

    rows, sheet = read_xlsx_rows(Path("revenus.xlsx"), "revenus.xlsx", None, ["CODGEO"])
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from observatoire.errors import InputError, Problem


def _problem(file: str, message: str, **kwargs) -> Problem:
    return Problem(file, message, **kwargs)


def _cell_to_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def list_sheets(path: Path, file: str) -> list[str]:
    """Noms des feuilles d'un classeur XLSX."""
    return [ws.title for ws in _open_workbook(path, file).worksheets]


def _open_workbook(path: Path, file: str):
    import zipfile

    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(
            [
                _problem(
                    file,
                    f"classeur XLSX illisible ou corrompu ({type(exc).__name__})",
                    expected="un classeur .xlsx enregistré par Excel ou LibreOffice",
                )
            ]
        ) from None


def _sheet_rows(ws) -> list[list[str]]:
    rows = [[_cell_to_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    # cellules fusionnées : la valeur est recopiée sur toute la plage fusionnée
    for rng in ws.merged_cells.ranges:
        top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else ""
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            for c in range(rng.min_col - 1, rng.max_col):
                if c < len(rows[r]):
                    rows[r][c] = top
    return rows


def read_xlsx_rows(
    path: Path, file: str, sheet: str | int | None, expected: Sequence[str]
) -> tuple[list[list[str]], str]:
    from observatoire.sources.tabular import find_header

    wb = _open_workbook(path, file)
    names = [ws.title for ws in wb.worksheets]
    if sheet is not None:
        if isinstance(sheet, int) and 1 <= sheet <= len(names):
            ws = wb.worksheets[sheet - 1]
        elif str(sheet) in names:
            ws = wb[str(sheet)]
        else:
            raise InputError(
                [
                    _problem(
                        file,
                        "la feuille configurée n'existe pas dans le classeur",
                        column=None,
                        found=sheet,
                        expected="une des feuilles : " + ", ".join(names),
                    )
                ]
            )
        rows = _sheet_rows(ws)
        if expected and find_header(rows, expected) is None:
            elsewhere = [
                ws2.title
                for ws2 in wb.worksheets
                if ws2.title != ws.title and find_header(_sheet_rows(ws2), expected) is not None
            ]
            if elsewhere:
                raise InputError(
                    [
                        _problem(
                            file,
                            f"le tableau attendu n'est pas sur la feuille « {ws.title} » "
                            f"mais sur « {elsewhere[0]} »",
                            found=ws.title,
                            expected=f'feuille = "{elsewhere[0]}" dans la configuration',
                        )
                    ]
                )
        return rows, ws.title
    # pas de feuille configurée : la première qui contient les colonnes attendues
    for ws in wb.worksheets:
        rows = _sheet_rows(ws)
        if not expected or find_header(rows, expected) is not None:
            return rows, ws.title
    return _sheet_rows(wb.worksheets[0]), names[0]
