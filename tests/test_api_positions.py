"""Lectures par positions de ``obs.indicateurs`` : mêmes lignes qu'un filtrage des tables."""

from __future__ import annotations

import pandas as pd

from observatoire.publish.sections.groupe import GroupView


def test_values_of_comme_un_filtre_dans_l_ordre_de_la_table(obs_demo):
    api = obs_demo.indicateurs
    codes = ["QN00003A", "00101", "QN00001A", "inconnu", "QN00001A"]
    v = obs_demo.valeurs
    expected = v[v["code"].isin(codes)]
    pd.testing.assert_frame_equal(api.values_of(codes), expected)
    assert api.values_of(["inconnu"]).empty


def test_annees_des_ecarts(obs_demo):
    api = obs_demo.indicateurs
    assert api.annees_ecarts() == sorted(set(api.ecarts()["annee"]))


def test_api_restreinte_a_un_groupe_de_quartiers(obs_demo):
    api = obs_demo.indicateurs
    group = ("QN00001A", "QN00002A", "QN00004A")
    restricted = api.restricted(GroupView(obs_demo, group))
    assert sorted(restricted.codes) == sorted(group)
    # les index partagés donnent les mêmes lignes que sur le territoire entier
    pd.testing.assert_frame_equal(restricted.values_of(group), api.values_of(group))
    pd.testing.assert_frame_equal(
        restricted.ecarts("QN00002A").reset_index(drop=True),
        api.ecarts("QN00002A").reset_index(drop=True),
    )
