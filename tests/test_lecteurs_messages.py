"""Lecteurs et messages de l'essai régional, par la vraie CLI (``observatoire valider``,
``carte``, ``indicateurs``) sur les fixtures faites main de ``fixtures/lecteurs_messages``
(territoire FICTIF de Brisemer, une fixture par mode d'échec, voir ``fabriquer.py``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from observatoire.cli import main

FIX = Path(__file__).resolve().parent / "fixtures" / "lecteurs_messages"


@pytest.fixture
def territory(tmp_path: Path) -> Path:
    """Copie des fixtures (le cache s'écrit dans la copie, jamais dans le dépôt)."""
    dest = tmp_path / "brisemer"
    shutil.copytree(FIX, dest, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    return dest


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def valider(capsys, territory: Path, config: str) -> tuple[int, str, str]:
    return run(capsys, "valider", "--config", str(territory / config), "--sans-cache")


def warning_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("  - ")]


# ------------------------------------------------------------------ classeurs XLSX


def test_xlsx_documentation_first_sheet_reads_the_data_sheet(territory, capsys):
    code, out, err = valider(capsys, territory, "xlsx_documentation.toml")
    assert code == 0, err
    assert "Valeurs : 9 (ok 9, secret 0, absent 0)" in out
    assert "Indicateurs : 3 avec des valeurs" in out
    assert "Avertissements (1) :" in out  # seulement l'absence de valeurs de référence
    assert "feuille" not in out


def test_xlsx_two_equal_data_sheets_are_refused_with_the_sheets_and_the_option(territory, capsys):
    code, out, err = valider(capsys, territory, "xlsx_deux_feuilles.toml")
    assert code == 2 and out == ""
    assert "fichier revenus_deux_feuilles_2021.xlsx" in err
    assert (
        "2 feuilles du classeur contiennent le tableau attendu : « QPV 2020 », « QPV 2021 »" in err
    )
    assert "(feuilles du classeur : « Lisez-moi », « QPV 2020 », « QPV 2021 »)" in err
    assert 'feuille = "QPV 2020" ou feuille = "QPV 2021"' in err
    assert "absente" not in err  # plus de cascade de « colonne absente »
    config = territory / "xlsx_deux_feuilles.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'feuille = "QPV 2021"\n', "utf-8")
    code, out, err = valider(capsys, territory, "xlsx_deux_feuilles.toml")
    assert code == 0, err


def test_xlsx_missing_column_names_the_sheet_read_and_lists_the_sheets(territory, capsys):
    code, out, err = valider(capsys, territory, "xlsx_colonne_renommee.toml")
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("  - ")]
    assert "1 anomalie(s) bloquante(s)" in err and len(errors) == 1, err
    assert (
        "colonne configurée (indicateurs.TP60) absente du fichier (feuille « Données » ; le "
        "classeur contient 2 feuille(s) : « Notes », « Données »)" in errors[0]
    )
    assert "une des colonnes disponibles : CODGEO, LIBGEO, TP60_2021, POP" in errors[0]
    assert 'ou feuille = "…" dans la configuration si le tableau est sur une autre feuille' in err


def test_xlsx_every_missing_column_names_the_sheet(territory, capsys):
    config = territory / "xlsx_colonne_renommee.toml"
    text = config.read_text("utf-8").replace(
        '{ TP60 = "taux_pauvrete", POP = "population" }',
        '{ TP60 = "taux_pauvrete", MED_UC = "revenu_median_uc", D1 = "revenu_d1_uc" }',
    )
    config.write_text(text, "utf-8")
    code, _out, err = valider(capsys, territory, "xlsx_colonne_renommee.toml")
    assert code == 2
    errors = [line for line in err.splitlines() if "absente du fichier" in line]
    assert len(errors) == 3
    assert all("(feuille « Données »" in line for line in errors)
    assert sum("le classeur contient 2 feuille(s)" in line for line in errors) == 1


def test_xlsx_declared_sheet_without_a_column_points_to_the_sheet_that_has_it(territory, capsys):
    code, _out, err = valider(capsys, territory, "xlsx_par_annee.toml")
    assert code == 2
    assert (
        "colonne configurée (indicateurs.MED_UC) absente du fichier (feuille « 2020 » ; le "
        "classeur contient 3 feuille(s) : « Notes », « 2020 », « 2021 »)" in err
    )
    assert (
        'une des colonnes disponibles : CODGEO, LIBGEO, TP60, POP ; ou feuille = "2021" dans '
        "la configuration (les colonnes y figurent)" in err
    )


# ------------------------------------------------------------------ contours


