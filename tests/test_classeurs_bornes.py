"""Lecture bornée des classeurs et des CSV, valeurs fausses silencieuses (issues 15 et 16).

Les bombes mémoire passent par la VRAIE commande ``observatoire valider`` dans un
sous-processus limité à :data:`MEMORY_LIMIT` d'espace d'adressage
(``resource.setrlimit(RLIMIT_AS)``) : elles doivent finir sous cette limite, en code 2,
avec un message français, sans trace et sans rien écrire. Les autres cas du corpus
(``tests/corpus/cas_classeurs.toml``) sont joués par ``tests/test_corpus.py``.
"""

from __future__ import annotations

import re
import resource
import subprocess
import tomllib
from pathlib import Path

import pytest
from fiabilite_outils import CORPUS, build_case, cli_command, snapshot

from observatoire.sources.contrat_values import parse_amount
from observatoire.sources.values import CellValueError, parse_number_cell, thousands_dot

MEMORY_LIMIT = 1 << 30  # 1 Gio : la commande seule en demande ~600 Mio, l'ancienne bombe 5,5 Go
CASES = {
    c["id"]: c for c in tomllib.loads((CORPUS / "cas_classeurs.toml").read_text("utf-8"))["cas"]
}


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``observatoire ARGS…`` sous la limite mémoire."""
    return subprocess.run(
        [*cli_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_limited,
        check=False,
    )


def _indicator_case(tmp_path: Path, name: str) -> Path:
    case = {
        "remplace": ["revenus_2021"],
        "source": f"""
