"""Territoire de démonstration : génération déterministe, formes réelles, cohérence.

On génère le territoire fictif dans un dossier temporaire, on le recharge par la
configuration comme le ferait un agent, et on vérifie ce que les rapports
supposent : tailles, géographie plausible, indicateurs cohérents, secrets.
"""

from __future__ import annotations

import filecmp
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

import observatoire
from observatoire.demo.generator import generate_demo
from observatoire.sources.values import check_code

REPO_DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
REFERENCE_LEVELS = ("commune", "epci", "departement", "france", "ensemble_qpv")


def _files(folder: Path) -> dict[str, Path]:
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("demo")
    generate_demo(dest, n_quartiers=14, seed=2024)
    return dest


@pytest.fixture(scope="module")
def obs(demo_dir):
    return observatoire.open(demo_dir / "observatoire.toml")


# ------------------------------------------------------------------ déterminisme


def test_same_seed_gives_same_bytes(demo_dir, tmp_path):
    config = generate_demo(tmp_path / "encore", n_quartiers=14, seed=2024)
    first, second = _files(demo_dir), _files(config.parent)
    assert list(first) == list(second)
    different = [name for name in first if first[name].read_bytes() != second[name].read_bytes()]
    assert different == []


def test_other_seed_gives_other_territory(demo_dir, tmp_path):
    config = generate_demo(tmp_path / "autre", n_quartiers=14, seed=7)
    name = "geographie/contours_qpv_2024.geojson"
    assert (config.parent / name).read_bytes() != (demo_dir / name).read_bytes()


def test_committed_demo_is_a_fresh_regeneration(tmp_path):
    config = generate_demo(tmp_path / "frais", n_quartiers=14, seed=2024)
    committed, fresh = _files(REPO_DEMO), _files(config.parent)
    assert sorted(committed) == sorted(fresh), "data/demo/ n'est pas à jour : make demo-data"
    _match, mismatch, errors = filecmp.cmpfiles(
        REPO_DEMO, config.parent, list(fresh), shallow=False
    )
    assert mismatch == [] and errors == []


def test_committed_demo_stays_small():
    total = sum(p.stat().st_size for p in _files(REPO_DEMO).values())
    assert 50_000 < total < 5 * 1024 * 1024


# ------------------------------------------------------------------ géographie


def test_sizes_and_generations(obs):
    quartiers = obs.quartiers
    assert len(quartiers) >= 12
    communes = set(";".join(quartiers["communes"]).split(";"))
    assert len(communes) >= 4
    assert (quartiers["communes"].str.count(";") == 1).sum() >= 1  # un quartier sur deux communes
    t = obs.territoires
    assert ((t["niveau"] == "qpv") & (t["generation"] == 2015)).sum() >= 12
    for code, niveau in zip(t["code"], t["niveau"], strict=True):
        assert check_code(code, niveau) is None, (code, niveau)


def test_correspondence_has_split_merge_exit_and_entry(obs):
    corr = obs.correspondances
    relations = set(corr["relation"])
    assert {"scission", "fusion", "sortie", "entree", "identique"} <= relations
    split = corr[corr["relation"] == "scission"]
    assert split.groupby("code_2015")["part"].sum().round(3).eq(1.0).all()
    assert corr.loc[corr["relation"] == "sortie", "code_2024"].isna().all()
    assert corr.loc[corr["relation"] == "entree", "code_2015"].isna().all()
    codes_2024 = set(obs.quartiers["code"])
    assert set(corr["code_2024"].dropna()) <= codes_2024


def test_polygons_are_irregular_and_inside_their_communes(obs):
    communes = obs.communes_contours.set_index("code").geometry
    contours = obs.contours
    assert (contours["generation"] == 2024).sum() == len(obs.quartiers)
    assert (contours["generation"] == 2015).sum() >= 12
    for row in contours.itertuples():
        geom = row.geometry
        assert geom.is_valid and not geom.is_empty
        assert len(shapely.get_coordinates(geom)) > 12
        assert geom.area / geom.minimum_rotated_rectangle.area < 0.85  # pas un rectangle
        home = shapely.union_all([communes[c] for c in row.communes.split(";")])
        assert home.buffer(1.0).contains(geom), row.code
    agglo = shapely.union_all(list(communes))
    assert agglo.geom_type == "Polygon"  # communes jointives


