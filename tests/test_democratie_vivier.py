"""Vivier du panel citoyen : personnes pseudonymes et critères configurés, lus par la vraie
configuration sur des fixtures faites main (``tests/fixtures/democratie/vivier/``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from observatoire.errors import ConfigError, InputError
from observatoire.privacy import ENV_KEY
from observatoire.territory import Observatoire

FIX = Path(__file__).resolve().parent / "fixtures" / "democratie" / "vivier"
# identités fictives du fichier nominatif : elles ne doivent apparaître nulle part
IDENTITES = [
    "MOREL", "Jeanne", "BENALI", "Omar", "LEGRAND", "Sophie", "jeanne.morel", "example.org",
    "example.net", "06 39 98", "0639980011", "rue des Lilas", "avenue du Port", "place Haute",
]  # fmt: skip
NOMINATIF = '[sources.cas]\ntype = "vivier_panel"\nfichier = "vivier_nominatif.csv"\n'


def project(tmp_path: Path, sources: str | None = None) -> Path:
    """Copie des fixtures ; ``sources`` remplace les sources du vivier."""
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest)
    config = dest / "observatoire.toml"
    if sources is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(text[: text.index("# sources du")] + sources, encoding="utf-8")
    return config


def refused(config: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        Observatoire.from_config(config, use_cache=False)
    return [p.format_fr() for p in info.value.problems]


def source(fichier: str, extra: str = "") -> str:
    return f'[sources.cas]\ntype = "vivier_panel"\nfichier = "{fichier}"\n{extra}'


@pytest.fixture(scope="module")
def vivier(tmp_path_factory):
    config = project(tmp_path_factory.mktemp("vivier"))
    return Observatoire.from_config(config, use_cache=False).table("vivier").set_index("personne")


def test_volontaires_csv_windows_1252_et_critere_du_panel(vivier):
    v = vivier[vivier["source"] == "volontaires"]
    assert list(v.index) == ["V001", "V002", "V003", "V004", "V005", "V006"]
    # l'âge donne la tranche canonique ; la tranche seule est gardée
    assert v["tranche_age"].tolist() == ["15-29", "30-44", "60-74", "45-59", "15-29", "75+"]
    assert v.loc["V001", "age"] == 17 and pd.isna(v.loc["V002", "age"])
    assert v["sexe"].tolist() == ["F", "H", "F", "H", "F", "H"]  # « Femme », « Homme »
    # code, nom du quartier, « Hors QPV », vide
    assert v["quartier"].tolist() == ["QN00001A", "QN00002B", None, None, "QN00003C", "QN00002B"]
    assert v["habite_qpv"].tolist() == [True, True, False, False, True, True]
    # [panel] criteres = [..., "diplome"] : colonne « Diplôme » trouvée sans accents
    assert v.loc["V002", "critere_diplome"] == "Baccalauréat"
    assert v.loc["V001", "ligne"] == 3  # ligne de titre, puis l'en-tête


def test_tirage_xlsx_colonne_de_critere_configuree(vivier):
    t = vivier[vivier["source"] == "tirage"]
    assert list(t.index) == ["T-01", "T-02", "T-03"]
    assert t["tranche_age"].tolist() == ["45-59", "75+", "0-14"]
    assert t["critere_diplome"].tolist() == ["Bac", "Aucun diplôme", "Aucun diplôme"]
    assert t["habite_qpv"].tolist() == [True, False, True]  # VRAI / FAUX / oui
    assert t.loc["T-03", "quartier"] == "QN00002B"
    assert t.loc["T-01", "ligne"] == 5


def test_valeur_de_critere_vide_refusee(tmp_path):
    assert refused(project(tmp_path, source("vivier_critere_vide.csv"))) == [
        "fichier vivier_critere_vide.csv, ligne 3, colonne « Diplôme » — valeur du critère "
        "« diplome » manquante : une personne sans valeur ne peut pas être tirée au sort sur ce "
        "critère — attendu : une valeur pour chaque personne (complétez la ligne ou retirez-la "
        "du vivier)"
    ]


def test_colonne_de_critere_absente_et_option_criteres(tmp_path):
    config = project(tmp_path / "a", source("vivier_volontaires.csv", 'criteres = ["emploi"]\n'))
    assert refused(config) == [
        "fichier vivier_volontaires.csv — colonne du critère « emploi » introuvable — attendu : "
        "une colonne « emploi » (sans accents ni majuscules) ou colonnes = { critere_emploi = "
        '"…" } dans [sources.cas]'
    ]
    # l'option de la source prime sur [panel] : sans critère, pas de colonne critere_
    config = project(tmp_path / "b", source("vivier_critere_vide.csv", "criteres = []\n"))
    table = Observatoire.from_config(config, use_cache=False).table("vivier")
    assert len(table) == 3 and "critere_diplome" not in table.columns
    config = project(
        tmp_path / "c", source("vivier_critere_vide.csv", 'criteres = ["Di plôme!"]\n')
    )
    with pytest.raises(ConfigError, match="nom de critère invalide"):
        Observatoire.from_config(config, use_cache=False)


def test_identifiant_en_double_refuse(tmp_path):
    assert refused(project(tmp_path, source("vivier_identifiant_double.csv"))) == [
        "fichier vivier_identifiant_double.csv, ligne 4, colonne « Identifiant » — même personne "
        "deux fois dans le vivier — valeur trouvée : « V201 » — attendu : une ligne par personne "
        "(déjà ligne 2)"
    ]


def test_anomalies_toutes_a_la_fois(tmp_path):
    assert refused(project(tmp_path, source("vivier_anomalies.csv"))) == [
        "fichier vivier_anomalies.csv, ligne 2, colonne « Sexe » — valeur invalide — valeur "
        "trouvée : « X? » — attendu : F ou H (femme, homme), vide si non renseigné",
        "fichier vivier_anomalies.csv, ligne 3, colonne « Tranche d'âge » — âge et tranche "
        "d'âge incohérents — valeur trouvée : « 15-29 » — attendu : la tranche 45-59 pour un "
        "âge de 52 ans",
        "fichier vivier_anomalies.csv, ligne 4, colonne « Âge » — valeur invalide — valeur "
        "trouvée : « trente » — attendu : un âge en années entre 0 et 120 (vide si inconnu)",
        "fichier vivier_anomalies.csv, ligne 4, colonne « Quartier » — quartier de résidence "
        "invalide — valeur trouvée : « Quartier inconnu » — attendu : un seul quartier de "
        "résidence : un code QPV connu (QN00001A, QN00002B, QN00003C…), un nom de quartier du "
        "territoire ou déclaré dans correspondance_quartiers, « Hors QPV », ou vide si inconnu",
        "fichier vivier_anomalies.csv, ligne 5, colonne « Habite un QPV » — quartier et "
        "« habite un QPV » incohérents — valeur trouvée : « non » — attendu : oui (quartier "
        "« La Lande »)",
    ]


def test_vivier_nominatif_refuse_sans_recopier_les_valeurs(tmp_path):
    shown = refused(project(tmp_path, NOMINATIF))
    assert len(shown) == 5
    assert shown[2] == (
        "fichier vivier_nominatif.csv, colonne « Courriel » — données personnelles directement "
        "identifiantes (adresses e-mail, reconnues par le nom de colonne) : elles ne doivent pas "
        "entrer dans l'observatoire. Retirez cette colonne du fichier, ou ajoutez « pseudonymiser "
        "= true » à [sources.cas] : les colonnes d'identité sont alors supprimées à la lecture et "
        "remplacées par un identifiant pseudonyme calculé avec une clé secrète (variable "
        "d'environnement OBSERVATOIRE_CLE ou option fichier_cle, hors du dépôt ; voir le README, "
        "section « Participation des habitants ») — attendu : aucune donnée directement "
        "identifiante (nom, prénom, e-mail, téléphone, adresse)"
    )
    assert [s.split(" — ")[0] for s in shown] == [
        f"fichier vivier_nominatif.csv, colonne « {c} »"
        for c in ("Nom", "Prénom", "Courriel", "Téléphone", "Adresse")
    ]
    for ident in IDENTITES:
        assert not any(ident in s for s in shown), ident


def test_vivier_nominatif_pseudonymise_hmac_rien_dans_le_cache(tmp_path, monkeypatch):
    extra = 'pseudonymiser = true\nfichier_cle = "cle_tests_non_secrete.txt"\n'
    config = project(tmp_path / "a", NOMINATIF + extra)
    obs = Observatoire.from_config(config, use_cache=True)
    v = obs.table("vivier")
    assert v["personne"].str.fullmatch(r"P[0-9a-f]{16}").all() and v["personne"].is_unique
    assert v["tranche_age"].tolist() == ["30-44", "15-29", "60-74"]
    assert v["quartier"].tolist() == ["QN00003C", "QN00002B", None]
    assert v["critere_diplome"].tolist() == ["Bac", "Bac+2", "Aucun diplôme"]
    assert not {"Nom", "Prénom", "Courriel", "Téléphone", "Adresse"} & set(v.columns)
    shown = [w.format_fr() for w in obs.warnings]
    assert (
        "fichier vivier_nominatif.csv, colonne « Courriel » — colonne d'identité (adresses "
        "e-mail, reconnue par le nom de colonne) non importée (pseudonymiser = true)"
    ) in shown
    cache = b"".join(p.read_bytes() for p in config.parent.joinpath(".cache").rglob("*.*"))
    assert cache  # le cache a bien été écrit
    for ident in IDENTITES:
        assert ident not in v.astype(str).to_csv() + "\n".join(shown), ident
        assert ident.encode() not in cache, ident
    key = (config.parent / "cle_tests_non_secrete.txt").read_text().splitlines()[-1]
    assert key.encode() not in cache
    # même clé → mêmes pseudonymes ; autre clé → autres pseudonymes
    again = Observatoire.from_config(project(tmp_path / "b", NOMINATIF + extra), use_cache=False)
    assert again.table("vivier")["personne"].tolist() == v["personne"].tolist()
    monkeypatch.setenv(ENV_KEY, "une-autre-cle-de-test-longue-0003")
    other = project(tmp_path / "c", NOMINATIF + "pseudonymiser = true\n")
    other_ids = Observatoire.from_config(other, use_cache=False).table("vivier")["personne"]
    assert set(other_ids).isdisjoint(v["personne"])


def test_meme_personne_dans_deux_fichiers(tmp_path):
    config = project(
        tmp_path,
        source("vivier_volontaires.csv")
        + '\n[sources.bis]\ntype = "vivier_panel"\nfichier = "vivier_bis.csv"\n',
    )
    shutil.copy(config.parent / "vivier_volontaires.csv", config.parent / "vivier_bis.csv")
    shown = refused(config)
    assert len(shown) == 6
    assert shown[0] == (
        "fichier vivier_bis.csv, ligne 3 — table vivier : déjà fourni par "
        "vivier_volontaires.csv (ligne 3) — valeur trouvée : « V001 » — attendu : une seule "
        "source par personne"
    )
