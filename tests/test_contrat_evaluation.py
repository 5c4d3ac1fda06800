"""Évaluation du contrat de ville (effet levier, concentration, renouvellement,
bénéficiaires, besoins et moyens) sur de petites tables calculées à la main."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from contrat_data import actions, financements

from observatoire.analysis.contrat_evaluation import (
    beneficiaries,
    concentration,
    leverage,
    need_score,
    needs_and_means,
    renewal,
)

NA = pd.NA


def test_effet_levier_par_euro_de_credits_politique_de_la_ville():
    lev = leverage(actions(), financements()).set_index("annee")
    # 2024 : A1 (État 8 000, commune 5 000) + A2 (État 3 000,50, CAF 1 000) ; A3 refusée
    assert lev.loc[2024, "effet_levier"] == pytest.approx(600000 / 1100050)
    assert str(lev.loc[2024, "credits_pv"]) == "11000.50"
    # 2025 : A4 seule (A5 n'a pas de crédits PV) : 2 500,01 / 10 000
    assert lev.loc[2025, "effet_levier"] == pytest.approx(0.250001)
    assert lev.loc[2025, "actions"] == 1
    overall = leverage(actions(), financements(), by=None)
    assert overall["effet_levier"].iloc[0] == pytest.approx(850001 / 2100050)


def test_concentration_part_des_premiers_et_herfindahl():
    c = concentration(actions(), financements(), n=1, by=None).iloc[0]
    # porteurs financés : Cap Avenir 25 500,01 ; Jardins 4 000,50 ; Emploi Plus 2 000
    amounts = [2550001, 400050, 200000]
    total = sum(amounts)
    assert c["porteurs"] == 3
    assert c["part_premiers"] == pytest.approx(100 * 2550001 / total)
    hhi = sum((a / total) ** 2 for a in amounts)
    assert c["herfindahl"] == pytest.approx(hhi)
    assert c["porteurs_equivalents"] == pytest.approx(1 / hhi)
    top10 = concentration(actions(), financements(), n=10, by="annee").set_index("annee")
    assert top10.loc[2025, "part_premiers"] == pytest.approx(100.0)
    assert top10.loc[2025, "herfindahl"] == pytest.approx(
        (1250001 / 1450001) ** 2 + (200000 / 1450001) ** 2
    )


def test_renouvellement_deduit_puis_declare():
    r = renewal(actions()).set_index("annee")
    # 2025 : A4 reprend A1 (même porteur, même intitulé) ; Emploi Plus est nouveau
    assert r.loc[2025, "actions"] == 2
    assert r.loc[2025, "reconduites"] == 1
    assert r.loc[2025, "part_reconduites"] == 50.0
    assert r.loc[2025, "nouveaux_porteurs"] == 1
    assert r.loc[2025, "part_nouveaux_porteurs"] == 50.0
    declared = actions()
    declared.loc[declared["id"] == "A5", "reconduction"] = True
    declared.loc[declared["id"] == "A4", "reconduction"] = False
    r2 = renewal(declared).set_index("annee")
    assert r2.loc[2025, "reconduites"] == 1  # la déclaration du classeur prime
    assert 2024 not in r2.index  # pas d'année précédente


def test_porteur_sans_identifiant_reconnu_par_son_nom():
    a = actions()
    a.loc[a["id"] == "A4", "porteur_id"] = None  # ex. ligne SCDL sans SIRET
    r = renewal(a).set_index("annee")
    assert r.loc[2025, "nouveaux_porteurs"] == 1
    assert r.loc[2025, "reconduites"] == 1


def test_beneficiaires_realises_face_aux_prevus_et_part_qpv():
    a = actions()
    a["beneficiaires_prevus"] = pd.array([100, 40, 10, 120, NA], dtype="Int64")
    a["beneficiaires_realises"] = pd.array([90, 50, NA, NA, 30], dtype="Int64")
    a["beneficiaires_qpv"] = pd.array([60, NA, NA, NA, 30], dtype="Int64")
    b = beneficiaries(a).set_index("annee")
    assert b.loc[2024, "actions_bilan"] == 2  # A3 refusée ne compte pas
    assert b.loc[2024, "prevus"] == 140 and b.loc[2024, "realises"] == 140
    assert b.loc[2024, "taux_realisation"] == 100.0
    assert b.loc[2024, "part_qpv"] == pytest.approx(100 * 60 / 90)
    assert pd.isna(b.loc[2025, "prevus"])  # aucun bilan complet : non renseigné, pas 0
    assert b.loc[2025, "part_qpv"] == 100.0


def valeurs() -> pd.DataFrame:
    rows = [
        ("Q1", "taux_pauvrete", 2018, 99.0, "ok"),
        ("Q1", "taux_pauvrete", 2021, 40.0, "ok"),
        ("Q2", "taux_pauvrete", 2021, 30.0, "ok"),
        ("Q3", "taux_pauvrete", 2021, 20.0, "ok"),
        ("Q4", "taux_pauvrete", 2021, math.nan, "secret"),
        ("Q1", "taux_emploi", 2021, 40.0, "ok"),
        ("Q2", "taux_emploi", 2021, 50.0, "ok"),
        ("Q3", "taux_emploi", 2021, 60.0, "ok"),
        ("Q4", "taux_emploi", 2021, 45.0, "ok"),
    ]
    frame = pd.DataFrame(rows, columns=["code", "indicateur", "annee", "valeur", "statut"])
    frame["niveau"] = "qpv"
    return frame


POL = {"taux_pauvrete": -1, "taux_emploi": 1}


def test_besoin_simple_et_composite():
    single = need_score(valeurs(), {"taux_pauvrete": 1}, POL, ["Q1", "Q2", "Q3", "Q4"], 2021)
    s = single.set_index("quartier")
    assert s["besoin"].tolist()[:3] == [40.0, 30.0, 20.0]
    assert math.isnan(s.loc["Q4", "besoin"]) and s.loc["Q4", "statut"] == "absent"
    older = need_score(valeurs(), {"taux_pauvrete": 1}, POL, ["Q1"], 2019)
    assert older["besoin"].iloc[0] == 99.0
    comp = need_score(
        valeurs(), {"taux_pauvrete": 1, "taux_emploi": 1}, POL, ["Q1", "Q2", "Q3", "Q4"], 2021
    ).set_index("quartier")
    z = 10 / math.sqrt(200 / 3)  # écart à la moyenne / écart-type (population)
    assert comp.loc["Q1", "besoin"] == pytest.approx(z)  # pauvre et peu d'emploi
    assert comp.loc["Q2", "besoin"] == pytest.approx(0.0)
    assert comp.loc["Q3", "besoin"] == pytest.approx(-z)
    assert math.isnan(comp.loc["Q4", "besoin"])  # valeur secrète : jamais imputée


def test_besoins_et_moyens_regression_et_sous_dotation():
    means = pd.DataFrame(
        {"quartier": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"],
         "euros_par_habitant": [12.0, 14.0, 6.0, 18.0, 20.0, 9.0]}
    )  # fmt: skip
    need = pd.DataFrame(
        {"quartier": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"],
         "besoin": [1.0, 2.0, 3.0, 4.0, 5.0, math.nan]}
    )  # fmt: skip
    table, summary = needs_and_means(means, need, seuil=1.0)
    # x moyen 3, y moyen 14 ; Sxx = 10, Sxy = 20 → pente 2, constante 8
    assert summary["pente"] == pytest.approx(2.0)
    assert summary["constante"] == pytest.approx(8.0)
    assert summary["pearson"] == pytest.approx(20 / math.sqrt(10 * 120))
    assert summary["spearman"] == pytest.approx(0.7)
    assert summary["n"] == 5 and summary["exclus"] == ["Q6"]
    t = table.set_index("quartier")
    # résidus 2, 2, −8, 2, 2 ; écart-type sqrt(80 / 3)
    assert t.loc["Q3", "residu"] == pytest.approx(-8.0)
    assert t.loc["Q3", "residu_standardise"] == pytest.approx(-8 / math.sqrt(80 / 3))
    assert summary["sous_dotes"] == ["Q3"]
    assert table["quartier"].iloc[0] == "Q3"  # le plus sous-doté en tête
    assert t.loc["Q3", "rang_besoin"] == 3 and t.loc["Q3", "rang_moyens"] == 5
    assert t.loc["Q3", "ecart_rangs"] == 2


def test_besoins_et_moyens_trop_peu_de_quartiers():
    means = pd.DataFrame({"quartier": ["Q1", "Q2"], "euros_par_habitant": [1.0, 2.0]})
    need = pd.DataFrame({"quartier": ["Q1", "Q2"], "besoin": [10.0, 20.0]})
    table, summary = needs_and_means(means, need)
    assert math.isnan(summary["pente"]) and math.isnan(summary["pearson"])
    assert not table["sous_dote"].any()
