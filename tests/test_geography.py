"""Géographie : liste nationale des QPV, contours (toutes projections), correspondance."""

from __future__ import annotations

import pytest
from lecteurs_outils import context, copy_fixtures, messages, source

from observatoire.config import SourceConfig
from observatoire.errors import InputError
from observatoire.sources.contours import load_communes_contours, load_contours
from observatoire.sources.correspondance import load_correspondance
from observatoire.sources.geography import load_qpv_liste, load_territoires


def territoires(src):
    return load_qpv_liste(src, context())["territoires"].set_index(["code", "niveau"])


# ------------------------------------------------------------------ liste des QPV


def test_national_list_2024_with_protected_and_multi_commune_cells():
    t = territoires(source("qpv_liste", "liste_qpv_2024.csv"))
    port = t.loc[("QN00002B", "qpv")]
    assert port["nom"] == "Le Port"
    assert port["generation"] == 2024
    assert port["communes"] == "00101;00102"  # "00101;00102" entre guillemets
    assert port["epci"] == "200000099"
    assert port["departement"] == "00"
    assert t.loc[("QN00001A", "qpv"), "communes"] == "00101"  # ="00101" déprotégé
    # communes, EPCI, département, région déduits de la liste, noms compris
    assert t.loc[("00102", "commune"), "nom"] == "Port-Salé"
    assert t.loc[("00101", "commune"), "nom"] == "Brumeville"
    assert t.loc[("200000099", "epci"), "nom"] == "CA de Valbrume"
    assert t.loc[("00", "departement"), "nom"] == "Département fictif"
    assert t.loc[("00", "region"), "nom"] == "Région fictive"
    assert t["deduit"].sum() == 5
    assert t.index.is_unique


def test_list_2015_cp1252_with_uppercase_variants():
    t = territoires(source("qpv_liste", "liste_qpv_2015_cp1252.csv", generation=2015))
    qpv = t.xs("qpv", level="niveau")
    assert list(qpv.index) == ["QP000001", "QP000002", "QP000003"]
    assert qpv.loc["QP000003", "nom"] == "Les Prés Salés"
    assert set(qpv["generation"]) == {2015}
    assert qpv.loc["QP000002", "communes"] == "00101;00102"  # liste séparée par des virgules
    assert t.loc[("00102", "commune"), "nom"] == "Port-Salé"  # "Brumeville, Port-Salé"


def test_generation_deduced_from_prefix():
    t = territoires(source("qpv_liste", "liste_qpv_2015_cp1252.csv"))
    assert set(t.xs("qpv", level="niveau")["generation"]) == {2015}


def test_list_errors_all_at_once_with_expected_values():
    found = messages(
        load_qpv_liste, source("qpv_liste", "liste_qpv_anomalies.csv", generation=2024)
    )
    text = "\n".join(found)
    assert len(found) == 4
    assert (
        "ligne 2, colonne « insee_com » — code commune invalide — valeur trouvée : « 101 »" in text
    )
    assert "probablement « 00101 » (zéro initial perdu par un tableur ?)" in text
    assert "colonne « insee_dep » — code departement invalide — valeur trouvée : « 0 »" in text
    assert "probablement « 00 »" in text
    assert "ligne 3, colonne « code_qp » — code qpv invalide — valeur trouvée : « QN1234 »" in text
    assert "ligne 4" in text and "génération 2015 dans une source déclarée génération 2024" in text


def test_list_without_code_column_names_available_columns():
    found = messages(load_qpv_liste, source("qpv_liste", "liste_qpv_sans_code.csv"))
    assert "colonne « code » introuvable" in found[0]
    assert "colonnes disponibles : identifiant, libelle" in found[0]


def test_configured_column_used_and_absent_column_reported():
    t = territoires(
        source("qpv_liste", "liste_qpv_sans_code.csv", colonnes={"code": "identifiant"})
    )
    assert list(t.index) == [("QN00001A", "qpv")]
    found = messages(
        load_qpv_liste, source("qpv_liste", "liste_qpv_2024.csv", colonnes={"code": "CODE_QPV"})
    )
    assert "colonne configurée (colonnes.code) absente du fichier" in found[0]
    assert "code_qp, lib_qp, insee_reg" in found[0]


