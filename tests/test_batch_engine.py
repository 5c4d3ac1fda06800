"""Le moteur papermill « observatoire » remplit les mêmes sorties qu'un noyau Jupyter.

Le même notebook (flux stdout/stderr, DataFrame, HTML, figure matplotlib, valeur
finale, ``;`` qui masque) est exécuté avec le moteur par défaut (noyau ipykernel)
et avec le moteur en processus : les sorties nbformat doivent être identiques,
images PNG comprises, pour que le rendu HTML/PDF ne change pas.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

papermill = pytest.importorskip("papermill")

from papermill.exceptions import PapermillExecutionError  # noqa: E402

from observatoire.publish import engine  # noqa: E402, F401 - enregistre le moteur


def _outputs(nb) -> list[list[dict]]:
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            cells.append([dict(o) for o in cell.outputs])
    return cells


def _execute(fixtures, name, tmp_path, engine_name, **parameters):
    return papermill.execute_notebook(
        str(fixtures / "lots" / name),
        str(tmp_path / f"{engine_name}-{name}"),
        parameters=parameters,
        engine_name=engine_name,
        progress_bar=False,
        kernel_name="python3",
    )


def test_memes_sorties_que_le_noyau_jupyter(fixtures, tmp_path):
    kernel = _execute(fixtures, "sorties_variees.ipynb", tmp_path, None, quartier="QN00007C")
    inproc = _execute(
        fixtures, "sorties_variees.ipynb", tmp_path, "observatoire", quartier="QN00007C"
    )
    assert _outputs(inproc) == _outputs(kernel)
    outputs = _outputs(inproc)
    assert outputs[2] == [
        {"output_type": "stream", "name": "stdout", "text": "Quartier : QN00007C\nsuite\n"},
        {"output_type": "stream", "name": "stderr", "text": "sur stderr\n"},
    ]
    figure = outputs[5][-1]
    assert figure["output_type"] == "display_data" and figure["data"]["image/png"]
    counts = [c.execution_count for c in inproc.cells if c.cell_type == "code"]
    assert counts == [c.execution_count for c in kernel.cells if c.cell_type == "code"]
    assert counts == list(range(1, 8))  # cellule de paramètres injectée comprise


def test_erreur_de_cellule_comme_nbclient(fixtures, tmp_path):
    errors = {}
    for engine_name in (None, "observatoire"):
        with pytest.raises(PapermillExecutionError) as info:
            _execute(fixtures, "echec_quartier.ipynb", tmp_path, engine_name, quartier="QN00002B")
        errors[engine_name] = info.value
    assert errors["observatoire"].ename == errors[None].ename == "ValueError"
    assert errors["observatoire"].evalue == "quartier QN00002B sans données"
    assert errors["observatoire"].exec_count == errors[None].exec_count == 4

    import nbformat

    nb = nbformat.read(tmp_path / "observatoire-echec_quartier.ipynb", as_version=4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.outputs == [] and last.metadata.papermill.status == "pending"


def test_chaque_notebook_repart_d_un_espace_de_noms_vierge(fixtures, tmp_path):
    _execute(fixtures, "echec_quartier.ipynb", tmp_path, "observatoire", quartier="QN00001A")
    nb = _execute(fixtures, "sorties_variees.ipynb", tmp_path, "observatoire", quartier="X")
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"][0] == 1
    assert "avant" not in str(_outputs(nb))


def test_publication_sans_le_verificateur_iri_lent():
    """nbformat → jsonschema n'importe pas rfc3987_syntax (2,6 s) ; la validation marche."""
    code = (
        "import sys, time\n"
        "import observatoire.publish\n"
        "import nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
        "nbformat.validate(nb)\n"
        "assert sys.modules.get('rfc3987_syntax') is None\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_prechauffage_par_un_rapport_a_blanc(demo_config):
    """Le processus pré-chauffé produit un rapport à blanc : rien ne reste, shell neuf."""
    code = f"""
import glob, os, tempfile
from pathlib import Path
from observatoire.publish import engine
from observatoire.publish.jobs import ReportJob
from observatoire.publish.prewarm import warm_up
from observatoire.publish.warm import WarmSettings
from observatoire.views.svg import cached_metrics
pattern = os.path.join(tempfile.gettempdir(), "observatoire-prechauffage-*")
before = set(glob.glob(pattern))
config = Path({str(demo_config)!r})
job = ReportJob("quartier", config, {{"quartier": "QN00002A"}}, formats=("html",))
info = warm_up(WarmSettings(config=config, warm_job=job))
assert info["territoire_precharge"]
assert set(glob.glob(pattern)) == before  # dossier temporaire effacé
assert engine.get_shell().execution_count == 1  # espace de noms vierge pour les fils
assert cached_metrics() > 0  # les figures du rapport à blanc ont été mesurées
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")
