"""Graphiques de la participation : tendance dans le temps, représentativité.

Mêmes conventions que :mod:`observatoire.views.charts` : figures autonomes,
palette Okabe-Ito, motifs et valeurs écrites (jamais la couleur seule), ligne de
source (+ « Données fictives »), texte alternatif lisible par
:func:`observatoire.views.charts.alt_text`.

Exemple ::

    fig = trend_chart(tendance(obs.evenements, "trimestre"), fictif=True)
    alt_text(fig)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from observatoire.views.charts import _finish, new_figure, source_line
from observatoire.views.format import format_number, format_percent
from observatoire.views.palette import HATCHES, OKABE_ITO, TEXT

DIMENSION_TITLES = {"age": "Tranches d'âge", "sexe": "Sexe", "qpv": "Lieu de résidence"}
SOURCE = "suivi de la participation (feuilles d'événements, présences, Decidim)"


def trend_chart(
    tend: pd.DataFrame,
    titre: str = "Participation des habitants dans le temps",
    fictif: bool = False,
    source: str = SOURCE,
) -> Figure:
    """Barres des participants par période (valeur écrite au-dessus) et nombre d'événements.

    ``tend`` : résultat de :func:`observatoire.analysis.participation.tendance`.
    """
    fig = new_figure(9, 4.8)
    ax = fig.add_subplot()
    x = np.arange(len(tend))
    values = tend["participants"].astype(float).fillna(0).to_numpy()
    bars = ax.bar(x, values, color=OKABE_ITO[0], hatch=HATCHES[1], edgecolor="white", width=0.7)
    for bar, value, known in zip(bars, values, tend["participants"].notna(), strict=True):
        label = format_number(value) if known else "n.d."
        ax.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8, color=TEXT, xytext=(0, 2),
                    textcoords="offset points")  # fmt: skip
    labels = [f"{p}\n{n} év." for p, n in zip(tend["periode"], tend["evenements"], strict=True)]
    ax.set_xticks(x, labels, fontsize=8, rotation=0 if len(x) <= 12 else 90)
    ax.set_ylabel("Participants (effectifs connus)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.set_major_formatter(lambda v, _p: format_number(v))
    src = source_line(source, None, fictif)
    if tend.empty:
        ax.text(0.5, 0.5, "Aucune rencontre enregistrée", transform=ax.transAxes,
                ha="center", va="center", fontsize=11, color=TEXT)  # fmt: skip
        alt = f"Graphique « {titre} » : aucune rencontre enregistrée. {src}."
        return _finish(fig, titre, src, alt)
    best = tend.loc[tend["participants"].astype(float).idxmax()] if len(tend) else None
    series = " ; ".join(
        f"{p} : {format_number(v) if pd.notna(v) else 'non disponible'} participant{'s' if pd.isna(v) or v != 1 else ''}, {n} événement{'s' if n != 1 else ''}"
        for p, v, n in zip(tend["periode"], tend["participants"], tend["evenements"], strict=True)
    )
    alt = (
        f"Diagramme en barres « {titre} » : participants et nombre d'événements par période. "
        + (f"Maximum en {best['periode']} ({format_number(best['participants'])}). " if best is not None else "")
        + f"Valeurs : {series}. {src}."
    )  # fmt: skip
    return _finish(fig, titre, src, alt, notes=["év. : nombre d'événements de la période"])


def dimensions_renseignees(rep: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """Dimensions (``age``, ``sexe``, ``qpv``) d'une table de représentativité, en trois listes :
    renseignées (au moins un groupe publiable), masquées (trop peu de personnes pour publier
    quoi que ce soit) et non renseignées (aucune feuille ne ventile les participants ainsi).
    """
    known: list[str] = []
    masked: list[str] = []
    missing: list[str] = []
    for dim in [d for d in DIMENSION_TITLES if d in set(rep["dimension"])]:
        rows = rep[rep["dimension"] == dim]
        shown = rows["affichage"].fillna("").astype(str) if "affichage" in rows else None
        counted = rows["participants_connus"].astype(float)
        if counted.fillna(0).eq(0).all() and (shown is None or (shown == "").all()):
            missing.append(dim)
        elif rows["part_participants"].notna().any():
            known.append(dim)
        else:
            masked.append(dim)
    return known, masked, missing


DIMENSION_NAMES = {"age": "l'âge", "sexe": "le sexe", "qpv": "le lieu de résidence"}


def representativeness_chart(
    rep: pd.DataFrame,
    titre: str = "Qui participe ? Part des participants et de la population",
    fictif: bool = False,
    source: str = SOURCE + " ; population : INSEE (pyramide des âges)",
) -> Figure:
    """Barres horizontales appariées : part parmi les participants / part dans la population.

    ``rep`` : table de :meth:`ParticipationAPI.representativite` (colonne ``affichage``
    « < 5 » ou « masqué » pour les groupes protégés par le secret). Une dimension dont
    aucun participant n'est ventilé (ex. lieu de résidence jamais noté) n'est pas dessinée :
    une note et le texte alternatif le disent.
    """
    dims, _masked, missing = dimensions_renseignees(rep)
    rep = rep[rep["dimension"].isin(dims)]  # une dimension sans aucun participant connu : omise
    fig = new_figure(9, 1.2 + 0.55 * len(rep) + 0.4 * len(dims))
    ax = fig.add_subplot()
    y, ticks, labels, described = 0.0, [], [], []
    for dim in dims:
        rows = rep[rep["dimension"] == dim]
        ax.text(-0.01, y - 0.1, DIMENSION_TITLES[dim], transform=ax.get_yaxis_transform(),
                ha="right", fontweight="bold", fontsize=9, color=TEXT)  # fmt: skip
        y += 0.8
        for _, row in rows.iterrows():
            pop = float(row["part_population"]) * 100
            masked = str(row.get("affichage", "") or "")
            ax.barh(y + 0.2, pop, height=0.38, color=OKABE_ITO[1], edgecolor="white")
            ax.annotate(format_percent(pop), (pop, y + 0.2), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=8)  # fmt: skip
            if masked or pd.isna(row["part_participants"]):
                text = f"participants : {masked or 'non disponible'}"
                ax.annotate(text, (0, y - 0.2), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=8, style="italic")  # fmt: skip
                described.append(f"{row['libelle']} : participants {masked or 'non disponible'}, "
                                 f"population {format_percent(pop)}")  # fmt: skip
            else:
                part = float(row["part_participants"]) * 100
                ax.barh(y - 0.2, part, height=0.38, color=OKABE_ITO[0], hatch=HATCHES[1],
                        edgecolor="white")  # fmt: skip
                ax.annotate(format_percent(part), (part, y - 0.2), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=8)  # fmt: skip
                described.append(f"{row['libelle']} : participants {format_percent(part)}, "
                                 f"population {format_percent(pop)}")  # fmt: skip
            ticks.append(y)
            labels.append(str(row["libelle"]))
            y += 1
        y += 0.3
    ax.set_yticks(ticks, labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Part du groupe (%)")
    ax.xaxis.set_major_formatter(lambda v, _p: f"{format_number(v)}\u00a0%")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Patch(facecolor=OKABE_ITO[0], hatch=HATCHES[1], edgecolor="white", label="participants (hachuré)"),
            Patch(facecolor=OKABE_ITO[1], label="population (plein)"),
        ],
        loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, fontsize=8, frameon=False,
    )  # fmt: skip
    ax.set_xlim(0, max(ax.get_xlim()[1], 10) * 1.12)
    src = source_line(source, None, fictif)
    notes = ["« < 5 » : moins de 5 personnes ; « masqué » : valeur masquée pour le secret"]
    omitted = ""
    if missing:
        omitted = (
            "Participants non ventilés selon "
            + " ni ".join(DIMENSION_NAMES[d] for d in missing)
            + " dans les feuilles : non représenté."
        )
        notes.append(omitted)
    if not dims:
        ax.text(0.5, 0.5, "Aucune ventilation des participants", transform=ax.transAxes,
                ha="center", va="center", fontsize=11, color=TEXT)  # fmt: skip
    alt = (
        f"Diagramme en barres « {titre} », par groupe : part parmi les participants et part "
        f"dans la population. {' ; '.join(described) or 'aucun groupe renseigné'}. "
        + (f"{omitted} " if omitted else "")
        + f"{src}."
    )
    return _finish(fig, titre, src, alt, notes=notes)