def test_invalid_geometries_checked_in_the_file_crs_in_french_with_degrees(territory, capsys):
    code, out, err = valider(capsys, territory, "contours_wgs84.toml")
    assert code == 0, err
    lines = [w for w in warning_lines(out) if "contours_invalides_wgs84.geojson" in w]
    assert "2 géométrie(s) invalide(s) sur 3 dans le fichier" in lines[0]
    assert "(WGS 84, EPSG:4326)" in lines[0]
    bowtie = next(w for w in lines if "entité n° 2 (QN00302A)" in w)
    assert "géométrie invalide réparée automatiquement (auto-intersection (le contour se " in bowtie
    assert "au point de longitude -22,448°, latitude 45,522°" in bowtie
    # invalide en degrés, valide une fois reprojetée : signalée quand même
    notch = next(w for w in lines if "entité n° 3 (QN00303A)" in w)
    assert "auto-intersection d'un anneau" in notch
    assert "au point de longitude -22,295°, latitude 45,408°" in notch
    assert not any("entité n° 1 " in w for w in lines)
    text = "\n".join(lines)
    assert "Self-intersection" not in text and "Ring" not in text
    assert not re.search(r"\d{6,}", text)  # aucune coordonnée Lambert-93 pour ce fichier


def test_invalid_geometries_of_a_lambert93_file_are_quoted_in_metres(territory, capsys):
    code, out, err = valider(capsys, territory, "contours_l93.toml")
    assert code == 0, err
    lines = [w for w in warning_lines(out) if "contours_invalides_l93.geojson" in w]
    assert "2 géométrie(s) invalide(s) sur 3" in lines[0] and "Lambert-93, EPSG:2154" in lines[0]
    assert (
        "entité n° 1 (QN00301A) : géométrie invalide réparée automatiquement (trou situé hors "
        "du contour extérieur au point x = -1239000 m, y = 6801000 m" in lines[1]
    )
    assert "entité n° 2 (QN00302A)" in lines[2] and "parties imbriquées" in lines[2]
    assert "longitude" not in "\n".join(lines)


def test_contour_without_area_is_refused(territory, capsys):
    code, out, err = valider(capsys, territory, "contours_sans_surface.toml")
    assert code == 2 and out == ""
    assert (
        "fichier contours_sans_surface.geojson, colonne « geometry » — entité n° 2 (QN00303A) : "
        "géométrie invalide sans surface après réparation (trop peu de points" in err
    )
    assert "longitude -22,3°, latitude 45,4°" in err
    assert not (territory / ".cache").exists()  # rien d'écrit


def test_geometry_broken_by_reprojection_is_repaired_and_reported(territory, capsys):
    import observatoire

    code, out, err = valider(capsys, territory, "contours_reprojection.toml")
    assert code == 0, err
    lines = [w for w in warning_lines(out) if "contours_reprojection.geojson" in w]
    assert len(lines) == 1  # valide dans le fichier : pas de « géométrie invalide »
    assert (
        "entité n° 3 (QN00303A) : géométrie devenue invalide à la reprojection en "
        "Lambert-93, réparée automatiquement" in lines[0]
    )
    contours = observatoire.open(territory / "contours_reprojection.toml").contours
    assert contours.crs.to_epsg() == 2154 and contours.is_valid.all()


# ------------------------------------------------------------------ fichier de liens SCDL


@pytest.mark.parametrize(
    "header", ["CODE_QP", "code_qp", "Code quartier", "code-quartier", "codeqpv", "QP", "Code QPV"]
)
def test_links_file_code_column_is_recognised_under_usual_names(territory, capsys, header):
    liens = territory / "liens_code_qp.csv"
    liens.write_text(liens.read_text("utf-8").replace("CODE_QP", header, 1), "utf-8")
    code, out, err = valider(capsys, territory, "liens_code_qp.toml")
    assert code == 0, err
    assert "non reliée" not in out  # les deux subventions sont reliées à leur quartier
    assert "cibles" in out and "actions" in out


def test_links_file_without_code_column_is_refused_never_ignored(territory, capsys):
    code, out, err = valider(capsys, territory, "liens_sans_quartier.toml")
    assert code == 2 and out == ""
    assert "fichier liens_sans_quartier.csv" in err
    assert "colonne des quartiers introuvable dans le fichier de liens" in err
    assert "colonnes trouvées : referenceDecision, secteur, pilier" in err
    assert "quartiers, code_qp, CODE_QP, code_quartier" in err


# ------------------------------------------------------------------ valider


def test_reference_values_missing_is_one_summary_warning(territory, capsys):
    code, out, err = valider(capsys, territory, "carte.toml")
    assert code == 0, err
    refs = [w for w in warning_lines(out) if "référence" in w]
    assert len(refs) == 1, refs
    assert "Aucune valeur de territoire de référence n'a été fournie" in refs[0]
    assert "les 5 références déclarées dans [territoire] references" in refs[0]
    assert "(commune, epci, departement, france, ensemble_qpv)" in refs[0]
    assert "Avertissements (1) :" in out


