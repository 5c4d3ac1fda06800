"""Analyses de la participation sur de petites tables calculées à la main."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from observatoire.analysis.participation import (
    fidelisation,
    nouveaux_participants,
    participants_uniques,
    presences_enrichies,
    synthese,
    taux_pour_1000,
    tendance,
)
from observatoire.analysis.representativite import (
    QPV_NON,
    QPV_OUI,
    dissimilarite,
    participants_par_groupe,
    population_par_groupe,
    publics_eloignes,
    representativite,
)
from observatoire.schemas.participation import COLONNES_AGE


def events(rows: list[tuple]) -> pd.DataFrame:
    """(id, date, quartiers, dispositif, participants[, colonnes…])."""
    base = []
    for ident, day, quartiers, dispositif, participants, *extra in rows:
        rec = {
            "id": ident,
            "date": pd.Timestamp(day),
            "quartiers": quartiers,
            "dispositif": dispositif,
            "participants": participants,
            "femmes": None,
            "hommes": None,
            "habitants_qpv": None,
            **dict.fromkeys(COLONNES_AGE.values()),
        }
        rec.update(extra[0] if extra else {})
        base.append(rec)
    frame = pd.DataFrame(base)
    frame["annee"] = frame["date"].dt.year
    for col in ["participants", "femmes", "hommes", "habitants_qpv", *COLONNES_AGE.values()]:
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def valeurs(rows: list[tuple]) -> pd.DataFrame:
    """(code, niveau, indicateur, annee, valeur) ; valeur None = secret."""
    return pd.DataFrame(
        [
            {"code": c, "niveau": n, "indicateur": i, "annee": a, "valeur": v,
             "statut": "ok" if v is not None else "secret"}
            for c, n, i, a, v in rows
        ]
    )  # fmt: skip


EV = events(
    [
        ("E1", "2023-01-10", "QN1", "conseil citoyen", 10),
        ("E2", "2023-05-10", "QN1;QN2", "réunion publique", 20),
        ("E3", "2024-02-01", "QN2", "atelier de concertation", None),
        ("E4", "2024-03-01", None, "CCSPL", 6),
    ]
)


def test_evenements_et_participants_par_quartier_et_annee():
    s = synthese(EV, par=("quartier",), periode="annee").set_index(["quartier", "periode"])
    assert s.loc[("QN1", "2023"), ["evenements", "participants"]].tolist() == [2, 20]  # 10 + 20/2
    assert s.loc[("QN2", "2023"), "participants"] == 10
    # E3 : effectif inconnu → participants NA, pas 0 ; l'événement est compté
    assert s.loc[("QN2", "2024"), "evenements"] == 1
    assert s.loc[("QN2", "2024"), "evenements_effectif_connu"] == 0
    assert pd.isna(s.loc[("QN2", "2024"), "participants"])
    assert s.loc[("", "2024"), "participants"] == 6  # tout le territoire


def test_par_dispositif_sans_repartition():
    s = synthese(EV, par=("dispositif",), periode=None).set_index("dispositif")
    assert s.loc["réunion publique", "participants"] == 20
    assert s.loc["réunion publique", "participants_par_evenement"] == 20


def test_taux_pour_1000_habitants_millesime_anterieur_le_plus_proche():
    pop = valeurs(
        [
            ("QN1", "qpv", "population", 2018, 1800.0),
            ("QN1", "qpv", "population", 2021, 2000.0),
            ("QN2", "qpv", "population", 2021, 500.0),
            ("QN3", "qpv", "population", 2021, None),
        ]
    )
    s = taux_pour_1000(synthese(EV, par=("quartier",), periode="annee"), pop)
    s = s.set_index(["quartier", "periode"])
    assert s.loc[("QN1", "2023"), "taux_pour_1000"] == pytest.approx(10.0)  # 20 / 2000
    assert s.loc[("QN1", "2023"), "annee_population"] == 2021
    assert s.loc[("QN2", "2023"), "taux_pour_1000"] == pytest.approx(20.0)  # 10 / 500
    assert pd.isna(s.loc[("", "2024"), "taux_pour_1000"])


PEV = events(
    [
        ("P1", "2023-01-10", "QN1", "conseil citoyen", 4),
        ("P2", "2023-06-01", "QN1", "conseil citoyen", 2),
        ("P3", "2024-03-01", "QN1", "conseil citoyen", 3),
        ("P4", "2025-04-01", "QN1", "conseil citoyen", 3),
    ]
)
PRES = pd.DataFrame(
    {
        "evenement": ["P1", "P1", "P1", "P2", "P2", "P3", "P3", "P3", "P4", "P4", "P4"],
        "personne": ["a", "b", "c", "a", "d", "a", "c", "e", "e", "f", None],
    }
)


def test_participants_uniques_et_part_de_retours():
    u = participants_uniques(presences_enrichies(PRES, PEV)).set_index("annee")
    # 2023 : a, b, c, d (a deux fois) → 4 personnes, 5 présences, 1 revenue
    assert u.loc[2023, ["personnes", "presences", "personnes_revenues"]].tolist() == [4, 5, 1]
    assert u.loc[2023, "part_retours"] == pytest.approx(0.25)
    assert u.loc[2023, "presences_par_personne"] == pytest.approx(1.25)
    # 2025 : la présence non identifiée compte comme présence, pas comme personne
    assert u.loc[2025, ["personnes", "presences"]].tolist() == [2, 3]


def test_nouveaux_participants_par_annee():
    n = nouveaux_participants(presences_enrichies(PRES, PEV)).set_index("periode")
    assert n.loc["2023", ["personnes", "nouveaux"]].tolist() == [4, 4]
    assert n.loc["2024", ["personnes", "nouveaux", "deja_venus"]].tolist() == [3, 1, 2]
    assert n.loc["2025", ["personnes", "nouveaux"]].tolist() == [2, 1]
    assert n.loc["2024", "part_nouveaux"] == pytest.approx(1 / 3)


def test_fidelisation_d_une_annee_a_l_autre():
    f = fidelisation(presences_enrichies(PRES, PEV)).set_index("annee")
    assert f.loc[2023, ["participants", "revenus"]].tolist() == [4, 2]  # a et c
    assert f.loc[2023, "taux_fidelisation"] == pytest.approx(0.5)
    assert f.loc[2024, "taux_fidelisation"] == pytest.approx(1 / 3)  # e
    assert 2025 not in f.index


def test_tendance_montre_les_periodes_sans_evenement():
    t = tendance(EV, periode="trimestre").set_index("periode")
    assert list(t.index) == ["2023-T1", "2023-T2", "2023-T3", "2023-T4", "2024-T1"]
    assert t.loc["2023-T3", "evenements"] == 0 and t.loc["2023-T3", "participants"] == 0
    assert t.loc["2024-T1", "participants"] == 6  # E3 inconnu n'est pas compté comme 0
    assert t.loc["2024-T1", "evenements"] == 2


# ------------------------------------------------------------------ représentativité


def test_participants_par_groupe_ventilation_puis_presences():
    ev = events(
        [
            ("E1", "2024-01-01", "QN1", "conseil citoyen", 10, {"femmes": 6, "habitants_qpv": 7}),
            ("E2", "2024-02-01", "QN1", "conseil citoyen", 3),
        ]
    )
    pres = pd.DataFrame(
        {
            "evenement": ["E2", "E2", "E2"],
            "sexe": ["F", "F", "H"],
            "tranche_age": ["30-44", "0-14", "75+"],
            "habite_qpv": pd.array([True, False, None], dtype="boolean"),
        }
    )
    g = participants_par_groupe(ev, pres).set_index(["dimension", "groupe"])["participants"]
    assert (g[("sexe", "F")], g[("sexe", "H")]) == (8, 5)  # 6 + 2 ; (10 - 6) + 1
    assert (g[("qpv", QPV_OUI)], g[("qpv", QPV_NON)]) == (8, 4)
    assert g[("age", "30-44")] == 1 and g[("age", "75+")] == 1
    assert ("age", "0-14") not in g.index  # tranche exclue par défaut


def test_population_par_groupe_pyramide_et_qpv():
    pyramid = [
        ("QN1", "qpv", f"pop_{s}_{suffix}", 2021, 100.0)
        for s in ("hommes", "femmes")
        for suffix in ("0_14", "15_29", "30_44", "45_59", "60_74", "75_plus")
    ]
    rows = pyramid + [
        ("QN1", "qpv", "pop_hommes_0_14", 2018, 90.0),  # millésime incomplet, ignoré
        ("QN1", "qpv", "population", 2021, 2000.0),
        ("00101", "commune", "population", 2021, 10000.0),
    ]
    terr = pd.DataFrame({"code": ["QN1"], "niveau": ["qpv"], "communes": ["00101"]})
    pop = population_par_groupe(valeurs(rows), terr, ["QN1"]).set_index(["dimension", "groupe"])
    assert pop.loc[("age", "30-44"), "population"] == 200
    assert pop.loc[("sexe", "F"), "population"] == 500  # 5 tranches de 100 (0-14 exclue)
    assert pop.loc[("qpv", QPV_OUI), "population"] == 2000
    assert pop.loc[("qpv", QPV_NON), "population"] == 8000


PART = pd.DataFrame(
    {
        "dimension": ["sexe", "sexe"] + ["age"] * 5,
        "groupe": ["F", "H", "15-29", "30-44", "45-59", "60-74", "75+"],
        "participants": [30, 10, 0, 10, 10, 15, 5],
    }
)
POP = pd.DataFrame(
    {
        "dimension": ["sexe", "sexe"] + ["age"] * 5,
        "groupe": ["F", "H", "15-29", "30-44", "45-59", "60-74", "75+"],
        "population": [500, 500, 200, 200, 200, 200, 200],
    }
)


def test_representativite_parts_et_rapports():
    rep = representativite(PART, POP).set_index("groupe")
    assert rep.loc["F", "part_participants"] == pytest.approx(0.75)
    assert rep.loc["F", "part_population"] == pytest.approx(0.5)
    assert rep.loc["F", "rapport"] == pytest.approx(1.5)
    assert rep.loc["H", "rapport"] == pytest.approx(0.5)
    assert rep.loc["60-74", "rapport"] == pytest.approx(0.375 / 0.2)
    assert rep.loc["15-29", "ecart_points"] == pytest.approx(-20.0)


def test_indice_de_dissimilarite():
    d = dissimilarite(representativite(PART, POP)).set_index("dimension")["indice"]
    assert d["sexe"] == pytest.approx(0.25)  # ½ (0,25 + 0,25)
    assert d["age"] == pytest.approx(0.275)  # ½ (0,2 + 0,05 + 0,05 + 0,175 + 0,075)
    assert d["ensemble"] == pytest.approx((0.25 + 0.275) / 2)


def test_dissimilarite_nulle_si_meme_repartition_et_na_sans_participant():
    same = PART.assign(participants=[50, 50, 1, 1, 1, 1, 1])
    d = dissimilarite(representativite(same, POP)).set_index("dimension")["indice"]
    assert d["sexe"] == 0 and d["age"] == pytest.approx(0)
    nobody = PART.assign(participants=0)
    d = dissimilarite(representativite(nobody, POP)).set_index("dimension")["indice"]
    assert math.isnan(d["sexe"]) and math.isnan(d["ensemble"])


def test_publics_eloignes_selon_le_facteur():
    rep = representativite(PART, POP)
    assert publics_eloignes(rep, facteur=2)["groupe"].tolist() == ["15-29", "H"]
    assert publics_eloignes(rep, facteur=1.5)["groupe"].tolist() == ["15-29", "H", "75+"]
    far = publics_eloignes(rep, facteur=2).set_index("groupe")
    assert far.loc["H", "facteur_sous_representation"] == pytest.approx(2.0)
    assert math.isinf(far.loc["15-29", "facteur_sous_representation"])
    with pytest.raises(ValueError):
        publics_eloignes(rep, facteur=1)
