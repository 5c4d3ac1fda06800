"""Analyses de la démocratie participative : fonctions pures et ``obs.democratie``.

Chaque cas est un petit tableau fait main dont les résultats sont calculés à la main
(commentaires) ; le mini-territoire fictif ``tests/fixtures/democratie_analyses`` fournit
quartiers et populations, les tables de la démocratie y sont posées à la main.
"""

from __future__ import annotations

import re
from decimal import Decimal
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
    for name, rows in (("petitions", PETITIONS), ("signatures", SIGNATURES),
                       ("remontees", REMONTEES), ("avis", AVIS), ("seances", SEANCES),
                       ("projets_bp", PROJETS)):  # fmt: skip
        o.tables[name] = table(name, rows)
    o.tables["petitions"].loc[0, "quartiers"] = "QN00001A"
    # La Lande : 3 votants de 65 ans et plus (petit effectif)
    o.tables["votes_bp"] = table("votes_bp", [*VOTES, {
        "edition": 2025, "quartier": "QN00003C", "tranche_age": "65 ans et plus",
        "age_min": 65, "votants": 3}])  # fmt: skip
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


# --------------------------------------------------------------------------- pétitions
PETITIONS = [
    # P1 : seuil 100 atteint le 10/03 d'après les cumuls (9 jours après le dépôt)
    {"id": "P1", "titre": "Éclairage du parc", "depot": "2025-03-01", "seuil": 100,
     "statut": "réponse", "date_reponse": "2025-04-09"},
    # P2 : date d'atteinte donnée par le fichier, total déclaré
    {"id": "P2", "titre": "Marché du soir", "depot": "2025-01-01", "seuil": 50,
     "statut": "panel", "signatures": 80, "date_seuil": "2025-01-31"},
    # P3 : seuil non atteint ; P4 : irrecevable (hors calcul de la part)
    {"id": "P3", "titre": "Piscine", "depot": "2025-02-01", "seuil": 100, "statut": "recevable"},
    {"id": "P4", "titre": "Hors compétence", "depot": "2025-02-01", "seuil": 100,
     "statut": "irrecevable", "signatures": 3},
]  # fmt: skip
SIGNATURES = [
    {"petition": "P1", "date": "2025-03-05", "cumul": 40},
    {"petition": "P1", "date": "2025-03-10", "cumul": 100},
    {"petition": "P1", "date": "2025-03-20", "cumul": 130},
    {"petition": "P3", "date": "2025-02-10", "cumul": 20},
]


def test_petitions_courbe_atteinte_et_part():
    from observatoire.analysis import petitions as pe

    p, s = table("petitions", PETITIONS), table("signatures", SIGNATURES)
    curve = pe.courbe_signatures(p, s, "P1")
    assert curve["cumul"].tolist() == [40, 100, 130]
    assert curve["atteint"].tolist() == [False, True, True]
    assert curve["part_du_seuil"].tolist() == [0.4, 1.0, 1.3]
    a = pe.atteinte_seuil(p, s).set_index("id")
    assert a.loc["P1", "date_seuil"] == D("2025-03-10")
    assert a.loc["P1", "origine_date_seuil"] == "cumul des signatures"
    assert a.loc["P1", "delai_seuil_jours"] == 9 and a.loc["P1", "signatures"] == 130
    assert a.loc["P1", "delai_reponse_jours"] == 39
    assert a.loc["P1", "delai_reponse_apres_seuil_jours"] == 30
    assert a.loc["P2", "origine_date_seuil"] == "fichier des pétitions"
    assert a.loc["P2", "delai_seuil_jours"] == 30 and a.loc["P2", "signatures"] == 80
    assert a["seuil_atteint"].tolist() == [True, True, False, False]
    synth = pe.synthese(a).iloc[0]
    # recevables à seuil connu : P1, P2, P3 → 2 sur 3 ; délais 9 et 30 → médiane 19,5
    assert (synth["examinees"], synth["seuil_atteint"], synth["irrecevables"]) == (3, 2, 1)
    assert synth["part_seuil_atteint"] == pytest.approx(2 / 3)
    assert synth["delai_seuil_median_jours"] == 19.5
    assert (synth["repondues"], synth["delai_reponse_median_jours"]) == (1, 39)


