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
import textwrap

import geopandas as gpd
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

from observatoire.views.charts import _finish, new_figure, source_line
from observatoire.views.format import format_number
from observatoire.views.maps_scale import Bounds, needs_symbols, symbol_radius
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


def _inside(box, frame) -> bool:
    return box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1


DIRECTIONS = (0, math.pi, math.pi / 2, -math.pi / 2, math.pi / 4, -math.pi / 4,
              3 * math.pi / 4, -3 * math.pi / 4)  # fmt: skip


def place_labels(
    ax,
    points: list[tuple[float, float, str]],
    fontsize: float = 7,
    obstacles: list | None = None,
    shapes: list | None = None,
) -> tuple[int, list[str]]:
    """Pose les étiquettes sans chevauchement ; renvoie (nombre déplacées, noms omis).

    Placement glouton, dans l'ordre donné : chaque étiquette est essayée sur son quartier
    si elle y tient, puis autour (8 directions, 4 distances). Elle doit tenir dans le
    cadre de la carte sans toucher une étiquette déjà posée, un ``obstacle`` (boîtes en
    pixels : légende, échelle, flèche du nord) ni un quartier trop petit pour porter son
    nom (``shapes`` : boîte en pixels du dessin de chaque quartier, symbole ou contour).
    Déplacée, un trait de rappel la relie à son quartier ; sans place libre, elle est
    omise (et nommée dans la note de la carte).
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    shapes = shapes or [None] * len(points)
    placed = list(obstacles or [])
    moved, dropped = 0, []
    around = [(r * math.cos(a), r * math.sin(a)) for r in (12, 22, 34, 48) for a in DIRECTIONS]
    probes = []
    for (x, y, text), shape in zip(points, shapes, strict=True):
        t = ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, bbox=HALO)
        own = t.get_window_extent(renderer).expanded(1.06, 1.3)
        t.remove()
        fits = shape is not None and own.width <= shape.width and own.height <= shape.height
        probes.append(fits)
        if shape is not None and not fits:
            placed.append(shape)  # petit quartier : son dessin reste visible
    for (x, y, text), fits in zip(points, probes, strict=True):
        best = None
        for dx, dy in [(0.0, 0.0), *around] if fits else around:
            ha = "center" if abs(dx) < 1 else ("left" if dx > 0 else "right")
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                            ha=ha, va="center", fontsize=fontsize, zorder=7,
                            bbox=HALO)  # fmt: skip
            box = t.get_window_extent(renderer).expanded(1.06, 1.3)
            if _inside(box, frame) and not _overlaps(box, placed):
                best = (t, box, (dx, dy), ha)
                break
            t.remove()
        if best is None:
            dropped.append(text)
            continue
        t, box, (dx, dy), ha = best
        if math.hypot(dx, dy) > 12:
            moved += 1
            t.remove()
            ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                        va="center", fontsize=fontsize, zorder=7, bbox=HALO,
                        arrowprops={"arrowstyle": "-", "color": "#444444", "linewidth": 0.6,
                                    "shrinkA": 0, "shrinkB": 0})  # fmt: skip
        placed.append(box)
    return moved, dropped


def _shape_boxes(ax, gdf: gpd.GeoDataFrame, order: list, symboles: bool) -> list:
    """Boîte en pixels du dessin de chaque quartier (cercle ou contour), dans ``order``."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    pts = gdf.geometry.representative_point()
    boxes = []
    for i in order:
        if symboles:
            cx, cy = ax.transData.transform((pts[i].x, pts[i].y))
            index = gdf.at[i, "_classe"]
            r = symbol_radius(index) * 0.75 * fig.dpi / 72 + 1
            boxes.append(Bbox([[cx - r, cy - r], [cx + r, cy + r]]))
        else:
            minx, miny, maxx, maxy = gdf.geometry[i].bounds
            boxes.append(Bbox(ax.transData.transform([(minx, miny), (maxx, maxy)])))
    return boxes


def _obstacles(ax) -> list:
    """Boîtes (pixels) que les étiquettes ne doivent pas couvrir : légende, échelle, nord."""
    renderer = ax.figure.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in (*ax.texts, *ax.patches)]
    legend = ax.get_legend()
    if legend is not None:
        boxes.append(legend.get_window_extent(renderer))
    return [b.expanded(1.05, 1.1) for b in boxes]


