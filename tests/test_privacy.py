"""Données personnelles : refus par défaut, pseudonymisation explicite, petits effectifs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from participation_outils import IDENTIFIANTS, open_project, project, refused

from observatoire.errors import ConfigError
from observatoire.masking import recomputable_cells
from observatoire.privacy import (
    ENV_KEY,
    detect_identifiers,
    kind_from_label,
    mask_series,
    mask_small_cells,
)

EMARGEMENT = (
    '[sources.reunions]\ntype = "evenements"\nfichier = "reunions.csv"\n'
    'colonnes = { id = "N°", participants = "Nombre de participants" }\n'
    'correspondance_dispositifs = { "Atelier concertation" = "atelier de concertation" }\n'
    '[sources.emargement]\ntype = "presences"\nfichier = "emargement_R07.csv"\n'
    'evenement = "R07"\n'
)


# ------------------------------------------------------------------ détection


def test_detection_par_nom_de_colonne():
    assert kind_from_label("E-mail") == "email"
    assert kind_from_label("Courriel") == "email"
    assert kind_from_label("Tél. portable") == "telephone"
    assert kind_from_label("Prénom") == "prenom"
    assert kind_from_label("NOM") == "nom"
    assert kind_from_label("Adresse postale") == "adresse"
    assert kind_from_label("Date de naissance") == "naissance"
    for anodin in ("Nom du quartier", "Adresse du lieu", "Dispositif", "Nombre de participants"):
        assert kind_from_label(anodin) is None, anodin


def test_detection_par_contenu():
    frame = pd.DataFrame(
        {
            "Qui": ["Camille Durand", "Karim LEFEBVRE", "Louise Martin"],
            "Joindre": ["", "+33 6 39 98 00 02", ""],
            "Domicile ?": ["12 rue des Embruns", "3 bis avenue du Port", "5 allée des Pins"],
            "Quartier": ["Saint-Jean", "Les Hauts de Brume", "Cité Pierre Loti"],
            "Dispositif": ["Conseil citoyen", "Réunion publique", "Permanence"],
        }
    )
    frame = frame.rename(columns={"Domicile ?": "Info"})
    found = {i.column: (i.kind, i.by, i.row) for i in detect_identifiers(frame, [2, 3, 4])}
    assert found["Qui"][:2] == ("nom", "contenu")
    assert found["Joindre"] == ("telephone", "contenu", 3)
    assert found["Info"][0] == "adresse"
    assert "Quartier" not in found and "Dispositif" not in found


def test_feuille_emargement_refusee_par_defaut_message_francais(tmp_path):
    error = refused(project(tmp_path, EMARGEMENT))
    columns = {p.column for p in error.errors}
    assert {"Nom", "Prénom", "E-mail", "Téléphone"} <= columns
    text = str(error)
    assert "pseudonymiser = true" in text and ENV_KEY in text and "fichier_cle" in text
    assert "données personnelles" in text
    for ident in IDENTIFIANTS:  # le message ne recopie aucune valeur
        assert ident not in text, ident


def test_colonnes_anodines_reconnues_par_le_contenu(tmp_path):
    extra = EMARGEMENT.replace("emargement_R07.csv", "emargement_colonnes_anodines.csv").replace(
        'evenement = "R07"\n', 'colonnes = { evenement = "Réunion" }\n'
    )
    error = refused(project(tmp_path, extra))
    found = {(p.column, p.row) for p in error.errors}
    assert ("Qui", 2) in found and ("Contact", 2) in found
    assert "Camille" not in str(error) and "example.org" not in str(error)


# ------------------------------------------------------------------ pseudonymisation


def test_pseudonymisation_sans_cle_erreur_claire(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    config = project(tmp_path, EMARGEMENT + "pseudonymiser = true\n")
    with pytest.raises(ConfigError, match=ENV_KEY) as info:
        open_project(config)
    assert "secrets.token_hex" in str(info.value)


def test_pseudonymisation_avec_cle_d_environnement(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "une-cle-de-test-assez-longue-0001")
    obs = open_project(project(tmp_path, EMARGEMENT + "pseudonymiser = true\n"))
    pres = obs.presences
    # 5 lignes, la dernière est la même personne que la première (casse différente)
    assert len(pres) == 4
    assert pres["personne"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert pres["personne"].nunique() == 4
    assert pres["tranche_age"].tolist() == ["30-44", "45-59", "15-29", "60-74"]
    assert any("deux fois" in w.message for w in obs.warnings)
    first = pres["personne"].tolist()
    # une autre clé donne d'autres pseudonymes (la clé est bien utilisée)
    monkeypatch.setenv(ENV_KEY, "une-autre-cle-de-test-longue-0002")
    other = open_project(project(tmp_path / "b", EMARGEMENT + "pseudonymiser = true\n"))
    assert set(other.presences["personne"]).isdisjoint(first)


def test_cle_trop_courte_ou_dans_le_dossier_de_sortie(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "k3y-Zq!")
    with pytest.raises(ConfigError, match="trop courte") as info:
        open_project(project(tmp_path / "a", EMARGEMENT + "pseudonymiser = true\n"))
    assert "k3y-Zq!" not in str(info.value)  # la clé n'est jamais affichée
    config = project(
        tmp_path / "b", EMARGEMENT + 'pseudonymiser = true\nfichier_cle = "reports/cle.txt"\n'
    )
    (config.parent / "reports").mkdir()
    (config.parent / "reports" / "cle.txt").write_text("x" * 40)
    with pytest.raises(ConfigError, match="dossier de sortie"):
        open_project(config)


def test_aucun_identifiant_dans_les_tables_ni_le_cache(tmp_path):
    config = project(tmp_path)  # configuration complète : émargement pseudonymisé
    obs = open_project(config, use_cache=True)
    assert len(obs.presences[obs.presences["source"] == "emargement_r07"]) == 4
    for name, table in obs.tables.items():
        text = table.astype(str).to_csv()
        for ident in IDENTIFIANTS:
            assert ident not in text, (name, ident)
    cache_bytes = b"".join(p.read_bytes() for p in config.parent.joinpath(".cache").rglob("*.*"))
    assert cache_bytes  # le cache a bien été écrit
    for ident in IDENTIFIANTS:
        assert ident.encode() not in cache_bytes, ident
    key = (config.parent / "cle_tests_non_secrete.txt").read_text().splitlines()[-1]
    assert key.encode() not in cache_bytes


# ------------------------------------------------------------------ petits effectifs


def test_petites_cellules_masquees_et_zero_affiche():
    table = pd.DataFrame({"F": [12, 3, 0], "H": [9, 7, 6]}, index=["A", "B", "C"])
    result = mask_small_cells(table)
    shown = result.display
    assert shown.loc["B", "F"] == "< 5"
    assert shown.loc["C", "F"] == "0"
    assert shown.loc["Total", "Total"] == "37"
    # ligne B : « < 5 » seul serait recalculable par 10 - 7 → une seconde cellule masquée
    assert (result.status.loc["B"] != "").sum() >= 2
    # colonne F : 15 - 12 - 0 = 3 → une seconde cellule masquée
    assert (result.status["F"] != "").sum() >= 2
    assert result.recomputable() == []
    assert "< 5" in result.note


def test_regle_non_recalculable_detecte_le_secret_primaire_seul():
    table = pd.DataFrame({"F": [12, 3], "H": [9, 7]}, index=["A", "B"])
    values = np.array([[12, 9, 21], [3, 7, 10], [15, 16, 31]], dtype=float)
    status = np.full(values.shape, "", dtype=object)
    status[1, 0] = "primaire"
    lines = mask_small_cells(table).lines
    assert recomputable_cells(values, status, 5, lines) == [(1, 0)]


def test_deux_petites_cellules_dont_la_somme_trahit_les_valeurs():
    # 1 + 1 = 2 avec deux cellules « < 5 » (donc ≥ 1) : chacune vaudrait 1
    result = mask_series(pd.Series({"15-29": 1, "30-44": 1, "45-59": 12}, name="participants"))
    assert result.display.loc["participants", "15-29"] == "< 5"
    assert result.display.loc["participants", "45-59"] == "masqué"
    assert result.recomputable() == []


def test_total_petit_masque():
    result = mask_series(pd.Series({"F": 2, "H": 1}, name="n"))
    assert result.display.loc["n"].tolist() == ["< 5", "< 5", "< 5"]


@pytest.mark.parametrize("seed", range(8))
def test_tableaux_aleatoires_jamais_recalculables(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=(4, 5)))
    result = mask_small_cells(table, threshold=5)
    assert result.recomputable() == []
    small = (result.values.iloc[:-1, :-1] > 0) & (result.values.iloc[:-1, :-1] < 5)
    assert (result.display.iloc[:-1, :-1][small] == "< 5").sum().sum() == small.sum().sum()


def test_seuil_configurable():
    result = mask_series(pd.Series({"a": 8, "b": 30, "c": 40}, name="n"), threshold=10)
    assert result.display.loc["n", "a"] == "< 10"


def test_noms_dans_la_colonne_personne_refuses(tmp_path):
    extra = EMARGEMENT.replace("emargement_R07.csv", "presences_noms_dans_personne.csv").replace(
        'evenement = "R07"\n', ""
    )
    error = refused(project(tmp_path, extra))
    assert [(p.column, p.row) for p in error.errors] == [("personne", 2)]
    assert "Camille" not in str(error)


def test_fichier_de_cle_dans_un_depot_git_signale(tmp_path):
    config = project(tmp_path)  # fichier_cle = "cle_tests_non_secrete.txt", à côté des données
    assert not any("dépôt git" in w.message for w in open_project(config).warnings)
    (config.parent / ".git").mkdir()
    warnings = [w.message for w in open_project(config).warnings]
    assert any("dépôt git" in m and "cle_tests_non_secrete.txt" in m for m in warnings)


def test_identifiant_personne_fait_d_e_mails_pseudonymise(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "une-cle-de-test-assez-longue-0003")
    extra = EMARGEMENT.replace("emargement_R07.csv", "presences_email_en_identifiant.csv")
    extra = extra.replace('evenement = "R07"\n', "")
    error = refused(project(tmp_path / "a", extra))
    assert [p.column for p in error.errors] == ["personne"]
    obs = open_project(project(tmp_path / "b", extra + "pseudonymiser = true\n"))
    people = obs.presences["personne"].tolist()
    assert people[0] == people[2] != people[1]  # la même adresse donne le même pseudonyme
    assert all(p.startswith("P") and "@" not in p for p in people)
