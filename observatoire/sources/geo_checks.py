"""Contrôles des fichiers de contours avant usage : couches, projection, étendue.

- un zip ou un GeoPackage à plusieurs couches exige ``couche = "…"`` (jamais la
  première prise en silence) ;
- une projection locale (``LOCAL_CS``, repère de chantier) ne se convertit pas en
  Lambert-93 : refusée, avec la correction à déclarer (``crs = "EPSG:2154"``) ;
- un contour d'étendue invraisemblable (un quartier de 18 000 km de large, qui
  traverse l'antiméridien) est refusé, l'étendue mesurée en degrés (WGS84).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from observatoire.errors import ProblemCollector

if TYPE_CHECKING:
    import geopandas as gpd

# Étendue maximale plausible d'une entité, en degrés de latitude (≈ 111 km par degré)
MAX_EXTENT_DEGREES = {"qpv": 0.5, "commune": 3.0}
MULTI_LAYER_SUFFIXES = (".gpkg", ".zip")


def pick_layer(path: Path, problems: ProblemCollector) -> str | None:
    """Seule couche géographique d'un GeoPackage ou d'un zip ; refus s'il y en a plusieurs."""
    import pyogrio

    try:
        layers = [str(name) for name, geom in pyogrio.list_layers(path) if geom]
    except (pyogrio.errors.DataSourceError, OSError):
        return None  # illisible : la lecture le dira avec son message
    if len(layers) <= 1:
        return layers[0] if layers else None
    kind = "le zip contient plusieurs Shapefile" if path.suffix.lower() == ".zip" else (
        "le GeoPackage contient plusieurs couches"
    )  # fmt: skip
    problems.add(
        kind,
        found=", ".join(layers),
        expected=f'la couche à lire dans la configuration : couche = "{layers[0]}"',
    )
    problems.raise_if_any()
    return None


def check_convertible(gdf: gpd.GeoDataFrame, problems: ProblemCollector) -> None:
    """Refuse une projection qui ne se convertit pas en Lambert-93 (ex. ``LOCAL_CS``)."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError, ProjError

    crs = gdf.crs
    try:
        ok = crs.is_geographic or crs.is_projected
        if ok:
            Transformer.from_crs(crs, CRS.from_epsg(2154), always_xy=True)
    except (CRSError, ProjError, RuntimeError):
        ok = False
    if not ok:
        problems.add(
            "projection locale ou inconnue, impossible à convertir en Lambert-93",
            found=(crs.name or crs.to_string())[:120],
            expected="la vraie projection des coordonnées dans la configuration, ex. crs = "
            '"EPSG:2154" (Lambert-93) ou crs = "EPSG:4326"',
        )
        problems.raise_if_any()


def check_extents(
    gdf: gpd.GeoDataFrame, codes: list[str], level: str, problems: ProblemCollector
) -> None:
    """Refuse chaque entité plus étendue que :data:`MAX_EXTENT_DEGREES` (en WGS84)."""
    import numpy as np
    import shapely

    limit = MAX_EXTENT_DEGREES[level]
    geoms = gdf.geometry
    try:
        wgs = geoms.to_crs("EPSG:4326").values if not gdf.crs.is_geographic else geoms.values
    except Exception:  # noqa: BLE001 - projection déjà contrôlée ; rien à mesurer
        return
    bounds = shapely.bounds(np.asarray(wgs))
    for i, (minx, miny, maxx, maxy) in enumerate(bounds):
        if any(math.isnan(v) for v in (minx, miny, maxx, maxy)):
            continue
        width = (maxx - minx) * math.cos(math.radians((miny + maxy) / 2))
        if max(width, maxy - miny) <= limit:
            continue
        km = max(width, maxy - miny) * 111.2
        what = "quartier" if level == "qpv" else "commune"
        problems.add(
            f"entité n° {i + 1} ({codes[i] or 'sans code'}) : étendue invraisemblable pour "
            f"un contour de {what} (≈ {_km(km)} km de large)"
            + (" ; il traverse sans doute l'antiméridien" if maxx - minx > 180 else ""),
            column="geometry",
            found=f"longitudes {minx:.2f} à {maxx:.2f}, latitudes {miny:.2f} à {maxy:.2f}",
            expected=f"un contour de moins de {_km(limit * 111.2)} km de large",
        )


def _km(value: float) -> str:
    return f"{round(value):,}".replace(",", "\u202f")