def test_petitions_donnee_absente():
    from observatoire.analysis import petitions as pe

    p, s = empty_table("petitions"), empty_table("signatures")
    assert pe.courbe_signatures(p, s).empty and pe.atteinte_seuil(p, s).empty
    assert pe.synthese(pe.atteinte_seuil(p, s)).empty
    # pétitions sans table de signatures : pas de courbe inventée, total du fichier
    only = table("petitions", PETITIONS)
    assert pe.courbe_signatures(only, s).empty
    assert pe.atteinte_seuil(only, s).set_index("id").loc["P2", "seuil_atteint"]


# --------------------------------------------------------------------------- remontées
REMONTEES = [
    # délais 1, 2, 3, 4 et 10 jours ; R6 ouverte depuis 30 jours ; R7 ouverte depuis 2 jours ;
    # R8 « traitée » sans date ; date de référence : 31/03 (dernière date du fichier)
    {"id": "R1", "date": "2025-01-05", "canal": "accueil", "quartier": "QN00001A",
     "theme": "propreté", "statut": "traitée", "date_traitement": "2025-01-06"},
    {"id": "R2", "date": "2025-01-20", "canal": "accueil", "quartier": "QN00001A",
     "theme": "propreté", "statut": "traitée", "date_traitement": "2025-01-22"},
    {"id": "R3", "date": "2025-01-30", "canal": "réseaux sociaux", "quartier": "QN00002B",
     "theme": "voirie", "statut": "sans suite", "date_traitement": "2025-02-02"},
    {"id": "R4", "date": "2025-02-10", "canal": "acteur de terrain", "theme": None,
     "statut": "traitée", "date_traitement": "2025-02-14"},
    {"id": "R5", "date": "2025-02-20", "canal": "accueil", "quartier": "QN00001A",
     "theme": "voirie", "statut": "traitée", "date_traitement": "2025-03-02"},
    {"id": "R6", "date": "2025-03-01", "canal": "e-mail", "statut": "en cours"},
    {"id": "R7", "date": "2025-03-29", "canal": "e-mail", "statut": "nouvelle"},
    {"id": "R8", "date": "2025-03-31", "canal": "permanence", "statut": "traitée"},
]  # fmt: skip


