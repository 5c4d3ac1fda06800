"""Adaptateurs de contours : QPV (``contours``) et communes (``communes_contours``).

GeoJSON, Shapefile, GeoPackage (et GeoParquet) lus avec geopandas + pyogrio ; toute
projection est reprojetée en Lambert-93 (EPSG:2154). Un fichier sans projection est
refusé, sauf si la configuration la donne (``crs = "EPSG:2154"``). Les géométries
invalides (auto-intersections) sont réparées avec un avertissement ; une géométrie
vide est une erreur. Les noms de propriétés des deux générations et de leurs
rediffuseurs sont reconnus (``code_qp``/``CODE_QP``/``Code_QP``, ``nom_qp``/``lib_qp``…).

Exemple (``observatoire.toml``) ::

    [sources.contours_2024]
    type = "contours"
    fichier = "geographie/contours_qpv_2024.geojson"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import InputError, ProblemCollector
from observatoire.sources.common import code_expected, split_list
from observatoire.sources.geo_checks import (
    MULTI_LAYER_SUFFIXES,
    check_convertible,
    check_extents,
    pick_layer,
)
from observatoire.sources.geometry_reasons import crs_label, explain_fr
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.tabular import guess_column, normalise_label
from observatoire.sources.values import parse_code

if TYPE_CHECKING:
    import geopandas as gpd

TARGET_CRS = "EPSG:2154"
CONTOUR_COLUMNS = {
    "code": ["code_qp", "code_qpv", "codeqp", "code_quartier", "qp", "code"],
    "nom": ["nom_qp", "lib_qp", "nom_qpv", "lib_qpv", "libelle_qp", "nom", "libelle"],
    "communes": ["insee_com", "code_insee", "codes_communes", "insee_coms", "depcom"],
}
COMMUNE_COLUMNS = {
    "code": ["insee_com", "code_insee", "codgeo", "code_commune", "insee", "code", "com"],
    "nom": ["nom", "nom_com", "lib_com", "libgeo", "nom_commune", "libelle"],
}
GEO_FORMATS = {".geojson", ".json", ".shp", ".gpkg", ".parquet", ".geoparquet", ".zip"}


def read_geo(source: SourceConfig, problems: ProblemCollector) -> gpd.GeoDataFrame:
    """Lit un fichier géographique et le renvoie en EPSG:2154 (ou lève InputError)."""
    return read_geo_native(source, problems).to_crs(TARGET_CRS)


def read_geo_native(source: SourceConfig, problems: ProblemCollector) -> gpd.GeoDataFrame:
    """Lit un fichier géographique dans sa propre projection (déclarée ou corrigée par
    ``crs``) ; lève InputError s'il est illisible ou sans projection connue."""
    import geopandas as gpd
    import pyogrio

    path = source.path
    assert path is not None
    if path.suffix.lower() not in GEO_FORMATS:
        problems.add(
            "format de contours non pris en charge",
            found=path.suffix,
            expected="GeoJSON (.geojson), Shapefile (.shp ou .zip), GeoPackage (.gpkg) ou GeoParquet",
        )
        problems.raise_if_any()
    if path.is_file() and path.stat().st_size == 0:
        problems.add("le fichier est vide", expected="un fichier de contours avec des entités")
        problems.raise_if_any()
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            kwargs = {}
            if source.get("couche"):
                kwargs["layer"] = source.get("couche")
            elif path.suffix.lower() in MULTI_LAYER_SUFFIXES:  # zip : plusieurs .shp ?
                kwargs["layer"] = pick_layer(path, problems)
            gdf = gpd.read_file(path, engine="pyogrio", **kwargs)
    except InputError:
        raise
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        OSError,
        ValueError,
    ) as exc:
        problems.add(
            "fichier géographique illisible",
            found=str(exc).splitlines()[0][:200],
            expected="un GeoJSON, Shapefile (avec .shx et .dbf) ou GeoPackage valide",
        )
        problems.raise_if_any()
    declared = source.get("crs")
    if declared:
        try:
            gdf = gdf.set_crs(declared, allow_override=True)
        except Exception:  # pyproj.exceptions.CRSError
            problems.add(
                "projection inconnue",
                column="crs",
                found=declared,
                expected='un code EPSG, ex. "EPSG:2154" ou "EPSG:4326"',
            )
            problems.raise_if_any()
    elif gdf.crs is None:
        problems.add(
            "le fichier n'indique pas sa projection (pas de fichier .prj ni de CRS)",
            expected='la projection déclarée dans la configuration : crs = "EPSG:2154" '
            '(Lambert-93) ou crs = "EPSG:4326" (longitude/latitude)',
        )
        problems.raise_if_any()
    check_convertible(gdf, problems)  # LOCAL_CS : pas de conversion possible
    if len(gdf) and gdf.crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if min(minx, miny) < -180 or max(maxx, maxy) > 180 or miny < -90 or maxy > 90:
            problems.add(
                "les coordonnées ne sont pas des degrés alors que la projection déclarée est "
                f"géographique ({gdf.crs.to_string()})",
                found=f"x de {minx:.0f} à {maxx:.0f}",
                expected='la vraie projection dans la configuration, ex. crs = "EPSG:2154"',
            )
            problems.raise_if_any()
    return gdf


