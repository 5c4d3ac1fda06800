"""Contrôles d'une feuille XLSX une fois l'en-tête trouvé : ce qu'une lecture naïve tairait.

- **cellules fusionnées** : dans l'en-tête, la valeur est recopiée sur la plage
  (``État`` au-dessus de ``demandé`` et ``accordé``), de même pour une plage d'une
  seule ligne (intertitre) ; dans les lignes du tableau, une plage fusionnée sur
  plusieurs lignes est refusée en la nommant (``B3:B6``) — recopier sa valeur
  sur 4 quartiers donnerait 4 valeurs que le fichier ne contient pas, la lire une
  fois laisserait 3 cellules vides sans le dire ;
- **formules sans valeur en cache** (classeur écrit par un script, jamais ouvert
  dans un tableur) : chaque cellule est refusée en la nommant avec sa formule, au
  lieu d'être lue comme vide (« absent »).

Exemple ::

    spread_header_merges(sheet, rows, start=0, header_rows=2)
    check_sheet(sheet, header, 0, 2, {3, 4, 5}, problems)
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from observatoire.errors import ProblemCollector
from observatoire.sources.xlsx_stream import SheetData


def _range(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{get_column_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{get_column_letter(c2)}{r2}"


def spread_header_merges(
    sheet: SheetData, rows: list[list[str]], start: int, header_rows: int
) -> None:
    """Recopie la valeur des plages fusionnées sur les lignes d'en-tête (``start`` 0-based)
    et celle des plages d'une seule ligne (intertitre « Dossiers de décembre » sur toute la
    largeur) ; les plages de plusieurs lignes du tableau sont refusées par :func:`check_sheet`."""
    first, last = start + 1, start + header_rows  # lignes du tableur
    for r1, c1, r2, c2 in sheet.merged:
        if r1 - 1 >= len(rows) or r2 < first:
            continue
        if r1 > last and r2 > r1:
            continue  # plusieurs lignes de données : refusée, pas recopiée
        top = rows[r1 - 1][c1 - 1] if c1 - 1 < len(rows[r1 - 1]) else ""
        stop = min(r2, last, len(rows)) if r1 <= last else r1
        for r in range(max(r1, first), stop + 1):
            row = rows[r - 1]
            if len(row) < c2:
                row.extend([""] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = top


def check_sheet(
    sheet: SheetData,
    header: list[str],
    start: int,
    header_rows: int,
    body_lines: set[int],
    problems: ProblemCollector,
) -> None:
    """Refuse les plages fusionnées des lignes du tableau et les formules sans valeur."""
    width = len(header)

    def column(c: int) -> str:
        return header[c - 1] if c <= width else get_column_letter(c)

    where = f"feuille « {sheet.title} »"
    for r1, c1, r2, c2 in sorted(sheet.merged):
        if r1 == r2 or not any(r in body_lines for r in range(r1, r2 + 1)):
            continue  # une seule ligne : recopiée (intertitre), voir spread_header_merges
        top = sheet.rows[r1 - 1][c1 - 1] if c1 - 1 < len(sheet.rows[r1 - 1]) else ""
        if not top.strip() or c1 > width:
            continue
        cells = (r2 - r1 + 1) * (c2 - c1 + 1)
        problems.add(
            f"cellule fusionnée {_range(r1, c1, r2, c2)} dans les lignes du tableau ({where}) : "
            f"sa valeur n'est écrite qu'en {_range(r1, c1, r1, c1)} et vaudrait pour "
            f"{cells} cellules",
            row=r1,
            column=column(c1),
            found=top,
            expected="des cellules non fusionnées : défusionnez la plage et écrivez la valeur "
            "de chaque ligne (ou laissez vide si elle ne s'applique pas)",
        )
    first = start + 1
    for (r, c), formula in sorted(sheet.uncached_cells.items()):
        if r < first or c > width:
            continue
        problems.add(
            f"formule sans valeur calculée en {_range(r, c, r, c)} ({where}) : le classeur "
            "n'a pas été recalculé (fichier écrit par un script ?) et la cellule serait lue "
            "vide",
            row=r,
            column=column(c),
            found=formula,
            expected="une valeur : ouvrez le classeur dans Excel ou LibreOffice, laissez-le "
            "recalculer et enregistrez-le, ou écrivez les valeurs au lieu des formules",
        )