# ------------------------------------------------------------------ territoires


def test_reference_territories_with_corsica_codes():
    t = load_territoires(source("territoires", "territoires_corse.csv"), context())["territoires"]
    assert t["code"].tolist() == ["2A004", "2B033", "2A", "2B", "01001"]
    assert t["niveau"].tolist() == ["commune"] * 2 + ["departement"] * 2 + ["commune"]
    assert t.loc[1, "departement"] == "2B"


def test_reference_territories_errors():
    found = messages(load_territoires, source("territoires", "territoires_anomalies.csv"))
    text = "\n".join(found)
    assert (
        "ligne 4, colonne « niveau » — niveau géographique inconnu — valeur trouvée : « pays »"
        in text
    )
    assert "ligne 3" in text and "territoire en double (déjà à la ligne 2)" in text


# ------------------------------------------------------------------ correspondance


def test_correspondence_relations_deduced():
    c = load_correspondance(source("correspondance", "correspondance.csv"), context())
    c = c["correspondances"]
    assert c["relation"].tolist() == ["identique", "scission", "scission", "sortie"]
    assert c["part"].tolist()[:3] == [1.0, 0.6, 0.4]  # virgule décimale
    assert c.loc[3, "code_2024"] is None


def test_correspondence_errors():
    found = messages(load_correspondance, source("correspondance", "correspondance_anomalies.csv"))
    text = "\n".join(found)
    assert (
        "ligne 2, colonne « part » — part hors de l'intervalle 0-1 — valeur trouvée : « 1,4 »"
        in text
    )
    assert "code QPV d'une autre génération dans la colonne 2015" in text
    assert "relation inconnue — valeur trouvée : « disparu »" in text


# ------------------------------------------------------------------ contours


def test_geojson_wgs84_reprojected_to_lambert93_with_multipolygon():
    c = load_contours(source("contours", "contours_qpv_2024.geojson"), context())["contours"]
    assert c.crs.to_epsg() == 2154
    assert c["code"].tolist() == ["QN00001A", "QN00002B", "QN00003C"]
    assert c["generation"].tolist() == [2024] * 3
    assert c.loc[1, "geometry"].geom_type == "MultiPolygon"
    assert c.loc[1, "communes"] == "00101;00102"
    # Lambert-93 : des mètres (un quartier de ~2 km sur 2 km)
    assert 1e6 < c.loc[0, "geometry"].area < 1e7
    assert 0 < c.total_bounds[0] < 200_000


def test_geopackage_lambert93_variant_names():
    c = load_contours(source("contours", "contours_qpv_2015.gpkg"), context())["contours"]
    assert c["code"].tolist() == ["QP000001", "QP000002", "QP000003"]
    assert c.loc[2, "nom"] == "Les Prés Salés"
    assert set(c["generation"]) == {2015}
    assert c.crs.to_epsg() == 2154


def test_same_place_in_both_files_after_reprojection():
    c24 = load_contours(source("contours", "contours_qpv_2024.geojson"), context())["contours"]
    c15 = load_contours(source("contours", "contours_qpv_2015.gpkg"), context())["contours"]
    # La Lande (2024) et Les Prés Salés (2015) ont le même tracé, l'un en WGS84 l'autre en L93
    assert c24.loc[2, "geometry"].symmetric_difference(c15.loc[2, "geometry"]).area < 1.0


def test_shapefile_lambert93_communes():
    c = load_communes_contours(source("communes_contours", "communes_l93.shp"), context())
    c = c["communes_contours"]
    assert c["code"].tolist() == ["00101", "00102"]
    assert c["nom"].tolist() == ["Brumeville", "Port-Salé"]
    assert c.crs.to_epsg() == 2154


def test_file_without_crs_is_an_explicit_error_unless_configured():
    found = messages(load_communes_contours, source("communes_contours", "communes_sans_crs.shp"))
    assert "le fichier n'indique pas sa projection" in found[0]
    assert 'crs = "EPSG:2154"' in found[0]
    c = load_communes_contours(
        source("communes_contours", "communes_sans_crs.shp", crs="EPSG:2154"), context()
    )["communes_contours"]
    assert c.crs.to_epsg() == 2154 and len(c) == 2


