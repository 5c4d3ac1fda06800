"""Échelle des cartes : cadrage d'un quartier dans sa commune, symboles des petits quartiers.

À l'échelle d'une région (≈ 35 km² de quartiers sur ≈ 72 000 km²), un polygone de
quartier fait moins d'un pixel : la carte montre alors des **cercles gradués** au
centre des quartiers (couleur *et* taille croissant avec la classe, jamais la couleur
seule), et les polygones quand on zoome. Un tableau de bord cadre son quartier et sa
ou ses communes, avec les quartiers voisins pour contexte.

Exemple ::

    frame = focus_frame(contours_l93, communes_l93, "QN00001A", ["00101"])
    near = contours_l93[contours_l93.intersects(box(*grow(frame, 1.5)))]
    needs_symbols(contours_l93)     # True à l'échelle régionale
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np

LAMBERT93 = 2154
# un quartier dont la taille médiane est sous ce rapport à l'étendue de la carte
# (≈ 10 px sur une carte de 900 px) est représenté par un symbole
SYMBOL_RATIO = 0.012
MIN_FRAME_M = 3_000.0  # un cadrage de tableau de bord couvre au moins 3 km
SWITCH_PX = 14.0  # taille à l'écran d'un quartier au-delà de laquelle on montre son contour

Bounds = tuple[float, float, float, float]


def lambert(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copie en Lambert-93 (mètres) ; une table sans CRS est supposée déjà en Lambert-93."""
    return gdf.to_crs(LAMBERT93) if gdf.crs is not None else gdf


def quartier_size(gdf_l93: gpd.GeoDataFrame) -> float:
    """Taille médiane d'un quartier (côté du carré de même surface), en mètres."""
    areas = gdf_l93.geometry.area.to_numpy(dtype=float)
    areas = areas[np.isfinite(areas) & (areas > 0)]
    return float(math.sqrt(np.median(areas))) if len(areas) else 0.0


def span(bounds: Bounds) -> float:
    """Plus grande dimension d'une emprise."""
    minx, miny, maxx, maxy = bounds
    return max(maxx - minx, maxy - miny)


def needs_symbols(gdf_l93: gpd.GeoDataFrame, bounds: Bounds | None = None) -> bool:
    """Les quartiers sont-ils trop petits face à l'emprise de la carte pour être vus ?"""
    if gdf_l93.empty:
        return False
    extent = span(bounds if bounds is not None else tuple(gdf_l93.total_bounds))
    size = quartier_size(gdf_l93)
    return extent > 0 and size / extent < SYMBOL_RATIO


def switch_zoom(gdf_l93: gpd.GeoDataFrame) -> int:
    """Niveau de zoom Leaflet où un quartier médian atteint :data:`SWITCH_PX` pixels."""
    size = max(quartier_size(gdf_l93), 1.0)
    centres = gdf_l93.geometry.representative_point()
    lat = float(centres.to_crs(4326).y.median()) if gdf_l93.crs else 46.0
    metres_per_px_z0 = 156_543.03 * math.cos(math.radians(lat))
    return max(1, min(18, math.ceil(math.log2(metres_per_px_z0 * SWITCH_PX / size))))


def grow(bounds: Bounds, factor: float, minimum: float = 0.0) -> Bounds:
    """Emprise agrandie de ``factor`` autour de son centre, d'au moins ``minimum`` de côté."""
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hw = max((maxx - minx) * factor, minimum) / 2
    hh = max((maxy - miny) * factor, minimum) / 2
    return (cx - hw, cy - hh, cx + hw, cy + hh)


def focus_frame(
    contours_l93: gpd.GeoDataFrame,
    communes_l93: gpd.GeoDataFrame | None,
    code: str,
    communes: Iterable[str] = (),
) -> Bounds | None:
    """Emprise (Lambert-93) du quartier ``code`` et de sa ou ses communes, avec une marge.

    Sans contour de commune, le quartier est cadré sur au moins :data:`MIN_FRAME_M`.
    ``None`` si le quartier n'a pas de contour.
    """
    mine = contours_l93[contours_l93["code"] == code]
    if mine.empty:
        return None
    geoms = list(mine.geometry)
    wanted = set(communes)
    if communes_l93 is not None and len(communes_l93) and wanted:
        geoms += list(communes_l93.loc[communes_l93["code"].isin(wanted), "geometry"])
    bounds = gpd.GeoSeries(geoms, crs=contours_l93.crs).total_bounds
    return grow(tuple(float(b) for b in bounds), 1.1, MIN_FRAME_M)


def symbol_radius(index: int) -> float:
    """Rayon (px) du cercle de la classe ``index`` (0 = plus basse ; -1 = non disponible)."""
    return 6.0 if index < 0 else 5.0 + 2.0 * index
