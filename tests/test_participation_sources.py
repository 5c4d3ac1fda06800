"""Lecture des trois formes d'entrée de la participation par la configuration seule."""

from __future__ import annotations

import pandas as pd
import pytest
from participation_outils import open_project, project, refused

from observatoire.errors import ConfigError


@pytest.fixture(scope="module")
def obs(tmp_path_factory):
    return open_project(project(tmp_path_factory.mktemp("participation")))


def test_feuille_csv_windows_1252_avec_titre_et_notes(obs):
    ev = obs.evenements.set_index("id")
    feuille = ev[ev["source"] == "reunions"]
    assert list(feuille.index) == [f"R0{i}" for i in range(1, 9)]  # la note n'est pas lue
    assert feuille.loc["R01", "dispositif"] == "conseil citoyen"
    assert feuille.loc["R01", "ligne"] == 3  # ligne du fichier (titre, en-tête)
    # nom de quartier du territoire → code ; deux quartiers dans une cellule
    assert feuille.loc["R02", "quartiers"] == "QN00001A"
    assert feuille.loc["R04", "quartiers"] == "QN00002B;QN00003C"
    assert feuille.loc["R04", "date"] == pd.Timestamp("2023-06-20")  # date ISO
    # libellé du fichier traduit par correspondance_dispositifs
    assert feuille.loc["R03", "dispositif"] == "atelier de concertation"
    # « Tous les quartiers » : événement de tout le territoire
    assert pd.isna(feuille.loc["R06", "quartiers"])
    # ventilations facultatives
    assert feuille.loc["R01", ["femmes", "hommes", "habitants_qpv"]].tolist() == [10, 8, 15]
    assert feuille.loc["R07", "age_15_29"] == 6
    assert pd.isna(feuille.loc["R02", "age_15_29"])
    # « nd » : effectif inconnu, jamais 0, et signalé
    assert pd.isna(feuille.loc["R08", "participants"])
    assert any(w.row == 10 and "participants inconnu" in w.message for w in obs.warnings)
    assert feuille.loc["R01", "titre"] == "Bilan annuel"


def test_classeur_xlsx_feuille_nommee_dates_excel(obs):
    ev = obs.evenements.set_index("id")
    assert ev.loc["X01", "date"] == pd.Timestamp("2025-04-08")
    assert ev.loc["X02", "quartiers"] == "QN00002B"  # « Le Port » → code
    assert ev.loc["X03", "quartiers"] == "QN00001A;QN00003C"
    assert ev.loc["X03", "participants"] == 31
    assert ev.loc["X01", "ligne"] == 4


def test_export_decidim_point_virgule_et_colonnes_aplaties(obs):
    ev = obs.evenements[obs.evenements["origine"] == "decidim"].set_index("id")
    # la rencontre non publiée (104) est écartée
    assert list(ev.index) == ["decidim-101", "decidim-102", "decidim-103", "decidim-105"]
    assert ev.loc["decidim-101", "quartiers"] == "QN00001A"  # nom de quartier connu
    assert ev.loc["decidim-102", "quartiers"] == "QN00002B"  # correspondance_scopes
    assert pd.isna(ev.loc["decidim-103", "quartiers"])  # « Toute l'agglomération » → ""
    assert ev.loc["decidim-103", "dispositif"] == "budget participatif"  # catégorie
    assert ev.loc["decidim-101", "dispositif"] == "réunion publique"
    assert ev.loc["decidim-101", "participants"] == 35
    assert ev.loc["decidim-105", "date"] == pd.Timestamp("2025-01-15")
    assert pd.isna(ev.loc["decidim-105", "participants"])
    # ni l'adresse du lieu ni la description n'entrent dans la table
    text = obs.evenements.astype(str).to_string()
    assert "Embruns" not in text and "<p>" not in text


def test_presences_individuelles(obs):
    pres = obs.presences[obs.presences["source"] == "presences"]
    assert len(pres) == 9
    a01 = pres[pres["personne"] == "A01"]
    assert a01["evenement"].tolist() == ["R01", "R02", "R07"]
    # « Femme », « 30 à 44 ans », nom du quartier de résidence : normalisés
    r02 = a01.iloc[1]
    assert (r02["sexe"], r02["tranche_age"], r02["quartier_residence"]) == (
        "F",
        "30-44",
        "QN00001A",
    )
    assert pres.set_index("personne").loc["A05", "tranche_age"] == "75+"
    assert pres.set_index("personne").loc["A06", "tranche_age"] == "0-14"
    assert pd.isna(pres.set_index("personne").loc["A06", "habite_qpv"])


