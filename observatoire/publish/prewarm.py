"""Pré-chauffage du processus qui sera forké pour chaque rapport.

Tout ce qui est fait ici une fois est hérité (en copie sur écriture) par chaque
rapport :

1. imports des bibliothèques et de tous les modules d'observatoire ;
2. shell IPython et moteur papermill prêts (schéma nbformat compilé) ;
3. territoire chargé (cache Parquet) et analyses communes à tous les rapports
   calculées (écarts aux références de tous les quartiers) ; dans le processus,
   ``observatoire.open(config)`` renvoie ce territoire déjà chargé ;
4. répétition : un premier rapport est produit dans un fils jetable, qui renvoie
   la liste des modules qu'il a dû importer en plus (imports paresseux des
   bibliothèques : mapclassify, scipy…) ; le processus les importe à son tour.

Exemple ::

    info = warm_up(WarmSettings(config=Path("observatoire.toml")))
    info["duree"], info["modules_repetition"]
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pickle
import pkgutil
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Modules importés d'avance (les autres modules d'observatoire sont importés en
# parcourant le paquet, les imports paresseux sont trouvés par la répétition).
WARM_MODULES = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "geopandas",
    "folium",
    "mapclassify",
    "papermill",
    "nbformat",
    "IPython",
)
SKIP_PACKAGES = ("observatoire.cli", "observatoire.demo", "observatoire.publish.warm")


def _import_quietly(name: str) -> None:
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def warm_up(settings: Any) -> dict[str, Any]:
    """Importe, charge, précalcule, répète ; renvoie durée et mémoire du processus."""
    from observatoire.publish import engine
    from observatoire.publish.warm import _peak_rss, _runner

    start = time.perf_counter()
    for name in WARM_MODULES + tuple(settings.extra_modules):
        _import_quietly(name)
    import observatoire

    for info in pkgutil.walk_packages(observatoire.__path__, "observatoire."):
        if not info.name.startswith(SKIP_PACKAGES):
            _import_quietly(info.name)
    if "pdf" in settings.formats:
        _import_quietly("weasyprint")
    engine.get_shell()
    with contextlib.suppress(Exception):
        _runner(settings.runner)
    with contextlib.suppress(Exception):
        _warm_papermill(settings.engine_name)
    preloaded = preload(settings.config) if settings.config is not None else False
    rehearsed: list[str] = []
    if settings.rehearsal is not None:
        rehearsed = rehearse(settings)
    gc.collect()
    gc.freeze()  # évite que le ramasse-miettes recopie les pages partagées dans les fils
    return {
        "duree": time.perf_counter() - start,
        "territoire_precharge": preloaded,
        "modules_repetition": len(rehearsed),
        "memoire": _peak_rss(),
    }


def _warm_papermill(engine_name: str) -> None:
    """Exécute un notebook minuscule : papermill, nbformat (schéma) et le moteur sont prêts."""
    import nbformat
    import papermill

    from observatoire.publish import engine

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("x"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    papermill.execute_notebook(
        nb, None, parameters={"x": 1}, engine_name=engine_name, progress_bar=False
    )
    shell = engine.get_shell()
    shell.reset(new_session=False)
    shell.execution_count = 1


_PRELOADED: dict[Path, Any] = {}


def preload(config: Path) -> bool:
    """Charge le territoire une fois ; ``observatoire.open(config)`` le renverra ensuite.

    Chaque rapport tourne dans un fils forké : ses modifications de l'objet ne
    touchent ni le processus pré-chauffé ni les autres rapports.
    """
    from observatoire.territory import Observatoire

    try:
        obs = Observatoire.from_config(config)
    except Exception:  # le rapport lèvera lui-même l'erreur, avec son message
        return False
    with contextlib.suppress(Exception):
        obs.indicateurs.ecarts()  # écarts de tous les quartiers, gardés en cache par l'API
    for name in ("participation", "contrat"):
        with contextlib.suppress(Exception):
            getattr(obs, name)
    _PRELOADED[Path(config).resolve()] = obs
    original = Observatoire.from_config.__func__

    def from_config(cls, path, *, use_cache: bool = True):
        hit = _PRELOADED.get(Path(path).resolve()) if use_cache else None
        return hit if hit is not None else original(cls, path, use_cache=use_cache)

    Observatoire.from_config = classmethod(from_config)  # type: ignore[method-assign]
    return True


def rehearse(settings: Any) -> list[str]:
    """Produit un rapport dans un fils jetable ; importe les modules qu'il a chargés."""
    from observatoire.publish.warm import _run_child

    read_fd, write_fd = os.pipe()
    scratch = Path(tempfile.mkdtemp(prefix="observatoire-repetition-"))
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            before = set(sys.modules)
            with contextlib.suppress(BaseException):
                _run_child(settings.rehearsal, scratch, {"keep_notebook": False}, settings)
            names = sorted(set(sys.modules) - before)
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(pickle.dumps(names))
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        names = pickle.loads(data)
    except Exception:
        return []
    for name in names:
        if not name.startswith("__") and name != "__main__":
            _import_quietly(name)
    return names
