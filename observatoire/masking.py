"""Masquage des petits effectifs dans les tableaux publiés (secret primaire et secondaire).

Règle primaire : une cellule (ou un total) de 1 à ``seuil - 1`` personnes
s'affiche « < 5 » (``seuil`` = ``[territoire] seuil_petits_effectifs``, 5 par
défaut). Un zéro reste affiché : il ne désigne personne.

Règle secondaire (« non recalculable ») : aucune cellule masquée ne doit pouvoir
être retrouvée à partir des cellules et des totaux affichés. On masque d'abord une
seconde cellule dans chaque ligne ou colonne qui n'en a qu'une, puis on vérifie
par programmation linéaire (:func:`recomputable_cells`) que l'intervalle des
valeurs possibles de chaque cellule masquée n'est pas réduit à un point, en
tenant compte de ce qu'affiche le tableau (« < 5 » = entre 1 et 4 ; « masqué » =
au moins 5). Les cellules masquées en second s'affichent « masqué ».

Exemple ::

    result = mask_small_cells(pd.DataFrame({"F": [12, 3], "H": [9, 7]}, index=["A", "B"]))
    result.display      # chaînes, totaux compris : « < 5 », « masqué »…
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatoire.views.format import format_number

TOTAL = "Total"
SECONDARY_LABEL = "masqué"


@dataclass
class MaskedTable:
    """Tableau d'effectifs prêt à publier."""

    values: pd.DataFrame  # effectifs, totaux compris (ne pas publier tels quels)
    status: pd.DataFrame  # "" (affiché), "primaire" ou "secondaire"
    display: pd.DataFrame  # chaînes à publier
    threshold: int
    lines: list[list[tuple[int, int]]]

    def recomputable(self) -> list[tuple[object, object]]:
        """Cellules masquées recalculables à partir de l'affichage (doit être vide)."""
        cells = recomputable_cells(
            self.values.to_numpy(dtype=float), self.status.to_numpy(), self.threshold, self.lines
        )
        return [(self.values.index[i], self.values.columns[j]) for i, j in cells]

    @property
    def note(self) -> str:
        """Légende à placer sous le tableau publié."""
        return (
            f"« < {self.threshold} » : moins de {self.threshold} personnes ; « {SECONDARY_LABEL} » "
            ": valeur masquée pour que les petits effectifs ne puissent pas être recalculés "
            "à partir des totaux."
        )


def _with_totals(table: pd.DataFrame, row_total: bool, col_total: bool) -> pd.DataFrame:
    full = table.copy()
    if row_total:
        full[TOTAL] = table.sum(axis=1)
    if col_total:
        full.loc[TOTAL] = full.sum(axis=0)
    return full


def table_lines(
    n_rows: int, n_cols: int, row_total: bool = True, col_total: bool = True
) -> list[list[tuple[int, int]]]:
    """Relations d'additivité du tableau : chaque ligne (cellules…, total en dernier)."""
    lines = []
    if row_total:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if col_total:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def recomputable_cells(
    values: np.ndarray,
    status: np.ndarray,
    threshold: int,
    lines: list[list[tuple[int, int]]],
) -> list[tuple[int, int]]:
    """Cellules masquées dont la valeur est déterminée par ce que montre le tableau.

    ``lines`` : relations « somme des cellules = total » (voir :func:`table_lines`).
    Chaque cellule masquée est minimisée puis maximisée sous ces contraintes, avec
    ce que l'affichage révèle (« < 5 » : 1 à 4 ; « masqué » : au moins 5) ; une
    cellule dont le minimum et le maximum coïncident est recalculable.
    """
    from scipy.optimize import linprog

    n_rows, n_cols = values.shape
    masked = [(i, j) for i in range(n_rows) for j in range(n_cols) if status[i, j]]
    if not masked or not lines:
        return []
    index = {cell: k for k, cell in enumerate(masked)}
    a_eq, b_eq = [], []
    for line in lines:
        *cells, total = line
        row = np.zeros(len(masked))
        rhs = 0.0
        for cell, sign in [(c, 1.0) for c in cells] + [(total, -1.0)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * float(values[cell])
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    top = max(float(values.max()), threshold)
    bounds = [(1, threshold - 1) if status[c] == "primaire" else (threshold, top) for c in masked]
    found = []
    for k, cell in enumerate(masked):
        objective = np.zeros(len(masked))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        if low.status == 0 and high.status == 0 and -high.fun - low.fun < 0.5:
            found.append(cell)
    return found


def _add_secondary(values: np.ndarray, status: np.ndarray, line: list[tuple[int, int]]) -> bool:
    """Masque la plus petite cellule affichée non nulle de ``line`` ; faux si aucune."""
    candidates = [c for c in line if not status[c] and values[c] > 0]
    if not candidates:
        return False
    cell = min(candidates, key=lambda c: (values[c], c == line[-1]))
    status[cell] = "secondaire"
    return True


def mask_small_cells(
    table: pd.DataFrame, threshold: int = 5, row_total: bool = True, col_total: bool = True
) -> MaskedTable:
    """Masque les petits effectifs d'un tableau croisé et rend les masques non recalculables.

    ``table`` : effectifs entiers ≥ 0 (lignes × colonnes, sans totaux). Sont ajoutés
    une colonne « Total » (``row_total``) et une ligne « Total » (``col_total``).

    >>> t = pd.DataFrame({"F": [12, 3], "H": [9, 7]}, index=["A", "B"])
    >>> mask_small_cells(t).display.loc["B", "F"]
    '< 5'
    """
    counts = table.fillna(0).astype(float)
    if (counts < 0).any().any():
        raise ValueError("les effectifs à masquer doivent être positifs ou nuls")
    full = _with_totals(counts, row_total, col_total)
    values = full.to_numpy()
    status = np.full(values.shape, "", dtype=object)
    status[(values > 0) & (values < threshold)] = "primaire"
    lines = table_lines(*values.shape, row_total, col_total)
    for _ in range(values.size + 1):
        changed = False
        for line in lines:  # au moins deux cellules masquées par relation
            if sum(1 for c in line if status[c]) == 1:
                changed |= _add_secondary(values, status, line)
        if changed:
            continue
        exposed = recomputable_cells(values, status, threshold, lines)
        if not exposed:
            break
        cell = exposed[0]
        if not any(_add_secondary(values, status, ln) for ln in lines if cell in ln):
            break  # tout est déjà masqué autour de cette cellule
    display = np.empty(values.shape, dtype=object)
    for cell, value in np.ndenumerate(values):
        if status[cell] == "primaire":
            display[cell] = f"< {threshold}"
        elif status[cell] == "secondaire":
            display[cell] = SECONDARY_LABEL
        else:
            display[cell] = format_number(value)

    def frame(data: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(data, index=full.index, columns=full.columns)

    return MaskedTable(
        full.round().astype("Int64"), frame(status), frame(display), threshold, lines
    )


def mask_series(counts: pd.Series, threshold: int = 5, total: bool = True) -> MaskedTable:
    """Masque une ventilation à une dimension (groupes en colonnes + « Total »)."""
    frame = counts.to_frame(counts.name or "effectif").T
    return mask_small_cells(frame, threshold, row_total=total, col_total=False)