def _note_dropped(ax, dropped: list[str]) -> None:
    """Note sous la légende : étiquettes omises faute de place."""
    if not dropped:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend()
    shown = ", ".join(dropped[:6]) + (", …" if len(dropped) > 6 else "")
    text = f"{len(dropped)} étiquette(s) omise(s) faute de place : {shown}."
    lb = legend.get_window_extent(renderer).transformed(fig.transFigure.inverted())
    width = max(20, int((1 - lb.x0) * fig.get_figwidth() * 72 / 4.6))
    fig.text(lb.x0 + 0.005, lb.y0 - 0.01, "\n".join(textwrap.wrap(text, width)), fontsize=7,
             color="#333333", ha="left", va="top")  # fmt: skip


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
    cadre: Bounds | None = None,
    symboles: bool | None = None,
):
    """Choroplèthe des quartiers ; ``data`` : colonnes ``code``, ``nom``, ``valeur``, ``statut``.

    ``cadre`` : emprise en Lambert-93 (par défaut : quartiers et communes) ;
    ``symboles`` : cercles gradués aux centres des quartiers (par défaut, quand ils sont
    trop petits face à l'emprise : échelle régionale).
    Renvoie une figure matplotlib dont :func:`observatoire.views.charts.alt_text`
    donne la description (classes et valeurs de chaque quartier).
    """
    gdf = contours.to_crs(LAMBERT93) if contours.crs else contours
    drop = ["nom"] if "nom" in gdf and "nom" in data else []
    gdf = gdf.merge(data.drop(columns=drop), on="code", how="left")
    gdf["statut"] = gdf["statut"].fillna("absent")
    ok = gdf["statut"].eq("ok") & gdf["valeur"].notna()
    gdf["_classe"] = [
        classes.index_of(v) if k else -1 for v, k in zip(gdf["valeur"], ok, strict=True)
    ]
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
        cadre
        or (
            pd.concat([gdf.geometry, com.geometry])
            if communes is not None and len(communes)
            else gdf.geometry
        ).total_bounds
    )
    if symboles is None:
        symboles = needs_symbols(gdf, (minx, miny, maxx, maxy))
    if symboles:
        _draw_symbols(ax, gdf, classes, surligner)
    pad = max(maxx - minx, maxy - miny) * (0.02 if cadre else 0.06)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad * 1.5, maxy + pad)
    ax.set_axis_off()
    n_na = int((~ok).sum())
    handles = _legend_handles(classes, n_na, symboles)
    if communes is not None and len(communes):
        handles.append(Line2D([], [], color="#222222", linestyle="--", label="limite communale"))
    title = f"Classes ({classes.methode})\n(nombre de quartiers)"
    if symboles:
        title += "\ncercle au centre du quartier,\nplus grand si la classe est haute"
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              fontsize=8, title=title, title_fontsize=8, alignment="left")  # fmt: skip
    add_scale_bar(ax)
    add_north_arrow(ax)
    src = source_line(source, annee, fictif)
    per_class = "; ".join(
        f"{lab} : {', '.join(gdf.loc[ok & (gdf['_color'] == c), 'nom'].astype(str)) or 'aucun'}"
        for c, lab in zip(classes.colors, classes.labels, strict=True)
    )
    missing = ", ".join(gdf.loc[~ok, "nom"].astype(str)) or "aucun"
    alt = (
        f"Carte « {titre} » "
        + (f"des {len(gdf)} quartiers" if len(gdf) > 1 else "d'un quartier")
        + f", classes par {classes.methode} "
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
        if surligner is not None:  # le quartier du tableau de bord d'abord
            order = sorted(order, key=lambda i: gdf.at[i, "code"] != surligner)
        names = gdf["nom"] if "nom" in gdf else gdf["code"]
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        shown = [i for i in order if x0 <= pts[i].x <= x1 and y0 <= pts[i].y <= y1]
        points = [(pts[i].x, pts[i].y, str(names[i])) for i in shown]
        shapes = _shape_boxes(ax, gdf, shown, symboles)
        _moved, dropped = place_labels(ax, points, obstacles=_obstacles(ax), shapes=shapes)
        _note_dropped(ax, dropped)
        if dropped:
            fig.observatoire_alt += (  # type: ignore[attr-defined]
                f" Étiquettes omises faute de place : {', '.join(dropped)}."
            )
    return fig


def _draw_symbols(ax, gdf: gpd.GeoDataFrame, classes: Classes, surligner) -> None:
    """Cercles gradués (couleur et taille de la classe) aux centres des quartiers."""
    pts = gdf.geometry.representative_point()
    for i in gdf.sort_values("_classe", ascending=False).index:  # petits cercles par-dessus
        index = int(gdf.at[i, "_classe"])
        size = (2 * symbol_radius(index) * 0.75) ** 2  # px → points, aire du marqueur
        edge = HIGHLIGHT if gdf.at[i, "code"] == surligner else "#333333"
        face = classes.colors[index] if index >= 0 else NA_COLOR
        ax.scatter([pts[i].x], [pts[i].y], s=size, c=[face], edgecolors=edge, zorder=5,
                   gid="obs-symbole",
                   linewidths=2.0 if edge == HIGHLIGHT else 0.6,
                   hatch=NA_HATCH if index < 0 else None)  # fmt: skip


def _legend_handles(classes: Classes, n_na: int, symboles: bool) -> list:
    counts = classes.counts or [0] * classes.k
    if not symboles:
        handles = [
            Patch(facecolor=c, edgecolor="#333333", label=f"{lab} ({n})")
            for c, lab, n in zip(classes.colors, classes.labels, counts, strict=True)
        ]
        na = f"{NA_LABEL} ({n_na})"
        return [*handles, Patch(facecolor=NA_COLOR, edgecolor=NA_EDGE, hatch=NA_HATCH, label=na)]
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=2 * symbol_radius(i) * 0.75,
               markerfacecolor=c, markeredgecolor="#333333", label=f"{lab} ({n})")
        for i, (c, lab, n) in enumerate(zip(classes.colors, classes.labels, counts, strict=True))
    ]  # fmt: skip
    handles.append(Line2D([], [], linestyle="none", marker="o", markerfacecolor=NA_COLOR,
                          markersize=2 * symbol_radius(-1) * 0.75, markeredgecolor=NA_EDGE,
                          label=f"{NA_LABEL} ({n_na})"))  # fmt: skip
    return handles