def test_metres_declared_as_degrees_are_refused():
    found = messages(load_contours, source("contours", "contours_degres_faux.geojson"))
    assert "les coordonnées ne sont pas des degrés" in found[0]
    c = load_contours(
        source("contours", "contours_degres_faux.geojson", crs="EPSG:2154"), context()
    )["contours"]
    assert c.loc[0, "code"] == "QN00003C"


def test_invalid_geometry_repaired_with_warning():
    ctx = context()
    c = load_contours(source("contours", "contours_invalide.geojson"), ctx)["contours"]
    assert c.is_valid.all()
    assert c.loc[0, "geometry"].geom_type == "MultiPolygon"  # le « nœud papillon » réparé
    assert len(ctx.warnings) == 1
    text = ctx.warnings[0].format_fr()
    assert "entité n° 1 (QN00001A) : géométrie invalide réparée automatiquement" in text
    assert "auto-intersection (le contour se croise lui-même) au point de longitude" in text


def test_empty_geometry_and_points_are_errors():
    found = messages(load_contours, source("contours", "contours_vide.geojson"))
    assert any("entité n° 2 (QN00002B) : géométrie vide" in m for m in found)
    found = messages(load_contours, source("contours", "contours_points.geojson"))
    assert "géométrie non surfacique — valeur trouvée : « Point »" in found[0]


def test_duplicate_contour_codes():
    found = messages(load_contours, source("contours", "contours_doublon.geojson"))
    assert "entité n° 2 : code en double (déjà l'entité n° 1)" in found[0]


def test_geopackage_with_two_layers_needs_couche():
    found = messages(load_contours, source("contours", "deux_couches.gpkg"))
    assert "plusieurs couches" in found[0] and "qpv, communes" in found[0]
    c = load_contours(source("contours", "deux_couches.gpkg", couche="qpv"), context())
    assert len(c["contours"]) == 3


def test_generation_option_conflicting_with_codes():
    found = messages(
        load_contours, source("contours", "contours_qpv_2024.geojson", generation=2015)
    )
    assert len(found) == 3
    assert "code QPV de la génération 2024 dans une source déclarée génération 2015" in found[0]


def test_shapefile_missing_sidecar_is_unreadable(tmp_path):
    copy_fixtures(tmp_path, "communes_l93.shp")
    (tmp_path / "communes_l93.shx").unlink()
    src = SourceConfig("communes", "communes_contours", tmp_path / "communes_l93.shp", {}, "x")
    with pytest.raises(InputError) as info:
        load_communes_contours(src, context())
    text = str(info.value)
    assert "fichier communes_l93.shp — fichier géographique illisible" in text
    assert "Shapefile (avec .shx et .dbf)" in text


def test_duplicate_quartier_in_list():
    found = messages(load_qpv_liste, source("qpv_liste", "liste_qpv_doublon.csv"))
    assert found == [
        "fichier liste_qpv_doublon.csv, ligne 4, colonne « code_qp » — quartier en double "
        "(déjà à la ligne 2) — valeur trouvée : « QN00001A » — attendu : une seule ligne par quartier"
    ]


def test_zipped_shapefile_as_downloaded(tmp_path):
    import zipfile

    from lecteurs_outils import FIX

    archive = tmp_path / "communes.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            z.write(FIX / f"communes_l93{ext}", f"communes_l93{ext}")
    src = SourceConfig("communes", "communes_contours", archive, {}, "observatoire.toml")
    c = load_communes_contours(src, context())["communes_contours"]
    assert c["code"].tolist() == ["00101", "00102"]
    assert c.crs.to_epsg() == 2154


def test_quartier_on_two_epci():
    t = territoires(source("qpv_liste", "liste_qpv_deux_epci.csv"))
    rives = t.loc[("QN00005E", "qpv")]
    assert rives["communes"] == "00101;00201"
    assert rives["epci"] == "200000099;200000111"
    assert t.loc[("200000111", "epci"), "nom"] == "CC de Rivebelle"
    assert t.loc[("200000111", "epci"), "departement"] == "00"
    assert t.loc[("00201", "commune"), "nom"] == "Rivebelle"
    assert t.loc[("00201", "commune"), "epci"] is None  # ambigu : non attribué
