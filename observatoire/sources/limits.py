"""Limites documentées de lecture des fichiers tabulaires (mémoire bornée).

Au-delà, le fichier est refusé avec un message français (code de sortie 2) plutôt
que de saturer la mémoire. Les valeurs sont reprises dans le README.

>>> MAX_CELLS >= MAX_COLUMNS
True
"""

from __future__ import annotations

MAX_ROWS = 1_000_000  # lignes par fichier ou par feuille (Excel en permet 1 048 576)
MAX_COLUMNS = 1_000  # colonnes remplies par feuille (Excel en permet 16 384)
MAX_CELLS = 5_000_000  # cellules (lignes × colonnes) d'un tableau
MAX_PART_BYTES = 1 << 30  # 1 Gio décompressé par partie XML d'un classeur
MAX_TEXT_BYTES = 512 << 20  # 512 Mio pour un CSV
MAX_CELL_BYTES = 128 << 10  # 128 Kio pour une cellule de CSV


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


LIMITS_TEXT = (
    f"au plus {_n(MAX_ROWS)} lignes, {_n(MAX_COLUMNS)} colonnes et {_n(MAX_CELLS)} "
    "cellules (lignes × colonnes du tableau)"
)