def test_remontees_volumes_delais_stock_et_delai_configure():
    from observatoire.analysis import remontees as re_

    r = table("remontees", REMONTEES)
    canal = re_.volumes(r, "canal").set_index("canal")["remontees"]
    assert canal.to_dict() == {"accueil": 3, "e-mail": 2, "acteur de terrain": 1,
                               "permanence": 1, "réseaux sociaux": 1}  # fmt: skip
    assert re_.volumes(r, "quartier").set_index("quartier")["remontees"].to_dict() == {
        "": 4, "QN00001A": 3, "QN00002B": 1}  # fmt: skip
    assert re_.volumes(r, "theme").set_index("theme").loc["non renseigné", "remontees"] == 4
    d = re_.delai_traitement(r).iloc[0]
    # délais [1, 2, 3, 4, 10] : médiane 3 ; 90e centile 4 + 0,6 × (10 − 4) = 7,6
    assert (d["remontees"], d["traitees"], d["delai_median_jours"]) == (8, 5, 3)
    assert d["delai_p90_jours"] == pytest.approx(7.6)
    assert re_.date_reference(r) == D("2025-03-31")
    stock = re_.stock_mensuel(r).set_index("mois")
    # fin janvier : R3 (traitée le 02/02) ouverte ; fin février : R5 ; 31/03 : R6, R7
    assert stock["stock"].to_dict() == {"2025-01": 1, "2025-02": 1, "2025-03": 2}
    assert stock["entrees"].to_dict() == {"2025-01": 3, "2025-02": 2, "2025-03": 3}
    assert stock["traitees"].to_dict() == {"2025-01": 2, "2025-02": 2, "2025-03": 1}
    assert stock.loc["2025-03", "cloture_non_datee"] == 1
    assert stock.loc["2025-03", "fin"] == D("2025-03-31")
    ok = re_.dans_delai(r, delai_jours=3).iloc[0]
    # ≤ 3 j : R1, R2, R3 ; hors délai : R4, R5 traitées, R6 ouverte depuis 30 j ; R7 en attente
    assert (ok["traitees_dans_delai"], ok["traitees_hors_delai"], ok["ouvertes_hors_delai"]) == (
        3, 2, 1)  # fmt: skip
    assert (ok["en_attente"], ok["cloture_non_datee"], ok["base"]) == (1, 1, 6)
    assert ok["part_dans_delai"] == 0.5
    default = re_.dans_delai(r).iloc[0]  # 30 jours : R6 (30 j pile) pas encore hors délai
    assert (default["base"], default["part_dans_delai"]) == (5, 1.0)
    by = re_.dans_delai(r, 3, par=("canal",)).set_index("canal")
    assert by.loc["accueil", "part_dans_delai"] == pytest.approx(2 / 3)
    # les remontées sans quartier (R4, R6, R7, R8) ont leur délai, comme dans volumes()
    q = re_.delai_traitement(r, ("quartier",)).set_index("quartier")
    assert q.loc["", ["remontees", "traitees", "delai_median_jours"]].tolist() == [4, 1, 4]
    assert re_.dans_delai(r, 3, par=("quartier",)).set_index("quartier").loc["", "base"] == 2


def test_remontees_donnee_absente():
    from observatoire.analysis import remontees as re_

    r = empty_table("remontees")
    assert re_.date_reference(r) is None
    assert re_.volumes(r, "canal").empty and re_.delai_traitement(r).empty
    assert re_.stock_mensuel(r).empty and re_.dans_delai(r).empty
    assert "part_dans_delai" in re_.dans_delai(r, par=("canal",)).columns


# --------------------------------------------------------------------------- instances
AVIS = [
    # référence : 15/06 ; A1 répondu en 30 j, A2 en 90 j ; A3 sans réponse depuis 105 j ;
    # A4 sans réponse depuis 14 j (en attente)
    {"id": "A1", "instance": "CCSPL", "date": "2025-01-01", "objet": "Eau",
     "date_reponse": "2025-01-31", "reponse": "Tarif social étudié"},
    {"id": "A2", "instance": "CCSPL", "date": "2025-02-01", "objet": "Déchets",
     "date_reponse": "2025-05-02"},
    {"id": "A3", "instance": "Conseil citoyen", "date": "2025-03-02", "objet": "Parc"},
    {"id": "A4", "instance": "Conseil citoyen", "date": "2025-06-01", "objet": "École"},
    {"id": "A5", "instance": "Conseil citoyen", "date": "2025-06-15", "objet": "Fête",
     "date_reponse": "2025-06-15"},
]  # fmt: skip
SEANCES = [
    {"id": "S1", "instance": "CCSPL", "date": "2025-01-01", "participants": 8, "membres": 10},
    {"id": "S2", "instance": "CCSPL", "date": "2025-02-01", "participants": 6, "membres": 10},
    {"id": "S3", "instance": "CCSPL", "date": "2025-03-01", "participants": 10},
    {"id": "S4", "instance": "Conseil citoyen", "date": "2025-03-02"},
]


