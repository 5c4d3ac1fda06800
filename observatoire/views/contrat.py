"""Graphiques du contrat de ville (matplotlib, sans pyplot), chacun avec texte alternatif.

Les fonctions reçoivent des tables déjà calculées (:mod:`observatoire.analysis.contrat`)
et rendent une ``Figure`` dont :func:`observatoire.views.charts.alt_text` donne le
texte alternatif RGAA (valeurs comprises). Motifs et étiquettes de valeurs : la
couleur n'est jamais seule porteuse d'information.

Exemple ::

    fig = amounts_chart(totaux, label="financeur", titre="Montants accordés par financeur")
    alt_text(fig)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from observatoire.views.charts import _axis_formatter, _finish, new_figure, source_line
from observatoire.views.format import format_euros, format_number
from observatoire.views.palette import HATCHES, HIGHLIGHT, OKABE_ITO, TEXT

AMOUNT_LABELS = {"demande": "demandé", "accorde": "accordé", "verse": "versé"}


def _f(value: object) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def amounts_chart(
    table: pd.DataFrame,
    *,
    label: str,
    titre: str,
    montants: tuple[str, ...] = ("demande", "accorde", "verse"),
    source: str | None = None,
    fictif: bool = False,
) -> Figure:
    """Barres horizontales groupées : montants (euros) par modalité de ``label``.

    ``table`` : une ligne par modalité, colonnes ``label`` et ``demande``/``accorde``/
    ``verse`` (Decimal ou float ; vide = non renseigné, affiché « n.d. »). Un montant
    renseigné pour aucune modalité n'est ni dessiné ni mis en légende.
    """
    rows = table.reset_index(drop=True)
    present = [m for m in montants if m in rows.columns]
    # un montant que rien ne renseigne (ex. « versé » avant le bilan) n'a pas de barres
    cols = [m for m in present if rows[m].notna().any()] or present
    fig = new_figure(8.5, 0.3 * len(rows) * max(len(cols), 1) + 1.8)
    ax = fig.add_subplot()
    height = 0.8 / max(len(cols), 1)
    y = np.arange(len(rows))[::-1].astype(float)
    vmax = max([_f(v) for c in cols for v in rows[c] if not math.isnan(_f(v))] or [1.0])
    for k, col in enumerate(cols):
        values = [_f(v) for v in rows[col]]
        pos = y + (len(cols) - 1 - 2 * k) * height / 2
        ax.barh(pos, [0 if math.isnan(v) else v for v in values], height=height * 0.95,
                color=OKABE_ITO[k], hatch=HATCHES[k], edgecolor="white",
                label=AMOUNT_LABELS.get(col, col))  # fmt: skip
        for p, v in zip(pos, values, strict=True):
            ax.text((0 if math.isnan(v) else v) + vmax * 0.01, p, format_euros(v), va="center",
                    fontsize=7.5, color=TEXT)  # fmt: skip
    ax.set_yticks(y, [str(v) for v in rows[label]])
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(_axis_formatter("€"))
    ax.set_xlim(0, vmax * 1.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if len(cols) > 1:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    src = source_line(source, None, fictif)
    desc = " ; ".join(
        f"{r[label]} : "
        + ", ".join(f"{AMOUNT_LABELS.get(c, c)} {format_euros(r[c])}" for c in cols)
        for _, r in rows.iterrows()
    )
    return _finish(fig, titre, src, f"Diagramme en barres « {titre} » : {desc}. {src}.")


def per_inhabitant_chart(
    table: pd.DataFrame, *, titre: str, source: str | None = None, fictif: bool = False
) -> Figure:
    """Euros par habitant par quartier (barres triées) ; population inconnue signalée.

    ``table`` : colonnes ``nom``, ``euros_par_habitant`` (NaN si population inconnue).
    """
    known = table[table["euros_par_habitant"].notna()].sort_values("euros_par_habitant")
    missing = table[table["euros_par_habitant"].isna()]
    fig = new_figure(8, 0.42 * max(len(known), 1) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(known))
    values = known["euros_par_habitant"].astype(float).to_numpy()
    vmax = float(values.max()) if len(values) else 1.0
    median = float(np.median(values)) if len(values) else float("nan")
    for i, v in enumerate(values):
        low = v < median
        ax.barh(y[i], v, color=HIGHLIGHT if low else OKABE_ITO[0], hatch="///" if low else "",
                edgecolor="white", height=0.7)  # fmt: skip
        ax.text(v + vmax * 0.01, y[i], format_euros(v, 1), va="center", fontsize=8, color=TEXT)
    ax.set_yticks(y, [str(n) for n in known["nom"]])
    if len(values):
        ax.axvline(median, color=TEXT, linestyle="--", linewidth=1)
        ax.text(median, len(values) - 0.4, f" médiane {format_euros(median, 1)}", fontsize=8)
    ax.xaxis.set_major_formatter(_axis_formatter("€"))
    ax.set_xlim(0, vmax * 1.25 if vmax > 0 else 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Patch(facecolor=OKABE_ITO[0], label="médiane ou plus"),
            Patch(facecolor=HIGHLIGHT, hatch="///", edgecolor="white", label="sous la médiane"),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    src = source_line(source, None, fictif)
    note = ""
    if len(missing):
        note = " Population inconnue (non calculé) : " + ", ".join(map(str, missing["nom"])) + "."
        fig.text(0.01, 0.035, note.strip(), fontsize=7.5, color="#333333")
    order = ", ".join(
        f"{r.nom} {format_euros(r.euros_par_habitant, 1)}" for r in known.itertuples()
    )
    alt = (
        f"Diagramme en barres « {titre} », du plus bas au plus élevé (hachures : sous la "
        f"médiane de {format_euros(median, 1)}) : {order}.{note} {src}."
    )
    fig = _finish(fig, titre, src, alt)
    if len(missing):
        fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))
    return fig


def needs_means_chart(
    table: pd.DataFrame,
    summary: dict,
    *,
    besoin: str,
    titre: str,
    source: str | None = None,
    fictif: bool = False,
) -> Figure:
    """Nuage besoin × euros par habitant, droite de régression, quartiers sous-dotés marqués.

    ``table`` : sortie de :func:`needs_and_means` avec une colonne ``nom``.
    """
    fig = new_figure(8, 5.2)
    ax = fig.add_subplot()
    under = table["sous_dote"].astype(bool)
    ax.scatter(table.loc[~under, "besoin"], table.loc[~under, "euros_par_habitant"], s=45,
               color=OKABE_ITO[0], marker="o", label="conforme au besoin")  # fmt: skip
    ax.scatter(table.loc[under, "besoin"], table.loc[under, "euros_par_habitant"], s=70,
               color=HIGHLIGHT, marker="^", label="nettement sous-doté")  # fmt: skip
    for r in table.itertuples():
        ax.annotate(str(r.nom), (r.besoin, r.euros_par_habitant), xytext=(4, 3),
                    textcoords="offset points", fontsize=7.5, color=TEXT)  # fmt: skip
    if not math.isnan(summary.get("pente", math.nan)) and len(table):
        xs = np.linspace(float(table["besoin"].min()), float(table["besoin"].max()), 20)
        ax.plot(xs, summary["constante"] + summary["pente"] * xs, color=TEXT, linestyle="--",
                linewidth=1, label="niveau attendu selon le besoin")  # fmt: skip
    ax.set_xlabel(besoin)
    ax.set_ylabel("euros par habitant")
    ax.yaxis.set_major_formatter(_axis_formatter("€"))
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    src = source_line(source, None, fictif)
    points = " ; ".join(
        f"{r.nom} : besoin {format_number(r.besoin, 1)}, {format_euros(r.euros_par_habitant, 1)}"
        + (" (sous-doté)" if r.sous_dote else "")
        for r in table.itertuples()
    )
    corr = summary.get("pearson", math.nan)
    corr_txt = "non calculable" if corr != corr else format_number(corr, 2)
    under_names = ", ".join(map(str, table.loc[under, "nom"])) or "aucun"
    alt = (
        f"Nuage de points « {titre} » : en abscisse {besoin}, en ordonnée les euros par "
        f"habitant. Corrélation de Pearson {corr_txt}. Quartiers nettement sous-dotés : "
        f"{under_names}. Détail : {points}. {src}."
    )
    return _finish(fig, titre, src, alt)
