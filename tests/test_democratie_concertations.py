"""Démarches de concertation et contributions lues par la vraie configuration
(``observatoire.open``) : fixtures faites main (CSV « ; » Windows-1252 avec titre et notes,
classeur XLSX avec notice et deux lignes de titre), un fichier par mode d'échec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import observatoire
from observatoire.errors import ConfigError, InputError

FIX = Path(__file__).resolve().parent / "fixtures" / "democratie" / "concertations"


def project(tmp_path: Path, replace: dict[str, str] | None = None, extra: str = "") -> Path:
    """Copie des fixtures ; ``replace`` : fragments de la configuration remplacés."""
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest)
    config = dest / "observatoire.toml"
    text = config.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text + extra, encoding="utf-8")
    return config


def refused(config: Path, error: type[Exception] = InputError) -> list[str]:
    with pytest.raises(error) as info:
        observatoire.open(config)
    return [p.format_fr() for p in info.value.problems]


def swap(name: str, file: str, options: str = "") -> dict[str, str]:
    """Remplace le fichier de la source ``name`` (et ajoute des options)."""
    current = {"programme_2025": "programme_2025.csv", "contributions": "contributions.csv"}
    old = f'[sources.{name}]\ntype = "{"contributions" if name == "contributions" else "concertations"}"\nfichier = "{current[name]}"'
    return {old: old.replace(current[name], file) + ("\n" + options if options else "")}


@pytest.fixture(scope="module")
def obs(tmp_path_factory):
    return observatoire.open(project(tmp_path_factory.mktemp("concertations")))


def test_programme_csv_windows_1252_titre_et_notes(obs):
    c = obs.table("concertations").set_index("id")
    assert list(c.index) == ["C-2025-01", "C-2025-02", "C-2025-03", "C-2026-01", "C-2026-02"]
    a = c.loc["C-2025-01"]
    assert a["ligne"] == 3  # ligne du fichier : titre, en-tête, puis la démarche
    assert a["objet"] == "Réaménagement du square des Hauts"
    assert a["service"] == "Direction des espaces publics"
    # élu·e référent·e : rôle public, son nom est admis tel quel
    assert a["elu"] == "Mme Claire Fontaine, adjointe à la participation"
    assert a["niveau"] == "co-construction"
    assert a["quartiers"] == "QN00001A"  # nom du quartier → code
    assert (a["debut"], a["fin"]) == (pd.Timestamp("2025-02-03"), pd.Timestamp("2025-04-30"))
    assert a["annee"] == 2025
    # « ; » et « / » séparent les dispositifs ; correspondance_dispositifs appliquée
    assert a["dispositifs"] == "Atelier de concertation;Balade urbaine;Questionnaire en ligne"
    assert a["publics"] == "moins de 25 ans;seniors"
    assert (a["statut"], a["priorite"]) == ("terminée", "1")
    assert a["date_bilan"] == pd.Timestamp("2025-06-12")
    assert a["lien_bilan"] == "https://valbrume.example/bilans/C-2025-01"
    assert a["prochaines_etapes"] == "Travaux à l'automne 2025"
    b = c.loc["C-2025-02"]
    # « Info », « Tout le territoire », date ISO, cellules vides : NA (jamais inventées)
    assert (b["niveau"], b["statut"]) == ("information", "en cours")
    assert pd.isna(b["quartiers"]) and pd.isna(b["fin"]) and pd.isna(b["date_bilan"])
    assert b["debut"] == pd.Timestamp("2025-03-10")
    assert pd.isna(b["elu"]) and pd.isna(b["publics"])
    d = c.loc["C-2025-03"]
    assert d["quartiers"] == "QN00002B;QN00003C"  # code et nom dans une même cellule
    assert d["dispositifs"] == "Questionnaire en ligne;Permanence"  # « , » sépare aussi
    assert (d["niveau"], d["statut"], d["priorite"]) == ("consultation", "programmée", "haute")
    # la note sous le tableau n'est pas une démarche
    assert not c["objet"].str.contains("Source").any()


def test_classeur_xlsx_notice_et_deux_lignes_de_titre(obs):
    c = obs.table("concertations").set_index("id")
    p = c.loc["C-2026-01"]
    assert p["source"] == "programme_2026" and p["ligne"] == 4
    assert (p["debut"], p["fin"]) == (pd.Timestamp("2026-01-20"), pd.Timestamp("2026-03-31"))
    assert p["date_bilan"] == pd.Timestamp("2026-05-04")
    assert (p["niveau"], p["statut"]) == ("concertation", "terminée")  # « Close »
    assert p["objet"] == "Plan local de déplacements"  # en-tête « Intitulé »
    assert p["prochaines_etapes"] == "Délibération en juin"  # en-tête « Suites »
    assert p["priorite"] == "1"  # nombre du tableur rendu en texte
    q = c.loc["C-2026-02"]
    assert (q["niveau"], q["statut"]) == ("co-construction", "programmée")  # co-décision, A venir
    assert q["quartiers"] == "QN00001A" and pd.isna(q["fin"])


def test_contributions_suites_et_texte_non_repris(obs):
    k = obs.table("contributions").set_index("id")
    assert list(k.index) == ["K01", "K02", "K03", "K04", "K05"]
    assert k["suite"].tolist()[:4] == [
        "retenue",  # « Oui »
        "partiellement retenue",  # « Partiellement »
        "non retenue",  # « Rejetée »
        "hors sujet",  # « Hors champ »
    ]
    assert pd.isna(k.loc["K05", "suite"])  # vide : pas encore de suite donnée
    assert k.loc["K01", "demarche"] == "C-2025-01" and k.loc["K01", "ligne"] == 3
    assert k.loc["K01", "quartier"] == "QN00001A" and pd.isna(k.loc["K05", "quartier"])
    assert k.loc["K02", "justification"] == "Deux candélabres ajoutés sur quatre demandés"
    assert k.loc["K03", "date"] == pd.Timestamp("2025-03-24")
    # le texte de la contribution n'entre pas dans la table
    assert "Des jeux pour les petits" not in obs.table("contributions").to_string()


def test_evenements_rattaches_a_une_demarche(obs):
    ev = obs.evenements.set_index("id")
    assert ev.loc["E01", "demarche"] == "C-2025-01"
    assert ev.loc["E03", "demarche"] == "C-2025-02"
    assert pd.isna(ev.loc["E04", "demarche"])
    assert ev.loc["E05", "demarche"] == "C-2024-09"  # gardé tel quel, mais signalé
    shown = [w.format_fr() for w in obs.warnings]
    assert (
        "fichier reunions.csv, ligne 7 — événement E05 rattaché à une démarche absente de la "
        "table concertations : il reste compté, mais dans le bilan d'aucune démarche — valeur "
        "trouvée : « C-2024-09 » — attendu : une démarche connue : C-2025-01, C-2025-02, "
        "C-2025-03, C-2026-01, C-2026-02"
    ) in shown
    assert sum("démarche absente" in w for w in shown) == 1


def test_sans_source_concertations_aucun_controle_des_evenements(tmp_path):
    config = project(tmp_path)
    text = config.read_text(encoding="utf-8")
    start, end = text.index("# programme tenu"), text.index("# réunions rattachées")
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    obs = observatoire.open(config)
    assert obs.evenements.set_index("id").loc["E05", "demarche"] == "C-2024-09"
    assert not any("démarche absente" in w.message for w in obs.warnings)
    assert obs.table("concertations").empty and list(obs.table("concertations").columns)


def test_vocabulaires_et_quartier_inconnus_toutes_les_erreurs(tmp_path):
    shown = refused(project(tmp_path, swap("programme_2025", "vocabulaires_inconnus.csv")))
    assert (
        "fichier vocabulaires_inconnus.csv, ligne 3, colonne « Niveau » — niveau de "
        "participation inconnu — valeur trouvée : « Délibération » — attendu : une valeur "
        "parmi : information, consultation, concertation, co-construction (ou déclarez le "
        'libellé du fichier : correspondance_niveaux = { "libellé" = "information" } dans '
        "[sources.programme_2025])"
    ) in shown
    assert (
        "fichier vocabulaires_inconnus.csv, ligne 4, colonne « Statut » — statut de démarche "
        "inconnu — valeur trouvée : « Suspendue » — attendu : une valeur parmi : programmée, "
        "en cours, terminée, abandonnée (ou déclarez le libellé du fichier : "
        'correspondance_statuts = { "libellé" = "programmée" } dans [sources.programme_2025])'
    ) in shown
    assert any(
        s.startswith(
            "fichier vocabulaires_inconnus.csv, ligne 5, colonne « Quartier(s) » — quartier "
            "inconnu — valeur trouvée : « Les Oubliés » — attendu : un code QPV connu"
        )
        for s in shown
    )
    # les contributions ne sont pas déclarées fautives en cascade : un message qui renvoie
    # à la cause
    assert any(
        s.startswith("fichier contributions.csv, colonne « Démarche » — 5 ligne(s)")
        and "vocabulaires_inconnus.csv est en erreur" in s
        for s in shown
    )
    assert not any("démarche inconnue" in s for s in shown)


def test_correspondances_declarees(tmp_path):
    options = (
        'correspondance_niveaux = { "Délibération" = "concertation" }\n'
        'correspondance_statuts = { "Suspendue" = "abandonnée" }\n'
        'correspondance_quartiers = { "Les Oubliés" = "QN00003C" }'
    )
    config = project(tmp_path, swap("programme_2025", "vocabulaires_inconnus.csv", options))
    text = config.read_text(encoding="utf-8")
    start, end = text.index("[sources.contributions]"), text.index("# réunions rattachées")
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    c = observatoire.open(config).table("concertations").set_index("id")
    assert c.loc["V01", "niveau"] == "concertation"
    assert c.loc["V02", "statut"] == "abandonnée"
    assert c.loc["V03", "quartiers"] == "QN00003C"


def test_correspondance_vers_une_valeur_hors_liste_refusee(tmp_path):
    options = 'correspondance_niveaux = { "Délibération" = "délibération" }'
    config = project(tmp_path, swap("programme_2025", "vocabulaires_inconnus.csv", options))
    with pytest.raises(ConfigError) as info:
        observatoire.open(config)
    text = str(info.value)
    assert "[sources.programme_2025] correspondance_niveaux" in text
    assert "valeur invalide pour « Délibération »" in text
    assert "information, consultation, concertation, co-construction" in text


def test_dates_incoherentes(tmp_path):
    shown = refused(project(tmp_path, swap("programme_2025", "dates_incoherentes.csv")))
    file = "fichier dates_incoherentes.csv"
    assert (
        f"{file}, ligne 3, colonne « Fin » — la démarche finit avant d'avoir commencé — "
        "valeur trouvée : « 01/04/2025 » — attendu : une date postérieure ou égale au début "
        "(10/04/2025, colonne « Début »)"
    ) in shown
    assert (
        f"{file}, ligne 4, colonne « Date du bilan » — bilan publié avant la fin de la "
        "démarche — valeur trouvée : « 15/03/2025 » — attendu : une date postérieure ou égale "
        "à la fin de la démarche (30/03/2025, colonne « Fin »)"
    ) in shown
    assert (
        f"{file}, ligne 5, colonne « Début » — date de début invalide — valeur trouvée : "
        "« 31/02/2025 » — attendu : une date jj/mm/aaaa ou aaaa-mm-jj"
    ) in shown
    assert (
        f"{file}, ligne 6, colonne « Début » — date de début manquante — attendu : une date "
        "jj/mm/aaaa ou aaaa-mm-jj"
    ) in shown


def test_identifiants_en_double_ou_manquants(tmp_path):
    shown = refused(project(tmp_path, swap("programme_2025", "identifiant_double.csv")))
    assert (
        "fichier identifiant_double.csv, ligne 4, colonne « N° » — identifiant de démarche en "
        "double — valeur trouvée : « I01 » — attendu : un identifiant unique (déjà ligne 3)"
    ) in shown
    assert (
        "fichier identifiant_double.csv, ligne 5, colonne « N° » — identifiant de démarche "
        "manquant — attendu : un identifiant unique (ex. C-2025-01), cité par les "
        "contributions et les événements"
    ) in shown


def test_colonne_obligatoire_absente(tmp_path):
    shown = refused(project(tmp_path, swap("programme_2025", "niveau_absent.csv")))
    assert (
        "fichier niveau_absent.csv — colonne « niveau » introuvable — attendu : "
        'colonnes.niveau = "…" dans [sources.programme_2025] (en-têtes usuels : « Niveau », '
        "« Niveau de participation »)"
    ) in shown


PII = ["Lemaire", "lemaire@example.org", "06 12 34 56 78", "BENALI", "07 11 22 33 44", "Girard"]
PII_SOURCE = '\n[sources.pii]\ntype = "concertations"\nfichier = "pii_textes.csv"\n'


def test_donnees_personnelles_dans_les_textes_refusees(tmp_path):
    with pytest.raises(InputError) as info:
        observatoire.open(project(tmp_path, extra=PII_SOURCE))
    shown = [p.format_fr() for p in info.value.problems]
    head = "fichier pii_textes.csv, ligne 3, colonne « Objet » — donnée personnelle dans le texte"
    assert any(s.startswith(head + " (nom de personne)") and "« Mme L… »" in s for s in shown)
    assert any(s.startswith(head + " (adresse e-mail)") and "« j…@….org »" in s for s in shown)
    assert any(
        s.startswith("fichier pii_textes.csv, ligne 4, colonne « Prochaines étapes » — donnée "
                     "personnelle dans le texte (numéro de téléphone)") and "« 06 … 78 »" in s
        for s in shown
    )  # fmt: skip
    assert all("« pseudonymiser = true » à [sources.pii]" in s for s in shown)
    assert not any(x in s for s in shown for x in PII)  # valeurs masquées dans les messages


def test_donnees_personnelles_retirees_avec_pseudonymiser(tmp_path):
    obs = observatoire.open(project(tmp_path, extra=PII_SOURCE + "pseudonymiser = true\n"))
    c = obs.table("concertations").set_index("id")
    assert c.loc["P01", "objet"] == "Fresque avec [nom retiré] (contact : [e-mail retiré])"
    assert c.loc["P02", "prochaines_etapes"] == "Rappeler le collectif au [téléphone retiré]"
    warned = [w.format_fr() for w in obs.warnings if w.file == "pii_textes.csv"]
    assert (
        "fichier pii_textes.csv, ligne 4, colonne « Prochaines étapes » — donnée personnelle "
        "remplacée à la lecture (numéro de téléphone, pseudonymiser = true) — valeur trouvée : "
        "« 06 … 78 »"
    ) in warned
    assert len(warned) == 3
    everything = "\n".join(obs.table(n).to_string() for n in ("concertations", "contributions"))
    assert not any(x in everything for x in PII)


def test_contribution_texte_examine_refuse_puis_non_importe(tmp_path):
    swapped = swap("contributions", "contributions_pii_texte.csv")
    shown = refused(project(tmp_path, swapped))
    file = "fichier contributions_pii_texte.csv"
    assert any(
        s.startswith(f"{file}, ligne 3, colonne « Contribution » — donnée personnelle dans le "
                     "texte (numéro de téléphone)") for s in shown
    )  # fmt: skip
    assert any(
        s.startswith(f"{file}, ligne 4, colonne « Justification » — donnée personnelle dans le "
                     "texte (nom de personne)") and "« M. G… »" in s for s in shown
    )  # fmt: skip
    obs = observatoire.open(
        project(tmp_path / "b", swap("contributions", "contributions_pii_texte.csv",
                                     "pseudonymiser = true"))
    )  # fmt: skip
    k = obs.table("contributions").set_index("id")
    assert k.loc["K21", "justification"] == "Voir avec [nom retiré] du service"
    warned = [w.format_fr() for w in obs.warnings]
    assert (
        f"{file}, ligne 3, colonne « Contribution » — donnée personnelle non importée (colonne "
        "non lue) (numéro de téléphone, pseudonymiser = true) — valeur trouvée : « 07 … 44 »"
    ) in warned
    assert not any(x in obs.table("contributions").to_string() for x in PII)


def test_contribution_demarche_inconnue_et_suite_inconnue(tmp_path):
    shown = refused(project(tmp_path, swap("contributions", "contributions_demarche_inconnue.csv")))
    file = "fichier contributions_demarche_inconnue.csv"
    assert (
        f"{file}, ligne 4, colonne « Démarche » — démarche inconnue — valeur trouvée : "
        "« C-2030-99 » — attendu : une démarche de la table concertations (programme_2025.csv, "
        "programme_2026.xlsx) : C-2025-01, C-2025-02, C-2025-03, C-2026-01, C-2026-02"
    ) in shown
    assert (
        f"{file}, ligne 5, colonne « Suite donnée » — suite donnée inconnue — valeur trouvée : "
        "« Peut-être » — attendu : une valeur parmi : retenue, partiellement retenue, non "
        "retenue, hors sujet (ou déclarez le libellé du fichier : correspondance_suites = { "
        '"libellé" = "retenue" } dans [sources.contributions])'
    ) in shown
    assert len(shown) == 2


def test_contribution_sans_source_concertations_avertit(tmp_path):
    config = project(tmp_path)
    text = config.read_text(encoding="utf-8")
    start, end = text.index("# programme tenu"), text.index("[sources.contributions]")
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    obs = observatoire.open(config)
    assert len(obs.table("contributions")) == 5
    warned = [w.format_fr() for w in obs.warnings]
    assert (
        "fichier contributions.csv, ligne 3, colonne « Démarche » — démarche non vérifiée : "
        "aucune source de type concertations n'est déclarée (ses contributions sont lues, mais "
        "aucun bilan ne pourra les rattacher à un objet ni à un calendrier) — valeur trouvée : "
        "« C-2025-01 »"
    ) in warned
    assert sum("démarche non vérifiée" in w for w in warned) == 2  # une par démarche citée


def test_liste_de_dispositifs_configuree(tmp_path):
    listed = (
        '"Atelier de concertation", "Balade urbaine", "Questionnaire en ligne", "Réunion publique"'
    )
    config = project(
        tmp_path, swap("programme_2025", "programme_2025.csv", f"dispositifs = [{listed}]")
    )
    shown = refused(config)
    assert (
        "fichier programme_2025.csv, ligne 5, colonne « Dispositifs » — dispositif inconnu — "
        "valeur trouvée : « Questionnaire, Permanence » — attendu : des dispositifs de la liste "
        "configurée : Atelier de concertation, Balade urbaine, Questionnaire en ligne, Réunion "
        "publique"
    ) in shown
    config = project(
        tmp_path / "b",
        swap("programme_2025", "programme_2025.csv", f'dispositifs = [{listed}, "Permanence"]'),
    )
    c = observatoire.open(config).table("concertations").set_index("id")
    assert c.loc["C-2025-03", "dispositifs"] == "Questionnaire en ligne;Permanence"


def test_demarche_unique_pour_tout_le_fichier(tmp_path):
    config = project(tmp_path, swap("contributions", "contributions.csv", 'demarche = "C-2026-01"'))
    k = observatoire.open(config).table("contributions")
    assert set(k["demarche"]) == {"C-2026-01"} and len(k) == 5
    warned = [w.format_fr() for w in observatoire.open(config).warnings]
    assert (
        "fichier contributions.csv, colonne « Démarche » — colonne ignorée : demarche = "
        "« C-2026-01 » dans [sources.contributions] s'applique à tout le fichier"
    ) in warned


def test_meme_demarche_dans_deux_fichiers(tmp_path):
    config = project(
        tmp_path, extra='\n[sources.copie]\ntype = "concertations"\nfichier = "copie.csv"\n'
    )
    shutil.copy(config.parent / "programme_2025.csv", config.parent / "copie.csv")
    shown = refused(config)
    assert (
        "fichier copie.csv, ligne 3 — table concertations : déjà fourni par programme_2025.csv "
        "(ligne 3) — valeur trouvée : « C-2025-01 » — attendu : une seule source par id"
    ) in shown
    assert len(shown) == 3