def test_territory_is_in_the_atlantic(demo_dir):
    doc = json.loads((demo_dir / "geographie" / "contours_qpv_2024.geojson").read_text("utf-8"))
    coords = np.array(
        [xy for f in doc["features"] for ring in f["geometry"]["coordinates"] for xy in ring]
    )
    assert coords[:, 0].min() > -6.5 and coords[:, 0].max() < -4.5
    assert coords[:, 1].min() > 45.5 and coords[:, 1].max() < 46.5


def test_national_scale_spreads_over_many_communes_and_epci(tmp_path):
    from observatoire.demo.geography import build_geography

    geo = build_geography(np.random.default_rng(3), n_quartiers=80)
    model = geo.model
    assert len(model.quartiers) == 80
    assert len(model.epcis) >= 4 and len(model.departements) >= 2
    assert len({q.code for q in model.quartiers}) == 80
    assert all(check_code(q.code, "qpv") is None for q in model.quartiers + model.quartiers_2015)
    assert all(check_code(c.code, "commune") is None for c in model.communes)


def test_national_scale_keeps_the_requested_count():
    from observatoire.demo.geography import _agglo_sizes

    for seed in range(60):
        sizes = _agglo_sizes(np.random.default_rng(seed), 1600 + seed)
        assert sum(sizes) == 1600 + seed and min(sizes) >= 3


# ------------------------------------------------------------------ indicateurs


def test_at_least_25_indicators_over_3_years_for_qpv_and_references(obs):
    v = obs.valeurs
    q24 = set(obs.quartiers["code"])
    qpv = v[v["code"].isin(q24)]
    per_year = qpv.groupby("annee")["indicateur"].nunique()
    assert (per_year >= 25).sum() >= 3
    for niveau in REFERENCE_LEVELS:
        ref = v[v["niveau"] == niveau].groupby("annee")["indicateur"].nunique()
        assert (ref >= 25).sum() >= 3, niveau
    q15 = set(obs.territoires.query("niveau == 'qpv' and generation == 2015")["code"])
    years_2015 = set(v[v["code"].isin(q15)]["annee"])
    assert years_2015 == {2016, 2018}


def _wide(obs, year: int) -> pd.DataFrame:
    v = obs.valeurs[(obs.valeurs["annee"] == year) & (obs.valeurs["statut"] == "ok")]
    return v.pivot_table(index=["code", "niveau"], columns="indicateur", values="valeur")


def test_quartiers_are_poorer_than_their_communes(obs):
    w = _wide(obs, 2021)
    for q in obs.quartiers.itertuples():
        for commune in q.communes.split(";"):
            assert (
                w.loc[(q.code, "qpv"), "taux_pauvrete"]
                > w.loc[(commune, "commune"), "taux_pauvrete"]
            )
            assert (
                w.loc[(q.code, "qpv"), "revenu_median_uc"]
                < w.loc[(commune, "commune"), "revenu_median_uc"]
            )


def test_values_are_coherent(obs):
    from observatoire.demo.indicators import PYRAMIDE

    v = obs.valeurs[obs.valeurs["statut"] == "ok"]
    percent = v[v["indicateur"].str.startswith(("part_", "taux_"))]
    assert percent["valeur"].between(0, 100).all()
    for year in (2018, 2020, 2021):
        w = _wide(obs, year).dropna(subset=["revenu_d1_uc", "revenu_d9_uc"])
        assert (w["revenu_d1_uc"] < w["revenu_median_uc"]).all()
        assert (w["revenu_median_uc"] < w["revenu_d9_uc"]).all()
        full = _wide(obs, year).dropna(subset=PYRAMIDE)
        assert len(full) > 20
        assert (full[PYRAMIDE].sum(axis=1) == full["population"]).all()
        ages = full[["part_0_14", "part_15_24", "part_25_59", "part_60_plus"]].sum(axis=1)
        assert ages.between(99.7, 100.3).all()


