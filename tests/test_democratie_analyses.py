"""Analyses de la démocratie participative : fonctions pures et ``obs.democratie``.

Chaque cas est un petit tableau fait main dont les résultats sont calculés à la main
(commentaires) ; le mini-territoire fictif ``tests/fixtures/democratie_analyses`` fournit
quartiers et populations, les tables de la démocratie y sont posées à la main.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from observatoire.analysis import concertations as ca
from observatoire.errors import ConfigError
from observatoire.schemas import empty_table
from observatoire.territory import Observatoire

FIX = Path(__file__).resolve().parent / "fixtures" / "democratie_analyses"
D = pd.Timestamp


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    """Table canonique ``name`` faite main (colonnes manquantes : NA, types du schéma)."""
    empty = empty_table(name)
    frame = pd.DataFrame(rows)
    for column in empty.columns:
        if column not in frame:
            frame[column] = pd.NA
    extra = [c for c in frame.columns if c not in empty.columns]
    frame = frame[[*empty.columns, *extra]]
    for column, dtype in empty.dtypes.items():
        if str(dtype) == "datetime64[ns]":
            frame[column] = pd.to_datetime(frame[column])
        elif str(dtype) in ("int64", "bool") and frame[column].isna().any():
            continue  # colonne calculée ensuite (ex. année des événements)
        elif str(dtype) != "object":
            frame[column] = frame[column].astype(dtype)
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["source"] = "main"
    return frame


def events(rows: list[dict]) -> pd.DataFrame:
    base = {"dispositif": "atelier de concertation", "origine": "feuille", "quartiers": ""}
    frame = table("evenements", [{**base, **r} for r in rows])
    frame["annee"] = frame["date"].dt.year.astype(int)
    return frame


# --------------------------------------------------------------------------- concertations
CONCERTATIONS = [
    {"id": "C1", "objet": "Place du marché", "service": "Urbanisme", "niveau": "concertation",
     "quartiers": "QN00001A", "debut": "2025-01-10", "fin": "2025-03-31", "annee": 2025,
     "dispositifs": "atelier de concertation;balade urbaine", "statut": "terminée",
     "date_bilan": "2025-05-15"},
    {"id": "C2", "objet": "Plan vélo", "service": None, "niveau": "information",
     "quartiers": None, "debut": "2025-02-01", "fin": "2025-02-28", "annee": 2025,
     "dispositifs": "réunion publique", "statut": "terminée"},
    {"id": "C3", "objet": "Jardins partagés", "service": "Urbanisme", "niveau": "co-construction",
     "quartiers": "QN00001A;QN00002B", "debut": "2024-09-01", "fin": "2024-12-31", "annee": 2024,
     "dispositifs": None, "statut": "terminée", "date_bilan": "2025-03-01"},
    {"id": "C4", "objet": "Parc des Sports", "service": "Sports", "niveau": "concertation",
     "quartiers": "QN00002B", "debut": "2025-06-01", "annee": 2025, "statut": "en cours"},
]  # fmt: skip
CONTRIBUTIONS = [
    {"id": "K1", "demarche": "C1", "theme": "mobilité", "suite": "retenue"},
    {"id": "K2", "demarche": "C1", "theme": "mobilité", "suite": "partiellement retenue"},
    {"id": "K3", "demarche": "C1", "theme": "propreté", "suite": "non retenue"},
    {"id": "K4", "demarche": "C1", "theme": None, "suite": "hors sujet"},
    {"id": "K5", "demarche": "C1", "theme": "mobilité", "suite": None},
    {"id": "K6", "demarche": "C3", "theme": "propreté", "suite": "retenue", "quartier": "QN00002B"},
]  # fmt: skip


def test_repartition_par_niveau_dispositif_quartier_service():
    c = table("concertations", CONCERTATIONS)
    niveau = ca.repartition(c, "niveau")
    # rangés du moins au plus engageant ; 2 concertations sur 4
    assert niveau["niveau"].tolist() == ["information", "concertation", "co-construction"]
    assert niveau["demarches"].tolist() == [1, 2, 1]
    assert niveau["part"].tolist() == [0.25, 0.5, 0.25]
    disp = ca.repartition(c, "dispositif").set_index("dispositif")["demarches"]
    # C1 a deux dispositifs, C3 et C4 aucun (« non renseigné »)
    assert disp.to_dict() == {"atelier de concertation": 1, "balade urbaine": 1,
                              "non renseigné": 2, "réunion publique": 1}  # fmt: skip
    quart = ca.repartition(c, "quartier").set_index("quartier")["demarches"]
    assert quart.to_dict() == {"": 1, "QN00001A": 2, "QN00002B": 2}
    serv = ca.repartition(c, "service").set_index("service")["demarches"]
    assert serv.to_dict() == {"Sports": 1, "Urbanisme": 2, "non renseigné": 1}
    with pytest.raises(ValueError, match="ventilation inconnue"):
        ca.repartition(c, "couleur")


def test_bilans_part_et_delai_median():
    c = table("concertations", CONCERTATIONS)
    b = ca.bilans(c).iloc[0]
    # terminées : C1, C2, C3 ; avec bilan : C1 (45 j après la fin), C3 (60 j)
    assert (b["demarches"], b["terminees"], b["terminees_avec_bilan"]) == (4, 3, 2)
    assert b["part_bilan_publie"] == pytest.approx(2 / 3)
    assert ca.delais_bilan(c).tolist()[0] == 45
    assert b["delai_bilan_median_jours"] == 52.5 and b["delai_bilan_connu"] == 2
    by_year = ca.bilans(c, ("annee",)).set_index("annee")
    assert by_year.loc[2024, "part_bilan_publie"] == 1.0
    assert by_year.loc[2025, "part_bilan_publie"] == 0.5


def test_filtrer_annee_et_quartier():
    c = table("concertations", CONCERTATIONS)
    assert ca.filtrer(c, annee=2025)["id"].tolist() == ["C1", "C2", "C4"]
    assert ca.filtrer(c, quartier="QN00002B")["id"].tolist() == ["C3", "C4"]
    assert ca.filtrer(c, quartier="")["id"].tolist() == ["C2"]


def test_participants_par_demarche():
    c = table("concertations", CONCERTATIONS)
    ev = events([
        {"id": "E1", "date": "2025-02-01", "participants": 12, "demarche": "C1"},
        {"id": "E2", "date": "2025-03-01", "participants": None, "demarche": "C1"},
        {"id": "E3", "date": "2025-03-05", "participants": 8, "demarche": "C1"},
        {"id": "E4", "date": "2025-03-05", "participants": 30, "demarche": None},
    ])  # fmt: skip
    pres = table("presences", [{"evenement": "E2", "personne": p} for p in ("p1", "p2")]
                 + [{"evenement": "E3", "personne": p} for p in ("p1", "p3", None)])  # fmt: skip
    out = ca.participants(c, ev, pres).set_index("demarche")
    # C1 : 12 + 8 (E2 inconnu, jamais 0) ; uniques p1, p2, p3 ; 5 présences
    assert out.loc["C1", ["evenements", "evenements_effectif_connu"]].tolist() == [3, 2]
    assert out.loc["C1", "participants"] == 20
    assert out.loc["C1", "participants_uniques"] == 3
    assert out.loc["C1", "presences_individuelles"] == 5
    assert out.loc["C2", "evenements"] == 0 and pd.isna(out.loc["C2", "participants"])
    assert pd.isna(out.loc["C2", "participants_uniques"])
    # sans colonne « demarche » dans evenements : aucun événement lié, pas d'erreur
    bare = ca.participants(c, ev.drop(columns="demarche"), pres)
    assert bare["evenements"].tolist() == [0, 0, 0, 0]


def test_contributions_theme_suites_et_prise_en_compte():
    k = table("contributions", CONTRIBUTIONS)
    c1 = k[k["demarche"] == "C1"]
    theme = ca.par_theme(c1)
    assert theme["theme"].tolist() == ["mobilité", "non renseigné", "propreté"]
    assert theme["contributions"].tolist() == [3, 1, 1]
    assert theme["part"].tolist() == [0.6, 0.2, 0.2]
    s = ca.suites(c1).set_index("suite")
    assert s["contributions"].to_dict() == {"retenue": 1, "partiellement retenue": 1,
                                            "non retenue": 1, "hors sujet": 1, "sans suite": 1}  # fmt: skip
    assert s["part"].sum() == pytest.approx(1.0)
    p = ca.prise_en_compte(c1).iloc[0]
    # 4 suites dont 1 hors sujet : base 3 ; retenue + partiellement = 2 → 2/3
    assert (p["contributions"], p["avec_suite"], p["base"], p["sans_suite"]) == (5, 4, 3, 1)
    assert p["taux_prise_en_compte"] == pytest.approx(2 / 3)
    by = ca.prise_en_compte(k, ("demarche",)).set_index("demarche")
    assert by.loc["C3", "taux_prise_en_compte"] == 1.0
    only_off = table("contributions", [{"id": "X", "demarche": "C1", "suite": "hors sujet"}])
    assert pd.isna(ca.prise_en_compte(only_off)["taux_prise_en_compte"].iloc[0])


def test_concertations_donnee_absente():
    c, k = empty_table("concertations"), empty_table("contributions")
    for par in ca.PAR:
        assert ca.repartition(c, par).empty
    assert ca.bilans(c).empty and list(ca.bilans(c).columns)[0] == "demarches"
    assert ca.participants(c, empty_table("evenements"), empty_table("presences")).empty
    assert ca.par_theme(k).empty and ca.suites(k).empty and ca.prise_en_compte(k).empty
    assert "taux_prise_en_compte" in ca.prise_en_compte(k, ("demarche",)).columns


# --------------------------------------------------------------------------- API
@pytest.fixture(scope="module")
def obs() -> Observatoire:
    o = Observatoire.from_config(FIX / "observatoire.toml", use_cache=False)
    o.tables["concertations"] = table("concertations", CONCERTATIONS)
    o.tables["contributions"] = table("contributions", CONTRIBUTIONS)
    o.tables["evenements"] = events([
        # E1 : feuille ventilée (8 F, 4 H ; 6 de 15-29 ans, 6 de 30-44 ans ; 10 habitants QPV)
        {"id": "E1", "date": "2025-02-01", "participants": 12, "femmes": 8, "hommes": 4,
         "age_0_14": 0, "age_15_29": 6, "age_30_44": 6, "age_45_59": 0, "age_60_74": 0,
         "age_75_plus": 0, "habitants_qpv": 10, "demarche": "C1", "quartiers": "QN00001A"},
        # E2 : effectif inconnu, deux présences individuelles
        {"id": "E2", "date": "2025-03-01", "participants": None, "demarche": "C1",
         "quartiers": "QN00001A"},
        {"id": "E3", "date": "2024-10-01", "participants": 9, "demarche": "C3"},
    ])  # fmt: skip
    o.tables["presences"] = table("presences", [
        {"evenement": "E2", "personne": "p1", "sexe": "F", "tranche_age": "15-29",
         "habite_qpv": True},
        {"evenement": "E2", "personne": "p7", "sexe": "H", "tranche_age": "60-74",
         "habite_qpv": False},
        *({"evenement": "E3", "personne": p} for p in ("p1", "p2")),
    ])  # fmt: skip
    return o


def test_api_demarches_noms_et_secret(obs):
    d = obs.democratie.demarches().set_index("id")
    assert d.loc["C1", "noms_quartiers"] == "Les Hauts de Brume"
    assert d.loc["C2", "noms_quartiers"] == "tout le territoire"
    assert d.loc["C3", "noms_quartiers"] == "Les Hauts de Brume, Le Port"
    assert d.loc["C1", "delai_bilan_jours"] == 45
    assert d.loc["C1", "participants"] == 12 and d.loc["C1", "evenements"] == 2
    # C3 : 2 personnes distinctes (< 5) : masquées, dit dans « secret »
    assert pd.isna(d.loc["C3", "participants_uniques"])
    assert d.loc["C3", "secret"] == "participants_uniques : < 5"
    assert obs.democratie.demarches(quartier="qn00002b")["id"].tolist() == ["C3", "C4"]
    assert obs.democratie.fiche("C2")["objet"].tolist() == ["Plan vélo"]
    with pytest.raises(ConfigError, match="Démarche de concertation inconnue : « C9 »"):
        obs.democratie.fiche("C9")
    with pytest.raises(ConfigError, match="Quartier inconnu"):
        obs.democratie.demarches(quartier="QN09999Z")


def test_api_repartition_bilans_participants(obs):
    d = obs.democratie
    q = d.repartition("quartier", annee=2025).set_index("quartier")
    assert q.loc["", "nom"] == "tout le territoire" and q.loc["QN00002B", "nom"] == "Le Port"
    assert d.bilans(annee=2025)["part_bilan_publie"].iloc[0] == 0.5
    p = d.participants(demarche="C1").iloc[0]
    assert p["objet"] == "Place du marché"
    assert p["participants"] == 12 and pd.isna(p["participants_uniques"])  # 2 personnes < 5
    assert d.evenements("C1")["id"].tolist() == ["E1", "E2"]


def test_api_representativite_demarche(obs):
    rep = obs.democratie.representativite("C1").set_index(["dimension", "groupe"])
    # sexe : E1 8 F + 4 H, E2 (présences) 1 F + 1 H → 9 F, 5 H ; population 650 F, 650 H
    assert rep.loc[("sexe", "F"), "participants"] == 9
    assert rep.loc[("sexe", "F"), "rapport"] == pytest.approx((9 / 14) / 0.5)
    # 60-74 ans : 1 personne → « < 5 », ni effectif ni rapport
    assert rep.loc[("age", "60-74"), "affichage"] == "< 5"
    assert pd.isna(rep.loc[("age", "60-74"), "rapport"])
    # habitants des QPV : 2 000 sur 20 000 (commune 00101) ; 10 + 1 participants sur 14
    assert rep.loc[("qpv", "habite un QPV"), "part_population"] == pytest.approx(0.1)
    far = obs.democratie.publics_eloignes("C1").set_index(["dimension", "groupe"])
    assert far.loc[("age", "45-59"), "rapport"] == 0  # personne de 45-59 ans
    assert pd.isna(far.loc[("age", "60-74"), "rapport"])  # masqué


def test_api_contributions_suites(obs):
    d = obs.democratie
    assert d.contributions_par_theme("C1")["contributions"].tolist() == [3, 1, 1]
    assert d.suites("C1")["contributions"].tolist() == [1, 1, 1, 1, 1]
    p = d.prise_en_compte(annee=2025, par="demarche")
    assert p[["demarche", "objet"]].values.tolist() == [["C1", "Place du marché"]]
    # quartier Le Port : K6 (quartier de la contribution) ; C1 n'est pas au Port
    assert d.contributions(quartier="QN00002B")["id"].tolist() == ["K6"]
    # Les Hauts : contributions de C1 sans quartier propre (K1-K5), pas K6 (au Port)
    assert d.contributions(quartier="QN00001A")["id"].tolist() == ["K1", "K2", "K3", "K4", "K5"]


def test_api_concertations_donnee_absente(tmp_path):
    o = Observatoire.from_config(FIX / "observatoire.toml", use_cache=False)
    d = o.democratie
    assert d.demarches().empty and "noms_quartiers" in d.demarches().columns
    assert d.repartition("niveau").empty and d.bilans().empty
    assert d.participants().empty and d.suites().empty and d.prise_en_compte().empty
    assert d.contributions_par_theme().empty
