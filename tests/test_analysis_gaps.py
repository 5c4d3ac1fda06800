"""Écarts aux références et synthèse, sur de petites tables faites main."""

from __future__ import annotations

import pandas as pd
import pytest
from analysis_data import tables

from observatoire.analysis.gaps import gaps, gaps_wide
from observatoire.analysis.synthese import synthese


@pytest.fixture(scope="module")
def data():
    return tables()


def _row(table, code, ind, annee, ref):
    sel = table[
        (table["code"] == code)
        & (table["indicateur"] == ind)
        & (table["annee"] == annee)
        & (table["reference"] == ref)
    ]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_ecarts_en_points_et_en_rapport(data):
    valeurs, territoires, _, catalogue = data
    table = gaps(valeurs, territoires, catalogue, codes=["QN00001A"])
    # 40 % dans le quartier contre 15 % dans sa commune, 14,5 % en France
    commune = _row(table, "QN00001A", "taux_pauvrete", 2021, "commune")
    assert commune["reference_code"] == "00101"
    assert commune["reference_nom"] == "Bourg-Fictif"
    assert commune["ecart"] == pytest.approx(25.0)
    assert commune["rapport"] == pytest.approx(40 / 15)
    assert bool(commune["defavorable"]) is True
    france = _row(table, "QN00001A", "taux_pauvrete", 2021, "france")
    assert france["ecart"] == pytest.approx(25.5)
    # plus bas que l'ensemble des QPV (43,3 %) : écart favorable
    ens = _row(table, "QN00001A", "taux_pauvrete", 2021, "ensemble_qpv")
    assert ens["ecart"] == pytest.approx(-3.3)
    assert bool(ens["defavorable"]) is False
    # l'ordre des références suit la configuration
    refs = table[(table["indicateur"] == "taux_pauvrete") & (table["annee"] == 2021)]
    assert refs["reference"].tolist() == [
        "commune",
        "epci",
        "departement",
        "france",
        "ensemble_qpv",
    ]


def test_quartier_multi_communes_reference_ponderee(data):
    valeurs, territoires, _, catalogue = data
    table = gaps(valeurs, territoires, catalogue, codes=["QN00004A"], references=["commune"])
    row = _row(table, "QN00004A", "taux_pauvrete", 2021, "commune")
    # (15 % × 10 000 hab. + 24 % × 5 000 hab.) / 15 000 hab. = 18 %
    assert row["reference_valeur"] == pytest.approx(18.0)
    assert row["ecart"] == pytest.approx(12.0)
    assert row["reference_nom"] == "Bourg-Fictif et Val-Fictif"
    assert "combinaison de 2 communes" in row["note"]


def test_reference_secrete_jamais_zero(data):
    valeurs, territoires, _, catalogue = data
    table = gaps(valeurs, territoires, catalogue, codes=["QN00001A", "QN00005A"])
    # 2018 : la commune 00102 est secrète ; 2020 : pas de valeur communale
    row = _row(table, "QN00001A", "taux_pauvrete", 2020, "commune")
    assert row["reference_statut"] == "absent"
    assert row["ecart"] != row["ecart"]  # NaN
    secret = _row(table, "QN00005A", "taux_pauvrete", 2021, "commune")
    assert secret["statut"] == "secret"
    assert secret["ecart"] != secret["ecart"]
    assert pd.isna(secret["defavorable"])


def test_multi_communes_dont_une_secrete_non_calculee(data):
    valeurs, territoires, _, catalogue = data
    table = gaps(valeurs, territoires, catalogue, codes=["QN00004A"], annees=[2021])
    # population 2021 des deux communes connue, chômage communal inconnu : absent
    row = _row(table, "QN00004A", "taux_chomage", 2021, "commune")
    assert row["reference_statut"] == "absent"


def test_polarite_favorable_revenu(data):
    valeurs, territoires, _, catalogue = data
    v = valeurs.copy()
    extra = v[(v["code"] == "00101") & (v["indicateur"] == "population")].assign(
        indicateur="revenu_median_uc", valeur=21000.0
    )
    v = pd.concat([v, extra], ignore_index=True)
    table = gaps(v, territoires, catalogue, codes=["QN00001A"], indicateurs=["revenu_median_uc"])
    row = _row(table, "QN00001A", "revenu_median_uc", 2021, "commune")
    # revenu plus bas que la commune (polarité +1) : défavorable
    assert row["ecart"] == pytest.approx(-9000.0)
    assert bool(row["defavorable"]) is True


def test_vue_large(data):
    valeurs, territoires, _, catalogue = data
    wide = gaps_wide(gaps(valeurs, territoires, catalogue, codes=["QN00001A"], annees=[2021]))
    row = wide[wide["indicateur"] == "taux_pauvrete"].iloc[0]
    assert row["france"] == pytest.approx(14.5)
    assert row["ecart_commune"] == pytest.approx(25.0)


def test_synthese_trie_les_ecarts(data):
    valeurs, territoires, _, catalogue = data
    table = gaps(valeurs, territoires, catalogue)
    top = synthese(table, catalogue, "QN00001A")
    assert top.iloc[0]["indicateur"] == "taux_pauvrete"
    assert top.iloc[0]["sens"] == "défavorable"
    assert "40,0\u00a0%" in top.iloc[0]["phrase"]
    assert "14,5\u00a0%" in top.iloc[0]["phrase"]
    # écart à la France (25,5 pts) plus marqué qu'à la commune (25 pts)
    assert top.iloc[0]["reference"] == "france"
    assert top["score"].is_monotonic_decreasing
    # les comptages (population) ne figurent pas dans la synthèse
    assert "population" not in set(top["indicateur"])