def test_instances_avis_et_seances():
    from observatoire.analysis import instances as ins

    a = ins.suivi_avis(table("avis", AVIS)).iloc[0]
    # répondus : A1 (30 j), A2 (90 j), A5 (0 j) → médiane 30 ; dans 60 j : A1, A5 ;
    # A3 hors délai (105 j sans réponse) ; A4 en attente → 2 / 4
    assert (a["avis"], a["repondus"], a["delai_reponse_median_jours"]) == (5, 3, 30)
    assert (a["repondus_dans_delai"], a["sans_reponse_hors_delai"], a["en_attente"]) == (2, 1, 1)
    assert a["part_dans_delai"] == 0.5 and a["part_repondus"] == 0.6
    by = ins.suivi_avis(table("avis", AVIS), 60, par=("instance",)).set_index("instance")
    assert by.loc["CCSPL", "part_dans_delai"] == 0.5
    assert by.loc["Conseil citoyen", "part_dans_delai"] == 0.5
    s = ins.participation_seances(table("seances", SEANCES)).set_index("instance")
    # CCSPL : 24 participants sur 3 séances ; présence (8 + 6) / (10 + 10) = 0,7
    assert (s.loc["CCSPL", "participants"], s.loc["CCSPL", "participants_par_seance"]) == (24, 8)
    assert s.loc["CCSPL", "taux_presence"] == pytest.approx(0.7)
    assert s.loc["CCSPL", "seances_membres_connus"] == 2
    assert pd.isna(s.loc["Conseil citoyen", "participants"])
    assert pd.isna(s.loc["Conseil citoyen", "taux_presence"])


def test_instances_donnee_absente():
    from observatoire.analysis import instances as ins

    assert ins.suivi_avis(empty_table("avis")).empty
    assert ins.participation_seances(empty_table("seances")).empty
    assert "taux_presence" in ins.participation_seances(empty_table("seances")).columns


# --------------------------------------------------------------------------- budget participatif
VOTES = [
    {"edition": 2025, "quartier": "QN00001A", "tranche_age": "11-15 ans", "age_min": 11,
     "age_max": 15, "sexe": "F", "votants": 10},
    {"edition": 2025, "quartier": "QN00001A", "tranche_age": "16-24 ans", "age_min": 16,
     "age_max": 24, "sexe": "H", "votants": 30},
    {"edition": 2025, "quartier": "QN00001A", "tranche_age": "25-64 ans", "age_min": 25,
     "age_max": 64, "sexe": "F", "votants": 60},
    {"edition": 2025, "quartier": "QN00002B", "tranche_age": "65 ans et plus", "age_min": 65,
     "sexe": "H", "votants": 50},
    {"edition": 2025, "quartier": None, "tranche_age": None, "votants": 7},
]  # fmt: skip
PROJETS = [
    {"id": "B1", "edition": 2025, "titre": "Aire de jeux", "quartier": "QN00001A",
     "montant_centimes": 1_000_000, "statut": "réalisé", "laureat": True, "realise": True,
     "jeunes": True},
    {"id": "B2", "edition": 2025, "titre": "Bancs", "quartier": "QN00001A;QN00002B",
     "montant_centimes": 100_001, "statut": "lauréat", "laureat": True, "jeunes": False},
    {"id": "B3", "edition": 2025, "titre": "Fresque", "quartier": "QN00002B",
     "montant_centimes": 500_000, "statut": "soumis au vote", "laureat": False, "jeunes": True},
    {"id": "B4", "edition": 2025, "titre": "Potager", "quartier": None, "statut": "lauréat"},
]  # fmt: skip


def test_budget_votants_pour_1000_et_moins_de_25_ans(obs):
    from observatoire.analysis import budget_participatif as bp

    v = table("votes_bp", VOTES)
    rate = bp.votants_pour_1000(v, obs.valeurs).set_index("quartier")
    # Les Hauts : 100 votants / 2 000 habitants (2021) ; Le Port : 50 / 1 000
    assert rate.loc["QN00001A", "votants_pour_1000"] == 50
    assert rate.loc["QN00002B", "votants_pour_1000"] == 50
    assert rate.loc["QN00001A", "annee_population"] == 2021
    assert rate.loc["", "votants"] == 7 and pd.isna(rate.loc["", "votants_pour_1000"])
    young = bp.moins_25(v, obs.valeurs).iloc[0]
    # âge connu : 150 ; moins de 25 ans : 10 + 30 = 40 ; population : Les Hauts 2 000 × 37 %
    # + Le Port 1 000 × 30 % = 1 040 sur 3 000
    assert (young["votants"], young["votants_age_connu"], young["votants_moins_25"]) == (
        157, 150, 40)  # fmt: skip
    assert young["part_moins_25_votants"] == pytest.approx(40 / 150)
    assert young["part_moins_25_population"] == pytest.approx(1040 / 3000)
    assert young["quartiers_population"] == "QN00001A;QN00002B"
    assert "moins de 11 ans, qui ne votent pas" in young["remarque"]
    assert "7 votants sans quartier (hors QPV ou non ventilés)" in young["remarque"]
    ages = bp.structure_age(v).set_index("tranche_age")
    assert ages.loc["16-24 ans", "part"] == pytest.approx(0.2)
    assert pd.isna(ages.loc["non renseigné", "part"])


