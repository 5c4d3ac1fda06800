"""Carte statique pour les présentations (matplotlib) : PNG 300 dpi, SVG, PDF.

Titre, légende des classes (bornes en français) avec le motif « donnée non
disponible » (gris hachuré, jamais la classe la plus basse), ligne « Source : …,
millésime … », barre d'échelle, flèche du nord, étiquettes des quartiers (halo
blanc, déplacées pour éviter les chevauchements, trait de rappel), limites
communales. Les géométries sont tracées en Lambert-93 (EPSG:2154, mètres).

Exemple ::

    fig = static_map(contours, communes, data, classes, titre="Taux de pauvreté (2021)",
                     source="INSEE", annee=2021, fictif=True)
    save_figure(fig, "carte.png")      # 300 dpi
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from matplotlib.patches import FancyArrow, Patch, Rectangle

from observatoire.views.charts import _finish, new_figure, source_line
from observatoire.views.format import format_number
from observatoire.views.palette import HIGHLIGHT, NA_COLOR, NA_EDGE, NA_HATCH, NA_LABEL, Classes

LAMBERT93 = 2154
# fond blanc discret sous les étiquettes (reste du vrai texte dans le SVG et le PDF,
# contrairement à un halo par effet de tracé)
HALO = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


def _nice_length(span_m: float) -> float:
    """Longueur « ronde » (1, 2, 5 × 10ⁿ m) proche du cinquième de ``span_m``."""
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target * 1.5)


def add_scale_bar(ax, length: float | None = None) -> float:
    """Barre d'échelle en bas à gauche (axes en mètres) ; renvoie sa longueur en mètres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = length or _nice_length(x1 - x0)
    h = (y1 - y0) * 0.012
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    half = length / 2
    ax.add_patch(Rectangle((bx, by), half, h, facecolor="black", edgecolor="black", zorder=6))
    ax.add_patch(
        Rectangle((bx + half, by), half, h, facecolor="white", edgecolor="black", zorder=6)
    )
    label = f"{format_number(length / 1000, 0 if length >= 1000 else 1)}\u00a0km"
    if length < 1000:
        label = f"{format_number(length)}\u00a0m"
    for x, text in ((bx, "0"), (bx + length, label)):
        ax.text(x, by + h * 1.8, text, ha="center", va="bottom", fontsize=7, zorder=6, bbox=HALO)
    return length


def add_north_arrow(ax) -> None:
    """Flèche du nord en haut à droite (Lambert-93 : le nord est en haut)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.16
    dy = (y1 - y0) * 0.08
    ax.add_patch(FancyArrow(x, y, 0, dy, width=(x1 - x0) * 0.008, head_width=(x1 - x0) * 0.025,
                            head_length=dy * 0.4, length_includes_head=True, color="black",
                            zorder=6))  # fmt: skip
    ax.text(x, y + dy * 1.05, "N", ha="center", va="bottom", fontsize=10, fontweight="bold",
            zorder=6)  # fmt: skip


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(b) for b in boxes)


def place_labels(ax, points: list[tuple[float, float, str]], fontsize: float = 7) -> int:
    """Pose les étiquettes en évitant les chevauchements ; renvoie le nombre déplacées.

    Chaque étiquette est essayée au point, puis autour (8 directions, 2 distances) ;
    si elle a été déplacée, un trait de rappel la relie à son quartier.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed = []
    moved = 0
    offsets = [(0, 0)] + [
        (r * math.cos(a), r * math.sin(a))
        for r in (14, 26)
        for a in (math.pi / 2, -math.pi / 2, 0, math.pi, math.pi / 4, -math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4)
    ]  # fmt: skip
    for x, y, text in points:
        best = None
        for dx, dy in offsets:
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                            ha="center", va="center", fontsize=fontsize, zorder=7,
                            bbox=HALO)  # fmt: skip
            box = t.get_window_extent(renderer).expanded(1.08, 1.4)
            if not _overlaps(box, placed):
                best = (t, box, (dx, dy))
                break
            t.remove()
        if best is None:  # aucune place libre : position au point, taille réduite
            t = ax.annotate(text, (x, y), ha="center", va="center", fontsize=fontsize * 0.85,
                            zorder=7, bbox=HALO)  # fmt: skip
            best = (t, t.get_window_extent(renderer), (0, 0))
        t, box, (dx, dy) = best
        if (dx, dy) != (0, 0):
            moved += 1
            t.remove()
            ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="center",
                        va="center", fontsize=fontsize, zorder=7, bbox=HALO,
                        arrowprops={"arrowstyle": "-", "color": "#444444", "linewidth": 0.6,
                                    "shrinkA": 0, "shrinkB": 0})  # fmt: skip
        placed.append(box)
    return moved


