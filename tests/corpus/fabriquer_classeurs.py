"""Fabrique les cas « classeurs et lecture bornée » du corpus (``tests/corpus/classeurs/``).

Un fichier par mode d'échec, déclaré dans ``tests/corpus/cas_classeurs.toml``.
Territoire fictif (codes QN00001A… du territoire de base). Relancer :
``.venv/bin/python tests/corpus/fabriquer_classeurs.py``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent / "classeurs"

HEAD = ["CODGEO", "LIBGEO", "NIVGEO", "POP", "TX_PAUV", "MED_UC"]
ROWS = [
    HEAD,
    ["QN00001A", "Les Hauts de Brume", "QPV", 1234, 43.9, 13950],
    ["QN00002B", "Le Port", "QPV", 2510, "s", "nd"],
    ["QN00003C", "La Lande", "QPV", 1800, 38.0, 14200],
]
PROGRAMMATION = [
    ["N° dossier", "Intitulé de l'action", "Porteur", "Pilier", "Quartier(s)", "Statut",
     "Coût total", "État demandé", "État accordé"],
    ["2024-001", "Atelier d'écriture", "Association Plume fictive", "Cohésion sociale",
     "QN00001A", "accordé", 5000, 2000, 1500],
    ["2024-002", "Jardin partagé", "Les Jardins de Brume",
     "Cadre de vie et renouvellement urbain", "QN00002B", "accordé", 8000, 3000, 3000],
]  # fmt: skip


def _save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _book(rows: list[list], title: str = "Données"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    return wb, ws


def bombe_xfd() -> bytes:
    """Une valeur en XFD1048576 : la plage utilisée couvre toute la feuille."""
    wb, ws = _book(ROWS)
    ws["XFD1048576"] = "fin"
    return _save(wb)


def plage_trop_grande() -> bytes:
    """5 100 lignes dont la colonne 999 est remplie : 5,1 millions de cellules."""
    wb, ws = _book(ROWS)
    for r in range(5, 5101):
        ws.cell(row=r, column=1, value=f"QN{r:05d}X")
        ws.cell(row=r, column=999, value=r)
    return _save(wb)


def feuille_masquee() -> bytes:
    """La programmation 2024, et sa copie de travail sur une feuille masquée."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "2024"
    for row in PROGRAMMATION:
        wb.active.append(row)
    copy = wb.create_sheet("2024 (copie de travail)")
    for row in PROGRAMMATION:
        copy.append(row)
    copy.sheet_state = "hidden"
    return _save(wb)


def fusion_quartiers() -> bytes:
    """Taux de pauvreté saisi une fois dans une cellule fusionnée sur 3 quartiers."""
    rows = [r[:] for r in ROWS]
    rows[2][4] = rows[3][4] = None
    wb, ws = _book(rows)
    ws.merge_cells("E2:E4")
    return _save(wb)


def formules_sans_cache() -> bytes:
    """Taux calculés par formule, écrits par un script : aucune valeur en cache."""
    rows = [r[:] for r in ROWS]
    for i in (1, 3):
        rows[i][4] = f"=ROUND(D{i + 1}/30,1)"
    wb, _ws = _book(rows)
    return _save(wb)


def date_cellule_numerique() -> bytes:
    """Un taux devenu date (« 4.3 » saisi dans une cellule au format Date)."""
    rows = [r[:] for r in ROWS]
    rows[3][4] = datetime(2021, 3, 4)
    wb, ws = _book(rows)
    ws["E4"].number_format = "dd/mm/yyyy"
    return _save(wb)


def xml_tronque() -> bytes:
    """Archive valide dont la feuille est coupée au milieu de son XML."""
    whole = _save(_book(ROWS)[0])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) * 2 // 3]
            dst.writestr(item, data)
    return out.getvalue()


def main() -> None:
    HERE.mkdir(exist_ok=True)
    binaries = {
        "bombe_xfd1048576.xlsx": bombe_xfd,
        "plage_trop_grande.xlsx": plage_trop_grande,
        "programmation_feuille_masquee.xlsx": feuille_masquee,
        "fusion_sur_trois_quartiers.xlsx": fusion_quartiers,
        "formules_sans_valeur.xlsx": formules_sans_cache,
        "date_dans_un_taux.xlsx": date_cellule_numerique,
        "feuille_xml_tronquee.xlsx": xml_tronque,
    }
    for name, build in binaries.items():
        (HERE / name).write_bytes(build())
    # un classeur Excel 97-2003 (conteneur OLE2) renommé en .xlsx
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24 + b"\x3e\x00\x03\x00" + b"\xff" * 476
    (HERE / "classeur_xls_renomme.xlsx").write_bytes(ole)
    # un CSV en texte déclaré format = "xlsx"
    text = "CODGEO;LIBGEO;NIVGEO;POP;TX_PAUV;MED_UC\nQN00001A;Les Hauts;QPV;1 234;43,9;13 950\n"
    (HERE / "texte_declare_xlsx.csv").write_text(text, encoding="utf-8")
    # guillemet non refermé : la cellule avale 200 Kio
    tail = "\n".join(f"QN00002B;Le Port {i};QPV;2 510;s;nd" for i in range(3900))
    big = 'CODGEO;LIBGEO;NIVGEO;POP;TX_PAUV;MED_UC\nQN00001A;"Les Hauts;QPV;1 234;43,9;13 950\n'
    (HERE / "cellule_geante.csv").write_text(big + tail + "\n", encoding="utf-8")
    # UTF-8 partout sauf une ligne collée depuis un fichier Windows-1252
    lines = [
        "CODGEO;LIBGEO;NIVGEO;POP;TX_PAUV;MED_UC",
        "QN00001A;Les Hauts de Brume — Élan;QPV;1 234;43,9;13 950",
        "QN00002B;Le Port;QPV;2 510;s;nd",
    ]
    data = "\n".join(lines).encode("utf-8") + b"\n"
    data += "QN00003C;La Lande à Pérez;QPV;1 800;38,0;14 200\n".encode("cp1252")
    (HERE / "encodage_melange.csv").write_bytes(data)


if __name__ == "__main__":
    main()
