"""Indicateurs : fichiers larges et longs en désordre → valeurs avec statut, jamais 0."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from lecteurs_outils import context, messages, source

from observatoire.sources.indicators import load_indicateurs

ROOT = Path(__file__).resolve().parents[1]

REVENUS = {
    "annee_depuis_nom": r"_(\d{4})\.csv$",
    "colonne_niveau": "NIVGEO",
    "colonnes": {"code": "CODGEO", "nom": "LIBGEO"},
    "indicateurs": {"POP": "population", "TX_PAUV": "taux_pauvrete", "MED_UC": "revenu_median_uc"},
}


def valeurs(src, ctx=None):
    frame = load_indicateurs(src, ctx or context())["valeurs"]
    return frame.set_index(["code", "niveau", "indicateur", "annee"])


def test_wide_insee_like_file_cp1252_title_row_levels_and_secrets():
    v = valeurs(source("indicateurs", "revenus_qpv_2021.csv", **REVENUS))
    assert len(v) == 9 * 3
    hauts = v.loc[("QN00001A", "qpv", "taux_pauvrete", 2021)]
    assert hauts["valeur"] == 43.9 and hauts["statut"] == "ok"
    assert hauts["ligne"] == 3  # ligne du fichier (titre en ligne 1)
    assert v.loc[("QN00001A", "qpv", "population", 2021), "valeur"] == 1234.0  # espace insécable
    assert v.loc[("00101", "commune", "revenu_median_uc", 2021), "valeur"] == 21480.5
    secret = v.loc[("QN00002B", "qpv", "taux_pauvrete", 2021)]
    assert secret["statut"] == "secret" and math.isnan(secret["valeur"])
    assert v.loc[("QN00002B", "qpv", "revenu_median_uc", 2021), "statut"] == "absent"  # nd
    band = v.loc[("QN00003C", "qpv", "population", 2021)]
    assert band["statut"] == "secret" and band["tranche"] == "< 50"
    assert v.loc[("QN00003C", "qpv", "taux_pauvrete", 2021), "statut"] == "absent"  # vide
    levels = set(v.index.get_level_values("niveau"))
    assert levels == {"qpv", "commune", "epci", "departement", "france", "ensemble_qpv"}
    # jamais 0 pour une valeur non publiée
    assert not (v.loc[v["statut"] != "ok", "valeur"].fillna(-1) == 0).any()


def test_long_file_utf8_bom_with_labels_numerator_and_denominator():
    src = source(
        "indicateurs",
        "indicateurs_longs_bom.csv",
        forme="longue",
        indicateurs={"Taux de pauvreté": "taux_pauvrete"},
    )
    v = valeurs(src)
    row = v.loc[("QN00001A", "qpv", "taux_pauvrete", 2020)]
    assert (row["valeur"], row["numerateur"], row["denominateur"]) == (44.1, 544.0, 1234.0)
    assert v.loc[("QN00001A", "qpv", "taux_pauvrete", 2018), "valeur"] == 45.0
    assert v.loc[("QN00002B", "qpv", "taux_pauvrete", 2020), "statut"] == "secret"
    assert v.loc[("QN00003C", "qpv", "taux_pauvrete", 2020), "statut"] == "absent"  # n.d.
    assert v.loc[("QN00001A", "qpv", "population", 2020), "valeur"] == 1240.0  # id direct


def test_tab_separated_protected_codes_float_artefacts_and_catalogue_named_columns():
    v = valeurs(source("indicateurs", "indicateurs_tabulations.txt", annee=2019))
    assert v.loc[("QN00001A", "qpv", "taux_chomage", 2019), "valeur"] == 24.7
    assert v.loc[("QN00002B", "qpv", "taux_chomage", 2019), "statut"] == "absent"  # ///
    assert v.loc[("QN00002B", "qpv", "part_etrangers", 2019), "statut"] == "absent"  # -
    assert set(v.index.get_level_values("code")) == {"QN00001A", "QN00002B", "QN00003C"}


def test_comma_separated_file_year_from_name():
    src = source(
        "indicateurs",
        "emploi_virgule_2020.csv",
        annee_depuis_nom=r"(\d{4})",
        indicateurs={"TX_EMPL": "taux_emploi"},
    )
    v = valeurs(src)
    assert v.loc[("QN00002B", "qpv", "taux_emploi", 2020), "valeur"] == 51.0
    assert v.loc[("QN00003C", "qpv", "taux_emploi", 2020), "statut"] == "secret"  # x


def test_xlsx_data_sheet_with_documentation_sheet_title_rows_and_notes():
    src = source(
        "indicateurs",
        "insertion_qpv_2020.xlsx",
        niveau="qpv",
        annee_depuis_nom=r"_(\d{4})\.xlsx$",
        colonnes={"code": "Code du quartier", "nom": "Nom du quartier"},
        indicateurs={"Taux d'emploi": "taux_emploi", "Demandeurs d'emploi": "demandeurs_emploi"},
    )
    ctx = context()
    v = valeurs(src, ctx)
    assert len(v) == 6
    assert v.loc[("QN00002B", "qpv", "taux_emploi", 2020), "valeur"] == 51.7
    assert v.loc[("QN00003C", "qpv", "taux_emploi", 2020), "valeur"] == 44.9  # artefact arrondi
    assert v.loc[("QN00001A", "qpv", "demandeurs_emploi", 2020), "ligne"] == 5
    band = v.loc[("QN00003C", "qpv", "demandeurs_emploi", 2020)]
    assert (band["statut"], band["tranche"]) == ("secret", "< 10")
    assert ctx.warnings == []


def test_every_anomaly_of_the_file_at_once():
    src = source(
        "indicateurs",
        "indicateurs_anomalies_2021.csv",
        annee_depuis_nom=r"_(\d{4})\.csv$",
        colonne_niveau="NIVGEO",
        indicateurs={"TX_PAUV": "taux_pauvrete", "MED_UC": "revenu_median_uc"},
    )
    found = messages(load_indicateurs, src)
    text = "\n".join(found)
    assert len(found) == 5, text
    assert (
        "fichier indicateurs_anomalies_2021.csv, ligne 2, colonne « TX_PAUV » — cellule non "
        "numérique — valeur trouvée : « quarante » — attendu : un nombre (ex. 43,9 ou 1 234)"
    ) in text
    assert (
        "ligne 3, colonne « TX_PAUV » — valeur hors des bornes de l'indicateur « taux_pauvrete » (%)"
        in text
    )
    assert "valeur trouvée : « 143,9 » — attendu : une valeur entre 0 et 100" in text
    assert "ligne 4, colonne « CODGEO » — code commune invalide — valeur trouvée : « 101 »" in text
    assert "probablement « 00101 »" in text
    assert (
        "ligne 5, colonne « NIVGEO » — niveau géographique inconnu — valeur trouvée : « QUARTIER-X »"
        in text
    )
    assert (
        "ligne 6, colonne « MED_UC » — valeur en double pour QN00001A (qpv), « revenu_median_uc », 2021 (déjà à la ligne 2)"
        in text
    )


def test_indicator_mapped_to_unknown_id_suggests_and_points_to_catalogue():
    src = source(
        "indicateurs",
        "revenus_qpv_2021.csv",
        annee=2021,
        indicateurs={"TX_PAUV": "taux_pauvreté", "MED_UC": "mediane"},
    )
    found = messages(load_indicateurs, src)
    assert len(found) == 2
    assert "indicateur inconnu du catalogue (vouliez-vous dire « taux_pauvrete » ?)" in found[0]
    assert "[catalogue.mediane]" in found[1]


def test_mapped_column_absent_lists_available_columns():
    src = source(
        "indicateurs",
        "indicateurs_colonne_absente_2021.csv",
        annee=2021,
        indicateurs={"TX_PAUV": "taux_pauvrete", "TX_CHOM": "taux_chomage"},
    )
    found = messages(load_indicateurs, src)
    assert (
        "colonne « TX_CHOM » — colonne configurée (indicateurs.TX_CHOM) absente du fichier"
        in found[0]
    )
    assert "attendu : une des colonnes disponibles : CODGEO, LIBGEO, TX_PAUV" in found[0]


def test_year_not_found_in_file_name():
    src = source(
        "indicateurs", "emploi_virgule_2020.csv", annee_depuis_nom=r"_(\d{4})_qpv", indicateurs={}
    )
    found = messages(load_indicateurs, src)
    assert "le millésime n'a pas été trouvé dans le nom du fichier" in found[0]
    assert "emploi_virgule_2020.csv" in found[0]


def test_missing_year_and_unknown_form():
    found = messages(load_indicateurs, source("indicateurs", "indicateurs_tabulations.txt"))
    assert "millésime inconnu" in found[0]
    found = messages(
        load_indicateurs, source("indicateurs", "indicateurs_tabulations.txt", forme="étroite")
    )
    assert "forme inconnue — valeur trouvée : « étroite »" in found[0]


def test_rates_given_as_fractions_trigger_a_warning(tmp_path):
    path = tmp_path / "fractions_2021.csv"
    path.write_text(
        "code;taux_pauvrete\nQN00001A;0,439\nQN00002B;0,41\nQN00003C;0,38\n", encoding="utf-8"
    )
    src = source("indicateurs", "x", annee=2021)
    src.path = path
    ctx = context()
    load_indicateurs(src, ctx)
    assert "taux donné en fraction ?" in ctx.warnings[0].format_fr()


def test_unknown_fixed_level():
    found = messages(
        load_indicateurs,
        source("indicateurs", "indicateurs_tabulations.txt", annee=2019, niveau="quartier-x"),
    )
    assert (
        "colonne « niveau » — niveau géographique inconnu — valeur trouvée : « quartier-x »"
        in found[0]
    )


def test_fixed_level_alias_and_numerators_in_wide_form(tmp_path):
    path = tmp_path / "pauvrete_2021.csv"
    path.write_text(
        "code;pauvres;habitants;tx\n00101;5 642;31 000;18,2\n00102;s;12 400;s\n",
        encoding="utf-8",
    )
    src = source(
        "indicateurs",
        "x",
        annee=2021,
        niveau="COM",
        indicateurs={"tx": "taux_pauvrete"},
        numerateurs={"taux_pauvrete": "pauvres"},
        denominateurs={"taux_pauvrete": "habitants"},
    )
    src.path = path
    v = valeurs(src)
    row = v.loc[("00101", "commune", "taux_pauvrete", 2021)]
    assert (row["valeur"], row["numerateur"], row["denominateur"]) == (18.2, 5642.0, 31000.0)
    secret = v.loc[("00102", "commune", "taux_pauvrete", 2021)]
    assert secret["statut"] == "secret" and math.isnan(secret["numerateur"])
    assert len(v) == 2  # les colonnes numérateur/dénominateur ne sont pas des indicateurs


@pytest.fixture
def documented_adapter(tmp_path, monkeypatch):
    """Le module d'exemple de la section « Ajouter un format d'entrée » du README, déclaré dans le registre."""
    from observatoire.sources import registry

    doc = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    module = next(b for b in blocks if "ADAPTERS = [" in b and "def load_json" in b)
    (tmp_path / "json_indicateurs_doc.py").write_text(module, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        registry, "ADAPTER_MODULES", [*registry.ADAPTER_MODULES, "json_indicateurs_doc"]
    )
    registry.adapters.cache_clear()
    yield tmp_path
    registry.adapters.cache_clear()


def test_documented_json_adapter(documented_adapter):
    from observatoire.errors import InputError
    from observatoire.territory import Observatoire

    root = documented_adapter
    (root / "local_2021.json").write_text(
        '[{"code": "QN00001A", "indicateur": "taux_pauvrete", "annee": 2021, "valeur": "43,9"},'
        ' {"code": "QN00002B", "indicateur": "taux_pauvrete", "annee": 2021, "valeur": "s"}]',
        encoding="utf-8",
    )
    config = root / "observatoire.toml"
    config.write_text(
        '[territoire]\nnom = "Essai (fictif)"\nreferences = []\n'
        '[sources.local]\ntype = "indicateurs_json"\nfichier = "local_2021.json"\n'
        'niveau = "qpv"\n',
        encoding="utf-8",
    )
    obs = Observatoire.from_config(config, use_cache=False)
    v = obs.valeurs.set_index("code")
    assert v.loc["QN00001A", "valeur"] == 43.9
    assert v.loc["QN00002B", "statut"] == "secret"
    (root / "local_2021.json").write_text(
        '[{"code": "QN00001A", "indicateur": "taux_pauvreté", "annee": 2021, "valeur": "1"}]',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        Observatoire.from_config(config, use_cache=False)
    assert "vouliez-vous dire « taux_pauvrete » ?" in str(info.value)