def test_some_references_missing_is_one_warning_naming_them(territory, capsys):
    csv = territory / "indicateurs_2021.csv"
    csv.write_text(csv.read_text("utf-8") + "00301;Brisemer;30,1;16500;21000\n", "utf-8")
    config = territory / "carte.toml"
    text = config.read_text("utf-8").replace('niveau = "qpv"\n', "")
    config.write_text(text, "utf-8")  # niveau déduit du code : QPV ou commune
    code, out, err = valider(capsys, territory, "carte.toml")
    assert code == 0, err
    refs = [w for w in warning_lines(out) if "référence" in w]
    assert len(refs) == 1, refs
    assert (
        "aucune valeur d'indicateur pour 4 des 5 territoires de référence déclarés dans "
        "[territoire] references : epci, departement, france, ensemble_qpv" in refs[0]
    )


# ------------------------------------------------------------------ identifiants d'indicateurs


def test_carte_accepts_the_source_column_name_with_a_note(territory, capsys, monkeypatch):
    monkeypatch.chdir(territory)
    code, out, err = run(capsys, "carte", "tp60", "--config", "carte.toml", "--format", "svg")
    assert code == 0, err
    assert "Note : tp60 → taux_pauvrete (colonne TP60 du fichier indicateurs_2021.csv)" in err
    assert "Carte écrite : carte_taux_pauvrete_2021.svg (Données fictives)" in out
    svg = (territory / "carte_taux_pauvrete_2021.svg").read_text("utf-8")
    assert "Taux de pauvreté" in svg


def test_carte_unknown_name_suggests_the_identifier(territory, capsys, monkeypatch):
    monkeypatch.chdir(territory)
    code, out, err = run(capsys, "carte", "tpx60", "--config", "carte.toml")
    assert code == 2 and out == ""
    assert "Indicateur inconnu : « tpx60 »." in err
    assert (
        "Identifiants proches : taux_pauvrete (Taux de pauvreté ; colonne TP60 du fichier "
        "indicateurs_2021.csv)" in err
    )
    assert not list(territory.glob("carte_*"))


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("TP60", "colonne TP60 du fichier indicateurs_2021.csv"),
        ("Taux de pauvreté", "libellé du catalogue"),
        ("TAUX-PAUVRETE", "identifiant du catalogue"),
    ],
)
def test_indicateurs_shows_one_indicator_by_any_of_its_names(territory, capsys, name, how):
    code, out, err = run(capsys, "indicateurs", name, "--config", str(territory / "carte.toml"))
    assert code == 0, err
    assert f"Note : {name} → taux_pauvrete ({how})" in err
    lines = out.splitlines()
    assert lines[0] == "identifiant : taux_pauvrete"
    assert "libellé : Taux de pauvreté" in lines
    assert "polarité : élevé = défavorable" in lines
    assert "noms dans les fichiers : TP60 (indicateurs_2021.csv)" in lines
    assert "None" not in out and "nan" not in out


def test_indicateurs_ambiguous_column_name_is_refused(territory, capsys):
    config = territory / "carte.toml"
    config.write_text(
        config.read_text("utf-8") + '\n[sources.emploi]\ntype = "indicateurs"\n'
        'fichier = "revenus_documentation_2021.xlsx"\nannee = 2021\n'
        'indicateurs = { TP60 = "taux_emploi" }\n',
        "utf-8",
    )
    code, out, err = run(capsys, "indicateurs", "tp60", "--config", str(config))
    assert code == 2 and out == ""
    assert (
        "Ce nom désigne plusieurs indicateurs : taux_pauvrete (colonne TP60 du fichier "
        "indicateurs_2021.csv), taux_emploi (colonne TP60 du fichier "
        "revenus_documentation_2021.xlsx) ; donnez l'identifiant." in err
    )


def test_api_verifier_indicateur_names_the_identifier_of_a_source_column(territory):
    import observatoire
    from observatoire.errors import ConfigError

    obs = observatoire.open(territory / "carte.toml")
    assert obs.indicateurs.verifier_indicateur("taux_pauvrete")["libelle"] == "Taux de pauvreté"
    with pytest.raises(ConfigError) as info:
        obs.indicateurs.verifier_indicateur("TP60")
    assert str(info.value) == (
        "Indicateur inconnu : « TP60 ». C'est le nom de l'indicateur « taux_pauvrete » "
        "(colonne TP60 du fichier indicateurs_2021.csv) : donnez son identifiant."
    )
    assert info.value.exit_code == 2
    with pytest.raises(ConfigError, match="Identifiants proches : revenu_median_uc"):
        obs.indicateurs.verifier_indicateur("revenu_median")


def test_suggestions_sans_doublon_quand_la_colonne_est_dans_plusieurs_fichiers():
    # démo fictive : la colonne DISP_TP60 figure dans cinq fichiers de revenus
    import observatoire
    from observatoire.indicator_ids import suggestions

    obs = observatoire.open(Path(__file__).parents[1] / "data" / "demo" / "observatoire.toml")
    found = suggestions(obs.catalogue, obs.config, "tp60")
    assert found[0] == "taux_pauvrete"
    assert len(found) == len(set(found))