def test_budget_tranche_a_cheval_et_population_absente(obs):
    from observatoire.analysis import budget_participatif as bp

    v = table("votes_bp", [
        {"edition": 2025, "quartier": "QN00003C", "tranche_age": "18-29 ans", "age_min": 18,
         "age_max": 29, "votants": 20},
        {"edition": 2025, "quartier": "QN00003C", "tranche_age": "30 ans et plus",
         "age_min": 30, "votants": 20},
    ])  # fmt: skip
    young = bp.moins_25(v, obs.valeurs).iloc[0]
    assert pd.isna(young["part_moins_25_votants"]) and pd.isna(young["votants_moins_25"])
    assert "« 18-29 ans » mêle des moins et des plus de 25 ans" in young["remarque"]
    assert pd.isna(young["part_moins_25_population"])  # La Lande ne publie pas les parts
    assert "aucun des quartiers" in young["remarque"]


def test_budget_projets_euros_realisation_et_volet_jeunes():
    from observatoire.analysis import budget_participatif as bp

    p = table("projets_bp", PROJETS)
    q = bp.projets_par_quartier(p).set_index("quartier")
    # B2 (1 000,01 €) réparti au centime : 500,01 € aux Hauts, 500,00 € au Port
    assert q.loc["QN00001A", "montant"] == Decimal("10500.01")
    assert q.loc["QN00002B", "montant"] == Decimal("5500.00")  # 500,00 € de B2 + B3
    assert q.loc["QN00002B", "montant_laureats"] == Decimal("500.00")
    assert q.loc["QN00001A", ["projets", "laureats", "realises"]].tolist() == [2, 2, 1]
    assert q.loc["", "montant"] is None and q.loc["", "laureats"] == 1
    r = bp.realisation(p).iloc[0]
    # lauréats : B1, B2, B4 ; réalisé : B1 → 1/3 ; jeunes renseigné pour B1, B2, B3 : 2/3
    assert (r["laureats"], r["realises"]) == (3, 1)
    assert r["part_realisee"] == pytest.approx(1 / 3)
    assert r["part_jeunes_projets"] == pytest.approx(2 / 3)
    assert (r["laureats_jeunes"], r["part_jeunes_laureats"]) == (1, 0.5)
    assert r["montant_laureats"] == Decimal("11000.01")
    assert r["montant_laureats_jeunes"] == Decimal("10000.00")
    assert r["part_jeunes_montant"] == pytest.approx(1_000_000 / 1_100_001)


def test_budget_donnee_absente(obs):
    from observatoire.analysis import budget_participatif as bp

    v, p = empty_table("votes_bp"), empty_table("projets_bp")
    assert bp.votants_pour_1000(v, obs.valeurs).empty and bp.moins_25(v, obs.valeurs).empty
    assert bp.structure_age(v).empty
    assert bp.projets_par_quartier(p).empty and "montant" in bp.projets_par_quartier(p).columns
    assert bp.realisation(p).empty


# --------------------------------------------------------------------------- API (suite)
def test_api_petitions(obs):
    d = obs.democratie
    p = d.petitions(quartier="QN00001A")
    assert p["id"].tolist() == ["P1"] and p["noms_quartiers"].tolist() == ["Les Hauts de Brume"]
    assert d.petitions(annee=2025)["noms_quartiers"].iloc[1] == "tout le territoire"
    assert d.synthese_petitions(annee=2025)["seuil_atteint"].iloc[0] == 2
    assert d.courbe_signatures("P1")["cumul"].tolist() == [40, 100, 130]


