"""Pannes de bout en bout : lot tué par ``kill -9`` à des moments aléatoires, disque plein,
dossier de sortie non inscriptible.

Le lot est la vraie commande ``observatoire rapports`` avec les vrais notebooks, sur la
démo à 4 quartiers, dans un processus séparé comme sous cron. On le tue trois fois à
des moments tirés au hasard (graine affichée en cas d'échec ; on peut la fixer avec
``OBSERVATOIRE_GRAINE_PANNES``), on vérifie à chaque fois que tout fichier visible est
complet, puis la relance finit le travail sans refaire ce qui était fini et noté.

Disque plein : un tmpfs minuscule monté par le test (il faut le droit de monter ;
sinon le test est ignoré avec la raison). Non inscriptible : un fichier à la place
du dossier, ``/proc`` et ``/sys`` (root passe outre ``chmod``), un montage en
lecture seule. Dans tous les cas : message français clair, code 2, pas de trace.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fiabilite_outils import cli_command, run_cli
from lots_helpers import alive, descendants

pytestmark = pytest.mark.slow

CODES = ["QN00001A", "QN00002A", "QN00003A", "QN00004A"]
SEED = int(os.environ.get("OBSERVATOIRE_GRAINE_PANNES", time.time_ns() % 1_000_000))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    import observatoire
    from observatoire.demo.generator import generate_demo

    dest = tmp_path_factory.mktemp("pannes") / "territoire"
    obs = observatoire.open(generate_demo(dest, n_quartiers=4, seed=11))  # cache prêt
    assert list(obs.quartiers["code"]) == CODES
    return dest


@pytest.fixture
def territory(template, tmp_path) -> Path:
    shutil.copytree(template, tmp_path / "territoire")
    return tmp_path / "territoire" / "observatoire.toml"


def complete(path: Path) -> bool:
    """Un fichier de sortie est complet (HTML fermé, PDF lisible, JSON valide)."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    if path.suffix == ".pdf":
        if not (data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")):
            return False
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True).returncode == 0
    if path.suffix in (".ipynb", ".json"):
        json.loads(data)
        return True
    return True  # journaux : écrits ligne à ligne


def visible(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))


def reports_done(out: Path) -> int:
    return len(list((out / "quartiers").glob("*.pdf"))) if (out / "quartiers").exists() else 0


