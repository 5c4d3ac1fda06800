"""Budget participatif : projets (montants en centimes exacts) et votes agrégés, lus par la
vraie configuration sur des fixtures faites main (``tests/fixtures/democratie/budget/``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from observatoire.errors import ConfigError, InputError
from observatoire.territory import Observatoire

FIX = Path(__file__).resolve().parent / "fixtures" / "democratie" / "budget"
# identités fictives du fichier de porteurs : elles ne doivent apparaître nulle part
IDENTITES = ["MOREL", "Jeanne", "jeanne.morel", "example.org", "BENALI", "Omar"]


def project(tmp_path: Path, sources: str | None = None) -> Path:
    """Copie des fixtures ; ``sources`` remplace les sources du budget participatif."""
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest)
    config = dest / "observatoire.toml"
    if sources is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(text[: text.index("# sources du")] + sources, encoding="utf-8")
    return config


def refused(config: Path, error=InputError) -> list[str]:
    with pytest.raises(error) as info:
        Observatoire.from_config(config, use_cache=False)
    return [p.format_fr() for p in info.value.problems]


def source(kind: str, fichier: str, extra: str = "") -> str:
    return f'[sources.cas]\ntype = "{kind}"\nfichier = "{fichier}"\n{extra}'


@pytest.fixture(scope="module")
def obs(tmp_path_factory):
    return Observatoire.from_config(project(tmp_path_factory.mktemp("bp")), use_cache=False)


def test_projets_classeur_centimes_exacts_et_statuts(obs):
    projets = obs.table("projets_bp").set_index("id")
    assert list(projets.index) == ["BP25-01", "BP25-02", "BP25-03", "BP25-04", "BP24-07"]
    # « 12 500,50 € » (texte), 8000 (nombre), « 1 234,56 », « 45 000 », 3999.99 (flottant)
    assert projets["montant_centimes"].tolist() == [1250050, 800000, 123456, 4500000, 399999]
    assert str(projets["montant_centimes"].dtype) == "Int64"
    assert projets["statut"].tolist() == [
        "lauréat",
        "réalisé",
        "non recevable",
        "lauréat",
        "réalisé",
    ]  # fmt: skip  « Non éligible » (synonyme), « Coup de cœur » (correspondance_statuts)
    assert projets.loc["BP25-01", "quartier"] == "QN00001A"  # nom du quartier → code
    assert projets.loc["BP25-03", "quartier"] is None  # « Tout le territoire »
    assert projets["edition"].tolist() == [2025, 2025, 2025, 2025, 2024]
    assert projets.loc["BP25-04", "laureat"] == True  # noqa: E712  cellule booléenne VRAI
    assert pd.isna(projets.loc["BP25-04", "realise"])  # vide : inconnu, jamais « non »
    assert projets.loc["BP25-02", "jeunes"] == True  # noqa: E712
    assert pd.isna(projets.loc["BP25-03", "votes"])
    assert projets.loc["BP25-04", "votes"] == 530
    assert projets.loc["BP25-01", "ligne"] == 5  # deux lignes de titre, une vide, l'en-tête
    assert projets.loc["BP25-01", "titre"] == "Jardin partagé des Hauts"


def test_projet_realise_non_laureat_averti(obs):
    shown = [w.format_fr() for w in obs.warnings]
    assert (
        "fichier projets_bp.xlsx, ligne 9, colonne « Réalisé » — projet réalisé mais non "
        "lauréat : vérifiez la ligne (le projet est compté comme réalisé et comme non lauréat)"
    ) in shown
    assert sum("non lauréat" in w for w in shown) == 1


def test_votes_agreges_csv_windows_1252(obs):
    votes = obs.table("votes_bp")
    assert votes["ligne"].tolist() == [3, 4, 5, 6, 7, 9, 10]  # la ligne de total n'est pas lue
    assert votes["votants"].sum() == 332
    first = votes.iloc[0]
    assert (first["edition"], first["quartier"], first["tranche_age"]) == (
        2025, "QN00001A", "11-15 ans",
    )  # fmt: skip
    bounds = list(zip(votes["age_min"], votes["age_max"], strict=True))
    assert bounds[0] == (11, 15) and bounds[2] == (16, 24) and bounds[3] == (25, 64)
    assert bounds[4][0] == 65 and pd.isna(bounds[4][1])  # « 65 ans et plus »
    assert pd.isna(bounds[5][0]) and bounds[5][1] == 24  # « moins de 25 ans »
    assert votes["sexe"].tolist()[:5] == ["F", "H", "F", "H", None]  # « Femme », « Homme »
    assert votes.iloc[4]["quartier"] is None  # « Hors QPV »
    assert votes.iloc[5]["quartier"] == "QN00003C"
    shown = [w.format_fr() for w in obs.warnings]
    assert (
        "fichier votes_bp.csv, ligne 8 — ligne de total ignorée (les totaux sont recalculés à "
        "partir des lignes détaillées)"
    ) in shown


def test_projets_toutes_les_anomalies_a_la_fois(tmp_path):
    shown = refused(project(tmp_path, source("budget_participatif", "projets_anomalies.csv")))
    assert shown == [
        "fichier projets_anomalies.csv, ligne 2, colonne « Montant (€) » — valeur invalide — "
        "valeur trouvée : « douze mille » — attendu : un montant en euros au centime près "
        "(ex. 31 000,00) ou vide",
        "fichier projets_anomalies.csv, ligne 3, colonne « Statut » — valeur invalide — valeur "
        "trouvée : « En délibération » — attendu : un statut de projet : déposé, recevable, non "
        "recevable, soumis au vote, lauréat, réalisé, abandonné (synonymes usuels admis, sans "
        'accents ni majuscules ; sinon correspondance_statuts = { "libellé du fichier" = '
        '"déposé" } dans [sources.cas])',
        "fichier projets_anomalies.csv, ligne 4, colonne « Quartier » — valeur invalide — valeur "
        "trouvée : « Quartier inconnu » — attendu : un code QPV connu (QN00001A, QN00002B, "
        "QN00003C…), un nom de quartier du territoire ou déclaré dans correspondance_quartiers, "
        "ou vide pour tout le territoire",
        "fichier projets_anomalies.csv, ligne 4, colonne « Lauréat » — valeur invalide — valeur "
        "trouvée : « peut-être » — attendu : oui ou non (vide si inconnu)",
        "fichier projets_anomalies.csv, ligne 5, colonne « N° » — identifiant de projet en "
        "double — valeur trouvée : « A1 » — attendu : un identifiant unique (déjà ligne 2)",
        "fichier projets_anomalies.csv, ligne 6, colonne « Montant (€) » — montant ambigu : "
        "point des milliers ? (valeur probablement voulue : 23\u202f300 €) — valeur trouvée : "
        "« 23.300 » — attendu : 23\u202f300 écrit sans point, ou 23,30 avec une virgule (un "
        "montant a au plus deux décimales)",
    ]


def test_correspondance_statuts_vers_un_statut_inconnu(tmp_path):
    extra = 'correspondance_statuts = { "En délibération" = "en suspens" }\n'
    config = project(tmp_path, source("budget_participatif", "projets_anomalies.csv", extra))
    with pytest.raises(ConfigError) as info:
        Observatoire.from_config(config, use_cache=False)
    assert (
        "[sources.cas] correspondance_statuts — valeur cible invalide pour « En délibération »"
        in str(info.value)
    )


def test_bulletins_individuels_refuses(tmp_path):
    shown = refused(
        project(
            tmp_path / "a", source("votes_budget_participatif", "votes_bulletins_identifiant.csv")
        )
    )
    assert shown == [
        "fichier votes_bulletins_identifiant.csv, colonne « Identifiant du votant » — colonne "
        "d'identifiant de votant : les bulletins individuels n'entrent pas dans l'observatoire "
        "— attendu : des totaux par tranche : une ligne par édition × quartier × tranche d'âge "
        "× sexe avec le nombre de votants (colonne « Votants »), sans identifiant de votant"
    ]
    assert not any("V-000123" in s for s in shown)  # l'identifiant n'est pas recopié
    shown = refused(
        project(
            tmp_path / "b", source("votes_budget_participatif", "votes_une_ligne_par_votant.csv")
        )
    )
    assert shown == [
        "fichier votes_une_ligne_par_votant.csv — aucune colonne « Votants » : le fichier "
        "ressemble à une ligne par votant (bulletins individuels), qui n'entre pas dans "
        "l'observatoire — attendu : des totaux par tranche : une ligne par édition × quartier "
        "× tranche d'âge × sexe avec le nombre de votants (colonne « Votants »), sans "
        'identifiant de votant (ou colonnes.votants = "…" dans [sources.cas])'
    ]


def test_tranches_qui_se_chevauchent_dans_une_edition(tmp_path):
    shown = refused(
        project(tmp_path, source("votes_budget_participatif", "votes_tranches_chevauchantes.csv"))
    )
    assert shown == [
        "fichier votes_tranches_chevauchantes.csv, ligne 3, colonne « Tranche d'âge » — "
        "tranches d'âge qui se chevauchent dans l'édition 2025 : « moins de 25 ans » et "
        "« 16-24 ans » (ligne 2) — valeur trouvée : « moins de 25 ans » — attendu : des "
        "tranches disjointes (ex. 11-15 ans, 16-24 ans, 25-64 ans, 65 ans et plus) : chaque "
        "votant n'est compté qu'une fois"
    ]  # l'édition 2024 (16-24 ans seule) n'est pas en cause


def test_porteurs_nominatifs_refuses_puis_retires(tmp_path):
    with pytest.raises(InputError) as info:
        Observatoire.from_config(
            project(tmp_path / "a", source("budget_participatif", "projets_porteur_nominatif.csv")),
            use_cache=False,
        )
    text = str(info.value)
    assert "ligne 2, colonne « Porteur » — données personnelles directement identifiantes" in text
    assert "ligne 2, colonne « Projet » — donnée personnelle dans le texte (adresse e-mail)" in text
    for ident in IDENTITES:
        assert ident not in text
    config = project(
        tmp_path / "b",
        source("budget_participatif", "projets_porteur_nominatif.csv", "pseudonymiser = true\n"),
    )
    obs = Observatoire.from_config(config, use_cache=True)
    projets = obs.table("projets_bp")
    assert projets["titre"].tolist() == [
        "Jardin pédagogique (contact [e-mail retiré])", "Tables de pique-nique",
    ]  # fmt: skip
    assert "Porteur" not in projets.columns
    shown = [w.format_fr() for w in obs.warnings]
    assert any("colonne « Porteur » — colonne d'identité (noms" in w for w in shown)
    cache = b"".join(p.read_bytes() for p in config.parent.joinpath(".cache").rglob("*.*"))
    assert cache  # le cache a bien été écrit
    for ident in IDENTITES:
        assert ident not in projets.astype(str).to_csv() + "\n".join(shown)
        assert ident.encode() not in cache, ident


@pytest.mark.parametrize(
    ("label", "bounds"),
    [
        ("11-15 ans", (11, 15)),
        ("11–15 ans", (11, 15)),  # tiret demi-cadratin d'un traitement de texte
        ("16 à 24 ans", (16, 24)),
        ("De 25 à 64 ans", (25, 64)),
        ("moins de 25 ans", (None, 24)),
        ("65 ans et plus", (65, None)),
        ("65 ans ou plus", (65, None)),
        ("65+", (65, None)),
        ("18 ans", (18, 18)),
    ],
)
def test_libelles_de_tranches(label, bounds):
    from observatoire.sources.budget_fields import parse_age_range

    assert parse_age_range(label) == bounds


@pytest.mark.parametrize("label", ["jeunes", "24-16 ans", "200 ans et plus"])
def test_libelles_de_tranches_refuses(label):
    from observatoire.sources.budget_fields import AGE_RANGE_EXPECTED, parse_age_range

    with pytest.raises(ValueError, match="une tranche d'âge") as info:
        parse_age_range(label)
    assert str(info.value) == AGE_RANGE_EXPECTED


def test_colonnes_d_identifiant_de_votant():
    from observatoire.sources.budget_participatif import voter_id_columns

    columns = ["Identifiant du votant", "N° de bulletin", "Électeur", "Pseudonyme", "Édition",
               "Quartier", "Tranche d'âge", "Sexe", "Votants", "Nombre de votants"]  # fmt: skip
    assert voter_id_columns(columns) == columns[:4]
