"""Lecture des pétitions, signatures, remontées, séances et avis par la configuration seule
(``observatoire.open`` sur un mini-territoire fictif), refus localisés en français et
données personnelles (refus, ou retrait avec ``pseudonymiser = true``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import observatoire
from observatoire.errors import ConfigError, InputError

FIX = Path(__file__).resolve().parent / "fixtures" / "democratie" / "suivi"
PETITIONS = '[sources.petitions]\ntype = "petitions"\nfichier = "petitions.xlsx"\n'
SEANCES = '[sources.seances]\ntype = "instances"\nfichier = "seances.xlsx"\n'
# identifiants fictifs des fichiers à données personnelles : jamais dans une table ni le cache
IDENTIFIANTS = [
    "Lefebvre", "LEFEBVRE", "06 39 98", "0639980001", "karim", "Karim", "Martin",
    "example.net", "example.org", "DURAND", "Camille",
]  # fmt: skip


def project(tmp_path: Path, extra: str | None = None) -> Path:
    """Copie les fixtures ; ``extra`` remplace les sources du suivi de la configuration."""
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest, ignore=shutil.ignore_patterns("fabriquer.py"))
    config = dest / "observatoire.toml"
    if extra is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(text[: text.index("# sources du suivi")] + extra, encoding="utf-8")
    return config


def refused(config: Path) -> InputError:
    with pytest.raises(InputError) as info:
        observatoire.open(str(config))
    return info.value


def by_place(error: InputError) -> dict[tuple[int | None, str | None], object]:
    return {(p.row, p.column): p for p in error.errors}


@pytest.fixture(scope="module")
def obs(tmp_path_factory):
    return observatoire.open(str(project(tmp_path_factory.mktemp("suivi"))))


def test_petitions_classeur_xlsx_lignes_de_titre(obs):
    pet = obs.table("petitions").set_index("id")
    assert list(pet.index) == ["P01", "P02", "P03", "P04", "P05"]  # la note n'est pas lue
    assert pet.loc["P01", "ligne"] == 5  # deux lignes de titre, une vide, l'en-tête
    assert pet.loc["P01", "depot"] == pd.Timestamp("2025-01-15")  # date Excel
    assert pet.loc["P02", "depot"] == pd.Timestamp("2025-02-03")  # texte JJ/MM/AAAA
    # statuts : synonymes usuels
    assert pet["statut"].tolist() == ["panel", "recevable", "réponse", "irrecevable", "réponse"]
    assert pet.loc["P01", "quartiers"] == "QN00001A"  # nom de quartier → code
    assert pet.loc["P03", "quartiers"] == "QN00003C;QN00002B"
    assert pd.isna(pet.loc["P04", "quartiers"])  # « Tous les quartiers »
    assert pd.isna(pet.loc["P04", "seuil"]) and pd.isna(pet.loc["P04", "signatures"])
    assert pet.loc["P05", "seuil"] == 300  # « 300 » écrit en texte
    assert pet.loc["P01", "date_seuil"] == pd.Timestamp("2025-03-02")
    assert pet.loc["P03", "date_reponse"] == pd.Timestamp("2025-06-01")
    # statut « réponse » sans date : utilisable, mais dit
    (warn,) = [w for w in obs.warnings if w.file == "petitions.xlsx"]
    assert (warn.row, warn.column) == (9, "Statut")
    assert "sans date de réponse" in warn.message


def test_signatures_nouvelles_par_jour_deviennent_un_cumul(obs):
    sig = obs.table("signatures")
    p01 = sig[sig["petition"] == "P01"]
    # lignes du fichier dans le désordre (10/03 avant 02/03) : cumul dans l'ordre des dates
    assert p01["date"].dt.strftime("%d/%m").tolist() == ["15/01", "20/01", "02/03", "10/03"]
    assert p01["cumul"].tolist() == [40, 140, 300, 342]
    assert p01["ligne"].tolist() == [3, 4, 6, 5]
    assert sig[sig["petition"] == "P02"]["cumul"].tolist() == [70, 120]  # date ISO comprise


def test_signatures_cumul_par_colonne_cumul(obs):
    sig = obs.table("signatures")
    p03 = sig[sig["petition"] == "P03"]
    assert set(p03["source"]) == {"signatures_cumul"}
    assert p03["cumul"].tolist() == [25, 180, 310]  # repris tel quel (CSV « , » UTF-8)
    assert str(sig["cumul"].dtype) == "Int64"


def test_signatures_option_cumul_sur_colonne_signatures(tmp_path):
    config = project(tmp_path, PETITIONS)
    (config.parent / "cumuls.csv").write_text(
        "Pétition;Date;Signatures\nP02;05/02/2025;70\nP02;20/02/2025;120\n", encoding="utf-8"
    )
    with config.open("a", encoding="utf-8") as f:
        f.write('[sources.cumuls]\ntype = "signatures"\nfichier = "cumuls.csv"\ncumul = true\n')
    sig = observatoire.open(str(config)).table("signatures")
    assert sig["cumul"].tolist() == [70, 120]  # sans cumul = true, ce serait 70 puis 190


def test_remontees_csv_windows_1252(obs):
    rem = obs.table("remontees").set_index("id")
    assert rem["canal"].tolist() == [
        "accueil",
        "réseaux sociaux",
        "acteur de terrain",
        "e-mail",
        "acteur de terrain",
        "téléphone",
    ]  # fmt: skip  (« GUP » : correspondance_canaux)
    assert rem["statut"].tolist() == [
        "traitée", "traitée", "en cours", "nouvelle", "traitée", "sans suite",
    ]  # fmt: skip
    assert rem.loc["RM03", "quartier"] == "QN00003C"
    assert pd.isna(rem.loc["RM04", "quartier"])
    assert rem.loc["RM02", "theme"] == "Éclairage"  # accents lus en Windows-1252
    assert rem.loc["RM01", "service"] == "Propreté urbaine"
    assert rem.loc["RM01", "date_traitement"] == pd.Timestamp("2025-01-20")
    assert "description" not in rem.columns  # jamais reprise
    assert "Dépôt sauvage" not in obs.table("remontees").astype(str).to_string()
    (warn,) = [w for w in obs.warnings if w.file == "remontees.csv"]
    assert (warn.row, warn.column, warn.severity) == (7, "Date de traitement", "avertissement")
    assert "« traitée » sans date de traitement" in warn.message


def test_seances_et_avis(obs):
    sea = obs.table("seances").set_index("id")
    assert sea.loc["S01", ["participants", "membres"]].tolist() == [14, 20]
    assert sea.loc["S04", "date"] == pd.Timestamp("2025-05-23")  # numéro de série Excel
    assert pd.isna(sea.loc["S04", "participants"])  # « nd » : inconnu, jamais 0
    assert pd.isna(sea.loc["S03", "membres"])
    assert pd.isna(sea.loc["S02", "quartier"]) and pd.isna(sea.loc["S04", "quartier"])
    assert any(
        w.file == "seances.xlsx" and w.row == 7 and "participants inconnu" in w.message
        for w in obs.warnings
    )
    avis = obs.table("avis").set_index("id")
    assert avis.loc["AV02", "instance"] == "CCSPL"  # déduite de la séance S02
    assert avis.loc["AV01", "date_reponse"] == pd.Timestamp("2025-03-14")
    assert avis.loc["AV03", "reponse"] == "Trois lampadaires remplacés sur le quai."
    assert pd.isna(avis.loc["AV04", "seance"]) and pd.isna(avis.loc["AV02", "date_reponse"])


def test_petitions_anomalies_toutes_localisees(tmp_path):
    config = project(
        tmp_path, '[sources.p]\ntype = "petitions"\nfichier = "petitions_anomalies.csv"\n'
    )
    problems = by_place(refused(config))
    assert set(problems) == {
        (3, "Seuil"), (4, "Seuil"), (5, "Statut"), (6, "Date de réponse"),
        (7, "Date de dépôt"), (8, "N°"), (8, "Quartier(s)"),
    }  # fmt: skip
    assert problems[(3, "Seuil")].found == "0"
    assert problems[(4, "Seuil")].expected == (
        "un nombre entier de signatures, au moins 1 (vide si aucun seuil)"
    )
    assert problems[(5, "Statut")].expected == (
        "un statut de pétition de la liste : déposée, recevable, irrecevable, seuil atteint, "
        "panel, réponse (synonymes usuels admis ; autre libellé : déclarez-le dans "
        "correspondance_statuts)"
    )
    assert problems[(6, "Date de réponse")].format_fr() == (
        "fichier petitions_anomalies.csv, ligne 6, colonne « Date de réponse » — date de "
        "réponse antérieure à la date de dépôt — valeur trouvée : « 01/03/2025 » — attendu : "
        "une date postérieure ou égale au 15/03/2025 (colonne Date de dépôt)"
    )
    assert problems[(7, "Date de dépôt")].message == "date manquante"
    assert problems[(8, "N°")].expected == "un identifiant unique (déjà ligne 7)"


def test_correspondance_statuts_traduit_un_libelle_local(tmp_path):
    config = project(
        tmp_path,
        '[sources.p]\ntype = "petitions"\nfichier = "petitions_anomalies.csv"\n'
        'correspondance_statuts = { "En délibéré" = "Recevable" }\n',
    )
    assert (5, "Statut") not in by_place(refused(config))
    bad = project(tmp_path / "b", PETITIONS + 'correspondance_statuts = { "Close" = "archivée" }\n')
    with pytest.raises(ConfigError) as info:
        observatoire.open(str(bad))
    assert "correspondance_statuts" in str(info.value)
    assert "déposée, recevable, irrecevable" in info.value.problems[0].expected


def test_signatures_anomalies(tmp_path):
    config = project(
        tmp_path,
        PETITIONS + '[sources.s]\ntype = "signatures"\nfichier = "signatures_anomalies.csv"\n',
    )
    problems = by_place(refused(config))
    assert set(problems) == {(5, "Cumul"), (6, "Pétition"), (7, "Date"), (8, "Cumul")}
    decroit = problems[(5, "Cumul")]
    assert decroit.message == "le cumul des signatures décroît"
    assert (decroit.found, decroit.expected) == (90, "au moins 100 (cumul du 20/01/2025, ligne 4)")
    assert problems[(6, "Pétition")].message == "pétition inconnue"
    assert problems[(6, "Pétition")].found == "P09"
    assert problems[(7, "Date")].message == "signatures du même jour en double"
    assert problems[(7, "Date")].expected == (
        "une seule ligne par pétition et par date (déjà ligne 4)"
    )
    assert problems[(8, "Cumul")].expected == "un nombre entier de signatures, positif ou nul"


def test_signatures_sans_source_de_petitions(tmp_path):
    config = project(tmp_path, '[sources.s]\ntype = "signatures"\nfichier = "signatures.csv"\n')
    (problem,) = refused(config).errors
    assert problem.message.startswith("aucune source de type « petitions » déclarée")


def test_signatures_cascade_si_les_petitions_sont_en_erreur(tmp_path):
    config = project(
        tmp_path,
        '[sources.p]\ntype = "petitions"\nfichier = "petitions_anomalies.csv"\n'
        '[sources.s]\ntype = "signatures"\nfichier = "signatures.csv"\n',
    )
    error = refused(config)
    mine = [p for p in error.errors if p.file == "signatures.csv"]
    assert len(mine) == 1 and "renvoient à des pétitions non vérifiables" in mine[0].message


def test_fichier_de_signataires_refuse_meme_pseudonymise(tmp_path):
    config = project(
        tmp_path,
        PETITIONS + '[sources.s]\ntype = "signatures"\nfichier = "signataires_nominatif.csv"\n'
        "pseudonymiser = true\n",
    )
    error = refused(config)
    assert {p.column for p in error.errors} == {"Nom", "Prénom", "E-mail"}
    message = error.errors[0].message
    assert message.startswith("fichier de signataires nominatif (noms, prénoms, adresses e-mail)")
    assert "Fournissez des comptes par date" in message
    text = error.format_fr()
    assert all(x not in text for x in ("DURAND", "Camille", "camille.durand"))


def test_remontees_anomalies(tmp_path):
    config = project(
        tmp_path, '[sources.r]\ntype = "remontees"\nfichier = "remontees_anomalies.csv"\n'
    )
    problems = by_place(refused(config))
    assert set(problems) == {
        (3, "Canal"), (4, "Date de traitement"), (5, "Statut"), (6, "Date"), (7, "Statut"),
    }  # fmt: skip
    assert problems[(3, "Canal")].found == "Pigeon voyageur"
    assert "correspondance_canaux" in problems[(3, "Canal")].expected
    assert problems[(4, "Date de traitement")].message == (
        "date de traitement antérieure à la date de la remontée"
    )
    assert problems[(5, "Statut")].message == "statut de remontée manquant"
    assert problems[(6, "Date")].found == "31/02/2025"


def test_remontees_description_nominative_refusee(tmp_path):
    config = project(
        tmp_path,
        '[sources.r]\ntype = "remontees"\nfichier = "remontees_donnees_personnelles.csv"\n',
    )
    error = refused(config)
    found = {(p.row, p.column, p.found) for p in error.errors}
    assert found == {
        (3, "Description", "Mme L…"), (3, "Description", "06 … 01"),
        (4, "Description", "k…@….net"),
    }  # fmt: skip
    assert "pseudonymiser = true" in error.errors[0].message
    assert all(x not in error.format_fr() for x in IDENTIFIANTS)


def test_remontees_description_pseudonymisee_jamais_reprise(tmp_path):
    config = project(
        tmp_path,
        '[sources.r]\ntype = "remontees"\nfichier = "remontees_donnees_personnelles.csv"\n'
        "pseudonymiser = true\n",
    )
    obs = observatoire.open(str(config))
    rem = obs.table("remontees")
    assert rem["id"].tolist() == ["RM01", "RM02", "RM03"]
    warnings = [w for w in obs.warnings if w.file == "remontees_donnees_personnelles.csv"]
    assert len(warnings) == 3
    assert all("non importée" in w.message for w in warnings)
    _no_identifier(rem, config.parent)


def test_seances_anomalies(tmp_path):
    config = project(
        tmp_path, '[sources.s]\ntype = "instances"\nfichier = "seances_anomalies.csv"\n'
    )
    problems = by_place(refused(config))
    assert set(problems) == {(3, "Participants"), (4, "Date"), (5, "Instance"), (6, "Participants")}
    trop = problems[(3, "Participants")]
    assert (trop.message, trop.found, trop.expected) == (
        "plus de participants que de membres",
        25,
        "au plus 20 (colonne Membres)",
    )
    assert problems[(5, "Instance")].message == "instance manquante"


def test_avis_anomalies(tmp_path):
    config = project(
        tmp_path, SEANCES + '[sources.a]\ntype = "avis"\nfichier = "avis_anomalies.csv"\n'
    )
    problems = by_place(refused(config))
    assert set(problems) == {(3, "Séance"), (4, "Date de réponse"), (5, "Objet")}
    assert problems[(3, "Séance")].message == "séance inconnue"
    assert problems[(3, "Séance")].found == "S99"
    assert problems[(4, "Date de réponse")].expected == (
        "une date postérieure ou égale au 12/02/2025 (colonne Date de l'avis)"
    )


def test_avis_sans_source_instances_seance_non_controlee(tmp_path):
    config = project(tmp_path, '[sources.a]\ntype = "avis"\nfichier = "avis_anomalies.csv"\n')
    assert (3, "Séance") not in by_place(refused(config))  # aucune source « instances »


def test_avis_reponse_nominative_refusee_ou_retiree(tmp_path):
    extra = SEANCES + '[sources.a]\ntype = "avis"\nfichier = "avis_donnees_personnelles.csv"\n'
    error = refused(project(tmp_path / "refus", extra))
    assert {(p.row, p.column) for p in error.errors} == {(3, "Réponse apportée")}
    assert all(x not in error.format_fr() for x in IDENTIFIANTS)
    config = project(tmp_path / "retrait", extra + "pseudonymiser = true\n")
    obs = observatoire.open(str(config))
    avis = obs.table("avis").set_index("id")
    assert avis.loc["AV01", "reponse"] == "Réponse envoyée à [nom retiré] ([e-mail retiré])."
    assert avis.loc["AV02", "reponse"] == "Tarifs maintenus en 2025."
    assert any("remplacée à la lecture" in w.message for w in obs.warnings)
    _no_identifier(obs.table("avis"), config.parent)


def _no_identifier(frame: pd.DataFrame, root: Path) -> None:
    """Aucun identifiant dans la table ni dans le cache écrit (Parquet relu, autres fichiers
    en texte : avertissements compris)."""
    texts = [frame.astype(str).to_string()]
    cache = sorted(p for p in (root / ".cache").rglob("*") if p.is_file())
    assert any(p.suffix == ".parquet" for p in cache), "le cache n'a pas été écrit"
    for path in cache:
        if path.suffix == ".parquet":
            texts.append(pq.read_table(path).to_pandas().astype(str).to_string())
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    for text in texts:
        assert not [x for x in IDENTIFIANTS if x in text]


def test_colonne_obligatoire_absente(tmp_path):
    config = project(
        tmp_path, '[sources.r]\ntype = "remontees"\nfichier = "remontees_sans_canal.csv"\n'
    )
    (problem,) = refused(config).errors
    assert problem.message == "colonne « canal » introuvable"
    assert problem.expected == (
        "une colonne « canal », « canal de réception », « origine », ou "
        'colonnes.canal = "…" dans [sources.r]'
    )


def test_option_cumul_non_booleenne(tmp_path):
    config = project(
        tmp_path,
        PETITIONS + '[sources.s]\ntype = "signatures"\nfichier = "signatures.csv"\ncumul = "oui"\n',
    )
    with pytest.raises(ConfigError) as info:
        observatoire.open(str(config))
    assert "[sources.s] cumul — doit valoir true ou false" in str(info.value)


def test_chaque_lecteur_du_suivi_passe_par_le_dernier_rempart():
    from observatoire.sources.registry import adapters

    found = {
        t: adapters()[t] for t in ("petitions", "signatures", "remontees", "instances", "avis")
    }
    tables = {t: a.tables for t, a in found.items()}
    assert tables == {
        "petitions": ("petitions",), "signatures": ("signatures",),
        "remontees": ("remontees",), "instances": ("seances",), "avis": ("avis",),
    }  # fmt: skip
    assert all(getattr(a.load, "privacy_guarded", False) for a in found.values())
