"""Raisons d'invalidité des géométries (GEOS) en français, point cité dans la projection du
fichier : degrés pour une projection géographique (WGS84, CRS84), mètres sinon.

Exemple ::

    explain_fr("Ring Self-intersection[-22.5 45.5]", CRS("OGC:CRS84"))
    # "auto-intersection d'un anneau (le contour se touche lui-même en un point) au point
    #  de longitude -22,5°, latitude 45,5° (WGS 84 (CRS84))"
"""

from __future__ import annotations

import re

# Raisons renvoyées par shapely.is_valid_reason / explain_validity (GEOS), sans le point.
REASONS = {
    "self-intersection": "auto-intersection (le contour se croise lui-même)",
    "ring self-intersection": "auto-intersection d'un anneau (le contour se touche lui-même "
    "en un point)",
    "too few points in geometry component": "trop peu de points (un anneau a moins de trois "
    "points distincts)",
    "too few distinct points in geometry component": "trop peu de points distincts (un "
    "anneau a moins de trois points distincts)",
    "too few points": "trop peu de points (un anneau a moins de trois points distincts)",
    "hole lies outside shell": "trou situé hors du contour extérieur",
    "holes are nested": "trous imbriqués l'un dans l'autre",
    "nested shells": "parties imbriquées (une partie du multipolygone est à l'intérieur "
    "d'une autre)",
    "interior is disconnected": "intérieur discontinu (des trous coupent le polygone en morceaux)",
    "duplicate rings": "anneaux en double",
    "ring is not closed": "anneau non fermé (premier et dernier points différents)",
    "invalid coordinate": "coordonnée invalide (infinie ou non numérique)",
    "repeated point": "point répété",
    "topology validation error": "erreur de topologie",
}
_POINT = re.compile(r"^\s*(?P<reason>.*?)\s*\[(?P<x>[^\s\]]+)\s+(?P<y>[^\s\]]+)\]\s*$")


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def crs_label(crs) -> str:
    """Nom lisible d'une projection : « WGS 84 (CRS84) », « RGF93 v1 / Lambert-93, EPSG:2154 »."""
    if crs is None:
        return "projection inconnue"
    name = str(crs.name)
    epsg = crs.to_epsg()
    return f"{name}, EPSG:{epsg}" if epsg and str(epsg) not in name else name


def format_point(x: float, y: float, crs) -> str:
    """Un point dans la projection ``crs`` : degrés (longitude, latitude) ou mètres.

    >>> from pyproj import CRS
    >>> format_point(-22.5, 45.25, CRS("OGC:CRS84"))
    'au point de longitude -22,5°, latitude 45,25° (WGS 84 (CRS84))'
    """
    if crs is not None and crs.is_geographic:
        where = f"de longitude {_number(x, 6)}°, latitude {_number(y, 6)}°"
    else:
        unit = _unit(crs)
        where = f"x = {_number(x, 1)} {unit}, y = {_number(y, 1)} {unit}"
    return f"au point {where} ({crs_label(crs)})"


def _unit(crs) -> str:
    try:
        name = str(crs.axis_info[0].unit_name).lower()
    except (AttributeError, IndexError):
        return "m"
    return "m" if name in ("metre", "meter", "m") else name


def explain_fr(reason: str, crs) -> str:
    """Traduit une raison GEOS (« Ring Self-intersection[x y] ») en français, avec le point
    dans la projection ``crs`` ; une raison inconnue est citée telle quelle."""
    match = _POINT.match(reason or "")
    text = match.group("reason") if match else (reason or "").strip()
    french = REASONS.get(text.lower(), f"raison donnée par GEOS : « {text} »")
    if match:
        try:
            x, y = float(match.group("x")), float(match.group("y"))
        except ValueError:
            return french
        return f"{french} {format_point(x, y, crs)}"
    return french
