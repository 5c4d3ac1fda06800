"""Production d'un rapport : exécution papermill, HTML, PDF, notebook exécuté.

Chaque fichier est écrit atomiquement (fichier temporaire du même dossier puis
``os.replace``) : un rapport n'apparaît que complet. Une erreur d'exécution du notebook
ne lève pas : le résultat porte ``status="erreur"`` et la cause en français. Seules
les erreurs d'entrée ou de configuration (:class:`ConfigError`, :class:`InputError`)
sont levées.

Exemple ::

    job = ReportJob("quartier", Path("data/demo/observatoire.toml"), {"quartier": "QN00001A"})
    result = produce_report(job, Path("reports"))
    result.status, [p.name for p in result.outputs]   # ("ok", ["QN00001A.html", …])
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observatoire.atomic import atomic_path, write_atomic
from observatoire.config import load_config
from observatoire.errors import ConfigError, ObservatoireError, OutputError
from observatoire.publish.jobs import ReportJob
from observatoire.publish.render import render_html, render_pdf
from observatoire.publish.sections import FORMATS_ENV

FORMATS = ("html", "pdf")
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"


@dataclass
class ReportResult:
    """Résultat d'un rapport : fichiers écrits, statut (``ok``/``erreur``), durée, cause."""

    job: ReportJob
    outputs: list[Path]
    status: str  # "ok" | "erreur"
    duration: float
    error: str | None = None


def notebook_path(job: ReportJob) -> Path:
    """Notebook du job : ``[rapports] notebooks`` de la config, sinon ``notebooks/`` du dépôt."""
    config = Path(job.config)
    try:
        stat = config.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, 0)  # load_config dira pourquoi le fichier est illisible
    path = _notebooks_dir(config.resolve(), stamp) / job.notebook
    if not path.is_file():
        raise ConfigError(f"Notebook de rapport introuvable : {path}")
    return path


@functools.lru_cache(maxsize=16)
def _notebooks_dir(config: Path, stamp: tuple[int, int]) -> Path:
    """Dossier des notebooks d'une configuration (relue si le fichier change)."""
    loaded = load_config(config)
    folder = loaded.section("rapports").get("notebooks")
    return (loaded.root / folder) if folder else NOTEBOOKS_DIR


def job_parameters(job: ReportJob) -> dict:
    """Paramètres papermill du job : ``config`` (chemin absolu) + paramètres du rapport."""
    params = dict(job.parameters)
    params["config"] = str(Path(job.config).resolve())
    return params


def _formats(job: ReportJob) -> tuple[str, ...]:
    unknown = [f for f in job.formats if f not in FORMATS]
    if unknown:
        raise ConfigError(
            f"Format de rapport inconnu : {', '.join(unknown)} (formats possibles : html, pdf)"
        )
    return tuple(job.formats)


def _stem(job: ReportJob, out_dir: Path) -> Path:
    try:
        relative = job.relative_stem
    except ObservatoireError as exc:
        raise ConfigError(f"Rapport impossible à nommer : {exc}") from None
    target = (out_dir / relative).resolve()
    if not target.is_relative_to(out_dir.resolve()):  # défense en profondeur
        raise ConfigError(f"Chemin de rapport hors du dossier de sortie : {relative}")
    return out_dir / relative


def execution_error(exc: BaseException, notebook: str) -> str:
    """Cause française d'un échec d'exécution papermill/nbclient."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        evalue = str(exc.evalue).strip().splitlines()
        detail = evalue[0] if evalue else ""
        return (
            f"le notebook {notebook} a échoué (cellule {exc.exec_count}) : "
            f"{exc.ename}{' — ' + detail if detail else ''}"
        )
    name = type(exc).__name__
    if name == "DeadKernelError":
        return f"le noyau Python s'est arrêté pendant l'exécution de {notebook}"
    if name == "CellTimeoutError":
        return f"délai dépassé pendant l'exécution de {notebook}"
    return f"échec de l'exécution de {notebook} : {name} — {exc}"


class _ExecutionFailed(Exception):
    """Échec d'exécution du notebook (message français) : aucun fichier n'est gardé."""


def _execute(
    job: ReportJob,
    source: Path,
    formats: tuple[str, ...],
    notebook_out: Path | None,
    engine_name: str | None,
    kernel_name: str | None,
) -> Any:
    """Exécute le notebook ; le notebook exécuté va dans ``notebook_out`` (ou nulle part)."""
    import papermill as pm

    # Le notebook sait quels formats seront rendus (ex. pas de carte statique sans PDF).
    previous = os.environ.get(FORMATS_ENV)
    os.environ[FORMATS_ENV] = ",".join(formats)
    try:
        with warnings.catch_warnings():  # temporaire « .x.ipynb.tmp » : voulu
            warnings.filterwarnings("ignore", message="The specified file .* does not end in")
            return pm.execute_notebook(
                source,
                str(notebook_out) if notebook_out is not None else None,
                parameters=job_parameters(job),
                engine_name=engine_name,
                kernel_name=kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=str(source.parent),
            )
    except OSError as exc:
        if notebook_out is not None and exc.filename in (None, str(notebook_out)):
            raise  # écriture du notebook exécuté (disque plein…) : erreur de sortie
        raise _ExecutionFailed(execution_error(exc, source.name)) from None
    except Exception as exc:
        raise _ExecutionFailed(execution_error(exc, source.name)) from None
    finally:
        if previous is None:
            os.environ.pop(FORMATS_ENV, None)
        else:
            os.environ[FORMATS_ENV] = previous


def produce_report(
    job: ReportJob,
    out_dir: Path,
    *,
    keep_notebook: bool = True,
    engine_name: str | None = None,
    kernel_name: str | None = None,
) -> ReportResult:
    """Exécute le notebook du job et écrit ``out_dir/<job.relative_stem>.{html,pdf,ipynb}``."""
    start = time.perf_counter()
    out_dir = Path(out_dir)
    formats = _formats(job)
    stem = _stem(job, out_dir)
    source = notebook_path(job)
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Dossier de sortie impossible à créer : {stem.parent} ({exc})") from None

    def failed(message: str) -> ReportResult:
        return ReportResult(job, [], "erreur", time.perf_counter() - start, message)

    outputs: list[Path] = []
    try:
        with contextlib.ExitStack() as stack:
            # Le notebook exécuté est écrit par papermill lui-même (il le sérialise de
            # toute façon) dans un temporaire caché, renommé une fois le rapport rendu.
            kept = stem.with_suffix(".ipynb")
            tmp = stack.enter_context(atomic_path(kept)) if keep_notebook else None
            nb = _execute(job, source, formats, tmp, engine_name, kernel_name)
            if "html" in formats:
                outputs.append(write_atomic(stem.with_suffix(".html"), render_html(nb, "screen")))
            if "pdf" in formats:
                pdf = render_pdf(render_html(nb, "print"))
                outputs.append(write_atomic(stem.with_suffix(".pdf"), pdf))
        if keep_notebook:
            outputs.append(kept)
    except _ExecutionFailed as exc:  # une erreur du notebook ne doit pas arrêter le lot
        return failed(str(exc))
    except OSError as exc:
        raise OutputError(f"Écriture impossible dans {stem.parent} : {exc}") from None
    except Exception as exc:  # rendu : on signale sans arrêter le lot
        return failed(f"échec du rendu de {stem.name} : {type(exc).__name__} — {exc}")
    return ReportResult(job, outputs, "ok", time.perf_counter() - start)
