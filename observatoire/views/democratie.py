"""Graphiques de la démocratie participative : signatures contre le seuil, stock des remontées.

Mêmes conventions que :mod:`observatoire.views.participation` : figures autonomes, palette
Okabe-Ito, marqueurs, styles de trait et valeurs écrites (jamais la couleur seule), titre,
ligne de source avec millésime (+ « Données fictives »), texte alternatif lisible par
:func:`observatoire.views.charts.alt_text`. Les tables viennent de ``obs.democratie``.

Exemple ::

    fig = signatures_chart(obs.democratie.courbe_signatures("P-01"), fictif=obs.fictif)
    fig = backlog_chart(obs.democratie.remontees_stock(annee=2025), fictif=obs.fictif)
    alt_text(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from observatoire.views.charts import _finish, new_figure, source_line
from observatoire.views.format import MONTHS, format_date, format_number
from observatoire.views.palette import HATCHES, LINESTYLES, MARKERS, OKABE_ITO, TEXT

SOURCE_PETITIONS = "suivi des pétitions citoyennes (signatures cumulées)"
SOURCE_REMONTEES = "suivi des remontées des usagers"
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc.")  # fmt: skip


def month_label(mois: str, long: bool = False) -> str:
    """``"2025-03"`` → « mars 2025 » (``long``) ou « mars\n2025 » (graduation)."""
    year, month = int(mois[:4]), int(mois[5:7])
    return f"{MONTHS[month - 1]} {year}" if long else f"{SHORT_MONTHS[month - 1]}\n{year}"


def _years(dates: pd.Series) -> str:
    years = sorted({int(y) for y in pd.to_datetime(dates).dt.year.dropna()})
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]} à {years[-1]}"


def _empty(fig: Figure, ax, titre: str, src: str, what: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, what[0].upper() + what[1:], transform=ax.transAxes, ha="center",
            va="center", fontsize=11, color=TEXT)  # fmt: skip
    return _finish(fig, titre, src, f"Graphique « {titre} » : {what}. {src}.")


def signatures_chart(
    courbe: pd.DataFrame,
    titre: str = "Signatures cumulées et seuil de la pétition",
    fictif: bool = False,
    source: str = SOURCE_PETITIONS,
) -> Figure:
    """Courbe en escalier des signatures cumulées de chaque pétition, seuil en pointillés,
    date d'atteinte annotée. ``courbe`` : :meth:`DemocratieAPI.courbe_signatures`."""
    fig = new_figure(9, 4.8)
    ax = fig.add_subplot()
    src = source_line(source, _years(courbe["date"]) or None, fictif)
    if courbe.empty:
        return _empty(fig, ax, titre, src, "aucune signature enregistrée")
    described, seuils = [], set()
    for i, (pid, rows) in enumerate(courbe.groupby("petition", sort=False)):
        color, style = OKABE_ITO[i % len(OKABE_ITO)], LINESTYLES[i % len(LINESTYLES)]
        label = str(rows["titre"].iloc[0]) if pd.notna(rows["titre"].iloc[0]) else str(pid)
        ax.step(rows["date"], rows["cumul"].astype(float), where="post", color=color,
                linestyle=style, marker=MARKERS[i % len(MARKERS)], markersize=4,
                label=f"{label} (signatures)")  # fmt: skip
        last = rows.iloc[-1]
        text = f"{label} : {format_number(last['cumul'])} signatures au {format_date(last['date'])}"
        seuil = rows["seuil"].iloc[0]
        if pd.notna(seuil):
            if float(seuil) not in seuils:  # un seuil commun n'est tracé qu'une fois
                seuils.add(float(seuil))
                ax.axhline(float(seuil), color=TEXT, linestyle=":", linewidth=1.5)
                ax.annotate(f"seuil : {format_number(seuil)}",
                            (courbe["date"].min(), float(seuil)), xytext=(2, 3),
                            textcoords="offset points", fontsize=8, color=TEXT)  # fmt: skip
            reached = rows[rows["atteint"].fillna(False).astype(bool)]
            if len(reached):
                first = reached.iloc[0]
                ax.annotate(f"seuil atteint le {format_date(first['date'])}",
                            (first["date"], float(first["cumul"])), xytext=(6, -14),
                            textcoords="offset points", fontsize=8, color=TEXT,
                            arrowprops={"arrowstyle": "-", "color": TEXT})  # fmt: skip
                text += f", seuil de {format_number(seuil)} atteint le {format_date(first['date'])}"
            else:
                text += f", seuil de {format_number(seuil)} non atteint"
        described.append(text)
    ax.set_ylabel("Signatures cumulées")
    top = max(float(courbe["cumul"].max()), max(seuils, default=0.0))
    ax.set_ylim(0, top * (1.2 + 0.08 * courbe["petition"].nunique()))  # place de la légende
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.set_major_formatter(lambda v, _p: format_number(v))
    ax.xaxis.set_major_formatter(
        lambda v, _p: format_date(mdates.num2date(v).replace(tzinfo=None), long=False)
    )
    fig.autofmt_xdate()
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    alt = (f"Courbe « {titre} » : signatures cumulées par date, seuil en pointillés. "
           + " ; ".join(described) + f". {src}.")  # fmt: skip
    return _finish(fig, titre, src, alt, notes=["pointillés : seuil de la pétition"])


