"""Graphiques matplotlib (sans pyplot : figures indépendantes, rendu Agg).

Chaque figure : libellés et nombres en français, palette Okabe-Ito, motifs et
étiquettes de valeurs (jamais la couleur seule), ligne « Source : …, millésime … »
(+ « Données fictives » pour la démo), et un texte alternatif RGAA lisible par
:func:`alt_text`.

Exemple ::

    fig = gap_chart(rows, titre="Taux de pauvreté", unite="%", source="INSEE", annee=2021)
    alt_text(fig)                       # « Diagramme en barres : … »
    save_figure(fig, tmp_path / "ecarts.png")
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from observatoire.atomic import atomic_path
from observatoire.views.format import format_number, format_value
from observatoire.views.palette import (
    HATCHES,
    HIGHLIGHT,
    LINESTYLES,
    MARKERS,
    NEUTRAL,
    OKABE_ITO,
    TEXT,
)

FICTIF = "Données fictives"
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.6}
AGE_LABELS = {
    "0_14": "0-14 ans",
    "15_29": "15-29 ans",
    "30_44": "30-44 ans",
    "45_59": "45-59 ans",
    "60_74": "60-74 ans",
    "75_plus": "75 ans ou plus",
}


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """Figure matplotlib autonome (canevas Agg), police DejaVu Sans."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    return fig


def source_line(source: str | None, annee: object = None, fictif: bool = False) -> str:
    """``Source : INSEE, millésime 2021 — Données fictives``."""
    text = f"Source : {source or 'non précisée'}"
    if annee is not None and str(annee) != "":
        text += f", millésime{'s' if ' à ' in str(annee) else ''} {annee}"
    if fictif:
        text += f" — {FICTIF}"
    return text


def _finish(
    fig: Figure, titre: str, source: str, alt: str, notes: list[str] | None = None
) -> Figure:
    """Titre, notes et ligne de source en pied de figure ; mémorise le texte alternatif."""
    title_width = int(fig.get_figwidth() * 9)  # caractères par ligne à 12 pt gras, environ
    fig.suptitle(
        "\n".join(textwrap.wrap(titre, title_width)) or titre,
        fontsize=12,
        fontweight="bold",
        color=TEXT,
        x=0.01,
        ha="left",
    )
    width = int(fig.get_figwidth() * 15)  # caractères par ligne à 8 pt, environ
    lines = [line for note in notes or [] for line in textwrap.wrap(note, width)]
    footer = "\n".join([*lines, *textwrap.wrap(source, width)])
    fig.text(0.01, 0.005, footer, fontsize=8, color="#333333", ha="left", va="bottom")
    height_pt = fig.get_figheight() * 72
    bottom = min(0.4, (footer.count("\n") + 1) * 11 / height_pt + 0.01)
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    fig.observatoire_alt = alt  # type: ignore[attr-defined]
    fig.observatoire_source = source  # type: ignore[attr-defined]
    return fig


def alt_text(fig: Figure) -> str:
    """Texte alternatif (RGAA) décrivant la figure, posé par la fonction qui l'a dessinée."""
    return getattr(fig, "observatoire_alt", "") or "Figure sans description."


def _axis_formatter(unite: str | None) -> FuncFormatter:
    def fmt(x: float, _pos: int) -> str:
        if unite == "%":
            return f"{format_number(x, 0)}\u00a0%"
        if unite == "€":
            return f"{format_number(x, 0)}\u00a0€"
        return format_number(x, 0 if abs(x) >= 10 or float(x).is_integer() else 1)

    return FuncFormatter(fmt)


def _describe(values: pd.DataFrame, unite: str | None, label: str = "territoire") -> str:
    parts = [
        f"{r[label]} : {format_value(r['valeur'], unite, r['statut'])}"
        for _, r in values.iterrows()
    ]
    return " ; ".join(parts)