def test_feuille_anomalies_toutes_localisees(tmp_path):
    config = project(
        tmp_path,
        '[sources.reunions]\ntype = "evenements"\nfichier = "reunions_anomalies.csv"\n',
    )
    problems = {(p.row, p.column): p for p in refused(config).errors}
    assert set(problems) == {
        (2, "Participants"),
        (3, "Date"),
        (4, "Quartier"),
        (5, "Quartier"),
        (6, "Dispositif"),
        (7, "Femmes + Hommes"),
        (8, "Date"),
        (9, "Participants"),
    }
    assert problems[(2, "Participants")].found == "-3"
    assert "positif ou nul" in problems[(2, "Participants")].expected
    assert problems[(3, "Date")].found == "31/02/2024"
    assert problems[(4, "Quartier")].found == "QN00099Z"
    assert "QN00001A" in problems[(4, "Quartier")].expected
    assert "conseil citoyen" in problems[(6, "Dispositif")].expected
    assert problems[(7, "Femmes + Hommes")].found == 24
    text = problems[(4, "Quartier")].format_fr()
    assert "reunions_anomalies.csv" in text and "ligne 4" in text


def test_decidim_anomalies(tmp_path):
    config = project(
        tmp_path, '[sources.decidim]\ntype = "decidim"\nfichier = "decidim_anomalies.csv"\n'
    )
    problems = {(p.row, p.column): p for p in refused(config).errors}
    assert set(problems) == {(2, "scope/name/fr"), (3, "attendees"), (4, "start_time")}
    assert problems[(2, "scope/name/fr")].found == "Quartier inconnu"
    assert "correspondance_scopes" in problems[(2, "scope/name/fr")].expected
    assert problems[(3, "attendees")].found == "-5"


def test_presences_anomalies(tmp_path):
    config = project(
        tmp_path,
        '[sources.reunions]\ntype = "evenements"\nfichier = "reunions.csv"\n'
        'colonnes = { id = "N°", participants = "Nombre de participants" }\n'
        'correspondance_dispositifs = { "Atelier concertation" = "atelier de concertation" }\n'
        '[sources.presences]\ntype = "presences"\nfichier = "presences_anomalies.csv"\n',
    )
    problems = {(p.row, p.column): p for p in refused(config).errors}
    assert set(problems) == {
        (3, "evenement"),
        (4, "sexe"),
        (5, "tranche d'âge"),
        (5, "habite un QPV"),
    }
    assert problems[(3, "evenement")].found == "R99"
    assert problems[(5, "tranche d'âge")].found == "20-35"


def test_dispositif_hors_liste_configurable(tmp_path):
    config = project(
        tmp_path,
        '[sources.reunions]\ntype = "evenements"\nfichier = "reunions.csv"\n'
        'colonnes = { id = "N°", participants = "Nombre de participants" }\n'
        'dispositifs = ["conseil citoyen", "réunion publique"]\n',
    )
    found = {p.found for p in refused(config).errors if p.column == "Dispositif"}
    assert found == {"Atelier concertation", "Balade urbaine", "Permanence", "CCSPL"}


def test_cle_de_colonne_inconnue(tmp_path):
    config = project(
        tmp_path,
        '[sources.reunions]\ntype = "evenements"\nfichier = "reunions.csv"\n'
        'colonnes = { participant = "Nombre de participants" }\n',
    )
    with pytest.raises(ConfigError, match="clé de colonne inconnue"):
        open_project(config)


def test_cli_valider_code_2_sans_trace(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    config = project(
        tmp_path,
        '[sources.reunions]\ntype = "evenements"\nfichier = "reunions_anomalies.csv"\n',
    )
    command = Path(sys.executable).parent / "observatoire"
    run = subprocess.run(
        [str(command), "valider", "--config", str(config)], capture_output=True, text=True
    )
    assert run.returncode == 2
    output = run.stderr + run.stdout
    assert "Traceback" not in output
    assert "31/02/2024" in output and "ligne 3" in output
