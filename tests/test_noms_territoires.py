"""Noms des territoires toujours connus : fichiers, puis COG embarqué, jamais ``None``.

Fixtures faites main sous ``tests/fixtures/noms/`` : une liste de QPV dont les communes
ne sont données que par leur nom (« Séméac, Tarbes », « St-Denis »…), et des contours
GeoJSON qui portent les codes de département sans leurs noms, lus aussi comme liste.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import observatoire
from observatoire.cog import departements, display_name, normalise_name, regions
from observatoire.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "noms"


@pytest.fixture
def noms(tmp_path: Path) -> Path:
    target = tmp_path / "noms"
    shutil.copytree(FIXTURES, target)
    return target


def _row(obs, niveau: str, code: str):
    t = obs.territoires
    rows = t[(t["niveau"] == niveau) & (t["code"] == code)]
    assert len(rows) == 1, f"{niveau} {code} : {len(rows)} lignes"
    return rows.iloc[0]


def test_communes_par_leur_nom_rattachees_dans_le_departement(noms: Path) -> None:
    obs = observatoire.open(noms / "noms_communes.toml")
    # « Séméac, Tarbes » : deux communes, aucune perdue
    assert _row(obs, "qpv", "QN06590A")["communes"] == "65417;65440"
    # « St-Denis » en Seine-Saint-Denis, « SAINT DENIS » à La Réunion : le département tranche
    assert _row(obs, "qpv", "QN09390B")["communes"] == "93066"
    assert _row(obs, "qpv", "QN97490C")["communes"] == "97411"
    # « tarbes » retrouvée malgré la casse ; « Ville-Inconnue » signalée, pas perdue en silence
    assert _row(obs, "qpv", "QN06591D")["communes"] == "65440"
    unresolved = [w for w in obs.warnings if w.found == "Ville-Inconnue"]
    assert len(unresolved) == 1
    warning = unresolved[0]
    assert warning.file == "liste_noms_communes.csv"
    assert warning.row == 5
    text = warning.format_fr()
    assert "introuvable" in text and "QN06591D" in text and "département 65" in text
    assert not [w for w in obs.warnings if w.found in ("Séméac", "Tarbes", "St-Denis")]
    # le nom introuvable reste affiché dans le tableau de bord, à côté de la commune retrouvée
    from observatoire.publish.sections import quartier

    assert quartier.contexte(obs, "QN06591D", None).communes_noms == ("Tarbes", "Ville-Inconnue")
    assert quartier.contexte(obs, "QN06590A", None).communes_noms == ("Séméac", "Tarbes")


def test_communes_par_leur_nom_retrouvees_dans_le_cog_sans_autre_fichier(noms: Path) -> None:
    # la liste seule : aucun autre fichier ne donne les codes des communes
    config = (noms / "noms_communes.toml").read_text(encoding="utf-8")
    config = config[: config.index("[sources.communes]")]
    (noms / "liste_seule.toml").write_text(config, encoding="utf-8")
    obs = observatoire.open(noms / "liste_seule.toml")
    assert _row(obs, "qpv", "QN06590A")["communes"] == "65417;65440"
    assert _row(obs, "qpv", "QN09390B")["communes"] == "93066"  # St-Denis en Seine-Saint-Denis
    assert _row(obs, "qpv", "QN97490C")["communes"] == "97411"  # SAINT DENIS à La Réunion
    assert _row(obs, "commune", "65417")["nom"] == "Séméac"
    assert _row(obs, "commune", "97411")["nom"] == "Saint-Denis"
    unresolved = [w for w in obs.warnings if w.severity == "avertissement" and w.found]
    assert [w.found for w in unresolved if "commune" in w.message] == ["Ville-Inconnue"]
    assert "Code officiel géographique 2026" in unresolved[0].format_fr()


def test_departements_et_regions_nommes_par_le_cog(noms: Path) -> None:
    obs = observatoire.open(noms / "noms_communes.toml")
    assert _row(obs, "departement", "65")["nom"] == "Hautes-Pyrénées"
    assert _row(obs, "departement", "974")["nom"] == "La Réunion"
    assert obs.nom("region", "11") == "Île-de-France"
    assert _row(obs, "qpv", "QN06590A")["region"] == "76"
    assert _row(obs, "commune", "93066")["departement"] == "93"
    assert obs.nom("departement", "93") == "Seine-Saint-Denis"
    # EPCI et communes sans nom dans les fichiers : noms du COG embarqué (communes 2026)
    assert obs.nom("epci", "200069300") == "CA Tarbes-Lourdes-Pyrénées"
    assert obs.nom("epci", "999999999") == "intercommunalité 999999999"


def test_qpv_liste_lue_dans_les_contours_geojson(noms: Path) -> None:
    obs = observatoire.open(noms / "contours_sans_noms.toml")
    assert len(obs.quartiers) == 3
    assert len(obs.contours) == 3
    tilleuls = _row(obs, "qpv", "QN06590A")
    assert tilleuls["nom"] == "Quartier fictif des Tilleuls"
    assert tilleuls["communes"] == "65417;65440"
    assert tilleuls["departement"] == "65"
    # noms de communes lus dans les propriétés ; départements et région par le COG
    assert _row(obs, "commune", "65417")["nom"] == "Séméac"
    assert _row(obs, "departement", "65")["nom"] == "Hautes-Pyrénées"
    assert _row(obs, "departement", "31")["nom"] == "Haute-Garonne"
    assert obs.nom("region", "76") == "Occitanie"
    # une commune sans nom dans les fichiers : son nom au COG embarqué, jamais None
    assert _row(obs, "commune", "31555")["nom"] == "Toulouse"
    for value in obs.territoires["nom"]:
        assert isinstance(value, str) and value not in ("None", "nan", "")


def test_liste_geojson_sans_colonne_code_refusee_en_francais(noms: Path) -> None:
    text = (noms / "qpv_contours.geojson").read_text(encoding="utf-8")
    (noms / "qpv_contours.geojson").write_text(
        text.replace('"code_qp"', '"identifiant"'), encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        observatoire.open(noms / "contours_sans_noms.toml")
    message = str(info.value)
    assert "qpv_contours.geojson" in message and "colonne « code » introuvable" in message


def test_table_cog_embarquee() -> None:
    table = departements()
    assert len(table) == 101 and len(regions()) == 18
    assert table["2A"] == ("Corse-du-Sud", "94") and table["976"] == ("Mayotte", "06")
    assert {reg for _, reg in table.values()} == set(regions())
    assert display_name("departement", "65", None) == "Hautes-Pyrénées"
    assert display_name("departement", "99", float("nan")) == "département 99"
    assert display_name("commune", "65440", "Tarbes") == "Tarbes"
    assert normalise_name("St-Gaudens") == normalise_name("SAINT GAUDENS")
    assert normalise_name("Sainte-Foy") == normalise_name("Ste Foy")
    assert normalise_name("Séméac") == normalise_name("semeac")


def test_nom_du_quartier_pris_dans_les_contours(noms: Path) -> None:
    # une liste sans noms de quartiers : les noms viennent des propriétés des contours
    (noms / "liste_sans_noms.csv").write_text(
        "code_qp;insee_dep\nQN06590A;65\nQN06591D;65\nQN03190E;31\n", encoding="utf-8"
    )
    config = (noms / "contours_sans_noms.toml").read_text(encoding="utf-8")
    config = config.replace(
        'fichier = "qpv_contours.geojson"\n\n[sources.contours]',
        'fichier = "liste_sans_noms.csv"\n\n[sources.contours]',
    )
    (noms / "liste_csv.toml").write_text(config, encoding="utf-8")
    obs = observatoire.open(noms / "liste_csv.toml")
    assert _row(obs, "qpv", "QN03190E")["nom"] == "Quartier fictif des Cèdres"
    assert obs.contours["nom"].tolist() == [
        "Quartier fictif des Tilleuls",
        "Quartier fictif de la Lande",
        "Quartier fictif des Cèdres",
    ]


def test_contour_sans_nom_nulle_part_affiche_son_code(noms: Path) -> None:
    text = (noms / "qpv_contours.geojson").read_text(encoding="utf-8")
    text = text.replace('"nom_qp": "Quartier fictif des Cèdres"', '"nom_qp": null')
    (noms / "qpv_contours.geojson").write_text(text, encoding="utf-8")
    obs = observatoire.open(noms / "contours_sans_noms.toml")
    assert _row(obs, "qpv", "QN03190E")["nom"] == "QN03190E"
    assert obs.contours.set_index("code").loc["QN03190E", "nom"] == "QN03190E"


def test_noms_lus_dans_le_fichier_d_indicateurs(noms: Path) -> None:
    # liste sans noms de quartiers ni codes de communes ; l'INSEE donne LIBGEO et les communes
    obs = observatoire.open(noms / "noms_indicateurs.toml")
    assert _row(obs, "qpv", "QN06590A")["nom"] == "Quartier fictif des Tilleuls"
    assert _row(obs, "qpv", "QN06590A")["communes"] == "65417;65440"
    assert _row(obs, "qpv", "QN06591D")["communes"] == "65440"
    assert _row(obs, "commune", "65417")["nom"] == "Séméac"
    assert _row(obs, "commune", "65440")["departement"] == "65"
    assert not [w for w in obs.warnings if "introuvable" in w.message]
    assert "noms" not in obs.tables  # table de travail, pas une table canonique
    # relu depuis le cache : mêmes noms
    again = observatoire.open(noms / "noms_indicateurs.toml")
    assert again.territoires["nom"].tolist() == obs.territoires["nom"].tolist()


def test_qpv_liste_lue_dans_un_geopackage(noms: Path) -> None:
    import geopandas as gpd

    gdf = gpd.read_file(noms / "qpv_contours.geojson")
    gdf.to_file(noms / "qpv_contours.gpkg", layer="quartiers", driver="GPKG")
    config = (noms / "contours_sans_noms.toml").read_text(encoding="utf-8")
    config = config.replace(
        'fichier = "qpv_contours.geojson"\n\n[sources.contours]',
        'fichier = "qpv_contours.gpkg"\ncouche = "quartiers"\n\n[sources.contours]',
    )
    (noms / "gpkg.toml").write_text(config, encoding="utf-8")
    obs = observatoire.open(noms / "gpkg.toml")
    assert _row(obs, "qpv", "QN06590A")["communes"] == "65417;65440"
    assert _row(obs, "departement", "31")["nom"] == "Haute-Garonne"


def test_en_tete_du_tableau_de_bord_nomme_le_departement(noms: Path) -> None:
    from observatoire.publish.sections import quartier

    obs = observatoire.open(noms / "contours_sans_noms.toml")
    q = quartier.contexte(obs, "QN03190E", None)
    meta = quartier.entete(obs, q)[0]
    assert "Quartier prioritaire QN03190E — Haute-Garonne (31) — " in str(meta.data)
    assert obs.departements_du_quartier("QN06590A") == "Hautes-Pyrénées (65)"


def test_france_donnee_seulement_par_un_fichier_d_indicateurs_sert_de_reference(
    tmp_path: Path,
) -> None:
    # Territoire partiel fictif : la France n'a de valeurs que dans un fichier
    # d'indicateurs (niveau = "france"), aucune source « territoires » ne la déclare.
    partiel = Path(__file__).parent / "fixtures" / "rapports_partiels"
    target = tmp_path / "partiel"
    shutil.copytree(partiel, target)
    config = (target / "references_france.toml").read_text(encoding="utf-8")
    start = config.index("[sources.territoires]")
    config = config[:start] + config[config.index("[sources.france_2017]") :]
    (target / "france_sans_territoires.toml").write_text(config, encoding="utf-8")
    obs = observatoire.open(target / "france_sans_territoires.toml")
    france = _row(obs, "france", "FR")
    assert france["nom"] == "France (données fictives)"
    gaps = obs.indicateurs.ecarts("QP065901")
    rows = gaps[(gaps["reference"] == "france") & (gaps["indicateur"] == "taux_pauvrete")]
    assert rows["reference_valeur"].notna().all() and len(rows) == 2