def test_secret_cells_keep_their_status(obs):
    v = obs.valeurs
    secret = v[v["statut"] == "secret"]
    assert len(secret) >= 5 and secret["valeur"].isna().all()
    assert secret["tranche"].notna().any()  # une valeur publiée en tranche
    assert (v["statut"] == "absent").any()  # des « nd »
    assert set(secret["niveau"]) == {"qpv"}


# ------------------------------------------------------------------ formes et mentions


def test_files_have_real_world_shapes(demo_dir):
    geo = demo_dir / "geographie"
    liste = (geo / "liste_qpv_2024.csv").read_text("utf-8").splitlines()
    assert liste[0].startswith("code_qp;lib_qp;insee_reg;lib_reg;insee_dep")
    assert any(';="001' in line for line in liste) and any(';"001' in line for line in liste)
    census = next((demo_dir / "indicateurs").glob("population_qp2024_*.csv")).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        census.decode("utf-8")
    text = census.decode("cp1252")
    assert ";NIVGEO;" in text.splitlines()[1] and "," in text.splitlines()[2]
    long = (demo_dir / "indicateurs" / "prestations_emploi_qp2024.csv").read_bytes()
    assert long.startswith(b"\xef\xbb\xbfcode_geo,")
    assert (geo / "communes.prj").read_text().find("Lambert") >= 0


def test_every_file_says_fictitious(demo_dir):
    from openpyxl import load_workbook

    mention = "Données fictives"
    for name in ("indicateurs/qp2015/indicateurs_qp2015_2016.csv",):
        assert mention in (demo_dir / name).read_text("cp1252").splitlines()[0]
    for path in (demo_dir / "indicateurs").glob("population_*.csv"):
        assert mention in path.read_text("cp1252").splitlines()[0]
    for path in (demo_dir / "indicateurs").glob("*.xlsx"):
        wb = load_workbook(path)
        assert wb.sheetnames == ["Documentation", "Données"]
        assert mention in wb["Documentation"]["A1"].value and mention in wb["Données"]["A1"].value
        year = path.stem[-4:]  # le millésime n'est que dans le nom du fichier
        assert year not in wb["Données"]["A1"].value + wb["Données"]["A2"].value
        assert wb.properties.created.year == 2024
    doc = json.loads((demo_dir / "geographie" / "contours_qpv_2024.geojson").read_text("utf-8"))
    assert mention in doc["description"]
    assert mention in (demo_dir / "LISEZMOI.md").read_text("utf-8")
    for name in ("correspondance_qpv_2015_2024.csv", "territoires_reference.csv"):
        assert mention in (demo_dir / "geographie" / name).read_text("utf-8").splitlines()[0]


def test_config_is_fictitious_and_commented(demo_dir, obs):
    text = (demo_dir / "observatoire.toml").read_text("utf-8")
    config = tomllib.loads(text)
    assert config["territoire"]["fictif"] is True
    assert "(données fictives)" in config["territoire"]["nom"]
    assert obs.fictif
    lines = text.splitlines()
    mine = {"qpv_liste", "territoires", "correspondance", "contours", "communes_contours",
            "indicateurs"}  # fmt: skip
    for name, spec in config["sources"].items():
        if spec["type"] not in mine:
            continue
        at = lines.index(f"[sources.{name}]")
        assert lines[at - 1].startswith("#"), f"[sources.{name}] sans commentaire"


# ------------------------------------------------------------------ commande


def test_cli_writes_demo_and_refuses_bad_count(tmp_path, capsys):
    from observatoire.cli import main

    assert main(["demo", "--dest", str(tmp_path / "d"), "--quartiers", "12", "--graine", "5"]) == 0
    assert (tmp_path / "d" / "observatoire.toml").exists()
    assert "données fictives" in capsys.readouterr().out
    assert main(["demo", "--dest", str(tmp_path / "e"), "--quartiers", "2"]) == 2
    assert "--quartiers : valeur hors bornes (2)" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()
