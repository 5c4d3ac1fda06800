"""Écriture déterministe des fichiers de démonstration (mêmes octets à chaque exécution).

- CSV « à la française » écrits à la main : séparateur au choix, cellules citées
  seulement si elles contiennent le séparateur, ``="00101"`` laissé tel quel
  (comme les exports de tableur), fin de ligne et encodage imposés ;
- classeurs XLSX : dates de création et de modification fixées, archive ZIP
  réécrite avec des horodatages fixes ;
- nombres au format français (virgule décimale, sans séparateur de milliers).

Exemple ::

    write_csv(path, [["code", "taux"], ["QN00001A", fr_number(43.9, 1)]],
              title=["Données fictives"], sep=";", encoding="cp1252")
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

FIXED_DATE = datetime(2024, 1, 1, 0, 0, 0)
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def fr_number(value: float | None, decimals: int, comma: bool = True) -> str:
    """``43.94`` → ``"43,9"`` (``decimals`` = 0 : entier)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace(".", ",") if comma else text


def _cell(value: object, sep: str) -> str:
    text = "" if value is None else str(value)
    if sep in text or "\n" in text or (text.startswith('"') and not text.startswith('="')):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    newline: str = "\n",
    title: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> None:
    """Écrit un CSV (lignes de titre au-dessus, notes en dessous) en octets stables."""
    lines = [_cell(t, sep) for t in title]
    lines += [sep.join(_cell(v, sep) for v in row) for row in rows]
    if notes:
        lines.append("")
        lines += [_cell(n, sep) for n in notes]
    text = newline.join(lines) + newline
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def write_xlsx(path: Path, sheets: Sequence[tuple[str, list[list[object]], dict]]) -> None:
    """Classeur XLSX ; chaque feuille : (nom, lignes, options) avec options
    ``bold`` (numéros de lignes en gras, 1-based), ``widths`` (largeurs de colonnes),
    ``merge`` (plages fusionnées, ex. « A1:F1 »)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, options in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for r in options.get("bold", ()):
            for cell in ws[r]:
                cell.font = Font(bold=True)
        for i, width in enumerate(options.get("widths", ()), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for rng in options.get("merge", ()):
            ws.merge_cells(rng)
    props = wb.properties
    props.creator = "observatoire demo (données fictives)"
    props.lastModifiedBy = "observatoire demo"
    props.title = "Données fictives"
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalise_zip(buffer.getvalue()))


def normalise_zip(data: bytes) -> bytes:
    """Réécrit une archive ZIP avec des horodatages fixes (et la date du classeur fixée)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fix_core_dates(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def _fix_core_dates(content: bytes) -> bytes:
    """openpyxl réécrit la date de modification à l'enregistrement : on la refixe."""
    import re

    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>" + stamp + rb"\g<2>",
        content,
    )
