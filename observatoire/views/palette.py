"""Palettes adaptées aux daltoniens, motifs, et classes de carte (mapclassify).

- catégories : palette d'Okabe et Ito (distinguable par les trois formes de
  daltonisme courantes) ; chaque catégorie a aussi un **motif** (hachures) et un
  marqueur, pour ne jamais dépendre de la couleur seule ;
- classes de carte : séquence « YlGnBu » de ColorBrewer (lisible par les
  daltoniens, du clair au foncé) ; « donnée non disponible » : gris hachuré,
  distinct de toutes les classes ;
- classification : seuils naturels (Fisher-Jenks, exact et déterministe),
  quantiles ou intervalles égaux.

Exemple ::

    classes = classify(pd.Series([12.0, 18.5, 30.2, 44.0]), k=3, methode="quantiles", unite="%")
    classes.labels      # ['de 12,0 % à 16,6 %', 'plus de 16,6 % à …', …]
    classes.color_of(30.2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from observatoire.views.format import format_value
from observatoire.views.jenks import fisher_jenks_bins

# Okabe & Ito (2008) : bleu, orange, vert bleuté, vermillon, bleu ciel, pourpre, jaune, noir
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
# Motifs des barres (jamais la couleur seule). Les motifs en points (« ... », « ooo »)
# pèsent lourd en SVG (un cercle par point) : un seul, en dernier recours.
HATCHES = ["", "///", "\\\\\\", "xxx", "+++", "---", "|||", "..."]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), "-", "--"]
# ColorBrewer YlGnBu, 3 à 9 classes (Cynthia Brewer, colorbrewer2.org, licence Apache 2.0)
YLGNBU = {
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    8: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    9: [
        "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4",
        "#1d91c0", "#225ea8", "#253494", "#081d58",
    ],
}  # fmt: skip
NA_COLOR = "#d9d9d9"
NA_EDGE = "#525252"
NA_HATCH = "////"
NA_LABEL = "donnée non disponible"
HIGHLIGHT = "#D55E00"  # vermillon : quartier mis en évidence (avec contour épais et motif)
NEUTRAL = "#7a8ba3"
TEXT = "#1a1a1a"
METHODS = {
    "jenks": "seuils naturels (Jenks)",
    "quantiles": "quantiles",
    "egal": "intervalles égaux",
}


def categorical(n: int) -> list[str]:
    """``n`` couleurs catégorielles (Okabe-Ito, répétées au-delà de 8)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def sequential(k: int) -> list[str]:
    """``k`` couleurs séquentielles claires → foncées (YlGnBu ; 1 ≤ k ≤ 9)."""
    if k <= 0:
        return []
    if k < 3:
        return YLGNBU[3][-k:] if k == 1 else [YLGNBU[3][0], YLGNBU[3][2]]
    return list(YLGNBU[min(k, 9)])


def text_color(background: str) -> str:
    """Noir ou blanc selon la luminance du fond (contraste RGAA)."""
    r, g, b = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if lum > 0.45 else "#ffffff"


@dataclass
class Classes:
    """Classes d'une carte : bornes, couleurs, libellés français."""

    bounds: list[float]  # k + 1 bornes croissantes (min, …, max)
    colors: list[str]
    labels: list[str]
    methode: str
    unite: str | None = None
    counts: list[int] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.colors)

    def index_of(self, value: float | None) -> int:
        """Numéro de classe (0…k-1) ; -1 pour une valeur non disponible."""
        if value is None or (isinstance(value, float) and np.isnan(value)) or not self.k:
            return -1
        for i, upper in enumerate(self.bounds[1:]):
            if value <= upper + 1e-9 * max(1.0, abs(upper)):
                return i
        return self.k - 1

    def color_of(self, value: float | None) -> str:
        """Couleur de la classe de ``value`` (gris « non disponible » si absente)."""
        i = self.index_of(value)
        return NA_COLOR if i < 0 else self.colors[i]


def classify(
    values: pd.Series, k: int = 5, methode: str = "jenks", unite: str | None = None
) -> Classes:
    """Classe les valeurs disponibles (NaN ignorés) avec mapclassify.

    ``methode`` : ``jenks`` (seuils naturels, Fisher-Jenks), ``quantiles``, ``egal``.
    """
    import mapclassify

    if methode not in METHODS:
        raise ValueError(f"méthode de classement inconnue : {methode} (jenks, quantiles, egal)")
    y = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if len(y) == 0:
        return Classes([], [], [], METHODS[methode], unite)
    k = max(1, min(int(k), 9, len(np.unique(y))))
    if k == 1:
        bounds = [float(y.min()), float(y.max())]
    else:
        if methode == "jenks":  # bornes de mapclassify.FisherJenks, calcul vectorisé
            bins = fisher_jenks_bins(y, k)
        elif methode == "quantiles":
            bins = mapclassify.Quantiles(y, k=k).bins
        else:
            bins = mapclassify.EqualInterval(y, k=k).bins
        bounds = [float(y.min()), *[float(b) for b in bins]]
        # mapclassify peut renvoyer des bornes en double (quantiles sur valeurs égales)
        kept = [bounds[0], bounds[1]]  # 1re classe éventuellement réduite au minimum
        kept += [b for b in bounds[2:] if b > kept[-1]]
        bounds = kept
    k = len(bounds) - 1
    colors = sequential(k)
    labels = [
        format_value(hi, unite)
        if lo == hi
        else f"{'de' if i == 0 else 'plus de'} {format_value(lo, unite)} à {format_value(hi, unite)}"
        for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    ]
    classes = Classes(bounds, colors, labels, METHODS[methode], unite)
    idx = [classes.index_of(v) for v in y]
    classes.counts = [idx.count(i) for i in range(k)]
    return classes
