"""Lots de rapports : incrémental, isolation des échecs, codes de sortie.

Chaque test produit de vrais rapports (notebooks exécutés, HTML écrits) sur un
territoire fictif de 3 quartiers, en HTML seulement pour rester rapide.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from lots_helpers import make_territory, set_population, visible_files

from observatoire.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def territory_template(tmp_path_factory) -> Path:
    """Territoire fictif à 3 quartiers (généré une fois, cache Parquet compris)."""
    import observatoire
    from observatoire.demo.generator import generate_demo

    dest = tmp_path_factory.mktemp("territoire") / "valbrume"
    config = generate_demo(dest, n_quartiers=3)
    observatoire.open(config)  # remplit le cache Parquet, copié avec le territoire
    return dest


@pytest.fixture
def territory(territory_template, tmp_path) -> Path:
    return make_territory(territory_template, tmp_path / "territoire")


def run(config: Path, out: Path, *extra: str) -> int:
    args = ["rapports", "--config", str(config), "--format", "html", "--sortie", str(out)]
    return main([*args, "--jobs", "2", *extra])


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "quartiers").glob("*.html")}


def test_relance_sans_changement_saute_tout_puis_reconstruit_ce_qui_a_change(
    territory, tmp_path, capsys
):
    out = tmp_path / "rapports"
    assert run(territory, out, "--tous", "--evaluation") == 0
    first = capsys.readouterr().err
    assert "4 rapport(s) à produire" in first
    html = out / "quartiers" / "QN00001A.html"
    text = html.read_text(encoding="utf-8")
    assert "Hauts de Brumehaut compte" in text and "habitants en 2021" in text
    assert (out / "evaluation" / "contrat-de-ville-2022-2024.html").is_file()
    assert (out / "quartiers" / "QN00001A.ipynb").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["rapports"]["quartiers/QN00001A"]
    assert entry["statut"] == "ok" and entry["erreur"] is None and entry["duree_s"] > 0
    assert entry["fichiers"] == ["quartiers/QN00001A.html", "quartiers/QN00001A.ipynb"]
    assert len(entry["empreinte"]) == 16
    import observatoire

    assert manifest["territoire"]["empreinte"] == observatoire.open(territory).input_fingerprint
    assert "[4/4]" in (out / "journal.log").read_text(encoding="utf-8")
    before = mtimes(out)

    # Rien n'a changé : tout est sauté, et le lot le dit.
    assert run(territory, out, "--tous", "--evaluation") == 0
    assert "Rien à refaire : 4 rapport(s) à jour, sautés" in capsys.readouterr().err
    assert mtimes(out) == before

    # Un fichier d'entrée réécrit à l'identique (date changée, contenu non) : sauté.
    data = territory.parent / "indicateurs" / "population_qp2024_2021.csv"
    os.utime(data, (time.time() + 5, time.time() + 5))
    assert run(territory, out, "--tous") == 0
    assert "Rien à refaire : 3 rapport(s) à jour" in capsys.readouterr().err

    # L'INSEE republie : la population du quartier change → rapports refaits.
    set_population(territory.parent, "QN00001A", "5012", years=(2021,))
    assert run(territory, out, "--tous") == 0
    assert "3 rapport(s) à produire" in capsys.readouterr().err
    assert re.search(r"compte 5[\u00a0\u202f]012 habitants", html.read_text(encoding="utf-8"))

    # Un rapport supprimé : lui seul est refait.
    (out / "quartiers" / "QN00003A.html").unlink()
    before = mtimes(out)
    assert run(territory, out, "--tous") == 0
    err = capsys.readouterr().err
    assert "1 rapport(s) à produire" in err and "2 à jour, sautés" in err
    after = mtimes(out)
    assert after["QN00001A.html"] == before["QN00001A.html"]
    assert "QN00003A.html" in after

    # Le notebook change : tout est refait ; --force refait tout aussi.
    notebook = territory.parent / "notebooks" / "dashboard_quartier.ipynb"
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "## Fin"})
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    assert run(territory, out, "--tous") == 0
    assert "3 rapport(s) à produire" in capsys.readouterr().err
    assert run(territory, out, "--quartier", "QN00002A", "--force") == 0
    assert "1 rapport(s) à produire" in capsys.readouterr().err


def test_un_quartier_en_echec_n_arrete_pas_les_autres(territory, tmp_path, capsys):
    # Population sous secret statistique dans tous les millésimes : le notebook
    # de test ne sait pas faire son portrait et échoue pour ce quartier seulement.
    set_population(territory.parent, "QN00002A", "s")
    out = tmp_path / "rapports"
    assert run(territory, out, "--tous", "--sans-notebook") == 1
    err = capsys.readouterr().err
    assert "[3/3]" in err
    assert "échec quartiers/QN00002A" in err
    assert "population absente pour le quartier QN00002A" in err
    assert "2 produit(s)" in err and "1 en échec" in err
    names = [p.name for p in visible_files(out / "quartiers")]
    assert names == ["QN00001A.html", "QN00003A.html"]  # --sans-notebook : pas d'.ipynb
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    failed = manifest["rapports"]["quartiers/QN00002A"]
    assert failed["statut"] == "erreur" and "ValueError" in failed["erreur"]
    assert failed["fichiers"] == []

    # La relance ne refait que le rapport en échec (les autres sont à jour).
    assert run(territory, out, "--tous", "--sans-notebook") == 1
    err = capsys.readouterr().err
    assert "1 rapport(s) à produire" in err and "2 à jour, sautés" in err


def test_configuration_ou_entree_invalide_code_2_rien_ecrit(territory, tmp_path, capsys):
    out = tmp_path / "rapports"
    assert run(tmp_path / "absent.toml", out, "--tous") == 2
    assert "Fichier de configuration introuvable" in capsys.readouterr().err

    assert run(territory, out, "--quartier", "QN99999Z") == 2
    err = capsys.readouterr().err
    assert "Quartier(s) inconnu(s)" in err and "QN99999Z" in err and "QN00001A" in err

    assert run(territory, out) == 2
    assert "Aucun rapport demandé" in capsys.readouterr().err

    # Données illisibles : texte dans une colonne numérique → message français, code 2.
    set_population(territory.parent, "QN00001A", "beaucoup", years=(2021,))
    assert run(territory, out, "--tous") == 2
    err = capsys.readouterr().err
    assert "population_qp2024_2021.csv" in err and "beaucoup" in err
    assert "Traceback" not in err
    assert not out.exists()  # rien d'écrit


def test_dossier_de_sortie_non_inscriptible(territory, tmp_path, capsys):
    blocker = tmp_path / "un-fichier"
    blocker.write_text("pas un dossier", encoding="utf-8")
    assert run(territory, blocker / "rapports", "--tous") == 2
    err = capsys.readouterr().err
    assert "Écriture impossible dans le dossier de sortie" in err
    assert str(blocker / "rapports") in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() != 0, reason="monter un tmpfs demande les droits root")
def test_disque_plein_message_clair_code_2(territory, tmp_path, capsys):
    import subprocess

    mount = tmp_path / "petit-disque"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"tmpfs impossible ici : {done.stderr.decode().strip()}")
    try:
        assert run(territory, mount / "rapports", "--tous") == 2
        err = capsys.readouterr().err
        assert "Disque plein" in err and "Traceback" not in err
        leftovers = [p for p in (mount / "rapports").rglob(".*.tmp")]
        assert leftovers == []
        for path in visible_files(mount / "rapports" / "quartiers"):
            assert path.read_text(encoding="utf-8").rstrip().endswith(("</html>", "}"))
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_le_lot_trouve_les_memes_notebooks_que_le_rendu(territory, root):
    from observatoire.config import load_config
    from observatoire.publish.batch import _notebooks
    from observatoire.publish.jobs import ReportJob
    from observatoire.publish.report import notebook_path

    for config_path in (territory, root / "data" / "demo" / "observatoire.toml"):
        config = load_config(config_path)
        jobs = [
            ReportJob("quartier", config.path, {"quartier": "QN00001A"}),
            ReportJob("evaluation", config.path, {"debut": 2022, "fin": 2024}),
        ]
        found = _notebooks(jobs, config)
        assert found == {job.kind: notebook_path(job) for job in jobs}
