"""Données de l'atlas : valeurs, classes, rangs et contours simplifiés de tous les quartiers.

Tout vient de ``obs.indicateurs`` (mêmes valeurs que les cartes des rapports :
``_map_data``, mêmes classes : :func:`observatoire.views.palette.classify`, mêmes
rangs : ``rangs()``, mêmes sources : :func:`observatoire.publish.credits.figure_source`).
Les textes sont mis en forme ici, à la française (:func:`format_value`) : la page ne
fait qu'afficher.

Format compact (une liste par indicateur × millésime, alignée sur l'ordre des
quartiers) ; coordonnées en 1e-5 degré, entiers codés en différences ::

    payload = atlas_payload(obs, classes=5, methode="jenks", links={"QN00001A": "../q.html"})
    payload["indicateurs"][0]["annees"]["2021"]["t"][:2]   # ['43,9 %', 'secret statistique']
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from observatoire.publish.credits import figure_source
from observatoire.views.format import STATUS_LABELS, format_value
from observatoire.views.maps_scale import lambert, needs_symbols, switch_zoom, symbol_radius
from observatoire.views.palette import HIGHLIGHT, NA_COLOR, NA_LABEL, classify

SCALE = 100_000  # coordonnées en 1e-5 degré (≈ 1 m)
SIMPLIFY_M = 10.0  # tolérance de simplification des contours de quartiers (mètres)
SIMPLIFY_COMMUNES_M = 40.0


def _encode_ring(coords: np.ndarray) -> list[int]:
    """Anneau (lon, lat) → ``[x0, y0, dx1, dy1, …]`` en entiers de 1e-5 degré."""
    pts = np.round(np.asarray(coords)[:, :2] * SCALE).astype(np.int64)
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)  # points confondus après arrondi
    pts = pts[keep]
    if len(pts) > 1 and (pts[0] == pts[-1]).all():
        pts = pts[:-1]  # anneau fermé implicitement (Leaflet referme)
    deltas = np.vstack([pts[:1], np.diff(pts, axis=0)])
    return deltas.ravel().tolist()


def _encode_geometry(geom: Any) -> list[list[list[int]]]:
    """(Multi)polygone → liste de polygones, chacun liste d'anneaux codés."""
    if geom is None or geom.is_empty:
        return []
    polygons = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    out = []
    for poly in polygons:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = [poly.exterior, *poly.interiors]
        encoded = [_encode_ring(np.asarray(r.coords)) for r in rings]
        encoded = [r for r in encoded if len(r) >= 6]  # au moins trois sommets
        if encoded:
            out.append(encoded)
    return out