def gap_chart(
    rows: pd.DataFrame,
    *,
    titre: str,
    unite: str | None,
    source: str | None = None,
    annee: object = None,
    fictif: bool = False,
) -> Figure:
    """Barres horizontales : le quartier (1re ligne) face à ses territoires de référence.

    ``rows`` : colonnes ``territoire``, ``valeur``, ``statut`` ; la première ligne est
    le quartier (couleur vermillon, sans motif), les références suivent (bleu, motifs).
    Une référence sans aucune valeur fournie (statut ``absent``) n'a pas de barre : elle
    est nommée sous le graphique (une valeur secrète reste à sa place, en toutes lettres).
    """
    rows = rows.reset_index(drop=True)
    missing = rows.index.to_series().gt(0) & rows["statut"].eq("absent")
    unknown = [str(t) for t in rows.loc[missing, "territoire"]]
    rows = rows[~missing].reset_index(drop=True)
    fig = new_figure(8, 0.55 * len(rows) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    ok = rows["statut"].eq("ok") & rows["valeur"].notna()
    vmax = float(rows.loc[ok, "valeur"].abs().max()) if ok.any() else 1.0
    for i, r in rows.iterrows():
        color = HIGHLIGHT if i == 0 else OKABE_ITO[0]
        hatch = "" if i == 0 else HATCHES[1 + (i - 1) % (len(HATCHES) - 1)]
        label = format_value(r["valeur"], unite, r["statut"])
        if ok[i]:
            ax.barh(y[i], r["valeur"], color=color, hatch=hatch, edgecolor="white", height=0.7)
            ax.text(r["valeur"] + vmax * 0.01, y[i], label, va="center", fontsize=9, color=TEXT)
        else:
            ax.text(0, y[i], f" {label}", va="center", fontsize=9, style="italic", color=TEXT)
    ax.set_yticks(y, [str(t) for t in rows["territoire"]])
    ax.get_yticklabels()[0].set_fontweight("bold")
    ax.xaxis.set_major_formatter(_axis_formatter(unite))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # graduations lisibles, sans chevauchement
    ax.set_xlim(min(0, float(rows.loc[ok, "valeur"].min()) if ok.any() else 0), vmax * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    src = source_line(source, annee, fictif)
    notes = [f"Aucune valeur fournie pour : {', '.join(unknown)}."] if unknown else []
    alt = (
        f"Diagramme en barres horizontales « {titre} » ({annee}) : {_describe(rows, unite)}. "
        + " ".join([*notes, f"{src}."])
    )
    return _finish(fig, titre, src, alt, notes=notes)


def evolution_chart(
    lines: pd.DataFrame,
    *,
    titre: str,
    unite: str | None,
    source: str | None = None,
    fictif: bool = False,
    note: str | None = None,
) -> Figure:
    """Courbes d'évolution, une par territoire (marqueur et trait propres à chacun).

    ``lines`` : colonnes ``territoire``, ``annee``, ``valeur``, ``statut`` et, en option,
    ``traverse_geographie`` (points de l'autre génération : marqueur creux, trait
    pointillé, mention sous le graphique).
    """
    fig = new_figure(8, 4.6)
    ax = fig.add_subplot()
    crossing = "traverse_geographie" in lines and lines["traverse_geographie"].fillna(False).any()
    descriptions = []
    plotted = lines[lines["statut"].eq("ok") & lines["valeur"].notna()]
    with_points = set(plotted["territoire"])
    groups = [(n, p) for n, p in lines.groupby("territoire", sort=False) if n in with_points]
    empty = [str(n) for n in lines["territoire"].unique() if n not in with_points]
    for i, (name, part) in enumerate(groups):  # une série sans point n'est ni tracée ni légendée
        part = part.sort_values("annee")
        okp = part[part["statut"].eq("ok") & part["valeur"].notna()]
        color, marker = OKABE_ITO[i % 8], MARKERS[i % len(MARKERS)]
        style = LINESTYLES[i % len(LINESTYLES)]
        cross = (
            okp["traverse_geographie"].fillna(False).astype(bool)
            if "traverse_geographie" in okp
            else pd.Series(False, index=okp.index)
        )
        main = okp[~cross]
        ax.plot(main["annee"], main["valeur"], linestyle=style, marker=marker, color=color,
                label=str(name), linewidth=2 if i == 0 else 1.4, markersize=7)  # fmt: skip
        if cross.any():
            joined = pd.concat([okp[cross], main.head(1)])
            ax.plot(joined["annee"], joined["valeur"], linestyle=":", color=color, linewidth=1.2)
            ax.plot(okp.loc[cross, "annee"], okp.loc[cross, "valeur"], marker=marker,
                    linestyle="none", markerfacecolor="white", color=color, markersize=7)  # fmt: skip
        if len(okp):
            last = okp.iloc[-1]
            ax.annotate(format_value(last["valeur"], unite), (last["annee"], last["valeur"]),
                        xytext=(6, 0), textcoords="offset points", va="center", fontsize=8,
                        color=TEXT)  # fmt: skip
        points = ", ".join(
            f"{int(r.annee)} : {format_value(r.valeur, unite, r.statut)}"
            for r in part.itertuples(index=False)
        )
        descriptions.append(f"{name} ({points})")
    _year_axis(ax, sorted({int(y) for y in plotted["annee"]}))
    ax.yaxis.set_major_formatter(_axis_formatter(unite))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if groups:
        ax.legend(frameon=False, fontsize=8, loc="best")
    years = sorted({int(y) for y in plotted["annee"]})
    span = (f"{years[0]} à {years[-1]}" if len(years) > 1 else years[0]) if years else None
    src = source_line(source, span, fictif)
    extra = []
    if crossing:
        extra.append(
            "Marqueurs creux et pointillés : millésimes de la géographie prioritaire 2015 "
            "(quartier déclaré identique), territoire d'une autre génération."
        )
    if empty:
        extra.append(f"Aucune valeur publiée pour : {', '.join(empty)}.")
    if note:
        extra.append(note)
    alt = f"Graphique en courbes « {titre} » : {' ; '.join(descriptions)}. {' '.join(extra)} {src}."
    return _finish(fig, titre, src, alt.replace("  ", " "), notes=extra)


def _year_axis(ax: Axes, years: list[int]) -> None:
    """Axe des millésimes borné aux données : une graduation par millésime tracé (au plus
    une dizaine), marge d'un demi-millésime (et place à droite pour l'étiquette finale)."""
    if not years:
        ax.set_xticks([])
        return
    lo, hi = years[0], years[-1]
    ticks = years if len(years) <= 12 else list(range(lo, hi + 1, max(1, (hi - lo) // 10)))
    ax.set_xticks(ticks, [str(y) for y in ticks])
    ax.set_xlim(lo - 0.5, hi + max(0.8, (hi - lo) * 0.12))


def age_pyramid(
    pyramid: pd.DataFrame,
    *,
    titre: str,
    source: str | None = None,
    annee: object = None,
    fictif: bool = False,
    reference: pd.DataFrame | None = None,
    reference_nom: str | None = None,
) -> Figure:
    """Pyramide des âges en % de la population : hommes à gauche (hachurés), femmes à droite.

    ``pyramid`` : colonnes ``tranche`` (libellé), ``hommes``, ``femmes`` (effectifs,
    NaN si secret). ``reference`` (même forme) : contour noir en escalier.
    """
    p = pyramid.reset_index(drop=True)
    total = p[["hommes", "femmes"]].sum().sum()
    share = p[["hommes", "femmes"]] / total * 100 if total else p[["hommes", "femmes"]] * np.nan
    fig = new_figure(8, 4.8)
    ax = fig.add_subplot()
    y = np.arange(len(p))
    ax.barh(y, -share["hommes"], color=OKABE_ITO[0], hatch="///", edgecolor="white",
            height=0.8, label="Hommes")  # fmt: skip
    ax.barh(y, share["femmes"], color=OKABE_ITO[1], edgecolor="white", height=0.8, label="Femmes")
    top = float(np.nanmax(share.to_numpy())) if share.notna().any().any() else 1.0
    for i in range(len(p)):
        for col, sign in (("hommes", -1), ("femmes", 1)):
            v = share.loc[i, col]
            text = format_value(v, "%") if pd.notna(v) else "n.d."
            ax.text(sign * ((0 if pd.isna(v) else v) + top * 0.02), y[i], text, fontsize=8,
                    va="center", ha="right" if sign < 0 else "left", color=TEXT)  # fmt: skip
    if reference is not None and len(reference):
        r = reference.reset_index(drop=True)
        rtot = r[["hommes", "femmes"]].sum().sum()
        rs = r[["hommes", "femmes"]] / rtot * 100
        for col, sign in (("hommes", -1), ("femmes", 1)):
            ax.vlines(sign * rs[col].to_numpy(), y - 0.45, y + 0.45, color="black",
                      linewidth=1.6, label=reference_nom if col == "hommes" else None)  # fmt: skip
    ax.set_yticks(y, [str(t) for t in p["tranche"]])
    ax.set_xlim(-top * 1.3, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{format_number(abs(x))}\u00a0%"))
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    # légende hors du tracé : elle ne masque jamais une barre ni une étiquette
    fig.legend(frameon=False, fontsize=8, loc="outside upper right", ncols=3)
    src = source_line(source, annee, fictif)
    desc = " ; ".join(
        f"{t} : hommes {format_value(share.loc[i, 'hommes'], '%')}, femmes "
        f"{format_value(share.loc[i, 'femmes'], '%')}"
        for i, t in enumerate(p["tranche"])
    )
    alt = f"Pyramide des âges « {titre} » ({annee}), en % de la population : {desc}. {src}."
    if reference is not None and len(reference):
        alt = alt.replace(" : ", f" (contour noir : {reference_nom}) : ", 1)
    return _finish(fig, titre, src, alt)


def distribution_chart(
    values: pd.DataFrame,
    *,
    titre: str,
    unite: str | None,
    selected: str | None = None,
    source: str | None = None,
    annee: object = None,
    fictif: bool = False,
    references: dict[str, float] | None = None,
) -> Figure:
    """Valeur de l'indicateur dans chaque quartier, triée ; le quartier ``selected`` ressort.

    ``values`` : colonnes ``code``, ``nom``, ``valeur``, ``statut``. Le quartier
    sélectionné : vermillon + hachures + nom en gras + flèche. Valeurs non
    disponibles : listées sous le graphique (jamais tracées à 0). ``references`` :
    lignes verticales étiquetées (ex. ``{"France": 14.5}``).
    """
    v = values.copy()
    ok = v["statut"].eq("ok") & v["valeur"].notna()
    shown = v[ok].sort_values("valeur").reset_index(drop=True)
    missing = v[~ok]
    fig = new_figure(8, max(3.2, 0.32 * len(shown) + 1.8))
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    is_sel = shown["code"].eq(selected)
    colors = [HIGHLIGHT if s else NEUTRAL for s in is_sel]
    hatches = ["///" if s else "" for s in is_sel]
    bars = ax.barh(y, shown["valeur"], color=colors, edgecolor="white", height=0.75)
    for bar, h in zip(bars, hatches, strict=True):
        bar.set_hatch(h)
    vmax = float(shown["valeur"].max()) if len(shown) else 1.0
    for i, r in shown.iterrows():
        # fond blanc : la ligne de référence ne traverse pas l'étiquette
        ax.text(r["valeur"] + vmax * 0.01, i, format_value(r["valeur"], unite), va="center",
                fontsize=7.5, fontweight="bold" if is_sel[i] else "normal", color=TEXT,
                bbox=LABEL_BOX, zorder=4)  # fmt: skip
    names = [("▶ " if s else "") + str(n) for n, s in zip(shown["nom"], is_sel, strict=True)]
    ax.set_yticks(y, names, fontsize=8)
    for label, s in zip(ax.get_yticklabels(), is_sel, strict=True):
        if s:
            label.set_fontweight("bold")
    for i, (name, value) in enumerate((references or {}).items()):
        if value is None or pd.isna(value):
            continue
        ax.axvline(value, color="black", linestyle=LINESTYLES[1 + i % 3], linewidth=1)
        ax.text(value, len(shown) - 0.4 + 0.45 * i, f" {name} : {format_value(value, unite)}",
                fontsize=7.5, va="bottom", color=TEXT)  # fmt: skip
    ax.set_xlim(0 if shown["valeur"].min() >= 0 else None, vmax * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # étiquettes en euros lisibles
    ax.xaxis.set_major_formatter(_axis_formatter(unite))
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(facecolor=NEUTRAL, label="Quartiers")] if (~is_sel).any() else []
    if is_sel.any():
        handles.insert(0, Patch(facecolor=HIGHLIGHT, hatch="///", label="Quartier sélectionné"))
    # Légende sous l'axe des valeurs (jamais sur les barres ni sur leurs étiquettes).
    below = ax.transAxes + ScaledTranslation(0, -24 / 72, fig.dpi_scale_trans)
    if handles:  # une entrée de légende n'existe que pour des barres tracées
        ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper right", ncols=2,
                  bbox_to_anchor=(1.0, 0.0), bbox_transform=below)  # fmt: skip
    src = source_line(source, annee, fictif)
    notes = []
    if len(missing):
        notes.append(f"Donnée non disponible : {', '.join(str(n) for n in missing['nom'])}.")
    order = ", ".join(f"{r.nom} {format_value(r.valeur, unite)}" for r in shown.itertuples())
    sel_txt = ""
    if is_sel.any():
        r = shown[is_sel].iloc[0]
        rank_desc = len(shown) - int(np.flatnonzero(is_sel)[0])
        sel_txt = (
            f" Quartier sélectionné : {r['nom']}, {format_value(r['valeur'], unite)}, "
            f"{'1re' if rank_desc == 1 else f'{rank_desc}e'} valeur la plus élevée sur "
            f"{len(shown)}."
        )
    alt = (
        f"Diagramme en barres « {titre} » ({annee}), quartiers du plus bas au plus élevé : "
        f"{order}.{sel_txt}"
        + (
            f" Donnée non disponible : {', '.join(map(str, missing['nom']))}."
            if len(missing)
            else ""
        )
        + f" {src}."
    )
    return _finish(fig, titre, src, alt, notes=notes)


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 150) -> bytes:
    """Contenu de la figure (``png``, ``svg`` ou ``pdf``) pour l'insérer dans un rapport.

    >>> figure_bytes(fig, "svg")[:5]  # doctest: +SKIP
    b'<?xml'
    """
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white")
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path, fmt: str | None = None, dpi: int = 300) -> Path:
    """Enregistre ``fig`` (PNG à ``dpi`` points par pouce, SVG, PDF) de façon atomique."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "png").lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        metadata = {"Title": fig.get_suptitle() or None}
        if fmt == "png":
            metadata = {"Title": fig.get_suptitle(), "Description": alt_text(fig)}
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return path