def static_map(
    contours: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    data: pd.DataFrame,
    classes: Classes,
    *,
    titre: str,
    source: str | None = None,
    annee: object = None,
    fictif: bool = False,
    etiquettes: bool = True,
    surligner: str | None = None,
    width: float = 9.0,
    height: float = 7.5,
):
    """Choroplèthe des quartiers ; ``data`` : colonnes ``code``, ``nom``, ``valeur``, ``statut``.

    Renvoie une figure matplotlib dont :func:`observatoire.views.charts.alt_text`
    donne la description (classes et valeurs de chaque quartier).
    """
    gdf = contours.to_crs(LAMBERT93) if contours.crs else contours
    drop = ["nom"] if "nom" in gdf and "nom" in data else []
    gdf = gdf.merge(data.drop(columns=drop), on="code", how="left")
    gdf["statut"] = gdf["statut"].fillna("absent")
    ok = gdf["statut"].eq("ok") & gdf["valeur"].notna()
    gdf["_color"] = [
        classes.color_of(v) if k else NA_COLOR for v, k in zip(gdf["valeur"], ok, strict=True)
    ]
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    if communes is not None and len(communes):
        com = communes.to_crs(LAMBERT93) if communes.crs else communes
        com.plot(ax=ax, facecolor="#f7f7f7", edgecolor="none", zorder=1)
    if ok.any():
        gdf[ok].plot(
            ax=ax, color=gdf.loc[ok, "_color"], edgecolor="#333333", linewidth=0.6, zorder=3
        )
    if (~ok).any():
        gdf[~ok].plot(ax=ax, facecolor=NA_COLOR, edgecolor=NA_EDGE, hatch=NA_HATCH,
                      linewidth=0.6, zorder=3)  # fmt: skip
    if communes is not None and len(communes):
        com.boundary.plot(ax=ax, color="#222222", linewidth=1.1, linestyle="--", zorder=4)
    if surligner is not None and (gdf["code"] == surligner).any():
        gdf[gdf["code"] == surligner].boundary.plot(ax=ax, color=HIGHLIGHT, linewidth=2.4, zorder=5)
    minx, miny, maxx, maxy = (
        pd.concat([gdf.geometry, com.geometry])
        if communes is not None and len(communes)
        else gdf.geometry
    ).total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.06
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad * 1.5, maxy + pad)
    ax.set_axis_off()
    handles = [
        Patch(facecolor=c, edgecolor="#333333", label=f"{lab} ({n})")
        for c, lab, n in zip(
            classes.colors, classes.labels, classes.counts or [0] * classes.k, strict=True
        )
    ]
    n_na = int((~ok).sum())
    handles.append(
        Patch(facecolor=NA_COLOR, edgecolor=NA_EDGE, hatch=NA_HATCH, label=f"{NA_LABEL} ({n_na})")
    )
    if communes is not None and len(communes):
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color="#222222", linestyle="--", label="limite communale"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              fontsize=8, title=f"Classes ({classes.methode})\n(nombre de quartiers)",
              title_fontsize=8, alignment="left")  # fmt: skip
    add_scale_bar(ax)
    add_north_arrow(ax)
    src = source_line(source, annee, fictif)
    per_class = "; ".join(
        f"{lab} : {', '.join(gdf.loc[ok & (gdf['_color'] == c), 'nom'].astype(str)) or 'aucun'}"
        for c, lab in zip(classes.colors, classes.labels, strict=True)
    )
    missing = ", ".join(gdf.loc[~ok, "nom"].astype(str)) or "aucun"
    alt = (
        f"Carte « {titre} » des {len(gdf)} quartiers, classes par {classes.methode} "
        f"(du plus clair au plus foncé) : {per_class} ; {NA_LABEL} (gris hachuré) : {missing}. "
        f"Limites communales en tirets. {src}."
    )
    if surligner is not None and (gdf["code"] == surligner).any():
        name = gdf.loc[gdf["code"] == surligner, "nom"].iloc[0]
        alt = alt.replace(
            " Limites", f" Quartier mis en évidence (contour vermillon) : {name}. Limites"
        )
    fig = _finish(fig, titre, src, alt)
    if etiquettes:
        # mise en page figée d'abord : sinon elle déplacerait les étiquettes après coup
        fig.canvas.draw()
        fig.canvas.draw()  # la mise en page contrainte converge en deux passes
        fig.set_layout_engine("none")
        pts = gdf.geometry.representative_point()
        order = gdf.assign(_a=gdf.geometry.area).sort_values("_a", ascending=False).index
        names = gdf["nom"] if "nom" in gdf else gdf["code"]
        place_labels(ax, [(pts[i].x, pts[i].y, str(names[i])) for i in order])
    return fig