def _columns(gdf, source: SourceConfig, defaults: dict, problems: ProblemCollector) -> dict:
    configured = source.get("colonnes") or {}
    names = [c for c in gdf.columns if c != gdf.geometry.name]
    actual = {normalise_label(c): c for c in names}
    cols = {}
    for key, candidates in defaults.items():
        if key in configured:
            real = actual.get(normalise_label(configured[key]))
            if real is None:
                problems.add(
                    f"propriété configurée (colonnes.{key}) absente du fichier",
                    column=str(configured[key]),
                    found=configured[key],
                    expected="une des propriétés disponibles : " + ", ".join(names),
                )
            else:
                cols[key] = real
        else:
            hit = guess_column(names, candidates)
            if hit is not None:
                cols[key] = hit
    for key in configured:
        if key not in defaults:
            problems.add(
                "clé inconnue dans l'option « colonnes »",
                column=f"colonnes.{key}",
                found=key,
                expected="une des clés : " + ", ".join(defaults),
            )
    if "code" not in cols and "code" not in configured:
        problems.add(
            "propriété du code introuvable",
            expected=f"une propriété {' / '.join(defaults['code'][:3])}, ou "
            f'colonnes = {{ code = "…" }} ; propriétés disponibles : {", ".join(names)}',
        )
    problems.raise_if_any()
    return cols


def _geometries(gdf: gpd.GeoDataFrame, codes: list[str], problems: ProblemCollector):
    """Contrôle les géométries dans la projection du fichier, répare les invalides, puis
    reprojette en Lambert-93 ; renvoie une GeoSeries (EPSG:2154).

    Chaque géométrie invalide du fichier est signalée (raison en français, point en
    coordonnées du fichier) et comptée ; une géométrie devenue invalide à la
    reprojection est réparée et signalée à part.
    """
    import geopandas as gpd
    import shapely

    fixed, details, invalid = [], [], 0
    valid = shapely.is_valid(gdf.geometry.values)  # d'un coup : fichiers nationaux
    for i, (geom, code) in enumerate(zip(gdf.geometry.values, codes, strict=True)):
        label = f"entité n° {i + 1} ({code or 'sans code'})"
        if geom is None or geom.is_empty:
            problems.add(
                f"{label} : géométrie vide",
                column="geometry",
                found=code,
                expected="un polygone ou multipolygone non vide",
            )
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.add(
                f"{label} : géométrie non surfacique",
                column="geometry",
                found=geom.geom_type,
                expected="Polygon ou MultiPolygon",
            )
        elif not valid[i]:
            invalid += 1
            geom, detail = _repair(geom, label, code, gdf.crs, problems)
            details += detail
        fixed.append(geom)
    if invalid > 1:  # le compte d'abord : visible même quand le détail est tronqué
        problems.warn(
            f"{invalid} géométrie(s) invalide(s) sur {len(gdf)} dans le fichier, contrôlées "
            f"dans sa projection ({crs_label(gdf.crs)}) et réparées automatiquement "
            "(détail par entité)"
        )
    for message, code in details:
        problems.warn(message, column="geometry", found=code)
    out = gpd.GeoSeries(fixed, crs=gdf.crs).to_crs(TARGET_CRS).values
    broken = ~shapely.is_valid(out) & ~shapely.is_missing(out) & ~shapely.is_empty(out)
    out = list(out)
    for i in broken.nonzero()[0]:
        out[i] = _polygonal(_make_valid(out[i]))
        problems.warn(
            f"entité n° {i + 1} ({codes[i] or 'sans code'}) : géométrie devenue invalide "
            "à la reprojection en Lambert-93, réparée automatiquement",
            column="geometry",
            found=codes[i],
        )
    return gpd.GeoSeries(out, crs=TARGET_CRS)


def _make_valid(geom):
    import shapely

    return shapely.make_valid(geom)


def _repair(geom, label: str, code: str, crs, problems: ProblemCollector):
    """Répare une géométrie invalide ; renvoie (géométrie, [(avertissement, code)])."""
    import shapely

    reason = explain_fr(shapely.is_valid_reason(geom), crs)
    repaired = _polygonal(_make_valid(geom))
    if repaired.is_empty or repaired.geom_type not in ("Polygon", "MultiPolygon"):
        problems.add(
            f"{label} : géométrie invalide sans surface après réparation ({reason})",
            column="geometry",
            found=code,
            expected="un polygone d'au moins trois points distincts",
        )
        return geom, []
    return repaired, [(f"{label} : géométrie invalide réparée automatiquement ({reason})", code)]