[sources.cas]
type = "indicateurs"
fichier = "{name}"
annee = 2021
colonne_niveau = "NIVGEO"
colonnes = {{ code = "CODGEO", nom = "LIBGEO" }}
indicateurs = {{ TX_PAUV = "taux_pauvrete" }}
""",
    }
    return build_case(case, tmp_path / "territoire")


def _assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "MemoryError" not in output, output
    assert result.returncode == 2, output
    assert result.stderr.startswith("Erreur"), output
    for fragment in fragments:
        assert fragment in result.stderr, f"« {fragment} » absent de :\n{output}"


@pytest.mark.parametrize(
    "case_id",
    ["classeur-bombe-cellule-en-xfd1048576", "classeur-plage-utilisee-trop-grande"],
)
def test_workbook_memory_bombs_end_under_the_memory_limit(case_id: str, tmp_path: Path):
    case = CASES[case_id]
    territory = build_case(case, tmp_path / "territoire")
    before = snapshot(tmp_path)
    result = run_limited("valider", "--config", str(territory / "observatoire.toml"), cwd=tmp_path)
    _assert_refused(result, *case["message"])
    assert snapshot(tmp_path) == before


def test_two_million_csv_rows_are_refused_under_the_memory_limit(tmp_path: Path):
    root = tmp_path / "territoire"
    territory = _indicator_case(tmp_path, "deux_millions.csv")
    assert territory == root
    line = b"QN00001A;Les Hauts de Brume;QPV;1 234;abc;13 950\n"
    with (root / "deux_millions.csv").open("wb") as handle:
        handle.write(b"CODGEO;LIBGEO;NIVGEO;POP;TX_PAUV;MED_UC\n")
        for _ in range(20):
            handle.write(line * 100_000)
    before = snapshot(tmp_path)
    result = run_limited("valider", "--config", str(root / "observatoire.toml"), cwd=tmp_path)
    _assert_refused(
        result,
        "fichier deux_millions.csv — fichier trop grand pour être lu : trop de lignes",
        "valeur trouvée : « 2\u202f000\u202f002 lignes »",
        "au plus 1\u202f000\u202f000 lignes",
    )
    assert len(result.stderr) < 2_000  # une anomalie, pas deux millions
    assert snapshot(tmp_path) == before


def test_a_formatted_empty_cell_far_away_does_not_count_in_the_used_range(tmp_path: Path):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Données"
    for row in [["CODGEO", "LIBGEO", "NIVGEO", "TX_PAUV"], ["QN00001A", "Hauts", "QPV", 43.9]]:
        ws.append(row)
    ws["XFD1048576"].font = Font(bold=True)  # mise en forme seule, aucune valeur
    territory = _indicator_case(tmp_path, "mise_en_forme_lointaine.xlsx")
    wb.save(territory / "mise_en_forme_lointaine.xlsx")
    config = str(territory / "observatoire.toml")
    result = run_limited("valider", "--config", config, "--sans-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation réussie" in result.stdout


def test_hidden_sheet_is_not_read_as_a_second_year_of_actions(tmp_path: Path):
    case = CASES["classeur-feuille-masquee-ignoree"]
    territory = build_case(case, tmp_path / "territoire")
    config = str(territory / "observatoire.toml")
    result = run_limited("valider", "--config", config, "--sans-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\s+actions\s+2$", result.stdout, re.M), result.stdout
    # désignée explicitement, la feuille masquée est lue, avec un avertissement
    text = (territory / "observatoire.toml").read_text("utf-8")
    text = text.replace(
        "annee = 2024\ncolonnes", 'annee = 2024\nfeuilles = ["2024 (copie de travail)"]\ncolonnes'
    )
    (territory / "observatoire.toml").write_text(text, "utf-8")
    result = run_limited("valider", "--config", config, "--sans-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "la feuille « 2024 (copie de travail) » est masquée dans le classeur" in result.stdout


def test_header_merges_are_still_spread_but_body_merges_are_named(tmp_path: Path):
    from openpyxl import Workbook

    from observatoire.errors import InputError, ProblemCollector
    from observatoire.sources.tabular import read_raw_table

    wb = Workbook()
    ws = wb.active
    ws.append(["Dossier", "État", None, "Quartier"])
    ws.append([None, "demandé", "accordé", None])
    ws.append(["2024-001", 100, 80, "QN00001A"])
    ws.append(["2024-002", 50, 50, None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("D3:D4")
    path = tmp_path / "programmation.xlsx"
    wb.save(path)
    problems = ProblemCollector("programmation.xlsx")
    table = read_raw_table(path, problems=problems, header_row=1, header_rows=2)
    assert list(table.frame.columns) == ["Dossier", "État / demandé", "État / accordé", "Quartier"]
    assert table.frame["Quartier"].tolist() == ["QN00001A", ""]  # rien de recopié
    with pytest.raises(InputError) as info:
        problems.raise_if_any()
    assert "cellule fusionnée D3:D4 dans les lignes du tableau" in str(info.value)
    assert "ligne 3, colonne « Quartier »" in str(info.value)


def test_values_refused_with_their_reason():
    for text in ("1e309", "-1e400", float("inf")):
        with pytest.raises(CellValueError) as info:
            parse_number_cell(text)
        assert "lu comme infini" in info.value.reason
    with pytest.raises(CellValueError) as info:
        parse_number_cell("2021-03-04T00:00:00")
    assert "date dans une cellule numérique" in info.value.reason
    assert parse_number_cell("4.811") == (4.811, "ok", None)  # décimale possible : au lecteur
    assert (
        thousands_dot("4.811") == "4\u202f811"
        and thousands_dot("1.234.567") == "1\u202f234\u202f567"
    )
    assert thousands_dot("43.9") is None and thousands_dot("4.8110") is None
    with pytest.raises(CellValueError) as info:
        parse_amount("23.300")
    assert "valeur probablement voulue : 23\u202f300 €" in info.value.reason
    assert parse_amount("23300.00") == 2_330_000 and parse_amount("23.30") == 2330
    with pytest.raises(CellValueError) as info:
        parse_amount("100000000000000000000")
    assert "montant invraisemblable" in info.value.reason
    assert parse_amount("99 000 000 000,00") == 9_900_000_000_000


def test_problem_collector_caps_errors_per_file_with_the_total():
    from observatoire.errors import InputError, ProblemCollector

    problems = ProblemCollector("gros.csv")
    for i in range(10_000):
        problems.add("cellule non numérique", row=i + 2, column=f"C{i % 9}", found="abc")
    problems.warn("avertissement après le plafond")
    with pytest.raises(InputError) as info:
        problems.raise_if_any()
    text = str(info.value)
    assert text.count("cellule non numérique") == 200
    assert "10\u202f000 anomalies bloquantes au total dans ce fichier" in text
    assert len(problems.warnings) == 1  # les avertissements ne sont pas plafonnés ici


def test_dense_workbook_of_one_megabyte_is_read_under_the_limit_and_errors_are_capped(
    tmp_path: Path,
):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Données")
    ws.append(["CODGEO", "LIBGEO", "NIVGEO", "POP", "TX_PAUV", "MED_UC", "A", "B", "C", "D"])
    for i in range(30_000):  # codes inconnus du territoire : 30 000 anomalies
        ws.append([f"QN{i:05d}X", "Quartier fictif", "QPV", 1000 + i, 43.9, 13950, 1, 2, 3, 4])
    territory = _indicator_case(tmp_path, "dense.xlsx")
    wb.save(territory / "dense.xlsx")
    assert (territory / "dense.xlsx").stat().st_size > 1_000_000
    before = snapshot(tmp_path)
    result = run_limited("valider", "--config", str(territory / "observatoire.toml"), cwd=tmp_path)
    _assert_refused(
        result,
        "fichier dense.xlsx, ligne 2 — code QPV absent de la liste des quartiers",
        "fichier dense.xlsx — 30\u202f000 anomalies bloquantes au total dans ce fichier : "
        "seules les 200 premières sont détaillées",
    )
    assert result.stderr.count("code QPV absent") == 200
    assert snapshot(tmp_path) == before