def simplified(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoSeries:
    """Contours simplifiés en Lambert-93 (``tolerance`` mètres), renvoyés en WGS84."""
    l93 = lambert(gdf)
    geoms = l93.geometry.simplify(tolerance, preserve_topology=True)
    # un quartier minuscule ne disparaît jamais : sa forme d'origine est gardée
    geoms = geoms.where(~(geoms.is_empty | geoms.isna()), l93.geometry)
    return gpd.GeoSeries(geoms, crs=l93.crs).to_crs(4326)


def geography(obs: Any, codes: list[str]) -> dict[str, Any]:
    """Contours, centres, communes et emprise des quartiers ``codes`` (codés)."""
    c = obs.contours
    gen = obs.config.territoire.generation
    c = c[((c["generation"] == gen) | c["code"].isin(codes)) & c["code"].isin(codes)]
    c = c.drop_duplicates("code")
    shapes: dict[str, Any] = {}
    centres: dict[str, list[int]] = {}
    symbols, zoom = False, 0
    bounds = None
    if len(c):
        l93 = lambert(c)
        geoms = simplified(c, SIMPLIFY_M)
        points = gpd.GeoSeries(l93.geometry.representative_point(), crs=l93.crs).to_crs(4326)
        for code, geom, pt in zip(c["code"], geoms, points, strict=True):
            shapes[code] = _encode_geometry(geom)
            if pt is not None and not pt.is_empty:  # contour vide : ni forme ni centre
                centres[code] = [round(pt.x * SCALE), round(pt.y * SCALE)]
        symbols = needs_symbols(l93)
        zoom = switch_zoom(l93) if symbols else 0
        minx, miny, maxx, maxy = (float(b) for b in c.to_crs(4326).total_bounds)
        bounds = [[round(miny, 5), round(minx, 5)], [round(maxy, 5), round(maxx, 5)]]
    communes = []
    com = obs.communes_contours
    if com is not None and len(com):
        for geom in simplified(com, SIMPLIFY_COMMUNES_M):
            communes.extend(_encode_geometry(geom))
    return {
        "formes": [shapes.get(code, []) for code in codes],
        "centres": [centres.get(code) for code in codes],
        "communes": communes,
        "symboles": bool(symbols),
        "zoom_contours": int(zoom),
        "emprise": bounds,
        "rayons": [symbol_radius(i) for i in range(-1, 9)],
    }


def _ranks(api: Any) -> dict[tuple[str, int], pd.DataFrame]:
    r = api.rangs()
    if r.empty:
        return {}
    return {(str(i), int(a)): g for (i, a), g in r.groupby(["indicateur", "annee"], sort=False)}


def indicator_list(obs: Any) -> list[dict[str, Any]]:
    """Indicateurs du catalogue qui ont des valeurs de quartiers, avec leurs millésimes."""
    api = obs.indicateurs
    out = []
    for row in obs.catalogue.to_dict("records"):
        years = api._years_of(str(row["id"]))
        if years:
            out.append({**row, "annees_disponibles": [int(y) for y in years]})
    return out


def _text(value: Any) -> str:
    """Texte déclaré sans ``None`` ni ``nan``."""
    if value is None or (
        not isinstance(value, str) and bool(np.ndim(value) == 0 and pd.isna(value))
    ):
        return ""
    return str(value)


def _unit(value: Any) -> str | None:
    text = _text(value)
    return text or None


def _rank_list(rank_frame: pd.DataFrame | None, codes: list[str]) -> tuple[list[int | None], str]:
    """Rang de chaque quartier (``None`` : non classé) et sens du rang.

    Les ex æquo (rang « min ») partagent leur rang : la page les reconnaît à un rang répété."""
    ranks: list[int | None] = [None] * len(codes)
    if rank_frame is None or rank_frame.empty:
        return ranks, ""
    pos = {c: i for i, c in enumerate(codes)}
    for code, rang in zip(rank_frame["code"], rank_frame["rang"], strict=True):
        i = pos.get(code)
        if i is not None and not pd.isna(rang):
            ranks[i] = int(rang)
    return ranks, _text(rank_frame["sens"].iloc[0])


def year_entry(
    obs: Any, indicateur: str, annee: int, unite: str | None, classes: int, methode: str,
    rank_frame: pd.DataFrame | None,
) -> dict[str, Any]:  # fmt: skip
    """Textes, classes, rangs et source d'un indicateur × millésime, dans l'ordre des quartiers."""
    codes = obs.indicateurs.codes
    data = obs.indicateurs._map_data(indicateur, annee).drop_duplicates("code")
    data = data.set_index("code").reindex(codes)
    data["statut"] = data["statut"].fillna("absent")
    ok = (data["statut"].eq("ok") & data["valeur"].notna()).to_numpy()
    values = data["valeur"].to_numpy(dtype=float)
    cls = classify(pd.Series(values[ok]), classes, methode, unite)
    ranks, sens = _rank_list(rank_frame, codes)
    return {
        "t": [format_value(v, unite, s) for v, s in zip(values, data["statut"], strict=True)],
        "k": [cls.index_of(v) if good else -1 for v, good in zip(values, ok, strict=True)],
        "r": ranks,
        "sens": sens,
        "source": "Source : " + figure_source(obs, indicateur, int(annee)),
        "classes": {
            "libelles": cls.labels,
            "couleurs": cls.colors,
            "effectifs": cls.counts,
            "methode": cls.methode,
        },  # fmt: skip
        "n_na": int((~ok).sum()),
        "n_secret": int(data["statut"].eq("secret").sum()),
    }


def atlas_payload(
    obs: Any,
    classes: int = 5,
    methode: str = "jenks",
    links: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Tout ce que la page affiche, prêt à sérialiser en JSON."""
    api = obs.indicateurs
    codes = api.codes
    links = links or {}
    ranks = _ranks(api)
    indicators = []
    for ind in indicator_list(obs):
        unite = _unit(ind.get("unite"))
        years = {
            str(y): year_entry(
                obs, ind["id"], y, unite, classes, methode, ranks.get((ind["id"], y))
            )
            for y in ind["annees_disponibles"]
        }
        indicators.append({
            "id": ind["id"], "libelle": _text(ind.get("libelle")) or ind["id"],
            "unite": unite or "", "theme": _text(ind.get("theme")) or "Autres indicateurs",
            "definition": _text(ind.get("definition")), "annees": years,
        })  # fmt: skip
    ids = [i["id"] for i in indicators]
    default = "taux_pauvrete" if "taux_pauvrete" in ids else (ids[0] if ids else None)
    default_year = max(indicators[ids.index(default)]["annees"], key=int) if default else None
    return {
        "quartiers": [{"code": c, "nom": api.nom(c), "lien": links.get(c)} for c in codes],
        "indicateurs": indicators,
        "defaut": {"indicateur": default, "annee": default_year},
        "libelles": {"na": NA_LABEL, "secret": STATUS_LABELS["secret"]},
        "couleurs": {"na": NA_COLOR, "surligne": HIGHLIGHT},
        "geo": geography(obs, codes),
    }
