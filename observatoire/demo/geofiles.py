"""Fichiers de géographie de la démo, dans les formes des vrais fichiers publics.

- ``liste_qpv_2024.csv`` / ``liste_qpv_2015.csv`` : forme de la liste nationale
  (``code_qp;lib_qp;insee_reg;…``, codes protégés ``="00101"``, multi-communes
  entre guillemets) ;
- ``contours_qpv_2024.geojson`` (WGS84), ``contours_qpv_2015.gpkg`` (Lambert-93),
  ``communes.shp`` (Lambert-93) ;
- ``correspondance_qpv_2015_2024.csv`` et ``territoires_reference.csv``.

:func:`write_geography` renvoie le fragment ``observatoire.toml`` de ces sources.

Exemple ::

    toml = write_geography(geo, Path("data/demo"))
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from observatoire.demo.files import FIXED_DATE, fr_number, write_csv
from observatoire.demo.geography import DemoGeography
from observatoire.demo.indicators import ENSEMBLE_QPV, FRANCE
from observatoire.demo.model import FICTIF

GEO_DIR = "geographie"
LIST_COLUMNS = [
    "code_qp", "lib_qp", "insee_reg", "lib_reg", "insee_dep", "lib_dep",
    "insee_com", "lib_com", "siren_epci", "lib_epci",
]  # fmt: skip


def write_geography(geo: DemoGeography, dest: Path) -> str:
    """Écrit les fichiers de géographie sous ``dest/geographie`` ; renvoie le fragment TOML."""
    folder = dest / GEO_DIR
    folder.mkdir(parents=True, exist_ok=True)
    model = geo.model
    _qpv_list(geo, model.quartiers, folder / "liste_qpv_2024.csv", upper=False)
    _qpv_list(geo, model.quartiers_2015, folder / "liste_qpv_2015.csv", upper=True)
    _geojson(geo, folder / "contours_qpv_2024.geojson")
    _gpkg(geo, folder / "contours_qpv_2015.gpkg")
    _shapefile(geo, folder / "communes.shp")
    _correspondance(geo, folder / "correspondance_qpv_2015_2024.csv")
    _references(geo, folder / "territoires_reference.csv")
    return TOML


def _epci(geo: DemoGeography, commune: str):
    model = geo.model
    code = model.commune(commune).epci or model.epci_code
    return next((e for e in model.epcis if e.code == code), None)


def _qpv_list(geo: DemoGeography, quartiers, path: Path, upper: bool) -> None:
    model = geo.model
    header = [c.upper() for c in LIST_COLUMNS] if upper else list(LIST_COLUMNS)
    rows: list[list[object]] = [header]
    dep_names = dict(model.departements)
    for q in quartiers:
        communes = [model.commune(c) for c in q.communes]
        codes = ";".join(c.code for c in communes)
        epci = _epci(geo, q.communes[0])
        dep = communes[0].departement or model.departement_code
        rows.append(
            [
                q.code,
                q.nom,
                f'="{model.region_code}"',
                model.region_nom,
                f'="{dep}"',
                dep_names.get(dep, model.departement_nom),
                codes if len(communes) > 1 else f'="{codes}"',
                ", ".join(c.nom for c in communes),
                epci.code if epci else model.epci_code,
                epci.nom if epci else model.epci_nom,
            ]
        )
    # la liste 2015 circule encore en Windows-1252, la 2024 en UTF-8
    encoding, newline = ("cp1252", "\r\n") if upper else ("utf-8", "\n")
    write_csv(path, rows, sep=";", encoding=encoding, newline=newline)


def _wgs84_feature(poly, props: dict, transformer: Transformer) -> dict:
    poly = orient(poly, 1.0)  # RFC 7946 : anneau extérieur dans le sens trigonométrique
    moved = shapely.transform(
        poly, lambda xy: np.round(np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])), 6)
    )
    return {"type": "Feature", "properties": props, "geometry": mapping(moved)}


def _geojson(geo: DemoGeography, path: Path) -> None:
    model = geo.model
    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    features = []
    for q in model.quartiers:
        props = {
            "code_qp": q.code,
            "lib_qp": q.nom,
            "insee_com": ";".join(q.communes),
            "lib_com": ", ".join(model.commune(c).nom for c in q.communes),
        }
        features.append(_wgs84_feature(geo.shapes[q.code], props, to_wgs))
    doc = {
        "type": "FeatureCollection",
        "name": "contours_qpv_2024",
        "description": f"{FICTIF} — contours des quartiers prioritaires 2024 du territoire "
        "de démonstration (aucun lieu réel)",
        "features": features,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text.replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n", "utf-8")


def _write_ogr(frame, path: Path, driver: str, **options) -> None:
    """Écriture GDAL avec date figée (GeoPackage) pour des octets stables."""
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    for old in path.parent.glob(path.stem + ".*"):
        if old.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".gpkg"):
            old.unlink()
    try:
        frame.to_file(path, driver=driver, engine="pyogrio", **options)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _gpkg(geo: DemoGeography, path: Path) -> None:
    import geopandas as gpd

    qs = geo.model.quartiers_2015
    frame = gpd.GeoDataFrame(
        {
            "CODE_QP": [q.code for q in qs],
            "NOM_QP": [q.nom for q in qs],
            "INSEE_COM": [";".join(q.communes) for q in qs],
        },
        geometry=[geo.shapes[q.code] for q in qs],
        crs="EPSG:2154",
    )
    _write_ogr(
        frame,
        path,
        "GPKG",
        layer="contours_qpv_2015",
        layer_options={"DESCRIPTION": f"{FICTIF} — quartiers prioritaires 2015 (démonstration)"},
    )


def _shapefile(geo: DemoGeography, path: Path) -> None:
    import geopandas as gpd

    communes = geo.model.communes
    frame = gpd.GeoDataFrame(
        {"INSEE_COM": [c.code for c in communes], "NOM": [c.nom for c in communes]},
        geometry=[geo.commune_shapes[c.code] for c in communes],
        crs="EPSG:2154",
    )
    _write_ogr(
        frame,
        path,
        "ESRI Shapefile",
        layer_options={
            "DBF_DATE_LAST_UPDATE": FIXED_DATE.strftime("%Y-%m-%d"),
            "ENCODING": "UTF-8",
        },
    )


def _correspondance(geo: DemoGeography, path: Path) -> None:
    model = geo.model
    names = {q.code: q.nom for q in model.quartiers + model.quartiers_2015}
    rows: list[list[object]] = [
        ["code_qp_2015", "lib_qp_2015", "code_qp_2024", "lib_qp_2024", "part_pop", "type_evolution"]
    ]
    for c15, c24, part, relation in model.correspondances:
        rows.append(
            [
                c15 or "",
                names.get(c15, "") if c15 else "",
                c24 or "",
                names.get(c24, "") if c24 else "",
                fr_number(100 * part, 2) if part is not None else "",
                {"entree": "entrée"}.get(relation, relation),
            ]
        )
    title = [f"{FICTIF} — Table de passage des quartiers prioritaires 2015 vers 2024 "
             "(part de la population 2015 reprise, en %)"]  # fmt: skip
    write_csv(path, rows, sep=";", encoding="utf-8", title=title)


def _references(geo: DemoGeography, path: Path) -> None:
    model = geo.model
    header = ["code", "niveau", "nom", "communes", "epci", "departement", "region"]
    rows: list[list[object]] = [header]
    reg = model.region_code
    for c in model.communes:
        dep = c.departement or model.departement_code
        rows.append(
            [f'="{c.code}"', "commune", c.nom, "", c.epci or model.epci_code, f'="{dep}"', reg]
        )
    for e in model.epcis:
        communes = ";".join(c.code for c in model.communes if c.epci == e.code)
        rows.append([e.code, "epci", e.nom, communes, "", f'="{e.departement}"', reg])
    for dep, nom in model.departements:
        rows.append([f'="{dep}"', "departement", nom, "", "", "", reg])
    rows.append([f'="{reg}"', "region", model.region_nom, "", "", "", ""])
    for code, niveau, nom in (FRANCE, ENSEMBLE_QPV):
        rows.append([code, niveau, nom, "", "", "", ""])
    title = [f"{FICTIF} — Territoires de référence du territoire de démonstration"]
    write_csv(path, rows, sep=";", encoding="utf-8", title=title)


TOML = """
# =====================================================================
# GÉOGRAPHIE
# =====================================================================