def test_api_remontees_delai_de_la_configuration(obs):
    d = obs.democratie
    assert d.delai_traitement == 10  # [rapports.democratie] de la fixture
    ok = d.remontees_dans_delai().iloc[0]
    # ≤ 10 j : R1 à R5 ; R6 ouverte depuis 30 j : hors délai ; R7 en attente → 5 / 6
    assert (ok["base"], ok["delai_jours"]) == (6, 10)
    assert ok["part_dans_delai"] == pytest.approx(5 / 6)
    q = d.remontees_volumes("quartier").set_index("quartier")
    assert q.loc["QN00001A", ["nom", "remontees"]].tolist() == ["Les Hauts de Brume", 3]
    assert q.loc["", "nom"] == "tout le territoire"
    # quartier : la date de référence reste celle du fichier entier (31/03)
    assert d.remontees_dans_delai(quartier="QN00002B")["base"].tolist() == [1]
    assert d.remontees_stock(annee=2025)["stock"].tolist() == [1, 1, 2]
    assert d.remontees_stock(annee=2024).empty
    assert d.remontees_delais(par="canal").set_index("canal").loc["accueil",
                                                                  "delai_median_jours"] == 2  # fmt: skip


def test_api_avis_et_seances(obs):
    d = obs.democratie
    a = d.avis().set_index("id")["suivi"]
    assert a.to_dict() == {"A1": "répondu dans le délai", "A2": "répondu hors délai",
                           "A3": "sans réponse, délai dépassé",
                           "A4": "sans réponse, délai en cours",
                           "A5": "répondu dans le délai"}  # fmt: skip
    assert d.suivi_avis(par=None)["part_dans_delai"].iloc[0] == 0.5
    assert d.seances().set_index("instance").loc["CCSPL", "taux_presence"] == pytest.approx(0.7)


def test_api_budget_secret_des_votants(obs):
    d = obs.democratie
    v = d.votants(annee=2025).set_index("quartier")
    assert v.loc["QN00001A", ["nom", "votants", "votants_pour_1000"]].tolist() == [
        "Les Hauts de Brume", 100, 50]  # fmt: skip
    # La Lande : 3 votants → « < 5 » ; le plus petit autre effectif (7, sans quartier) est
    # masqué aussi pour que 3 ne se retrouve pas par différence avec le total
    assert v.loc["QN00003C", "affichage"] == "< 5" and pd.isna(v.loc["QN00003C", "votants"])
    assert v.loc["", "affichage"] == "masqué" and pd.isna(v.loc["", "votants"])
    ages = d.votants_par_age(annee=2025).set_index("tranche_age")
    assert ages.loc["16-24 ans", "part"] == pytest.approx(30 / 153)
    y = d.moins_25(annee=2025).iloc[0]
    assert y["part_moins_25_votants"] == pytest.approx(40 / 153)
    assert "inconnue pour QN00003C" in y["remarque"]
    hauts = d.moins_25(annee=2025, quartier="QN00001A").iloc[0]
    assert hauts["part_moins_25_population"] == pytest.approx(0.37)
    lande = d.moins_25(quartier="QN00003C").iloc[0]
    assert pd.isna(lande["votants"]) and pd.isna(lande["votants_moins_25"])
    assert lande["affichage"] == "< 5"


def test_api_budget_projets(obs):
    d = obs.democratie
    port = d.projets(annee=2025, quartier="QN00002B").iloc[0]
    assert (port["nom"], port["montant"]) == ("Le Port", Decimal("5500.00"))
    assert d.realisation(annee=2025)["laureats"].tolist() == [3]
    assert d.realisation(quartier="QN00002B")["projets"].tolist() == [2]
    assert d.annees() == [2024, 2025] and d.annee() == 2025


