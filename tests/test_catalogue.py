"""Catalogue des indicateurs : intégré, complet, surchargeable par la configuration."""

from __future__ import annotations

import pandas as pd
import pytest

from observatoire.catalogue import build_catalogue, builtin_catalogue, builtin_ids
from observatoire.config import load_config
from observatoire.schemas import validate_table

BRIEF_IDS = [
    "population",
    "part_0_14",
    "part_15_24",
    "part_25_59",
    "part_60_plus",
    "indice_jeunesse",
    "part_femmes",
    "part_etrangers",
    "part_familles_monoparentales",
    "taux_pauvrete",
    "revenu_median_uc",
    "revenu_d1_uc",
    "revenu_d9_uc",
    "rapport_interdecile",
    "part_prestations",
    "taux_emploi",
    "taux_emploi_precaire",
    "taux_chomage",
    "demandeurs_emploi",
    "part_demandeurs_jeunes",
    "allocataires_caf",
    "part_allocataires_rsa",
    "part_dependance_prestations",
    "part_css",
    "taux_scolarisation_16_24",
    "part_non_diplomes",
    "part_logements_sociaux",
    "part_retard_6e",
    "pop_hommes_0_14",
    "pop_femmes_0_14",
    "pop_hommes_15_29",
    "pop_femmes_15_29",
    "pop_hommes_30_44",
    "pop_femmes_30_44",
    "pop_hommes_45_59",
    "pop_femmes_45_59",
    "pop_hommes_60_74",
    "pop_femmes_60_74",
    "pop_hommes_75_plus",
    "pop_femmes_75_plus",
]


def config_with(tmp_path, catalogue_toml: str):
    path = tmp_path / "observatoire.toml"
    path.write_text('[territoire]\nnom = "Essai (fictif)"\n\n' + catalogue_toml, encoding="utf-8")
    return load_config(path)


def test_builtin_catalogue_covers_every_shared_identifier():
    assert set(BRIEF_IDS) <= set(builtin_ids())
    cat = builtin_catalogue()
    assert cat.columns[0] == "id"
    assert validate_table("catalogue", cat) == []
    assert cat["libelle"].str.len().gt(3).all()
    assert cat["definition"].notna().all() and cat["source"].notna().all()


def test_builtin_entries_are_meaningful():
    cat = builtin_catalogue().set_index("id")
    pauvrete = cat.loc["taux_pauvrete"]
    assert (pauvrete["libelle"], pauvrete["unite"], pauvrete["polarite"]) == (
        "Taux de pauvreté",
        "%",
        -1,
    )
    assert "Filosofi" in pauvrete["source"]
    assert cat.loc["revenu_median_uc", "unite"] == "€"
    assert cat.loc["revenu_median_uc", "polarite"] == 1
    assert "Cnaf" in cat.loc["allocataires_caf", "source"]
    assert "France Travail" in cat.loc["demandeurs_emploi", "source"]
    assert "Éducation nationale" in cat.loc["part_retard_6e", "source"]
    assert cat.loc["part_allocataires_rsa", "poids"] == "allocataires_caf"
    percents = cat[cat["unite"] == "%"]
    assert (percents["min"] == 0).all() and (percents["max"] == 100).all()
    assert set(cat["poids"].dropna()) <= set(cat.index)


def test_without_config_the_builtin_catalogue():
    cat, problems = build_catalogue(None)
    assert problems == []
    pd.testing.assert_frame_equal(cat, builtin_catalogue())


def test_config_overrides_and_extends(tmp_path):
    config = config_with(
        tmp_path,
        """
[catalogue.taux_pauvrete]
libelle = "Taux de pauvreté (seuil à 60 %)"

[catalogue.part_menages_1_personne]
libelle = "Part des ménages d'une personne"
unite = "%"
theme = "Démographie"
source = "INSEE, recensement"
""",
    )
    cat, problems = build_catalogue(config)
    assert problems == []
    cat = cat.set_index("id")
    assert cat.loc["taux_pauvrete", "libelle"] == "Taux de pauvreté (seuil à 60 %)"
    assert cat.loc["taux_pauvrete", "unite"] == "%"  # le reste est conservé
    new = cat.loc["part_menages_1_personne"]
    assert (new["unite"], new["polarite"], new["min"], new["max"]) == ("%", 0, 0.0, 100.0)
    assert validate_table("catalogue", cat.reset_index()) == []


def test_config_errors_are_listed_together(tmp_path):
    config = config_with(
        tmp_path,
        """
[catalogue.taux_pauvrete]
unite = "pourcent"
couleur = "rouge"

[catalogue.nouvel_indicateur]
theme = "Essai"

[catalogue.taux_chomage]
poids = "actifs"
min = 50
max = 10
""",
    )
    cat, problems = build_catalogue(config)
    text = "\n".join(p.format_fr() for p in problems)
    assert (
        "colonne « [catalogue.taux_pauvrete] unite » — unité invalide — valeur trouvée : "
        "« pourcent » — attendu : une des unités : %, €, nombre, ratio, indice, ans"
    ) in text
    assert "[catalogue.taux_pauvrete] couleur » — clé inconnue" in text
    assert (
        "[catalogue.nouvel_indicateur] libelle » — un nouvel indicateur doit avoir un libellé"
        in text
    )
    assert "borne minimale supérieure à la borne maximale" in text
    assert len(problems) == 5
    # les entrées fautives sont ignorées : le catalogue reste utilisable
    assert cat.set_index("id").loc["taux_pauvrete", "unite"] == "%"
    assert "nouvel_indicateur" not in set(cat["id"])


def test_unknown_weight_indicator(tmp_path):
    config = config_with(tmp_path, '[catalogue.taux_emploi]\npoids = "actifs_15_64"\n')
    _cat, problems = build_catalogue(config)
    assert len(problems) == 1
    assert "indicateur de pondération inconnu du catalogue" in problems[0].format_fr()
    assert "actifs_15_64" in problems[0].format_fr()


@pytest.mark.parametrize("ident", ["Taux-Chomage", "taux chomage"])
def test_invalid_identifier(tmp_path, ident):
    config = config_with(tmp_path, f'[catalogue."{ident}"]\nlibelle = "x"\nunite = "%"\n')
    _cat, problems = build_catalogue(config)
    assert "identifiant d'indicateur invalide" in problems[0].format_fr()