def backlog_chart(
    stock: pd.DataFrame,
    titre: str = "Remontées en attente de traitement à la fin de chaque mois",
    fictif: bool = False,
    source: str = SOURCE_REMONTEES,
) -> Figure:
    """Barres du stock de remontées ouvertes en fin de mois (valeur écrite), entrées du
    mois sous l'axe. ``stock`` : :meth:`DemocratieAPI.remontees_stock`."""
    fig = new_figure(9, 4.8)
    ax = fig.add_subplot()
    src = source_line(source, _years(stock["fin"]) or None, fictif)
    if stock.empty:
        return _empty(fig, ax, titre, src, "aucune remontée enregistrée")
    x = np.arange(len(stock))
    values = stock["stock"].astype(float).to_numpy()
    bars = ax.bar(x, values, color=OKABE_ITO[0], hatch=HATCHES[1], edgecolor="white", width=0.7)
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(format_number(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8, color=TEXT, xytext=(0, 2),
                    textcoords="offset points")  # fmt: skip
    labels = [f"{month_label(m)}\n+{e} / −{t}" for m, e, t in
              zip(stock["mois"], stock["entrees"], stock["traitees"], strict=True)]  # fmt: skip
    ax.set_xticks(x, labels, fontsize=8, rotation=0 if len(x) <= 12 else 90)
    ax.set_ylabel("Remontées ouvertes")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.set_major_formatter(lambda v, _p: format_number(v))
    last = stock.iloc[-1]
    notes = ["+ : remontées arrivées dans le mois ; − : remontées traitées dans le mois",
             f"dernier mois arrêté au {format_date(last['fin'])} (dernière date du fichier)"]  # fmt: skip
    undated = int(last["cloture_non_datee"])
    if undated:
        notes.append(f"{undated} remontée{'s' if undated > 1 else ''} close{'s' if undated > 1 else ''}"
                     " sans date de traitement, hors du stock")  # fmt: skip
    series = " ; ".join(
        f"{month_label(m, True)} : {format_number(s)} ouverte{'s' if s > 1 else ''} ({e} arrivée{'s' if e > 1 else ''}, "
        f"{t} traitée{'s' if t > 1 else ''})"
        for m, s, e, t in zip(stock["mois"], stock["stock"], stock["entrees"], stock["traitees"],
                              strict=True)
    )  # fmt: skip
    best = stock.loc[stock["stock"].astype(float).idxmax()]
    alt = (f"Diagramme en barres « {titre} » : remontées ouvertes en fin de mois. Maximum en "
           f"{month_label(best['mois'], True)} ({format_number(best['stock'])}). Valeurs : {series}. {src}.")  # fmt: skip
    return _finish(fig, titre, src, alt, notes=notes)
