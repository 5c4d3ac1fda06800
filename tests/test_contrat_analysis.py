"""Suivi financier du contrat de ville sur une petite programmation calculée à la main.

Cinq actions, deux années, quatre financeurs ; montants en centimes entiers.
A1 cible Q1 et Q2 au prorata de la population (2/3, 1/3), A2 trois quartiers à parts
égales, A5 aucun quartier.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest
from contrat_data import actions, cibles, financements

from observatoire.analysis.contrat import (
    SANS_QUARTIER,
    allocate_cents,
    allocate_to_quartiers,
    allocation_weights,
    euros_per_inhabitant,
    execution_rate,
    latest_population,
    refusal_rate,
    spread,
    totals,
)


def test_allocation_par_plus_forts_restes_garde_la_somme_exacte():
    assert allocate_cents(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate_cents(1300000, [2 / 3, 1 / 3]) == [866667, 433333]
    assert allocate_cents(1, [0.5, 0.5]) == [1, 0]
    assert sum(allocate_cents(1234567, [0.1, 0.2, 0.3, 0.4])) == 1234567


def test_poids_egaux_ou_population_avec_repli():
    targets = pd.DataFrame(
        {"action": ["A", "A", "B", "B", "C"], "quartier": ["Q1", "Q2", "Q1", "Q4", "Q3"]}
    )
    equal = allocation_weights(targets, mode="egale")
    assert equal["poids"].tolist() == [0.5, 0.5, 0.5, 0.5, 1.0]
    pop = allocation_weights(targets, {"Q1": 3000, "Q2": 1000, "Q3": 500}, "population")
    assert pop["poids"].tolist() == [0.75, 0.25, 0.5, 0.5, 1.0]
    # Q4 sans population : l'action B repasse à parts égales, signalée
    assert pop["repli"].tolist() == [False, False, True, True, False]
    with pytest.raises(ValueError, match="pondération"):
        allocation_weights(targets, mode="surface")


def test_population_du_dernier_millesime_connu():
    valeurs = pd.DataFrame(
        {
            "code": ["Q1", "Q1", "Q2", "Q2"],
            "niveau": "qpv",
            "indicateur": "population",
            "annee": [2018, 2021, 2018, 2021],
            "valeur": [2900.0, 3000.0, 950.0, math.nan],
            "statut": ["ok", "ok", "ok", "secret"],
        }
    )
    assert latest_population(valeurs) == {"Q1": 3000.0, "Q2": 950.0}
    assert latest_population(valeurs, annee=2019) == {"Q1": 2900.0, "Q2": 950.0}


def test_totaux_par_annee_exacts_au_centime():
    t = totals(actions(), financements(), by="annee").set_index("annee")
    assert t.loc[2024, "demande"] == Decimal("23000.50")
    assert t.loc[2024, "accorde"] == Decimal("17000.50")
    assert t.loc[2024, "verse"] == Decimal("9500.25")
    assert t.loc[2025, "accorde"] == Decimal("14500.01")
    assert t.loc[2025, "verse"] == Decimal("2000.00")
    assert t["actions"].tolist() == [3, 2]
    total = totals(actions(), financements(), by=None)
    assert total["accorde"].iloc[0] == Decimal("31500.51")


def test_totaux_par_financeur_pilier_thematique():
    f = totals(actions(), financements(), by="financeur").set_index("financeur")
    assert f.loc["État", "demande"] == Decimal("27000.50")
    assert f.loc["État", "accorde"] == Decimal("21000.50")
    assert f.loc["État", "verse"] == Decimal("9500.25")
    # aucune demande renseignée pour l'EPCI : vide, pas 0
    assert f.loc["EPCI", "demande"] is None
    assert f.loc["EPCI", "accorde"] == Decimal("2500.01")
    p = totals(actions(), financements(), by="pilier").set_index("pilier")
    assert p.loc["Cohésion sociale", "accorde"] == Decimal("25500.01")
    assert p.loc["Cohésion sociale", "actions"] == 3
    th = totals(actions(), financements(), by=["annee", "thematique"])
    assert th.set_index(["annee", "thematique"]).loc[(2025, "Éducation"), "accorde"] == Decimal(
        "12500.01"
    )


def test_ventilation_multi_quartiers_exacte():
    alloc = allocate_to_quartiers(actions(), financements(), cibles())
    a1 = alloc[alloc["action"] == "A1"].set_index("quartier")["accorde_centimes"]
    assert a1.to_dict() == {"Q1": 866667, "Q2": 433333}
    q = totals(actions(), financements(), cibles(), by="quartier").set_index("quartier")
    assert q.loc["Q1", "accorde"] == Decimal("22500.18")
    assert q.loc["Q2", "accorde"] == Decimal("5666.83")
    assert q.loc["Q3", "accorde"] == Decimal("1333.50")
    assert q.loc[SANS_QUARTIER, "accorde"] == Decimal("2000.00")
    assert sum(q["accorde"]) == Decimal("31500.51")  # = total général, au centime


def test_taux_de_refus():
    r = refusal_rate(actions(), financements()).set_index("annee")
    assert r.loc[2024, "dossiers_decides"] == 3
    assert r.loc[2024, "taux_refus"] == pytest.approx(100 / 3)
    assert r.loc[2024, "taux_refus_montant"] == pytest.approx(100 * 400000 / 2300050)
    assert r.loc[2025, "taux_refus"] == 0


def test_taux_execution_sur_les_versements_connus():
    e = execution_rate(actions(), financements()).set_index("annee")
    assert e.loc[2024, "accorde"] == Decimal("11000.50")
    assert e.loc[2024, "verse"] == Decimal("9500.25")
    assert e.loc[2024, "taux_execution"] == pytest.approx(100 * 950025 / 1100050)
    assert e.loc[2024, "lignes_sans_verse"] == 2
    assert e.loc[2025, "taux_execution"] == pytest.approx(100.0)


def test_euros_par_habitant_et_dispersion():
    alloc = allocate_to_quartiers(actions(), financements(), cibles())
    pop = {"Q1": 3000.0, "Q2": 1000.0, "Q3": 500.0}
    e = euros_per_inhabitant(alloc, pop, quartiers=["Q1", "Q2", "Q3", "Q4"]).set_index("quartier")
    assert e.loc["Q1", "euros_par_habitant"] == pytest.approx(22500.18 / 3000)
    assert e.loc["Q3", "euros_par_habitant"] == pytest.approx(2.667)
    assert e.loc["Q4", "montant"] == Decimal("0.00")  # aucune action : un vrai zéro
    assert math.isnan(e.loc["Q4", "euros_par_habitant"])  # population inconnue
    assert SANS_QUARTIER not in e.index
    s = spread(pd.Series([1.0, 2.0, 3.0, 4.0, math.nan]))
    assert s["n"] == 4
    assert s["moyenne"] == 2.5 and s["mediane"] == 2.5
    assert s["ecart_type"] == pytest.approx(math.sqrt(1.25))
    assert s["coefficient_variation"] == pytest.approx(100 * math.sqrt(1.25) / 2.5)
    assert s["rapport_max_min"] == 4.0
    assert s["ecart_interquartile"] == pytest.approx(1.5)
