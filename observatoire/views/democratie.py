"""Graphiques de la démocratie participative (rapport annuel, bilans de concertation, section
du tableau de bord) : barres groupées, courbe des signatures d'une pétition contre son seuil, stock
des remontées dans le temps.

Mêmes conventions que :mod:`observatoire.views.charts` : figures autonomes (sans pyplot),
palette Okabe-Ito **et** motifs ou styles de trait (jamais la couleur seule), valeurs
écrites sur chaque barre, ligne de source (+ « Données fictives »), texte alternatif
lisible par :func:`observatoire.views.charts.alt_text`. Aucun calcul : les tables
viennent de ``obs.democratie`` et ``obs.panel``.

Exemple ::

    fig = grouped_bars(table, label="Groupe", series={"panel": "Panel", "population": "Population"},
                       titre="Composition du panel", unite="%", source="Vivier", fictif=True)
    alt_text(fig)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from observatoire.views.charts import _finish, new_figure, source_line
from observatoire.views.format import format_date, format_number, format_percent
from observatoire.views.palette import HATCHES, LINESTYLES, MARKERS, OKABE_ITO, TEXT


def _num(value: object) -> float:
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _fmt(value: float, unite: str | None) -> str:
    if math.isnan(value):
        return "n.d."
    if unite == "%":
        return format_percent(value)
    if unite == "€":
        return f"{format_number(value)}\u00a0€"
    return format_number(value, 0 if float(value).is_integer() or abs(value) >= 100 else 1)


def grouped_bars(
    table: pd.DataFrame,
    *,
    label: str,
    series: Mapping[str, str],
    titre: str,
    unite: str | None = None,
    source: str | None = None,
    fictif: bool = False,
    notes: list[str] | None = None,
) -> Figure:
    """Barres horizontales groupées : une ligne de ``table`` par modalité (colonne ``label``),
    une barre par colonne de ``series`` (colonne → libellé de légende).

    Chaque série a sa couleur **et** son motif ; chaque barre porte sa valeur écrite
    (« n.d. » si elle est inconnue : jamais une barre nulle muette).
    """
    rows = table.reset_index(drop=True)
    cols = [c for c in series if c in rows.columns]
    n = max(len(cols), 1)
    fig = new_figure(8.5, min(11.0, 0.28 * len(rows) * n + 1.9))
    ax = fig.add_subplot()
    height = 0.8 / n
    y = np.arange(len(rows))[::-1].astype(float)
    known = [_num(v) for c in cols for v in rows[c]]
    vmax = max([v for v in known if not math.isnan(v)] or [1.0]) or 1.0
    for k, col in enumerate(cols):
        values = [_num(v) for v in rows[col]]
        pos = y + (n - 1 - 2 * k) * height / 2
        ax.barh(pos, [0 if math.isnan(v) else v for v in values], height=height * 0.95,
                color=OKABE_ITO[k % len(OKABE_ITO)], hatch=HATCHES[k % len(HATCHES)],
                edgecolor="white", label=series[col])  # fmt: skip
        for p, v in zip(pos, values, strict=True):
            ax.text((0 if math.isnan(v) else v) + vmax * 0.01, p, _fmt(v, unite), va="center",
                    fontsize=7.5, color=TEXT)  # fmt: skip
    ax.set_yticks(y, [str(v) for v in rows[label]], fontsize=8)
    integers = unite is None and all(math.isnan(v) or float(v).is_integer() for v in known)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=integers))
    ax.xaxis.set_major_formatter(lambda v, _p: _fmt(v, unite))
    ax.set_xlim(0, vmax * 1.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if len(cols) > 1:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    src = source_line(source, None, fictif)
    desc = " ; ".join(
        f"{r[label]} : " + ", ".join(f"{series[c]} {_fmt(_num(r[c]), unite)}" for c in cols)
        for _, r in rows.iterrows()
    )
    return _finish(
        fig, titre, src, f"Diagramme en barres « {titre} » : {desc.rstrip('.')}. {src}.", notes
    )


def signatures_chart(
    curve: pd.DataFrame,
    *,
    seuil: object,
    titre: str,
    source: str | None = None,
    fictif: bool = False,
) -> Figure:
    """Signatures cumulées d'une pétition par date (marches), et le seuil en tirets.

    ``curve`` : colonnes ``date`` et ``cumul`` (triées par date). Le seuil est écrit en
    toutes lettres au bout de sa ligne ; la date où la courbe le franchit est annotée.
    """
    data = curve.sort_values("date").reset_index(drop=True)
    fig = new_figure(8.5, 3.8)
    ax = fig.add_subplot()
    dates = pd.to_datetime(data["date"])
    values = data["cumul"].astype(float).to_numpy()
    ax.step(dates, values, where="post", color=OKABE_ITO[0], linestyle=LINESTYLES[0],
            marker=MARKERS[0], markersize=3.5, linewidth=1.8, label="Signatures cumulées")  # fmt: skip
    threshold = _num(seuil)
    crossed = ""
    if not math.isnan(threshold):
        ax.axhline(threshold, color=OKABE_ITO[3], linestyle="--", linewidth=1.4,
                   label=f"Seuil : {format_number(threshold)} signatures")  # fmt: skip
        ax.annotate(f"seuil : {format_number(threshold)}", (1.0, threshold),
                    xycoords=("axes fraction", "data"), xytext=(-4, 3),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8,
                    color=TEXT)  # fmt: skip
        over = data[data["cumul"].astype(float) >= threshold]
        if len(over):
            when = pd.Timestamp(over["date"].iloc[0])
            crossed = f" Seuil atteint le {format_date(when.date())}."
            ax.annotate("seuil atteint", (when, threshold), xytext=(6, -14),
                        textcoords="offset points", fontsize=8, color=TEXT,
                        arrowprops={"arrowstyle": "-", "color": TEXT, "lw": 0.6})  # fmt: skip
    top = max([threshold if not math.isnan(threshold) else 0.0, *values.tolist(), 1.0])
    ax.set_ylim(0, top * 1.15)
    ax.yaxis.set_major_formatter(lambda v, _p: format_number(v))
    ax.set_ylabel("Signatures")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    src = source_line(source, None, fictif)
    last = f"{format_number(values[-1])} signatures au {format_date(dates.iloc[-1].date())}"
    first = format_date(dates.iloc[0].date())
    limit = f", seuil de {format_number(threshold)}" if not math.isnan(threshold) else ""
    alt = (
        f"Courbe « {titre} » : signatures cumulées du {first} au "
        f"{format_date(dates.iloc[-1].date())} ({len(data)} relevés{limit}) ; {last}."
        f"{crossed} {src}."
    )
    return _finish(fig, titre, src, alt)


def stock_chart(
    stock: pd.DataFrame,
    *,
    periode: str,
    valeur: str,
    titre: str,
    ylabel: str,
    source: str | None = None,
    fictif: bool = False,
) -> Figure:
    """Barres d'une quantité par période (ex. remontées non traitées en fin de mois),
    valeur écrite au-dessus de chaque barre."""
    data = stock.reset_index(drop=True)
    fig = new_figure(9, 3.8)
    ax = fig.add_subplot()
    x = np.arange(len(data))
    values = [_num(v) for v in data[valeur]]
    bars = ax.bar(x, [0 if math.isnan(v) else v for v in values], color=OKABE_ITO[0],
                  hatch=HATCHES[1], edgecolor="white", width=0.7)  # fmt: skip
    for bar, v in zip(bars, values, strict=True):
        ax.annotate(_fmt(v, None), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=7.5, color=TEXT, xytext=(0, 2),
                    textcoords="offset points")  # fmt: skip
    labels = [str(p) for p in data[periode]]
    ax.set_xticks(x, labels, fontsize=8, rotation=0 if len(x) <= 12 else 90)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(lambda v, _p: format_number(v))
    ax.spines[["top", "right"]].set_visible(False)
    src = source_line(source, None, fictif)
    desc = " ; ".join(f"{p} : {_fmt(v, None)}" for p, v in zip(labels, values, strict=True))
    return _finish(fig, titre, src, f"Diagramme en barres « {titre} » : {desc.rstrip('.')}. {src}.")