def test_api_suivi_et_budget_donnee_absente():
    o = Observatoire.from_config(FIX / "observatoire.toml", use_cache=False)
    d = o.democratie
    for frame in (d.petitions(), d.synthese_petitions(), d.courbe_signatures(),
                  d.remontees_volumes(), d.remontees_delais(), d.remontees_stock(),
                  d.remontees_dans_delai(), d.avis(), d.suivi_avis(), d.seances(),
                  d.votants(), d.votants_par_age(), d.moins_25(), d.projets(),
                  d.realisation()):  # fmt: skip
        assert frame.empty and len(frame.columns) > 2
    assert d.date_reference_remontees() is None and d.annees() == [] and d.annee() is None
    # filtre par quartier sur une table vide : table vide avec ses colonnes, pas d'erreur
    q = "QN00001A"
    for frame in (d.demarches(quartier=q), d.petitions(quartier=q), d.seances(quartier=q),
                  d.remontees_volumes(quartier=q), d.votants(quartier=q),
                  d.votants_par_age(quartier=q), d.moins_25(quartier=q), d.projets(quartier=q),
                  d.realisation(quartier=q), d.contributions(quartier=q)):  # fmt: skip
        assert frame.empty and len(frame.columns) > 2
    assert "laureats" in d.realisation(quartier=q).columns
    assert "suivi" in d.avis().columns and "affichage" in d.votants().columns


# --------------------------------------------------------------------------- figures
def test_figures_signatures_et_stock(obs):
    from observatoire.views import democratie as views
    from observatoire.views.charts import alt_text

    curve = obs.democratie.courbe_signatures()
    parc = curve[curve["titre"] == "Éclairage du parc"]
    fig = views.signatures_chart(parc, seuil=parc["seuil"].iloc[0], titre="Éclairage du parc",
                                 source="Pétitions", fictif=True)  # fmt: skip
    alt = alt_text(fig)
    assert "130 signatures au 20 mars 2025" in alt
    assert "seuil de 100" in alt and "Seuil atteint le 10 mars 2025" in alt
    assert "Données fictives" in alt
    stock = obs.democratie.remontees_stock()
    fig = views.stock_chart(stock, periode="mois", valeur="stock", titre="Stock",
                            ylabel="Remontées non traitées", fictif=True)  # fmt: skip
    alt = alt_text(fig)
    assert "2025-01 : 1 ; 2025-02 : 1 ; 2025-03 : 2" in alt
    for text in (alt, " ".join(t.get_text() for t in fig.texts)):
        assert not re.search(r"\b(nan|None|NaT)\b|<NA>", text)


@pytest.mark.parametrize("value", ['"trente"', "-3", "true", "12.5"])
def test_reglage_de_delai_invalide_refuse(tmp_path, value):
    config = tmp_path / "observatoire.toml"
    text = (FIX / "observatoire.toml").read_text(encoding="utf-8")
    for name in ("liste_qpv_2024.csv", "population_2021.csv"):
        (tmp_path / name).write_bytes((FIX / name).read_bytes())
    config.write_text(text.replace("delai_traitement_jours = 10",
                                   f"delai_traitement_jours = {value}"), encoding="utf-8")  # fmt: skip
    o = Observatoire.from_config(config, use_cache=False)
    with pytest.raises(ConfigError, match=r"\[rapports.democratie\] delai_traitement_jours"):
        o.democratie  # noqa: B018


def test_budget_edition_anterieure_au_millesime(obs):
    from observatoire.analysis import budget_participatif as bp

    # édition 2019, population de 2021 seulement : le plus ancien millésime, dit par l'année
    v = table("votes_bp", [{**VOTES[0], "edition": 2019}, {**VOTES[2], "edition": 2019}])
    young = bp.moins_25(v, obs.valeurs).iloc[0]
    assert young["part_moins_25_population"] == pytest.approx(0.37)
    assert young["annee_population"] == 2021
    assert bp.votants_pour_1000(v, obs.valeurs)["annee_population"].tolist() == [2021]
