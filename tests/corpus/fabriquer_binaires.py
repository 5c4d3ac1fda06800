"""Fabrique les cas binaires du corpus (XLSX, Shapefile, binaire nommé .csv).

Territoire fictif (coordonnées en plein océan Atlantique). Relancer :
``.venv/bin/python tests/corpus/fabriquer_binaires.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

HERE = Path(__file__).resolve().parent

ROWS = [
    ["CODGEO", "LIBGEO", "NIVGEO", "POP", "TX_PAUV", "MED_UC"],
    ["QN00001A", "Les Hauts de Brume", "QPV", 1234, 43.9, 13950],
    ["QN00002B", "Le Port", "QPV", 2510, "s", "nd"],
    ["QN00003C", "La Lande", "QPV", 1800, 38.0, 14200],
]


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """Un classeur XLSX dont les feuilles portent les lignes données."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    # un binaire (en-tête PNG, octets nuls) renommé en .csv
    garbage = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 2
    (HERE / "indicateurs" / "binaire.csv").write_bytes(garbage)
    # tableau sur la feuille « Feuil2 » alors que la config dit « Données »
    doc = [["Variable", "Libellé"], ["TX_PAUV", "Taux de pauvreté (%)"]]
    (HERE / "indicateurs" / "revenus_autre_feuille_2021.xlsx").write_bytes(
        workbook_bytes({"Documentation": doc, "Feuil2": ROWS})
    )
    # classeur tronqué en plein milieu de l'archive ZIP
    whole = workbook_bytes({"Données": ROWS})
    (HERE / "indicateurs" / "classeur_corrompu.xlsx").write_bytes(whole[: len(whole) // 2])
    # rencontres de participation sur « Feuil1 » au lieu de « Rencontres »
    rencontres = [
        ["Identifiant", "Date de la rencontre", "Type de rencontre", "Présents"],
        ["E01", "12/01/2025", "Conseil citoyen", 12],
    ]
    (HERE / "participation" / "rencontres_autre_feuille.xlsx").write_bytes(
        workbook_bytes({"Feuil1": rencontres})
    )
    # programmation : un document texte renommé en .xlsx
    (HERE / "contrat" / "programmation_pas_un_classeur.xlsx").write_bytes(
        "Programmation 2024 — export à refaire\n".encode()
    )
    # contours en Shapefile Lambert-93 sans fichier .prj (aucun CRS déclaré)
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame(
        {"code_qp": ["QN00001A", "QN00002B", "QN00003C"], "lib_qp": ["Hauts", "Port", "Lande"]},
        geometry=[box(40000 + i * 2000, 6570000, 41500 + i * 2000, 6572200) for i in range(3)],
        crs=None,
    )
    target = HERE / "contours" / "contours_sans_prj.shp"
    frame.to_file(target, engine="pyogrio")
    for extra in (".prj", ".cpg"):
        target.with_suffix(extra).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
