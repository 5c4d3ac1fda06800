"""Pré-chauffage du processus qui sera forké pour chaque rapport.

Tout ce qui est fait ici une fois est hérité (en copie sur écriture) par chaque
rapport :

1. imports des bibliothèques et de tous les modules d'observatoire ;
2. shell IPython et moteur papermill prêts (schéma nbformat compilé) ;
3. territoire chargé (cache Parquet) et ce que partagent tous les tableaux de
   bord calculé une fois (:func:`observatoire.publish.sections.quartier.prepare` :
   écarts aux références de tous les quartiers, euros par habitant et sa figure) ;
   dans le processus, ``observatoire.open(config)`` renvoie ce territoire déjà chargé.

Exemple ::

    info = warm_up(WarmSettings(config=Path("observatoire.toml")))
    info["duree"], info["territoire_precharge"]
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

# Modules importés d'avance (les autres modules d'observatoire sont importés en
# parcourant le paquet ; mapclassify, importé paresseusement par geopandas, tire
# scipy et scikit-learn : ≈ 1,5 s par rapport s'il n'est pas importé ici).
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


def private_ipython_dir() -> Path | None:
    """Dossier IPython privé, effacé à la sortie, quand ``~/.ipython`` n'est pas inscriptible.

    Sans lui, IPython crée son profil dans un dossier temporaire qu'il n'efface jamais
    (HOME en lecture seule, compte de service). Rien n'est fait si ``IPYTHONDIR`` est
    déjà défini ou si ``~/.ipython`` est utilisable ; renvoie le dossier créé sinon.
    """
    import atexit
    import os
    import shutil
    import tempfile

    if os.environ.get("IPYTHONDIR"):
        return None
    try:
        home = Path.home()
        target = home / ".ipython"
        usable = (
            os.access(target, os.W_OK | os.X_OK)
            if target.is_dir()
            else (not target.exists() and os.access(home, os.W_OK | os.X_OK))
        )
    except (RuntimeError, OSError, KeyError):  # HOME absent ou illisible
        usable = False
    if usable:
        return None
    folder = Path(tempfile.mkdtemp(prefix="observatoire-ipython-"))
    os.environ["IPYTHONDIR"] = str(folder)
    owner = os.getpid()

    def _cleanup() -> None:  # les processus forkés (rapports) n'effacent rien
        if os.getpid() == owner:
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(_cleanup)
    return folder


def _import_quietly(name: str) -> None:
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def warm_up(settings: Any) -> dict[str, Any]:
    """Importe, charge, précalcule ; renvoie durée et mémoire du processus."""
    from observatoire.publish import engine
    from observatoire.publish.warm import _peak_rss, _runner

    start = time.perf_counter()
    private_ipython_dir()  # avant tout import d'IPython (son dossier est lu à l'import)
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
    if preloaded and settings.warm_job is not None:
        _warm_report(settings)
    gc.collect()
    _release_free_memory()
    gc.freeze()  # évite que le ramasse-miettes recopie les pages partagées dans les fils
    return {
        "duree": time.perf_counter() - start,
        "territoire_precharge": preloaded,
        "memoire": _peak_rss(),
    }


def _warm_report(settings: Any) -> None:
    """Produit un rapport à blanc dans un dossier temporaire, effacé ensuite.

    Ce qu'un rapport prépare à sa première exécution (gabarits Jinja2 du rendu et de
    folium compilés, mesures de texte des figures, caches des sections) est alors
    hérité par chaque rapport forké : ≈ 10 % de temps de calcul en moins par rapport
    à l'échelle nationale. Un échec est ignoré (le vrai rapport le signalera).
    """
    import shutil
    import tempfile

    from observatoire.publish import engine
    from observatoire.publish.warm import _runner

    folder = tempfile.mkdtemp(prefix="observatoire-prechauffage-")
    try:
        produce, _ = _runner(settings.runner)
        produce(settings.warm_job, Path(folder), engine_name=settings.engine_name)
    except Exception:  # noqa: BLE001, S110 - pré-chauffage facultatif
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shell = engine.get_shell()
        shell.reset(new_session=False)
        shell.execution_count = 1


def _release_free_memory() -> None:
    """Rend au système la mémoire libérée après le précalcul (glibc : ``malloc_trim``).

    Le calcul des écarts de tous les quartiers laisse ≈ 400 Mio de tas libéré mais
    gardé par l'allocateur (1 600 quartiers) : chaque rapport forké le compterait dans sa
    mémoire résidente. Sans glibc (macOS, musl), rien n'est fait.
    """
    with contextlib.suppress(Exception):
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        if name and sys.platform.startswith("linux"):
            ctypes.CDLL(name).malloc_trim(0)


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
    try:
        from observatoire.publish.sections.quartier import prepare
    except ImportError:
        prepare = None
    with contextlib.suppress(Exception):
        if prepare is not None:
            prepare(obs)
        else:
            obs.indicateurs.ecarts()  # écarts de tous les quartiers, en cache dans l'API
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
