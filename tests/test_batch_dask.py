"""Le même lot réparti sur un cluster Dask distributed (``LocalCluster`` de 2 workers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lots_helpers import QUARTIERS, make_territory

from observatoire.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def territory(tmp_path_factory) -> Path:
    import observatoire
    from observatoire.demo.generator import generate_demo

    base = tmp_path_factory.mktemp("territoire")
    observatoire.open(generate_demo(base / "valbrume", n_quartiers=3))
    return make_territory(base / "valbrume", base / "copie")


def test_lot_sur_cluster_dask_de_deux_workers(territory, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "rapports"
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        args = ["rapports", "--config", str(territory), "--tous", "--evaluation"]
        args += ["--format", "html", "--sortie", str(out)]
        code = main([*args, "--executor", "dask", "--scheduler", cluster.scheduler_address])
        err = capsys.readouterr().err
        assert code == 0, err
        assert "4 rapport(s) à produire" in err and "cluster Dask" in err, err
        assert "4 produit(s)" in err and "0 en échec" in err, err

        # Les rapports ont tourné dans les processus pré-chauffés des workers (le plus
        # souvent les deux ; l'ordonnanceur peut tout confier à un seul s'il est libre).
        def pools() -> int:
            from observatoire.publish.executors import _WORKER_POOLS

            return len(_WORKER_POOLS)

        per_worker = client.run(pools)
        assert len(per_worker) == 2 and sum(per_worker.values()) >= 1, per_worker

    for code in QUARTIERS:
        html = (out / "quartiers" / f"{code}.html").read_text(encoding="utf-8")
        assert 'lang="fr"' in html and "habitants en 2021" in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dernier_lot"]["executeur"] == "dask"
    assert {e["statut"] for e in manifest["rapports"].values()} == {"ok"}

    # Relance locale sans changement : même manifeste, rien à refaire.
    assert main([*args, "--jobs", "1"]) == 0
    assert "Rien à refaire : 4 rapport(s) à jour" in capsys.readouterr().err


def test_scheduler_injoignable_message_francais_code_2(territory, tmp_path, capsys):
    pytest.importorskip("distributed")
    args = ["rapports", "--config", str(territory), "--quartier", "QN00001A", "--format", "html"]
    args += ["--sortie", str(tmp_path / "r"), "--executor", "dask"]
    assert main(args) == 2
    assert "--scheduler" in capsys.readouterr().err


def test_le_chemin_local_n_importe_pas_dask():
    code = (
        "import sys\n"
        "from observatoire.cli import build_parser\n"
        "import observatoire.publish.batch, observatoire.publish.executors\n"
        "build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
