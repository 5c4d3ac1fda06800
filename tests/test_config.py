"""observatoire.toml : lecture, chemins, clés inconnues refusées avec suggestion."""

from __future__ import annotations

import pytest
from lecteurs_outils import copy_fixtures

from observatoire.config import load_config
from observatoire.errors import ConfigError

HEAD = '[territoire]\nnom = "Essai (données fictives)"\n'


def write(tmp_path, text: str):
    path = tmp_path / "observatoire.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.exit_code == 2
    return str(info.value)


def test_minimal_config_and_defaults(tmp_path):
    copy_fixtures(tmp_path, "liste_qpv_2024.csv")
    path = write(
        tmp_path,
        HEAD + '\n[sources.qpv]\ntype = "qpv_liste"\nfichier = "liste_qpv_2024.csv"\n'
        'separateur = ";"\n',
    )
    config = load_config(path)
    assert config.territoire.generation == 2024
    assert config.territoire.references == [
        "commune",
        "epci",
        "departement",
        "france",
        "ensemble_qpv",
    ]
    src = config.sources["qpv"]
    assert src.path == (tmp_path / "liste_qpv_2024.csv").resolve()
    assert src.label == "liste_qpv_2024.csv"
    assert src.get("separateur") == ";"
    assert config.cache_dir == (tmp_path / ".cache").resolve()
    assert config.sources_of("qpv_liste") == [src]


def test_missing_config_file(tmp_path):
    text = error_of(tmp_path / "absent.toml")
    assert "Fichier de configuration introuvable" in text
    assert "--config" in text


def test_invalid_toml(tmp_path):
    text = error_of(write(tmp_path, HEAD + "[sources.x\n"))
    assert "n'est pas un TOML valide" in text


def test_unknown_keys_suggest_the_right_one(tmp_path):
    copy_fixtures(tmp_path, "revenus_qpv_2021.csv")
    text = error_of(
        write(
            tmp_path,
            HEAD
            + "generation = 2020\n"
            + "[source]\n"
            + '[sources.revenus]\ntype = "indicateurs"\nfichier = "revenus_qpv_2021.csv"\n'
            + 'separateurs = ";"\nannee = 2021\n'
            + '[sources.autre]\ntype = "indicateur"\nfichier = "revenus_qpv_2021.csv"\n',
        )
    )
    assert "génération QPV inconnue — valeur trouvée : « 2020 » — attendu : 2015 ou 2024" in text
    assert "section inconnue (vouliez-vous dire « sources » ?)" in text
    assert (
        "colonne « [sources.revenus] separateurs » — clé inconnue pour ce type de source "
        "(vouliez-vous dire « separateur » ?)"
    ) in text
    assert "type de source inconnu (vouliez-vous dire « indicateurs » ?)" in text


def test_paths_outside_project_and_missing_files(tmp_path):
    project = tmp_path / "projet"
    project.mkdir()
    (tmp_path / "ailleurs.csv").write_text("code\n", encoding="utf-8")
    text = error_of(
        write(
            project,
            HEAD
            + '[sources.a]\ntype = "territoires"\nfichier = "../ailleurs.csv"\n'
            + '[sources.b]\ntype = "territoires"\nfichier = "absent.csv"\n',
        )
    )
    assert "[sources.a] fichier » — chemin hors du dossier du projet" in text
    assert "[sources.b] fichier » — fichier introuvable — valeur trouvée : « absent.csv »" in text


def test_allowed_folders(tmp_path):
    project = tmp_path / "projet"
    project.mkdir()
    (tmp_path / "partage").mkdir()
    copy_fixtures(tmp_path / "partage", "territoires_reference.csv")
    config = load_config(
        write(
            project,
            HEAD
            + '[projet]\ndossiers_autorises = ["../partage"]\n'
            + '[sources.ref]\ntype = "territoires"\nfichier = "../partage/territoires_reference.csv"\n',
        )
    )
    assert config.sources["ref"].path.parent == (tmp_path / "partage").resolve()


def test_territory_needs_a_name(tmp_path):
    text = error_of(write(tmp_path, "[territoire]\ngeneration = 2024\n"))
    assert "le territoire doit avoir un nom" in text


def test_reference_levels_are_checked(tmp_path):
    text = error_of(write(tmp_path, HEAD + 'references = ["commune", "epic", "pays"]\n'))
    assert (
        "niveau de référence inconnu (vouliez-vous dire « epci » ?) — valeur trouvée : « epic »"
        in text
    )
    assert "valeur trouvée : « pays »" in text


def test_reference_levels_match_the_schema():
    from observatoire.config import REFERENCE_LEVELS
    from observatoire.schemas.geography import NIVEAUX

    assert set(REFERENCE_LEVELS) == set(NIVEAUX) - {"qpv"}