def _polygonal(geom):
    """Garde les parties surfaciques d'une géométrie réparée (MultiPolygon si plusieurs)."""
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = []
    for g in getattr(geom, "geoms", []):
        if isinstance(g, Polygon):
            parts.append(g)
        elif isinstance(g, MultiPolygon):
            parts.extend(g.geoms)
    return MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else geom)


def _duplicates(codes: list[str], problems: ProblemCollector, column: str) -> None:
    first: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code and code in first:
            problems.add(
                f"entité n° {i + 1} : code en double (déjà l'entité n° {first[code] + 1})",
                column=column,
                found=code,
                expected="un seul contour par code (fusionnez les morceaux en MultiPolygon)",
            )
        first.setdefault(code, i)


def load_contours(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Contours des QPV → ``contours`` (code, nom, generation, communes, geometry)."""
    import geopandas as gpd

    from observatoire.sources.geography import _generation_option, qpv_generation_checked

    problems = ProblemCollector(source.label)
    gen_option = _generation_option(source, problems)
    gdf = read_geo_native(source, problems)
    cols = _columns(gdf, source, CONTOUR_COLUMNS, problems)
    codes = [parse_code(v) for v in gdf[cols["code"]]]
    generations = []
    for i, code in enumerate(codes):
        expected = code_expected(code, "qpv") if code else "un code QPV"
        if expected:
            problems.add(
                f"entité n° {i + 1} : code QPV invalide",
                column=cols["code"],
                found=code,
                expected=expected,
            )
        generations.append(qpv_generation_checked(code, gen_option, problems, None, cols["code"]))
    _duplicates(codes, problems, cols["code"])
    check_extents(gdf, codes, "qpv", problems)
    geoms = _geometries(gdf, codes, problems)
    problems.raise_if_any()
    communes = (
        [";".join(parse_code(c) for c in split_list(v)) or None for v in gdf[cols["communes"]]]
        if "communes" in cols
        else [None] * len(gdf)
    )
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "nom": [_name(v) for v in gdf[cols["nom"]]] if "nom" in cols else [None] * len(gdf),
            "generation": pd.array(generations, dtype="Int64"),
            "communes": communes,
            "source": source.name,
            "ligne": pd.array(range(1, len(gdf) + 1), dtype="Int64"),
        },
        geometry=geoms,
    )
    ctx.warnings += problems.warnings
    return {"contours": frame}


def load_communes_contours(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Contours des communes → ``communes_contours`` (code, nom, geometry)."""
    import geopandas as gpd

    problems = ProblemCollector(source.label)
    gdf = read_geo_native(source, problems)
    cols = _columns(gdf, source, COMMUNE_COLUMNS, problems)
    codes = [parse_code(v) for v in gdf[cols["code"]]]
    for i, code in enumerate(codes):
        expected = code_expected(code, "commune") if code else "un code commune"
        if expected:
            problems.add(
                f"entité n° {i + 1} : code commune invalide",
                column=cols["code"],
                found=code,
                expected=expected,
            )
    _duplicates(codes, problems, cols["code"])
    check_extents(gdf, codes, "commune", problems)
    geoms = _geometries(gdf, codes, problems)
    problems.raise_if_any()
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "nom": [_name(v) for v in gdf[cols["nom"]]] if "nom" in cols else [None] * len(gdf),
            "source": source.name,
            "ligne": pd.array(range(1, len(gdf) + 1), dtype="Int64"),
        },
        geometry=geoms,
    )
    ctx.warnings += problems.warnings
    return {"communes_contours": frame}


def _name(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


_OPTIONS = {
    "crs": "projection du fichier s'il n'en déclare pas (ou pour corriger une projection "
    'erronée), ex. "EPSG:2154" ; le résultat est toujours en EPSG:2154',
    "couche": "couche à lire dans un GeoPackage qui en contient plusieurs",
}

ADAPTERS = [
    Adapter(
        type="contours",
        tables=("contours",),
        load=load_contours,
        options={
            "colonnes": 'propriétés du fichier : { code = "…", nom = "…", communes = "…" } '
            "(défaut : code_qp/CODE_QP/Code_QP, nom_qp/lib_qp/NOM_QP…, insee_com)",
            "generation": "génération des QPV (2015 ou 2024) ; déduite du préfixe QP/QN si absente",
            **_OPTIONS,
        },
        description="Contours des QPV (GeoJSON, Shapefile, GeoPackage).",
    ),
    Adapter(
        type="communes_contours",
        tables=("communes_contours",),
        load=load_communes_contours,
        options={
            "colonnes": 'propriétés du fichier : { code = "…", nom = "…" } '
            "(défaut : INSEE_COM/code_insee/codgeo, NOM/nom_com/lib_com…)",
            **_OPTIONS,
        },
        description="Contours des communes (GeoJSON, Shapefile, GeoPackage).",
    ),
]
