"""Agrégats pondérés : secret exclu et compté, numérateurs/dénominateurs, petits effectifs."""

from __future__ import annotations

import pytest
from analysis_data import CODES, tables

from observatoire.analysis.aggregates import aggregate_table, lookup_nearest, weighted_aggregate


@pytest.fixture(scope="module")
def data():
    return tables()


def test_moyenne_ponderee_avec_cellule_secrete(data):
    valeurs, _, _, catalogue = data
    agg = weighted_aggregate(valeurs, catalogue, CODES, "taux_pauvrete", 2021)
    # (40×1000 + 20×3000 + 30×2000 + 30×1000) / 7000 ; QN00005A secret exclu
    assert agg["valeur"] == pytest.approx(190000 / 7000)
    assert agg["n_inclus"] == 4
    assert agg["exclus_secret"] == 1
    assert agg["codes_exclus"] == ("QN00005A",)
    # sa population (500, millésime 2020 le plus proche) est annoncée comme laissée de côté
    assert agg["population_exclue"] == pytest.approx(500)
    assert agg["part_population_exclue"] == pytest.approx(500 / 7500 * 100)
    assert "500 habitants" in agg["note"]
    assert "secret statistique" in agg["note"]


def test_secret_jamais_compte_comme_zero(data):
    valeurs, _, _, catalogue = data
    with_secret = weighted_aggregate(valeurs, catalogue, CODES, "taux_pauvrete", 2021)
    without = weighted_aggregate(valeurs, catalogue, CODES[:4], "taux_pauvrete", 2021)
    assert with_secret["valeur"] == pytest.approx(without["valeur"])


def test_rapport_des_sommes_et_petits_denominateurs(data):
    valeurs, _, _, catalogue = data
    agg = weighted_aggregate(valeurs, catalogue, CODES, "taux_chomage", 2021)
    # (50 + 90 + 30 + 10) / (250 + 600 + 100 + 40) × 100
    assert agg["valeur"] == pytest.approx(180 / 990 * 100)
    assert agg["methode"].startswith("rapport des sommes")
    assert agg["exclus_absent"] == 1  # QN00005A n'a pas de ligne
    assert agg["petits_denominateurs"] == ("QN00004A",)  # 40 < 50
    assert "QN00004A" in agg["note"]


def test_somme_pour_un_comptage(data):
    valeurs, _, _, catalogue = data
    agg = weighted_aggregate(valeurs, catalogue, CODES[:4], "population", 2021)
    assert agg["methode"] == "somme"
    assert agg["valeur"] == 7000


def test_poids_au_millesime_le_plus_proche(data):
    valeurs, _, _, _ = data
    pop = lookup_nearest(valeurs, "population", 2021, ["QN00005A", "QN00001A", "INCONNU"])
    assert pop["QN00005A"] == 500
    assert pop["QN00001A"] == 1000
    assert pop.isna()["INCONNU"]


def test_table_des_agregats(data):
    valeurs, _, _, catalogue = data
    table = aggregate_table(valeurs, catalogue, CODES, indicateurs=["taux_pauvrete"])
    assert table["annee"].tolist() == [2018, 2020, 2021]
    assert table.set_index("annee").loc[2021, "n_exclus"] == 1