def noted_ok(out: Path) -> dict[str, int]:
    """Fichiers des rapports notés « ok » au manifeste → mtime (ns)."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = {}
    for key, entry in manifest.get("rapports", {}).items():
        if entry.get("statut") == "ok":
            for ext in ("html", "pdf"):
                path = out / f"{key}.{ext}"
                if path.exists():
                    files[str(path)] = path.stat().st_mtime_ns
    return files


def test_batch_killed_three_times_at_random_leaves_complete_files_and_resumes(territory, tmp_path):
    rng = random.Random(SEED)
    out = tmp_path / "rapports"
    args = ["rapports", "--config", str(territory), "--tous", "--format", "html,pdf"]
    args += ["--sortie", str(out), "--jobs", "1"]
    kills, finished, round_ = [], False, 0
    while len(kills) < 3:
        assert round_ < 8, f"graine {SEED} : 3 arrêts non obtenus en 8 tours"
        before = reports_done(out)
        untouched = {} if finished else noted_ok(out)
        # lot déjà fini (machine rapide) : on le relance en entier pour le tuer encore
        extra = ["--force"] if finished else []
        proc = subprocess.Popen(
            [*cli_command(), *args, *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # moment : au démarrage (1er tour), sinon après le rapport suivant, + délai aléatoire
        limit = time.monotonic() + 300
        while round_ and not finished and reports_done(out) <= before and proc.poll() is None:
            assert time.monotonic() < limit, f"graine {SEED} : aucun rapport produit"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.3, 5.0) if round_ == 0 else rng.uniform(0.0, 1.5))
        round_ += 1
        if proc.poll() is not None:  # fini avant le moment tiré : pas d'arrêt ce tour-ci
            finished = True
            continue
        finished = False
        family = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while any(alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in family if alive(p)], "des processus du lot ont survécu"
        kills.append(reports_done(out))
        for path in visible(out):
            assert complete(path), f"graine {SEED}, tour {round_} : fichier partiel {path}"
        for path, mtime in untouched.items():  # fini et noté : pas refait
            assert Path(path).stat().st_mtime_ns == mtime, f"graine {SEED} : {path} refait"
    assert len(kills) == 3
    final = run_cli(*args)
    assert final.returncode == 0, f"graine {SEED} : {final.stderr}"
    assert "Traceback" not in final.stderr
    for code in CODES:
        for ext in ("html", "pdf", "ipynb"):
            path = out / "quartiers" / f"{code}.{ext}"
            assert path.is_file() and complete(path), f"graine {SEED} : {path}"
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    again = run_cli(*args)
    assert again.returncode == 0 and "Rien à refaire" in again.stderr, again.stderr


def _refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    assert output.strip().splitlines()[-1].startswith("Erreur : "), output
    for fragment in fragments:
        assert fragment in output, output


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"montage impossible ici ({done.stderr.strip()}) : cas non simulable")


def test_disk_full_gives_a_clear_message_and_exit_2(territory, tmp_path):
    full = tmp_path / "disque"
    full.mkdir()
    _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full))
    try:
        result = run_cli(
            "rapports", "--config", str(territory), "--quartier", "QN00001A",
            "--format", "html", "--sortie", str(full / "sortie"), "--jobs", "1",
        )  # fmt: skip
        _refused(result, "Disque plein", "Libérez de la place")
        for path in visible(full / "sortie"):
            assert path.suffix in (".json", ".log") and complete(path), path
        assert not list((full / "sortie").rglob("*.html"))
    finally:
        subprocess.run(["umount", str(full)], check=False)


def test_disk_full_while_writing_the_executed_notebook_stops_the_batch(territory, tmp_path):
    """Assez de place pour le manifeste, pas pour le notebook exécuté : lot arrêté, code 2."""
    full = tmp_path / "disque"
    full.mkdir()
    _mount("-t", "tmpfs", "-o", "size=300k", "tmpfs", str(full))
    try:
        result = run_cli(
            "rapports", "--config", str(territory), "--quartier", "QN00001A",
            "--format", "html", "--sortie", str(full / "sortie"), "--jobs", "1",
        )  # fmt: skip
        output = result.stdout + result.stderr
        assert result.returncode == 2, output
        assert "Traceback" not in output, output
        assert "Disque plein" in output and "Libérez de la place" in output, output
        assert "échec de l'exécution" not in output, output  # pas une erreur du notebook
        dashboards = full / "sortie" / "quartiers"
        assert not list(dashboards.glob("*.ipynb")) and not list(dashboards.glob("*.html"))
        assert not list((full / "sortie").rglob(".*.tmp"))  # aucun temporaire laissé
    finally:
        subprocess.run(["umount", str(full)], check=False)


def test_read_only_output_folder_gives_a_clear_message_and_exit_2(territory, tmp_path):
    target = tmp_path / "lecture-seule"
    target.mkdir()
    _mount("--bind", str(target), str(target))
    try:
        _mount("-o", "remount,bind,ro", str(target))
        result = run_cli(
            "rapports", "--config", str(territory), "--quartier", "QN00001A",
            "--format", "html", "--sortie", str(target / "sortie"),
        )  # fmt: skip
        _refused(result, "Dossier de sortie non inscriptible", "--sortie")
        assert list(target.iterdir()) == []
    finally:
        subprocess.run(["umount", str(target)], check=False)


@pytest.mark.parametrize(
    "where",
    ["un-fichier/sortie", "/proc/observatoire-sortie", "/sys/kernel/observatoire-sortie"],
)
def test_unusable_output_folder_gives_a_clear_message_and_exit_2(where, territory, tmp_path):
    (tmp_path / "un-fichier").write_text("ceci n'est pas un dossier\n", encoding="utf-8")
    target = where if where.startswith("/") else str(tmp_path / where)
    result = run_cli(
        "rapports", "--config", str(territory), "--quartier", "QN00001A",
        "--format", "html", "--sortie", target,
    )  # fmt: skip
    _refused(result, target)
    assert "dossier de sortie" in (result.stderr.lower())
    assert (tmp_path / "un-fichier").read_text(encoding="utf-8") == "ceci n'est pas un dossier\n"
