"""Rangs des quartiers avec ex-aequo et sens selon la polarité."""

from __future__ import annotations

import pandas as pd
import pytest
from analysis_data import CODES, tables

from observatoire.analysis.ranks import ranks


@pytest.fixture(scope="module")
def data():
    return tables()


def test_rangs_avec_ex_aequo_polarite_negative(data):
    valeurs, _, _, catalogue = data
    r = ranks(valeurs, catalogue, CODES, ["taux_pauvrete"], [2021]).set_index("code")
    # 40 > 30 = 30 > 20 ; QN00005A secret : non classé
    assert r.loc["QN00001A", "rang"] == 1
    assert r.loc["QN00003A", "rang"] == 2
    assert r.loc["QN00004A", "rang"] == 2
    assert r.loc["QN00002A", "rang"] == 4
    assert bool(r.loc["QN00003A", "ex_aequo"]) and bool(r.loc["QN00004A", "ex_aequo"])
    assert not bool(r.loc["QN00001A", "ex_aequo"])
    assert pd.isna(r.loc["QN00005A", "rang"])
    assert (r["n_classes"] == 4).all()


def test_rangs_polarite_positive_revenu(data):
    valeurs, _, _, catalogue = data
    r = ranks(valeurs, catalogue, CODES, ["revenu_median_uc"]).set_index("code")
    # revenu le plus bas = le plus défavorable : 12 000 (×2) puis 14 000 puis 15 000
    assert r.loc["QN00001A", "rang"] == 1 and r.loc["QN00003A", "rang"] == 1
    assert r.loc["QN00004A", "rang"] == 3
    assert r.loc["QN00002A", "rang"] == 4
    assert "plus basse" in r.loc["QN00002A", "sens"]


def test_rang_parmi_le_territoire_et_parmi_tous(data):
    valeurs, _, _, catalogue = data
    r = ranks(valeurs, catalogue, ["QN00002A", "QN00003A"], ["taux_pauvrete"], [2021])
    r = r.set_index("code")
    assert r.loc["QN00003A", "rang"] == 1 and r.loc["QN00002A", "rang"] == 2
    assert r.loc["QN00003A", "n_classes"] == 2
    assert r.loc["QN00003A", "rang_tous"] == 2 and r.loc["QN00002A", "rang_tous"] == 4
    assert r.loc["QN00002A", "n_tous"] == 4


def test_generations_jamais_classees_ensemble(data):
    valeurs, territoires, _, catalogue = data
    # en 2018, des quartiers 2015 (QP000001 : 43 %) et 2024 (QN00001A : 42 %) ont une valeur
    r = ranks(valeurs, catalogue, ["QN00001A", "QN00002A"], ["taux_pauvrete"], [2018], territoires)
    r = r.set_index("code")
    assert r.loc["QN00001A", "rang_tous"] == 1  # QP000001 (43 %) n'est pas dans le classement
    assert r.loc["QN00001A", "n_tous"] == 2
