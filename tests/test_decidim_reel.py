"""Exports Decidim tels que ses sérialiseurs les écrivent (0.27 et 0.30), par la config seule.

Fixtures faites main sous ``tests/fixtures/decidim_reel/`` (territoire fictif) :
``rencontres_0.27.csv`` (en-tête de la première rencontre, sans périmètre : ``scope/name``
vide partout, heures UTC sans suffixe), ``rencontres_0.30.csv`` (67 colonnes : taxonomies
nommées pour la seule première rencontre, les autres par ``taxonomies/ids`` ; retraits,
``closed_at``, heures « … UTC »), ``rencontres_0.30.json`` (mêmes rencontres, ISO 8601),
``rencontres_fuseau_organisation.csv`` (« +0100 »), ``rencontres_export.xls``,
``inscriptions_302.csv`` (export des inscriptions d'une rencontre).

Quartier vérifié à la main : Les Hauts de Brume (QN00001A).
- 0.27 : rencontres 302, 303, 306, 309, 310 (307 non publiée écartée) = 5 ;
  participants 35 + 18 + 11 + 22 = 86 (306 pas close : inconnu) ;
- 0.30 : rencontres 501, 502, 503, 506, 508, 509 (507 retirée, 510 non publiée) = 6, dont
  4 à effectif connu (506 pas close, 508 close sans effectif) ; participants attribués
  25 + 30 + 12 + 16 / 2 = 75 (509 concerne deux quartiers : son effectif est partagé,
  règle de ``obs.participation``) ; Le Port : 504 et 509 = 2, 20 + 8 = 28.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from observatoire.cli import main
from observatoire.errors import InputError
from observatoire.territory import Observatoire

FIX = Path(__file__).resolve().parent / "fixtures" / "decidim_reel"
SOURCE_027 = """
[sources.decidim]
type = "decidim"
fichier = "rencontres_0.27.csv"
correspondance_scopes = { "12" = "QN00001A", "13" = "QN00002B", "14" = "QN00003C", "1" = "" }
correspondance_categories = { "Budget participatif" = "budget participatif" }
correspondance_espaces = { "6" = "conseil citoyen" }
"""
SOURCE_030 = """
[sources.decidim]
type = "decidim"
fichier = "{fichier}"
correspondance_taxonomies = {{ "32" = "QN00002B", "40" = "" }}
correspondance_categories = {{ "41" = "conseil citoyen" }}
"""


def project(tmp_path: Path, source: str) -> Path:
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest)
    config = dest / "observatoire.toml"
    config.write_text(config.read_text(encoding="utf-8") + source, encoding="utf-8")
    return config


def load(tmp_path: Path, source: str) -> Observatoire:
    return Observatoire.from_config(project(tmp_path, source), use_cache=False)


def refused(tmp_path: Path, source: str) -> InputError:
    with pytest.raises(InputError) as info:
        load(tmp_path, source)
    return info.value


def quartier(obs: Observatoire, code: str) -> pd.Series:
    table = obs.participation.par_quartier().set_index("quartier")
    return table.loc[code]


# ---------------------------------------------------------------------------- 0.27


def test_027_quartier_verifie_a_la_main(tmp_path):
    obs = load(tmp_path, SOURCE_027)
    hauts = quartier(obs, "QN00001A")
    assert (hauts["evenements"], hauts["evenements_effectif_connu"]) == (5, 4)
    assert hauts["participants"] == 86
    ev = obs.evenements.set_index("id")
    assert "decidim-307" not in ev.index  # non publiée
    assert pd.isna(ev.loc["decidim-306", "participants"])  # 0 et pas close : inconnu
    assert ev.loc["decidim-304", "quartiers"] == "QN00002B"
    assert pd.isna(ev.loc["decidim-305", "quartiers"])  # « 1 » = "" : tout le territoire
    assert ev.loc["decidim-305", "dispositif"] == "budget participatif"  # catégorie
    assert ev.loc["decidim-309", "dispositif"] == "conseil citoyen"  # espace participatif
    assert ev.loc["decidim-302", "dispositif"] == "réunion publique"  # défaut
    # en-tête de la première rencontre : scope/name vide partout, dit une fois
    (notice,) = [w for w in obs.warnings if w.column == "scope/name"]
    assert "vide sur toutes les lignes" in notice.message and "scope/id" in notice.message
    text = " ".join(w.format_fr() for w in obs.warnings)
    assert "1 rencontre(s) non publiées écartée(s) : lignes 8" in text
    assert "1 rencontre(s) non close(s) ou sans effectif" in text and "lignes 7" in text


def test_027_heure_utc_convertie_avant_la_date(tmp_path):
    ev = load(tmp_path, SOURCE_027).evenements.set_index("id")
    # 2023-12-31 23:30 UTC = 1er janvier 2024 à 00:30 à Paris
    assert ev.loc["decidim-301", "date"] == pd.Timestamp("2024-01-01")
    assert ev.loc["decidim-301", "annee"] == 2024
    # 2024-06-30 22:15 UTC = 1er juillet à 00:15 (heure d'été)
    assert ev.loc["decidim-310", "date"] == pd.Timestamp("2024-07-01")
    assert ev.loc["decidim-302", "date"] == pd.Timestamp("2024-03-12")


def test_027_fuseau_configurable(tmp_path):
    source = SOURCE_027 + 'fuseau = "America/Martinique"\n'
    ev = load(tmp_path, source).evenements.set_index("id")
    assert ev.loc["decidim-301", "date"] == pd.Timestamp("2023-12-31")  # 19:30 à Fort-de-France


def test_027_perimetres_sans_correspondance_refuses(tmp_path):
    source = '[sources.decidim]\ntype = "decidim"\nfichier = "rencontres_0.27.csv"\n'
    problems = refused(tmp_path, source).errors
    # scope/name est vide : le périmètre se lit par scope/id, jamais « tout le territoire »
    found = {(p.row, p.column, p.found) for p in problems}
    assert (3, "scope/id", "12") in found and (5, "scope/id", "13") in found
    assert all("correspondance_scopes" in p.expected for p in problems)


# ---------------------------------------------------------------------------- 0.30


def test_030_taxonomies_quartier_verifie_a_la_main(tmp_path):
    obs = load(tmp_path, SOURCE_030.format(fichier="rencontres_0.30.csv"))
    hauts = quartier(obs, "QN00001A")
    assert (hauts["evenements"], hauts["evenements_effectif_connu"]) == (6, 4)
    assert hauts["participants"] == 75
    port = quartier(obs, "QN00002B")
    assert (port["evenements"], port["participants"]) == (2, 28)
    ev = obs.evenements.set_index("id")
    assert ev.loc["decidim-501", "quartiers"] == "QN00001A"  # nom de quartier ; 40 = ""
    assert ev.loc["decidim-509", "quartiers"] == "QN00001A;QN00002B"
    assert pd.isna(ev.loc["decidim-505", "quartiers"])  # sans taxonomie : tout le territoire
    assert ev.loc["decidim-503", "dispositif"] == "conseil citoyen"  # taxonomie catégorie
    assert ev.loc["decidim-502", "titre"] == "+ de propreté dans le quartier"  # « '+ » protégé
    assert ev.loc["decidim-501", "date"] == pd.Timestamp("2025-01-01")  # 23:30 UTC le 31/12
    assert pd.isna(ev.loc["decidim-506", "participants"])  # pas close
    assert pd.isna(ev.loc["decidim-508", "participants"])  # close, 0 : inconnu, pas 0
    assert {"decidim-507", "decidim-510"}.isdisjoint(ev.index)
    text = " ".join(w.format_fr() for w in obs.warnings)
    assert "1 rencontre(s) retirées écartée(s) : lignes 8" in text
    assert "1 rencontre(s) non publiées écartée(s) : lignes 11" in text
    assert "2 rencontre(s) non close(s) ou sans effectif" in text


def test_030_json_donne_les_memes_chiffres(tmp_path):
    csv = load(tmp_path / "csv", SOURCE_030.format(fichier="rencontres_0.30.csv"))
    js = load(tmp_path / "json", SOURCE_030.format(fichier="rencontres_0.30.json"))
    cols = ["id", "date", "quartiers", "dispositif", "titre", "participants"]
    pd.testing.assert_frame_equal(csv.evenements[cols], js.evenements[cols])
    assert js.evenements.set_index("id").loc["decidim-502", "ligne"] > 1  # ligne du fichier


def test_fuseau_de_l_organisation_decalage_explicite(tmp_path):
    obs = load(tmp_path, SOURCE_030.format(fichier="rencontres_fuseau_organisation.csv"))
    ev = obs.evenements.set_index("id")
    assert ev.loc["decidim-501", "date"] == pd.Timestamp("2025-01-01")  # « 00:30:00 +0100 »
    assert ev.loc["decidim-502", "participants"] == 30


def test_030_taxonomie_non_declaree_refusee(tmp_path):
    source = SOURCE_030.format(fichier="rencontres_0.30.csv").replace(', "40" = ""', "")
    (problem,) = refused(tmp_path, source).errors
    assert (problem.row, problem.column, problem.found) == (2, "taxonomies/ids", "40 « Mobilités »")
    assert "1 rencontre" in problem.message
    assert 'correspondance_taxonomies = { "40" = "QN…" }' in problem.expected


def test_030_sans_correspondance_rien_en_silence(tmp_path, capsys):
    config = project(
        tmp_path, '[sources.decidim]\ntype = "decidim"\nfichier = "rencontres_0.30.csv"\n'
    )
    assert main(["valider", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "rencontres_0.30.csv" in err and "taxonomie Decidim non déclarée" in err
    # 40 est nommée (première rencontre) ; 32 et 41 n'ont pas de colonne de nom dans un
    # vrai export (en-tête de la première rencontre) : identifiant, ligne de la 1re
    assert "ligne 2, colonne « taxonomies/ids »" in err and "40 « Mobilités »" in err
    assert "ligne 5, colonne « taxonomies/ids »" in err and "valeur trouvée : « 32 »" in err


# ---------------------------------------------------------------------------- formats


def test_xls_refuse_avec_l_etape_a_suivre(tmp_path, capsys):
    config = project(tmp_path, SOURCE_027.replace("rencontres_0.27.csv", "rencontres_export.xls"))
    assert main(["valider", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "rencontres_export.xls" in err and "Excel (.xls)" in err
    assert "« CSV » ou « JSON »" in err and ".xlsx" in err


def test_options_mal_typees_refusees(tmp_path, capsys):
    bad = SOURCE_027 + 'fuseau = "Europe/Brumeville"\n'
    config = project(tmp_path, bad)
    assert main(["valider", "--config", str(config)]) == 2
    assert "fuseau horaire inconnu" in capsys.readouterr().err
    bad = SOURCE_027.replace('"6" = "conseil citoyen"', '"6" = "conseil des sages"')
    config = project(tmp_path / "b", bad)
    assert main(["valider", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "correspondance_espaces" in err and "conseil des sages" in err


# ---------------------------------------------------------------------------- inscriptions

INSCRIPTIONS = """
[sources.inscriptions_302]
type = "decidim_inscriptions"
fichier = "{fichier}"
rencontre = "302"
"""


def test_inscrits_separes_des_presents(tmp_path):
    obs = load(tmp_path, SOURCE_027 + INSCRIPTIONS.format(fichier="inscriptions_302.csv"))
    ins = obs.tables["inscriptions"]
    assert list(ins["evenement"]) == ["decidim-302"] * 5
    assert list(ins["sexe"]) == ["F", "H", None, "F", "H"]  # libellés usuels de Decidim
    assert list(ins["tranche_inscription"]) == ["25-39", "60+", "<25", "40-59", None]
    assert ins["tranche_age"].isna().all()  # bandes du formulaire ≠ tranches de la pyramide
    assert obs.presences.empty  # les inscrits ne sont pas des présents
    hauts = quartier(obs, "QN00001A")
    assert hauts["participants"] == 86  # l'effectif présent reste « attendees »
    text = " ".join(w.format_fr() for w in obs.warnings)
    assert "5 inscription(s) à la rencontre decidim-302 : inscrits, pas présents" in text
    assert "user/name" in text and "user/email" in text  # colonnes nommées, non importées
    dump = ins.astype(str).to_string()
    for word in ("Camille", "Durand", "example.org", "K7Q2ZP4M", "Affiche"):
        assert word not in dump


def test_inscriptions_reponse_inconnue_refusee(tmp_path, capsys):
    source = SOURCE_027 + INSCRIPTIONS.format(fichier="inscriptions_reponse_inconnue.csv")
    config = project(tmp_path, source)
    assert main(["valider", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "inscriptions_reponse_inconnue.csv" in err and "ligne 2" in err
    assert "« Une personne »" in err and "« Jeune »" in err
    assert "Inès" not in err and "example.org" not in err  # l'identité n'est jamais citée


def test_inscriptions_correspondance_documentee(tmp_path):
    source = SOURCE_027 + INSCRIPTIONS.format(fichier="inscriptions_reponse_inconnue.csv")
    source += 'correspondance_reponses = { "Une personne" = "", "Jeune" = "<25" }\n'
    ins = load(tmp_path, source).tables["inscriptions"]
    assert (ins.loc[0, "sexe"], ins.loc[0, "tranche_inscription"]) == (None, "<25")


def test_export_des_inscriptions_declare_comme_rencontres(tmp_path):
    source = SOURCE_027.replace("rencontres_0.27.csv", "inscriptions_302.csv")
    problems = refused(tmp_path, source).errors
    # refusé : soit renvoyé vers le bon type, soit d'abord pour ses données personnelles
    redirected = [p for p in problems if "export des inscriptions Decidim" in p.message]
    assert redirected or all("personnelle" in p.message for p in problems)
    assert all("decidim_inscriptions" in p.expected for p in redirected)


def test_inscriptions_lues_comme_presences_refusees(tmp_path):
    # même pseudonymisées, des inscriptions ne deviennent pas des présences
    source = SOURCE_027 + (
        '[sources.inscrits]\ntype = "presences"\nfichier = "inscriptions_302.csv"\n'
        'evenement = "decidim-302"\npseudonymiser = true\ncle_demonstration = true\n'
    )
    (problem,) = refused(tmp_path, source).errors
    assert problem.file == "inscriptions_302.csv" and problem.column == "code"
    assert "des inscrits, pas des présents" in problem.message
    assert 'type = "decidim_inscriptions"' in problem.expected


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ('correspondance_taxonomies = "31"', "doit être une table"),
        ('correspondance_taxonomies = { "31" = 12 }', "valeur invalide pour « 31 »"),
        ('inclure_non_publiees = "oui"', "true ou false"),
        ('langue = "français"', "langue invalide"),
    ],
)
def test_options_nouvelles_verifiees(tmp_path, capsys, option, message):
    source = SOURCE_030.format(fichier="rencontres_0.30.csv").replace(
        'correspondance_taxonomies = { "32" = "QN00002B", "40" = "" }\n', option + "\n"
    )
    assert main(["valider", "--config", str(project(tmp_path, source))]) == 2
    err = capsys.readouterr().err
    assert "[sources.decidim]" in err and message in err
