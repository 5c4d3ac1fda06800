"""Lot tué par ``kill -9`` puis repris ; verrou du dossier de sortie (vivant, périmé).

Le lot tourne dans un vrai processus séparé, comme sous cron ; on le tue à un moment
choisi, on vérifie qu'aucun fichier partiel n'est visible et qu'aucun processus du
lot ne survit, puis la relance ne refait que ce qui manque.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lots_helpers import QUARTIERS, alive, cli, descendants, make_territory, popen, visible_files

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def territory_template(tmp_path_factory) -> Path:
    import observatoire
    from observatoire.demo.generator import generate_demo

    dest = tmp_path_factory.mktemp("territoire") / "valbrume"
    observatoire.open(generate_demo(dest, n_quartiers=3))
    return dest


@pytest.fixture
def territory(territory_template, tmp_path) -> Path:
    return make_territory(territory_template, tmp_path / "territoire")


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 120) -> None:
    limit = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            pytest.fail(f"le lot s'est terminé avant le moment choisi : {proc.stdout.read()}")
        if time.monotonic() > limit:
            proc.kill()
            pytest.fail("moment choisi jamais atteint")
        time.sleep(0.02)


def _complete(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb" or path.name == "manifest.json":
        json.loads(text)
        return True
    return text.rstrip().endswith("</html>")


MOMENTS = {
    # pendant le pré-chauffage : le processus pré-chauffé tourne, aucun rapport fini
    "pre-chauffage": lambda out, pid: (
        "à produire" in _read(out / "journal.log") and bool(descendants(pid))
    ),
    # au milieu : un premier rapport est écrit, les autres sont à faire ou en cours
    "premier-rapport": lambda out, pid: (out / "quartiers" / "QN00001A.html").exists(),
    # à la fin : tous les rapports sont faits, le manifeste et l'index sont en cours
    "fin-de-lot": lambda out, pid: "[3/3]" in _read(out / "journal.log"),
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_lot_tue_puis_repris(territory, tmp_path, moment):
    out = tmp_path / "rapports"
    args = ["rapports", "--config", str(territory), "--tous", "--format", "html"]
    args += ["--sortie", str(out), "--jobs", "1"]
    proc = popen(*args)
    _wait_for(lambda: MOMENTS[moment](out, proc.pid), proc)
    family = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    limit = time.monotonic() + 10
    while any(alive(p) for p in family) and time.monotonic() < limit:
        time.sleep(0.05)
    assert not [p for p in family if alive(p)], "des processus du lot ont survécu"

    for path in visible_files(out):
        if path.suffix != ".log":  # les journaux s'écrivent ligne à ligne
            assert _complete(path), f"fichier partiel visible : {path}"
    if moment == "pre-chauffage":
        assert not (out / "quartiers").exists() or visible_files(out / "quartiers") == []

    resumed = cli(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert "Verrou périmé repris" in resumed.stderr
    produced = {p.name for p in (out / "quartiers").glob("*.html")}
    assert produced == {f"{c}.html" for c in QUARTIERS}, resumed.stderr
    assert list(out.rglob(".*.tmp")) == []
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(manifest["rapports"][f"quartiers/{c}"]["statut"] == "ok" for c in QUARTIERS)
    if moment == "premier-rapport":
        # le rapport fini avant le kill n'est refait que si le manifeste ne l'a pas noté
        assert "rapport(s) à produire" in resumed.stderr

    assert (out / "index.html").is_file()  # l'index manquant est écrit à la reprise
    again = cli(*args)
    assert "Rien à refaire : 3 rapport(s) à jour" in again.stderr


HOLDER = """
import sys, time
from pathlib import Path
from observatoire.publish.lock import OutputLock
lock = OutputLock(Path(sys.argv[1])).acquire()
print("verrou pris", flush=True)
time.sleep(120)
"""


def test_verrou_vivant_refuse_puis_verrou_perime_repris(territory, tmp_path):
    out = tmp_path / "rapports"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "verrou pris"
        args = ["rapports", "--config", str(territory), "--quartier", "QN00001A"]
        args += ["--format", "html", "--sortie", str(out)]
        refused = cli(*args)
        assert refused.returncode == 2
        assert "Un autre lot de rapports est en cours" in refused.stderr
        assert f"processus {holder.pid}" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert visible_files(out) == []
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()

    taken = cli(*args)
    assert taken.returncode == 0, taken.stderr
    assert f"Verrou périmé repris (lot interrompu : processus {holder.pid}" in taken.stderr
    assert (out / "quartiers" / "QN00001A.html").is_file()
    lock = json.loads((out / ".observatoire-lot.lock").read_text(encoding="utf-8"))
    assert lock["fin"]  # rendu proprement : la relance suivante ne parle pas de verrou périmé
    assert "Verrou périmé" not in cli(*args).stderr
