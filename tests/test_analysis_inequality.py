"""Inégalités entre quartiers : dispersion, Theil et sa décomposition, D9/D1."""

from __future__ import annotations

import math

import pytest
from analysis_data import CODES, tables

from observatoire.analysis.inequality import (
    d9_d1,
    inequality_summary,
    spread,
    theil_decomposition,
    theil_index,
)


def test_theil_calcule_a_la_main():
    # μ = 15 ; T = ½ (⅔ ln ⅔ + 4/3 ln 4/3)
    expected = 0.5 * (2 / 3 * math.log(2 / 3) + 4 / 3 * math.log(4 / 3))
    assert theil_index([10, 20], [1, 1]) == pytest.approx(expected)
    assert theil_index([7, 7, 7], [1, 5, 9]) == pytest.approx(0.0)


def test_theil_pondere_par_la_population():
    # 10 pour 2 habitants et 20 pour 1 équivaut à [10, 10, 20]
    assert theil_index([10, 20], [2, 1]) == pytest.approx(theil_index([10, 10, 20]))


def test_decomposition_tout_inter():
    # groupes homogènes : tout est inter ; ½ ln(10/13,33) + ½ ln(20/13,33) = ½ ln(1,125)
    d = theil_decomposition([10, 10, 20], [1, 1, 1], ["a", "a", "b"])
    assert d["intra"] == pytest.approx(0.0)
    assert d["inter"] == pytest.approx(0.5 * math.log(1.125))
    assert d["theil"] == pytest.approx(d["inter"])
    assert d["part_inter"] == pytest.approx(100.0)


def test_decomposition_tout_intra():
    # moyennes de groupe égales (20) : inter nul ; intra = ½ × T([10, 30])
    d = theil_decomposition([10, 30, 20, 20], [1, 1, 1, 1], ["a", "a", "b", "b"])
    t_a = 0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5))
    assert d["inter"] == pytest.approx(0.0, abs=1e-12)
    assert d["intra"] == pytest.approx(0.5 * t_a)
    assert d["theil"] == pytest.approx(d["inter"] + d["intra"])


def test_dispersion():
    import pandas as pd

    s = spread(pd.Series([12000.0, 15000.0, 12000.0, 14000.0], index=list("ABCD")))
    assert (s["min"], s["max"]) == (12000.0, 15000.0)
    assert s["code_max"] == "B"
    assert s["ecart_interquartile"] == pytest.approx(14250 - 12000)
    assert s["rapport_max_min"] == pytest.approx(1.25)


def test_d9_d1_calcule_ou_publie():
    valeurs, _, _, _ = tables()
    table = d9_d1(valeurs, CODES, 2021).set_index("code")
    assert table.loc["QN00001A", "rapport"] == pytest.approx(3.0)
    assert table.loc["QN00001A", "origine"] == "calculé"
    # D1 secret : le rapport interdécile publié est repris, jamais un D1 à 0
    assert table.loc["QN00002A", "rapport"] == pytest.approx(2.5)
    assert table.loc["QN00002A", "origine"] == "publié"
    assert math.isnan(table.loc["QN00005A", "rapport"])


def test_resume_sur_la_fixture():
    valeurs, territoires, _, _ = tables()
    r = inequality_summary(valeurs, territoires, CODES, "revenu_median_uc", 2021)
    assert r["n"] == 4 and r["codes_exclus"] == ("QN00005A",)
    assert r["population_exclue"] == 500
    assert r["rapport_max_min"] == pytest.approx(1.25)
    # groupes par commune principale : 00101 ← A, B, D (D à cheval, 1re commune) ; 00102 ← C
    groupes = r["groupes"].set_index("groupe")
    assert groupes.loc["00101", "population"] == 5000
    assert groupes.loc["00101", "moyenne"] == pytest.approx((12000 + 45000 + 14000) / 5)
    assert r["theil"] == pytest.approx(r["theil_inter"] + r["theil_intra"])
    expected = theil_index([12000, 15000, 12000, 14000], [1000, 3000, 2000, 1000])
    assert r["theil"] == pytest.approx(expected)
    assert len(r["d9_d1"]) == 3