# Liste des quartiers prioritaires 2024, dans la forme de la liste nationale
# (séparateur « ; », codes commune protégés ="00101", un quartier sur deux
# communes a ses codes entre guillemets : "00101;00104"). Elle donne les QPV et,
# par déduction, leurs communes, EPCI, départements et régions.
[sources.qpv_2024]
type = "qpv_liste"
fichier = "geographie/liste_qpv_2024.csv"
generation = 2024          # vérifie que tous les codes sont des QN… (génération 2024)

# La liste 2015 (codes QP…), en majuscules et en Windows-1252 : l'encodage est
# détecté tout seul ; on le précise ici pour l'exemple.
[sources.qpv_2015]
type = "qpv_liste"
fichier = "geographie/liste_qpv_2015.csv"
generation = 2015
encodage = "cp1252"

# Territoires de référence (communes, EPCI, département, région, France,
# ensemble des QPV) avec leurs parents. Une ligne de titre précède l'en-tête :
# on indique la ligne d'en-tête (2) pour ne pas dépendre de la détection.
[sources.territoires]
type = "territoires"
fichier = "geographie/territoires_reference.csv"
ligne_entete = 2

# Table de passage 2015 → 2024 : une ligne par couple (ancien, nouveau) quartier,
# avec la part de la population 2015 reprise, ici en pourcentage (ex. 46,27).
[sources.correspondance]
type = "correspondance"
fichier = "geographie/correspondance_qpv_2015_2024.csv"
ligne_entete = 2
part_en_pourcentage = true
# colonnes du fichier : code 2015, code 2024, part, type d'évolution (identique,
# scission, fusion, modification, sortie, entrée ; déduit s'il manque)
colonnes = { code_2015 = "code_qp_2015", code_2024 = "code_qp_2024", part = "part_pop", relation = "type_evolution" }

# Contours des QPV 2024 en GeoJSON (WGS84, longitude/latitude) : reprojetés en
# Lambert-93 au chargement. Propriétés code_qp, lib_qp, insee_com reconnues seules.
[sources.contours_2024]
type = "contours"
fichier = "geographie/contours_qpv_2024.geojson"
generation = 2024

# Contours des QPV 2015 en GeoPackage (Lambert-93), propriétés CODE_QP, NOM_QP.
[sources.contours_2015]
type = "contours"
fichier = "geographie/contours_qpv_2015.gpkg"
generation = 2015
colonnes = { code = "CODE_QP", nom = "NOM_QP" }

# Contours des communes en Shapefile (Lambert-93 ; .shp + .shx + .dbf + .prj).
[sources.communes]
type = "communes_contours"
fichier = "geographie/communes.shp"
colonnes = { code = "INSEE_COM", nom = "NOM" }
"""
