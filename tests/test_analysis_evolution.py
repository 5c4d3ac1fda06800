"""Évolutions : millésimes non consécutifs par défaut, changement de géographie marqué."""

from __future__ import annotations

import pytest
from analysis_data import tables

from observatoire.analysis.evolution import evolution, generation_of, series


@pytest.fixture(scope="module")
def data():
    return tables()


def test_par_defaut_millesimes_non_consecutifs(data):
    valeurs, territoires, corr, catalogue = data
    e = evolution(valeurs, territoires, corr, catalogue, ["QN00001A"], ["taux_pauvrete"])
    row = e.iloc[0]
    # 2018 → 2021 dans la géographie 2024 (2020 → 2021 serait consécutif)
    assert (row["annee_debut"], row["annee_fin"]) == (2018, 2021)
    assert row["evolution"] == pytest.approx(-2.0)
    assert not row["traverse_geographie"] and not row["consecutifs"]
    assert bool(row["defavorable"]) is False  # la pauvreté baisse
    assert "prudence" in row["avertissement"]  # revenus / pauvreté


def test_millesimes_consecutifs_demandes_avertissement(data):
    valeurs, territoires, corr, catalogue = data
    e = evolution(
        valeurs, territoires, corr, catalogue, ["QN00001A"], ["taux_pauvrete"], 2020, 2021
    )
    row = e.iloc[0]
    assert row["consecutifs"]
    assert "consécutifs" in row["avertissement"]
    assert row["evolution"] == pytest.approx(-1.0)


def test_serie_traversant_la_geographie_marquee(data):
    valeurs, territoires, corr, _ = data
    s = series(valeurs, territoires, corr, "QN00001A", "taux_pauvrete")
    assert s["annee"].tolist() == [2016, 2018, 2020, 2021]
    first = s.iloc[0]
    assert first["code_source"] == "QP000001" and first["traverse_geographie"]
    assert first["relation"] == "identique" and first["comparable"]
    # 2018 existe dans les deux géographies : la génération du quartier l'emporte
    assert s.set_index("annee").loc[2018, "code_source"] == "QN00001A"


def test_evolution_identique_traverse_marquee(data):
    valeurs, territoires, corr, catalogue = data
    e = evolution(
        valeurs,
        territoires,
        corr,
        catalogue,
        ["QN00001A", "QN00002A"],
        ["taux_pauvrete"],
        traverser=True,
    ).set_index("code")
    ident = e.loc["QN00001A"]
    assert (ident["annee_debut"], ident["code_debut"]) == (2016, "QP000001")
    assert ident["evolution"] == pytest.approx(-4.0)
    assert ident["traverse_geographie"] and ident["comparable"]
    assert "changement de géographie" in ident["avertissement"]
    # fusion de deux quartiers 2015 : jamais jointe
    fusion = e.loc["QN00002A"]
    assert fusion["traverse_geographie"] and not fusion["comparable"]
    assert fusion["evolution"] != fusion["evolution"]  # NaN
    assert fusion["valeur_debut"] != fusion["valeur_debut"]
    assert "fusion" in fusion["avertissement"]


def test_quartier_sans_valeur_propre_ne_traverse_pas(data):
    """Seul l'ancien quartier a des valeurs : pas d'évolution (ni d'erreur) sans traverser."""
    valeurs, territoires, corr, catalogue = data
    mine = valeurs[valeurs["code"] != "QN00001A"]
    e = evolution(mine, territoires, corr, catalogue, ["QN00001A"], ["taux_pauvrete"])
    assert e.empty
    crossed = evolution(
        mine, territoires, corr, catalogue, ["QN00001A"], ["taux_pauvrete"], traverser=True
    )
    assert crossed.iloc[0]["code_debut"] == "QP000001"
    assert crossed.iloc[0]["traverse_geographie"]


def test_generation_par_table_ou_prefixe(data):
    _, territoires, _, _ = data
    assert generation_of("QP000002", territoires) == 2015
    assert generation_of("QN09999Z") == 2024
