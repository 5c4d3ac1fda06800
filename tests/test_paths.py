"""Chemins : aucun code ni nom de quartier ne fait écrire hors du dossier de sortie.

Les noms de fichiers des rapports ne dérivent que de codes validés
(:class:`observatoire.publish.jobs.ReportJob`) ; un code contenant ``../``, ``/``,
NUL ou un caractère réservé est refusé à la lecture (liste des QPV) comme à la
commande (``--quartier``), avec un message français, le code 2 et rien d'écrit. Un
nom de quartier hostile (``../../evasion``, ``/etc/passwd``, ``..\\..\\x``) ne se
retrouve dans aucun nom de fichier produit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fiabilite_outils import BASE, hostile_run, run_cli, snapshot

from observatoire.errors import ObservatoireError
from observatoire.publish.jobs import ReportJob

HOSTILE_CODES = [
    "../../evasion",
    "../QN00001A",
    "QN00001A/../../x",
    "/etc/passwd",
    "QN00001A\x00.html",
    "..",
    ".",
    "",
    "QN0000<1>A",
    'QN:"|?*A',
    "QN00001A\\..\\x",
    "CON",  # nom réservé sous Windows : accepté (sans séparateur), reste sous quartiers/
    "QN00001A\n",
    "-rf",
    "Ｑ００１",  # chiffres pleine chasse
    "a" * 200,
]
# Un nom de fichier produit : code validé (lettres, chiffres, - et _) + extension connue.
OUTPUT_NAME = re.compile(
    r"^(quartiers/[A-Za-z0-9][A-Za-z0-9_-]*\.(html|pdf|ipynb)"
    r"|evaluation/contrat-de-ville-\d{4}(-\d{4})?(-[A-Za-z0-9_-]+)?\.(html|pdf|ipynb)"
    r"|cartes/[a-z_]+\.html|index\.html|manifest\.json|journal[a-z-]*\.log|\.observatoire-lot\.lock)$"
)


@pytest.mark.parametrize("code", HOSTILE_CODES, ids=repr)
def test_report_file_name_stays_in_output_folder(code: str, tmp_path: Path):
    out = tmp_path / "sortie"
    job = ReportJob("quartier", tmp_path / "observatoire.toml", {"quartier": code})
    try:
        stem = job.relative_stem
    except ObservatoireError as exc:
        assert "invalide" in str(exc)
        return
    # accepté : le nom ne contient ni séparateur, ni « .. », ni caractère de contrôle
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", stem.name), stem
    target = (out / stem).with_suffix(".html").resolve()
    assert target.parent == (out / "quartiers").resolve()


@pytest.mark.parametrize("perimetre", ["../x", "00101/..", "a\x00b", "00101;rm"], ids=repr)
def test_evaluation_file_name_refuses_hostile_perimeter(perimetre: str, tmp_path: Path):
    job = ReportJob(
        "evaluation", tmp_path / "o.toml", {"debut": 2024, "fin": 2025, "perimetre": perimetre}
    )
    with pytest.raises(ObservatoireError, match="périmètre invalide"):
        _ = job.relative_stem


def test_evaluation_file_name_requires_integer_years(tmp_path: Path):
    job = ReportJob("evaluation", tmp_path / "o.toml", {"debut": "../2024", "fin": 2025})
    with pytest.raises(ObservatoireError, match="années"):
        _ = job.relative_stem


@pytest.mark.parametrize(
    "code", ["../../evasion", "QN00001A/../../x", "QN0000<1>A", "/etc/passwd"], ids=repr
)
def test_cli_refuses_hostile_quartier_code_and_writes_nothing(code: str, tmp_path: Path):
    territory = tmp_path / "territoire"
    import shutil

    shutil.copytree(BASE, territory)
    before = snapshot(tmp_path)
    result = run_cli(
        "rapports", "--config", str(territory / "observatoire.toml"), "--quartier", code,
        "--format", "html", "--sortie", str(tmp_path / "sortie"),
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert "Code(s) de quartier invalide(s)" in output and repr(code) in output
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "sortie").exists()


def test_cli_unknown_but_well_formed_quartier_code_writes_no_report(tmp_path: Path):
    import shutil

    territory = tmp_path / "territoire"
    shutil.copytree(BASE, territory)
    result = run_cli(
        "rapports", "--config", str(territory / "observatoire.toml"), "--quartier", "QN00009Z",
        "--format", "html", "--sortie", str(tmp_path / "sortie"),
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in output, output
    assert "Quartier(s) inconnu(s)" in output and "QN00009Z" in output
    assert "QN00001A, QN00002B, QN00003C" in output  # les codes possibles sont rappelés
    assert not (tmp_path / "sortie").exists()


def test_qpv_list_with_path_like_codes_is_refused(tmp_path: Path):
    """Des codes ``../``, ``/``, NUL ou réservés dans la liste des QPV : refus, code 2."""
    import shutil

    territory = tmp_path / "territoire"
    shutil.copytree(BASE, territory)
    liste = territory / "liste_qpv_2024.csv"
    lines = liste.read_bytes().split(b"\n")
    bad = [b"../../evasion", b"QN00002B/../x", b"QN0000<3>C"]
    for i, code in enumerate(bad, start=1):
        lines[i] = code + lines[i][len(b"QN00001A") :]
    liste.write_bytes(b"\n".join(lines))
    before = snapshot(tmp_path)
    result = run_cli("valider", "--config", str(territory / "observatoire.toml"))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in output, output
    for code in bad:
        assert f"valeur trouvée : « {code.decode().upper()} »" in output, output
    assert snapshot(tmp_path) == before


def test_nul_byte_in_a_quartier_code_is_refused(tmp_path: Path):
    import shutil

    territory = tmp_path / "territoire"
    shutil.copytree(BASE, territory)
    liste = territory / "liste_qpv_2024.csv"
    liste.write_bytes(liste.read_bytes().replace(b"QN00003C", b"QN0\x00003C", 1))
    before = snapshot(tmp_path)
    result = run_cli("valider", "--config", str(territory / "observatoire.toml"))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in output, output
    assert "liste_qpv_2024.csv" in output
    assert snapshot(tmp_path) == before


def test_hostile_names_never_reach_file_names(tmp_path_factory):
    """Rapports réels d'un territoire aux noms hostiles : fichiers tous sous la sortie."""
    run = hostile_run(tmp_path_factory)
    assert "Traceback" not in run.outputs
    produced = [p for p in run.out.rglob("*") if p.is_file()]
    assert produced, run.outputs
    out = run.out.resolve()
    for path in produced:
        rel = path.resolve().relative_to(out).as_posix()  # lève si hors du dossier
        assert OUTPUT_NAME.match(rel), f"nom de fichier inattendu : {rel}"
    # rien n'a été créé à côté : pas de dossier « evasion », pas de « passwd »
    root = run.out.parent
    for path in root.rglob("*"):
        assert "evasion" not in path.name and "passwd" not in path.name, path
    expected = {f"quartiers/{c}.html" for c in ("QN00001A", "QN00002A", "QN00003A")}
    assert expected <= {p.relative_to(run.out).as_posix() for p in produced}
