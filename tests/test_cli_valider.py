"""Commandes ``observatoire valider`` et ``observatoire indicateurs`` de bout en bout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lecteurs_outils import FIX

from observatoire.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def territory(tmp_path):
    dest = tmp_path / "territoire"
    shutil.copytree(FIX, dest)
    return dest


def snapshot(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*")}


def test_valider_prints_a_french_summary(territory, capsys):
    code = main(["valider", "--config", str(territory / "observatoire.toml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Territoire : Mini-territoire fictif des tests — Données fictives" in out
    assert "Quartiers (QPV) : 3 en géographie 2024 (en vigueur), 3 en géographie 2015" in out
    assert "Millésimes : 2021 (géographie 2024 : 2021)" in out
    assert "Indicateurs : 3 avec des valeurs sur 40 au catalogue" in out
    assert "Valeurs : 27 (ok 22, secret 2, absent 3)" in out
    assert "  valeurs " in out and "  contours " in out
    assert "Validation réussie" in out


def test_valider_shows_warnings(territory, capsys):
    # un quartier sans contour et sans valeurs : avertissements, pas d'erreur
    liste = territory / "liste_qpv_2024.csv"
    liste.write_text(
        liste.read_text(encoding="utf-8")
        + 'QN00004D;Nouveau quartier;="00";Région fictive;="00";Département fictif;'
        '="00102";Port-Salé;="200000099";CA de Valbrume\r\n',
        encoding="utf-8",
    )
    code = main(["valider", "--config", str(territory / "observatoire.toml"), "--sans-cache"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 quartier(s) 2024 sans contour : QN00004D" in out
    assert "indicateur « taux_pauvrete » (2021) absent pour 1 quartier(s) 2024 : QN00004D" in out


def test_valider_bad_input_lists_everything_exit_2_writes_nothing(territory, capsys):
    revenus = territory / "revenus_qpv_2021.csv"
    revenus.write_bytes(
        revenus.read_bytes().replace(b"43,9", b"beaucoup").replace(b"18,2", b"118,2")
    )
    liste = territory / "liste_qpv_2024.csv"
    liste.write_bytes(liste.read_bytes().replace(b'="00102";Port', b"102;Port"))
    before = snapshot(territory)
    code = main(["valider", "--config", str(territory / "observatoire.toml")])
    captured = capsys.readouterr()
    assert code == 2
    err = captured.err
    assert "Traceback" not in err and "Traceback" not in captured.out
    assert "3 anomalie(s) bloquante(s) dans 2 fichier(s)" in err
    assert (
        "fichier revenus_qpv_2021.csv, ligne 3, colonne « TX_PAUV » — cellule non numérique" in err
    )
    assert "valeur trouvée : « 118,2 » — attendu : une valeur entre 0 et 100" in err
    assert "fichier liste_qpv_2024.csv, ligne 4, colonne « insee_com »" in err
    assert "probablement « 00102 »" in err
    assert snapshot(territory) == before  # rien d'écrit, pas même le cache


def test_debug_shows_the_traceback(territory, capsys):
    (territory / "vide.csv").write_text("", encoding="utf-8")
    config = territory / "observatoire.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("territoires_reference.csv", "vide.csv"),
        encoding="utf-8",
    )
    assert main(["--debug", "valider", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "fichier vide.csv — le fichier est vide" in err


def test_missing_config(tmp_path, capsys):
    assert main(["valider", "--config", str(tmp_path / "absent.toml")]) == 2
    err = capsys.readouterr().err
    assert "Fichier de configuration introuvable" in err and "Traceback" not in err


def test_indicateurs_builtin_catalogue_without_config(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["indicateurs"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[0] == "id"
    assert lines[2].split()[0] == "population"
    assert any(line.startswith("taux_pauvrete ") and "Taux de pauvreté" in line for line in lines)
    assert "40 indicateurs (catalogue intégré)." in out
    assert list(tmp_path.iterdir()) == []


def test_indicateurs_with_config_extension(tmp_path, capsys):
    config = tmp_path / "observatoire.toml"
    config.write_text(
        '[territoire]\nnom = "Essai"\n[catalogue.part_menages_seuls]\n'
        'libelle = "Part des personnes vivant seules"\nunite = "%"\n',
        encoding="utf-8",
    )
    assert main(["indicateurs", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("part_menages_seuls ") for line in out.splitlines())
    assert "41 indicateurs" in out


def test_indicateurs_bad_catalogue_exit_2(tmp_path, capsys):
    config = tmp_path / "observatoire.toml"
    config.write_text(
        '[territoire]\nnom = "Essai"\n[catalogue.taux_pauvrete]\nunite = "pourcent"\n',
        encoding="utf-8",
    )
    assert main(["indicateurs", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "unité invalide" in err and "Traceback" not in err


def test_console_script_subprocess(territory):
    exe = ROOT / ".venv" / "bin" / "observatoire"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "observatoire.cli"]
    revenus = territory / "revenus_qpv_2021.csv"
    revenus.write_bytes(revenus.read_bytes().replace(b"13\xa0950", b"treize mille"))
    result = subprocess.run(
        [*cmd, "valider", "--config", str(territory / "observatoire.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "colonne « MED_UC » — cellule non numérique" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (territory / ".cache").exists()


def test_demo_data_validates(tmp_path, capsys):
    demo = ROOT / "data" / "demo"
    if not (demo / "observatoire.toml").exists():
        pytest.fail("data/demo/observatoire.toml absent : lancez `observatoire demo`")
    shutil.copytree(demo, tmp_path / "demo", ignore=shutil.ignore_patterns(".cache"))
    code = main(["valider", "--config", str(tmp_path / "demo" / "observatoire.toml")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Données fictives" in out
    assert "Validation réussie" in out


def test_warnings_are_capped_per_file():
    from observatoire.cli.valider import warning_lines
    from observatoire.errors import Problem

    warnings = [Problem("a.csv", f"avertissement {i}", row=i + 2) for i in range(13)]
    warnings.append(Problem("b.csv", "seul avertissement"))
    lines = warning_lines(warnings, limit=10)
    assert lines[0] == "Avertissements (14) :"
    assert sum(1 for line in lines if line.startswith("  - fichier a.csv")) == 10
    assert "  - fichier b.csv — seul avertissement" in lines
    assert "  … et 3 autre(s) avertissement(s) pour a.csv" in lines
    assert len(warning_lines(warnings, limit=None)) == 15
    assert warning_lines([]) == ["Aucun avertissement."]
